#include "common/event.h"

#include <gtest/gtest.h>

namespace atalaya {
namespace {

TEST(EventNames, RoundTripEveryChannelAndKind) {
  for (Channel c : {Channel::kWhatsApp, Channel::kMessenger, Channel::kInstagram, Channel::kTwitter,
                    Channel::kAppStore, Channel::kGooglePlay}) {
    EXPECT_EQ(ParseChannel(ChannelName(c)), c);
  }
  for (EventKind k :
       {EventKind::kMessage, EventKind::kPostback, EventKind::kReaction, EventKind::kComment,
        EventKind::kMention, EventKind::kReview, EventKind::kStatus, EventKind::kIdentity,
        EventKind::kUnsupported, EventKind::kHandover}) {
    EXPECT_EQ(ParseEventKind(EventKindName(k)), k);
  }
  EXPECT_EQ(ParseChannel("telegram"), std::nullopt);
  EXPECT_EQ(std::string(EventKindName(EventKind::kHandover)), "handover");
}

TEST(Direction, NamesRoundTripAndInboundIsTheDefault) {
  for (Direction d :
       {Direction::kInbound, Direction::kOutboundHuman, Direction::kOutboundAccount}) {
    EXPECT_EQ(ParseDirection(DirectionName(d)), d);
  }
  EXPECT_EQ(std::string(DirectionName(Direction::kOutboundHuman)), "outbound_human");
  EXPECT_EQ(std::string(DirectionName(Direction::kOutboundAccount)), "outbound_account");
  EXPECT_EQ(ParseDirection("outbound"), std::nullopt);
  EXPECT_EQ(Event{}.direction, Direction::kInbound);
  EXPECT_EQ(StatusUpdate{}.watermark_ms, 0);
}

TEST(DeliveryStatus, IsOrderedSentDeliveredRead) {
  EXPECT_LT(DeliveryStatus::kSent, DeliveryStatus::kDelivered);
  EXPECT_LT(DeliveryStatus::kDelivered, DeliveryStatus::kRead);
  EXPECT_EQ(ParseDeliveryStatus("read"), DeliveryStatus::kRead);
  EXPECT_EQ(ParseDeliveryStatus("seen"), std::nullopt);
}

}  // namespace
}  // namespace atalaya
