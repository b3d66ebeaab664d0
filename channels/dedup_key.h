#pragma once
// Dedup keys for events the platform gives no id of their own (receipts, reactions,
// handovers, postbacks without a mid): built from the fields that tell two such events
// apart, so a re-delivery (even re-batched) gets the same key. Pure; any thread.

#include <initializer_list>
#include <string>
#include <string_view>

namespace atalaya::channels {

// "<prefix>:<part>:<part>..." when every part is non-empty; otherwise the parts cannot tell
// events apart and the key is "<prefix>:" + hex SHA-256 of `raw_json` (the event's own JSON).
std::string CompositeDedupKey(std::string_view prefix, std::initializer_list<std::string> parts,
                              std::string_view raw_json);

// The first 16 hex digits of SHA-256(text): tells versions of an edited text apart.
std::string ShortTextHash(std::string_view text);

}  // namespace atalaya::channels
