#pragma once
// Mention rows: the `mention_enrichment` table (migration 4), one row per Instagram mention
// stored with its ids only, and the moves of Store's mention methods (see store.h).
//
// Threads: functions use only the connection they are given (writes on the writer thread).
// Errors: the moves return kNotFound / kFailedPrecondition / kInvalidArgument as store.h
// says; SQLiteCpp exceptions propagate to the caller, which maps them at the store's edge.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/connection.h"
#include "store/store.h"

namespace atalaya::store {

// A kPending row for a just inserted event, due at once.
void InsertPendingMention(Connection& conn, int64_t event_id, int64_t now_ms);

std::vector<DueMention> LoadDueMentions(Connection& conn, int64_t now_ms, size_t limit);

std::optional<MentionEnrichment> LoadMentionEnrichment(Connection& conn, int64_t event_id);

Status ApplyMentionOutcome(Connection& conn, const MentionOutcome& outcome, int64_t now_ms);

Status ApplyMentionRetry(Connection& conn, int64_t event_id, int attempts, int64_t next_attempt_ms,
                         const std::string& reason, int64_t now_ms);

}  // namespace atalaya::store
