#include "store/group_commit_writer.h"

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

#include <chrono>
#include <string>
#include <utility>

#include "common/one_shot_event.h"
#include "common/thread_name.h"
#include "store/sqlite_error.h"

namespace atalaya::store {
namespace {

int64_t MonotonicNs() {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}

int64_t WallMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Codes that say the engine itself is in trouble, as opposed to one request's own mistake.
bool IsEngineFailure(const Status& status) {
  return status.code() == ErrorCode::kResourceExhausted || status.code() == ErrorCode::kInternal ||
         status.code() == ErrorCode::kUnavailable;
}

// How long the writer waits for more requests to join a batch once it has seen concurrent
// writers; short against an fsync, long against the handlers' own work.
constexpr auto kGatherWindow = std::chrono::microseconds(200);

// How long a WAL restart waits for readers still using the old WAL before giving up until the
// Checkpointer asks again: every caller queued meanwhile waits too.
constexpr int kWalRestartBusyTimeoutMs = 2;

}  // namespace

struct GroupCommitWriter::Request {
  Work work;
  int64_t enqueued_ns = 0;
  Status result;  // written by the writer before `done` is set, read by the caller after
  // One per request: waking only the callers of the finished batch, each without taking mu_
  // again (they would queue on it one after another).
  OneShotEvent done;
};

GroupCommitWriter::GroupCommitWriter(std::unique_ptr<Connection> connection, Options options)
    : connection_(std::move(connection)),
      db_(connection_->db()),
      options_(options),
      thread_(&GroupCommitWriter::Run, this) {}

GroupCommitWriter::~GroupCommitWriter() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  thread_.join();
}

Status GroupCommitWriter::Submit(Work work) {
  std::vector<Work> one;
  one.push_back(std::move(work));
  return SubmitAll(std::move(one)).front();
}

std::vector<Status> GroupCommitWriter::SubmitAll(std::vector<Work> works) {
  return Wait(Enqueue(std::move(works)));
}

GroupCommitWriter::Ticket GroupCommitWriter::Enqueue(std::vector<Work> works) {
  const int64_t now_ns = MonotonicNs();
  Ticket ticket;
  ticket.deadline_ =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.commit_timeout_ms);
  for (Work& work : works) {
    auto request = std::make_shared<Request>();
    request->work = std::move(work);
    request->enqueued_ns = now_ns;
    ticket.requests_.push_back(std::move(request));
  }
  const size_t count = ticket.requests_.size();

  std::unique_lock lock(mu_);
  if (stopping_) {
    ticket.refused_.assign(count, Unavailable("store is closing"));
    return ticket;
  }
  if (unfinished_ + count > options_.max_waiting_writes) {
    ++stats_.rejected_overload;
    overloaded_ = true;
    const std::string more = count == 1 ? "" : ", " + std::to_string(count) + " more do not fit";
    ticket.refused_.assign(
        count, Unavailable("store overloaded: " + std::to_string(unfinished_) + " writes waiting" +
                           more + " (limit " + std::to_string(options_.max_waiting_writes) + ")"));
    return ticket;
  }
  for (const auto& request : ticket.requests_) queue_.push_back(request);
  unfinished_ += count;
  // Only when the writer waits for this many: waking it for every request of a batch it is
  // still gathering costs two context switches each and gains nothing.
  if (writer_wakes_at_ > 0 && queue_.size() >= writer_wakes_at_) work_cv_.notify_one();
  return ticket;
}

std::vector<Status> GroupCommitWriter::Wait(Ticket ticket) {
  if (!ticket.refused_.empty()) return std::move(ticket.refused_);
  std::vector<Status> results;
  results.reserve(ticket.requests_.size());
  for (const auto& request : ticket.requests_) {
    if (!request->done.WaitUntil(ticket.deadline_)) {
      std::lock_guard lock(mu_);
      ++stats_.timed_out;
      results.push_back(Unavailable("store commit did not finish within " +
                                    std::to_string(options_.commit_timeout_ms) +
                                    " ms (the write may still land)"));
      continue;
    }
    results.push_back(request->result);
  }
  return results;
}

void GroupCommitWriter::Run() {
  NameThisThread("store-writer");
  // The writer runs at the default priority. Raised (nice -10), it preempted the handlers at
  // every wake-up and committed half-size batches, for about 10% more CPU per acknowledged
  // webhook in bench/ingest and no better latency.
  size_t previous_batch_size = 0;
  for (;;) {
    Batch batch;
    {
      std::unique_lock lock(mu_);
      writer_wakes_at_ = 1;
      work_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is done
      if (previous_batch_size > 1 && !stopping_) {
        // Under concurrency, give the other handlers a moment to enqueue: one commit (one
        // fsync, one WAL append) then serves many of them instead of one or two. Waiting for
        // as many as last time, not more: with every client already in a batch, a larger
        // target is never reached and each batch waited out the whole window (bench/ingest,
        // 32 connections: 16-write batches waiting for 32).
        writer_wakes_at_ = previous_batch_size;
        work_cv_.wait_for(lock, kGatherWindow,
                          [&] { return stopping_ || queue_.size() >= writer_wakes_at_; });
      }
      writer_wakes_at_ = 0;  // busy from here: it looks at the queue again when done
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      batch_oldest_ns_ = batch.front()->enqueued_ns;
    }
    previous_batch_size = batch.size();
    ExecuteBatch(batch);
    RestartWalIfAsked();
  }
}

void GroupCommitWriter::RestartWalIfAsked() {
  if (options_.wal_restart == nullptr || !options_.wal_restart->Take()) return;
  sqlite3* db = db_.getHandle();
  sqlite3_busy_timeout(db, kWalRestartBusyTimeoutMs);
  int wal_frames = 0;
  int copied_frames = 0;
  const int rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_RESTART, &wal_frames,
                                           &copied_frames);
  sqlite3_busy_timeout(db, connection_->busy_timeout_ms());
  // SQLITE_BUSY: a reader still uses the old WAL, or the Checkpointer is running again (an
  // I/O error counts the same; the next commit reports it to its callers). The WAL keeps
  // growing until the Checkpointer's next pass asks again.
  std::lock_guard lock(mu_);
  ++(rc == SQLITE_OK ? stats_.wal_restarts : stats_.wal_restarts_missed);
}

void GroupCommitWriter::Exec(const std::string& sql) {
  // The transaction statements run several times per batch: prepared once, not per use.
  connection_->Prepare(sql)->exec();
}

Status GroupCommitWriter::BeginWithRetry() {
  int64_t stop_seen_ns = 0;
  for (;;) {
    try {
      Exec("BEGIN IMMEDIATE");
      return Status::Ok();
    } catch (const SQLite::Exception& e) {
      if (e.getErrorCode() != SQLITE_BUSY && e.getErrorCode() != SQLITE_LOCKED) {
        return StatusFromException(e, "begin write transaction");
      }
    }
    // Another connection holds the write lock; the busy timeout already waited a little.
    // Keep trying: callers time out on their own, and the work lands once the lock is free.
    std::lock_guard lock(mu_);
    if (!stopping_) continue;
    const int64_t now = MonotonicNs();
    if (stop_seen_ns == 0) stop_seen_ns = now;
    if (now - stop_seen_ns > options_.commit_timeout_ms * 1'000'000) {
      return Unavailable("store is closing while another process holds the database lock");
    }
  }
}

void GroupCommitWriter::ExecuteBatch(Batch& batch) {
  const int64_t started_ns = MonotonicNs();
  std::vector<Status> results(batch.size());
  std::vector<bool> decided(batch.size(), false);  // failed on its own: not affected by COMMIT

  auto fail_rest = [&](const Status& status) {
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!decided[i]) results[i] = status;
    }
  };
  auto in_transaction = [&] { return sqlite3_get_autocommit(db_.getHandle()) == 0; };

  bool committed = false;
  for (bool restart = true; restart;) {
    restart = false;
    if (Status begun = BeginWithRetry(); !begun.ok()) {
      fail_rest(begun);
      break;
    }
    for (size_t i = 0; i < batch.size() && !restart; ++i) {
      if (decided[i]) continue;
      // No savepoint per request: two more statements for every row, and a request that
      // fails has almost always written nothing (SQLite undoes a failed statement itself).
      const int64_t changes_before = sqlite3_total_changes64(db_.getHandle());
      Status status;
      try {
        status = batch[i]->work(*connection_);
      } catch (const std::exception& e) {
        status = StatusFromException(e, "store write");
      }
      results[i] = status;
      if (status.ok()) continue;
      decided[i] = true;
      if (in_transaction() && sqlite3_total_changes64(db_.getHandle()) == changes_before) {
        continue;  // it left nothing behind: the batch goes on
      }
      // It wrote before it failed, or SQLite rolled back the whole transaction (it may on
      // SQLITE_FULL or I/O errors): only a new transaction undoes its writes, so the requests
      // before this one run again in it.
      if (in_transaction()) {
        try {
          db_.exec("ROLLBACK");
        } catch (const std::exception&) {
        }
      }
      restart = true;
    }
    if (restart) continue;
    try {
      Exec("COMMIT");
      committed = true;
    } catch (const std::exception& e) {
      fail_rest(StatusFromException(e, "commit"));
      if (in_transaction()) {
        try {
          db_.exec("ROLLBACK");
        } catch (const std::exception&) {
        }
      }
    }
  }

  const int64_t elapsed_ns = MonotonicNs() - started_ns;
  std::unique_lock lock(mu_);
  int64_t ok_rows = 0;
  bool engine_failed = false;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (results[i].ok()) ++ok_rows;
    if (IsEngineFailure(results[i])) engine_failed = true;
  }
  unfinished_ -= batch.size();
  batch_oldest_ns_ = 0;
  if (committed) {
    ++stats_.commits;
    stats_.rows += ok_rows;
    stats_.commit_ns_sum += elapsed_ns;
    const double elapsed_ms = static_cast<double>(elapsed_ns) / 1e6;
    for (int b = 0; b < WriterStats::kBuckets; ++b) {
      if (elapsed_ms <= WriterStats::kCommitBucketsMs[b]) ++stats_.commit_buckets[b];
    }
    if (ok_rows > 0) stats_.last_progress_ms = WallMs();
  } else {
    ++stats_.failed_commits;
  }
  if (engine_failed) {
    failing_ = true;
  } else if (committed && ok_rows > 0) {
    failing_ = false;
    overloaded_ = false;
  }
  lock.unlock();
  for (size_t i = 0; i < batch.size(); ++i) {
    batch[i]->result = std::move(results[i]);
    batch[i]->done.Set();
  }
}

WriterStats GroupCommitWriter::Stats() const {
  std::lock_guard lock(mu_);
  WriterStats stats = stats_;
  stats.queue_depth = static_cast<int64_t>(unfinished_);
  return stats;
}

int64_t GroupCommitWriter::OldestWaitingNs() const {
  if (batch_oldest_ns_ != 0) return batch_oldest_ns_;
  return queue_.empty() ? 0 : queue_.front()->enqueued_ns;
}

bool GroupCommitWriter::Healthy() const {
  std::lock_guard lock(mu_);
  if (failing_ || overloaded_) return false;
  const int64_t oldest = OldestWaitingNs();
  return oldest == 0 || MonotonicNs() - oldest <= options_.commit_timeout_ms * 1'000'000;
}

}  // namespace atalaya::store
