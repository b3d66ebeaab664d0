#pragma once
// SenderWorker: delivers the outbox. Each pass reads the due rows (Store::DueOutbound) and,
// for each one, with up to `concurrency` sends in flight:
//   1. resolves what the local checks need from the store (the conversation's last inbound
//      time; for a private reply the comment's creation time and whether it already has one)
//      and builds the Graph call; a refusal → MarkOutboundFailed with the reason, no HTTP call;
//   2. asks the rate limiter; a message that must wait stays kPending, untouched, and is
//      skipped until its time (waiting for our own limiter is not an attempt);
//   3. MarkOutboundSending (durable before the request leaves), the Graph call, then
//      MarkOutboundSent with the platform's id, MarkOutboundRetry (transient: exponential
//      backoff with jitter, at least the platform's Retry-After) or MarkOutboundFailed
//      (permanent, or transient after max_attempts) with the platform's code and message.
// Recover() (RecoverOutbound) runs once at start: rows left in kSending by a crash are sent
// again and carry possible_duplicate.
//
// Started (Start()), one dispatcher thread keeps a short queue filled from the outbox and
// `concurrency` sender threads take from it, so one slow platform call holds one sender only.
// RunOnce() is the same work as one synchronous pass, for tests.
//
// Ownership: the worker borrows the store, the Graph client and the clock; they must outlive
// it. Thread-safety: Start/Stop/Wake from any thread; RunOnce is for tests and must not run
// concurrently with a started worker. Tokens come from a lookup and are never logged.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "channels/graph_client.h"
#include "channels/graph_errors.h"
#include "channels/outbound_request.h"
#include "channels/rate_limit.h"
#include "common/clock.h"
#include "common/status.h"
#include "store/store.h"

namespace atalaya::daemon {

struct RetryPolicy {
  int max_attempts = 8;                // then failed with the last error
  int64_t base_delay_ms = 1000;        // first retry after about 1 s
  int64_t max_delay_ms = 15 * 60'000;  // backoff stops growing at 15 min
  double jitter = 0.5;                 // delay is drawn from [d * (1 - jitter), d]
};

// The delay before attempt `attempts + 1`: base * 2^(attempts - 1), capped, with jitter from
// `unit_random` in [0, 1); never shorter than retry_after_ms (when >= 0), which is not capped.
int64_t BackoffDelayMs(const RetryPolicy& policy, int attempts, int64_t retry_after_ms,
                       double unit_random);

// The approved re-engagement template of a WhatsApp number (phone_number_id), "" when it has
// none. Asked at each send, so a reload that renames it applies to the next refusal.
using TemplateLookup = std::function<std::string(const std::string& account_id)>;

struct SenderSettings {
  int concurrency = 4;         // sends in flight at once (1..64)
  size_t batch = 64;           // due rows read per pass
  int64_t idle_poll_ms = 250;  // how often an idle worker looks again (Wake() is sooner)
  RetryPolicy retry;
  channels::RateLimitSettings rate_limits;
  TemplateLookup whatsapp_reengagement_template;  // named when a template is required; may be
                                                  // empty (no template named)
};

// The template `lookup` names for `message`'s account: "" for other channels or no lookup.
std::string ReengagementTemplateFor(const TemplateLookup& lookup,
                                    const store::NewOutbound& message);

// The access token of (channel, account id); "" when none is configured.
using TokenLookup = std::function<std::string(Channel, const std::string& account_id)>;

// What the checks need to know about `message` (see channels::SendContext), read from the
// store. `outbox_id` is the row being sent (0 when not queued yet): another private reply to
// the same comment counts when it is sent, or queued earlier and not failed. kNotFound for an
// unknown conversation; store errors pass through.
Result<channels::SendContext> ResolveSendContext(store::Store& store,
                                                 const store::NewOutbound& message,
                                                 int64_t outbox_id,
                                                 const std::string& reengagement_template);

// The platform's id for a delivered message from a 2xx body: Send API "message_id",
// WhatsApp "messages[0].id", a comment reply's "id"; "" when the answer carries none (sender
// actions, hide/unhide, mark as read).
std::string PlatformMessageId(const std::string& body);

struct SenderStats {
  int64_t sent = 0;
  int64_t retried = 0;
  int64_t failed = 0;    // permanent platform errors and exhausted retries
  int64_t refused = 0;   // local checks said no; no request left
  int64_t deferred = 0;  // held back by the rate limiter
  int64_t store_errors = 0;
};

class SenderWorker {
 public:
  SenderWorker(store::Store& store, channels::GraphClient& graph, const Clock& clock,
               TokenLookup tokens, SenderSettings settings,
               std::function<double()> unit_random = nullptr);
  ~SenderWorker();
  SenderWorker(const SenderWorker&) = delete;
  SenderWorker& operator=(const SenderWorker&) = delete;

  // RecoverOutbound: how many rows were put back as possible duplicates.
  Result<int64_t> Recover();
  // One pass over the due rows; returns how many were handled (sent, retried, failed or
  // refused; deferred ones and store errors do not count).
  Result<int> RunOnce();

  void Start();  // the dispatcher and `concurrency` senders, until Stop()
  void Stop();   // lets the sends in flight finish; queued rows stay kPending in the store
  void Wake();   // a message was queued: look now

  SenderStats Stats() const;

 private:
  enum class Outcome { kSent, kRetried, kFailed, kRefused, kDeferred, kStoreError };
  Outcome Deliver(const store::OutboundMessage& message);
  Outcome Fail(int64_t id, const store::OutboundError& error, Outcome outcome);
  void Count(Outcome outcome);
  void Dispatch();  // started: keeps queue_ filled from the outbox
  void SendLoop();  // started: one of the senders

  store::Store& store_;
  channels::GraphClient& graph_;
  const Clock& clock_;
  const TokenLookup tokens_;
  const SenderSettings settings_;
  std::function<double()> unit_random_;
  channels::OutboundRateLimiter limiter_;

  std::mutex deferred_mutex_;
  std::map<int64_t, int64_t> deferred_until_ms_;  // outbox id → not before

  mutable std::mutex stats_mutex_;
  SenderStats stats_;

  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool woken_ = false;
  std::atomic<bool> running_{false};
  std::thread dispatcher_;
  std::vector<std::thread> senders_;

  std::mutex queue_mutex_;
  std::condition_variable queue_ready_;
  std::deque<store::OutboundMessage> queue_;
  std::set<int64_t> in_flight_;  // queued or being sent: not fetched again
  // Finished since the dispatcher's current read began: that read may still show them due.
  std::set<int64_t> finished_;
};

}  // namespace atalaya::daemon
