#include "channels/rate_limit.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace atalaya::channels {
namespace {

constexpr size_t kDropIdleAbove = 10'000;  // recipients are many; idle buckets are dropped

std::vector<std::pair<std::string, RateLimit>> Needs(const store::NewOutbound& message,
                                                     const RateLimitSettings& settings) {
  std::vector<std::pair<std::string, RateLimit>> needs;
  const std::string account = ChannelName(message.channel) + std::string(":") + message.account_id;
  const std::string& kind = message.kind;
  if (kind == "public_reply" || kind == "hide_comment" || kind == "unhide_comment") return needs;
  switch (message.channel) {
    case Channel::kWhatsApp:
      needs.push_back({account, settings.whatsapp_per_number});
      if (kind != "mark_read") {
        needs.push_back({account + ":to:" + message.recipient_id, settings.whatsapp_per_recipient});
      }
      break;
    case Channel::kMessenger:
    case Channel::kInstagram:
      needs.push_back({account, message.channel == Channel::kMessenger
                                    ? settings.messenger_per_page
                                    : settings.instagram_per_account});
      if (kind == "private_reply") {
        needs.push_back({account + ":private_replies", settings.private_replies_per_account});
      }
      break;
    default:
      break;
  }
  return needs;
}

}  // namespace

OutboundRateLimiter::OutboundRateLimiter(RateLimitSettings settings, const Clock& clock)
    : settings_(settings), clock_(clock) {}

void OutboundRateLimiter::DropIdle(int64_t now_ns) {
  std::erase_if(buckets_, [now_ns](const auto& entry) { return entry.second.tat_ns <= now_ns; });
}

int64_t OutboundRateLimiter::TryAcquire(const store::NewOutbound& message) {
  const int64_t now_ns = clock_.MonotonicNs();
  std::lock_guard<std::mutex> lock(mutex_);
  if (buckets_.size() > kDropIdleAbove) DropIdle(now_ns);
  std::vector<Bucket*> needed;
  int64_t wait_ns = 0;
  for (const auto& [key, limit] : Needs(message, settings_)) {
    if (limit.per_second <= 0) continue;  // unlimited
    auto it = buckets_.find(key);
    if (it == buckets_.end()) {
      Bucket bucket;
      bucket.interval_ns = std::max<int64_t>(1, std::llround(1e9 / limit.per_second));
      bucket.tolerance_ns =
          static_cast<int64_t>(bucket.interval_ns * (std::max(1.0, limit.burst) - 1.0));
      bucket.tat_ns = now_ns;
      it = buckets_.emplace(key, bucket).first;
    }
    Bucket& bucket = it->second;
    const int64_t earliest_ns = std::max(bucket.tat_ns, now_ns) - bucket.tolerance_ns;
    wait_ns = std::max(wait_ns, earliest_ns - now_ns);
    needed.push_back(&bucket);
  }
  if (wait_ns > 0) return std::max<int64_t>(1, (wait_ns + 999'999) / 1'000'000);
  for (Bucket* bucket : needed) {
    bucket->tat_ns = std::max(bucket->tat_ns, now_ns) + bucket->interval_ns;
  }
  return 0;
}

size_t OutboundRateLimiter::BucketCount() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return buckets_.size();
}

}  // namespace atalaya::channels
