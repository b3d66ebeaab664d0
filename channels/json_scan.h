#pragma once
// ScanJson: checks that a text is exactly one JSON value (RFC 8259) without building it, and
// reports the shape the webhook envelope check needs: the type of the top-level value and of
// one named member of a top-level object.
//
// Why not nlohmann's SAX parser: at request time it was a tenth of the daemon's CPU, because
// its lexer copies every string and key into a std::string. This scanner walks the bytes once
// and allocates only its stack of open levels.
//
// It accepts exactly what nlohmann::json::parse accepts for valid UTF-8 input (a differential
// test holds it to that), so a body that passed here never fails the parse at ingest. The
// caller checks UTF-8 first (FindInvalidUtf8): bytes >= 0x80 inside strings are not
// re-checked. Nesting is counted while scanning, without recursion: a top-level array or
// object is level 1, and the scan stops at the first level deeper than max_depth.
//
// Errors, with messages free of the text's own bytes (customer data):
//   kInvalidArgument "line L, column C: <what was expected>"   — C counts bytes from 1
//   kResourceExhausted "nested deeper than <max_depth> levels" — our limit, not a JSON fault
// Pure; any thread.

#include <optional>
#include <string_view>

#include "common/status.h"

namespace atalaya::channels {

enum class JsonType { kNull, kBoolean, kNumber, kString, kArray, kObject };

struct JsonShape {
  JsonType top = JsonType::kNull;
  // The type of the top-level object's member named `member` (the last one when repeated, as
  // in the parsed document); nullopt when absent or when the top is not an object.
  std::optional<JsonType> member;
};

Result<JsonShape> ScanJson(std::string_view text, int max_depth, std::string_view member);

}  // namespace atalaya::channels
