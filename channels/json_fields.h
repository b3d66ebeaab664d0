#pragma once
// Non-throwing reads of JSON fields for the channel parsers. Webhook bodies are untrusted:
// a field may be missing or of the wrong type, and nlohmann's own accessors throw then. These
// return an empty value instead, so a parser decides what "missing" means. Pure; any thread.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace atalaya::channels {

using Json = nlohmann::json;

// The member `key` of `object`, or nullptr when `object` is not an object or lacks it.
const Json* Member(const Json& object, const char* key);
// The member when it is an object / an array, else nullptr.
const Json* ObjectMember(const Json& object, const char* key);
const Json* ArrayMember(const Json& object, const char* key);
// The member when it is a string, else "".
std::string StringMember(const Json& object, const char* key);
// Ids are strings, but some are documented as "number | string": integers are accepted and
// written in decimal. Anything else gives "".
std::string IdMember(const Json& object, const char* key);
// A number (integer or floating point) member.
std::optional<double> NumberMember(const Json& object, const char* key);
// An integer member, also accepted as a string of decimal digits.
std::optional<int64_t> IntegerMember(const Json& object, const char* key);
// A Unix time in seconds (WhatsApp sends a string of digits; a number is accepted too) as
// milliseconds; 0 when missing, malformed, negative or out of range.
int64_t SecondsMemberAsMs(const Json& object, const char* key);
// Compact JSON of a value, for raw_json and dedup hashes. Never throws: strings that came
// from a parsed body are valid UTF-8; anything else is replaced with U+FFFD.
std::string CompactJson(const Json& value);

}  // namespace atalaya::channels
