#include "store/migrations.h"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <string>

#include "store/schema_v1.h"
#include "store/schema_v2.h"
#include "store/schema_v3.h"
#include "store/schema_v4.h"
#include "store/schema_v5.h"
#include "store/schema_v6.h"
#include "store/sqlite_error.h"

namespace atalaya::store {
namespace {

constexpr Migration kMigrations[] = {
    {1, "inbox, events, contacts, conversations, deliveries", kSchemaV1},
    {2, "event fields since v1, decisions, text keys, outbox", kSchemaV2},
    {3, "media downloads", kSchemaV3},
    {4, "instagram mention enrichment", kSchemaV4},
    {5, "inbox without the received_ms index", kSchemaV5},
    {6, "inbox dedup keys in their own table", kSchemaV6},
};

int LatestVersion(std::span<const Migration> migrations) {
  return migrations.empty() ? 0 : migrations.back().version;
}

}  // namespace

std::span<const Migration> SchemaMigrations() { return kMigrations; }

Result<int> ApplyMigrations(SQLite::Database& db, std::span<const Migration> migrations,
                            int64_t now_ms) {
  for (size_t i = 1; i < migrations.size(); ++i) {
    if (migrations[i].version <= migrations[i - 1].version) {
      return Internal("migrations out of order: " + std::to_string(migrations[i].version) +
                      " after " + std::to_string(migrations[i - 1].version));
    }
  }
  int applied = 0;
  try {
    db.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms INTEGER NOT NULL)");
    SQLite::Statement newest(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    newest.executeStep();
    const int recorded = newest.getColumn(0).getInt();
    // A statement left mid-step would block a migration that drops something ("database
    // table is locked"): finish it first.
    newest.reset();
    if (recorded > LatestVersion(migrations)) {
      return FailedPrecondition(
          "database schema version " + std::to_string(recorded) +
          " is newer than this build supports (latest " +
          std::to_string(LatestVersion(migrations)) +
          "): it was written by a newer atalaya; run that version or restore a backup");
    }
    for (const Migration& migration : migrations) {
      SQLite::Statement known(db, "SELECT 1 FROM schema_migrations WHERE version = ?");
      known.bind(1, migration.version);
      const bool applied_before = known.executeStep();
      known.reset();
      if (applied_before) continue;
      try {
        SQLite::Transaction transaction(db);
        db.exec(migration.sql);
        SQLite::Statement record(
            db, "INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)");
        record.bind(1, migration.version);
        record.bind(2, migration.name);
        record.bind(3, now_ms);
        record.exec();
        transaction.commit();
      } catch (const std::exception& e) {
        return StatusFromException(
            e, "migration " + std::to_string(migration.version) + " (" + migration.name + ")");
      }
      ++applied;
    }
  } catch (const std::exception& e) {
    return StatusFromException(e, "reading schema_migrations");
  }
  return applied;
}

}  // namespace atalaya::store
