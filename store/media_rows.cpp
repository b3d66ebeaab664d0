#include "store/media_rows.h"

#include <string>

namespace atalaya::store {
namespace {

// The download with the attachment and the event fields the fetch needs.
constexpr const char* kSelectMedia =
    "SELECT m.event_id, m.position, e.channel, e.account_id, a.kind, a.media_id, a.url, "
    "a.mime_type, a.sha256, a.caption, a.filename, m.state, m.attempts, m.next_attempt_ms, "
    "m.file_name, m.bytes, m.sha256, m.mime_type, m.error_reason, m.error_message, m.updated_ms "
    "FROM media_downloads m "
    "JOIN event_attachments a ON a.event_id = m.event_id AND a.position = m.position "
    "JOIN events e ON e.id = m.event_id ";

MediaDownload ReadMedia(SQLite::Statement& row) {
  MediaDownload m;
  m.event_id = row.getColumn(0).getInt64();
  m.position = row.getColumn(1).getInt();
  m.channel = ParseChannel(row.getColumn(2).getString()).value_or(Channel::kWhatsApp);
  m.account_id = row.getColumn(3).getString();
  Attachment& a = m.attachment;
  a.kind = row.getColumn(4).getString();
  a.media_id = row.getColumn(5).getString();
  a.url = row.getColumn(6).getString();
  a.mime_type = row.getColumn(7).getString();
  a.sha256 = row.getColumn(8).getString();
  a.caption = row.getColumn(9).getString();
  a.filename = row.getColumn(10).getString();
  m.state = ParseMediaState(row.getColumn(11).getString()).value_or(MediaState::kPending);
  m.attempts = row.getColumn(12).getInt();
  m.next_attempt_ms = row.getColumn(13).getInt64();
  m.stored.file_name = row.getColumn(14).getString();
  m.stored.bytes = row.getColumn(15).getInt64();
  m.stored.sha256 = row.getColumn(16).getString();
  m.stored.mime_type = row.getColumn(17).getString();
  m.error.reason = row.getColumn(18).getString();
  m.error.message = row.getColumn(19).getString();
  m.updated_ms = row.getColumn(20).getInt64();
  return m;
}

std::string Name(int64_t event_id, int position) {
  return "media " + std::to_string(event_id) + "/" + std::to_string(position);
}

// OK when the row exists and is pending; else the documented error.
Status RequirePending(Connection& conn, int64_t event_id, int position) {
  Statement select =
      conn.Prepare("SELECT state FROM media_downloads WHERE event_id = ? AND position = ?");
  select->bind(1, event_id);
  select->bind(2, position);
  if (!select->executeStep()) return NotFound(Name(event_id, position) + " does not exist");
  const std::string state = select->getColumn(0).getString();
  if (state != "pending") {
    return FailedPrecondition(Name(event_id, position) + " is " + state + ", not pending");
  }
  return Status::Ok();
}

}  // namespace

void QueueMediaDownloads(Connection& conn, int64_t event_id,
                         const std::vector<Attachment>& attachments, int64_t now_ms) {
  for (size_t position = 0; position < attachments.size(); ++position) {
    const Attachment& a = attachments[position];
    if (a.media_id.empty() && a.url.empty()) continue;  // nothing to fetch
    Statement insert = conn.Prepare(
        "INSERT INTO media_downloads (event_id, position, state, next_attempt_ms, created_ms, "
        "updated_ms) VALUES (?, ?, 'pending', ?, ?, ?)");
    insert->bind(1, event_id);
    insert->bind(2, static_cast<int64_t>(position));
    insert->bind(3, now_ms);
    insert->bind(4, now_ms);
    insert->bind(5, now_ms);
    insert->exec();
  }
}

std::vector<MediaDownload> LoadDueMedia(Connection& conn, int64_t now_ms, size_t limit) {
  Statement select = conn.Prepare(std::string(kSelectMedia) +
                                  "WHERE m.state = 'pending' AND m.next_attempt_ms <= ? "
                                  "ORDER BY m.next_attempt_ms, m.event_id, m.position LIMIT ?");
  select->bind(1, now_ms);
  select->bind(2, static_cast<int64_t>(limit));
  std::vector<MediaDownload> due;
  while (select->executeStep()) due.push_back(ReadMedia(*select));
  return due;
}

std::optional<MediaDownload> LoadMedia(Connection& conn, int64_t event_id, int position) {
  Statement select =
      conn.Prepare(std::string(kSelectMedia) + "WHERE m.event_id = ? AND m.position = ?");
  select->bind(1, event_id);
  select->bind(2, position);
  if (!select->executeStep()) return std::nullopt;
  return ReadMedia(*select);
}

Status MarkMediaStoredRow(Connection& conn, int64_t event_id, int position,
                          const StoredMedia& stored, int64_t now_ms) {
  if (Status s = RequirePending(conn, event_id, position); !s.ok()) return s;
  if (stored.file_name.empty()) {
    return InvalidArgument(Name(event_id, position) + ": a stored file needs a name");
  }
  Statement update = conn.Prepare(
      "UPDATE media_downloads SET state = 'stored', attempts = attempts + 1, file_name = ?, "
      "bytes = ?, sha256 = ?, mime_type = ?, error_reason = '', error_message = '', "
      "updated_ms = ? WHERE event_id = ? AND position = ?");
  update->bind(1, stored.file_name);
  update->bind(2, stored.bytes);
  update->bind(3, stored.sha256);
  update->bind(4, stored.mime_type);
  update->bind(5, now_ms);
  update->bind(6, event_id);
  update->bind(7, position);
  update->exec();
  return Status::Ok();
}

Status MarkMediaRetryRow(Connection& conn, int64_t event_id, int position, int64_t next_attempt_ms,
                         const MediaError& error, int64_t now_ms) {
  if (Status s = RequirePending(conn, event_id, position); !s.ok()) return s;
  Statement update = conn.Prepare(
      "UPDATE media_downloads SET attempts = attempts + 1, next_attempt_ms = ?, "
      "error_reason = ?, error_message = ?, updated_ms = ? WHERE event_id = ? AND position = ?");
  update->bind(1, next_attempt_ms);
  update->bind(2, error.reason);
  update->bind(3, error.message);
  update->bind(4, now_ms);
  update->bind(5, event_id);
  update->bind(6, position);
  update->exec();
  return Status::Ok();
}

Status MarkMediaFailedRow(Connection& conn, int64_t event_id, int position, const MediaError& error,
                          int64_t now_ms) {
  if (Status s = RequirePending(conn, event_id, position); !s.ok()) return s;
  if (error.reason.empty()) {
    return InvalidArgument(Name(event_id, position) + ": a failure needs a reason");
  }
  Statement update = conn.Prepare(
      "UPDATE media_downloads SET state = 'failed', attempts = attempts + 1, error_reason = ?, "
      "error_message = ?, updated_ms = ? WHERE event_id = ? AND position = ?");
  update->bind(1, error.reason);
  update->bind(2, error.message);
  update->bind(3, now_ms);
  update->bind(4, event_id);
  update->bind(5, position);
  update->exec();
  return Status::Ok();
}

}  // namespace atalaya::store
