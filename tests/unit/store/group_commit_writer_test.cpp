// The group-commit writer, seen through the Store a webhook handler uses: batching under
// concurrency, overload, a stalled writer, a full disk, and per-request failure isolation.

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"
#include "store_test_util.h"

namespace atalaya::store {
namespace {

using testing_util::Delivery;
using testing_util::OpenOrDie;
using testing_util::Options;
using testing_util::TestDir;

constexpr int64_t kDayMs = 24 * 60 * 60 * 1000;

// Waits (generously: a test never asserts timings) until `condition` holds.
bool Eventually(const std::function<bool()>& condition) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < give_up) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

// Another process holding the database's write lock, as a stuck writer would.
class WriteLockHolder {
 public:
  explicit WriteLockHolder(const std::string& path) : db_(path, SQLite::OPEN_READWRITE) {
    db_.exec("BEGIN IMMEDIATE");
  }
  ~WriteLockHolder() { Release(); }
  void Release() {
    if (held_) db_.exec("ROLLBACK");
    held_ = false;
  }

 private:
  SQLite::Database db_;
  bool held_ = true;
};

TEST(GroupCommit, ConcurrentAppendsAreStoredOnceAndShareCommits) {
  TestDir dir;
  auto store = OpenOrDie(Options(dir.File("a.db")));
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100;
  std::atomic<int> stored{0};
  std::atomic<int> duplicates{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Every thread also delivers one body all the others deliver too (a platform retry
        // racing its original).
        for (const std::string& body :
             {"thread " + std::to_string(t) + " delivery " + std::to_string(i),
              "shared delivery " + std::to_string(i)}) {
          Result<AppendOutcome> outcome = store->AppendInbox(Delivery(body));
          if (!outcome.ok()) {
            ++errors;
          } else if (*outcome == AppendOutcome::kStored) {
            ++stored;
          } else {
            ++duplicates;
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(stored.load(), kThreads * kPerThread + kPerThread);
  EXPECT_EQ(duplicates.load(), (kThreads - 1) * kPerThread);
  Result<InboxStats> stats = store->GetInboxStats(0);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->total, kThreads * kPerThread + kPerThread);

  const WriterStats writer = store->GetWriterStats();
  EXPECT_EQ(writer.rows, 2 * kThreads * kPerThread);  // duplicates commit too (as no-ops)
  EXPECT_GT(writer.commits, 0);
  EXPECT_GT(static_cast<double>(writer.rows) / static_cast<double>(writer.commits), 1.0)
      << "concurrent writers should share commits";
  for (int b = 1; b < WriterStats::kBuckets; ++b) {
    EXPECT_LE(writer.commit_buckets[b - 1], writer.commit_buckets[b]) << "buckets are cumulative";
  }
  EXPECT_LE(writer.commit_buckets[WriterStats::kBuckets - 1], writer.commits);
  EXPECT_GT(writer.commit_ns_sum, 0);
  EXPECT_GT(writer.last_progress_ms, 0);
  EXPECT_EQ(writer.queue_depth, 0);
  EXPECT_TRUE(store->Healthy());
}

// Thread names as `top -H` and /proc/PID/task/*/comm show them.
std::vector<std::string> ThreadNames() {
  std::vector<std::string> names;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    std::getline(comm, name);
    names.push_back(name);
  }
  return names;
}

TEST(GroupCommit, WriterAndCheckpointerThreadsAreNamedForOperators) {
  TestDir dir;
  auto store = OpenOrDie(Options(dir.File("a.db")));
  ASSERT_NE(store, nullptr);
  auto running = [](const std::string& name) {
    const auto names = ThreadNames();
    return std::count(names.begin(), names.end(), name) == 1;
  };
  // Each thread names itself as it starts.
  EXPECT_TRUE(Eventually([&] { return running("store-writer"); }));
  EXPECT_TRUE(Eventually([&] { return running("checkpointer"); }));
  store.reset();
  const auto after = ThreadNames();
  EXPECT_EQ(std::count(after.begin(), after.end(), "store-writer"), 0);
}

TEST(GroupCommit, BatchesNeverExceedMaxBatch) {
  TestDir dir;
  SqliteOptions options = Options(dir.File("a.db"));
  options.max_batch = 1;
  auto store = OpenOrDie(options);
  ASSERT_NE(store, nullptr);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        EXPECT_TRUE(store->AppendInbox(Delivery(std::to_string(t) + "/" + std::to_string(i))).ok());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const WriterStats stats = store->GetWriterStats();
  EXPECT_EQ(stats.rows, 100);
  EXPECT_EQ(stats.commits, 100);
}

TEST(GroupCommit, OverQueueLimitIsRefusedAtOnce) {
  TestDir dir;
  SqliteOptions options = Options(dir.File("a.db"));
  options.max_waiting_writes = 2;
  options.commit_timeout_ms = 60'000;  // the two waiting writes must not time out here
  auto store = OpenOrDie(options);
  ASSERT_NE(store, nullptr);

  WriteLockHolder lock(options.path);
  std::vector<Result<AppendOutcome>> waited(2, Result<AppendOutcome>(AppendOutcome::kDuplicate));
  std::vector<std::thread> waiting;
  for (int i = 0; i < 2; ++i) {
    waiting.emplace_back(
        [&, i] { waited[i] = store->AppendInbox(Delivery("waiting " + std::to_string(i))); });
  }
  ASSERT_TRUE(Eventually([&] { return store->GetWriterStats().queue_depth == 2; }));

  Result<AppendOutcome> refused = store->AppendInbox(Delivery("one too many"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(refused.status().message(), "store overloaded: 2 writes waiting (limit 2)");
  EXPECT_FALSE(store->Healthy());
  EXPECT_EQ(store->GetWriterStats().rejected_overload, 1);

  lock.Release();
  for (std::thread& thread : waiting) thread.join();
  for (const auto& outcome : waited) {
    ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
    EXPECT_EQ(*outcome, AppendOutcome::kStored);
  }
  EXPECT_TRUE(store->Healthy()) << "a good commit ends the overload";
  Result<std::vector<InboxRow>> rows = store->PendingInbox(0, 10);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 2u) << "the refused delivery must not be stored";
}

TEST(GroupCommit, StalledWriterTimesOutThenRecovers) {
  TestDir dir;
  SqliteOptions options = Options(dir.File("a.db"));
  options.commit_timeout_ms = 200;
  auto store = OpenOrDie(options);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Healthy());

  WriteLockHolder lock(options.path);
  Result<AppendOutcome> late = store->AppendInbox(Delivery("stuck behind the lock"));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(late.status().message(),
            "store commit did not finish within 200 ms (the write may still land)");
  EXPECT_FALSE(store->Healthy()) << "a writer stuck past its deadline is not ready";
  EXPECT_EQ(store->GetWriterStats().timed_out, 1);
  // Reads do not wait for the writer.
  Result<std::vector<InboxRow>> rows = store->PendingInbox(0, 10);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_TRUE(rows->empty());

  lock.Release();
  ASSERT_TRUE(Eventually([&] { return store->Healthy(); }));
  // The platform retries the delivery that got a 503: it landed meanwhile, so it is a
  // duplicate now, acknowledged and not stored twice.
  Result<AppendOutcome> retry = store->AppendInbox(Delivery("stuck behind the lock"));
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_EQ(*retry, AppendOutcome::kDuplicate);
  EXPECT_GT(store->GetWriterStats().last_progress_ms, 0);
}

TEST(GroupCommit, TimedOutWriteStillLandsWhenStoreClosesRightAfter) {
  TestDir dir;
  SqliteOptions options = Options(dir.File("a.db"));
  options.commit_timeout_ms = 100;
  {
    auto store = OpenOrDie(options);
    ASSERT_NE(store, nullptr);
    WriteLockHolder lock(options.path);
    EXPECT_EQ(store->AppendInbox(Delivery("late")).status().code(), ErrorCode::kUnavailable);
    lock.Release();
    // The destructor drains the queue before it returns.
  }
  auto reopened = OpenOrDie(options);
  ASSERT_NE(reopened, nullptr);
  Result<std::vector<InboxRow>> rows = reopened->PendingInbox(0, 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].body, "late");
}

TEST(GroupCommit, FailingRequestDoesNotFailItsBatch) {
  TestDir dir;
  SqliteOptions options = Options(dir.File("a.db"));
  options.commit_timeout_ms = 60'000;
  auto store = OpenOrDie(options);
  ASSERT_NE(store, nullptr);

  WriteLockHolder lock(options.path);
  // The first request occupies the writer (stuck on the lock); the next two queue behind it
  // and are then committed together in one transaction.
  Result<AppendOutcome> first(AppendOutcome::kDuplicate);
  std::thread t1([&] { first = store->AppendInbox(Delivery("first")); });
  ASSERT_TRUE(Eventually([&] { return store->GetWriterStats().queue_depth == 1; }));
  Result<IngestOutcome> bad(IngestOutcome{});
  Result<AppendOutcome> good(AppendOutcome::kDuplicate);
  std::thread t2([&] { bad = store->CommitIngest(424242, {}, 5); });
  ASSERT_TRUE(Eventually([&] { return store->GetWriterStats().queue_depth == 2; }));
  std::thread t3([&] { good = store->AppendInbox(Delivery("second")); });
  ASSERT_TRUE(Eventually([&] { return store->GetWriterStats().queue_depth == 3; }));
  lock.Release();
  t1.join();
  t2.join();
  t3.join();

  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(bad.status().message(), "inbox row 424242 does not exist");
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(*good, AppendOutcome::kStored);
  const WriterStats stats = store->GetWriterStats();
  EXPECT_EQ(stats.commits, 2) << "the failing request and its neighbour shared one commit";
  EXPECT_EQ(stats.rows, 2);
  EXPECT_EQ(stats.failed_commits, 0);
  EXPECT_TRUE(store->Healthy()) << "a caller's own mistake is not an engine failure";
}

TEST(GroupCommit, DiskFullIsResourceExhaustedAndReadsKeepWorking) {
  TestDir dir;
  SqliteOptions options = Options(dir.File("a.db"));
  options.max_size_bytes = 512 * 1024;
  auto store = OpenOrDie(options);
  ASSERT_NE(store, nullptr);

  Status full;
  int stored = 0;
  for (int i = 0; i < 1000 && full.ok(); ++i) {
    std::string body(16 * 1024, static_cast<char>('a' + i % 26));
    body += std::to_string(i);
    Result<AppendOutcome> outcome = store->AppendInbox(Delivery(body));
    if (outcome.ok()) {
      ++stored;
    } else {
      full = outcome.status();
    }
  }
  ASSERT_FALSE(full.ok()) << "the size cap was never reached";
  EXPECT_EQ(full.code(), ErrorCode::kResourceExhausted);
  EXPECT_EQ(full.message().rfind("append inbox: disk full", 0), 0u) << full.message();
  EXPECT_GT(stored, 0);
  EXPECT_FALSE(store->Healthy());

  Result<std::vector<InboxRow>> rows = store->PendingInbox(0, 10'000);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(static_cast<int>(rows->size()), stored);
  Result<InboxStats> stats = store->GetInboxStats(0);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->backlog, stored);
}

TEST(GroupCommit, HealthyAgainOnceSpaceIsFreed) {
  TestDir dir;
  SqliteOptions options = Options(dir.File("a.db"));
  options.max_size_bytes = 512 * 1024;
  auto store = OpenOrDie(options);
  ASSERT_NE(store, nullptr);
  const int64_t t0 = 1'700'000'000'000;
  Status full;
  for (int i = 0; i < 1000 && full.ok(); ++i) {
    Result<AppendOutcome> outcome =
        store->AppendInbox(Delivery(std::string(16 * 1024, 'x') + std::to_string(i), t0));
    full = outcome.status();
    // Normalized at once, so retention may remove it later (unless that write hits the cap).
    if (outcome.ok()) full = store->CommitIngest(i + 1, {}, t0).status();
  }
  ASSERT_EQ(full.code(), ErrorCode::kResourceExhausted) << full.ToString();
  EXPECT_FALSE(store->Healthy());

  // The operator frees space (here: retention with short windows) and writes work again.
  Result<int64_t> pruned = store->Prune(t0 + 10 * kDayMs, 1, 1);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_GT(*pruned, 0);
  Result<AppendOutcome> after = store->AppendInbox(Delivery("fits again", t0));
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_TRUE(store->Healthy());
}

}  // namespace
}  // namespace atalaya::store
