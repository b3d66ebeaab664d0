#include "store/migrations.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "store/store.h"
#include "store_test_util.h"

namespace atalaya::store {
namespace {

using testing_util::TestDir;

std::vector<int> RecordedVersions(SQLite::Database& db) {
  SQLite::Statement select(db, "SELECT version FROM schema_migrations ORDER BY version");
  std::vector<int> versions;
  while (select.executeStep()) versions.push_back(select.getColumn(0).getInt());
  return versions;
}

int64_t CountRows(SQLite::Database& db, const std::string& table) {
  return db.execAndGet("SELECT COUNT(*) FROM " + table).getInt64();
}

bool TableExists(SQLite::Database& db, const std::string& table) {
  SQLite::Statement select(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  select.bind(1, table);
  return select.executeStep();
}

const Migration kFirstTwo[] = {
    {1, "create notes", "CREATE TABLE notes (text TEXT)"},
    {2, "seed notes", "INSERT INTO notes VALUES ('seeded once')"},
};

TEST(Migrations, AppliesEachOnceAndRecordsIt) {
  TestDir dir;
  SQLite::Database db(dir.File("m.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);

  Result<int> first = ApplyMigrations(db, kFirstTwo, 1000);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, 2);
  Result<int> again = ApplyMigrations(db, kFirstTwo, 2000);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, 0);

  EXPECT_EQ(CountRows(db, "notes"), 1) << "the seeding migration ran twice";
  EXPECT_EQ(RecordedVersions(db), (std::vector<int>{1, 2}));
  EXPECT_EQ(db.execAndGet("SELECT applied_ms FROM schema_migrations WHERE version = 2").getInt64(),
            1000);
}

TEST(Migrations, LaterBuildAppliesOnlyTheNewOnes) {
  TestDir dir;
  SQLite::Database db(dir.File("m.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  ASSERT_TRUE(ApplyMigrations(db, kFirstTwo, 1000).ok());

  const Migration three[] = {
      kFirstTwo[0], kFirstTwo[1], {3, "second seed", "INSERT INTO notes VALUES ('third')"}};
  Result<int> applied = ApplyMigrations(db, three, 2000);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(*applied, 1);
  EXPECT_EQ(CountRows(db, "notes"), 2);
  EXPECT_EQ(RecordedVersions(db), (std::vector<int>{1, 2, 3}));
}

TEST(Migrations, FailingMigrationRollsBackWholeAndNamesItself) {
  TestDir dir;
  SQLite::Database db(dir.File("m.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  const Migration broken[] = {
      kFirstTwo[0],
      kFirstTwo[1],
      {3, "half done", "CREATE TABLE half (x); INSERT INTO nowhere VALUES (1)"}};

  Result<int> applied = ApplyMigrations(db, broken, 1000);
  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.status().code(), ErrorCode::kInternal);
  EXPECT_EQ(applied.status().message(), "migration 3 (half done): no such table: nowhere");
  // 1 and 2 committed in their own transactions; 3 left nothing behind.
  EXPECT_EQ(RecordedVersions(db), (std::vector<int>{1, 2}));
  EXPECT_FALSE(TableExists(db, "half"));
}

TEST(Migrations, RefusesOutOfOrderList) {
  TestDir dir;
  SQLite::Database db(dir.File("m.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  const Migration shuffled[] = {kFirstTwo[1], kFirstTwo[0]};
  Result<int> applied = ApplyMigrations(db, shuffled, 1000);
  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.status().message(), "migrations out of order: 1 after 2");
  EXPECT_FALSE(TableExists(db, "notes"));
}

TEST(Migrations, StoreReopenAppliesNothingAgain) {
  TestDir dir;
  const std::string path = dir.File("atalaya.db");
  { ASSERT_NE(testing_util::OpenOrDie(testing_util::Options(path)), nullptr); }
  int64_t applied_ms = 0;
  {
    SQLite::Database db(path);
    EXPECT_EQ(RecordedVersions(db).size(), SchemaMigrations().size());
    applied_ms = db.execAndGet("SELECT MAX(applied_ms) FROM schema_migrations").getInt64();
  }
  { ASSERT_NE(testing_util::OpenOrDie(testing_util::Options(path)), nullptr); }
  SQLite::Database db(path);
  EXPECT_EQ(RecordedVersions(db).size(), SchemaMigrations().size());
  EXPECT_EQ(db.execAndGet("SELECT MAX(applied_ms) FROM schema_migrations").getInt64(), applied_ms);
}

TEST(Migrations, StoreRefusesDatabaseFromNewerVersion) {
  TestDir dir;
  const std::string path = dir.File("future.db");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_ms INTEGER NOT NULL); "
        "INSERT INTO schema_migrations VALUES (999, 'from the future', 1)");
  }
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(testing_util::Options(path));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(store.status().message(),
            "opening " + path + ": database schema version 999 is newer than this build " +
                "supports (latest " + std::to_string(SchemaMigrations().back().version) +
                "): it was written by a newer atalaya; run that version or restore a backup");
  SQLite::Database db(path);
  EXPECT_FALSE(TableExists(db, "inbox")) << "a refused database must stay untouched";
  EXPECT_EQ(RecordedVersions(db), (std::vector<int>{999}));
}

TEST(Migrations, StoreRefusesFileThatIsNotADatabase) {
  TestDir dir;
  const std::string path = dir.File("notes.txt");
  {
    std::ofstream out(path);
    for (int i = 0; i < 100; ++i) out << "these are not the pages you are looking for\n";
  }
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(testing_util::Options(path));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), ErrorCode::kInternal);
  EXPECT_EQ(store.status().message(), "opening " + path + ": file is not a database");
}

TEST(Migrations, StoreRefusesBadOptions) {
  SqliteOptions options;
  EXPECT_EQ(OpenSqliteStore(options).status().message(), "store path is empty");
  options.path = "unused.db";
  options.max_batch = 0;
  EXPECT_EQ(OpenSqliteStore(options).status().message(), "max_batch must be > 0");
  options.max_batch = 1;
  options.max_waiting_writes = 0;
  EXPECT_EQ(OpenSqliteStore(options).status().message(), "max_waiting_writes must be > 0");
  options.max_waiting_writes = 1;
  options.commit_timeout_ms = 0;
  EXPECT_EQ(OpenSqliteStore(options).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(OpenSqliteStore(options).status().message(), "commit_timeout_ms must be > 0");
  EXPECT_FALSE(std::filesystem::exists("unused.db")) << "refused options create no file";
}

TEST(Migrations, StoreRefusesFolderThatDoesNotExist) {
  TestDir dir;
  const std::string path = dir.File("missing/atalaya.db");
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(testing_util::Options(path));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), ErrorCode::kInternal);
  EXPECT_EQ(store.status().message(), "opening " + path + ": unable to open database file");
}

}  // namespace
}  // namespace atalaya::store
