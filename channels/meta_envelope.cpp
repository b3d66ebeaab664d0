#include "channels/meta_envelope.h"

#include <string>

#include "channels/json_scan.h"
#include "channels/utf8.h"

namespace atalaya::channels {

Status ValidateMetaEnvelope(std::string_view body, int max_depth) {
  if (std::optional<size_t> bad = FindInvalidUtf8(body)) {
    return InvalidArgument("body is not valid UTF-8 (byte offset " + std::to_string(*bad) + ")");
  }
  Result<JsonShape> shape = ScanJson(body, max_depth, "entry");
  if (!shape.ok()) {
    if (shape.status().code() == ErrorCode::kResourceExhausted) {
      return InvalidArgument("JSON " + shape.status().message());
    }
    return InvalidArgument("body is not valid JSON: " + shape.status().message());
  }
  if (shape->top != JsonType::kObject) return InvalidArgument("body is not a JSON object");
  if (!shape->member) return InvalidArgument("body has no \"entry\" array");
  if (*shape->member != JsonType::kArray) return InvalidArgument("\"entry\" is not an array");
  return Status::Ok();
}

}  // namespace atalaya::channels
