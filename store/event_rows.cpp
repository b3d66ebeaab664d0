#include "store/event_rows.h"

#include <string>

#include "common/decision.h"
#include "store/media_rows.h"

namespace atalaya::store {
namespace {

// Column order shared by INSERT and SELECT; the SELECT adds id, inbox_id, contact_id and
// conversation_id in front.
constexpr const char* kEventColumns =
    "channel, account_id, kind, type, visibility, platform_id, dedup_key, "
    "author_id, author_alt_id, author_name, author_handle, author_phone, author_followers, "
    "author_following, author_listed, author_posts, author_verified_type, author_bio, "
    "author_account_created_ms, timestamp_ms, text, payload, reply_to_id, thread_id, "
    "parent_id, location_latitude, location_longitude, location_name, location_address, "
    "reaction_to_id, reaction_emoji, referral_json, contacts_json, new_author_id, "
    "status_message_id, status_status, status_recipient_id, status_error_code, "
    "status_error_title, status_error_detail, unsupported_reason, raw_json, "
    "direction, action, standby, recipient_id, thread_url, new_author_alt_id, rating, "
    "status_watermark_ms";
constexpr int kEventColumnCount = 50;

// The decision and text key columns (migration 2), written beside the event's own columns;
// a SELECT reads only decision_json back, the others are there for queries.
constexpr const char* kDecisionColumns =
    "filter_action, filter_reason, decision_kind, decision_topic, priority, queue, influence, "
    "ruleset_version, decision_json, text_key";
constexpr int kDecisionColumnCount = 10;

void BindDecisionColumns(SQLite::Statement& insert, int first, const Decision* decision,
                         const std::string& text_key) {
  int i = first;
  if (decision != nullptr) {
    insert.bind(i++, FilterActionName(decision->filter));
    insert.bind(i++, decision->filter_reason);
    insert.bind(i++, decision->Label("kind"));
    insert.bind(i++, decision->Label("topic"));
    insert.bind(i++, decision->priority);
    insert.bind(i++, decision->queue);
    insert.bind(i++, decision->influence);
    insert.bind(i++, decision->ruleset_version);
    insert.bind(i++, DecisionToJson(*decision));
  } else {
    for (int k = 0; k < 9; ++k) insert.bind(i++);  // NULL: no decision
  }
  if (text_key.empty()) {
    insert.bind(i++);  // NULL: stays out of the recent-text index
  } else {
    insert.bind(i++, text_key);
  }
}

// Strings are bound with their length (sqlite3_bind_text with size), so embedded NULs and
// any bytes survive; they are read back with getString, which uses the stored length. They
// are bound without a copy: the event outlives the statement's step, and every use of the
// statement binds every column again. (A copy cost the writer a malloc and a memcpy per
// column, the raw JSON and the text among them.)
void BindEventColumns(SQLite::Statement& insert, int first, const Event& e) {
  int i = first;
  insert.bindNoCopy(i++, ChannelName(e.channel));
  insert.bindNoCopy(i++, e.account_id);
  insert.bindNoCopy(i++, EventKindName(e.kind));
  insert.bindNoCopy(i++, e.type);
  insert.bindNoCopy(i++, VisibilityName(e.visibility));
  insert.bindNoCopy(i++, e.platform_id);
  insert.bindNoCopy(i++, e.dedup_key);
  const Author& a = e.author;
  insert.bindNoCopy(i++, a.id);
  insert.bindNoCopy(i++, a.alt_id);
  insert.bindNoCopy(i++, a.name);
  insert.bindNoCopy(i++, a.handle);
  insert.bindNoCopy(i++, a.phone);
  insert.bind(i++, a.followers);
  insert.bind(i++, a.following);
  insert.bind(i++, a.listed);
  insert.bind(i++, a.posts);
  insert.bindNoCopy(i++, a.verified_type);
  insert.bindNoCopy(i++, a.bio);
  insert.bind(i++, a.account_created_ms);
  insert.bind(i++, e.timestamp_ms);
  insert.bindNoCopy(i++, e.text);
  insert.bindNoCopy(i++, e.payload);
  insert.bindNoCopy(i++, e.reply_to_id);
  insert.bindNoCopy(i++, e.thread_id);
  insert.bindNoCopy(i++, e.parent_id);
  if (e.location) {
    insert.bind(i++, e.location->latitude);
    insert.bind(i++, e.location->longitude);
    insert.bindNoCopy(i++, e.location->name);
    insert.bindNoCopy(i++, e.location->address);
  } else {
    for (int k = 0; k < 4; ++k) insert.bind(i++);  // NULL: no location
  }
  insert.bindNoCopy(i++, e.reaction_to_id);
  insert.bindNoCopy(i++, e.reaction_emoji);
  insert.bindNoCopy(i++, e.referral_json);
  insert.bindNoCopy(i++, e.contacts_json);
  insert.bindNoCopy(i++, e.new_author_id);
  if (e.status) {
    insert.bindNoCopy(i++, e.status->message_id);
    insert.bindNoCopy(i++, DeliveryStatusName(e.status->status));
    insert.bindNoCopy(i++, e.status->recipient_id);
    insert.bind(i++, e.status->error_code);
    insert.bindNoCopy(i++, e.status->error_title);
    insert.bindNoCopy(i++, e.status->error_detail);
  } else {
    for (int k = 0; k < 6; ++k) insert.bind(i++);  // NULL: not a status
  }
  insert.bindNoCopy(i++, e.unsupported_reason);
  insert.bindNoCopy(i++, e.raw_json);
  insert.bindNoCopy(i++, DirectionName(e.direction));
  insert.bindNoCopy(i++, e.action);
  insert.bind(i++, e.standby ? 1 : 0);
  insert.bindNoCopy(i++, e.recipient_id);
  insert.bindNoCopy(i++, e.thread_url);
  insert.bindNoCopy(i++, e.new_author_alt_id);
  insert.bind(i++, e.rating);
  if (e.status) {
    insert.bind(i++, e.status->watermark_ms);
  } else {
    insert.bind(i++);
  }
}

Event ReadEventColumns(SQLite::Statement& row, int first) {
  Event e;
  int i = first;
  // Values were written from the enums' own names, so a failed parse means someone edited
  // the file by hand; keep the defaults rather than failing the whole read.
  e.channel = ParseChannel(row.getColumn(i++).getString()).value_or(Channel::kWhatsApp);
  e.account_id = row.getColumn(i++).getString();
  e.kind = ParseEventKind(row.getColumn(i++).getString()).value_or(EventKind::kUnsupported);
  e.type = row.getColumn(i++).getString();
  e.visibility =
      row.getColumn(i++).getString() == "public" ? Visibility::kPublic : Visibility::kPrivate;
  e.platform_id = row.getColumn(i++).getString();
  e.dedup_key = row.getColumn(i++).getString();
  Author& a = e.author;
  a.id = row.getColumn(i++).getString();
  a.alt_id = row.getColumn(i++).getString();
  a.name = row.getColumn(i++).getString();
  a.handle = row.getColumn(i++).getString();
  a.phone = row.getColumn(i++).getString();
  a.followers = row.getColumn(i++).getInt64();
  a.following = row.getColumn(i++).getInt64();
  a.listed = row.getColumn(i++).getInt64();
  a.posts = row.getColumn(i++).getInt64();
  a.verified_type = row.getColumn(i++).getString();
  a.bio = row.getColumn(i++).getString();
  a.account_created_ms = row.getColumn(i++).getInt64();
  e.timestamp_ms = row.getColumn(i++).getInt64();
  e.text = row.getColumn(i++).getString();
  e.payload = row.getColumn(i++).getString();
  e.reply_to_id = row.getColumn(i++).getString();
  e.thread_id = row.getColumn(i++).getString();
  e.parent_id = row.getColumn(i++).getString();
  if (!row.getColumn(i).isNull()) {
    Location location;
    location.latitude = row.getColumn(i).getDouble();
    location.longitude = row.getColumn(i + 1).getDouble();
    location.name = row.getColumn(i + 2).getString();
    location.address = row.getColumn(i + 3).getString();
    e.location = location;
  }
  i += 4;
  e.reaction_to_id = row.getColumn(i++).getString();
  e.reaction_emoji = row.getColumn(i++).getString();
  e.referral_json = row.getColumn(i++).getString();
  e.contacts_json = row.getColumn(i++).getString();
  e.new_author_id = row.getColumn(i++).getString();
  if (!row.getColumn(i).isNull()) {
    StatusUpdate status;
    status.message_id = row.getColumn(i).getString();
    status.status =
        ParseDeliveryStatus(row.getColumn(i + 1).getString()).value_or(DeliveryStatus::kNone);
    status.recipient_id = row.getColumn(i + 2).getString();
    status.error_code = row.getColumn(i + 3).getInt64();
    status.error_title = row.getColumn(i + 4).getString();
    status.error_detail = row.getColumn(i + 5).getString();
    e.status = status;
  }
  i += 6;
  e.unsupported_reason = row.getColumn(i++).getString();
  e.raw_json = row.getColumn(i++).getString();
  e.direction = ParseDirection(row.getColumn(i++).getString()).value_or(Direction::kInbound);
  e.action = row.getColumn(i++).getString();
  e.standby = row.getColumn(i++).getInt() != 0;
  e.recipient_id = row.getColumn(i++).getString();
  e.thread_url = row.getColumn(i++).getString();
  e.new_author_alt_id = row.getColumn(i++).getString();
  e.rating = row.getColumn(i++).getInt();
  if (e.status) e.status->watermark_ms = row.getColumn(i).getInt64();  // v1's NULL reads 0
  return e;
}

void InsertAttachments(Connection& conn, int64_t event_id,
                       const std::vector<Attachment>& attachments) {
  if (attachments.empty()) return;
  Statement insert = conn.Prepare(
      "INSERT INTO event_attachments (event_id, position, kind, media_id, "
      "url, mime_type, sha256, caption, filename) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (size_t position = 0; position < attachments.size(); ++position) {
    const Attachment& a = attachments[position];
    insert->bind(1, event_id);
    insert->bind(2, static_cast<int64_t>(position));
    insert->bind(3, a.kind);
    insert->bind(4, a.media_id);
    insert->bind(5, a.url);
    insert->bind(6, a.mime_type);
    insert->bind(7, a.sha256);
    insert->bind(8, a.caption);
    insert->bind(9, a.filename);
    insert->exec();
    insert->reset();
  }
}

std::vector<Attachment> LoadAttachments(Connection& conn, int64_t event_id) {
  Statement select = conn.Prepare(
      "SELECT kind, media_id, url, mime_type, sha256, caption, filename "
      "FROM event_attachments WHERE event_id = ? ORDER BY position");
  select->bind(1, event_id);
  std::vector<Attachment> attachments;
  while (select->executeStep()) {
    Attachment a;
    a.kind = select->getColumn(0).getString();
    a.media_id = select->getColumn(1).getString();
    a.url = select->getColumn(2).getString();
    a.mime_type = select->getColumn(3).getString();
    a.sha256 = select->getColumn(4).getString();
    a.caption = select->getColumn(5).getString();
    a.filename = select->getColumn(6).getString();
    attachments.push_back(std::move(a));
  }
  return attachments;
}

}  // namespace

std::optional<int64_t> InsertEvent(Connection& conn, const Event& event, const EventLinks& links,
                                   const Decision* decision, const std::string& text_key) {
  std::string sql = "INSERT INTO events (inbox_id, contact_id, conversation_id, stored_ms, ";
  sql += kEventColumns;
  sql += ", ";
  sql += kDecisionColumns;
  sql += ") VALUES (?, ?, ?, ?";
  for (int k = 0; k < kEventColumnCount + kDecisionColumnCount; ++k) sql += ", ?";
  sql += ") ON CONFLICT (channel, dedup_key) DO NOTHING";
  Statement insert = conn.Prepare(sql);
  insert->bind(1, links.inbox_id);
  insert->bind(2, links.contact_id);
  insert->bind(3, links.conversation_id);
  insert->bind(4, links.stored_ms);
  BindEventColumns(*insert, 5, event);
  BindDecisionColumns(*insert, 5 + kEventColumnCount, decision, text_key);
  if (insert->exec() == 0) return std::nullopt;
  const int64_t id = conn.db().getLastInsertRowid();
  InsertAttachments(conn, id, event.attachments);
  QueueMediaDownloads(conn, id, event.attachments, links.stored_ms);
  return id;
}

bool UpdateEventDecision(Connection& conn, int64_t event_id, const Decision* decision,
                         const std::string& text_key) {
  // The columns of kDecisionColumns, in its order.
  Statement update = conn.Prepare(
      "UPDATE events SET filter_action = ?, filter_reason = ?, decision_kind = ?, "
      "decision_topic = ?, priority = ?, queue = ?, influence = ?, ruleset_version = ?, "
      "decision_json = ?, text_key = ? WHERE id = ?");
  BindDecisionColumns(*update, 1, decision, text_key);
  update->bind(1 + kDecisionColumnCount, event_id);
  return update->exec() > 0;
}

bool EventExists(Connection& conn, Channel channel, const std::string& dedup_key) {
  Statement select = conn.Prepare("SELECT 1 FROM events WHERE channel = ? AND dedup_key = ?");
  select->bindNoCopy(1, ChannelName(channel));
  select->bindNoCopy(2, dedup_key);
  return select->executeStep();
}

std::vector<StoredEvent> QueryEvents(Connection& conn, const EventQuery& query) {
  std::string sql = "SELECT id, inbox_id, contact_id, conversation_id, ";
  sql += kEventColumns;
  sql += ", decision_json FROM events WHERE id > ?";
  if (query.channel) sql += " AND channel = ?";
  if (query.kind) sql += " AND kind = ?";
  if (query.direction) sql += " AND direction = ?";
  if (query.contact_id) sql += " AND contact_id = ?";
  if (query.conversation_id) sql += " AND conversation_id = ?";
  if (!query.dedup_key.empty()) sql += " AND dedup_key = ?";
  sql += " ORDER BY id LIMIT ?";
  Statement select = conn.Prepare(sql);
  int i = 1;
  select->bind(i++, query.after_id);
  if (query.channel) select->bind(i++, ChannelName(*query.channel));
  if (query.kind) select->bind(i++, EventKindName(*query.kind));
  if (query.direction) select->bind(i++, DirectionName(*query.direction));
  if (query.contact_id) select->bind(i++, *query.contact_id);
  if (query.conversation_id) select->bind(i++, *query.conversation_id);
  if (!query.dedup_key.empty()) select->bind(i++, query.dedup_key);
  select->bind(i++, static_cast<int64_t>(query.limit));

  std::vector<StoredEvent> events;
  while (select->executeStep()) {
    StoredEvent stored;
    stored.id = select->getColumn(0).getInt64();
    stored.inbox_id = select->getColumn(1).getInt64();
    stored.contact_id = select->getColumn(2).getInt64();
    stored.conversation_id = select->getColumn(3).getInt64();
    stored.event = ReadEventColumns(*select, 4);
    const SQLite::Column decision_json = select->getColumn(4 + kEventColumnCount);
    if (!decision_json.isNull()) {
      // Written by DecisionToJson, so a failed parse means a hand edit: show no decision
      // rather than fail the whole read.
      Result<Decision> decision = DecisionFromJson(decision_json.getString());
      if (decision.ok()) stored.decision = std::move(decision).value();
    }
    events.push_back(std::move(stored));
  }
  for (StoredEvent& stored : events) {
    stored.event.attachments = LoadAttachments(conn, stored.id);
  }
  return events;
}

std::optional<StoredEvent> LoadEvent(Connection& conn, int64_t event_id) {
  EventQuery query;
  query.after_id = event_id - 1;
  query.limit = 1;
  std::vector<StoredEvent> found = QueryEvents(conn, query);
  if (found.empty() || found.front().id != event_id) return std::nullopt;
  return std::move(found.front());
}

bool HasText(Connection& conn, Channel channel, const std::string& author_id,
             const std::string& text_key, int64_t since_ms, int64_t until_ms) {
  Statement select = conn.Prepare(
      "SELECT 1 FROM events WHERE channel = ? AND author_id = ? AND text_key = ? "
      "AND timestamp_ms BETWEEN ? AND ? LIMIT 1");
  select->bind(1, ChannelName(channel));
  select->bind(2, author_id);
  select->bind(3, text_key);
  select->bind(4, since_ms);
  select->bind(5, until_ms);
  return select->executeStep();
}

}  // namespace atalaya::store
