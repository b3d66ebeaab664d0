#include "store/ingest.h"

#include <optional>
#include <string>

#include "store/contacts.h"
#include "store/conversations.h"
#include "store/deliveries.h"
#include "store/event_rows.h"

namespace atalaya::store {

Status ApplyIngest(Connection& conn, int64_t inbox_id, const std::vector<Event>& events,
                   int64_t now_ms, IngestOutcome& outcome) {
  outcome = IngestOutcome{};
  {
    // A row processed earlier (a re-run after a crash) keeps its first processed time.
    Statement mark = conn.Prepare(
        "UPDATE inbox SET processed_ms = COALESCE(processed_ms, ?) "
        "WHERE id = ?");
    mark->bind(1, now_ms);
    mark->bind(2, inbox_id);
    if (mark->exec() == 0) {
      return NotFound("inbox row " + std::to_string(inbox_id) + " does not exist");
    }
  }
  for (size_t index = 0; index < events.size(); ++index) {
    const Event* event = &events[index];
    std::optional<Event> keyed;
    if (event->dedup_key.empty()) {
      keyed = *event;
      keyed->dedup_key = "inbox:" + std::to_string(inbox_id) + ":" + std::to_string(index);
      event = &*keyed;
    }
    const std::optional<int64_t> event_id =
        InsertEvent(conn, *event, EventLinks{inbox_id, 0, 0, now_ms});
    if (!event_id) {
      ++outcome.events_duplicate;
      continue;
    }
    ++outcome.events_stored;
    const int64_t contact_id = ResolveContact(conn, *event, now_ms);
    const int64_t conversation_id = ResolveConversation(conn, *event, contact_id, now_ms);
    if (contact_id != 0 || conversation_id != 0) {
      LinkEvent(conn, *event_id, contact_id, conversation_id);
    }
    if (event->kind == EventKind::kStatus && event->status && !event->status->message_id.empty()) {
      const int64_t ts_ms = event->timestamp_ms > 0 ? event->timestamp_ms : now_ms;
      switch (ApplyStatus(conn, event->channel, *event->status, ts_ms)) {
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
  }
  return Status::Ok();
}

}  // namespace atalaya::store
