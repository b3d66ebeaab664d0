#include "rules/keyword_matcher.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>

#include "rules/text_normalizer.h"

namespace atalaya::rules {
namespace {

bool IsWordChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

// Big keyword sets need more than RE2's default 8 MiB of DFA memory; without it Match()
// fails (silently, without error_info) on long texts.
constexpr int64_t kSetMaxMem = 256 << 20;

}  // namespace

KeywordMatcher::KeywordMatcher() = default;
KeywordMatcher::~KeywordMatcher() = default;

std::string KeywordMatcher::PatternFor(std::string_view keyword) {
  bool stem = !keyword.empty() && keyword.back() == '*';
  if (stem) keyword.remove_suffix(1);
  std::string pattern;
  if (!keyword.empty() && IsWordChar(keyword.front())) pattern += "\\b";
  pattern += RE2::QuoteMeta(re2::StringPiece(keyword.data(), keyword.size()));
  if (!stem && !keyword.empty() && IsWordChar(keyword.back())) pattern += "\\b";
  return pattern;
}

Result<int> KeywordMatcher::Add(std::string_view keyword) {
  bool stem = !keyword.empty() && keyword.back() == '*';
  std::string normalized = NormalizeText(stem ? keyword.substr(0, keyword.size() - 1) : keyword);
  if (normalized.empty()) return InvalidArgument("keyword is empty after normalization");
  if (stem) normalized += '*';
  auto it = ids_.find(normalized);
  if (it != ids_.end()) return it->second;
  int id = static_cast<int>(keywords_.size());
  keywords_.push_back(normalized);
  displays_.emplace_back(keyword);
  ids_.emplace(normalized, id);
  return id;
}

Status KeywordMatcher::Compile() {
  RE2::Options options;
  options.set_max_mem(kSetMaxMem);
  options.set_log_errors(false);
  set_ = std::make_unique<RE2::Set>(options, RE2::UNANCHORED);
  for (const std::string& keyword : keywords_) {
    std::string error;
    if (set_->Add(PatternFor(keyword), &error) < 0) {
      return Internal("keyword \"" + keyword + "\" does not compile: " + error);
    }
  }
  if (!keywords_.empty() && !set_->Compile()) {
    return Internal("the keyword set does not compile (RE2 out of memory?)");
  }
  compiled_ = true;
  return Status::Ok();
}

Status KeywordMatcher::Match(std::string_view normalized, std::vector<int>* ids) const {
  ids->clear();
  if (!compiled_ || keywords_.empty()) return Status::Ok();
  RE2::Set::ErrorInfo error_info{};
  bool found =
      set_->Match(re2::StringPiece(normalized.data(), normalized.size()), ids, &error_info);
  if (!found && error_info.kind != RE2::Set::kNoError) {
    return Internal("keyword matching failed: RE2 DFA out of memory");
  }
  std::sort(ids->begin(), ids->end());
  return Status::Ok();
}

}  // namespace atalaya::rules
