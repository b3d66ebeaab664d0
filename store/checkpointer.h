#pragma once
// Checkpointer: copies the WAL back into the database file from a thread and connection of
// its own, so the writer's commits never pay for it. (SQLite's automatic checkpoint runs
// inside the COMMIT that crosses the threshold: that commit, and every webhook waiting on it,
// would wait for megabytes of copying and an fsync of the database file.)
//
// PASSIVE checkpoints never block the writer or readers. The WAL is reused from its start
// only once a checkpoint has caught up, which under steady writes never happens: when a pass
// finds the WAL longer than `restart_at_frames`, it raises `restart` so the writer resets it
// (see WalRestartSignal). Threads: owns one thread; the destructor stops and joins it.

#include <SQLiteCpp/Database.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/wal_restart_signal.h"

namespace atalaya::store {

class Checkpointer {
 public:
  // `restart` (may be null: never raised) must outlive the Checkpointer.
  Checkpointer(const std::string& path, std::chrono::milliseconds interval,
               WalRestartSignal* restart, int restart_at_frames);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

 private:
  void Run();
  void OpenWal();
  void CheckpointOnce();

  std::unique_ptr<SQLite::Database> db_;
  const std::chrono::milliseconds interval_;
  WalRestartSignal* const restart_;
  const int restart_at_frames_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after every member above exists
};

}  // namespace atalaya::store
