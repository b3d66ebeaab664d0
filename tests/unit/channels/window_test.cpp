#include "channels/window.h"

#include <gtest/gtest.h>

namespace atalaya::channels {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

TEST(MessengerWindowTest, BotAnswersInsideTwentyFourHoursAsResponse) {
  FakeClock clock(kNow);
  Result<MessengerTiming> timing =
      CheckMessengerWindow("Messenger", kNow - kStandardWindowMs + 1, Sender::kBot, clock);
  ASSERT_TRUE(timing.ok()) << timing.status().ToString();
  EXPECT_EQ(*timing, MessengerTiming::kResponse);
}

TEST(MessengerWindowTest, BotIsRefusedAtExactlyTwentyFourHours) {
  FakeClock clock(kNow);
  Result<MessengerTiming> timing =
      CheckMessengerWindow("Messenger", kNow - kStandardWindowMs, Sender::kBot, clock);
  ASSERT_FALSE(timing.ok());
  EXPECT_EQ(timing.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(timing.status().message(),
            "Messenger: outside the 24-hour messaging window (the customer's last message was "
            "24 h ago); only a human agent may answer, up to 7 days");
}

TEST(MessengerWindowTest, HumanAgentGetsTheTagAfterTwentyFourHoursUpToSevenDays) {
  FakeClock clock(kNow);
  Result<MessengerTiming> at_24h =
      CheckMessengerWindow("Messenger", kNow - kStandardWindowMs, Sender::kHumanAgent, clock);
  ASSERT_TRUE(at_24h.ok());
  EXPECT_EQ(*at_24h, MessengerTiming::kHumanAgentTag);
  Result<MessengerTiming> inside =
      CheckMessengerWindow("Instagram", kNow - kHumanAgentWindowMs + 1, Sender::kHumanAgent, clock);
  ASSERT_TRUE(inside.ok());
  EXPECT_EQ(*inside, MessengerTiming::kHumanAgentTag);
  Result<MessengerTiming> human_fresh =
      CheckMessengerWindow("Messenger", kNow - 1000, Sender::kHumanAgent, clock);
  ASSERT_TRUE(human_fresh.ok());
  EXPECT_EQ(*human_fresh, MessengerTiming::kResponse);
}

TEST(MessengerWindowTest, HumanAgentIsRefusedAtExactlySevenDays) {
  FakeClock clock(kNow);
  Result<MessengerTiming> timing =
      CheckMessengerWindow("Instagram", kNow - kHumanAgentWindowMs, Sender::kHumanAgent, clock);
  ASSERT_FALSE(timing.ok());
  EXPECT_EQ(timing.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(timing.status().message(),
            "Instagram: outside the 7-day human agent window (the customer's last message was "
            "7 days ago)");
}

TEST(MessengerWindowTest, NothingMayBeSentBeforeTheCustomerWrites) {
  FakeClock clock(kNow);
  Result<MessengerTiming> timing = CheckMessengerWindow("Messenger", 0, Sender::kHumanAgent, clock);
  ASSERT_FALSE(timing.ok());
  EXPECT_EQ(timing.status().message(),
            "Messenger: the customer has not written yet, so no message may be sent");
}

TEST(WhatsAppWindowTest, FreeFormInsideTwentyFourHours) {
  FakeClock clock(kNow);
  EXPECT_TRUE(CheckWhatsAppWindow(kNow - kStandardWindowMs + 1, "", clock).ok());
}

TEST(WhatsAppWindowTest, ClosedAtExactlyTwentyFourHoursAndSaysATemplateIsRequired) {
  FakeClock clock(kNow);
  Status status = CheckWhatsAppWindow(kNow - kStandardWindowMs, "", clock);
  EXPECT_EQ(status.code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(status.message(),
            "WhatsApp: outside the 24-hour customer-service window (the customer's last message "
            "was 24 h ago): a template is required");
}

TEST(WhatsAppWindowTest, RefusalNamesTheConfiguredTemplate) {
  FakeClock clock(kNow);
  Status status = CheckWhatsAppWindow(kNow - 3 * 24 * kHourMs, "reopen_conversation", clock);
  EXPECT_EQ(status.message(),
            "WhatsApp: outside the 24-hour customer-service window (the customer's last message "
            "was 3 days ago): a template is required, e.g. \"reopen_conversation\"");
}

TEST(WhatsAppWindowTest, NoInboundMessageMeansNoWindow) {
  FakeClock clock(kNow);
  Status status = CheckWhatsAppWindow(0, "", clock);
  EXPECT_EQ(status.message(),
            "WhatsApp: no customer-service window (the customer has not written): a template is "
            "required");
}

TEST(PrivateReplyWindowTest, OpenUntilSevenDaysAfterTheComment) {
  FakeClock clock(kNow);
  EXPECT_TRUE(CheckPrivateReplyWindow(kNow - kPrivateReplyWindowMs + 1, false, clock).ok());
  Status closed = CheckPrivateReplyWindow(kNow - kPrivateReplyWindowMs, false, clock);
  EXPECT_EQ(closed.code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(closed.message(),
            "private reply: only within 7 days of the comment (it was made 7 "
            "days ago)");
}

TEST(PrivateReplyWindowTest, OnlyOnePerComment) {
  FakeClock clock(kNow);
  Status status = CheckPrivateReplyWindow(kNow - 1000, true, clock);
  EXPECT_EQ(status.code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(status.message(), "private reply: this comment already has one (one per comment)");
}

TEST(PrivateReplyWindowTest, UnknownCommentTimeIsRefused) {
  FakeClock clock(kNow);
  Status status = CheckPrivateReplyWindow(0, false, clock);
  EXPECT_EQ(status.message(),
            "private reply: the comment's creation time is unknown, so the 7-day limit cannot be "
            "checked");
}

}  // namespace
}  // namespace atalaya::channels
