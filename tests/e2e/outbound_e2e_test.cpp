// Outbound delivery end to end: a Facebook comment arrives by webhook, an agent's private
// reply is queued through the API, and the fake Graph API receives exactly one correct
// request; refused sends never reach Meta; transient failures are retried; a restart with
// messages pending delivers each exactly once.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/e2e/daemon_fixture.h"
#include "tests/fakes/fake_graph_server.h"

namespace atalaya::testing {
namespace {

using ::testing::HasSubstr;

constexpr const char* kPageId = "112233445566778";
constexpr const char* kCommentId = "901234567890123_1111";

class OutboundE2E : public DaemonFixture {
 protected:
  void SetUp() override {
    DaemonFixture::SetUp();
    graph_base_url_ = "http://127.0.0.1:" + std::to_string(graph_.port());
    std::ofstream(dir_ + "/page_token") << "page-token-e2e\n";
    extra_channels_yaml_ = std::string("  messenger:\n") +
                           "    graph_base_url: " + graph_base_url_ + "\n" + "    accounts:\n" +
                           "      - id: \"" + kPageId + "\"\n" +
                           "        app_secret: {file: app_secret}\n" +
                           "        verify_token: {file: verify_token}\n" +
                           "        access_token: {file: page_token}\n";
  }

  // The fixture's Facebook comment, written "now" so the 7-day private-reply window is open.
  std::string FreshComment() {
    auto body = nlohmann::json::parse(
        ReadFile(std::string(ATALAYA_TESTDATA_DIR) + "/meta/messenger/feed_comment.json"));
    const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    body["entry"][0]["time"] = now_s;
    body["entry"][0]["changes"][0]["value"]["created_time"] = now_s;
    return body.dump();
  }

  // Posts the comment and returns its public conversation's id once ingested.
  int64_t IngestComment() {
    auto res = PostSigned(FreshComment(), "messenger");
    EXPECT_TRUE(res && res->status == 200);
    WaitForIngest();
    auto store = OpenStore();
    auto events = store->ListEvents({});
    EXPECT_TRUE(events.ok() && events->size() == 1u);
    return events->front().conversation_id;
  }

  httplib::Result Send(const nlohmann::json& body, const std::string& token = "e2e-admin-token") {
    httplib::Client admin("127.0.0.1", admin_port_);
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return admin.Post("/api/v1/messages", headers, body.dump(), "application/json");
  }

  // Queues a private reply to the fixture's comment: its outbox id, or 0 when refused.
  int64_t QueuePrivateReply(int64_t conversation, const std::string& text) {
    auto queued = Send({{"conversation_id", conversation},
                        {"kind", "private_reply"},
                        {"comment_id", kCommentId},
                        {"text", text}});
    const bool accepted = queued && queued->status == 202;
    EXPECT_TRUE(accepted) << (queued ? queued->body : "no answer");
    return accepted ? nlohmann::json::parse(queued->body)["id"].get<int64_t>() : 0;
  }

  nlohmann::json State(int64_t id) {
    httplib::Client admin("127.0.0.1", admin_port_);
    auto res = admin.Get("/api/v1/messages/" + std::to_string(id),
                         {{"Authorization", "Bearer e2e-admin-token"}});
    return res && res->status == 200 ? nlohmann::json::parse(res->body) : nlohmann::json();
  }

  // Waits until the message leaves the pending/sending states.
  nlohmann::json WaitSettled(int64_t id) {
    nlohmann::json state;
    for (int i = 0; i < 300; ++i) {
      state = State(id);
      if (state.value("state", "") == "sent" || state.value("state", "") == "failed") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return state;
  }

  fakes::FakeGraphServer graph_;
};

TEST_F(OutboundE2E, PrivateReplyToACommentReachesTheGraphApiExactlyOnce) {
  ASSERT_TRUE(StartDaemon());
  const int64_t conversation = IngestComment();
  const int64_t id =
      QueuePrivateReply(conversation, "Hola Ana, te escribimos por privado con los precios.");
  ASSERT_NE(id, 0);
  auto settled = WaitSettled(id);
  EXPECT_EQ(settled.value("state", ""), "sent") << settled.dump();

  auto requests = graph_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_THAT(requests[0].path, HasSubstr(std::string(kPageId) + "/messages"));
  EXPECT_EQ(requests[0].Header("authorization"), "Bearer page-token-e2e");
  auto sent = nlohmann::json::parse(requests[0].body);
  EXPECT_EQ(sent["recipient"]["comment_id"], kCommentId);
  EXPECT_EQ(sent["message"]["text"], "Hola Ana, te escribimos por privado con los precios.");

  // One private reply per comment: a second one is refused before calling Meta.
  auto second = Send({{"conversation_id", conversation},
                      {"kind", "private_reply"},
                      {"comment_id", kCommentId},
                      {"text", "otra vez"}});
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 422) << second->body;
  EXPECT_EQ(graph_.Requests().size(), 1u);
}

TEST_F(OutboundE2E, BadRequestsAreRefusedWithTheirReason) {
  ASSERT_TRUE(StartDaemon());
  const int64_t conversation = IngestComment();
  auto anonymous = Send({{"conversation_id", conversation}, {"kind", "text"}, {"text", "x"}}, "");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  auto unknown = Send({{"conversation_id", 999999}, {"kind", "text"}, {"text", "x"}});
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  auto too_long = Send({{"conversation_id", conversation},
                        {"kind", "private_reply"},
                        {"comment_id", kCommentId},
                        {"text", std::string(2001, 'a')}});
  ASSERT_TRUE(too_long);
  EXPECT_EQ(too_long->status, 422);
  EXPECT_THAT(too_long->body, HasSubstr("2000"));
  EXPECT_TRUE(graph_.Requests().empty());
}

TEST_F(OutboundE2E, SighupRotatesTheAdminToken) {
  ASSERT_TRUE(StartDaemon());
  std::ofstream(dir_ + "/admin_token") << "rotated-admin-token\n";
  daemon_->Signal(SIGHUP);
  int status = 0;
  for (int i = 0; i < 50 && status != 404; ++i) {
    auto res =
        Send({{"conversation_id", 999999}, {"kind", "text"}, {"text", "x"}}, "rotated-admin-token");
    status = res ? res->status : -1;
    if (status != 404) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(status, 404);  // past authentication: the conversation is what is missing
  auto old = Send({{"conversation_id", 999999}, {"kind", "text"}, {"text", "x"}});
  ASSERT_TRUE(old);
  EXPECT_EQ(old->status, 401);
}

TEST_F(OutboundE2E, TransientFailureIsRetriedThenDelivered) {
  ASSERT_TRUE(StartDaemon());
  const int64_t conversation = IngestComment();
  graph_.Enqueue(std::string(kPageId) + "/messages", fakes::FakeGraphServer::ServerError());
  const int64_t id = QueuePrivateReply(conversation, "¿Nos escribes por privado?");
  ASSERT_NE(id, 0);
  nlohmann::json state;
  for (int i = 0; i < 250; ++i) {  // the first retry waits about a second
    state = State(id);
    if (state.value("state", "") == "sent") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(state.value("state", ""), "sent") << state.dump();
  EXPECT_EQ(graph_.Requests().size(), 2u);
}

TEST_F(OutboundE2E, PermanentFailureEndsFailedWithThePlatformsReason) {
  ASSERT_TRUE(StartDaemon());
  const int64_t conversation = IngestComment();
  graph_.Enqueue(std::string(kPageId) + "/messages", fakes::FakeGraphServer::UserUnavailable());
  const int64_t id = QueuePrivateReply(conversation, "Hola");
  ASSERT_NE(id, 0);
  auto state = WaitSettled(id);
  EXPECT_EQ(state.value("state", ""), "failed") << state.dump();
  EXPECT_THAT(state.dump(), HasSubstr("551"));
  EXPECT_EQ(graph_.Requests().size(), 1u);
}

TEST_F(OutboundE2E, KilledMidSendTheMessageIsResentOnceAndFlagged) {
  ASSERT_TRUE(StartDaemon());
  const int64_t conversation = IngestComment();
  // The first request reaches Meta but its answer is slow: the daemon dies waiting for it.
  graph_.Enqueue(std::string(kPageId) + "/messages", fakes::FakeGraphServer::Slow(5000));
  const int64_t id = QueuePrivateReply(conversation, "Te escribimos por privado");
  ASSERT_NE(id, 0);
  for (int i = 0; i < 250 && graph_.Requests().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(graph_.Requests().size(), 1u);
  Kill9();

  ASSERT_TRUE(StartDaemon());
  auto state = WaitSettled(id);
  EXPECT_EQ(state.value("state", ""), "sent") << state.dump();
  EXPECT_EQ(state.value("possible_duplicate", false), true) << state.dump();
  // Sent again once after the restart — the one window no client can close, flagged.
  EXPECT_EQ(graph_.Requests().size(), 2u);
}

TEST_F(OutboundE2E, WhatsAppStatusWebhooksMoveTheDeliveryForward) {
  ASSERT_TRUE(StartDaemon());
  // The customer writes first: that opens the 24-hour window.
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  auto inbound = nlohmann::json::parse(WhatsAppText("wamid.IN-1", "573001112233", "hola"));
  inbound["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = std::to_string(now_s);
  auto res = PostSigned(inbound.dump());
  ASSERT_TRUE(res && res->status == 200);
  WaitForIngest();
  int64_t conversation = 0;
  {
    auto store = OpenStore();
    auto events = store->ListEvents({});
    ASSERT_TRUE(events.ok() && events->size() == 1u);
    conversation = events->front().conversation_id;
  }
  auto queued = Send({{"conversation_id", conversation}, {"kind", "text"}, {"text", "¡Hola!"}});
  ASSERT_TRUE(queued);
  ASSERT_EQ(queued->status, 202) << queued->body;
  const int64_t id = nlohmann::json::parse(queued->body)["id"];
  auto sent = WaitSettled(id);
  ASSERT_EQ(sent.value("state", ""), "sent") << sent.dump();
  const std::string wamid = sent.value("platform_message_id", "");
  ASSERT_FALSE(wamid.empty()) << sent.dump();

  // Meta reports read (skipping delivered), then a late delivered that must not go back.
  for (const char* status : {"read", "delivered"}) {
    nlohmann::json body = {{"object", "whatsapp_business_account"},
                           {"entry",
                            {{{"id", "1"},
                              {"changes",
                               {{{"field", "messages"},
                                 {"value",
                                  {{"messaging_product", "whatsapp"},
                                   {"metadata", {{"phone_number_id", kPhoneNumberId}}},
                                   {"statuses",
                                    {{{"id", wamid},
                                      {"status", status},
                                      {"timestamp", std::to_string(now_s)},
                                      {"recipient_id", "573001112233"}}}}}}}}}}}}};
    auto posted = PostSigned(body.dump());
    ASSERT_TRUE(posted && posted->status == 200);
  }
  nlohmann::json state;
  for (int i = 0; i < 200; ++i) {
    state = State(id);
    if (state.value("delivery", "") == "read" && Metric("atalaya_inbox_backlog") == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(state.value("delivery", ""), "read") << state.dump();
}

// The `outbound` settings reach the running sender: two attempts 10 ms apart, where the
// shipped policy (8 attempts from 1 s) would still be retrying when this test gives up.
TEST_F(OutboundE2E, ConfiguredRetryPolicyGivesUpAfterMaxAttempts) {
  ASSERT_TRUE(StartDaemon({{"ATALAYA_OUTBOUND__RETRY__MAX_ATTEMPTS", "2"},
                           {"ATALAYA_OUTBOUND__RETRY__BASE_DELAY_MS", "10"}}));
  const int64_t conversation = IngestComment();
  for (int i = 0; i < 3; ++i) {
    graph_.Enqueue(std::string(kPageId) + "/messages", fakes::FakeGraphServer::ServerError());
  }
  const int64_t id = QueuePrivateReply(conversation, "Hola");
  ASSERT_NE(id, 0);
  auto state = WaitSettled(id);
  EXPECT_EQ(state.value("state", ""), "failed") << state.dump();
  EXPECT_EQ(state["attempts"], 2) << state.dump();
  EXPECT_THAT(state["error"].value("message", ""),
              ::testing::StartsWith("gave up after 2 attempts"));
  EXPECT_EQ(graph_.Requests().size(), 2u);
}

// A free-form WhatsApp message long after the customer's last one is refused before any
// request, and the refusal names the template configured for that number.
TEST_F(OutboundE2E, WhatsAppRefusalNamesTheNumbersConfiguredTemplate) {
  ASSERT_TRUE(StartDaemon(
      {{"ATALAYA_CHANNELS__WHATSAPP__ACCOUNTS__0__REENGAGEMENT_TEMPLATE", "seguimiento_pedido"}}));
  // The fixture's message is from October 2025: the 24-hour window closed long ago.
  auto res = PostSigned(WhatsAppText("wamid.OLD-1", "573001112233", "hola"));
  ASSERT_TRUE(res && res->status == 200);
  WaitForIngest();
  int64_t conversation = 0;
  {
    auto events = OpenStore()->ListEvents({});
    ASSERT_TRUE(events.ok() && events->size() == 1u);
    conversation = events->front().conversation_id;
  }
  auto refused =
      Send({{"conversation_id", conversation}, {"kind", "text"}, {"text", "¿Sigues ahí?"}});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 422) << refused->body;
  EXPECT_THAT(nlohmann::json::parse(refused->body)["error"].value("message", ""),
              ::testing::EndsWith("a template is required, e.g. \"seguimiento_pedido\""))
      << refused->body;
  EXPECT_EQ(graph_.RequestCount(), 0u);
}

// A reload applies a renamed template at once; a changed `outbound` section is reported as
// needing a restart (the sender's threads and limiters are built at start).
TEST_F(OutboundE2E, ReloadRenamesTheTemplateAndReportsOutboundChanges) {
  ASSERT_TRUE(StartDaemon());
  auto res = PostSigned(WhatsAppText("wamid.OLD-2", "573001112233", "hola"));
  ASSERT_TRUE(res && res->status == 200);
  WaitForIngest();
  int64_t conversation = 0;
  {
    auto events = OpenStore()->ListEvents({});
    ASSERT_TRUE(events.ok() && events->size() == 1u);
    conversation = events->front().conversation_id;
  }
  const nlohmann::json text = {
      {"conversation_id", conversation}, {"kind", "text"}, {"text", "¿Sigues ahí?"}};
  auto before = Send(text);
  ASSERT_TRUE(before);
  EXPECT_EQ(before->status, 422) << before->body;
  EXPECT_THAT(nlohmann::json::parse(before->body)["error"].value("message", ""),
              ::testing::EndsWith("a template is required"));

  std::string config = ReadFile(config_path_);
  const std::string token_line = "        access_token: {file: whatsapp_token}\n";
  ASSERT_NE(config.find(token_line), std::string::npos);
  config.replace(config.find(token_line), token_line.size(),
                 token_line + "        reengagement_template: hola_de_nuevo\n");
  config += "outbound:\n  concurrency: 8\n";
  std::ofstream(config_path_, std::ios::trunc) << config;
  daemon_->Signal(SIGHUP);
  std::string message;
  for (int i = 0; i < 100 && !message.ends_with("\"hola_de_nuevo\""); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto after = Send(text);
    ASSERT_TRUE(after);
    message = nlohmann::json::parse(after->body)["error"].value("message", "");
  }
  EXPECT_THAT(message, ::testing::EndsWith("a template is required, e.g. \"hola_de_nuevo\""));
  const std::string restart_note = "\"setting\":\"outbound\"";  // logged after the reload
  EXPECT_THAT(WaitForLog(restart_note), HasSubstr(restart_note));
  EXPECT_EQ(graph_.RequestCount(), 0u);
}

}  // namespace
}  // namespace atalaya::testing
