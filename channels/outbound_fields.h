#pragma once
// Reading an outbound payload's fields with errors that name the field, and the length checks
// every channel applies (never truncating). Used by the *_send builders. Pure; any thread.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"

namespace atalaya::channels {

// Parses payload_json; an empty string is {}. kInvalidArgument when not a JSON object.
Result<nlohmann::json> ParsePayload(const std::string& payload_json);

// A required non-empty string member; kInvalidArgument "<what> is missing" / "... must be a
// string" / "... is empty".
Result<std::string> RequiredString(const nlohmann::json& object, const char* key,
                                   std::string_view what);
// An optional string member: "" when absent; kInvalidArgument when present but not a string.
Result<std::string> OptionalString(const nlohmann::json& object, const char* key,
                                   std::string_view what);
// A required non-empty array member.
Result<const nlohmann::json*> RequiredArray(const nlohmann::json& object, const char* key,
                                            std::string_view what);

// Unicode code points of valid UTF-8 (what the platforms call characters).
size_t CountChars(std::string_view text);

// kFailedPrecondition "<what> is <n> characters; <platform> allows at most <limit>".
Status CheckChars(std::string_view text, size_t limit, std::string_view what,
                  std::string_view platform);
// The same in bytes: "<what> is <n> bytes (UTF-8); <platform> allows at most <limit> bytes".
Status CheckBytes(std::string_view text, size_t limit, std::string_view what,
                  std::string_view platform);
// kFailedPrecondition "<count> <what>; <platform> allows at most <limit>".
Status CheckCount(size_t count, size_t limit, std::string_view what, std::string_view platform);

}  // namespace atalaya::channels
