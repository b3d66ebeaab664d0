#pragma once
// ReaderPool: read-only work on connections of its own, never the writer's. In WAL mode a
// reader sees the last committed state and neither waits for nor blocks the writer.
//
// Connections are opened on demand, one per concurrent reader, and kept (up to a few) for
// reuse. Threads: Read may be called from any thread; each call has a connection to itself.
// Errors: SQLiteCpp exceptions thrown inside `fn` become a Status (see sqlite_error.h).

#include <SQLiteCpp/Database.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/status.h"
#include "store/sqlite_error.h"

namespace atalaya::store {

class ReaderPool {
 public:
  explicit ReaderPool(std::string path) : path_(std::move(path)) {}

  // Runs fn(SQLite::Database&) and returns its value, or the mapped error. `doing` names the
  // operation in error messages ("list events").
  template <typename Fn>
  auto Read(std::string_view doing, Fn&& fn)
      -> Result<std::invoke_result_t<Fn, SQLite::Database&>> {
    try {
      std::unique_ptr<SQLite::Database> db = Acquire();
      auto value = fn(*db);
      Release(std::move(db));
      return value;
    } catch (const std::exception& e) {
      return StatusFromException(e, doing);
    }
  }

 private:
  std::unique_ptr<SQLite::Database> Acquire();
  void Release(std::unique_ptr<SQLite::Database> db);

  const std::string path_;
  std::mutex mu_;
  std::vector<std::unique_ptr<SQLite::Database>> idle_;
};

}  // namespace atalaya::store
