#pragma once
// GroupCommitWriter: the one thread that writes to the SQLite database.
//
// Callers hand it units of work (functions that run SQL on the write connection) and block
// until their work is durable (Submit), or queue them and wait later (Enqueue, then Wait).
// The writer takes everything pending (up to max_batch) into ONE transaction, then one COMMIT
// (one fsync) makes the whole batch durable and every caller is woken with its own result. A unit
// that fails (a constraint, a "not found") fails alone: SQLite undoes the failed statement itself,
// so a unit that wrote nothing before failing costs the others nothing; one that did write
// (sqlite3_total_changes moved) is undone by rolling the transaction back and running the others
// again in a new one. Units run without a savepoint of their own because it cost two more
// statements for every row.
//
// Ownership: the writer owns the write connection and its thread. Work functions run on the
// writer thread and must own (capture by value) everything they touch, because a caller that
// times out returns while its work may still run later.
//
// Threads: Submit, Enqueue, Wait, Stats and Healthy may be called from any thread. The
// destructor stops taking new work, drains what is queued, and joins.
//
// Errors from Submit: kUnavailable when more than max_waiting_writes units are waiting (at
// once, nothing queued) or when the caller waited longer than commit_timeout_ms (the work may
// still land later); kResourceExhausted when the disk is full; otherwise the work's own Status
// or the mapped SQLite error.
//
// "Waiting" counts every unit not finished yet, including those whose callers already timed
// out: they still occupy the writer. Healthy() is false while the last batch hit an engine
// failure (disk full, I/O), after a refusal for overload, or while the oldest waiting unit is
// older than commit_timeout_ms; the first commit that stores something clears the first two.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/status.h"
#include "store/connection.h"
#include "store/store.h"
#include "store/wal_restart_signal.h"

namespace atalaya::store {

class GroupCommitWriter {
 public:
  struct Options {
    size_t max_waiting_writes = 4096;
    int64_t commit_timeout_ms = 5000;
    size_t max_batch = 1024;
    // Raised by the Checkpointer when the WAL is long: the writer restarts it between two
    // batches. Null: never (the WAL is then reset only when a checkpoint catches up).
    WalRestartSignal* wal_restart = nullptr;
  };
  // Runs on the writer thread inside the batch's transaction. May throw SQLite exceptions
  // (mapped by the writer) or return a non-OK Status; either undoes this unit's writes only.
  // May run more than once (after a rollback), so its effects outside SQLite must tolerate a
  // re-run. Must change the database through INSERT, UPDATE and DELETE only (no DDL, no
  // writing PRAGMA): those are what sqlite3_total_changes counts.
  using Work = std::function<Status(Connection&)>;

  GroupCommitWriter(std::unique_ptr<Connection> connection, Options options);
  ~GroupCommitWriter();
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

 private:
  struct Request;

 public:
  // Units queued together by Enqueue, to Wait for. Move-only; dropping it without waiting
  // leaves the units to run all the same.
  class Ticket {
   public:
    Ticket() = default;
    Ticket(Ticket&&) = default;
    Ticket& operator=(Ticket&&) = default;

   private:
    friend class GroupCommitWriter;
    std::vector<std::shared_ptr<Request>> requests_;
    std::vector<Status> refused_;  // all refused at once (overload, stopping)
    std::chrono::steady_clock::time_point deadline_;
  };

  // Blocks until `work` is committed, failed, or the commit deadline passed.
  Status Submit(Work work);
  // Queues all `works` at once, so they share transactions (up to max_batch each), and
  // returns one Status per work, in order. All are refused together when they do not fit
  // under max_waiting_writes.
  std::vector<Status> SubmitAll(std::vector<Work> works);
  // SubmitAll in two steps, so the caller can work while its units commit: Enqueue returns
  // at once (the commit deadline runs from here), Wait blocks for the statuses.
  Ticket Enqueue(std::vector<Work> works);
  std::vector<Status> Wait(Ticket ticket);

  WriterStats Stats() const;
  bool Healthy() const;

 private:
  using Batch = std::vector<std::shared_ptr<Request>>;

  void Run();
  // Runs one batch to completion (commit or failure) and fills each request's result.
  void ExecuteBatch(Batch& batch);
  // BEGIN IMMEDIATE, retrying while another connection holds the write lock. Fails when the
  // writer is stopping and the lock does not come free within the commit deadline.
  Status BeginWithRetry();
  // A RESTART checkpoint, when the Checkpointer asked for one: copies the frames committed
  // since its last pass and makes the next commit write the WAL from its start.
  void RestartWalIfAsked();
  // Runs one transaction-control statement from the connection's statement cache.
  void Exec(const std::string& sql);
  int64_t OldestWaitingNs() const;  // requires mu_

  std::unique_ptr<Connection> connection_;
  SQLite::Database& db_;  // connection_'s, for the transaction statements
  const Options options_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // the writer waits here for work
  std::deque<std::shared_ptr<Request>> queue_;
  size_t unfinished_ = 0;        // queued + in the running batch
  size_t writer_wakes_at_ = 0;   // the queue length the waiting writer wants; 0: not waiting
  int64_t batch_oldest_ns_ = 0;  // enqueue time of the oldest request in the running batch
  bool stopping_ = false;
  bool failing_ = false;     // the last batch hit an engine error (disk full, I/O, ...)
  bool overloaded_ = false;  // refused work since the last good commit
  WriterStats stats_;

  std::thread thread_;  // last: starts after every member above exists
};

}  // namespace atalaya::store
