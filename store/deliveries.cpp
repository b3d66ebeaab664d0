#include "store/deliveries.h"

#include <vector>

namespace atalaya::store {
namespace {

std::optional<DeliveryStatus> CurrentStatus(Connection& conn, Channel channel,
                                            const std::string& message_id) {
  Statement select =
      conn.Prepare("SELECT status FROM deliveries WHERE channel = ? AND message_id = ?");
  select->bind(1, ChannelName(channel));
  select->bind(2, message_id);
  if (!select->executeStep()) return std::nullopt;
  return ParseDeliveryStatus(select->getColumn(0).getString()).value_or(DeliveryStatus::kNone);
}

}  // namespace

bool StatusMovesForward(DeliveryStatus current, DeliveryStatus next) {
  if (current == DeliveryStatus::kFailed) return false;
  // kFailed ranks above every other state, so "failed after read" is still recorded.
  return static_cast<int>(next) > static_cast<int>(current);
}

StatusOutcome ApplyStatus(Connection& conn, Channel channel, const StatusUpdate& update,
                          int64_t ts_ms) {
  const std::optional<DeliveryStatus> current = CurrentStatus(conn, channel, update.message_id);
  if (!current) {
    Statement keep = conn.Prepare(
        "INSERT INTO pending_statuses (channel, message_id, status, "
        "error_code, error_title, error_detail, timestamp_ms) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)");
    keep->bind(1, ChannelName(channel));
    keep->bind(2, update.message_id);
    keep->bind(3, DeliveryStatusName(update.status));
    keep->bind(4, update.error_code);
    keep->bind(5, update.error_title);
    keep->bind(6, update.error_detail);
    keep->bind(7, ts_ms);
    keep->exec();
    return StatusOutcome::kPending;
  }
  if (!StatusMovesForward(*current, update.status)) return StatusOutcome::kStale;
  Statement set = conn.Prepare(
      "UPDATE deliveries SET status = ?, error_code = ?, error_title = ?, "
      "error_detail = ?, updated_ms = ? WHERE channel = ? AND message_id = ?");
  set->bind(1, DeliveryStatusName(update.status));
  set->bind(2, update.error_code);
  set->bind(3, update.error_title);
  set->bind(4, update.error_detail);
  set->bind(5, ts_ms);
  set->bind(6, ChannelName(channel));
  set->bind(7, update.message_id);
  set->exec();
  return StatusOutcome::kApplied;
}

void RecordDelivery(Connection& conn, Channel channel, const std::string& message_id,
                    int64_t conversation_id, int64_t now_ms) {
  Statement insert = conn.Prepare(
      "INSERT INTO deliveries (channel, message_id, conversation_id, "
      "created_ms, updated_ms) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT (channel, message_id) DO NOTHING");
  insert->bind(1, ChannelName(channel));
  insert->bind(2, message_id);
  insert->bind(3, conversation_id);
  insert->bind(4, now_ms);
  insert->bind(5, now_ms);
  insert->exec();

  std::vector<std::pair<StatusUpdate, int64_t>> waiting;
  {
    Statement select = conn.Prepare(
        "SELECT status, error_code, error_title, error_detail, "
        "timestamp_ms FROM pending_statuses "
        "WHERE channel = ? AND message_id = ? ORDER BY id");
    select->bind(1, ChannelName(channel));
    select->bind(2, message_id);
    while (select->executeStep()) {
      StatusUpdate update;
      update.message_id = message_id;
      update.status =
          ParseDeliveryStatus(select->getColumn(0).getString()).value_or(DeliveryStatus::kNone);
      update.error_code = select->getColumn(1).getInt64();
      update.error_title = select->getColumn(2).getString();
      update.error_detail = select->getColumn(3).getString();
      waiting.emplace_back(std::move(update), select->getColumn(4).getInt64());
    }
  }
  for (const auto& [update, ts_ms] : waiting) ApplyStatus(conn, channel, update, ts_ms);
  Statement clear =
      conn.Prepare("DELETE FROM pending_statuses WHERE channel = ? AND message_id = ?");
  clear->bind(1, ChannelName(channel));
  clear->bind(2, message_id);
  clear->exec();
}

std::optional<DeliveryState> LoadDelivery(Connection& conn, Channel channel,
                                          const std::string& message_id) {
  Statement select = conn.Prepare(
      "SELECT status, error_code, error_title, error_detail, updated_ms "
      "FROM deliveries WHERE channel = ? AND message_id = ?");
  select->bind(1, ChannelName(channel));
  select->bind(2, message_id);
  if (!select->executeStep()) return std::nullopt;
  DeliveryState state;
  state.message_id = message_id;
  state.status =
      ParseDeliveryStatus(select->getColumn(0).getString()).value_or(DeliveryStatus::kNone);
  state.error_code = select->getColumn(1).getInt64();
  state.error_title = select->getColumn(2).getString();
  state.error_detail = select->getColumn(3).getString();
  state.updated_ms = select->getColumn(4).getInt64();
  return state;
}

}  // namespace atalaya::store
