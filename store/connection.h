#pragma once
// Connection: one SQLite connection with a cache of its prepared statements.
//
// Preparing is most of the cost of a small statement (the events INSERT, 46 columns then,
// took ~95 µs to prepare and a few to run; it has 64 now), so every statement text is
// prepared once per connection and reused. Prepare hands out a Statement that is reset when
// it goes out of scope, so no cached statement keeps a read snapshot open between calls.
// Asking for a text whose cached statement is still in use (a nested call) gets a fresh
// one-off statement.
//
// Threads: a Connection is used by one thread at a time (the writer thread, or the reader
// holding it from the pool). Errors: SQLiteCpp exceptions, mapped at the store's edge.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <memory>
#include <string>
#include <unordered_map>

namespace atalaya::store {

class Connection;

// A prepared statement borrowed from a Connection: use it like a pointer.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  SQLite::Statement* operator->() { return statement_; }
  SQLite::Statement& operator*() { return *statement_; }

 private:
  friend class Connection;
  Statement(SQLite::Statement* cached, bool* in_use);
  explicit Statement(std::unique_ptr<SQLite::Statement> one_off);

  SQLite::Statement* statement_ = nullptr;
  bool* in_use_ = nullptr;                      // the cache's flag, when borrowed from it
  std::unique_ptr<SQLite::Statement> one_off_;  // when the cached one was busy
};

class Connection {
 public:
  Connection(const std::string& path, int flags, int busy_timeout_ms);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  SQLite::Database& db() { return db_; }
  int busy_timeout_ms() const { return busy_timeout_ms_; }
  // A ready-to-bind statement for `sql` (bindings cleared, at its start).
  Statement Prepare(const std::string& sql);

 private:
  struct Cached {
    std::unique_ptr<SQLite::Statement> statement;
    bool in_use = false;
  };

  SQLite::Database db_;
  const int busy_timeout_ms_;
  std::unordered_map<std::string, Cached> cache_;  // after db_: finalized before it closes
};

}  // namespace atalaya::store
