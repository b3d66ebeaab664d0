#pragma once
// The outbound API on the admin listener: queue a message for a conversation, read its state.
//
//   POST /api/v1/messages        Authorization: Bearer <admin token>
//     {"conversation_id":N,"kind":"text","text":"..."}  (+ the kind's fields, see
//     channels/outbound_request.h; "comment_id" names the comment for private_reply,
//     public_reply, hide_comment and unhide_comment, "post_id" a visitor post for
//     private_reply; optional "human_agent":true, "author":"agent:<id>")
//     Optional header Idempotency-Key: a repeat answers 200 with the first message.
//     → 202 {"id":N,"state":"pending"}
//   GET /api/v1/messages/<id>    → 200 with the message's state, attempts, platform id, error
//
// Errors ({"error":{"code","message"}} via http_errors.h): 401 missing or wrong token (the
// token is compared in constant time), 403 when no admin token is configured (the API is off),
// 400 malformed body or a field of the wrong shape (unknown fields are named), 413 body over
// the cap, 404 unknown conversation or message, 422 over a limit or outside a window (the
// message says which), 503 when the store is unavailable. Every check the sender makes
// before sending is made here first, so a queued message is one the platform should accept.
//
// Ownership: the routes borrow the store and clock (they must outlive the server).
// Thread-safety: handlers run on httplib's worker threads; the store is thread-safe.

#include <httplib.h>

#include <cstddef>
#include <functional>
#include <string>

#include "common/clock.h"
#include "daemon/sender_worker.h"
#include "store/store.h"

namespace atalaya::daemon {

struct OutboundApiOptions {
  // The admin token now (a reload may replace it); "" = the API answers 403.
  std::function<std::string()> admin_token;
  TemplateLookup whatsapp_reengagement_template;  // named when a template is required
  size_t max_body_bytes = 64 * 1024;
  std::function<void()> on_queued;  // e.g. SenderWorker::Wake; may be empty
};

void RegisterOutboundApi(httplib::Server& server, store::Store& store, const Clock& clock,
                         OutboundApiOptions options);

}  // namespace atalaya::daemon
