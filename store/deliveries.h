#pragma once
// Deliveries: the state of our outbound messages as status webhooks report it.
//
// States only move forward: sent < delivered < read; failed is terminal and keeps the
// platform's error code, title and detail. Platforms deliver statuses at least once and out
// of order, so a status for a message not recorded yet is kept in `pending_statuses` and
// applied when RecordDelivery sees the message.
//
// Threads: functions use only the connection they are given (the writer's for changes).
// Errors: SQLiteCpp exceptions propagate to the store's edge.

#include <cstdint>
#include <optional>
#include <string>

#include "common/event.h"
#include "store/connection.h"
#include "store/store.h"

namespace atalaya::store {

enum class StatusOutcome { kApplied, kStale, kPending };

// Whether `next` may replace `current` (forward only; failed is terminal).
bool StatusMovesForward(DeliveryStatus current, DeliveryStatus next);

// Applies one status update of `channel` observed at `ts_ms`.
StatusOutcome ApplyStatus(Connection& conn, Channel channel, const StatusUpdate& update,
                          int64_t ts_ms);

// Records an outbound message (idempotent: recording it again changes nothing) and applies
// the statuses that were waiting for it.
void RecordDelivery(Connection& conn, Channel channel, const std::string& message_id,
                    int64_t conversation_id, int64_t now_ms);

std::optional<DeliveryState> LoadDelivery(Connection& conn, Channel channel,
                                          const std::string& message_id);

}  // namespace atalaya::store
