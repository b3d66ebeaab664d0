#pragma once
// How a part of a webhook that cannot be understood becomes an event: kUnsupported, with a
// reason for operators and a dedup key derived from the part itself, so a re-delivery of the
// same part is recognised as a duplicate. Shared by every Meta parser. Pure; any thread.

#include <string>
#include <string_view>

#include "channels/json_fields.h"
#include "common/event.h"

namespace atalaya::channels {

// "unsupported:" + hex SHA-256 of `compact_json`.
std::string UnsupportedDedupKey(std::string_view compact_json);

// A kUnsupported event for `part`: raw_json is its compact JSON, dedup_key is
// UnsupportedDedupKey of that, visibility private, everything else empty.
Event MakeUnsupportedEvent(Channel channel, std::string account_id, std::string reason,
                           const Json& part);

}  // namespace atalaya::channels
