#pragma once
// Metrics: the daemon's counters, rendered in the Prometheus text format on the admin
// listener. Counters are atomics: any thread may bump them, at the cost of one relaxed add.
// Gauges that live elsewhere (the store's writer and inbox) are read when rendering.

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "common/decision.h"
#include "store/store.h"

namespace atalaya::daemon {

// What happened to one webhook delivery. The order is the label order in /metrics.
enum class WebhookResult {
  kAccepted,
  kDuplicate,
  kBadSignature,
  kMalformed,
  kTooLarge,
  kOverloaded,
  kError,
  kCount,  // not a result: the number of results
};

const char* WebhookResultName(WebhookResult result);

// What one pass of the mention enricher did with a mention. Label order in /metrics.
enum class MentionResult { kEnriched, kRetried, kFailed, kNotConfigured, kCount };
const char* MentionResultName(MentionResult result);  // "enriched", "retried", ...

// The webhook routes, in label order.
enum class WebhookRoute { kWhatsApp, kMessenger, kInstagram, kMeta, kCount };
const char* WebhookRouteName(WebhookRoute route);

class Metrics {
 public:
  void CountWebhook(WebhookRoute route, WebhookResult result) {
    webhooks_[static_cast<int>(route)][static_cast<int>(result)].fetch_add(
        1, std::memory_order_relaxed);
  }
  int64_t Webhooks(WebhookRoute route, WebhookResult result) const {
    return webhooks_[static_cast<int>(route)][static_cast<int>(result)].load();
  }
  void CountIngest(const store::IngestOutcome& outcome, int unsupported) {
    events_stored_ += outcome.events_stored;
    events_duplicate_ += outcome.events_duplicate;
    statuses_applied_ += outcome.statuses_applied;
    statuses_pending_ += outcome.statuses_pending;
    events_unsupported_ += unsupported;
    inbox_processed_ += 1;
  }
  void CountIngestFailure() { ingest_failures_ += 1; }
  // An event for an account the config does not name (daemon/account_routing.h).
  // Only the Meta channels route by account; other channels are not counted.
  void CountUnconfiguredAccount(Channel channel) {
    const int c = static_cast<int>(channel);
    if (c < kMetaChannels) unconfigured_account_[c].fetch_add(1, std::memory_order_relaxed);
  }
  int64_t UnconfiguredAccount(Channel channel) const {
    const int c = static_cast<int>(channel);
    return c < kMetaChannels ? unconfigured_account_[c].load() : 0;
  }
  void CountMention(MentionResult result) {
    mentions_[static_cast<int>(result)].fetch_add(1, std::memory_order_relaxed);
  }
  int64_t Mentions(MentionResult result) const {
    return mentions_[static_cast<int>(result)].load();
  }
  // One decided event: by filter action, and filtered ones by the designer's reason name.
  void CountDecision(const Decision& decision);

  // Media downloads: files stored (and their bytes), transient failures retried, and
  // downloads given up by reason (a channels::media_reason code).
  void CountMediaStored(int64_t bytes) {
    media_stored_ += 1;
    media_bytes_ += bytes;
  }
  void CountMediaRetried() { media_retried_ += 1; }
  void CountMediaFailed(const std::string& reason);
  int64_t MediaStored() const { return media_stored_.load(); }
  int64_t MediaFailed(const std::string& reason) const;

  // The whole Prometheus exposition: our counters plus the store's writer and inbox gauges.
  std::string Render(store::Store& store, int64_t now_ms, bool ready) const;

 private:
  static constexpr int kRoutes = static_cast<int>(WebhookRoute::kCount);
  static constexpr int kResults = static_cast<int>(WebhookResult::kCount);
  std::array<std::array<std::atomic<int64_t>, kResults>, kRoutes> webhooks_{};
  std::atomic<int64_t> events_stored_{0};
  std::atomic<int64_t> events_duplicate_{0};
  std::atomic<int64_t> events_unsupported_{0};
  std::atomic<int64_t> statuses_applied_{0};
  std::atomic<int64_t> statuses_pending_{0};
  std::atomic<int64_t> inbox_processed_{0};
  std::atomic<int64_t> ingest_failures_{0};
  std::atomic<int64_t> media_stored_{0};
  std::atomic<int64_t> media_bytes_{0};
  std::atomic<int64_t> media_retried_{0};
  mutable std::mutex media_mutex_;
  std::map<std::string, int64_t> media_failed_;  // reason codes: a small fixed set
  static constexpr int kMetaChannels = 3;        // WhatsApp, Messenger, Instagram: the enum's first
  std::array<std::atomic<int64_t>, kMetaChannels> unconfigured_account_{};
  std::array<std::atomic<int64_t>, static_cast<int>(MentionResult::kCount)> mentions_{};
  mutable std::mutex decisions_mutex_;  // the label sets come from the rule files
  std::map<std::string, int64_t> decisions_by_filter_;
  std::map<std::pair<std::string, std::string>, int64_t> filtered_by_reason_;
  std::map<std::string, int64_t> decisions_by_queue_;
};

}  // namespace atalaya::daemon
