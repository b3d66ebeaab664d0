#pragma once
// IngestWorker: the one thread that turns inbox rows into normalized, decided events, in
// inbox order. For each row it parses the raw body with the channel adapters, runs the site's
// rules over every customer event, and commits events and decisions together with the
// "processed" mark (Store::StartIngestBatch), so a crash at any point leaves the row to be
// taken up again at start and nothing is doubled. It prepares each chunk of rows while the
// one before commits, and paces itself by how busy the writer is (ingest_pace.h).
//
// Threads: Start() launches the worker; Notify() (any thread) wakes it early; Drain() and
// Stop() are called by the lifecycle thread.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "channels/meta_parse_options.h"
#include "common/clock.h"
#include "daemon/account_routing.h"
#include "daemon/event_decider.h"
#include "daemon/ingest_pace.h"
#include "daemon/metrics.h"
#include "daemon/site_rules.h"
#include "store/store.h"

namespace atalaya::daemon {

struct IngestOptions {
  size_t batch_rows = 256;     // inbox rows fetched per read
  IngestPacing pacing;         // rows per transaction (one fsync), by how busy the writer is
  int64_t idle_poll_ms = 500;  // re-check the inbox this often even without a Notify()
  int64_t retry_ms = 200;      // wait after a failed commit before trying the row again
};

class IngestWorker {
 public:
  IngestWorker(store::Store& store, Metrics& metrics, const Clock& clock, const SiteRules& rules,
               IngestOptions options = {});
  ~IngestWorker();

  void Start();
  void Notify();
  // What the parser must know of our side (our app ids); applies from the next batch.
  void SetParseOptions(channels::MetaParseOptions options);
  // Our configured accounts: events of any other account are kept as unsupported (see
  // account_routing.h). Until called, every account is taken as ours. Any thread.
  void SetAccounts(AccountDirectory accounts) { router_.SetAccounts(std::move(accounts)); }
  // Processes until the inbox is empty or `timeout_ms` passes, then stops.
  // Returns true when the inbox was emptied.
  bool DrainAndStop(int64_t timeout_ms);
  void Stop();

  // Monotonic ns of the last loop turn that was not stuck: the watchdog pings only while it
  // keeps moving.
  int64_t last_heartbeat_ns() const { return heartbeat_ns_.load(); }

 private:
  // Inbox rows parsed and decided, then committing.
  struct Chunk {
    std::vector<store::IngestItem> items;
    std::vector<int> unsupported;  // per item: events kept as unsupported
    std::unique_ptr<store::PendingIngest> pending;
  };

  void Run();
  // Processes one batch; returns the rows handled, or -1 when a commit failed before any.
  int ProcessBatch();
  // Parses, routes and decides rows[start, end); `committing` is the chunk still committing.
  Chunk Prepare(const std::vector<store::InboxRow>& rows, size_t start, size_t end,
                const Chunk& committing);
  // Waits for the chunk's commit and counts its rows up to the first that failed (that one
  // and those after it are taken again).
  struct Finished {
    int handled = 0;
    bool failed = false;
  };
  Finished Finish(Chunk& chunk);
  // Waits `pause_ms` (less when stopping or draining); false when stopping.
  bool YieldToWebhooks(int64_t pause_ms);

  store::Store& store_;
  Metrics& metrics_;
  const Clock& clock_;
  const SiteRules& rules_;
  EventDecider decider_;
  AccountRouter router_;
  IngestOptions options_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  // Notify() runs once per acknowledged webhook: it signals the condition variable only
  // while the worker waits for work, never while it yields to webhooks or is busy (each
  // signal there cost a wake-up and two context switches for nothing).
  std::atomic<bool> notified_{false};
  std::atomic<bool> waiting_for_work_{false};
  bool stopping_ = false;
  bool draining_ = false;
  std::atomic<int64_t> heartbeat_ns_{0};
  std::atomic<bool> drained_{false};
  int64_t last_id_ = 0;  // the last inbox row committed; only the worker thread touches it
  std::mutex parse_options_mutex_;
  channels::MetaParseOptions parse_options_;
};

}  // namespace atalaya::daemon
