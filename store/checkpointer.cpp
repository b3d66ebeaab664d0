#include "store/checkpointer.h"

#include <sqlite3.h>

#include "common/thread_name.h"

namespace atalaya::store {
namespace {

constexpr int kMaxPasses = 4;
// Frames a restart may copy itself: a few commits' worth, well under a millisecond.
constexpr int kSmallTailFrames = 64;

}  // namespace

Checkpointer::Checkpointer(const std::string& path, std::chrono::milliseconds interval,
                           WalRestartSignal* restart, int restart_at_frames)
    : db_(std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE, 1000)),
      interval_(interval),
      restart_(restart),
      restart_at_frames_(restart_at_frames),
      thread_(&Checkpointer::Run, this) {}

void Checkpointer::OpenWal() {
  // A connection opens the WAL with its first read; until then a checkpoint call does nothing
  // and reports no WAL at all.
  try {
    db_->exec("PRAGMA schema_version");
  } catch (const std::exception&) {
  }
}

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
    CheckpointOnce();
    lock.lock();
  }
}

void Checkpointer::CheckpointOnce() {
  int wal_frames = 0;
  int copied_frames = 0;
  int copied_before = 0;
  // The writer's restart copies whatever this pass did not, while every webhook waits on it:
  // passes repeat while each still finds a sizeable tail the writer appended meanwhile.
  for (int pass = 0; pass < kMaxPasses; ++pass) {
    const int rc = sqlite3_wal_checkpoint_v2(db_->getHandle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                             &wal_frames, &copied_frames);
    // Busy or I/O trouble: the next turn tries again; the WAL only grows meanwhile.
    if (rc != SQLITE_OK) return;
    if (wal_frames < 0) {  // this connection has not opened the WAL yet
      OpenWal();
      return;
    }
    if (restart_ == nullptr || wal_frames < restart_at_frames_) return;
    if (copied_frames - copied_before <= kSmallTailFrames) break;
    copied_before = copied_frames;
  }
  restart_->Raise();
}

}  // namespace atalaya::store
