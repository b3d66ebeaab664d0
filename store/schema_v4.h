#pragma once
// Migration 4: the enrichment state of Instagram mentions that arrive as ids only (the
// webhook names the comment or the media, not its text; the daemon fetches it later through
// the Graph API, see daemon/mention_enricher.h). One row per such mention event. Never edit
// it once shipped; add migration 5 instead.
//
// Mentions stored before this version were decided at ingest with their ids only and get no
// row: nothing fetches them now.

namespace atalaya::store {

inline constexpr const char* kSchemaV4 = R"sql(
CREATE TABLE mention_enrichment (
  event_id INTEGER PRIMARY KEY REFERENCES events (id),
  state TEXT NOT NULL CHECK (state IN ('pending', 'enriched', 'failed', 'not_configured')),
  attempts INTEGER NOT NULL DEFAULT 0,    -- Graph calls made for it so far
  next_attempt_ms INTEGER NOT NULL,       -- pending: not before this time
  reason TEXT NOT NULL DEFAULT '',        -- failed / not_configured: why; pending: last error
  updated_ms INTEGER NOT NULL
);
CREATE INDEX mention_enrichment_due ON mention_enrichment (next_attempt_ms, event_id)
  WHERE state = 'pending';
)sql";

}  // namespace atalaya::store
