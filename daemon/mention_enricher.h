#pragma once
// MentionEnricher: gives Instagram mentions their content. A `mentions` webhook carries ids
// only; ingest stores the event at once, undecided, with a kPending enrichment row
// (store.h, MentionState). This worker — never the ingest thread, so a slow Graph API cannot
// stall ingestion — takes the due rows (Store::DueMentions) and for each one:
//   - no access token for the account (or no Graph base URL): kNotConfigured, no call;
//   - reads the comment's text, username and time, or the media's caption for a caption
//     mention (channels/instagram_mention_fetch.h), stores them on the event and runs the
//     site's rules on it, so the mention gets its decision and trace like any comment;
//   - a transient error (no answer, 5xx, rate limit): stays kPending, retried with
//     exponential backoff and jitter (at least the platform's Retry-After) until
//     `retry.max_attempts` calls, then kFailed "gave up after N attempts: ...";
//   - a permanent error (the comment was deleted: 100/33; a bad token: 190; an answer
//     without the mentioned object): kFailed with the platform's code and message.
// A mention that ends kFailed or kNotConfigured keeps its ids and is decided as it is (no
// text), so it still reaches a queue. Event, decision and state are written in one
// transaction (Store::FinishMention): a crash leaves the row pending, fetched again at start.
//
// Ownership: borrows the store, Graph client, clock, rules and metrics; they must outlive
// it. Threads: Start/Stop/Wake from any thread; RunOnce is for tests and must not run
// concurrently with a started worker. Logs name events and accounts by id only: no text,
// no username, no token.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "channels/graph_client.h"
#include "common/clock.h"
#include "common/status.h"
#include "daemon/event_decider.h"
#include "daemon/metrics.h"
#include "daemon/sender_worker.h"
#include "daemon/site_rules.h"
#include "store/store.h"

namespace atalaya::daemon {

struct MentionSettings {
  size_t batch = 32;           // due mentions read per pass
  int64_t idle_poll_ms = 500;  // how often an idle worker looks again (Wake() is sooner)
  RetryPolicy retry;           // the sender's defaults: 8 calls, 1 s doubling up to 15 min
};

class MentionEnricher {
 public:
  // `tokens` answers the Graph token of (kInstagram, account id); "" = not configured.
  MentionEnricher(store::Store& store, channels::GraphClient& graph, const Clock& clock,
                  const SiteRules& rules, Metrics& metrics, TokenLookup tokens,
                  MentionSettings settings = {}, std::function<double()> unit_random = nullptr);
  ~MentionEnricher();
  MentionEnricher(const MentionEnricher&) = delete;
  MentionEnricher& operator=(const MentionEnricher&) = delete;

  // One pass over the due mentions; returns how many reached a new state or were
  // rescheduled (store errors do not count).
  Result<int> RunOnce();

  void Start();  // one thread, until Stop()
  void Stop();   // a call in flight finishes first
  void Wake();

 private:
  enum class Outcome { kEnriched, kRetried, kFailed, kNotConfigured, kStoreError };
  Outcome Enrich(const store::DueMention& due);
  // Decides `event` and writes the final state; kStoreError when the store refused.
  Outcome Finish(int64_t event_id, const Event& event, int attempts, store::MentionState state,
                 const std::string& reason);
  void Run();

  store::Store& store_;
  channels::GraphClient& graph_;
  const Clock& clock_;
  const SiteRules& rules_;
  Metrics& metrics_;
  const TokenLookup tokens_;
  const MentionSettings settings_;
  std::function<double()> unit_random_;
  EventDecider decider_;  // used by the worker's one thread only

  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;
  bool running_ = false;
  std::atomic<bool> stopping_{false};  // Stop() called: a pass ends after the call in flight
  std::thread thread_;
};

}  // namespace atalaya::daemon
