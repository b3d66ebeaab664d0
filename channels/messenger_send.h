#pragma once
// Send API requests for Messenger and Instagram messaging (the same Graph endpoint shape,
// `POST /<account id>/messages`): text, quick replies, button template, sender actions and
// private replies to comments. Instagram counts text in bytes, Messenger in characters.
// See outbound_request.h for the payloads and error meanings. Pure; any thread.

#include "channels/graph_client.h"
#include "channels/outbound_request.h"

namespace atalaya::channels {

inline constexpr size_t kMessengerTextMaxChars = 2000;
inline constexpr size_t kInstagramTextMaxBytes = 1000;
inline constexpr size_t kQuickRepliesMax = 13;
inline constexpr size_t kQuickReplyTitleMaxChars = 20;
inline constexpr size_t kButtonsMax = 3;
inline constexpr size_t kButtonTitleMaxChars = 20;
// Button template text: 640 characters per the Messenger template reference (verify).
inline constexpr size_t kButtonTemplateTextMaxChars = 640;

// message.channel is kMessenger or kInstagram.
Result<GraphCall> BuildMetaMessagingCall(const store::NewOutbound& message,
                                         const SendContext& context, const Clock& clock);

}  // namespace atalaya::channels
