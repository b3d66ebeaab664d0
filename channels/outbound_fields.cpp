#include "channels/outbound_fields.h"

#include "channels/utf8.h"

namespace atalaya::channels {

using Json = nlohmann::json;

Result<Json> ParsePayload(const std::string& payload_json) {
  if (payload_json.empty()) return Json::object();
  Json parsed = Json::parse(payload_json, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return InvalidArgument("payload is not valid JSON");
  if (!parsed.is_object()) return InvalidArgument("payload must be a JSON object");
  return parsed;
}

Result<std::string> RequiredString(const Json& object, const char* key, std::string_view what) {
  const auto it = object.find(key);
  if (it == object.end()) return InvalidArgument(std::string(what) + " is missing");
  if (!it->is_string()) return InvalidArgument(std::string(what) + " must be a string");
  std::string value = it->get<std::string>();
  if (value.empty()) return InvalidArgument(std::string(what) + " is empty");
  if (FindInvalidUtf8(value).has_value()) {
    return InvalidArgument(std::string(what) + " is not valid UTF-8");
  }
  return value;
}

Result<std::string> OptionalString(const Json& object, const char* key, std::string_view what) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::string();
  if (!it->is_string()) return InvalidArgument(std::string(what) + " must be a string");
  std::string value = it->get<std::string>();
  if (FindInvalidUtf8(value).has_value()) {
    return InvalidArgument(std::string(what) + " is not valid UTF-8");
  }
  return value;
}

Result<const Json*> RequiredArray(const Json& object, const char* key, std::string_view what) {
  const auto it = object.find(key);
  if (it == object.end()) return InvalidArgument(std::string(what) + " is missing");
  if (!it->is_array()) return InvalidArgument(std::string(what) + " must be an array");
  if (it->empty()) return InvalidArgument(std::string(what) + " is empty");
  return &*it;
}

size_t CountChars(std::string_view text) {
  size_t count = 0;
  for (const char c : text) {
    // Count every byte that does not continue a sequence (10xxxxxx).
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

Status CheckChars(std::string_view text, size_t limit, std::string_view what,
                  std::string_view platform) {
  const size_t count = CountChars(text);
  if (count <= limit) return Status::Ok();
  return FailedPrecondition(std::string(what) + " is " + std::to_string(count) + " characters; " +
                            std::string(platform) + " allows at most " + std::to_string(limit));
}

Status CheckBytes(std::string_view text, size_t limit, std::string_view what,
                  std::string_view platform) {
  if (text.size() <= limit) return Status::Ok();
  return FailedPrecondition(std::string(what) + " is " + std::to_string(text.size()) +
                            " bytes (UTF-8); " + std::string(platform) + " allows at most " +
                            std::to_string(limit) + " bytes");
}

Status CheckCount(size_t count, size_t limit, std::string_view what, std::string_view platform) {
  if (count <= limit) return Status::Ok();
  return FailedPrecondition(std::to_string(count) + " " + std::string(what) + "; " +
                            std::string(platform) + " allows at most " + std::to_string(limit));
}

}  // namespace atalaya::channels
