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

int64_t OutboundRateLimiter::Refill(Bucket& bucket, const RateLimit& limit, int64_t now_ns) const {
  const double elapsed_s = static_cast<double>(now_ns - bucket.updated_ns) / 1e9;
  if (elapsed_s > 0) {
    bucket.tokens = std::min(limit.burst, bucket.tokens + elapsed_s * limit.per_second);
    bucket.updated_ns = now_ns;
  }
  if (bucket.tokens >= 1.0) return 0;
  const double wait_ms = (1.0 - bucket.tokens) / limit.per_second * 1000.0;
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait_ms)));
}

OutboundRateLimiter::Bucket& OutboundRateLimiter::Get(const std::string& key,
                                                      const RateLimit& limit, int64_t now_ns) {
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    it = buckets_.emplace(key, Bucket{std::max(1.0, limit.burst), now_ns}).first;
    limits_[key] = limit;
  }
  return it->second;
}

void OutboundRateLimiter::DropIdle(int64_t now_ns) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const RateLimit& limit = limits_[it->first];
    Refill(it->second, limit, now_ns);
    if (it->second.tokens >= limit.burst) {
      limits_.erase(it->first);
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
}

int64_t OutboundRateLimiter::TryAcquire(const store::NewOutbound& message) {
  const int64_t now_ns = clock_.MonotonicNs();
  std::lock_guard<std::mutex> lock(mutex_);
  if (buckets_.size() > kDropIdleAbove) DropIdle(now_ns);
  std::vector<Bucket*> taken;
  int64_t wait_ms = 0;
  for (const auto& [key, limit] : Needs(message, settings_)) {
    if (limit.per_second <= 0) continue;  // unlimited
    Bucket& bucket = Get(key, limit, now_ns);
    wait_ms = std::max(wait_ms, Refill(bucket, limit, now_ns));
    taken.push_back(&bucket);
  }
  if (wait_ms > 0) return wait_ms;
  for (Bucket* bucket : taken) bucket->tokens -= 1.0;
  return 0;
}

size_t OutboundRateLimiter::BucketCount() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return buckets_.size();
}

}  // namespace atalaya::channels
