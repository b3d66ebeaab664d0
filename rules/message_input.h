#pragma once
// MessageInput: an Event and its Context written by hand — in a rule test case, in an
// `atalaya explain --file` payload (JSON is YAML, so one reader serves both) or built from
// explain's flags. Designers write the fields they care about; everything else keeps the
// Event's defaults.
//
// Keys: channel, kind, visibility (or public: true), text, rating, attachments (kinds),
// author {id, name, handle, followers, following, listed, posts, verified, bio,
// account_age_days}, segment, promotion_post, at (ISO-8601 time, default kDefaultTestTime),
// history (earlier texts of the same author: [{text, ago: 5m}]).
// Errors are values: unknown keys (nearest suggested) and wrong types come back as
// "line:column: message" strings, all of them. Thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/event.h"
#include "common/status.h"
#include "rules/context.h"

namespace YAML {
class Node;
}

namespace atalaya::rules {

// Wednesday 2026-01-07 15:00 UTC (10:00 in UTC-5): inside ordinary business hours, so tests
// that do not care about time are not filtered by it.
inline constexpr int64_t kDefaultTestTimeMs = 1'767'798'000'000;

struct MessageInput {
  Event event;
  Context context;  // context.recent points at `history`
  std::unique_ptr<InMemoryRecentTexts> history = std::make_unique<InMemoryRecentTexts>();
};

// Reads a message from a YAML/JSON mapping. Errors are appended to `errors` as
// "line:column: message"; returns false when there was any.
bool ReadMessage(const YAML::Node& node, MessageInput* out, std::vector<std::string>* errors);

// Parses "2026-01-07T10:00:00-05:00" / "...Z" / "2026-01-07T15:00Z" to epoch milliseconds.
Result<int64_t> ParseIsoTime(std::string_view text);

}  // namespace atalaya::rules
