#pragma once
// Numbered schema migrations for the SQLite store.
//
// The database records every applied migration in `schema_migrations` (version, name,
// applied_ms). At open, each migration whose number is not recorded yet is applied in its own
// transaction together with its record, so a crash mid-migration leaves the previous version
// intact. A database that records a version this build does not know (written by a newer
// atalaya) is refused with kFailedPrecondition and left untouched.
//
// Threads: call with a connection no other thread uses (the store does it before its writer
// starts). Errors: kFailedPrecondition as above; kInternal/kResourceExhausted from SQLite.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <span>

#include "common/status.h"

namespace atalaya::store {

struct Migration {
  int version = 0;        // 1, 2, 3, ... strictly increasing, never renumbered once shipped
  const char* name = "";  // short description, stored beside the version
  const char* sql = "";   // one or more statements
};

// The store's own migrations, in order.
std::span<const Migration> SchemaMigrations();

// Applies the migrations of `migrations` not yet recorded in `db`. Returns how many were
// applied now.
Result<int> ApplyMigrations(SQLite::Database& db, std::span<const Migration> migrations,
                            int64_t now_ms);

}  // namespace atalaya::store
