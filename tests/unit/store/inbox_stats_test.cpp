// GetInboxStats and GetInboxBacklog on big inboxes: right figures, and (printed, never
// asserted) how long they take, next to the v1 query that read every pending row with its
// body, and with a long history behind a short backlog.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "store/store.h"
#include "store_test_util.h"

namespace atalaya::store {
namespace {

using testing_util::OpenOrDie;
using testing_util::Options;
using testing_util::TestDir;

constexpr int kRows = 50'000;
constexpr int kProcessed = 10'000;  // the first rows are done; the rest is the backlog

template <typename Fn>
double MedianMs(Fn fn) {
  std::vector<double> ms;
  for (int i = 0; i < 5; ++i) {
    const auto start = std::chrono::steady_clock::now();
    fn();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

// Fills the inbox behind the store's back, in one transaction (appends through the writer
// would only measure fsync): `rows` rows received at 1,000,000 + id ms, the first `processed`
// of them processed with their keys in inbox_keys, as ingest leaves them.
void FillInbox(const std::string& path, int rows, int processed, size_t body_bytes = 2'000) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE);
  SQLite::Transaction transaction(db);
  SQLite::Statement insert(db,
                           "INSERT INTO inbox (body_sha256, route, body, received_ms, "
                           "processed_ms) VALUES (randomblob(32), 'whatsapp', ?, ?, ?)");
  const std::string body(body_bytes, 'x');
  for (int i = 1; i <= rows; ++i) {
    insert.bind(1, body.data(), static_cast<int>(body.size()));
    insert.bind(2, int64_t{1'000'000} + i);
    if (i <= processed) {
      insert.bind(3, int64_t{2'000'000} + i);
    } else {
      insert.bind(3);
    }
    insert.exec();
    insert.reset();
  }
  db.exec(
      "INSERT INTO inbox_keys (inbox_id, body_sha256) "
      "SELECT id, body_sha256 FROM inbox WHERE processed_ms IS NOT NULL");
  transaction.commit();
  db.exec("ANALYZE");  // statistics make the planner prefer table scans: reads must not
}

TEST(InboxStats, FiftyThousandRowBacklogIsCountedFromIndexes) {
  TestDir dir;
  const std::string path = dir.File("big.db");
  auto store = OpenOrDie(Options(path));
  ASSERT_NE(store, nullptr);
  FillInbox(path, kRows, kProcessed);

  Result<InboxStats> stats = store->GetInboxStats(0);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->backlog, kRows - kProcessed);
  EXPECT_EQ(stats->oldest_backlog_ms, 1'000'000 + kProcessed + 1);
  EXPECT_EQ(stats->total, kRows);
  Result<InboxBacklog> backlog = store->GetInboxBacklog();
  ASSERT_TRUE(backlog.ok()) << backlog.status().ToString();
  EXPECT_EQ(backlog->rows, kRows - kProcessed);
  EXPECT_EQ(backlog->oldest_received_ms, 1'000'000 + kProcessed + 1);

  const double now_ms = MedianMs([&] { ASSERT_TRUE(store->GetInboxStats(0).ok()); });
  SQLite::Database reader(path, SQLite::OPEN_READONLY);
  const double v1_ms = MedianMs([&] {
    SQLite::Statement v1(reader,
                         "SELECT (SELECT COUNT(*) FROM inbox WHERE processed_ms IS NULL), "
                         "(SELECT MIN(received_ms) FROM inbox WHERE processed_ms IS NULL), "
                         "(SELECT COUNT(*) FROM inbox)");
    ASSERT_TRUE(v1.executeStep());
    EXPECT_EQ(v1.getColumn(0).getInt64(), kRows - kProcessed) << "the reference must agree";
  });
  std::printf(
      "inbox stats, %d rows, %d pending, 2 KB bodies (store_test "
      "--gtest_filter=InboxStats.*): GetInboxStats %.2f ms, v1 query %.2f ms (median of 5)\n",
      kRows, kRows - kProcessed, now_ms, v1_ms);
}

// What /metrics reads: a daemon that has kept a month of webhooks and is nearly caught up.
TEST(InboxStats, BacklogBehindLongHistoryReadsOnlyTheBacklog) {
  constexpr int kHistory = 100'000;
  constexpr int kPending = 25;
  TestDir dir;
  const std::string path = dir.File("history.db");
  auto store = OpenOrDie(Options(path));
  ASSERT_NE(store, nullptr);
  FillInbox(path, kHistory + kPending, kHistory, 100);  // short bodies: only keys are read

  Result<InboxBacklog> backlog = store->GetInboxBacklog();
  ASSERT_TRUE(backlog.ok()) << backlog.status().ToString();
  EXPECT_EQ(backlog->rows, kPending);
  EXPECT_EQ(backlog->oldest_received_ms, 1'000'000 + kHistory + 1);

  const double backlog_ms = MedianMs([&] { ASSERT_TRUE(store->GetInboxBacklog().ok()); });
  const double stats_ms = MedianMs([&] { ASSERT_TRUE(store->GetInboxStats(0).ok()); });
  std::printf(
      "inbox backlog of %d rows behind %d processed (store_test "
      "--gtest_filter=InboxStats.*): GetInboxBacklog %.3f ms, GetInboxStats %.2f ms "
      "(median of 5)\n",
      kPending, kHistory, backlog_ms, stats_ms);
}

// Processing rows takes them off the backlog at once, and the oldest moves to the next one.
TEST(InboxStats, BacklogFollowsProcessing) {
  TestDir dir;
  const std::string path = dir.File("follow.db");
  auto store = OpenOrDie(Options(path));
  ASSERT_NE(store, nullptr);
  FillInbox(path, 5, 0);
  ASSERT_EQ(store->GetInboxBacklog()->rows, 5);

  std::vector<IngestItem> items(2);
  items[0].inbox_id = 1;
  items[1].inbox_id = 2;
  for (const Result<IngestOutcome>& outcome : store->CommitIngestBatch(items, 3'000'000)) {
    ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  }
  Result<InboxBacklog> backlog = store->GetInboxBacklog();
  ASSERT_TRUE(backlog.ok()) << backlog.status().ToString();
  EXPECT_EQ(backlog->rows, 3);
  EXPECT_EQ(backlog->oldest_received_ms, 1'000'003);
  EXPECT_EQ(store->GetInboxStats(0)->total, 5) << "processed rows are still kept";
}

}  // namespace
}  // namespace atalaya::store
