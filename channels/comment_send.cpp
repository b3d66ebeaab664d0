#include "channels/comment_send.h"

#include <nlohmann/json.hpp>

#include "channels/outbound_fields.h"

namespace atalaya::channels {

Result<GraphCall> BuildCommentCall(const store::NewOutbound& message) {
  const bool instagram = message.channel == Channel::kInstagram;
  const char* platform = instagram ? "Instagram" : "Facebook";
  if (message.recipient_id.empty()) return InvalidArgument("the comment id is missing");
  if (message.recipient_id.find_first_of("/?#") != std::string::npos) {
    return InvalidArgument("the comment id must not contain '/', '?' or '#'");
  }
  Result<nlohmann::json> payload = ParsePayload(message.payload_json);
  if (!payload.ok()) return payload.status();
  nlohmann::ordered_json body;
  if (message.kind == "public_reply") {
    Result<std::string> text = RequiredString(*payload, "text", "text");
    if (!text.ok()) return text.status();
    Status length = CheckChars(*text, kPublicReplyMaxChars, "text", platform);
    if (!length.ok()) return length;
    body["message"] = *text;
    return GraphCall{"POST", message.recipient_id + (instagram ? "/replies" : "/comments"),
                     body.dump()};
  }
  const bool hide = message.kind == "hide_comment";
  body[instagram ? "hide" : "is_hidden"] = hide;
  return GraphCall{"POST", message.recipient_id, body.dump()};
}

}  // namespace atalaya::channels
