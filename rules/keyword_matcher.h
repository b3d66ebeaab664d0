#pragma once
// KeywordMatcher: every keyword of a rule set compiled into one RE2::Set, so matching a
// message costs one pass over its text whatever the number of keywords.
//
// Keywords are normalized like the text (see text_normalizer.h) and matched as whole words:
// a boundary is required on each side whose keyword character is a letter or digit, so
// "baja" does not match "bajar", while "👍" or "c.c." match wherever they appear. A keyword
// ending in '*' is a stem: "factur*" matches "factura", "facturacion", "facturaron".
// Identical keywords share one pattern.
//
// Build with Add() then Compile(); after that the matcher is immutable and Match() may be
// called from any number of threads.

#include <re2/re2.h>
#include <re2/set.h>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace atalaya::rules {

class KeywordMatcher {
 public:
  KeywordMatcher();
  ~KeywordMatcher();
  KeywordMatcher(const KeywordMatcher&) = delete;
  KeywordMatcher& operator=(const KeywordMatcher&) = delete;

  // Adds a keyword; returns its pattern id (the same id for a keyword already added), or
  // kInvalidArgument when it is empty after normalization.
  Result<int> Add(std::string_view keyword);

  // Compiles the set. kInternal with RE2's message if RE2 refuses (e.g. out of memory).
  Status Compile();

  // The pattern ids found in `normalized` (already NormalizeText'ed), sorted. kInternal when
  // RE2 ran out of DFA memory (which a plain Match() would report as "no match").
  Status Match(std::string_view normalized, std::vector<int>* ids) const;

  // The normalized keyword behind a pattern id (what is matched).
  const std::string& Keyword(int id) const { return keywords_[static_cast<size_t>(id)]; }
  // The keyword as the designer first wrote it, for traces.
  const std::string& Display(int id) const { return displays_[static_cast<size_t>(id)]; }
  size_t size() const { return keywords_.size(); }

  // The RE2 pattern text for a normalized keyword (exposed for the benchmark's naive loop).
  static std::string PatternFor(std::string_view normalized_keyword);

 private:
  std::vector<std::string> keywords_;
  std::vector<std::string> displays_;
  std::unordered_map<std::string, int> ids_;
  std::unique_ptr<RE2::Set> set_;
  bool compiled_ = false;
};

}  // namespace atalaya::rules
