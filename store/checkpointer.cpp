#include "store/checkpointer.h"

#include "common/thread_name.h"

namespace atalaya::store {

Checkpointer::Checkpointer(const std::string& path, std::chrono::milliseconds interval)
    : db_(std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE, 1000)),
      interval_(interval),
      thread_(&Checkpointer::Run, this) {}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  try {
    db_->exec("PRAGMA wal_checkpoint(PASSIVE)");  // leave little for the next start
  } catch (const std::exception&) {
  }
}

void Checkpointer::Run() {
  NameThisThread("checkpointer");
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    try {
      db_->exec("PRAGMA wal_checkpoint(PASSIVE)");
    } catch (const std::exception&) {
      // Busy or I/O trouble: the next turn tries again; the WAL only grows meanwhile.
    }
    lock.lock();
  }
}

}  // namespace atalaya::store
