#include "daemon/ingest_worker.h"

#include <chrono>

#include "channels/meta_webhook.h"

namespace atalaya::daemon {

IngestWorker::IngestWorker(store::Store& store, Metrics& metrics, const Clock& clock,
                           IngestOptions options)
    : store_(store), metrics_(metrics), clock_(clock), options_(options) {}

IngestWorker::~IngestWorker() { Stop(); }

void IngestWorker::Start() {
  heartbeat_ns_ = clock_.MonotonicNs();
  thread_ = std::thread([this] { Run(); });
}

void IngestWorker::Notify() {
  {
    std::lock_guard lock(mutex_);
    notified_ = true;
  }
  wake_.notify_one();
}

bool IngestWorker::DrainAndStop(int64_t timeout_ms) {
  {
    std::lock_guard lock(mutex_);
    draining_ = true;
  }
  wake_.notify_one();
  const int64_t deadline = clock_.MonotonicNs() + timeout_ms * 1'000'000;
  while (!drained_ && clock_.MonotonicNs() < deadline && thread_.joinable()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Stop();
  return drained_;
}

void IngestWorker::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

int IngestWorker::ProcessBatch() {
  auto rows = store_.PendingInbox(last_id_, options_.batch_rows);
  if (!rows.ok()) return -1;
  int handled = 0;
  for (const store::InboxRow& row : *rows) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
    }
    std::vector<Event> events = channels::ParseMetaWebhook(row.body);
    int unsupported = 0;
    for (const Event& e : events) unsupported += e.kind == EventKind::kUnsupported;
    auto outcome = store_.CommitIngest(row.id, events, clock_.NowMs());
    if (!outcome.ok()) {
      metrics_.CountIngestFailure();
      return -1;
    }
    metrics_.CountIngest(*outcome, unsupported);
    last_id_ = row.id;
    heartbeat_ns_ = clock_.MonotonicNs();
    ++handled;
  }
  return handled;
}

void IngestWorker::Run() {
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    heartbeat_ns_ = clock_.MonotonicNs();
    int handled = ProcessBatch();
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    if (handled == 0 && draining_) {
      drained_ = true;
      return;
    }
    if (handled > 0) continue;  // more may be waiting: read again at once
    if (handled < 0) {
      // The store refused; retry the same row after a pause (it is never skipped).
      wake_.wait_for(lock, std::chrono::milliseconds(options_.retry_ms),
                     [this] { return stopping_; });
      continue;
    }
    wake_.wait_for(lock, std::chrono::milliseconds(options_.idle_poll_ms),
                   [this] { return notified_ || stopping_ || draining_; });
    notified_ = false;
  }
}

}  // namespace atalaya::daemon
