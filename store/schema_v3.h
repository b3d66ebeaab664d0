#pragma once
// Migration 3: the download state of each attachment (store/media.h). Never edit it once
// shipped; add a later migration instead.
//
// One row per attachment that names something to fetch (a media id or a URL). Attachments
// stored before this migration get a pending row too, due at once: their URLs may have
// expired by now, and the worker then records that as the reason.

namespace atalaya::store {

inline constexpr const char* kSchemaV3 = R"sql(
CREATE TABLE media_downloads (
  event_id INTEGER NOT NULL,
  position INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'stored', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL,   -- meaningful while pending
  file_name TEXT NOT NULL DEFAULT '', -- under <state_dir>/media/, once stored
  bytes INTEGER NOT NULL DEFAULT 0,
  sha256 TEXT NOT NULL DEFAULT '',    -- lower-case hex of the stored bytes
  mime_type TEXT NOT NULL DEFAULT '', -- as served and checked
  error_reason TEXT NOT NULL DEFAULT '',   -- a short code: too_large, bad_mime, expired, ...
  error_message TEXT NOT NULL DEFAULT '',  -- the detail, for agents and operators
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  PRIMARY KEY (event_id, position),
  FOREIGN KEY (event_id, position) REFERENCES event_attachments (event_id, position)
    ON DELETE CASCADE
);
CREATE INDEX media_downloads_due ON media_downloads (next_attempt_ms, event_id, position)
  WHERE state = 'pending';

INSERT INTO media_downloads (event_id, position, state, next_attempt_ms, created_ms, updated_ms)
  SELECT event_id, position, 'pending', 0, CAST(strftime('%s', 'now') AS INTEGER) * 1000,
         CAST(strftime('%s', 'now') AS INTEGER) * 1000
  FROM event_attachments WHERE media_id <> '' OR url <> '';
)sql";

}  // namespace atalaya::store
