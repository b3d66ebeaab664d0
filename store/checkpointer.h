#pragma once
// Checkpointer: copies the WAL back into the database file from a thread and connection of
// its own, so the writer's commits never pay for it. (SQLite's automatic checkpoint runs
// inside the COMMIT that crosses the threshold: that commit, and every webhook waiting on it,
// would wait for megabytes of copying and an fsync of the database file.)
//
// PASSIVE checkpoints never block the writer or readers; the WAL is reused from its start once
// a checkpoint has caught up. Threads: owns one thread; the destructor stops and joins it.

#include <SQLiteCpp/Database.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace atalaya::store {

class Checkpointer {
 public:
  Checkpointer(const std::string& path, std::chrono::milliseconds interval);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

 private:
  void Run();

  std::unique_ptr<SQLite::Database> db_;
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after every member above exists
};

}  // namespace atalaya::store
