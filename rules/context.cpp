#include "rules/context.h"

#include <utility>

#include "common/crypto.h"
#include "rules/text_normalizer.h"

namespace atalaya::rules {

std::string TextKey(std::string_view text) { return TextKeyOfNormalized(NormalizeText(text)); }

std::string TextKeyOfNormalized(std::string_view normalized) {
  return HexEncode(Sha256(normalized));
}

void InMemoryRecentTexts::Add(Channel channel, std::string_view author_id, std::string_view text,
                              int64_t at_ms) {
  AddKey(channel, author_id, TextKey(text), at_ms);
}

void InMemoryRecentTexts::AddKey(Channel channel, std::string_view author_id, std::string text_key,
                                 int64_t at_ms) {
  std::lock_guard lock(mu_);
  seen_.emplace(std::make_tuple(channel, std::string(author_id), std::move(text_key)), at_ms);
}

bool InMemoryRecentTexts::Contains(Channel channel, std::string_view author_id,
                                   std::string_view text_key, int64_t since_ms,
                                   int64_t until_ms) const {
  std::lock_guard lock(mu_);
  auto [begin, end] =
      seen_.equal_range(std::make_tuple(channel, std::string(author_id), std::string(text_key)));
  for (auto it = begin; it != end; ++it) {
    if (it->second >= since_ms && it->second <= until_ms) return true;
  }
  return false;
}

}  // namespace atalaya::rules
