// The sender with the real HTTP Graph client against the fake Graph server: what leaves the
// process, byte for byte, and how scripted platform errors end up in the outbox.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "channels/graph_client.h"
#include "channels/window.h"
#include "daemon/sender_worker.h"
#include "tests/fakes/fake_graph_server.h"
#include "tests/unit/daemon/sender_fakes.h"

namespace atalaya::daemon {
namespace {

using fakes::FakeGraphServer;
using nlohmann::json;
using store::OutboxState;

constexpr int64_t kNow = 1'700'000'000'000;

class SenderGraphTest : public ::testing::Test {
 protected:
  SenderGraphTest() {
    store::Conversation feed;
    feed.id = 1;
    feed.channel = Channel::kMessenger;
    feed.account_id = "PAGE";
    feed.visibility = Visibility::kPublic;
    store_.AddConversation(feed);
    Event comment;
    comment.channel = Channel::kMessenger;
    comment.kind = EventKind::kComment;
    comment.platform_id = "POST_COMMENT";
    comment.timestamp_ms = kNow - channels::kHourMs;
    store_.AddEvent(1, comment);
    channels::GraphClientOptions options;
    options.base_url = graph_.base_url();
    options.api_version = "v21.0";
    client_ = std::move(channels::MakeHttpGraphClient(options)).value();
    settings_.retry.base_delay_ms = 1000;
    worker_ = std::make_unique<SenderWorker>(
        store_, *client_, clock_,
        [](Channel, const std::string&) { return std::string("page-token"); }, settings_,
        [] { return 0.0; });
  }

  int64_t QueuePrivateReply() {
    store::NewOutbound message;
    message.channel = Channel::kMessenger;
    message.account_id = "PAGE";
    message.conversation_id = 1;
    message.recipient_id = "POST_COMMENT";
    message.kind = "private_reply";
    message.payload_json = R"({"text":"Hi Jane, we have sent you the details here."})";
    return *store_.EnqueueOutbound(message, clock_.NowMs());
  }

  FakeGraphServer graph_;
  FakeClock clock_{kNow};
  testing::FakeOutboxStore store_;
  SenderSettings settings_;
  std::unique_ptr<channels::GraphClient> client_;
  std::unique_ptr<SenderWorker> worker_;
};

TEST_F(SenderGraphTest, PrivateReplyReachesTheFakeExactlyOnce) {
  const int64_t id = QueuePrivateReply();
  ASSERT_EQ(*worker_->RunOnce(), 1);
  ASSERT_EQ(graph_.RequestCount(), 1u);
  const fakes::RecordedRequest request = graph_.Requests()[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/v21.0/PAGE/messages");
  EXPECT_EQ(request.Header("authorization"), "Bearer page-token");
  EXPECT_EQ(json::parse(request.body), json::parse(R"({"recipient":{"comment_id":"POST_COMMENT"},
      "message":{"text":"Hi Jane, we have sent you the details here."}})"));
  const store::OutboundMessage row = **store_.GetOutbound(id);
  EXPECT_EQ(row.state, OutboxState::kSent);
  EXPECT_EQ(row.platform_message_id, "m_FAKE1");
  EXPECT_EQ(*worker_->RunOnce(), 0);
  EXPECT_EQ(graph_.RequestCount(), 1u);
}

TEST_F(SenderGraphTest, ServerErrorThenSuccess) {
  graph_.Enqueue("PAGE/messages", FakeGraphServer::ServerError());
  const int64_t id = QueuePrivateReply();
  ASSERT_EQ(*worker_->RunOnce(), 1);
  EXPECT_EQ((*store_.GetOutbound(id))->state, OutboxState::kPending);
  EXPECT_EQ((*store_.GetOutbound(id))->last_error.code, 2);
  clock_.AdvanceMs(1000);
  ASSERT_EQ(*worker_->RunOnce(), 1);
  EXPECT_EQ((*store_.GetOutbound(id))->state, OutboxState::kSent);
  EXPECT_EQ(graph_.RequestCount(), 2u);
}

TEST_F(SenderGraphTest, UserUnavailableFailsWithThePlatformsWords) {
  graph_.Enqueue("PAGE/messages", FakeGraphServer::UserUnavailable());
  const int64_t id = QueuePrivateReply();
  ASSERT_EQ(*worker_->RunOnce(), 1);
  const store::OutboundMessage row = **store_.GetOutbound(id);
  EXPECT_EQ(row.state, OutboxState::kFailed);
  EXPECT_EQ(row.last_error.code, 551);
  EXPECT_EQ(row.last_error.subcode, 1545041);
  EXPECT_EQ(row.last_error.message, "graph 551/1545041: This person isn't available right now.");
}

TEST_F(SenderGraphTest, RateLimitHonoursRetryAfter) {
  graph_.Enqueue("PAGE/messages", FakeGraphServer::RateLimited(120));
  const int64_t id = QueuePrivateReply();
  ASSERT_EQ(*worker_->RunOnce(), 1);
  EXPECT_EQ((*store_.GetOutbound(id))->next_attempt_ms, kNow + 120'000);
}

TEST_F(SenderGraphTest, BadTokenIsPermanent) {
  graph_.Enqueue("*", FakeGraphServer::BadToken());
  const int64_t id = QueuePrivateReply();
  ASSERT_EQ(*worker_->RunOnce(), 1);
  EXPECT_EQ((*store_.GetOutbound(id))->state, OutboxState::kFailed);
  EXPECT_EQ((*store_.GetOutbound(id))->last_error.code, 190);
}

}  // namespace
}  // namespace atalaya::daemon
