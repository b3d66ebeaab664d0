#pragma once
// Ingest: what CommitIngest does inside the writer's transaction for one inbox row — store
// each event once (unique on (channel, dedup_key)), resolve its contact and conversation,
// apply statuses forward-only, and mark the inbox row processed.
//
// An event with an empty dedup_key gets "inbox:<inbox id>:<index>", so re-processing the same
// inbox row after a crash never doubles it (a parser should always set a key; this is the
// floor, not the plan).
//
// Threads: runs on the writer thread only. Errors: kNotFound when the inbox row does not
// exist (nothing is written); SQLiteCpp exceptions propagate to the writer, which maps them.

#include <cstdint>
#include <vector>

#include "common/event.h"
#include "common/status.h"
#include "store/connection.h"
#include "store/store.h"

namespace atalaya::store {

// Also stores each event's decision and text key, applies watermark receipts, and queues the
// item's outbound messages. An outbound message tied (event_index) to an event that was a
// duplicate is skipped: the first delivery of that event queued it already. Errors, which
// roll back the whole item: kInvalidArgument when decisions/text_keys are neither empty nor
// one per event, or an outbound message names an event that is out of range or belongs to
// no conversation; the outbox's own errors (see InsertOutbound).
Status ApplyIngest(Connection& conn, const IngestItem& item, int64_t now_ms,
                   IngestOutcome& outcome);

}  // namespace atalaya::store
