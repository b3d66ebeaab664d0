#include "daemon/sender_worker.h"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "channels/window.h"
#include "tests/unit/daemon/sender_fakes.h"

namespace atalaya::daemon {
namespace {

using nlohmann::json;
using store::OutboxState;
using testing::FakeOutboxStore;
using testing::ScriptedGraphClient;

constexpr int64_t kNow = 1'700'000'000'000;
constexpr int64_t kHour = channels::kHourMs;

class SenderWorkerTest : public ::testing::Test {
 protected:
  SenderWorkerTest() {
    store::Conversation whatsapp;
    whatsapp.id = 1;
    whatsapp.channel = Channel::kWhatsApp;
    whatsapp.account_id = "PHONE";
    whatsapp.last_inbound_ms = kNow - kHour;
    store_.AddConversation(whatsapp);
    store::Conversation feed;
    feed.id = 2;
    feed.channel = Channel::kMessenger;
    feed.account_id = "PAGE";
    feed.visibility = Visibility::kPublic;
    feed.thread_id = "POST";
    store_.AddConversation(feed);
    Event comment;
    comment.channel = Channel::kMessenger;
    comment.kind = EventKind::kComment;
    comment.platform_id = "COMMENT";
    comment.timestamp_ms = kNow - 2 * kHour;
    store_.AddEvent(2, comment);
    settings_.retry.base_delay_ms = 1000;
    settings_.retry.max_attempts = 4;
    // The pair rate (1 per 6 s) has its own test; elsewhere it would only add waits.
    settings_.rate_limits.whatsapp_per_recipient = {0, 1};
  }

  std::unique_ptr<SenderWorker> MakeWorker() {
    return std::make_unique<SenderWorker>(
        store_, graph_, clock_,
        [](Channel, const std::string& account) { return account == "NOTOKEN" ? "" : "tok"; },
        settings_, [] { return 0.0; });
  }

  int64_t Queue(const std::string& kind, const json& payload, int64_t conversation = 1,
                const std::string& recipient = "15551234567") {
    store::NewOutbound message;
    message.conversation_id = conversation;
    Result<std::optional<store::Conversation>> c = store_.GetConversation(conversation);
    message.channel = (*c)->channel;
    message.account_id = (*c)->account_id;
    message.recipient_id = recipient;
    message.kind = kind;
    message.payload_json = payload.dump();
    message.author = "bot";
    Result<int64_t> id = store_.EnqueueOutbound(message, clock_.NowMs());
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : 0;
  }

  store::OutboundMessage Row(int64_t id) { return **store_.GetOutbound(id); }

  FakeClock clock_{kNow};
  FakeOutboxStore store_;
  ScriptedGraphClient graph_;
  SenderSettings settings_;
};

TEST_F(SenderWorkerTest, SendsADueMessageAndRecordsThePlatformId) {
  const int64_t id = Queue("text", {{"text", "Your order shipped."}});
  auto worker = MakeWorker();
  Result<int> handled = worker->RunOnce();
  ASSERT_TRUE(handled.ok());
  EXPECT_EQ(*handled, 1);
  ASSERT_EQ(graph_.Calls().size(), 1u);
  EXPECT_EQ(graph_.Calls()[0].call.path, "PHONE/messages");
  EXPECT_EQ(graph_.Calls()[0].token, "tok");
  EXPECT_EQ(json::parse(graph_.Calls()[0].call.body)["text"]["body"], "Your order shipped.");
  EXPECT_EQ(Row(id).state, OutboxState::kSent);
  EXPECT_EQ(Row(id).platform_message_id, "m_1");
  EXPECT_EQ(Row(id).attempts, 1);
  EXPECT_EQ(store_.Transitions(), (std::vector<std::string>{"1:pending", "1:sending", "1:sent"}));
  EXPECT_EQ(worker->Stats().sent, 1);
  // Nothing is sent twice.
  EXPECT_EQ(*worker->RunOnce(), 0);
  EXPECT_EQ(graph_.Calls().size(), 1u);
}

TEST_F(SenderWorkerTest, LocalRefusalFailsWithTheReasonAndNoRequest) {
  const int64_t id = Queue("text", {{"text", "hello again"}});
  clock_.AdvanceMs(24 * kHour);  // the window opened an hour before queueing: now 25 h
  settings_.whatsapp_reengagement_template = [](const std::string& account) {
    return account == "PHONE" ? "follow_up" : "";
  };
  auto worker = MakeWorker();
  ASSERT_EQ(*worker->RunOnce(), 1);
  EXPECT_TRUE(graph_.Calls().empty());
  const store::OutboundMessage row = Row(id);
  EXPECT_EQ(row.state, OutboxState::kFailed);
  EXPECT_EQ(row.last_error.code, 0);
  EXPECT_EQ(row.last_error.message,
            "WhatsApp: outside the 24-hour customer-service window (the customer's last message "
            "was 25 h ago): a template is required, e.g. \"follow_up\"");
  EXPECT_EQ(worker->Stats().refused, 1);
}

TEST_F(SenderWorkerTest, EachWhatsAppNumberNamesItsOwnTemplate) {
  store::Conversation other;
  other.id = 3;
  other.channel = Channel::kWhatsApp;
  other.account_id = "OTHER";
  other.last_inbound_ms = kNow - kHour;
  store_.AddConversation(other);
  const int64_t named = Queue("text", {{"text", "hello again"}});
  const int64_t unnamed = Queue("text", {{"text", "hello again"}}, 3);
  clock_.AdvanceMs(24 * kHour);
  settings_.whatsapp_reengagement_template = [](const std::string& account) {
    return account == "PHONE" ? "follow_up" : "";
  };
  auto worker = MakeWorker();
  ASSERT_EQ(*worker->RunOnce(), 2);
  EXPECT_TRUE(graph_.Calls().empty());
  EXPECT_EQ(Row(named).last_error.message,
            "WhatsApp: outside the 24-hour customer-service window (the customer's last message "
            "was 25 h ago): a template is required, e.g. \"follow_up\"");
  EXPECT_EQ(Row(unnamed).last_error.message,
            "WhatsApp: outside the 24-hour customer-service window (the customer's last message "
            "was 25 h ago): a template is required");
}

TEST(ReengagementTemplateFor, AsksOnlyForWhatsApp) {
  TemplateLookup lookup = [](const std::string& account) { return "t_" + account; };
  store::NewOutbound message;
  message.channel = Channel::kWhatsApp;
  message.account_id = "PHONE";
  EXPECT_EQ(ReengagementTemplateFor(lookup, message), "t_PHONE");
  EXPECT_EQ(ReengagementTemplateFor(nullptr, message), "");
  message.channel = Channel::kMessenger;
  EXPECT_EQ(ReengagementTemplateFor(lookup, message), "");
}

TEST_F(SenderWorkerTest, TransientFailureIsRetriedAfterBackoffThenSent) {
  const int64_t id = Queue("text", {{"text", "hi"}});
  graph_.Push(ScriptedGraphClient::Error(500, 2));
  auto worker = MakeWorker();
  ASSERT_EQ(*worker->RunOnce(), 1);
  store::OutboundMessage row = Row(id);
  EXPECT_EQ(row.state, OutboxState::kPending);
  EXPECT_EQ(row.next_attempt_ms, kNow + 1000);  // base delay, jitter drawn as 0
  EXPECT_EQ(row.last_error.code, 2);
  EXPECT_EQ(row.last_error.message, "graph 2: scripted error 2");
  // Not due yet.
  EXPECT_EQ(*worker->RunOnce(), 0);
  EXPECT_EQ(graph_.Calls().size(), 1u);
  clock_.AdvanceMs(1000);
  ASSERT_EQ(*worker->RunOnce(), 1);
  row = Row(id);
  EXPECT_EQ(row.state, OutboxState::kSent);
  EXPECT_EQ(row.attempts, 2);
  EXPECT_EQ(graph_.Calls().size(), 2u);
}

TEST_F(SenderWorkerTest, NoAnswerIsRetriedToo) {
  const int64_t id = Queue("text", {{"text", "hi"}});
  graph_.Push(DeadlineExceeded("graph: no answer (read failed or timed out)"));
  auto worker = MakeWorker();
  ASSERT_EQ(*worker->RunOnce(), 1);
  EXPECT_EQ(Row(id).state, OutboxState::kPending);
  EXPECT_EQ(Row(id).last_error.message, "graph: no answer (read failed or timed out)");
}

TEST_F(SenderWorkerTest, RetryAfterIsHonoured) {
  const int64_t id = Queue("text", {{"text", "hi"}});
  graph_.Push(ScriptedGraphClient::Error(429, 130429, 30'000));
  auto worker = MakeWorker();
  ASSERT_EQ(*worker->RunOnce(), 1);
  EXPECT_EQ(Row(id).next_attempt_ms, kNow + 30'000);
  EXPECT_EQ(Row(id).last_error.code, 130429);
}

TEST_F(SenderWorkerTest, PermanentFailureKeepsThePlatformsCodeAndMessage) {
  const int64_t id = Queue("text", {{"text", "hi"}});
  graph_.Push(ScriptedGraphClient::Error(400, 131047));
  auto worker = MakeWorker();
  ASSERT_EQ(*worker->RunOnce(), 1);
  const store::OutboundMessage row = Row(id);
  EXPECT_EQ(row.state, OutboxState::kFailed);
  EXPECT_EQ(row.last_error.code, 131047);
  EXPECT_EQ(row.last_error.message, "graph 131047: scripted error 131047");
  EXPECT_EQ(worker->Stats().failed, 1);
  EXPECT_EQ(graph_.Calls().size(), 1u);
}

TEST_F(SenderWorkerTest, GivesUpAfterMaxAttempts) {
  const int64_t id = Queue("text", {{"text", "hi"}});
  for (int i = 0; i < 4; ++i) graph_.Push(ScriptedGraphClient::Error(503, 2));
  auto worker = MakeWorker();
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(*worker->RunOnce(), 1) << i;
    clock_.AdvanceMs(60 * 60'000);
  }
  const store::OutboundMessage row = Row(id);
  EXPECT_EQ(row.state, OutboxState::kFailed);
  EXPECT_EQ(row.attempts, 4);
  EXPECT_EQ(row.last_error.message, "gave up after 4 attempts: graph 2: scripted error 2");
  EXPECT_EQ(graph_.Calls().size(), 4u);
}

TEST_F(SenderWorkerTest, CrashBetweenRequestAndRecordIsResentAndFlagged) {
  const int64_t id = Queue("text", {{"text", "hi"}});
  store_.FailNextMarkSent(Unavailable("disk went away"));
  {
    auto crashed = MakeWorker();
    ASSERT_EQ(*crashed->RunOnce(), 0);
    EXPECT_EQ(Row(id).state, OutboxState::kSending);
  }
  auto restarted = MakeWorker();
  Result<int64_t> recovered = restarted->Recover();
  ASSERT_TRUE(recovered.ok());
  EXPECT_EQ(*recovered, 1);
  ASSERT_EQ(*restarted->RunOnce(), 1);
  const store::OutboundMessage row = Row(id);
  EXPECT_EQ(row.state, OutboxState::kSent);
  EXPECT_TRUE(row.possible_duplicate);
  EXPECT_EQ(row.attempts, 2);
  EXPECT_EQ(graph_.Calls().size(), 2u);
}

TEST_F(SenderWorkerTest, MissingTokenIsRefused) {
  store::Conversation page;
  page.id = 3;
  page.channel = Channel::kMessenger;
  page.account_id = "NOTOKEN";
  page.last_inbound_ms = kNow;
  store_.AddConversation(page);
  const int64_t id = Queue("text", {{"text", "hi"}}, 3, "PSID");
  auto worker = MakeWorker();
  ASSERT_EQ(*worker->RunOnce(), 1);
  EXPECT_EQ(Row(id).state, OutboxState::kFailed);
  EXPECT_EQ(Row(id).last_error.message, "no access token configured for messenger account NOTOKEN");
  EXPECT_TRUE(graph_.Calls().empty());
}

TEST_F(SenderWorkerTest, PairRateLimitDefersWithoutSpendingAnAttempt) {
  settings_.rate_limits.whatsapp_per_recipient = {1.0 / 6.0, 1};
  settings_.concurrency = 1;  // so the older message is the one that goes first
  const int64_t first = Queue("text", {{"text", "one"}});
  const int64_t second = Queue("text", {{"text", "two"}});
  auto worker = MakeWorker();
  ASSERT_EQ(*worker->RunOnce(), 1);
  EXPECT_EQ(Row(first).state, OutboxState::kSent);
  EXPECT_EQ(Row(second).state, OutboxState::kPending);
  EXPECT_EQ(Row(second).attempts, 0);
  EXPECT_EQ(worker->Stats().deferred, 1);
  clock_.AdvanceMs(5999);
  EXPECT_EQ(*worker->RunOnce(), 0);
  clock_.AdvanceMs(1);
  ASSERT_EQ(*worker->RunOnce(), 1);
  EXPECT_EQ(Row(second).state, OutboxState::kSent);
  EXPECT_EQ(Row(second).attempts, 1);
}

TEST_F(SenderWorkerTest, PrivateReplyGoesToTheCommentOnceWithinSevenDays) {
  const int64_t first = Queue("private_reply", {{"text", "Details inside"}}, 2, "COMMENT");
  const int64_t second = Queue("private_reply", {{"text", "Again"}}, 2, "COMMENT");
  auto worker = MakeWorker();
  ASSERT_EQ(*worker->RunOnce(), 2);
  ASSERT_EQ(graph_.Calls().size(), 1u);
  EXPECT_EQ(graph_.Calls()[0].call.path, "PAGE/messages");
  EXPECT_EQ(json::parse(graph_.Calls()[0].call.body)["recipient"],
            json::parse(R"({"comment_id":"COMMENT"})"));
  EXPECT_EQ(Row(first).state, OutboxState::kSent);
  EXPECT_EQ(Row(second).state, OutboxState::kFailed);
  EXPECT_EQ(Row(second).last_error.message,
            "private reply: this comment already has one (one per comment)");
}

TEST_F(SenderWorkerTest, PrivateReplyAfterSevenDaysIsRefused) {
  const int64_t id = Queue("private_reply", {{"text", "Late"}}, 2, "COMMENT");
  clock_.AdvanceMs(7 * 24 * kHour - 2 * kHour);  // exactly 7 days after the comment
  auto worker = MakeWorker();
  ASSERT_EQ(*worker->RunOnce(), 1);
  EXPECT_EQ(Row(id).state, OutboxState::kFailed);
  EXPECT_EQ(Row(id).last_error.message,
            "private reply: only within 7 days of the comment (it was made 7 days ago)");
  EXPECT_TRUE(graph_.Calls().empty());
}

TEST_F(SenderWorkerTest, ConcurrentSendsDeliverEachMessageExactlyOnce) {
  settings_.concurrency = 8;
  std::set<int64_t> ids;
  for (int i = 0; i < 40; ++i) ids.insert(Queue("text", {{"text", "m" + std::to_string(i)}}));
  auto worker = MakeWorker();
  int handled = 0;
  while (handled < 40) {
    Result<int> pass = worker->RunOnce();
    ASSERT_TRUE(pass.ok());
    ASSERT_GT(*pass, 0);
    handled += *pass;
  }
  EXPECT_EQ(graph_.Calls().size(), 40u);
  std::set<std::string> bodies;
  for (const testing::RecordedCall& call : graph_.Calls()) bodies.insert(call.call.body);
  EXPECT_EQ(bodies.size(), 40u);
  for (int64_t id : ids) EXPECT_EQ(Row(id).state, OutboxState::kSent) << id;
}

TEST_F(SenderWorkerTest, StartedWorkerSendsWhatIsQueuedAfterAWake) {
  auto worker = MakeWorker();
  worker->Start();
  const int64_t id = Queue("text", {{"text", "hi"}});
  worker->Wake();
  for (int i = 0; i < 500 && Row(id).state != OutboxState::kSent; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  worker->Stop();
  EXPECT_EQ(Row(id).state, OutboxState::kSent);
}

TEST_F(SenderWorkerTest, AHangingCallHoldsOneSenderOnly) {
  store::Conversation page;
  page.id = 4;
  page.channel = Channel::kMessenger;
  page.account_id = "SLOWPAGE";
  page.last_inbound_ms = kNow;
  store_.AddConversation(page);
  settings_.concurrency = 2;
  graph_.Block("SLOWPAGE/messages");
  auto worker = MakeWorker();
  worker->Start();
  const int64_t slow = Queue("text", {{"text", "slow"}}, 4, "PSID");
  worker->Wake();
  for (int i = 0; i < 500 && Row(slow).state != OutboxState::kSending; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(Row(slow).state, OutboxState::kSending);
  // Queued while the first call hangs: the other sender delivers it.
  const int64_t fast = Queue("text", {{"text", "fast"}});
  worker->Wake();
  for (int i = 0; i < 500 && Row(fast).state != OutboxState::kSent; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(Row(fast).state, OutboxState::kSent);
  EXPECT_EQ(Row(slow).state, OutboxState::kSending);
  graph_.Release();
  for (int i = 0; i < 500 && Row(slow).state != OutboxState::kSent; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  worker->Stop();
  EXPECT_EQ(Row(slow).state, OutboxState::kSent);
  EXPECT_EQ(graph_.Calls().size(), 2u);
}

TEST_F(SenderWorkerTest, StartedWorkerDeliversABacklogExactlyOnce) {
  settings_.concurrency = 8;
  settings_.rate_limits.whatsapp_per_number = {0, 1};  // the fake clock never refills it
  for (int i = 0; i < 100; ++i) Queue("text", {{"text", "m" + std::to_string(i)}});
  auto worker = MakeWorker();
  worker->Start();
  for (int i = 0; i < 1000 && worker->Stats().sent < 100; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  worker->Stop();
  EXPECT_EQ(worker->Stats().sent, 100);
  EXPECT_EQ(worker->Stats().store_errors, 0);
  EXPECT_EQ(graph_.Calls().size(), 100u);
}

TEST(BackoffTest, GrowsExponentiallyWithinJitterAndCap) {
  RetryPolicy policy;
  policy.base_delay_ms = 1000;
  policy.max_delay_ms = 60'000;
  policy.jitter = 0.5;
  EXPECT_EQ(BackoffDelayMs(policy, 1, -1, 0.0), 1000);
  EXPECT_EQ(BackoffDelayMs(policy, 2, -1, 0.0), 2000);
  EXPECT_EQ(BackoffDelayMs(policy, 5, -1, 0.0), 16'000);
  EXPECT_EQ(BackoffDelayMs(policy, 7, -1, 0.0), 60'000);  // 64 s capped
  EXPECT_EQ(BackoffDelayMs(policy, 1000, -1, 0.0), 60'000);
  EXPECT_EQ(BackoffDelayMs(policy, 1, -1, 1.0), 500);  // full jitter halves it
  for (double r : {0.1, 0.5, 0.9}) {
    const int64_t delay = BackoffDelayMs(policy, 3, -1, r);
    EXPECT_GE(delay, 2000);
    EXPECT_LE(delay, 4000);
  }
}

TEST(BackoffTest, RetryAfterIsAFloorAndIsNotCapped) {
  RetryPolicy policy;
  policy.max_delay_ms = 60'000;
  EXPECT_EQ(BackoffDelayMs(policy, 1, 120'000, 0.0), 120'000);
  EXPECT_EQ(BackoffDelayMs(policy, 1, 0, 0.0), 1000);
}

TEST(PlatformMessageIdTest, EachSendApiShape) {
  EXPECT_EQ(PlatformMessageId(R"({"recipient_id":"1","message_id":"m_A"})"), "m_A");
  EXPECT_EQ(PlatformMessageId(
                R"({"messaging_product":"whatsapp","contacts":[],"messages":[{"id":"wamid.B"}]})"),
            "wamid.B");
  EXPECT_EQ(PlatformMessageId(R"({"id":"C_1"})"), "C_1");
  EXPECT_EQ(PlatformMessageId(R"({"success":true})"), "");
  EXPECT_EQ(PlatformMessageId("not json"), "");
}

}  // namespace
}  // namespace atalaya::daemon
