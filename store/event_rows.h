#pragma once
// Event rows: how one Event maps to the `events` table (one column per field) and its
// attachments to `event_attachments` (one row each). Used by the writer (insert) and by the
// readers (query).
//
// Threads: functions use only the connection they are given. Errors: SQLiteCpp exceptions
// propagate to the caller, which maps them at the store's edge.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/decision.h"
#include "common/event.h"
#include "store/connection.h"
#include "store/store.h"

namespace atalaya::store {

struct EventLinks {
  int64_t inbox_id = 0;
  int64_t contact_id = 0;
  int64_t conversation_id = 0;
  int64_t stored_ms = 0;
};

// Inserts the event unless (channel, dedup_key) is already stored, with the rules' decision
// (nullptr: none) and its text key ("" = none); each attachment with a media id or URL gets a
// pending download (store/media.h). Returns the new row id, or nullopt for a
// duplicate (nothing written).
std::optional<int64_t> InsertEvent(Connection& conn, const Event& event, const EventLinks& links,
                                   const Decision* decision, const std::string& text_key);

// Sets (replaces) the rules' decision (nullptr: none) and text key ("" = none) of a stored
// event, as InsertEvent writes them. Returns false when no event has that id.
bool UpdateEventDecision(Connection& conn, int64_t event_id, const Decision* decision,
                         const std::string& text_key);

// Whether an event with this (channel, dedup key) is stored: a platform retry, or a
// re-batched delivery of one already normalized.
bool EventExists(Connection& conn, Channel channel, const std::string& dedup_key);

// Runs `query` (see EventQuery) and loads each event with its attachments.
std::vector<StoredEvent> QueryEvents(Connection& conn, const EventQuery& query);

std::optional<StoredEvent> LoadEvent(Connection& conn, int64_t event_id);

// Store::HasRecentText, served by the events_recent_text index.
bool HasText(Connection& conn, Channel channel, const std::string& author_id,
             const std::string& text_key, int64_t since_ms, int64_t until_ms);

}  // namespace atalaya::store
