#include "channels/whatsapp_send.h"

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

class WhatsAppSendTest : public ::testing::Test {
 protected:
  Result<GraphCall> Build(const store::NewOutbound& message) {
    return BuildGraphCall(message, context_, clock_);
  }
  json Body(const store::NewOutbound& message) {
    Result<GraphCall> call = Build(message);
    EXPECT_TRUE(call.ok()) << call.status().ToString();
    return call.ok() ? json::parse(call->body) : json();
  }
  std::string Refusal(const store::NewOutbound& message) {
    Result<GraphCall> call = Build(message);
    EXPECT_FALSE(call.ok());
    return call.ok() ? "" : call.status().message();
  }

  FakeClock clock_{kNow};
  SendContext context_ = InsideWindow();
  static SendContext InsideWindow() {
    SendContext context;
    context.last_inbound_ms = kNow - kHourMs;
    return context;
  }
};

TEST_F(WhatsAppSendTest, TextBody) {
  Result<GraphCall> call =
      Build(Outbound(Channel::kWhatsApp, "text", {{"text", "Your order shipped."}}, "15551234567"));
  ASSERT_TRUE(call.ok());
  EXPECT_EQ(call->path, "PHONE_ID/messages");
  EXPECT_EQ(json::parse(call->body), json::parse(R"({"messaging_product":"whatsapp",
      "recipient_type":"individual","to":"15551234567","type":"text",
      "text":{"preview_url":false,"body":"Your order shipped."}})"));
}

TEST_F(WhatsAppSendTest, TextUpTo4096Characters) {
  EXPECT_TRUE(Build(Outbound(Channel::kWhatsApp, "text", {{"text", Repeat("ü", 4096)}})).ok());
  EXPECT_EQ(Refusal(Outbound(Channel::kWhatsApp, "text", {{"text", Repeat("a", 4097)}})),
            "text is 4097 characters; WhatsApp allows at most 4096");
}

TEST_F(WhatsAppSendTest, FreeFormOutsideTheWindowRequiresATemplate) {
  context_.last_inbound_ms = kNow - 24 * kHourMs;
  context_.reengagement_template = "follow_up";
  Result<GraphCall> call = Build(Outbound(Channel::kWhatsApp, "text", {{"text", "hi"}}));
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(call.status().message(),
            "WhatsApp: outside the 24-hour customer-service window (the customer's last message "
            "was 24 h ago): a template is required, e.g. \"follow_up\"");
  json buttons = {{"text", "?"}, {"buttons", {{{"id", "A"}, {"title", "A"}}}}};
  EXPECT_EQ(Refusal(Outbound(Channel::kWhatsApp, "buttons", buttons)), call.status().message());
}

TEST_F(WhatsAppSendTest, TemplateIsAllowedOutsideTheWindow) {
  context_.last_inbound_ms = 0;
  json body =
      Body(Outbound(Channel::kWhatsApp, "template",
                    {{"name", "order_update"}, {"language", "en_US"}, {"parameters", {"#1234"}}}));
  EXPECT_EQ(body["type"], "template");
  EXPECT_EQ(body["template"], json::parse(R"({"name":"order_update","language":{"code":"en_US"},
      "components":[{"type":"body","parameters":[{"type":"text","text":"#1234"}]}]})"));
  json no_params =
      Body(Outbound(Channel::kWhatsApp, "template", {{"name", "hello"}, {"language", "es"}}));
  EXPECT_FALSE(no_params["template"].contains("components"));
}

TEST_F(WhatsAppSendTest, TemplateRefusals) {
  EXPECT_EQ(Refusal(Outbound(Channel::kWhatsApp, "template", {{"language", "es"}})),
            "template name is missing");
  EXPECT_EQ(Refusal(Outbound(Channel::kWhatsApp, "template", {{"name", "x"}})),
            "template language is missing");
  EXPECT_EQ(Refusal(Outbound(Channel::kWhatsApp, "template",
                             {{"name", "x"}, {"language", "es"}, {"parameters", {"a", 3}}})),
            "template parameter 2 must be a non-empty string");
}

json ReplyButtons(size_t count, const std::string& title = "OK",
                  const std::string& text = "Change or cancel?") {
  json items = json::array();
  for (size_t i = 0; i < count; ++i) {
    items.push_back({{"id", "B" + std::to_string(i)}, {"title", title}});
  }
  return {{"text", text}, {"buttons", items}};
}

TEST_F(WhatsAppSendTest, ReplyButtons) {
  json body = Body(Outbound(Channel::kWhatsApp, "buttons", ReplyButtons(1)));
  EXPECT_EQ(body["interactive"], json::parse(R"({"type":"button",
      "body":{"text":"Change or cancel?"},
      "action":{"buttons":[{"type":"reply","reply":{"id":"B0","title":"OK"}}]}})"));
  EXPECT_TRUE(Build(Outbound(Channel::kWhatsApp, "buttons", ReplyButtons(3))).ok());
  EXPECT_EQ(Refusal(Outbound(Channel::kWhatsApp, "buttons", ReplyButtons(4))),
            "4 buttons; WhatsApp allows at most 3");
  EXPECT_TRUE(
      Build(Outbound(Channel::kWhatsApp, "buttons", ReplyButtons(1, Repeat("a", 20)))).ok());
  EXPECT_EQ(Refusal(Outbound(Channel::kWhatsApp, "buttons", ReplyButtons(1, Repeat("a", 21)))),
            "button 1 title is 21 characters; WhatsApp allows at most 20");
  EXPECT_TRUE(
      Build(Outbound(Channel::kWhatsApp, "buttons", ReplyButtons(1, "OK", Repeat("a", 1024))))
          .ok());
  EXPECT_EQ(
      Refusal(Outbound(Channel::kWhatsApp, "buttons", ReplyButtons(1, "OK", Repeat("a", 1025)))),
      "interactive body text is 1025 characters; WhatsApp allows at most 1024");
  json footer = ReplyButtons(1);
  footer["footer"] = Repeat("f", 61);
  EXPECT_EQ(Refusal(Outbound(Channel::kWhatsApp, "buttons", footer)),
            "footer is 61 characters; WhatsApp allows at most 60");
}

// A list with `rows` rows spread over two sections.
json List(size_t rows, const std::string& title = "Track order",
          const std::string& description = "Where is my parcel?") {
  json first = json::array();
  json second = json::array();
  for (size_t i = 0; i < rows; ++i) {
    (i % 2 == 0 ? first : second)
        .push_back(
            {{"id", "R" + std::to_string(i)}, {"title", title}, {"description", description}});
  }
  json sections = {{{"title", "Orders"}, {"rows", first}}};
  if (!second.empty()) sections.push_back({{"title", "Other"}, {"rows", second}});
  return {{"text", "Pick a topic"}, {"button", "Topics"}, {"sections", sections}};
}

TEST_F(WhatsAppSendTest, ListMessage) {
  json body = Body(Outbound(Channel::kWhatsApp, "interactive", List(1)));
  EXPECT_EQ(body["interactive"], json::parse(R"({"type":"list","body":{"text":"Pick a topic"},
      "action":{"button":"Topics","sections":[{"title":"Orders","rows":[
        {"id":"R0","title":"Track order","description":"Where is my parcel?"}]}]}})"));
}

TEST_F(WhatsAppSendTest, ListLimits) {
  EXPECT_TRUE(Build(Outbound(Channel::kWhatsApp, "interactive", List(10))).ok());
  EXPECT_EQ(Refusal(Outbound(Channel::kWhatsApp, "interactive", List(11))),
            "11 list rows; WhatsApp allows at most 10");
  EXPECT_TRUE(Build(Outbound(Channel::kWhatsApp, "interactive", List(1, Repeat("t", 24)))).ok());
  EXPECT_EQ(Refusal(Outbound(Channel::kWhatsApp, "interactive", List(1, Repeat("t", 25)))),
            "section 1 row 1 title is 25 characters; WhatsApp allows at most 24");
  EXPECT_TRUE(
      Build(Outbound(Channel::kWhatsApp, "interactive", List(1, "T", Repeat("d", 72)))).ok());
  EXPECT_EQ(Refusal(Outbound(Channel::kWhatsApp, "interactive", List(1, "T", Repeat("d", 73)))),
            "section 1 row 1 description is 73 characters; WhatsApp allows at most 72");
  json no_button = List(1);
  no_button.erase("button");
  EXPECT_EQ(Refusal(Outbound(Channel::kWhatsApp, "interactive", no_button)),
            "list button is missing");
}

TEST_F(WhatsAppSendTest, MarkAsReadWorksOutsideTheWindow) {
  context_.last_inbound_ms = 0;
  json body = Body(Outbound(Channel::kWhatsApp, "mark_read", {{"message_id", "wamid.X"}}));
  EXPECT_EQ(
      body,
      json::parse(R"({"messaging_product":"whatsapp","status":"read","message_id":"wamid.X"})"));
}

TEST_F(WhatsAppSendTest, KindsWhatsAppLacksAreRefused) {
  EXPECT_EQ(Refusal(Outbound(Channel::kWhatsApp, "private_reply", {{"text", "x"}})),
            "kind \"private_reply\" is not supported on whatsapp");
  EXPECT_EQ(Refusal(Outbound(Channel::kWhatsApp, "hide_comment", json::object())),
            "kind \"hide_comment\" is not supported on whatsapp");
}

}  // namespace
}  // namespace atalaya::channels
