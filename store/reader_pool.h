#pragma once
// ReaderPool: read-only work on connections of its own, never the writer's. In WAL mode a
// reader sees the last committed state and neither waits for nor blocks the writer.
//
// Connections are opened on demand, one per concurrent reader, and kept (up to a few) for
// reuse. Threads: Read may be called from any thread; each call has a connection to itself.
// Errors: SQLiteCpp exceptions thrown inside `fn` become a Status (see sqlite_error.h).

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/status.h"
#include "store/connection.h"
#include "store/sqlite_error.h"

namespace atalaya::store {

class ReaderPool {
 public:
  explicit ReaderPool(std::string path) : path_(std::move(path)) {}

  // Runs fn(Connection&) and returns its value, or the mapped error. `doing` names the
  // operation in error messages ("list events").
  template <typename Fn>
  auto Read(std::string_view doing, Fn&& fn) -> Result<std::invoke_result_t<Fn, Connection&>> {
    try {
      std::unique_ptr<Connection> connection = Acquire();
      auto value = fn(*connection);
      Release(std::move(connection));
      return value;
    } catch (const std::exception& e) {
      return StatusFromException(e, doing);
    }
  }

 private:
  std::unique_ptr<Connection> Acquire();
  void Release(std::unique_ptr<Connection> connection);

  const std::string path_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace atalaya::store
