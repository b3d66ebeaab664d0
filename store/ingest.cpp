#include "store/ingest.h"

#include <optional>
#include <string>

#include "store/contacts.h"
#include "store/conversations.h"
#include "store/deliveries.h"
#include "store/event_rows.h"
#include "store/mention_rows.h"
#include "store/outbox_rows.h"

namespace atalaya::store {
namespace {

Status CheckParallel(const IngestItem& item, size_t size, const char* what) {
  if (size == 0 || size == item.events.size()) return Status::Ok();
  return InvalidArgument("inbox row " + std::to_string(item.inbox_id) + ": " +
                         std::to_string(size) + " " + what + " for " +
                         std::to_string(item.events.size()) + " events");
}

void CountStatus(StatusOutcome status, IngestOutcome& outcome) {
  switch (status) {
    case StatusOutcome::kApplied:
      ++outcome.statuses_applied;
      break;
    case StatusOutcome::kPending:
      ++outcome.statuses_pending;
      break;
    case StatusOutcome::kStale:
      break;
  }
}

void ApplyEventStatus(Connection& conn, const Event& event, int64_t now_ms,
                      IngestOutcome& outcome) {
  if (event.kind != EventKind::kStatus || !event.status) return;
  const StatusUpdate& update = *event.status;
  const int64_t ts_ms = event.timestamp_ms > 0 ? event.timestamp_ms : now_ms;
  if (!update.message_id.empty()) {
    CountStatus(ApplyStatus(conn, event.channel, update, ts_ms), outcome);
  } else if (update.watermark_ms > 0) {
    outcome.statuses_applied +=
        ApplyWatermark(conn, event.channel, event.account_id, update, ts_ms);
  }
}

}  // namespace

Status ApplyIngest(Connection& conn, const IngestItem& item, int64_t now_ms,
                   IngestOutcome& outcome) {
  outcome = IngestOutcome{};
  if (Status s = CheckParallel(item, item.decisions.size(), "decisions"); !s.ok()) return s;
  if (Status s = CheckParallel(item, item.text_keys.size(), "text keys"); !s.ok()) return s;
  {
    // A row processed earlier (a re-run after a crash) keeps its first processed time.
    Statement mark = conn.Prepare(
        "UPDATE inbox SET processed_ms = COALESCE(processed_ms, ?) "
        "WHERE id = ?");
    mark->bind(1, now_ms);
    mark->bind(2, item.inbox_id);
    if (mark->exec() == 0) {
      return NotFound("inbox row " + std::to_string(item.inbox_id) + " does not exist");
    }
  }
  // Per event: its conversation, or nullopt when it was a duplicate (not stored now).
  std::vector<std::optional<int64_t>> conversations(item.events.size());
  static const std::string kNoTextKey;
  for (size_t index = 0; index < item.events.size(); ++index) {
    const Event* event = &item.events[index];
    std::optional<Event> keyed;
    if (event->dedup_key.empty()) {
      keyed = *event;
      keyed->dedup_key = "inbox:" + std::to_string(item.inbox_id) + ":" + std::to_string(index);
      event = &*keyed;
    }
    const Decision* decision = nullptr;
    if (!item.decisions.empty() && item.decisions[index]) decision = &*item.decisions[index];
    const std::string& text_key = item.text_keys.empty() ? kNoTextKey : item.text_keys[index];
    // A duplicate touches neither its contact nor its conversation. Checked before the
    // insert, so the event is written once with its links (linking it after the insert
    // rewrote the whole row, raw JSON included).
    if (EventExists(conn, event->channel, event->dedup_key)) {
      ++outcome.events_duplicate;
      continue;
    }
    const int64_t contact_id = ResolveContact(conn, *event, now_ms);
    const int64_t conversation_id = ResolveConversation(conn, *event, contact_id, now_ms);
    const std::optional<int64_t> event_id =
        InsertEvent(conn, *event, EventLinks{item.inbox_id, contact_id, conversation_id, now_ms},
                    decision, text_key);
    if (!event_id) {  // cannot happen after the check in this transaction: counted all the same
      ++outcome.events_duplicate;
      continue;
    }
    ++outcome.events_stored;
    conversations[index] = conversation_id;
    ApplyEventStatus(conn, *event, now_ms, outcome);
    // Its text comes later, through the Graph API (daemon/mention_enricher.h).
    if (AwaitsMentionText(*event)) InsertPendingMention(conn, *event_id, now_ms);
  }
  for (size_t n = 0; n < item.outbound.size(); ++n) {
    const NewOutbound& message = item.outbound[n];
    int64_t conversation_id = message.conversation_id;
    if (conversation_id == 0) {
      const std::string which = "outbound message " + std::to_string(n);
      if (message.event_index < 0 ||
          static_cast<size_t>(message.event_index) >= item.events.size()) {
        return InvalidArgument(which + " names event " + std::to_string(message.event_index) +
                               ", but the item has " + std::to_string(item.events.size()) +
                               " events");
      }
      const std::optional<int64_t>& resolved = conversations[message.event_index];
      if (!resolved) {
        ++outcome.outbound_skipped;
        continue;
      }
      if (*resolved == 0) {
        return InvalidArgument(which + ": event " + std::to_string(message.event_index) +
                               " belongs to no conversation");
      }
      conversation_id = *resolved;
    } else if (message.event_index >= 0 &&
               static_cast<size_t>(message.event_index) < item.events.size() &&
               !conversations[message.event_index]) {
      ++outcome.outbound_skipped;
      continue;
    }
    Result<int64_t> id = InsertOutbound(conn, message, conversation_id, now_ms);
    if (!id.ok()) return id.status();
    ++outcome.outbound_queued;
  }
  return Status::Ok();
}

}  // namespace atalaya::store
