#pragma once
// Migration 2: Event fields added since v1, the rules' decision and text key beside each
// event, and the outbox. Never edit it once shipped; add migration 3 instead.
//
// v1 databases hold rows, so every new events column has a default that reads back as what
// a v1 event meant: direction 'inbound', no action, not standby, no decision (NULL).

namespace atalaya::store {

inline constexpr const char* kSchemaV2 = R"sql(
ALTER TABLE events ADD COLUMN direction TEXT NOT NULL DEFAULT 'inbound';
ALTER TABLE events ADD COLUMN action TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN standby INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN recipient_id TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN thread_url TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN new_author_alt_id TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN rating INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN status_watermark_ms INTEGER;  -- NULL unless kind = 'status'

-- The rules' decision: queryable columns plus the whole decision. All NULL when the event
-- was stored without one.
ALTER TABLE events ADD COLUMN filter_action TEXT;
ALTER TABLE events ADD COLUMN filter_reason TEXT;
ALTER TABLE events ADD COLUMN decision_kind TEXT;    -- labels["kind"]
ALTER TABLE events ADD COLUMN decision_topic TEXT;   -- labels["topic"]
ALTER TABLE events ADD COLUMN priority TEXT;
ALTER TABLE events ADD COLUMN queue TEXT;
ALTER TABLE events ADD COLUMN influence REAL;
ALTER TABLE events ADD COLUMN ruleset_version TEXT;
ALTER TABLE events ADD COLUMN decision_json TEXT;

-- The duplicate key of the event's text (rules::TextKey); NULL when none was given.
ALTER TABLE events ADD COLUMN text_key TEXT;
CREATE INDEX events_recent_text ON events (channel, author_id, text_key, timestamp_ms)
  WHERE text_key IS NOT NULL;

-- Every message atalaya sends, before and after it leaves (store/outbox.h).
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,
  account_id TEXT NOT NULL,
  conversation_id INTEGER NOT NULL,
  recipient_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  payload_json TEXT NOT NULL,
  author TEXT NOT NULL,
  idempotency_key TEXT,           -- NULL when the caller gave none
  human_agent INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL,
  next_attempt_ms INTEGER NOT NULL,
  sent_ms INTEGER NOT NULL DEFAULT 0,
  updated_ms INTEGER NOT NULL,
  platform_message_id TEXT NOT NULL DEFAULT '',
  error_code INTEGER NOT NULL DEFAULT 0,
  error_subcode INTEGER NOT NULL DEFAULT 0,
  error_message TEXT NOT NULL DEFAULT '',
  possible_duplicate INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX outbox_idempotency ON outbox (idempotency_key)
  WHERE idempotency_key IS NOT NULL;
-- The platforms allow one private reply per comment; a failed attempt does not count.
CREATE UNIQUE INDEX outbox_private_reply ON outbox (channel, recipient_id)
  WHERE kind = 'private_reply' AND state <> 'failed';
CREATE INDEX outbox_due ON outbox (next_attempt_ms, id) WHERE state = 'pending';
CREATE INDEX outbox_conversation ON outbox (conversation_id, id);
CREATE INDEX outbox_platform_message ON outbox (channel, platform_message_id)
  WHERE platform_message_id <> '';
-- Messenger's watermark receipts: every message to a person sent up to a time.
CREATE INDEX outbox_sent_to ON outbox (channel, account_id, recipient_id, sent_ms)
  WHERE state = 'sent';
)sql";

}  // namespace atalaya::store
