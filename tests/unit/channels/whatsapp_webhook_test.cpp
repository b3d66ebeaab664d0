// Every WhatsApp payload type, parsed from fixtures written from Meta's documented shapes
// (tests/testdata/meta/whatsapp/), with every normalized field asserted.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "channels/meta_webhook.h"

namespace atalaya::channels {
namespace {

using Json = nlohmann::json;

constexpr char kPhoneNumberId[] = "106540352242922";
constexpr char kWaId[] = "16505551234";
constexpr int64_t kTimestampMs = 1749416383000;

std::string ReadFixture(const std::string& name) {
  std::ifstream file(std::string(ATALAYA_TESTDATA_DIR) + "/meta/whatsapp/" + name,
                     std::ios::binary);
  EXPECT_TRUE(file.good()) << "missing fixture " << name;
  std::stringstream content;
  content << file.rdbuf();
  return content.str();
}

// The fixture's first message (or status), as the parser should have kept it in raw_json.
Json FirstItem(const std::string& fixture, const char* list) {
  return Json::parse(ReadFixture(fixture))["entry"][0]["changes"][0]["value"][list][0];
}

// Parses a fixture that must produce exactly one event.
Event ParseOne(const std::string& fixture) {
  std::vector<Event> events = ParseMetaWebhook(ReadFixture(fixture));
  EXPECT_EQ(events.size(), 1u) << fixture;
  return events.empty() ? Event{} : events.front();
}

// What every inbound message of the fixtures shares: account, sender, time, privacy, and a
// raw_json that is the message's own JSON, compact.
void ExpectInbound(const Event& event, const std::string& fixture, const std::string& id,
                   const std::string& type) {
  SCOPED_TRACE(fixture);
  EXPECT_EQ(event.channel, Channel::kWhatsApp);
  EXPECT_EQ(event.account_id, kPhoneNumberId);
  EXPECT_EQ(event.type, type);
  EXPECT_EQ(event.visibility, Visibility::kPrivate);
  EXPECT_EQ(event.platform_id, id);
  EXPECT_EQ(event.dedup_key, id);
  EXPECT_EQ(event.timestamp_ms, kTimestampMs);
  EXPECT_EQ(event.author.id, kWaId);
  EXPECT_EQ(event.author.alt_id, "");
  EXPECT_EQ(event.author.name, "Sheena Nelson");
  EXPECT_EQ(event.author.handle, "");
  EXPECT_EQ(event.author.phone, kWaId);
  EXPECT_EQ(event.author.followers, -1);
  EXPECT_EQ(Json::parse(event.raw_json), FirstItem(fixture, "messages"));
  EXPECT_EQ(event.raw_json.find('\n'), std::string::npos);
  EXPECT_EQ(event.raw_json.find(": "), std::string::npos);
}

TEST(WhatsAppWebhook, Text) {
  Event e = ParseOne("text.json");
  ExpectInbound(e, "text.json",
                "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", "text");
  EXPECT_EQ(e.kind, EventKind::kMessage);
  EXPECT_EQ(e.text, "Does it come in another color?");
  EXPECT_EQ(e.reply_to_id, "wamid.HBgLMTU1NTA3ODM4ODEVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA");
  EXPECT_EQ(e.payload, "");
  EXPECT_TRUE(e.attachments.empty());
  EXPECT_FALSE(e.location.has_value());
  EXPECT_EQ(e.referral_json, "");
  EXPECT_EQ(e.contacts_json, "");
  EXPECT_FALSE(e.status.has_value());
  EXPECT_EQ(e.unsupported_reason, "");
}

TEST(WhatsAppWebhook, TextFromAUserWithABusinessScopedId) {
  Event e = ParseOne("text_bsuid.json");
  EXPECT_EQ(e.kind, EventKind::kMessage);
  EXPECT_EQ(e.text, "hola");
  EXPECT_EQ(e.author.id, "US.13491208655302741918");
  EXPECT_EQ(e.author.alt_id, kWaId);
  EXPECT_EQ(e.author.phone, kWaId);
  EXPECT_EQ(e.author.name, "Sheena Nelson");
  EXPECT_EQ(e.author.handle, "@sheena");
  EXPECT_EQ(e.dedup_key, "wamid.BSUID1");
}

TEST(WhatsAppWebhook, TextFromAUsernameOnlyUserHasNoPhone) {
  Event e = ParseOne("text_username_only.json");
  EXPECT_EQ(e.kind, EventKind::kMessage);
  EXPECT_EQ(e.text, "hola");
  EXPECT_EQ(e.author.id, "CO.8812345");
  EXPECT_EQ(e.author.alt_id, "");
  EXPECT_EQ(e.author.phone, "");
  EXPECT_EQ(e.author.name, "Ana");
  EXPECT_EQ(e.author.handle, "@ana.co");
  EXPECT_EQ(e.account_id, kPhoneNumberId);
}

TEST(WhatsAppWebhook, InteractiveButtonReply) {
  Event e = ParseOne("interactive_button_reply.json");
  ExpectInbound(e, "interactive_button_reply.json", "wamid.IBR", "interactive");
  EXPECT_EQ(e.kind, EventKind::kPostback);
  EXPECT_EQ(e.payload, "BTN_CHANGE");
  EXPECT_EQ(e.text, "Change");
  EXPECT_EQ(e.reply_to_id, "wamid.MENU1");
}

TEST(WhatsAppWebhook, InteractiveListReply) {
  Event e = ParseOne("interactive_list_reply.json");
  ExpectInbound(e, "interactive_list_reply.json", "wamid.ILR", "interactive");
  EXPECT_EQ(e.kind, EventKind::kPostback);
  EXPECT_EQ(e.payload, "ROW_3");
  EXPECT_EQ(e.text, "Shipping");
  EXPECT_EQ(e.reply_to_id, "wamid.MENU2");
}

TEST(WhatsAppWebhook, TemplateQuickReplyButton) {
  Event e = ParseOne("button.json");
  ExpectInbound(e, "button.json", "wamid.BTN", "button");
  EXPECT_EQ(e.kind, EventKind::kPostback);
  EXPECT_EQ(e.payload, "CONFIRM_APPOINTMENT");
  EXPECT_EQ(e.text, "Yes");
  EXPECT_EQ(e.reply_to_id, "wamid.TEMPLATE1");
}

struct MediaCase {
  const char* fixture;
  const char* id;
  const char* type;
  const char* media_id;
  const char* mime_type;
  const char* sha256;
  const char* caption;
  const char* filename;
};

TEST(WhatsAppWebhook, EveryMediaTypeBecomesAnAttachment) {
  const MediaCase cases[] = {
      {"image.json", "wamid.IMG", "image", "1003383421387256", "image/jpeg",
       "6d5e0bb1d0b4a5b1e9f1c2c9c0e0f1a2b3c4d5e6f708192a3b4c5d6e7f809102", "the broken box", ""},
      {"audio.json", "wamid.AUD", "audio", "1003383421387257", "audio/ogg; codecs=opus", "ab12", "",
       ""},
      {"video.json", "wamid.VID", "video", "1003383421387258", "video/mp4", "cd34", "unboxing", ""},
      {"document.json", "wamid.DOC", "document", "1003383421387259", "application/pdf", "ef56",
       "my invoice", "factura-0042.pdf"},
      {"sticker.json", "wamid.STK", "sticker", "1003383421387260", "image/webp", "0789", "", ""},
  };
  for (const MediaCase& c : cases) {
    SCOPED_TRACE(c.fixture);
    Event e = ParseOne(c.fixture);
    ExpectInbound(e, c.fixture, c.id, c.type);
    EXPECT_EQ(e.kind, EventKind::kMessage);
    EXPECT_EQ(e.text, c.caption);
    ASSERT_EQ(e.attachments.size(), 1u);
    const Attachment& a = e.attachments[0];
    EXPECT_EQ(a.kind, c.type);
    EXPECT_EQ(a.media_id, c.media_id);
    EXPECT_EQ(a.url, "");
    EXPECT_EQ(a.mime_type, c.mime_type);
    EXPECT_EQ(a.sha256, c.sha256);
    EXPECT_EQ(a.caption, c.caption);
    EXPECT_EQ(a.filename, c.filename);
  }
}

TEST(WhatsAppWebhook, Location) {
  Event e = ParseOne("location.json");
  ExpectInbound(e, "location.json", "wamid.LOC", "location");
  EXPECT_EQ(e.kind, EventKind::kMessage);
  ASSERT_TRUE(e.location.has_value());
  EXPECT_DOUBLE_EQ(e.location->latitude, 37.44216251868683);
  EXPECT_DOUBLE_EQ(e.location->longitude, -122.16153582049394);
  EXPECT_EQ(e.location->name, "Philz Coffee");
  EXPECT_EQ(e.location->address, "101 Forest Ave, Palo Alto, CA 94301");
  EXPECT_EQ(e.text, "");
}

TEST(WhatsAppWebhook, SharedContactsAreKeptAsCompactJson) {
  Event e = ParseOne("contacts.json");
  ExpectInbound(e, "contacts.json", "wamid.CON", "contacts");
  EXPECT_EQ(e.kind, EventKind::kMessage);
  EXPECT_EQ(e.contacts_json,
            R"([{"emails":[{"email":"bjohnson@example.com","type":"WORK"}],)"
            R"("name":{"first_name":"Barbara","formatted_name":"Barbara J. Johnson",)"
            R"("last_name":"Johnson"},"phones":[{"phone":"+1 (940) 555-1234","type":"HOME",)"
            R"("wa_id":"19405551234"}]}])");
  // The sender is still the customer, not the shared card.
  EXPECT_EQ(e.author.id, kWaId);
}

TEST(WhatsAppWebhook, Reaction) {
  Event e = ParseOne("reaction.json");
  ExpectInbound(e, "reaction.json", "wamid.REA", "reaction");
  EXPECT_EQ(e.kind, EventKind::kReaction);
  EXPECT_EQ(e.reaction_to_id, "wamid.OURS1");
  EXPECT_EQ(e.reaction_emoji, "\xF0\x9F\x91\x8D");  // U+1F44D
  EXPECT_EQ(e.text, "");
}

TEST(WhatsAppWebhook, ReactionWithoutEmojiIsARemoval) {
  Event e = ParseOne("reaction_removed.json");
  ExpectInbound(e, "reaction_removed.json", "wamid.REB", "reaction");
  EXPECT_EQ(e.kind, EventKind::kReaction);
  EXPECT_EQ(e.reaction_to_id, "wamid.OURS1");
  EXPECT_EQ(e.reaction_emoji, "");
}

TEST(WhatsAppWebhook, ReferralFromAClickToWhatsAppAd) {
  Event e = ParseOne("referral.json");
  ExpectInbound(e, "referral.json", "wamid.REF", "text");
  EXPECT_EQ(e.kind, EventKind::kMessage);
  EXPECT_EQ(e.text, "Can I get more info?");
  EXPECT_EQ(e.referral_json,
            R"({"body":"Summer sale","ctwa_clid":"ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd)"
            R"(0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-ZABe2Q","headline":"50% off","image_url":)"
            R"("https://scontent.example/ad.jpg","media_type":"image","source_id":)"
            R"("120226305854810726","source_type":"ad","source_url":"https://fb.me/3cr4Wqqkv"})");
}

TEST(WhatsAppWebhook, SystemUserChangedNumberIsAnIdentityEvent) {
  Event e = ParseOne("system_user_changed_number.json");
  EXPECT_EQ(e.kind, EventKind::kIdentity);
  EXPECT_EQ(e.type, "system");
  EXPECT_EQ(e.platform_id, "wamid.SYS1");
  EXPECT_EQ(e.dedup_key, "wamid.SYS1");
  EXPECT_EQ(e.account_id, kPhoneNumberId);
  EXPECT_EQ(e.timestamp_ms, kTimestampMs);
  // Who the customer was (system messages carry no contacts[]) ...
  EXPECT_EQ(e.author.id, "US.13491208655302741918");
  EXPECT_EQ(e.author.alt_id, kWaId);
  EXPECT_EQ(e.author.phone, kWaId);
  EXPECT_EQ(e.author.name, "");
  // ... and who they are now.
  EXPECT_EQ(e.new_author_id, "US.55550000111122223333");
  EXPECT_EQ(e.new_author_alt_id, "16505550000");
  EXPECT_EQ(e.payload, "user_changed_number");
  EXPECT_EQ(e.text, "User Sheena Nelson changed from 16505551234 to 16505550000");
}

TEST(WhatsAppWebhook, SystemUserChangedBusinessScopedId) {
  Event e = ParseOne("system_user_changed_user_id.json");
  EXPECT_EQ(e.kind, EventKind::kIdentity);
  EXPECT_EQ(e.author.id, "US.13491208655302741918");
  EXPECT_EQ(e.author.alt_id, "");
  EXPECT_EQ(e.author.phone, "");
  EXPECT_EQ(e.new_author_id, "US.99990000111122223333");
  EXPECT_EQ(e.new_author_alt_id, "");
  EXPECT_EQ(e.payload, "user_changed_user_id");
}

TEST(WhatsAppWebhook, LegacySystemChangedNumberWithNumericNewWaId) {
  Event e = ParseOne("system_customer_changed_number_legacy.json");
  EXPECT_EQ(e.kind, EventKind::kIdentity);
  EXPECT_EQ(e.author.id, kWaId);
  EXPECT_EQ(e.author.alt_id, "");
  EXPECT_EQ(e.new_author_id, "16505550000");
  EXPECT_EQ(e.new_author_alt_id, "");
  EXPECT_EQ(e.payload, "customer_changed_number");
}

TEST(WhatsAppWebhook, OrderIsKeptAsUnsupported) {
  Event e = ParseOne("order.json");
  ExpectInbound(e, "order.json", "wamid.ORD", "order");
  EXPECT_EQ(e.kind, EventKind::kUnsupported);
  EXPECT_EQ(e.unsupported_reason, "WhatsApp message type \"order\" is not supported");
}

TEST(WhatsAppWebhook, UnsupportedUsesThePlatformsErrorTitle) {
  Event e = ParseOne("unsupported.json");
  ExpectInbound(e, "unsupported.json", "wamid.UNS", "unsupported");
  EXPECT_EQ(e.kind, EventKind::kUnsupported);
  EXPECT_EQ(e.unsupported_reason, "Message type unknown");
}

TEST(WhatsAppWebhook, UnknownTypeIsKeptAsUnsupported) {
  Event e = ParseOne("unknown_type.json");
  ExpectInbound(e, "unknown_type.json", "wamid.UNK", "hologram");
  EXPECT_EQ(e.kind, EventKind::kUnsupported);
  EXPECT_EQ(e.unsupported_reason, "WhatsApp message type \"hologram\" is not supported");
}

TEST(WhatsAppWebhook, StatusesSentDeliveredRead) {
  std::vector<Event> events = ParseMetaWebhook(ReadFixture("statuses.json"));
  ASSERT_EQ(events.size(), 3u);
  const std::string id = "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MjRFQjg0QzBEOEZBRjZEQUUA";
  const struct {
    const char* name;
    DeliveryStatus status;
    int64_t timestamp_ms;
  } expected[] = {{"sent", DeliveryStatus::kSent, 1750857384000},
                  {"delivered", DeliveryStatus::kDelivered, 1750857385000},
                  // This one's timestamp is a number, not a string.
                  {"read", DeliveryStatus::kRead, 1750857390000}};
  const Json statuses =
      Json::parse(ReadFixture("statuses.json"))["entry"][0]["changes"][0]["value"]["statuses"];
  for (size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(expected[i].name);
    const Event& e = events[i];
    EXPECT_EQ(e.kind, EventKind::kStatus);
    EXPECT_EQ(e.channel, Channel::kWhatsApp);
    EXPECT_EQ(e.account_id, kPhoneNumberId);
    EXPECT_EQ(e.type, "status");
    EXPECT_EQ(e.platform_id, id);
    EXPECT_EQ(e.dedup_key, id + ":" + expected[i].name);
    EXPECT_EQ(e.timestamp_ms, expected[i].timestamp_ms);
    EXPECT_EQ(e.author.id, "");
    EXPECT_EQ(Json::parse(e.raw_json), statuses[i]);
    ASSERT_TRUE(e.status.has_value());
    EXPECT_EQ(e.status->message_id, id);
    EXPECT_EQ(e.status->status, expected[i].status);
    EXPECT_EQ(e.status->recipient_id, kWaId);
    EXPECT_EQ(e.status->error_code, 0);
    EXPECT_EQ(e.status->error_title, "");
    EXPECT_EQ(e.status->error_detail, "");
  }
}

TEST(WhatsAppWebhook, FailedStatusCarriesTheErrorCodeTitleAndDetails) {
  Event e = ParseOne("status_failed.json");
  EXPECT_EQ(e.kind, EventKind::kStatus);
  EXPECT_EQ(e.dedup_key, "wamid.FAILED1:failed");
  EXPECT_EQ(e.timestamp_ms, 1744609253000);
  ASSERT_TRUE(e.status.has_value());
  EXPECT_EQ(e.status->status, DeliveryStatus::kFailed);
  EXPECT_EQ(e.status->error_code, 131047);
  EXPECT_EQ(e.status->error_title, "Re-engagement message");
  EXPECT_EQ(e.status->error_detail,
            "Message failed to send because more than 24 hours have passed since the customer "
            "last replied to this number.");
}

TEST(WhatsAppWebhook, ErrorsAtValueLevelAreKept) {
  Event e = ParseOne("value_errors.json");
  EXPECT_EQ(e.kind, EventKind::kUnsupported);
  EXPECT_EQ(e.account_id, kPhoneNumberId);
  EXPECT_EQ(e.unsupported_reason, "WhatsApp error 130429: Rate limit hit");
  const Json error =
      Json::parse(ReadFixture("value_errors.json"))["entry"][0]["changes"][0]["value"]["errors"][0];
  EXPECT_EQ(Json::parse(e.raw_json), error);
  EXPECT_EQ(e.dedup_key.rfind("unsupported:", 0), 0u);
  EXPECT_EQ(e.dedup_key.size(), std::string("unsupported:").size() + 64);
}

TEST(WhatsAppWebhook, HostileTextSurvivesByteExact) {
  Event e = ParseOne("text_hostile.json");
  EXPECT_EQ(e.kind, EventKind::kMessage);
  static constexpr char kBody[] =
      "a\0b \xF0\x9F\x98\x80\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD "
      "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7 \xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xE2\x80\xAE "
      "'; DROP TABLE events; -- <script>alert(\"x\")</script> 100% @me \\ /";
  const std::string expected(kBody, sizeof(kBody) - 1);
  EXPECT_EQ(e.text.size(), expected.size());
  EXPECT_EQ(e.text, expected);
  EXPECT_EQ(e.author.name, "\xE2\x80\xAERobert'); DROP TABLE contacts;--");
  // raw_json keeps the NUL escaped, so it stays one valid JSON text.
  EXPECT_NE(e.raw_json.find("a\\u0000b"), std::string::npos);
  EXPECT_EQ(Json::parse(e.raw_json)["text"]["body"].get<std::string>(), expected);
}

}  // namespace
}  // namespace atalaya::channels
