// The write-ahead log under writes that never pause: a PASSIVE checkpoint never catches up
// with a writer that commits every moment, so SQLite alone would never reuse the log from its
// start and it would grow with everything written. The Checkpointer asks, the writer resets
// it between two batches, and a reader still using the old log only postpones the reset.

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "store/checkpointer.h"
#include "store/connection.h"
#include "store/group_commit_writer.h"
#include "store/wal_restart_signal.h"
#include "store_test_util.h"

namespace atalaya::store {
namespace {

using testing_util::TestDir;

constexpr int kBlobBytes = 4096;      // one page of data per row
constexpr int kRestartAtFrames = 64;  // 256 KB: small, so a test writes little
constexpr auto kCheckpointEvery = std::chrono::milliseconds(5);

class WalRestart : public ::testing::Test {
 protected:
  void SetUp() override {
    SQLite::Database setup(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    setup.exec("PRAGMA journal_mode = WAL");
    setup.exec("CREATE TABLE item (id INTEGER PRIMARY KEY, data BLOB NOT NULL)");
  }

  void Start() {
    auto connection = std::make_unique<Connection>(path_, SQLite::OPEN_READWRITE, 1000);
    // What is measured is the log's length, not durability: no fsync keeps the test quick.
    connection->db().exec("PRAGMA synchronous = OFF");
    connection->db().exec("PRAGMA wal_autocheckpoint = 0");
    GroupCommitWriter::Options options;
    options.wal_restart = &signal_;
    writer_ = std::make_unique<GroupCommitWriter>(std::move(connection), options);
    checkpointer_ =
        std::make_unique<Checkpointer>(path_, kCheckpointEvery, &signal_, kRestartAtFrames);
  }

  // `threads` callers submitting rows back to back until `bytes` are written: the writer
  // always has a batch waiting.
  void WriteWithoutPause(int64_t bytes, int threads = 4) {
    const int64_t rows_each = bytes / kBlobBytes / threads;
    std::vector<std::thread> callers;
    for (int t = 0; t < threads; ++t) {
      callers.emplace_back([&] {
        for (int64_t i = 0; i < rows_each; ++i) {
          Status status = writer_->Submit([](Connection& conn) {
            Statement insert = conn.Prepare("INSERT INTO item (data) VALUES (zeroblob(?))");
            insert->bind(1, kBlobBytes);
            insert->exec();
            return Status::Ok();
          });
          if (!status.ok()) ++failed_;
        }
      });
    }
    for (std::thread& caller : callers) caller.join();
  }

  // The log file's size is its high-water mark: SQLite overwrites it from the start after a
  // reset and never shrinks it here.
  int64_t WalBytes() const {
    std::error_code error;
    const auto size = std::filesystem::file_size(path_ + "-wal", error);
    return error ? 0 : static_cast<int64_t>(size);
  }

  int64_t Rows() {
    SQLite::Database db(path_, SQLite::OPEN_READONLY);
    return db.execAndGet("SELECT count(*) FROM item").getInt64();
  }

  void TearDown() override {
    checkpointer_.reset();
    writer_.reset();
  }

  TestDir dir_;
  const std::string path_ = dir_.File("wal.db");
  WalRestartSignal signal_;
  std::unique_ptr<GroupCommitWriter> writer_;
  std::unique_ptr<Checkpointer> checkpointer_;
  std::atomic<int> failed_{0};
};

TEST_F(WalRestart, TheLogStaysShortWhileTheWriterNeverPauses) {
  Start();
  constexpr int64_t kWritten = 32 << 20;
  WriteWithoutPause(kWritten);

  EXPECT_EQ(failed_, 0);
  EXPECT_EQ(Rows(), kWritten / kBlobBytes);
  EXPECT_GT(writer_->Stats().wal_restarts, 0);
  // Without the resets the log holds every page written (57 MB for these 32 MB); with them,
  // what piles up between two checkpoint turns: 3 – 8 MB, more when a busy machine starves
  // the checkpointer thread for a while.
  EXPECT_LT(WalBytes(), kWritten / 2) << "restarts: " << writer_->Stats().wal_restarts;
}

TEST_F(WalRestart, AReaderOnTheOldLogPostponesTheResetWithoutStallingWrites) {
  Start();
  WriteWithoutPause(1 << 20);

  // A read transaction that sees the log as it is now, as a long export would.
  SQLite::Database reader(path_, SQLite::OPEN_READONLY);
  reader.exec("BEGIN");
  const int64_t rows_seen = reader.execAndGet("SELECT count(*) FROM item").getInt64();
  // The writer restarts after waking a batch's callers: one more unit, once done, means any
  // restart begun before the reader has been counted.
  ASSERT_TRUE(writer_->Submit([](Connection&) { return Status::Ok(); }).ok());
  const int64_t restarts_before = writer_->Stats().wal_restarts;

  WriteWithoutPause(4 << 20);
  const WriterStats held = writer_->Stats();

  EXPECT_EQ(failed_, 0);
  EXPECT_GT(held.wal_restarts_missed, 0)
      << "restarts: " << held.wal_restarts << ", log bytes: " << WalBytes();
  EXPECT_EQ(held.wal_restarts, restarts_before) << "the log was reset under a reader";
  EXPECT_EQ(reader.execAndGet("SELECT count(*) FROM item").getInt64(), rows_seen);

  reader.exec("COMMIT");
  // The next long-log turn of the Checkpointer resets it; on a busy machine that may take a
  // few more megabytes of writes.
  for (int more = 0; more < 32 && writer_->Stats().wal_restarts == restarts_before; ++more) {
    WriteWithoutPause(1 << 20);
  }
  EXPECT_GT(writer_->Stats().wal_restarts, restarts_before)
      << "missed: " << writer_->Stats().wal_restarts_missed;
}

TEST(WalRestartSignal, IsTakenOncePerRaise) {
  WalRestartSignal signal;
  EXPECT_FALSE(signal.Take());
  signal.Raise();
  signal.Raise();
  EXPECT_TRUE(signal.Take());
  EXPECT_FALSE(signal.Take());
}

}  // namespace
}  // namespace atalaya::store
