#include "store/outbox_rows.h"

#include <initializer_list>
#include <utility>

#include "store/conversations.h"
#include "store/deliveries.h"

namespace atalaya::store {
namespace {

// The row with its delivery state, which lives in `deliveries` under the platform's id.
constexpr const char* kSelectOutbound =
    "SELECT o.id, o.channel, o.account_id, o.conversation_id, o.recipient_id, o.kind, "
    "o.payload_json, o.author, o.idempotency_key, o.human_agent, o.state, o.attempts, "
    "o.created_ms, o.next_attempt_ms, o.sent_ms, o.platform_message_id, o.error_code, "
    "o.error_subcode, o.error_message, o.possible_duplicate, d.status "
    "FROM outbox o LEFT JOIN deliveries d ON o.platform_message_id <> '' "
    "AND d.channel = o.channel AND d.message_id = o.platform_message_id ";

OutboundMessage ReadOutbound(SQLite::Statement& row) {
  OutboundMessage m;
  m.id = row.getColumn(0).getInt64();
  NewOutbound& r = m.request;
  r.channel = ParseChannel(row.getColumn(1).getString()).value_or(Channel::kWhatsApp);
  r.account_id = row.getColumn(2).getString();
  r.conversation_id = row.getColumn(3).getInt64();
  r.recipient_id = row.getColumn(4).getString();
  r.kind = row.getColumn(5).getString();
  r.payload_json = row.getColumn(6).getString();
  r.author = row.getColumn(7).getString();
  r.idempotency_key = row.getColumn(8).getString();  // NULL reads ""
  r.human_agent = row.getColumn(9).getInt() != 0;
  m.state = ParseOutboxState(row.getColumn(10).getString()).value_or(OutboxState::kPending);
  m.attempts = row.getColumn(11).getInt();
  m.created_ms = row.getColumn(12).getInt64();
  m.next_attempt_ms = row.getColumn(13).getInt64();
  m.sent_ms = row.getColumn(14).getInt64();
  m.platform_message_id = row.getColumn(15).getString();
  m.last_error.code = row.getColumn(16).getInt64();
  m.last_error.subcode = row.getColumn(17).getInt64();
  m.last_error.message = row.getColumn(18).getString();
  m.possible_duplicate = row.getColumn(19).getInt() != 0;
  if (!row.getColumn(20).isNull()) {
    m.delivery = ParseDeliveryStatus(row.getColumn(20).getString()).value_or(DeliveryStatus::kNone);
  }
  return m;
}

struct Row {
  OutboxState state;
  Channel channel;
  int64_t conversation_id;
};

std::optional<Row> CurrentRow(Connection& conn, int64_t id) {
  Statement select =
      conn.Prepare("SELECT state, channel, conversation_id FROM outbox WHERE id = ?");
  select->bind(1, id);
  if (!select->executeStep()) return std::nullopt;
  return Row{ParseOutboxState(select->getColumn(0).getString()).value_or(OutboxState::kPending),
             ParseChannel(select->getColumn(1).getString()).value_or(Channel::kWhatsApp),
             select->getColumn(2).getInt64()};
}

// The row, when it exists and is in one of `allowed`; else the documented error.
Result<Row> RowIn(Connection& conn, int64_t id, std::initializer_list<OutboxState> allowed) {
  std::optional<Row> row = CurrentRow(conn, id);
  if (!row) return NotFound("outbound message " + std::to_string(id) + " does not exist");
  std::string expected;
  for (OutboxState state : allowed) {
    if (row->state == state) return *row;
    if (!expected.empty()) expected += " or ";
    expected += OutboxStateName(state);
  }
  return FailedPrecondition("outbound message " + std::to_string(id) + " is " +
                            OutboxStateName(row->state) + ", not " + expected);
}

void SetError(SQLite::Statement& statement, int first, const OutboundError& error) {
  statement.bind(first, error.code);
  statement.bind(first + 1, error.subcode);
  statement.bind(first + 2, error.message);
}

}  // namespace

Result<int64_t> InsertOutbound(Connection& conn, const NewOutbound& message,
                               int64_t conversation_id, int64_t now_ms) {
  if (message.kind.empty()) return InvalidArgument("outbound message has no kind");
  const std::optional<Conversation> conversation = LoadConversation(conn, conversation_id);
  if (!conversation) {
    return NotFound("conversation " + std::to_string(conversation_id) + " does not exist");
  }
  if (conversation->channel != message.channel) {
    return InvalidArgument(std::string("outbound message for ") + ChannelName(message.channel) +
                           " names conversation " + std::to_string(conversation_id) + " of " +
                           ChannelName(conversation->channel));
  }
  // Checked before the INSERT so the caller learns which rule it hit (the unique indexes
  // stay as the floor); the single writer means nothing can slip in between.
  if (!message.idempotency_key.empty()) {
    Statement used = conn.Prepare("SELECT id FROM outbox WHERE idempotency_key = ?");
    used->bind(1, message.idempotency_key);
    if (used->executeStep()) {
      return AlreadyExists("idempotency key \"" + message.idempotency_key +
                           "\" was already used by outbound message " +
                           std::to_string(used->getColumn(0).getInt64()));
    }
  }
  if (message.kind == "private_reply") {
    Statement sent = conn.Prepare(
        "SELECT 1 FROM outbox WHERE channel = ? AND recipient_id = ? "
        "AND kind = 'private_reply' AND state <> 'failed'");
    sent->bind(1, ChannelName(message.channel));
    sent->bind(2, message.recipient_id);
    if (sent->executeStep()) {
      return FailedPrecondition("a private reply was already sent to comment " +
                                message.recipient_id);
    }
  }
  Statement insert = conn.Prepare(
      "INSERT INTO outbox (channel, account_id, conversation_id, recipient_id, kind, "
      "payload_json, author, idempotency_key, human_agent, state, created_ms, "
      "next_attempt_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)");
  insert->bind(1, ChannelName(message.channel));
  insert->bind(2, message.account_id);
  insert->bind(3, conversation->id);  // the surviving thread when the given one was merged
  insert->bind(4, message.recipient_id);
  insert->bind(5, message.kind);
  insert->bind(6, message.payload_json);
  insert->bind(7, message.author);
  if (message.idempotency_key.empty()) {
    insert->bind(8);
  } else {
    insert->bind(8, message.idempotency_key);
  }
  insert->bind(9, message.human_agent ? 1 : 0);
  insert->bind(10, now_ms);
  insert->bind(11, now_ms);
  insert->bind(12, now_ms);
  insert->exec();
  return conn.db().getLastInsertRowid();
}

std::optional<OutboundMessage> LoadOutbound(Connection& conn, int64_t id) {
  Statement select = conn.Prepare(std::string(kSelectOutbound) + "WHERE o.id = ?");
  select->bind(1, id);
  if (!select->executeStep()) return std::nullopt;
  return ReadOutbound(*select);
}

std::vector<OutboundMessage> LoadDueOutbound(Connection& conn, int64_t now_ms, size_t limit) {
  Statement select = conn.Prepare(std::string(kSelectOutbound) +
                                  "WHERE o.state = 'pending' AND o.next_attempt_ms <= ? "
                                  "ORDER BY o.next_attempt_ms, o.id LIMIT ?");
  select->bind(1, now_ms);
  select->bind(2, static_cast<int64_t>(limit));
  std::vector<OutboundMessage> due;
  while (select->executeStep()) due.push_back(ReadOutbound(*select));
  return due;
}

std::vector<OutboundMessage> LoadConversationOutbound(Connection& conn, int64_t conversation_id) {
  Statement select =
      conn.Prepare(std::string(kSelectOutbound) + "WHERE o.conversation_id = ? ORDER BY o.id");
  select->bind(1, conversation_id);
  std::vector<OutboundMessage> messages;
  while (select->executeStep()) messages.push_back(ReadOutbound(*select));
  return messages;
}

Status MarkSending(Connection& conn, int64_t id, int64_t now_ms) {
  Result<Row> row = RowIn(conn, id, {OutboxState::kPending});
  if (!row.ok()) return row.status();
  Statement update = conn.Prepare(
      "UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_ms = ? "
      "WHERE id = ?");
  update->bind(1, now_ms);
  update->bind(2, id);
  update->exec();
  return Status::Ok();
}

Status MarkSent(Connection& conn, int64_t id, const std::string& platform_message_id,
                int64_t now_ms) {
  if (platform_message_id.empty()) {
    return InvalidArgument("outbound message " + std::to_string(id) +
                           ": the platform message id is empty");
  }
  Result<Row> row = RowIn(conn, id, {OutboxState::kSending});
  if (!row.ok()) return row.status();
  Statement update = conn.Prepare(
      "UPDATE outbox SET state = 'sent', platform_message_id = ?, sent_ms = ?, updated_ms = ? "
      "WHERE id = ?");
  update->bind(1, platform_message_id);
  update->bind(2, now_ms);
  update->bind(3, now_ms);
  update->bind(4, id);
  update->exec();
  // Statuses attach to the platform id from now on, including those that came first.
  RecordDelivery(conn, row->channel, platform_message_id, row->conversation_id, now_ms);
  return Status::Ok();
}

Status MarkRetry(Connection& conn, int64_t id, int64_t next_attempt_ms, const OutboundError& error,
                 int64_t now_ms) {
  Result<Row> row = RowIn(conn, id, {OutboxState::kSending});
  if (!row.ok()) return row.status();
  Statement update = conn.Prepare(
      "UPDATE outbox SET state = 'pending', next_attempt_ms = ?, error_code = ?, "
      "error_subcode = ?, error_message = ?, updated_ms = ? WHERE id = ?");
  update->bind(1, next_attempt_ms);
  SetError(*update, 2, error);
  update->bind(5, now_ms);
  update->bind(6, id);
  update->exec();
  return Status::Ok();
}

Status MarkFailed(Connection& conn, int64_t id, const OutboundError& error, int64_t now_ms) {
  Result<Row> row = RowIn(conn, id, {OutboxState::kSending, OutboxState::kPending});
  if (!row.ok()) return row.status();
  Statement update = conn.Prepare(
      "UPDATE outbox SET state = 'failed', error_code = ?, error_subcode = ?, "
      "error_message = ?, updated_ms = ? WHERE id = ?");
  SetError(*update, 1, error);
  update->bind(4, now_ms);
  update->bind(5, id);
  update->exec();
  return Status::Ok();
}

int64_t RecoverSending(Connection& conn, int64_t now_ms) {
  Statement update = conn.Prepare(
      "UPDATE outbox SET state = 'pending', possible_duplicate = 1, updated_ms = ? "
      "WHERE state = 'sending'");
  update->bind(1, now_ms);
  return update->exec();
}

int ApplyWatermark(Connection& conn, Channel channel, const std::string& account_id,
                   const StatusUpdate& update, int64_t ts_ms) {
  std::vector<std::string> message_ids;
  {
    Statement select = conn.Prepare(
        "SELECT platform_message_id FROM outbox WHERE channel = ? AND account_id = ? "
        "AND recipient_id = ? AND state = 'sent' AND sent_ms <= ?");
    select->bind(1, ChannelName(channel));
    select->bind(2, account_id);
    select->bind(3, update.recipient_id);
    select->bind(4, update.watermark_ms);
    while (select->executeStep()) message_ids.push_back(select->getColumn(0).getString());
  }
  int moved = 0;
  for (const std::string& message_id : message_ids) {
    StatusUpdate one = update;
    one.message_id = message_id;
    // Every sent row has its deliveries row (MarkSent records it), so nothing goes pending.
    if (ApplyStatus(conn, channel, one, ts_ms) == StatusOutcome::kApplied) ++moved;
  }
  return moved;
}

}  // namespace atalaya::store
