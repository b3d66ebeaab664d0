#include "store/inbox_keys.h"

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

namespace atalaya::store {

PendingInboxKeys::Key PendingInboxKeys::ToKey(std::string_view sha256) {
  Key key{};
  std::memcpy(key.data(), sha256.data(), std::min(sha256.size(), key.size()));
  return key;
}

size_t PendingInboxKeys::KeyHash::operator()(const Key& key) const {
  size_t hash = 0;  // a SHA-256 is already uniform: its first bytes are a fine hash
  std::memcpy(&hash, key.data(), sizeof hash);
  return hash;
}

int64_t PendingInboxKeys::Find(std::string_view sha256) const {
  std::lock_guard lock(mu_);
  const auto found = ids_.find(ToKey(sha256));
  return found == ids_.end() ? 0 : found->second;
}

bool PendingInboxKeys::Add(std::string_view sha256, int64_t inbox_id) {
  std::lock_guard lock(mu_);
  if (ids_.size() >= capacity_) return false;
  ids_[ToKey(sha256)] = inbox_id;
  return true;
}

void PendingInboxKeys::Forget(std::string_view sha256, int64_t inbox_id) {
  std::lock_guard lock(mu_);
  const auto found = ids_.find(ToKey(sha256));
  if (found != ids_.end() && found->second == inbox_id) ids_.erase(found);
}

size_t PendingInboxKeys::size() const {
  std::lock_guard lock(mu_);
  return ids_.size();
}

namespace {

bool RowHasKey(Connection& conn, int64_t inbox_id, const std::string& sha256) {
  Statement row = conn.Prepare("SELECT 1 FROM inbox WHERE id = ? AND body_sha256 = ?");
  row->bind(1, inbox_id);
  row->bind(2, sha256.data(), static_cast<int>(sha256.size()));
  return row->executeStep();
}

bool KeyIsIndexed(Connection& conn, const std::string& sha256) {
  Statement key = conn.Prepare("SELECT 1 FROM inbox_keys WHERE body_sha256 = ?");
  key->bind(1, sha256.data(), static_cast<int>(sha256.size()));
  return key->executeStep();
}

void InsertKey(Connection& conn, int64_t inbox_id, const std::string& sha256) {
  Statement insert =
      conn.Prepare("INSERT OR IGNORE INTO inbox_keys (inbox_id, body_sha256) VALUES (?, ?)");
  insert->bind(1, inbox_id);
  insert->bind(2, sha256.data(), static_cast<int>(sha256.size()));
  insert->exec();
}

}  // namespace

Result<AppendOutcome> AppendInboxRow(Connection& conn, PendingInboxKeys& pending,
                                     const std::string& sha256, const InboxDelivery& delivery) {
  if (const int64_t id = pending.Find(sha256); id != 0) {
    if (RowHasKey(conn, id, sha256)) return AppendOutcome::kDuplicate;
    pending.Forget(sha256, id);  // its transaction rolled back: the body is new after all
  }
  if (KeyIsIndexed(conn, sha256)) return AppendOutcome::kDuplicate;
  Statement insert =
      conn.Prepare("INSERT INTO inbox (body_sha256, route, body, received_ms) VALUES (?, ?, ?, ?)");
  insert->bind(1, sha256.data(), static_cast<int>(sha256.size()));
  insert->bind(2, delivery.route);
  insert->bindNoCopy(3, delivery.body.data(), static_cast<int>(delivery.body.size()));
  insert->bind(4, delivery.received_ms);
  insert->exec();
  const int64_t id = conn.db().getLastInsertRowid();
  if (!pending.Add(sha256, id)) InsertKey(conn, id, sha256);
  return AppendOutcome::kStored;
}

Result<std::string> IndexInboxKey(Connection& conn, int64_t inbox_id) {
  Statement row = conn.Prepare("SELECT body_sha256 FROM inbox WHERE id = ?");
  row->bind(1, inbox_id);
  if (!row->executeStep()) {
    return NotFound("inbox row " + std::to_string(inbox_id) + " does not exist");
  }
  std::string sha256 = row->getColumn(0).getString();
  row->reset();
  InsertKey(conn, inbox_id, sha256);
  return sha256;
}

Status LoadPendingInboxKeys(Connection& conn, PendingInboxKeys& pending) {
  Statement rows = conn.Prepare(
      "SELECT id, body_sha256 FROM inbox INDEXED BY inbox_pending WHERE processed_ms IS NULL "
      "AND NOT EXISTS (SELECT 1 FROM inbox_keys WHERE inbox_keys.inbox_id = inbox.id) "
      "ORDER BY id");
  std::vector<std::pair<int64_t, std::string>> overflow;
  while (rows->executeStep()) {
    const int64_t id = rows->getColumn(0).getInt64();
    std::string sha256 = rows->getColumn(1).getString();
    if (!pending.Add(sha256, id)) overflow.emplace_back(id, std::move(sha256));
  }
  rows->reset();
  for (const auto& [id, sha256] : overflow) InsertKey(conn, id, sha256);
  return Status::Ok();
}

void DeleteKeysOfPrunedRows(Connection& conn, int64_t first, int64_t last) {
  Statement keys = conn.Prepare(
      "DELETE FROM inbox_keys WHERE inbox_id BETWEEN ? AND ? "
      "AND NOT EXISTS (SELECT 1 FROM inbox WHERE inbox.id = inbox_keys.inbox_id)");
  keys->bind(1, first);
  keys->bind(2, last);
  keys->exec();
}

int64_t CountInboxRows(Connection& conn) {
  // Processed rows all have a key; pending rows have one only when acknowledged while the
  // pending keys were full. Those are found from the oldest pending id on, a short range.
  Statement count = conn.Prepare(
      "SELECT (SELECT COUNT(*) FROM inbox_keys) "
      "+ (SELECT COUNT(*) FROM inbox INDEXED BY inbox_pending WHERE processed_ms IS NULL) "
      "- (SELECT COUNT(*) FROM inbox_keys JOIN inbox ON inbox.id = inbox_keys.inbox_id "
      "   WHERE inbox_keys.inbox_id >= (SELECT MIN(id) FROM inbox INDEXED BY inbox_pending "
      "                                 WHERE processed_ms IS NULL) "
      "   AND inbox.processed_ms IS NULL)");
  count->executeStep();
  return count->getColumn(0).getInt64();
}

}  // namespace atalaya::store
