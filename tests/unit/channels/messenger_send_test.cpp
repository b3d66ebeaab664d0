#include "channels/messenger_send.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "channels/outbound_request.h"
#include "channels/window.h"
#include "tests/unit/channels/outbound_test_util.h"

namespace atalaya::channels {
namespace {

using nlohmann::json;
using testing::Outbound;
using testing::Repeat;

constexpr int64_t kNow = 1'700'000'000'000;

class MessengerSendTest : public ::testing::Test {
 protected:
  Result<GraphCall> Build(const store::NewOutbound& message) {
    return BuildGraphCall(message, context_, clock_);
  }
  json Body(const store::NewOutbound& message) {
    Result<GraphCall> call = Build(message);
    EXPECT_TRUE(call.ok()) << call.status().ToString();
    return call.ok() ? json::parse(call->body) : json();
  }
  Status Refusal(const store::NewOutbound& message) {
    Result<GraphCall> call = Build(message);
    EXPECT_FALSE(call.ok());
    return call.status();
  }

  FakeClock clock_{kNow};
  SendContext context_ = InsideWindow();
  static SendContext InsideWindow() {
    SendContext context;
    context.last_inbound_ms = kNow - kHourMs;
    return context;
  }
};

TEST_F(MessengerSendTest, TextInsideTheWindowIsAResponse) {
  Result<GraphCall> call = Build(Outbound(Channel::kMessenger, "text", {{"text", "hello"}}));
  ASSERT_TRUE(call.ok());
  EXPECT_EQ(call->method, "POST");
  EXPECT_EQ(call->path, "ACCOUNT_ID/messages");
  EXPECT_EQ(json::parse(call->body),
            json::parse(R"({"recipient":{"id":"RECIPIENT"},"messaging_type":"RESPONSE",
                            "message":{"text":"hello"}})"));
}

TEST_F(MessengerSendTest, HumanAgentAfterTwentyFourHoursUsesTheTag) {
  context_.last_inbound_ms = kNow - 30 * kHourMs;
  store::NewOutbound message = Outbound(Channel::kMessenger, "text", {{"text", "sorry"}});
  message.human_agent = true;
  json body = Body(message);
  EXPECT_EQ(body["messaging_type"], "MESSAGE_TAG");
  EXPECT_EQ(body["tag"], "HUMAN_AGENT");
}

TEST_F(MessengerSendTest, BotAfterTwentyFourHoursIsRefused) {
  context_.last_inbound_ms = kNow - 30 * kHourMs;
  Status status = Refusal(Outbound(Channel::kMessenger, "text", {{"text", "hi"}}));
  EXPECT_EQ(status.code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(status.message(),
            "Messenger: outside the 24-hour messaging window (the customer's last message was "
            "30 h ago); only a human agent may answer, up to 7 days");
}

TEST_F(MessengerSendTest, TextLimitIsTwoThousandCharactersNotBytes) {
  EXPECT_TRUE(Build(Outbound(Channel::kMessenger, "text", {{"text", Repeat("é", 2000)}})).ok());
  Status status = Refusal(Outbound(Channel::kMessenger, "text", {{"text", Repeat("a", 2001)}}));
  EXPECT_EQ(status.code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(status.message(), "text is 2001 characters; Messenger allows at most 2000");
}

TEST_F(MessengerSendTest, InstagramTextIsCountedInBytes) {
  EXPECT_TRUE(Build(Outbound(Channel::kInstagram, "text", {{"text", Repeat("é", 500)}})).ok());
  Status status = Refusal(Outbound(Channel::kInstagram, "text", {{"text", Repeat("é", 501)}}));
  EXPECT_EQ(status.code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(status.message(), "text is 1002 bytes (UTF-8); Instagram allows at most 1000 bytes");
}

json QuickReplies(size_t count, const std::string& title = "Yes") {
  json items = json::array();
  for (size_t i = 0; i < count; ++i) items.push_back({{"title", title}, {"payload", "P"}});
  return {{"text", "Pick one"}, {"quick_replies", items}};
}

TEST_F(MessengerSendTest, QuickRepliesUpToThirteen) {
  json body = Body(Outbound(Channel::kMessenger, "quick_replies", QuickReplies(13)));
  ASSERT_EQ(body["message"]["quick_replies"].size(), 13u);
  EXPECT_EQ(body["message"]["quick_replies"][0],
            json::parse(R"({"content_type":"text","title":"Yes","payload":"P"})"));
  Status status = Refusal(Outbound(Channel::kMessenger, "quick_replies", QuickReplies(14)));
  EXPECT_EQ(status.message(), "14 quick replies; Messenger allows at most 13");
}

TEST_F(MessengerSendTest, QuickReplyTitleUpToTwentyCharacters) {
  EXPECT_TRUE(
      Build(Outbound(Channel::kMessenger, "quick_replies", QuickReplies(2, Repeat("ñ", 20)))).ok());
  Status status =
      Refusal(Outbound(Channel::kMessenger, "quick_replies", QuickReplies(2, Repeat("x", 21))));
  EXPECT_EQ(status.message(), "quick reply 1 title is 21 characters; Messenger allows at most 20");
}

json Buttons(size_t count) {
  json items = json::array();
  for (size_t i = 0; i < count; ++i) items.push_back({{"title", "Go"}, {"payload", "GO"}});
  return {{"text", "Choose"}, {"buttons", items}};
}

TEST_F(MessengerSendTest, ButtonTemplateUpToThreeButtons) {
  json payload = Buttons(2);
  payload["buttons"][1] = {{"title", "Site"}, {"url", "https://example.com"}};
  json body = Body(Outbound(Channel::kMessenger, "buttons", payload));
  EXPECT_EQ(body["message"], json::parse(R"({"attachment":{"type":"template","payload":{
      "template_type":"button","text":"Choose","buttons":[
        {"type":"postback","title":"Go","payload":"GO"},
        {"type":"web_url","title":"Site","url":"https://example.com"}]}}})"));
  EXPECT_TRUE(Build(Outbound(Channel::kMessenger, "buttons", Buttons(3))).ok());
  Status status = Refusal(Outbound(Channel::kMessenger, "buttons", Buttons(4)));
  EXPECT_EQ(status.message(), "4 buttons; Messenger allows at most 3");
}

TEST_F(MessengerSendTest, ButtonNeedsExactlyOneOfPayloadOrUrl) {
  json payload = {{"text", "Choose"}, {"buttons", {{{"title", "Go"}}}}};
  Status status = Refusal(Outbound(Channel::kMessenger, "buttons", payload));
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "button 1 needs exactly one of payload or url");
}

TEST_F(MessengerSendTest, SenderActions) {
  json body = Body(Outbound(Channel::kMessenger, "sender_action", {{"action", "typing_on"}}));
  EXPECT_EQ(body, json::parse(R"({"recipient":{"id":"RECIPIENT"},"sender_action":"typing_on"})"));
  json seen = Body(Outbound(Channel::kInstagram, "mark_read", json::object()));
  EXPECT_EQ(seen["sender_action"], "mark_seen");
  Status status = Refusal(Outbound(Channel::kMessenger, "sender_action", {{"action", "dance"}}));
  EXPECT_EQ(status.message(), "action must be typing_on, typing_off or mark_seen");
}

TEST_F(MessengerSendTest, PrivateReplyToACommentOrAVisitorPost) {
  context_.last_inbound_ms = 0;  // a commenter has not written privately
  context_.comment_created_ms = kNow - 6 * 24 * kHourMs;
  json body = Body(
      Outbound(Channel::kMessenger, "private_reply", {{"text", "Details inside"}}, "POST_COMMENT"));
  EXPECT_EQ(body, json::parse(R"({"recipient":{"comment_id":"POST_COMMENT"},
                                  "message":{"text":"Details inside"}})"));
  json post = Body(Outbound(Channel::kMessenger, "private_reply",
                            {{"text", "Hi"}, {"target", "post"}}, "PAGE_POST"));
  EXPECT_EQ(post["recipient"], json::parse(R"({"post_id":"PAGE_POST"})"));
}

TEST_F(MessengerSendTest, PrivateReplyRefusals) {
  context_.comment_created_ms = kNow - 8 * 24 * kHourMs;
  EXPECT_EQ(Refusal(Outbound(Channel::kInstagram, "private_reply", {{"text", "Hi"}})).message(),
            "private reply: only within 7 days of the comment (it was made 8 days ago)");
  context_.comment_created_ms = kNow - kHourMs;
  context_.private_reply_sent = true;
  EXPECT_EQ(Refusal(Outbound(Channel::kInstagram, "private_reply", {{"text", "Hi"}})).message(),
            "private reply: this comment already has one (one per comment)");
  context_.private_reply_sent = false;
  EXPECT_EQ(
      Refusal(Outbound(Channel::kInstagram, "private_reply", {{"text", "Hi"}, {"target", "post"}}))
          .message(),
      "Instagram private replies go to comments only, not posts");
  EXPECT_EQ(Refusal(Outbound(Channel::kInstagram, "private_reply", {{"text", Repeat("a", 1001)}}))
                .message(),
            "text is 1001 bytes (UTF-8); Instagram allows at most 1000 bytes");
}

TEST_F(MessengerSendTest, MalformedPayloadsAreInvalidArguments) {
  store::NewOutbound not_json = Outbound(Channel::kMessenger, "text", json::object());
  not_json.payload_json = "{\"text\":";
  EXPECT_EQ(Refusal(not_json).message(), "payload is not valid JSON");
  EXPECT_EQ(Refusal(not_json).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Refusal(Outbound(Channel::kMessenger, "text", json::object())).message(),
            "text is missing");
  EXPECT_EQ(Refusal(Outbound(Channel::kMessenger, "text", {{"text", 5}})).message(),
            "text must be a string");
  EXPECT_EQ(Refusal(Outbound(Channel::kMessenger, "text", {{"text", ""}})).message(),
            "text is empty");
  EXPECT_EQ(Refusal(Outbound(Channel::kMessenger, "quick_replies", {{"text", "x"}})).message(),
            "quick_replies is missing");
  EXPECT_EQ(Refusal(Outbound(Channel::kMessenger, "template", {{"name", "x"}})).message(),
            "kind \"template\" is not supported on messenger");
  store::NewOutbound bad_account = Outbound(Channel::kMessenger, "text", {{"text", "x"}});
  bad_account.account_id = "../me";
  EXPECT_EQ(Refusal(bad_account).message(), "account_id must not contain '/', '?' or '#'");
}

TEST_F(MessengerSendTest, ShapeIsCheckedBeforeTheWindow) {
  context_.last_inbound_ms = kNow - 30 * kHourMs;
  Status status = Refusal(Outbound(Channel::kMessenger, "text", {{"text", Repeat("a", 2001)}}));
  EXPECT_EQ(status.message(), "text is 2001 characters; Messenger allows at most 2000");
}

}  // namespace
}  // namespace atalaya::channels
