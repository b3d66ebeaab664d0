#include "channels/outbound_request.h"

#include "channels/comment_send.h"
#include "channels/messenger_send.h"
#include "channels/whatsapp_send.h"

namespace atalaya::channels {

bool IsPrivateReplyKind(const std::string& kind) { return kind == "private_reply"; }

Result<GraphCall> BuildGraphCall(const store::NewOutbound& message, const SendContext& context,
                                 const Clock& clock) {
  if (message.account_id.empty()) return InvalidArgument("account_id is missing");
  if (message.recipient_id.empty()) return InvalidArgument("recipient_id is missing");
  // Ids land in the URL path: refuse anything that could change the path.
  if (message.account_id.find_first_of("/?#") != std::string::npos) {
    return InvalidArgument("account_id must not contain '/', '?' or '#'");
  }
  switch (message.channel) {
    case Channel::kWhatsApp:
      return BuildWhatsAppCall(message, context, clock);
    case Channel::kMessenger:
    case Channel::kInstagram:
      if (message.kind == "public_reply" || message.kind == "hide_comment" ||
          message.kind == "unhide_comment") {
        return BuildCommentCall(message);
      }
      return BuildMetaMessagingCall(message, context, clock);
    default:
      return InvalidArgument(std::string("outbound messages on ") + ChannelName(message.channel) +
                             " are not supported yet");
  }
}

}  // namespace atalaya::channels
