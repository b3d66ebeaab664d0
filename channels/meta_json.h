#pragma once
// JSON written the way Meta writes its webhook bodies: compact, every non-ASCII character as
// a \uXXXX escape (UTF-16 surrogate pairs above U+FFFF, lower-case hex) and "/" as "\/".
// Signatures are computed over exactly these bytes, so simulated and test bodies must use
// them too. (Some Messenger payloads also escape "<", "%" and "@"; WhatsApp's do not need to.)
// Pure; any thread.

#include <nlohmann/json.hpp>
#include <string>

namespace atalaya::channels {

// Object keys keep the order they were inserted in, as in Meta's bodies.
using OrderedJson = nlohmann::ordered_json;

// Never throws: invalid UTF-8 inside strings is replaced with U+FFFD.
std::string MetaStyleJson(const OrderedJson& value);

}  // namespace atalaya::channels
