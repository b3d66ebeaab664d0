// The inbox's dedup by body hash, wherever the key lives at the time: in memory while the row
// waits for ingest, in inbox_keys once processed, across a reopen, past the in-memory cap,
// after a rolled-back append, and in a database written before migration 6.

#include "store/inbox_keys.h"

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "common/crypto.h"
#include "store/connection.h"
#include "store/migrations.h"
#include "store/store.h"
#include "store_test_util.h"

namespace atalaya::store {
namespace {

using testing_util::Delivery;
using testing_util::Item;
using testing_util::OpenOrDie;
using testing_util::Options;
using testing_util::TestDir;

std::string Body(int i) {
  return R"({"object":"whatsapp_business_account","n":)" + std::to_string(i) + "}";
}

AppendOutcome Append(Store& store, const std::string& body) {
  Result<AppendOutcome> outcome = store.AppendInbox(Delivery(body));
  EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
  return outcome.ok() ? *outcome : AppendOutcome::kDuplicate;
}

// Normalizes every pending row (with no events), as the ingest worker would.
void ProcessAll(Store& store) {
  Result<std::vector<InboxRow>> rows = store.PendingInbox(0, 100'000);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  std::vector<IngestItem> items;
  for (const InboxRow& row : *rows) items.push_back(Item(row.id, {}));
  for (const auto& outcome : store.CommitIngestBatch(items, 2'000)) {
    ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  }
}

int64_t Count(SQLite::Database& db, const std::string& sql) {
  return db.execAndGet(sql).getInt64();
}

TEST(InboxKeys, RetryIsADuplicateBeforeAndAfterItsRowIsProcessed) {
  TestDir dir;
  auto store = OpenOrDie(Options(dir.File("a.db")));
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Append(*store, Body(1)), AppendOutcome::kStored);
  EXPECT_EQ(Append(*store, Body(1)), AppendOutcome::kDuplicate) << "pending";
  ProcessAll(*store);
  EXPECT_EQ(Append(*store, Body(1)), AppendOutcome::kDuplicate) << "processed";
  EXPECT_EQ(Append(*store, Body(2)), AppendOutcome::kStored);
  EXPECT_EQ(store->GetInboxStats(0)->total, 2);
  store.reset();

  SQLite::Database db(dir.File("a.db"));
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM inbox"), 2);
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM inbox_keys"), 1) << "only the processed row's key";
}

TEST(InboxKeys, RetryIsADuplicateAfterAReopenWhetherProcessedOrNot) {
  TestDir dir;
  {
    auto store = OpenOrDie(Options(dir.File("a.db")));
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(Append(*store, Body(1)), AppendOutcome::kStored);
    ProcessAll(*store);
    EXPECT_EQ(Append(*store, Body(2)), AppendOutcome::kStored);  // left pending
  }
  auto store = OpenOrDie(Options(dir.File("a.db")));
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Append(*store, Body(1)), AppendOutcome::kDuplicate) << "processed before the reopen";
  EXPECT_EQ(Append(*store, Body(2)), AppendOutcome::kDuplicate) << "pending across the reopen";
  EXPECT_EQ(Append(*store, Body(3)), AppendOutcome::kStored);
  EXPECT_EQ(store->GetInboxStats(0)->total, 3);
  EXPECT_EQ(store->GetInboxStats(0)->backlog, 2);
}

TEST(InboxKeys, PastTheInMemoryCapKeysGoToDiskAndStillDedup) {
  TestDir dir;
  SqliteOptions options = Options(dir.File("a.db"));
  options.max_pending_keys = 2;
  {
    auto store = OpenOrDie(options);
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(Append(*store, Body(i)), AppendOutcome::kStored);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(Append(*store, Body(i)), AppendOutcome::kDuplicate) << i;
    EXPECT_EQ(store->GetInboxStats(0)->total, 5) << "keys on disk are not counted twice";
  }
  {
    SQLite::Database db(dir.File("a.db"));
    EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM inbox_keys"), 3) << "the 3 past the cap of 2";
  }
  // Reopened with the same cap and five pending rows: two keys in memory, the rest on disk.
  auto store = OpenOrDie(options);
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Append(*store, Body(i)), AppendOutcome::kDuplicate) << i;
  ProcessAll(*store);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Append(*store, Body(i)), AppendOutcome::kDuplicate) << i;
  EXPECT_EQ(Append(*store, Body(5)), AppendOutcome::kStored) << "room in memory again";
  EXPECT_EQ(store->GetInboxStats(0)->total, 6);
}

// A key recorded in memory by an append whose transaction then rolled back must not make
// the body a duplicate: acknowledging it would lose it.
TEST(InboxKeys, AnAppendThatRolledBackLeavesNoDuplicateBehind) {
  TestDir dir;
  const std::string path = dir.File("a.db");
  ASSERT_NE(OpenOrDie(Options(path)), nullptr);  // creates the schema
  Connection conn(path, SQLite::OPEN_READWRITE, 1000);
  PendingInboxKeys pending(100);
  const InboxDelivery x = Delivery(Body(1));
  const InboxDelivery y = Delivery(Body(2));

  conn.db().exec("BEGIN");
  ASSERT_EQ(*AppendInboxRow(conn, pending, Sha256(x.body), x), AppendOutcome::kStored);
  conn.db().exec("ROLLBACK");
  conn.db().exec("BEGIN");
  // The same id goes to another body first.
  ASSERT_EQ(*AppendInboxRow(conn, pending, Sha256(y.body), y), AppendOutcome::kStored);
  EXPECT_EQ(*AppendInboxRow(conn, pending, Sha256(x.body), x), AppendOutcome::kStored);
  EXPECT_EQ(*AppendInboxRow(conn, pending, Sha256(x.body), x), AppendOutcome::kDuplicate);
  conn.db().exec("COMMIT");
  EXPECT_EQ(Count(conn.db(), "SELECT COUNT(*) FROM inbox"), 2);
  EXPECT_EQ(pending.size(), 2u);
}

// What a build before migration 6 left: the key UNIQUE on the inbox itself, one row
// processed and one pending.
TEST(InboxKeys, MigrationSixKeepsEveryRowAndItsDedup) {
  TestDir dir;
  const std::string path = dir.File("a.db");
  const std::string processed = Body(1), pending = Body(2);
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    Result<int> applied = ApplyMigrations(db, SchemaMigrations().first(5), 500);
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();
    SQLite::Statement insert(db,
                             "INSERT INTO inbox (body_sha256, route, body, received_ms, "
                             "processed_ms) VALUES (?, 'whatsapp', ?, 1000, ?)");
    const std::vector<std::pair<std::string, bool>> rows = {{processed, true}, {pending, false}};
    for (const auto& [body, is_processed] : rows) {
      const std::string sha256 = Sha256(body);
      insert.bind(1, sha256.data(), static_cast<int>(sha256.size()));
      insert.bind(2, body);
      if (is_processed) {
        insert.bind(3, 1001);
      } else {
        insert.bind(3);
      }
      insert.exec();
      insert.reset();
    }
  }
  auto store = OpenOrDie(Options(path));
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Append(*store, processed), AppendOutcome::kDuplicate);
  EXPECT_EQ(Append(*store, pending), AppendOutcome::kDuplicate);
  EXPECT_EQ(Append(*store, Body(3)), AppendOutcome::kStored);
  Result<InboxStats> stats = store->GetInboxStats(0);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->total, 3);
  EXPECT_EQ(stats->backlog, 2);
  Result<std::vector<InboxRow>> rows = store->PendingInbox(0, 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].body, pending) << "bodies copied byte-exact";
}

}  // namespace
}  // namespace atalaya::store
