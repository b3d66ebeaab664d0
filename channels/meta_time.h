#pragma once
// Meta timestamps as Unix milliseconds. Meta writes times three ways: Messenger and Instagram
// messaging `timestamp` and `entry.time` are milliseconds (numbers), Page feed `created_time`
// and Instagram comment `entry.time` are seconds (numbers, sometimes strings of digits), and
// some payloads and Graph API reads use ISO-8601 strings ("2026-11-27T22:51:36+0000").
//
// Numbers are told apart by size: below kSecondsLimit they are seconds (that is every second
// until the year 5138), at or above it milliseconds (every millisecond after March 1973).
// Pure; any thread.

#include <cstdint>
#include <optional>
#include <string_view>

#include "channels/json_fields.h"

namespace atalaya::channels {

inline constexpr int64_t kSecondsLimit = 100'000'000'000;  // 1e11

// `value` (a number, a string of digits or an ISO-8601 string) as ms; 0 when it is none of
// these, negative, or out of range.
int64_t MetaTimeAsMs(const Json& value);

// The member `key` of `object` read with MetaTimeAsMs; 0 when missing.
int64_t MetaTimeMemberAsMs(const Json& object, const char* key);

// "YYYY-MM-DDTHH:MM:SS" (a space instead of "T" is accepted), optional fraction of a second,
// then "Z", "+HHMM", "+HH:MM", "+HH" or nothing (UTC). nullopt when malformed or before 1970.
std::optional<int64_t> ParseIso8601Ms(std::string_view text);

}  // namespace atalaya::channels
