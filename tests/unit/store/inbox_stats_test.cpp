// GetInboxStats on a big backlog: right figures, and (printed, never asserted) how long it
// takes next to the v1 query that read every pending row with its body.

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

TEST(InboxStats, FiftyThousandRowBacklogIsCountedFromIndexes) {
  TestDir dir;
  const std::string path = dir.File("big.db");
  auto store = OpenOrDie(Options(path));
  ASSERT_NE(store, nullptr);
  {
    // Filled behind the store's back, in one transaction: 50,000 appends through the writer
    // would only measure fsync.
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    SQLite::Transaction transaction(db);
    SQLite::Statement insert(db,
                             "INSERT INTO inbox (body_sha256, route, body, received_ms, "
                             "processed_ms) VALUES (randomblob(32), 'whatsapp', ?, ?, ?)");
    const std::string body(2'000, 'x');  // a typical webhook body
    for (int i = 1; i <= kRows; ++i) {
      insert.bind(1, body.data(), static_cast<int>(body.size()));
      insert.bind(2, int64_t{1'000'000} + i);
      if (i <= kProcessed) {
        insert.bind(3, int64_t{2'000'000} + i);
      } else {
        insert.bind(3);
      }
      insert.exec();
      insert.reset();
    }
    // As ingest leaves them: every processed row's dedup key is in inbox_keys.
    db.exec(
        "INSERT INTO inbox_keys (inbox_id, body_sha256) "
        "SELECT id, body_sha256 FROM inbox WHERE processed_ms IS NOT NULL");
    transaction.commit();
    db.exec("ANALYZE");  // statistics make the planner prefer table scans: stats must not
  }

  Result<InboxStats> stats = store->GetInboxStats(0);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->backlog, kRows - kProcessed);
  EXPECT_EQ(stats->oldest_backlog_ms, 1'000'000 + kProcessed + 1);
  EXPECT_EQ(stats->total, kRows);

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

}  // namespace
}  // namespace atalaya::store
