#include "channels/rate_limit.h"

#include <gtest/gtest.h>

#include "tests/unit/channels/outbound_test_util.h"

namespace atalaya::channels {
namespace {

using testing::Outbound;

store::NewOutbound WhatsAppTo(const std::string& recipient) {
  return Outbound(Channel::kWhatsApp, "text", {{"text", "x"}}, recipient);
}

TEST(RateLimitTest, WhatsAppPairRateIsOnePerSixSeconds) {
  FakeClock clock;
  OutboundRateLimiter limiter(RateLimitSettings{}, clock);
  EXPECT_EQ(limiter.TryAcquire(WhatsAppTo("A")), 0);
  EXPECT_EQ(limiter.TryAcquire(WhatsAppTo("A")), 6000);
  clock.AdvanceMs(5999);
  EXPECT_EQ(limiter.TryAcquire(WhatsAppTo("A")), 1);
  clock.AdvanceMs(1);
  EXPECT_EQ(limiter.TryAcquire(WhatsAppTo("A")), 0);
  // Another recipient of the same number is not held back.
  EXPECT_EQ(limiter.TryAcquire(WhatsAppTo("B")), 0);
}

TEST(RateLimitTest, WhatsAppNumberAllowsItsBurstThenWaits) {
  FakeClock clock;
  RateLimitSettings settings;
  settings.whatsapp_per_number = {80, 80};
  OutboundRateLimiter limiter(settings, clock);
  for (int i = 0; i < 80; ++i) {
    ASSERT_EQ(limiter.TryAcquire(WhatsAppTo("R" + std::to_string(i))), 0) << i;
  }
  // The 81st waits one token's time: 1/80 s = 12.5 ms, rounded up.
  EXPECT_EQ(limiter.TryAcquire(WhatsAppTo("R80")), 13);
  clock.AdvanceMs(13);
  EXPECT_EQ(limiter.TryAcquire(WhatsAppTo("R80")), 0);
}

TEST(RateLimitTest, RefusalTakesNoToken) {
  FakeClock clock;
  RateLimitSettings settings;
  settings.whatsapp_per_number = {1, 2};
  OutboundRateLimiter limiter(settings, clock);
  EXPECT_EQ(limiter.TryAcquire(WhatsAppTo("A")), 0);
  // A is held by its pair limit; the number's second token must still be there for B.
  EXPECT_GT(limiter.TryAcquire(WhatsAppTo("A")), 0);
  EXPECT_EQ(limiter.TryAcquire(WhatsAppTo("B")), 0);
  EXPECT_EQ(limiter.TryAcquire(WhatsAppTo("C")), 1000);
}

TEST(RateLimitTest, PrivateRepliesAre750PerHourPerPage) {
  FakeClock clock;
  OutboundRateLimiter limiter(RateLimitSettings{}, clock);
  int sent = 0;
  for (int i = 0; i < 800; ++i) {
    store::NewOutbound reply =
        Outbound(Channel::kMessenger, "private_reply", {{"text", "x"}}, "C" + std::to_string(i));
    if (limiter.TryAcquire(reply) == 0) ++sent;
    clock.AdvanceMs(4);  // 800 tries in 3.2 s: the 300/s page limit is never the one hit
  }
  EXPECT_EQ(sent, 750);
  // One more token every 4.8 s.
  store::NewOutbound next = Outbound(Channel::kMessenger, "private_reply", {{"text", "x"}}, "Z");
  const int64_t wait = limiter.TryAcquire(next);
  EXPECT_GT(wait, 0);
  EXPECT_LE(wait, 4800);
  // Ordinary messages of the same page are not held back by the private-reply budget.
  EXPECT_EQ(limiter.TryAcquire(Outbound(Channel::kMessenger, "text", {{"text", "x"}})), 0);
}

TEST(RateLimitTest, ZeroMeansUnlimitedAndModerationIsNotLimited) {
  FakeClock clock;
  RateLimitSettings settings;
  settings.whatsapp_per_recipient = {0, 1};
  OutboundRateLimiter limiter(settings, clock);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(limiter.TryAcquire(WhatsAppTo("A")), 0);
  settings.messenger_per_page = {1, 1};
  OutboundRateLimiter page(settings, clock);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(page.TryAcquire(Outbound(Channel::kMessenger, "hide_comment", {}, "C")), 0);
  }
}

TEST(RateLimitTest, MarkAsReadIgnoresThePairLimit) {
  FakeClock clock;
  OutboundRateLimiter limiter(RateLimitSettings{}, clock);
  EXPECT_EQ(limiter.TryAcquire(WhatsAppTo("A")), 0);
  EXPECT_EQ(
      limiter.TryAcquire(Outbound(Channel::kWhatsApp, "mark_read", {{"message_id", "w"}}, "A")), 0);
}

}  // namespace
}  // namespace atalaya::channels
