#pragma once
// Migration 1: the first schema. Never edit it once shipped; add migration 2 instead.
//
// Conventions: enums are stored by their stable names ("whatsapp", "message", "read");
// text is bound with its length so it is stored byte-exact (embedded NULs included); a NULL
// column means "absent" where the Event has an optional (location, status).

namespace atalaya::store {

inline constexpr const char* kSchemaV1 = R"sql(
-- One row per accepted HTTP delivery, keyed by the SHA-256 of its raw body.
CREATE TABLE inbox (
  id INTEGER PRIMARY KEY,
  body_sha256 BLOB NOT NULL UNIQUE,
  route TEXT NOT NULL,
  body BLOB,                      -- NULL once pruned by retention (the key stays for dedup)
  received_ms INTEGER NOT NULL,
  processed_ms INTEGER            -- NULL until normalized into events
);
CREATE INDEX inbox_pending ON inbox (id) WHERE processed_ms IS NULL;
CREATE INDEX inbox_received ON inbox (received_ms);

-- A person across channels. A contact merged into an older one keeps its row with
-- merged_into set, so ids handed out earlier still lead to the surviving contact.
CREATE TABLE contacts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  name_ts_ms INTEGER NOT NULL DEFAULT 0,   -- timestamp of the event the name came from
  phone TEXT NOT NULL DEFAULT '',
  phone_ts_ms INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL,
  merged_into INTEGER REFERENCES contacts (id)
);

CREATE TABLE contact_identities (
  id INTEGER PRIMARY KEY,
  contact_id INTEGER NOT NULL REFERENCES contacts (id),
  channel TEXT NOT NULL,
  kind TEXT NOT NULL,             -- bsuid | wa_id | psid | igsid | user_id | reviewer_id
  external_id TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  UNIQUE (channel, kind, external_id)
);
CREATE INDEX contact_identities_lookup ON contact_identities (channel, external_id);
CREATE INDEX contact_identities_contact ON contact_identities (contact_id);

-- A private thread is (channel, account, contact); a public thread is (channel, account,
-- thread_id = the post). Each kind has its own partial unique index. A thread merged into
-- another (when its contact was merged) keeps its row with merged_into set.
CREATE TABLE conversations (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,
  account_id TEXT NOT NULL,
  visibility TEXT NOT NULL CHECK (visibility IN ('private', 'public')),
  contact_id INTEGER NOT NULL DEFAULT 0,
  thread_id TEXT NOT NULL DEFAULT '',
  last_inbound_ms INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL,
  merged_into INTEGER REFERENCES conversations (id)
);
CREATE UNIQUE INDEX conversations_private ON conversations (channel, account_id, contact_id)
  WHERE visibility = 'private' AND merged_into IS NULL;
CREATE UNIQUE INDEX conversations_public ON conversations (channel, account_id, thread_id)
  WHERE visibility = 'public' AND merged_into IS NULL;
CREATE INDEX conversations_contact ON conversations (contact_id);

-- One row per normalized event; every Event field has its own column.
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  inbox_id INTEGER NOT NULL,
  contact_id INTEGER NOT NULL DEFAULT 0,
  conversation_id INTEGER NOT NULL DEFAULT 0,
  stored_ms INTEGER NOT NULL,
  channel TEXT NOT NULL,
  account_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  type TEXT NOT NULL,
  visibility TEXT NOT NULL,
  platform_id TEXT NOT NULL,
  dedup_key TEXT NOT NULL,
  author_id TEXT NOT NULL,
  author_alt_id TEXT NOT NULL,
  author_name TEXT NOT NULL,
  author_handle TEXT NOT NULL,
  author_phone TEXT NOT NULL,
  author_followers INTEGER NOT NULL,
  author_following INTEGER NOT NULL,
  author_listed INTEGER NOT NULL,
  author_posts INTEGER NOT NULL,
  author_verified_type TEXT NOT NULL,
  author_bio TEXT NOT NULL,
  author_account_created_ms INTEGER NOT NULL,
  timestamp_ms INTEGER NOT NULL,
  text TEXT NOT NULL,
  payload TEXT NOT NULL,
  reply_to_id TEXT NOT NULL,
  thread_id TEXT NOT NULL,
  parent_id TEXT NOT NULL,
  location_latitude REAL,         -- the four location columns are NULL when there is none
  location_longitude REAL,
  location_name TEXT,
  location_address TEXT,
  reaction_to_id TEXT NOT NULL,
  reaction_emoji TEXT NOT NULL,
  referral_json TEXT NOT NULL,
  contacts_json TEXT NOT NULL,
  new_author_id TEXT NOT NULL,
  status_message_id TEXT,         -- the six status columns are NULL unless kind = 'status'
  status_status TEXT,
  status_recipient_id TEXT,
  status_error_code INTEGER,
  status_error_title TEXT,
  status_error_detail TEXT,
  unsupported_reason TEXT NOT NULL,
  raw_json TEXT NOT NULL,
  UNIQUE (channel, dedup_key)
);
CREATE INDEX events_contact ON events (contact_id, id);
CREATE INDEX events_conversation ON events (conversation_id, id);
CREATE INDEX events_status_message ON events (channel, status_message_id)
  WHERE status_message_id IS NOT NULL;

CREATE TABLE event_attachments (
  event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  kind TEXT NOT NULL,
  media_id TEXT NOT NULL,
  url TEXT NOT NULL,
  mime_type TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  caption TEXT NOT NULL,
  filename TEXT NOT NULL,
  PRIMARY KEY (event_id, position)
);

-- Delivery state of our outbound messages, moved forward by status events.
CREATE TABLE deliveries (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,
  message_id TEXT NOT NULL,
  conversation_id INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'none',
  error_code INTEGER NOT NULL DEFAULT 0,
  error_title TEXT NOT NULL DEFAULT '',
  error_detail TEXT NOT NULL DEFAULT '',
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  UNIQUE (channel, message_id)
);

-- Statuses that arrived before their message was recorded; applied (and deleted) when it is.
CREATE TABLE pending_statuses (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,
  message_id TEXT NOT NULL,
  status TEXT NOT NULL,
  error_code INTEGER NOT NULL,
  error_title TEXT NOT NULL,
  error_detail TEXT NOT NULL,
  timestamp_ms INTEGER NOT NULL
);
CREATE INDEX pending_statuses_message ON pending_statuses (channel, message_id);
)sql";

}  // namespace atalaya::store
