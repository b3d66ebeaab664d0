#include "common/event.h"

#include <gtest/gtest.h>

namespace atalaya {
namespace {

TEST(EventNames, RoundTripEveryChannelAndKind) {
  for (Channel c : {Channel::kWhatsApp, Channel::kMessenger, Channel::kInstagram,
                    Channel::kTwitter, Channel::kAppStore, Channel::kGooglePlay}) {
    EXPECT_EQ(ParseChannel(ChannelName(c)), c);
  }
  for (EventKind k : {EventKind::kMessage, EventKind::kPostback, EventKind::kReaction,
                      EventKind::kComment, EventKind::kMention, EventKind::kReview,
                      EventKind::kStatus, EventKind::kIdentity, EventKind::kUnsupported}) {
    EXPECT_EQ(ParseEventKind(EventKindName(k)), k);
  }
  EXPECT_EQ(ParseChannel("telegram"), std::nullopt);
}

TEST(DeliveryStatus, IsOrderedSentDeliveredRead) {
  EXPECT_LT(DeliveryStatus::kSent, DeliveryStatus::kDelivered);
  EXPECT_LT(DeliveryStatus::kDelivered, DeliveryStatus::kRead);
  EXPECT_EQ(ParseDeliveryStatus("read"), DeliveryStatus::kRead);
  EXPECT_EQ(ParseDeliveryStatus("seen"), std::nullopt);
}

}  // namespace
}  // namespace atalaya
