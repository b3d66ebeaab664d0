#pragma once
// Migration 6: the inbox's dedup keys move to their own table, filled as rows are processed.
// Never edit it once shipped; add a later migration instead.
//
// The inbox's UNIQUE body_sha256 made every acknowledged webhook insert a random key into a
// B-tree inside the writer's transaction: one more WAL page per row, the largest part of an
// acknowledgement's cost. Now an acknowledgement checks inbox_keys and the store's in-memory
// keys of the rows not yet processed (PendingInboxKeys), and writes only its row; ingest adds
// the key in the transaction that marks the row processed. SQLite cannot drop a UNIQUE
// constraint, so the inbox is copied into a table without it.

namespace atalaya::store {

inline constexpr const char* kSchemaV6 = R"sql(
-- The dedup key of every processed inbox row (and of pending rows acknowledged while the
-- in-memory keys were full). Pruned together with the inbox rows.
CREATE TABLE inbox_keys (
  inbox_id INTEGER PRIMARY KEY,
  body_sha256 BLOB NOT NULL UNIQUE
);
INSERT INTO inbox_keys (inbox_id, body_sha256)
  SELECT id, body_sha256 FROM inbox WHERE processed_ms IS NOT NULL;

CREATE TABLE inbox_v6 (
  id INTEGER PRIMARY KEY,
  body_sha256 BLOB NOT NULL,      -- unique through inbox_keys and the pending keys
  route TEXT NOT NULL,
  body BLOB,                      -- NULL once pruned by retention (the key stays for dedup)
  received_ms INTEGER NOT NULL,
  processed_ms INTEGER            -- NULL until normalized into events
);
INSERT INTO inbox_v6 (id, body_sha256, route, body, received_ms, processed_ms)
  SELECT id, body_sha256, route, body, received_ms, processed_ms FROM inbox;
DROP TABLE inbox;
ALTER TABLE inbox_v6 RENAME TO inbox;
CREATE INDEX inbox_pending ON inbox (id) WHERE processed_ms IS NULL;
)sql";

}  // namespace atalaya::store
