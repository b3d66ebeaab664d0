#pragma once
// Moderation of public comments on Facebook Pages and Instagram: a public reply under a
// comment and hiding / unhiding it. recipient_id is the comment id.
//   Facebook: reply POST /<comment-id>/comments {"message"}; hide POST /<comment-id>
//             {"is_hidden":true|false}.
//   Instagram: reply POST /<comment-id>/replies {"message"}; hide POST /<comment-id>
//             {"hide":true|false}.
// No window applies. See outbound_request.h for error meanings. Pure; any thread.

#include "channels/graph_client.h"
#include "channels/outbound_request.h"

namespace atalaya::channels {

// Public comment replies: no documented limit (PLATFORMS.md: "not confirmed"); Facebook's
// comment box takes 8,000 characters, so refuse beyond that rather than let Meta cut it.
inline constexpr size_t kPublicReplyMaxChars = 8000;

// message.kind is public_reply, hide_comment or unhide_comment; channel Messenger/Instagram.
Result<GraphCall> BuildCommentCall(const store::NewOutbound& message);

}  // namespace atalaya::channels
