#include "store/mention_rows.h"

#include "store/event_rows.h"

namespace atalaya::store {
namespace {

constexpr const char* kColumns = "event_id, state, attempts, next_attempt_ms, reason, updated_ms";

MentionEnrichment ReadRow(SQLite::Statement& row) {
  MentionEnrichment m;
  m.event_id = row.getColumn(0).getInt64();
  // Written from MentionStateName; anything else is a hand edit: show it as failed.
  m.state = ParseMentionState(row.getColumn(1).getString()).value_or(MentionState::kFailed);
  m.attempts = row.getColumn(2).getInt();
  m.next_attempt_ms = row.getColumn(3).getInt64();
  m.reason = row.getColumn(4).getString();
  m.updated_ms = row.getColumn(5).getInt64();
  return m;
}

// kNotFound / kFailedPrecondition unless the event's mention is pending.
Status CheckPending(Connection& conn, int64_t event_id) {
  const std::optional<MentionEnrichment> current = LoadMentionEnrichment(conn, event_id);
  if (!current) {
    return NotFound("event " + std::to_string(event_id) + " has no mention enrichment");
  }
  if (current->state != MentionState::kPending) {
    return FailedPrecondition("mention of event " + std::to_string(event_id) + " is " +
                              MentionStateName(current->state) + ", not pending");
  }
  return Status::Ok();
}

}  // namespace

const char* MentionStateName(MentionState state) {
  switch (state) {
    case MentionState::kPending:
      return "pending";
    case MentionState::kEnriched:
      return "enriched";
    case MentionState::kFailed:
      return "failed";
    case MentionState::kNotConfigured:
      return "not_configured";
  }
  return "failed";
}

std::optional<MentionState> ParseMentionState(std::string_view name) {
  for (MentionState state : {MentionState::kPending, MentionState::kEnriched, MentionState::kFailed,
                             MentionState::kNotConfigured}) {
    if (name == MentionStateName(state)) return state;
  }
  return std::nullopt;
}

bool AwaitsMentionText(const Event& event) {
  return event.channel == Channel::kInstagram && event.kind == EventKind::kMention &&
         event.direction == Direction::kInbound && event.text.empty();
}

void InsertPendingMention(Connection& conn, int64_t event_id, int64_t now_ms) {
  Statement insert = conn.Prepare(
      "INSERT INTO mention_enrichment (event_id, state, attempts, next_attempt_ms, reason, "
      "updated_ms) VALUES (?, 'pending', 0, ?, '', ?) ON CONFLICT (event_id) DO NOTHING");
  insert->bind(1, event_id);
  insert->bind(2, now_ms);
  insert->bind(3, now_ms);
  insert->exec();
}

std::vector<DueMention> LoadDueMentions(Connection& conn, int64_t now_ms, size_t limit) {
  std::vector<MentionEnrichment> rows;
  {
    Statement select = conn.Prepare(std::string("SELECT ") + kColumns +
                                    " FROM mention_enrichment WHERE state = 'pending' AND "
                                    "next_attempt_ms <= ? ORDER BY next_attempt_ms, event_id "
                                    "LIMIT ?");
    select->bind(1, now_ms);
    select->bind(2, static_cast<int64_t>(limit));
    while (select->executeStep()) rows.push_back(ReadRow(*select));
  }
  std::vector<DueMention> due;
  for (MentionEnrichment& row : rows) {
    std::optional<StoredEvent> stored = LoadEvent(conn, row.event_id);
    if (!stored) continue;  // the foreign key keeps this from happening
    due.push_back(DueMention{std::move(*stored), std::move(row)});
  }
  return due;
}

std::optional<MentionEnrichment> LoadMentionEnrichment(Connection& conn, int64_t event_id) {
  Statement select = conn.Prepare(std::string("SELECT ") + kColumns +
                                  " FROM mention_enrichment WHERE event_id = ?");
  select->bind(1, event_id);
  if (!select->executeStep()) return std::nullopt;
  return ReadRow(*select);
}

Status ApplyMentionOutcome(Connection& conn, const MentionOutcome& outcome, int64_t now_ms) {
  if (outcome.state == MentionState::kPending) {
    return InvalidArgument("a finished mention cannot be pending (event " +
                           std::to_string(outcome.event_id) + ")");
  }
  if (Status s = CheckPending(conn, outcome.event_id); !s.ok()) return s;
  if (outcome.state == MentionState::kEnriched) {
    Statement update = conn.Prepare(
        "UPDATE events SET text = ?, "
        "author_handle = CASE WHEN ? = '' THEN author_handle ELSE ? END, "
        "timestamp_ms = CASE WHEN ? = 0 THEN timestamp_ms ELSE ? END WHERE id = ?");
    update->bind(1, outcome.text);
    update->bind(2, outcome.author_handle);
    update->bind(3, outcome.author_handle);
    update->bind(4, outcome.timestamp_ms);
    update->bind(5, outcome.timestamp_ms);
    update->bind(6, outcome.event_id);
    update->exec();
  }
  UpdateEventDecision(conn, outcome.event_id, outcome.decision ? &*outcome.decision : nullptr,
                      outcome.text_key);
  Statement mark = conn.Prepare(
      "UPDATE mention_enrichment SET state = ?, attempts = ?, reason = ?, updated_ms = ? "
      "WHERE event_id = ?");
  mark->bind(1, MentionStateName(outcome.state));
  mark->bind(2, outcome.attempts);
  mark->bind(3, outcome.reason);
  mark->bind(4, now_ms);
  mark->bind(5, outcome.event_id);
  mark->exec();
  return Status::Ok();
}

Status ApplyMentionRetry(Connection& conn, int64_t event_id, int attempts, int64_t next_attempt_ms,
                         const std::string& reason, int64_t now_ms) {
  if (Status s = CheckPending(conn, event_id); !s.ok()) return s;
  Statement mark = conn.Prepare(
      "UPDATE mention_enrichment SET attempts = ?, next_attempt_ms = ?, reason = ?, "
      "updated_ms = ? WHERE event_id = ?");
  mark->bind(1, attempts);
  mark->bind(2, next_attempt_ms);
  mark->bind(3, reason);
  mark->bind(4, now_ms);
  mark->bind(5, event_id);
  mark->exec();
  return Status::Ok();
}

}  // namespace atalaya::store
