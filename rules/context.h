#pragma once
// Context: what the rules need about the customer that the Event does not carry. The daemon
// fills it from the store before deciding; `explain` and `test` fill it from flags or test
// files. Kept small on purpose: every field here is something a rule can test.
//
// RecentTexts is the state behind duplicate filtering ("the same text from the same author
// within a window"). The daemon implements it over the store; InMemoryRecentTexts serves
// `explain`, `test` and unit tests. Implementations must be safe to call from several threads.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "common/event.h"

namespace atalaya::rules {

class RecentTexts {
 public:
  virtual ~RecentTexts() = default;
  // Whether this author sent a text with this key (see TextKey) on this channel at a time
  // t with since_ms <= t <= until_ms. The daemon asks before recording the current event.
  virtual bool Contains(Channel channel, std::string_view author_id, std::string_view text_key,
                        int64_t since_ms, int64_t until_ms) const = 0;
};

// The duplicate key of a text: hex SHA-256 of its normalized form, so "Hola!!" and "hola!"
// are the same text. The daemon stores it with each message.
std::string TextKey(std::string_view text);
// The same from the text already normalized (NormalizeText), to normalize it only once.
std::string TextKeyOfNormalized(std::string_view normalized);

class InMemoryRecentTexts final : public RecentTexts {
 public:
  void Add(Channel channel, std::string_view author_id, std::string_view text, int64_t at_ms);
  // The same with the text's TextKey, when the caller has it already.
  void AddKey(Channel channel, std::string_view author_id, std::string text_key, int64_t at_ms);
  bool Contains(Channel channel, std::string_view author_id, std::string_view text_key,
                int64_t since_ms, int64_t until_ms) const override;

 private:
  mutable std::mutex mu_;
  std::multimap<std::tuple<Channel, std::string, std::string>, int64_t> seen_;
};

struct Context {
  int64_t now_ms = 0;                   // when the decision is made; 0 = the event's timestamp
  std::string segment;                  // CRM segment of the contact ("vip", ...); "" = none
  bool promotion_post = false;          // the post this comment is under is tagged as a promotion
  const RecentTexts* recent = nullptr;  // null: duplicate conditions are never true
  // TextKey(event.text) when the caller computed it already (the daemon stores it with the
  // message); null: the rules compute it themselves if a duplicate condition needs it.
  const std::string* text_key = nullptr;
};

}  // namespace atalaya::rules
