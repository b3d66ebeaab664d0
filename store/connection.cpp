#include "store/connection.h"

#include <utility>

namespace atalaya::store {

Statement::Statement(SQLite::Statement* cached, bool* in_use)
    : statement_(cached), in_use_(in_use) {
  *in_use_ = true;
}

Statement::Statement(std::unique_ptr<SQLite::Statement> one_off)
    : statement_(one_off.get()), one_off_(std::move(one_off)) {}

Statement::Statement(Statement&& other) noexcept
    : statement_(std::exchange(other.statement_, nullptr)),
      in_use_(std::exchange(other.in_use_, nullptr)),
      one_off_(std::move(other.one_off_)) {}

Statement::~Statement() {
  if (in_use_ == nullptr) return;
  // Ends the statement's read of the database now, not at its next use. tryReset never
  // throws; an error it reports belongs to a step the caller already saw fail.
  statement_->tryReset();
  *in_use_ = false;
}

Connection::Connection(const std::string& path, int flags, int busy_timeout_ms)
    : db_(path, flags, busy_timeout_ms), busy_timeout_ms_(busy_timeout_ms) {}

Statement Connection::Prepare(const std::string& sql) {
  Cached& cached = cache_[sql];
  if (cached.statement == nullptr) {
    cached.statement = std::make_unique<SQLite::Statement>(db_, sql);
  } else if (cached.in_use) {
    return Statement(std::make_unique<SQLite::Statement>(db_, sql));
  } else {
    cached.statement->clearBindings();
  }
  return Statement(cached.statement.get(), &cached.in_use);
}

}  // namespace atalaya::store
