#pragma once
// The inbox's dedup by body SHA-256, kept off the acknowledgement's WAL pages.
//
// A key lives in one of two places: inbox_keys (a table, written by ingest in the transaction
// that marks the row processed) or PendingInboxKeys (memory, for rows acknowledged but not yet
// processed). An acknowledgement looks in both and writes only its inbox row. At open, the
// pending keys are read back from the unprocessed rows, which hold their hash, so a crash
// loses none. When the pending keys reach their cap (a long backlog), an acknowledgement
// writes its key to inbox_keys itself, as every acknowledgement did before migration 6.
//
// Threads: PendingInboxKeys is safe from any thread. The functions that write run on the
// write connection inside a transaction: on the writer thread, or at open before it starts
// (LoadPendingInboxKeys). CountInboxRows only reads, on any connection.

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"
#include "store/connection.h"
#include "store/store.h"

namespace atalaya::store {

class PendingInboxKeys {
 public:
  // Buckets for `capacity` keys up front (8 bytes each): growing under a flood would rehash
  // every key held, on the writer's path, several times over.
  explicit PendingInboxKeys(size_t capacity) : capacity_(capacity) { ids_.reserve(capacity); }

  // The inbox id recorded for `sha256`, or 0. The row may be gone since (a rolled-back
  // transaction): callers check it against the inbox.
  int64_t Find(std::string_view sha256) const;
  // False, recording nothing, when full.
  bool Add(std::string_view sha256, int64_t inbox_id);
  // Forgets the key if it still names `inbox_id`: its row is processed (the key is in
  // inbox_keys) or does not exist.
  void Forget(std::string_view sha256, int64_t inbox_id);
  size_t size() const;

 private:
  using Key = std::array<unsigned char, 32>;
  struct KeyHash {
    size_t operator()(const Key& key) const;
  };
  static Key ToKey(std::string_view sha256);

  const size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<Key, int64_t, KeyHash> ids_;
};

// Appends one delivery unless its body is already in the inbox. `sha256` is Sha256(body).
Result<AppendOutcome> AppendInboxRow(Connection& conn, PendingInboxKeys& pending,
                                     const std::string& sha256, const InboxDelivery& delivery);

// Moves a processed row's key into inbox_keys; returns the key, for PendingInboxKeys::Forget
// once the transaction committed. kNotFound when the row does not exist.
Result<std::string> IndexInboxKey(Connection& conn, int64_t inbox_id);

// Fills `pending` with the keys of the unprocessed rows that inbox_keys lacks.
Status LoadPendingInboxKeys(Connection& conn, PendingInboxKeys& pending);

// Deletes the keys of inbox rows in [first, last] that are gone.
void DeleteKeysOfPrunedRows(Connection& conn, int64_t first, int64_t last);

// The number of inbox rows, read from keys and indexes, never from the rows with their bodies.
int64_t CountInboxRows(Connection& conn);

}  // namespace atalaya::store
