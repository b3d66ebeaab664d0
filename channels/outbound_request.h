#pragma once
// Turns an outbox row (store::NewOutbound: channel, kind, payload_json) into the one Graph
// call that delivers it, after every local check: payload shape, the platform's length and
// count limits, and the time windows (see window.h). Nothing is ever truncated.
//
// Payloads by kind (payload_json; recipient_id is the PSID / IGSID / wa_id, or the comment /
// post id for private_reply, public_reply, hide_comment and unhide_comment):
//   text            {"text"}                                  all three channels
//   quick_replies   {"text","quick_replies":[{"title","payload"}]}       Messenger, Instagram
//   buttons         Messenger/Instagram: {"text","buttons":[{"title","payload"|"url"}]}
//                   WhatsApp: {"text","footer"?,"buttons":[{"id","title"}]}  (reply buttons)
//   interactive     WhatsApp list: {"text","button","footer"?,
//                                   "sections":[{"title"?,"rows":[{"id","title","description"?}]}]}
//   template        WhatsApp: {"name","language","parameters":["..."]}  (body parameters)
//   sender_action   Messenger, Instagram: {"action":"typing_on"|"typing_off"|"mark_seen"}
//   mark_read       WhatsApp: {"message_id":"wamid..."}; Messenger, Instagram: {} (mark_seen)
//   private_reply   Messenger (Facebook comment or, with "target":"post", a visitor post),
//                   Instagram comment: {"text"}
//   public_reply    Messenger (Facebook comment), Instagram comment: {"text"}
//   hide_comment / unhide_comment                               Messenger, Instagram: {}
//
// Errors: kInvalidArgument — the payload is malformed (not JSON, a field missing or of the
// wrong type, an unknown kind or one the channel lacks). kFailedPrecondition — well formed but
// refused: over a limit (the message names the limit) or outside a window (it says why and
// what would be allowed). Pure; any thread.

#include <cstdint>
#include <string>

#include "channels/graph_client.h"
#include "common/clock.h"
#include "common/status.h"
#include "store/outbox.h"

namespace atalaya::channels {

// What the checks need to know beyond the message itself; the caller reads it from the store.
struct SendContext {
  int64_t last_inbound_ms = 0;        // the customer's last inbound message; 0 = never
  int64_t comment_created_ms = 0;     // private_reply: when the comment/post was made; 0 unknown
  bool private_reply_sent = false;    // another private reply to the same comment exists
  std::string reengagement_template;  // WhatsApp: named when a template is required
};

Result<GraphCall> BuildGraphCall(const store::NewOutbound& message, const SendContext& context,
                                 const Clock& clock);

// Kinds that start a private reply (one per comment), for the caller's bookkeeping.
bool IsPrivateReplyKind(const std::string& kind);

}  // namespace atalaya::channels
