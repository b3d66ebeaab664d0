// Messenger and Instagram deliveries end to end: a Facebook comment lands as a public event
// in its post's thread, an echo written in the Page Inbox is recorded as a human's outbound
// message (and starts no rules), and /webhooks/meta takes either product.

#include <gtest/gtest.h>

#include <fstream>

#include "tests/e2e/daemon_fixture.h"

namespace atalaya::testing {
namespace {

std::string Fixture(const std::string& name) {
  return ReadFile(std::string(ATALAYA_TESTDATA_DIR) + "/meta/" + name);
}

// The fixtures' Page and Instagram account are ours (events of other accounts are kept as
// unsupported: mentions_e2e_test.cpp). The Page signs with its own app secret, so
// /webhooks/messenger does not accept the WhatsApp app's signature; /webhooks/meta accepts
// any configured app's.
class MetaInboundE2E : public DaemonFixture {
 protected:
  void SetUp() override {
    DaemonFixture::SetUp();
    std::ofstream(dir_ + "/page_app_secret") << "e2e-page-app-secret\n";
    extra_channels_yaml_ =
        "  messenger:\n"
        "    accounts:\n"
        "      - id: \"112233445566778\"\n"
        "        app_secret: {file: page_app_secret}\n"
        "        verify_token: {file: verify_token}\n"
        "  instagram:\n"
        "    accounts:\n"
        "      - id: \"17841400000000001\"\n"
        "        app_secret: {file: app_secret}\n"
        "        verify_token: {file: verify_token}\n";
  }
};

TEST_F(MetaInboundE2E, FacebookCommentIsAPublicEventInItsPostsThread) {
  ASSERT_TRUE(StartDaemon());
  auto res = PostSigned(Fixture("messenger/feed_comment.json"), "meta");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(StopDaemon(), 0);

  auto store = OpenStore();
  ASSERT_TRUE(store);
  auto listed = store->ListEvents({});
  ASSERT_TRUE(listed.ok());
  const std::vector<store::StoredEvent>& events = *listed;
  ASSERT_EQ(events.size(), 1u);
  const store::StoredEvent& comment = events.front();
  EXPECT_EQ(comment.event.channel, Channel::kMessenger);
  EXPECT_EQ(comment.event.kind, EventKind::kComment);
  EXPECT_EQ(comment.event.visibility, Visibility::kPublic);
  EXPECT_EQ(comment.event.thread_id, "112233445566778_901234567890123");
  EXPECT_EQ(comment.event.text, "¿Cuánto cuesta el plan?");
  auto conversation = store->GetConversation(comment.conversation_id);
  ASSERT_TRUE(conversation.ok());
  ASSERT_TRUE(conversation->has_value());
  EXPECT_EQ((*conversation)->visibility, Visibility::kPublic);
}

TEST_F(MetaInboundE2E, PageInboxEchoIsRecordedAsAHumansOutboundMessage) {
  ASSERT_TRUE(StartDaemon());
  auto res = PostSigned(Fixture("messenger/echo_page_inbox.json"), "messenger");
  ASSERT_TRUE(res);
  // The route's own channel signs with the Page's app secret, not the WhatsApp one.
  EXPECT_EQ(res->status, 401);
  auto via_meta = PostSigned(Fixture("messenger/echo_page_inbox.json"), "meta");
  ASSERT_TRUE(via_meta);
  EXPECT_EQ(via_meta->status, 200);
  EXPECT_EQ(StopDaemon(), 0);

  auto events = StoredEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events.front().event.direction, Direction::kOutboundHuman);
  EXPECT_EQ(events.front().event.text, "Te llamo en 5 minutos");
  EXPECT_FALSE(events.front().decision.has_value());
}

TEST_F(MetaInboundE2E, InstagramCommentIsStoredPublic) {
  ASSERT_TRUE(StartDaemon());
  auto res = PostSigned(Fixture("instagram/comment.json"), "meta");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(StopDaemon(), 0);
  auto events = StoredEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events.front().event.channel, Channel::kInstagram);
  EXPECT_EQ(events.front().event.kind, EventKind::kComment);
  EXPECT_EQ(events.front().event.visibility, Visibility::kPublic);
}

}  // namespace
}  // namespace atalaya::testing
