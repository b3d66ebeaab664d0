#include "store/reader_pool.h"

namespace atalaya::store {
namespace {

// Readers only wait during WAL recovery or a checkpoint restart; a second is generous.
constexpr int kReaderBusyTimeoutMs = 1000;
// Idle connections kept for reuse; more concurrent readers open and close their own.
constexpr size_t kMaxIdle = 8;

}  // namespace

std::unique_ptr<Connection> ReaderPool::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Connection> connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
  }
  // READWRITE (not READONLY) only so VACUUM INTO may run here; nothing else writes.
  return std::make_unique<Connection>(path_, SQLite::OPEN_READWRITE, kReaderBusyTimeoutMs);
}

void ReaderPool::Release(std::unique_ptr<Connection> connection) {
  std::lock_guard lock(mu_);
  if (idle_.size() < kMaxIdle) idle_.push_back(std::move(connection));
}

}  // namespace atalaya::store
