#pragma once
// Outbound rate limits per account and per recipient (PLATFORMS.md "Rate limits"), as token
// buckets on an injected Clock's monotonic time. The defaults are the platforms' documented
// figures; all are configurable:
//   Messenger Send API         300/s per Page          (all calls to /<page>/messages)
//   Instagram Send API         300/s per IG account
//   Private replies            750/hour per Page / IG account (on top of the above)
//   WhatsApp                   80/s per phone number   (all calls)
//   WhatsApp pair rate         1 per 6 s per (number, recipient), messages only
// Comment moderation (public replies, hide) is not a Send API call and is not limited here.
//
// TryAcquire either takes a token from every bucket the message needs, or takes none and
// says how long to wait: a message never holds a token it cannot use.
// Thread-safety: every method may be called from any thread (one mutex).

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "common/clock.h"
#include "store/outbox.h"

namespace atalaya::channels {

struct RateLimit {
  double per_second = 0;  // tokens added per second; 0 = unlimited
  double burst = 1;       // bucket size: how many may go at once after a quiet spell
};

struct RateLimitSettings {
  RateLimit messenger_per_page{300, 300};
  RateLimit instagram_per_account{300, 300};
  RateLimit private_replies_per_account{750.0 / 3600.0, 750};
  RateLimit whatsapp_per_number{80, 80};
  RateLimit whatsapp_per_recipient{1.0 / 6.0, 1};
};

class OutboundRateLimiter {
 public:
  OutboundRateLimiter(RateLimitSettings settings, const Clock& clock);

  // 0 when the message may be sent now (its tokens are taken); otherwise the milliseconds
  // until it may (nothing is taken). Always at least 1 when refusing.
  int64_t TryAcquire(const store::NewOutbound& message);

  // Buckets currently kept (idle full ones are dropped when there are many), for tests.
  size_t BucketCount() const;

 private:
  // A token bucket kept as its "theoretical arrival time" (GCRA) in integer nanoseconds, so
  // 1 per 6 s is exactly 6 s, with no floating-point drift at the edges.
  struct Bucket {
    int64_t interval_ns = 0;   // time to earn one token
    int64_t tolerance_ns = 0;  // interval * (burst - 1): how far ahead a burst may run
    int64_t tat_ns = 0;        // when the bucket is full again
  };

  void DropIdle(int64_t now_ns);

  const RateLimitSettings settings_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace atalaya::channels
