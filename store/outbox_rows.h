#pragma once
// Outbox rows: how the outbox (store/outbox.h) maps to the `outbox` table, and the state
// moves the sender worker makes. A message's delivery state is not copied here: it is read
// from `deliveries` by its platform message id, so status webhooks (by id or by watermark)
// and the outbox always agree.
//
// Threads: functions use only the connection they are given (the writer's for changes).
// Errors: as documented on Store's outbox methods, returned as values; SQLiteCpp exceptions
// propagate to the store's edge.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/event.h"
#include "common/status.h"
#include "store/connection.h"
#include "store/outbox.h"

namespace atalaya::store {

// Queues `message` in conversation `conversation_id` (followed through merges; kNotFound
// when it does not exist). kAlreadyExists when its idempotency key was used (the message
// names the existing id), kFailedPrecondition for a second private reply to one comment,
// kInvalidArgument for an empty kind or a channel that is not the conversation's.
Result<int64_t> InsertOutbound(Connection& conn, const NewOutbound& message,
                               int64_t conversation_id, int64_t now_ms);

std::optional<OutboundMessage> LoadOutbound(Connection& conn, int64_t id);
std::vector<OutboundMessage> LoadDueOutbound(Connection& conn, int64_t now_ms, size_t limit);
std::vector<OutboundMessage> LoadConversationOutbound(Connection& conn, int64_t conversation_id);

// The sender worker's moves. Each checks the row's current state: kNotFound for an unknown
// id, kFailedPrecondition ("outbound message 7 is sent, not sending") for a wrong one.
Status MarkSending(Connection& conn, int64_t id, int64_t now_ms);
Status MarkSent(Connection& conn, int64_t id, const std::string& platform_message_id,
                int64_t now_ms);
Status MarkRetry(Connection& conn, int64_t id, int64_t next_attempt_ms, const OutboundError& error,
                 int64_t now_ms);
Status MarkFailed(Connection& conn, int64_t id, const OutboundError& error, int64_t now_ms);
// kSending → kPending with possible_duplicate set; returns how many rows moved.
int64_t RecoverSending(Connection& conn, int64_t now_ms);

// A watermark receipt (empty message_id, watermark_ms > 0): applies `update.status` to every
// message of (channel, account_id, update.recipient_id) sent at or before the watermark,
// forward-only. Returns how many messages moved.
int ApplyWatermark(Connection& conn, Channel channel, const std::string& account_id,
                   const StatusUpdate& update, int64_t ts_ms);

}  // namespace atalaya::store
