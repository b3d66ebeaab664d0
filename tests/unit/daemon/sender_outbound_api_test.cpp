#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "channels/window.h"
#include "daemon/outbound_api.h"
#include "tests/unit/daemon/sender_fakes.h"

namespace atalaya::daemon {
namespace {

using nlohmann::json;
using testing::FakeOutboxStore;

constexpr int64_t kNow = 1'700'000'000'000;
constexpr int64_t kHour = channels::kHourMs;
constexpr const char* kToken = "admin-secret";

class OutboundApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::Contact customer;
    customer.id = 7;
    customer.identities = {{Channel::kWhatsApp, "bsuid", "BSUID.1"},
                           {Channel::kWhatsApp, "wa_id", "15551234567"}};
    store_.AddContact(customer);
    store::Conversation chat;
    chat.id = 1;
    chat.channel = Channel::kWhatsApp;
    chat.account_id = "PHONE";
    chat.contact_id = 7;
    chat.last_inbound_ms = kNow - kHour;
    store_.AddConversation(chat);
    store::Conversation old_chat = chat;
    old_chat.id = 3;
    old_chat.last_inbound_ms = kNow - 30 * kHour;
    store_.AddConversation(old_chat);
    store::Conversation feed;
    feed.id = 2;
    feed.channel = Channel::kMessenger;
    feed.account_id = "PAGE";
    feed.visibility = Visibility::kPublic;
    store_.AddConversation(feed);
    Event comment;
    comment.channel = Channel::kMessenger;
    comment.kind = EventKind::kComment;
    comment.platform_id = "COMMENT";
    comment.timestamp_ms = kNow - kHour;
    store_.AddEvent(2, comment);

    OutboundApiOptions options;
    options.admin_token = [this] { return admin_token_; };
    options.whatsapp_reengagement_template = [](const std::string& account) {
      return account == "PHONE" ? "follow_up" : "";
    };
    options.max_body_bytes = 8192;
    options.on_queued = [this] { ++queued_; };
    RegisterOutboundApi(server_, store_, clock_, options);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
  }

  httplib::Result Post(const json& body, const std::string& token = kToken,
                       httplib::Headers headers = {}) {
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return client_->Post("/api/v1/messages", headers, body.dump(), "application/json");
  }
  httplib::Result Get(const std::string& path, const std::string& token = kToken) {
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return client_->Get(path.c_str(), headers);
  }
  static json Error(const httplib::Result& res) { return json::parse(res->body)["error"]; }

  std::string admin_token_ = kToken;
  FakeClock clock_{kNow};
  FakeOutboxStore store_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::unique_ptr<httplib::Client> client_;
  std::atomic<int> queued_{0};
};

TEST_F(OutboundApiTest, QueuesATextToTheCustomersWhatsAppNumber) {
  httplib::Result res = Post({{"conversation_id", 1}, {"kind", "text"}, {"text", "Hello"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 202);
  EXPECT_EQ(json::parse(res->body), json::parse(R"({"id":1,"state":"pending"})"));
  EXPECT_EQ(queued_.load(), 1);
  const store::OutboundMessage row = **store_.GetOutbound(1);
  EXPECT_EQ(row.request.channel, Channel::kWhatsApp);
  EXPECT_EQ(row.request.account_id, "PHONE");
  EXPECT_EQ(row.request.recipient_id, "15551234567");
  EXPECT_EQ(row.request.author, "api");
  EXPECT_EQ(json::parse(row.request.payload_json), json::parse(R"({"text":"Hello"})"));
}

TEST_F(OutboundApiTest, ReadsAMessagesState) {
  ASSERT_EQ(Post({{"conversation_id", 1}, {"kind", "text"}, {"text", "Hello"}})->status, 202);
  httplib::Result res = Get("/api/v1/messages/1");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  json body = json::parse(res->body);
  EXPECT_EQ(body["id"], 1);
  EXPECT_EQ(body["state"], "pending");
  EXPECT_EQ(body["channel"], "whatsapp");
  EXPECT_EQ(body["attempts"], 0);
  EXPECT_EQ(body["possible_duplicate"], false);
  httplib::Result missing = Get("/api/v1/messages/99");
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(Error(missing)["message"], "message 99 not found");
  EXPECT_EQ(Get("/api/v1/messages/1", "")->status, 401);
}

TEST_F(OutboundApiTest, MissingOrWrongTokenIs401) {
  httplib::Result missing = Post({{"conversation_id", 1}, {"kind", "text"}, {"text", "x"}}, "");
  EXPECT_EQ(missing->status, 401);
  EXPECT_EQ(Error(missing)["message"], "missing Authorization: Bearer <admin token>");
  httplib::Result wrong =
      Post({{"conversation_id", 1}, {"kind", "text"}, {"text", "x"}}, "admin-secreT");
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(Error(wrong)["code"], "unauthenticated");
  EXPECT_EQ(Error(wrong)["message"], "wrong admin token");
  EXPECT_EQ(queued_.load(), 0);
}

TEST_F(OutboundApiTest, MalformedBodiesAre400) {
  httplib::Headers auth = {{"Authorization", std::string("Bearer ") + kToken}};
  httplib::Result not_json = client_->Post("/api/v1/messages", auth, "{", "application/json");
  EXPECT_EQ(not_json->status, 400);
  EXPECT_EQ(Error(not_json)["message"], "body is not valid JSON");
  EXPECT_EQ(Error(Post({{"kind", "text"}, {"text", "x"}}))["message"],
            "conversation_id is missing");
  EXPECT_EQ(Error(Post({{"conversation_id", "1"}, {"kind", "text"}}))["message"],
            "conversation_id must be a positive integer");
  EXPECT_EQ(Error(Post({{"conversation_id", 1}, {"kind", "fax"}}))["message"],
            "kind must be one of text, quick_replies, buttons, template, interactive, "
            "private_reply, public_reply, hide_comment, unhide_comment, mark_read, sender_action");
  httplib::Result unknown = Post({{"conversation_id", 1}, {"kind", "text"}, {"txt", "x"}});
  EXPECT_EQ(unknown->status, 400);
  EXPECT_EQ(Error(unknown)["message"], "unknown field \"txt\"");
  EXPECT_EQ(Error(Post({{"conversation_id", 1}, {"kind", "text"}}))["message"], "text is missing");
  EXPECT_EQ(queued_.load(), 0);
}

TEST_F(OutboundApiTest, OversizedBodyIs413) {
  httplib::Result res =
      Post({{"conversation_id", 1}, {"kind", "text"}, {"text", std::string(9000, 'a')}});
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(Error(res)["message"], "body is 9045 bytes; at most 8192");
}

TEST_F(OutboundApiTest, UnknownConversationIs404) {
  httplib::Result res = Post({{"conversation_id", 42}, {"kind", "text"}, {"text", "x"}});
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(Error(res)["message"], "conversation 42 not found");
}

TEST_F(OutboundApiTest, OverALimitIs422WithTheLimit) {
  httplib::Result res =
      Post({{"conversation_id", 1}, {"kind", "text"}, {"text", std::string(4097, 'a')}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 422);
  EXPECT_EQ(Error(res)["code"], "failed_precondition");
  EXPECT_EQ(Error(res)["message"], "text is 4097 characters; WhatsApp allows at most 4096");
  EXPECT_TRUE(store_.Transitions().empty());
}

TEST_F(OutboundApiTest, OutsideTheWindowIs422AndNamesTheTemplate) {
  httplib::Result res = Post({{"conversation_id", 3}, {"kind", "text"}, {"text", "hi"}});
  EXPECT_EQ(res->status, 422);
  EXPECT_EQ(Error(res)["message"],
            "WhatsApp: outside the 24-hour customer-service window (the customer's last message "
            "was 30 h ago): a template is required, e.g. \"follow_up\"");
  httplib::Result templated = Post(
      {{"conversation_id", 3}, {"kind", "template"}, {"name", "follow_up"}, {"language", "en_US"}});
  EXPECT_EQ(templated->status, 202);
}

TEST_F(OutboundApiTest, IdempotencyKeyRepeatReturnsTheFirstMessage) {
  httplib::Headers key = {{"Idempotency-Key", "order-1234"}};
  json body = {{"conversation_id", 1}, {"kind", "text"}, {"text", "Hello"}};
  ASSERT_EQ(Post(body, kToken, key)->status, 202);
  httplib::Result again = Post(body, kToken, key);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
  json replay = json::parse(again->body);
  EXPECT_EQ(replay["id"], 1);
  EXPECT_EQ(replay["idempotent_replay"], true);
  EXPECT_EQ(queued_.load(), 1);
}

TEST_F(OutboundApiTest, PrivateReplyToACommentOncePerComment) {
  json reply = {{"conversation_id", 2},
                {"kind", "private_reply"},
                {"comment_id", "COMMENT"},
                {"text", "We sent you the details"}};
  httplib::Result first = Post(reply);
  EXPECT_EQ(first->status, 202);
  EXPECT_EQ((*store_.GetOutbound(1))->request.recipient_id, "COMMENT");
  httplib::Result second = Post(reply);
  EXPECT_EQ(second->status, 422);
  EXPECT_EQ(Error(second)["message"],
            "private reply: this comment already has one (one per comment)");
}

TEST_F(OutboundApiTest, RepeatedPrivateReplyWithItsKeyIsAReplayNotARefusal) {
  json reply = {{"conversation_id", 2},
                {"kind", "private_reply"},
                {"comment_id", "COMMENT"},
                {"text", "We sent you the details"}};
  httplib::Headers key = {{"Idempotency-Key", "reply-COMMENT"}};
  ASSERT_EQ(Post(reply, kToken, key)->status, 202);
  httplib::Result again = Post(reply, kToken, key);
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(json::parse(again->body)["id"], 1);
  EXPECT_EQ(queued_.load(), 1);
}

TEST_F(OutboundApiTest, PublicThreadsNeedACommentKind) {
  httplib::Result text = Post({{"conversation_id", 2}, {"kind", "text"}, {"text", "x"}});
  EXPECT_EQ(text->status, 422);
  EXPECT_EQ(Error(text)["message"],
            "conversation 2 is a public thread: answer with private_reply or public_reply and a "
            "comment_id");
  httplib::Result no_comment = Post({{"conversation_id", 2}, {"kind", "hide_comment"}});
  EXPECT_EQ(no_comment->status, 400);
  EXPECT_EQ(Error(no_comment)["message"], "hide_comment needs comment_id");
  httplib::Result hide =
      Post({{"conversation_id", 2}, {"kind", "hide_comment"}, {"comment_id", "COMMENT"}});
  EXPECT_EQ(hide->status, 202);
}

TEST(OutboundApiDisabledTest, NoAdminTokenMeansTheApiIsOff) {
  FakeClock clock;
  FakeOutboxStore store;
  httplib::Server server;
  RegisterOutboundApi(server, store, clock, OutboundApiOptions{});
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread thread([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  httplib::Client client("127.0.0.1", port);
  httplib::Result res =
      client.Post("/api/v1/messages", {{"Authorization", "Bearer "}}, "{}", "application/json");
  server.stop();
  thread.join();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_EQ(json::parse(res->body)["error"]["message"],
            "the admin API is off: no admin token is configured");
}

}  // namespace
}  // namespace atalaya::daemon
