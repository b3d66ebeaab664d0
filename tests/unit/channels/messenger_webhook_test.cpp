// Every Messenger messaging payload shape, parsed from fixtures written from Meta's documented
// shapes (tests/testdata/meta/messenger/), with every normalized field asserted.
#include <gtest/gtest.h>

#include "channels/meta_webhook.h"
#include "common/crypto.h"
#include "event_expectations.h"

namespace atalaya::channels {
namespace {

using testing::ExpectEventEq;
using testing::FixturePart;
using testing::ReadFixture;

constexpr char kPage[] = "112233445566778";
constexpr char kPsid[] = "6543219876543210";
constexpr char kOurApp[] = "1517776481860111";
constexpr int64_t kTs = 1764283896000;
constexpr int64_t kTs2 = 1764283897000;

std::string Path(const std::string& name) { return "messenger/" + name; }

MetaParseOptions OurApp() {
  MetaParseOptions options;
  options.own_app_ids = {"42", kOurApp};
  return options;
}

std::vector<Event> Parse(const std::string& name) {
  return ParseMetaWebhook(ReadFixture(Path(name)), OurApp());
}

Event ParseOne(const std::string& name) {
  std::vector<Event> events = Parse(name);
  EXPECT_EQ(events.size(), 1u) << name;
  return events.empty() ? Event{} : events.front();
}

// What a customer's messaging event of the fixtures shares; raw_json is the element at
// `pointer` of the fixture.
Event Inbound(const std::string& name, const std::string& mid,
              const std::string& pointer = "/entry/0/messaging/0") {
  Event e;
  e.channel = Channel::kMessenger;
  e.account_id = kPage;
  e.visibility = Visibility::kPrivate;
  e.platform_id = mid;
  e.dedup_key = mid;
  e.author.id = kPsid;
  e.timestamp_ms = kTs;
  e.raw_json = FixturePart(Path(name), pointer);
  return e;
}

TEST(MessengerWebhook, TextWithReplyTo) {
  Event want = Inbound("text.json", "m_TXT1");
  want.kind = EventKind::kMessage;
  want.type = "text";
  want.text = "¿Tienen envío a Cali? ❤️";
  want.reply_to_id = "m_EARLIER1";
  ExpectEventEq(ParseOne("text.json"), want);
}

TEST(MessengerWebhook, TheFirstMessageAfterAnAdKeepsTheAdReferral) {
  Event want = Inbound("message_after_ad.json", "m_AD1");
  want.kind = EventKind::kMessage;
  want.type = "text";
  want.text = "Hola, vi el anuncio del plan 5G";
  want.referral_json = FixturePart(Path("message_after_ad.json"), "/entry/0/messaging/0/referral");
  ExpectEventEq(ParseOne("message_after_ad.json"), want);
}

TEST(MessengerWebhook, HostileTextSurvivesByteExact) {
  // Meta escapes "<", "%", "@", "/" and every non-ASCII character; the text comes back as the
  // customer typed it, NUL, bidi controls and all.
  Event e = ParseOne("text_hostile.json");
  EXPECT_EQ(e.kind, EventKind::kMessage);
  static constexpr char kTyped[] =
      "Hola\0 <script>alert('x')</script> 100% @ana \xE2\x80\xAERTL\xE2\x80\xAC "
      "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD \\ \"q\" / \n\ttab";
  EXPECT_EQ(e.text, std::string(kTyped, sizeof(kTyped) - 1));
  EXPECT_EQ(e.dedup_key, "m_HOSTILE");
}

TEST(MessengerWebhook, QuickReplyIsAPostbackWithItsPayloadAndTitle) {
  Event want = Inbound("quick_reply.json", "m_QR1");
  want.kind = EventKind::kPostback;
  want.type = "quick_reply";
  want.text = "Rojo";
  want.payload = "COLOR_RED";
  ExpectEventEq(ParseOne("quick_reply.json"), want);
}

TEST(MessengerWebhook, AttachmentsKeepTheirTypeAndUrlInOrder) {
  Event want = Inbound("attachments.json", "m_ATT1");
  want.kind = EventKind::kMessage;
  want.type = "image";
  want.attachments = {
      {"image", "", "https://scontent.xx.fbcdn.net/v/image.jpg?x=1", "", "", "", ""},
      {"audio", "", "https://cdn.fbsbx.com/v/audio.mp4", "", "", "", ""},
      {"video", "", "https://video.xx.fbcdn.net/v/video.mp4", "", "", "", ""},
      {"file", "", "https://cdn.fbsbx.com/v/factura.pdf", "", "", "", ""},
  };
  ExpectEventEq(ParseOne("attachments.json"), want);
}

TEST(MessengerWebhook, StickerIsAnImage) {
  Event want = Inbound("sticker.json", "m_STK1");
  want.kind = EventKind::kMessage;
  want.type = "image";
  want.attachments = {{"image", "", "https://scontent.xx.fbcdn.net/v/sticker.png", "", "", "", ""}};
  ExpectEventEq(ParseOne("sticker.json"), want);
}

TEST(MessengerWebhook, LocationBecomesCoordinates) {
  Event want = Inbound("location.json", "m_LOC1");
  want.kind = EventKind::kMessage;
  want.type = "location";
  want.location = Location{3.4516, -76.532, "Pin de Ana", ""};
  ExpectEventEq(ParseOne("location.json"), want);
}

TEST(MessengerWebhook, FallbackKeepsTheSharedLinkAndItsTitle) {
  Event want = Inbound("fallback.json", "m_FB1");
  want.kind = EventKind::kMessage;
  want.type = "fallback";
  want.text = "mira esto https://example.com/oferta";
  want.attachments = {
      {"fallback", "", "https://example.com/oferta", "", "", "Oferta de temporada", ""}};
  ExpectEventEq(ParseOne("fallback.json"), want);
}

TEST(MessengerWebhook, PostbackWithReferral) {
  Event want = Inbound("postback.json", "m_PB1");
  want.kind = EventKind::kPostback;
  want.type = "postback";
  want.text = "Hablar con un asesor";
  want.payload = "HANDOFF";
  want.referral_json = R"({"ref":"campania_nov","source":"SHORTLINK","type":"OPEN_THREAD"})";
  ExpectEventEq(ParseOne("postback.json"), want);
}

TEST(MessengerWebhook, PostbackWithoutMidIsKeyedBySenderAndTime) {
  Event want = Inbound("postback_without_mid.json", "");
  want.kind = EventKind::kPostback;
  want.type = "postback";
  want.text = "Empezar";
  want.payload = "GET_STARTED";
  want.dedup_key = "postback:6543219876543210:1764283896000";
  ExpectEventEq(ParseOne("postback_without_mid.json"), want);
}

TEST(MessengerWebhook, ReferralFromAShortLink) {
  Event want = Inbound("referral.json", "");
  want.kind = EventKind::kPostback;
  want.type = "referral";
  want.payload = "promo_cali";
  want.referral_json = R"({"ref":"promo_cali","source":"SHORTLINK","type":"OPEN_THREAD"})";
  want.dedup_key = "referral:6543219876543210:1764283896000";
  ExpectEventEq(ParseOne("referral.json"), want);
}

TEST(MessengerWebhook, ReferralFromAnAdKeepsTheAdContext) {
  Event e = ParseOne("referral_ad.json");
  EXPECT_EQ(e.kind, EventKind::kPostback);
  EXPECT_EQ(e.payload, "ad_ref");
  EXPECT_EQ(nlohmann::json::parse(e.referral_json),
            nlohmann::json::parse(
                FixturePart(Path("referral_ad.json"), "/entry/0/messaging/0/referral")));
  EXPECT_NE(e.referral_json.find("\"ad_id\":\"6045246247433\""), std::string::npos);
}

TEST(MessengerWebhook, ReactionAndItsWithdrawal) {
  Event want = Inbound("reaction.json", "");
  want.kind = EventKind::kReaction;
  want.type = "reaction";
  want.reaction_to_id = "m_OUT1";
  want.reaction_emoji = "❤️";
  want.dedup_key = "reaction:m_OUT1:6543219876543210:react:1764283896000";
  ExpectEventEq(ParseOne("reaction.json"), want);

  Event removed = Inbound("reaction_removed.json", "");
  removed.kind = EventKind::kReaction;
  removed.type = "reaction";
  removed.timestamp_ms = kTs2;
  removed.reaction_to_id = "m_OUT1";
  removed.reaction_emoji = "";  // withdrawn, as for WhatsApp
  removed.dedup_key = "reaction:m_OUT1:6543219876543210:unreact:1764283897000";
  ExpectEventEq(ParseOne("reaction_removed.json"), removed);
}

// A receipt names no author: the customer is the status's recipient.
Event Receipt(const std::string& name, DeliveryStatus status, const std::string& type) {
  Event e = Inbound(name, "");
  e.kind = EventKind::kStatus;
  e.type = type;
  e.author = Author{};
  e.status = StatusUpdate{};
  e.status->status = status;
  e.status->recipient_id = kPsid;
  return e;
}

TEST(MessengerWebhook, DeliveryWithMidsIsOneStatusPerMessage) {
  std::vector<Event> events = Parse("delivery.json");
  ASSERT_EQ(events.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE(i);
    const std::string mid = i == 0 ? "m_OUT1" : "m_OUT2";
    Event want = Receipt("delivery.json", DeliveryStatus::kDelivered, "delivery");
    want.platform_id = mid;
    want.dedup_key = mid + ":delivered";
    want.status->message_id = mid;
    want.status->watermark_ms = 1764283895000;
    ExpectEventEq(events[i], want);
  }
}

TEST(MessengerWebhook, DeliveryWithOnlyAWatermarkIsOneWatermarkStatus) {
  Event want = Receipt("delivery_watermark.json", DeliveryStatus::kDelivered, "delivery");
  want.status->watermark_ms = 1764283895000;
  want.dedup_key = "delivered:6543219876543210:1764283895000";
  ExpectEventEq(ParseOne("delivery_watermark.json"), want);
}

TEST(MessengerWebhook, ReadIsAWatermarkStatus) {
  Event want = Receipt("read.json", DeliveryStatus::kRead, "read");
  want.status->watermark_ms = 1764283895500;
  want.dedup_key = "read:6543219876543210:1764283895500";
  ExpectEventEq(ParseOne("read.json"), want);
}

TEST(MessengerWebhook, OurOwnEchoIsDroppedAndTheRestOfTheBodyKept) {
  std::vector<Event> events = Parse("echo_ours.json");
  ASSERT_EQ(events.size(), 1u);
  Event want = Inbound("echo_ours.json", "m_AFTER_ECHO", "/entry/0/messaging/1");
  want.kind = EventKind::kMessage;
  want.type = "text";
  want.text = "quiero cambiar mi plan";
  want.timestamp_ms = kTs2;
  ExpectEventEq(events[0], want);
}

TEST(MessengerWebhook, WithoutOurAppIdsOurEchoIsKeptAsAHumansMessage) {
  // The daemon must fill own_app_ids; if it does not, nothing is lost or answered.
  std::vector<Event> events = ParseMetaWebhook(ReadFixture(Path("echo_ours.json")));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].direction, Direction::kOutboundHuman);
  EXPECT_EQ(events[0].dedup_key, "m_ECHO_OURS");
  EXPECT_EQ(events[1].direction, Direction::kInbound);
}

TEST(MessengerWebhook, AnEchoFromThePageInboxIsOutboundHistoryByAHuman) {
  Event want = Inbound("echo_page_inbox.json", "m_ECHO_HUMAN");
  want.kind = EventKind::kMessage;
  want.type = "text";
  want.direction = Direction::kOutboundHuman;
  want.author.id = kPage;
  want.recipient_id = kPsid;
  want.text = "Te llamo en 5 minutos";
  ExpectEventEq(ParseOne("echo_page_inbox.json"), want);
}

TEST(MessengerWebhook, AnEchoWithoutAppIdIsOutboundHistoryByAHuman) {
  Event want = Inbound("echo_without_app.json", "m_ECHO_PHONE");
  want.kind = EventKind::kMessage;
  want.type = "image";
  want.direction = Direction::kOutboundHuman;
  want.author.id = kPage;
  want.recipient_id = kPsid;
  want.attachments = {{"image", "", "https://scontent.xx.fbcdn.net/v/phone.jpg", "", "", "", ""}};
  ExpectEventEq(ParseOne("echo_without_app.json"), want);
}

TEST(MessengerWebhook, StandbyEventsAreRecordedAndMarked) {
  std::vector<Event> events = Parse("standby.json");
  ASSERT_EQ(events.size(), 3u);
  Event message = Inbound("standby.json", "m_SB1", "/entry/0/standby/0");
  message.kind = EventKind::kMessage;
  message.type = "text";
  message.text = "sigo esperando";
  message.standby = true;
  ExpectEventEq(events[0], message);

  // In standby a postback arrives without its payload.
  Event postback = Inbound("standby.json", "", "/entry/0/standby/1");
  postback.kind = EventKind::kPostback;
  postback.type = "postback";
  postback.text = "Menú";
  postback.standby = true;
  postback.timestamp_ms = kTs2;
  postback.dedup_key = "postback:6543219876543210:1764283897000";
  ExpectEventEq(events[1], postback);

  Event echo = Inbound("standby.json", "m_SB_ECHO", "/entry/0/standby/2");
  echo.kind = EventKind::kMessage;
  echo.type = "text";
  echo.text = "Ya te atiendo";
  echo.standby = true;
  echo.direction = Direction::kOutboundHuman;
  echo.author.id = kPage;
  echo.recipient_id = kPsid;
  echo.timestamp_ms = kTs2 + 1000;
  ExpectEventEq(events[2], echo);
}

Event Handover(const std::string& name, const std::string& type, const std::string& payload,
               const std::string& text) {
  Event e = Inbound(name, "");
  e.kind = EventKind::kHandover;
  e.type = type;
  e.payload = payload;
  e.text = text;
  e.dedup_key = "handover:" + type + ":6543219876543210:1764283896000";
  return e;
}

TEST(MessengerWebhook, HandoversNameTheMoveTheNewOwnerAndTheMetadata) {
  ExpectEventEq(ParseOne("handover_pass.json"),
                Handover("handover_pass.json", "pass_thread_control", kOurApp, "back to bot"));
  ExpectEventEq(
      ParseOne("handover_take.json"),
      Handover("handover_take.json", "take_thread_control", "263902037430900", "agent took over"));
  ExpectEventEq(ParseOne("handover_request.json"),
                Handover("handover_request.json", "request_thread_control", "263902037430900",
                         "customer asked for a human"));
}

TEST(MessengerWebhook, AppRolesAreAHandoverCarryingTheRoles) {
  Event want =
      Handover("app_roles.json", "app_roles", R"({"1517776481860111":["primary_receiver"]})", "");
  want.author.id = kPage;
  want.dedup_key = "handover:app_roles:112233445566778:1764283896000";
  ExpectEventEq(ParseOne("app_roles.json"), want);
}

TEST(MessengerWebhook, AMessageEditIsItsOwnEventWithTheNewText) {
  Event want = Inbound("message_edit.json", "m_TXT1");
  want.kind = EventKind::kMessage;
  want.type = "message_edit";
  want.action = "edit";
  want.text = "¿Tienen envío a Palmira?";
  want.timestamp_ms = kTs2;
  want.dedup_key = "m_TXT1:edit:1";
  ExpectEventEq(ParseOne("message_edit.json"), want);
}

TEST(MessengerWebhook, AnUnknownEventIsNamed) {
  Event want = Inbound("unknown_event.json", "");
  want.kind = EventKind::kUnsupported;
  want.unsupported_reason = "Messenger event \"optin\" is not supported";
  want.dedup_key = "unsupported:" + HexEncode(Sha256(want.raw_json));
  ExpectEventEq(ParseOne("unknown_event.json"), want);
}

TEST(MessengerWebhook, BatchesKeepEveryEntryAndEvent) {
  std::vector<Event> events = Parse("batch.json");
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0].dedup_key, "m_B1");
  EXPECT_EQ(events[0].text, "primero");
  EXPECT_EQ(events[1].dedup_key, "m_B2");
  EXPECT_EQ(events[1].timestamp_ms, kTs2);
  EXPECT_EQ(events[2].kind, EventKind::kStatus);
  EXPECT_EQ(events[2].dedup_key, "m_OUT3:delivered");
  EXPECT_EQ(events[3].kind, EventKind::kComment);
  EXPECT_EQ(events[3].account_id, "998877665544332");
  EXPECT_EQ(events[3].text, "tercero");
  EXPECT_EQ(events[3].dedup_key, "1_9:add");
  EXPECT_EQ(events[4].kind, EventKind::kUnsupported);
  EXPECT_EQ(events[4].unsupported_reason,
            "Page feed item \"like\" is not handled: reactions, likes and shares are not messages");
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(events[i].account_id, kPage);
  for (const Event& e : events) EXPECT_EQ(e.channel, Channel::kMessenger);
}

TEST(MessengerWebhook, ARebatchedRetryGivesTheSameDedupKeys) {
  // Receipts, reactions and handovers have no id of their own; their keys come from their
  // content, so the same event delivered alone or inside another batch dedups.
  const std::string events[] = {
      FixturePart(Path("read.json"), "/entry/0/messaging/0"),
      FixturePart(Path("reaction.json"), "/entry/0/messaging/0"),
      FixturePart(Path("handover_pass.json"), "/entry/0/messaging/0"),
      FixturePart(Path("postback_without_mid.json"), "/entry/0/messaging/0"),
      FixturePart(Path("unknown_event.json"), "/entry/0/messaging/0"),
  };
  auto body = [](const std::string& messaging) {
    return R"({"object":"page","entry":[{"id":"112233445566778","messaging":[)" + messaging +
           "]}]}";
  };
  std::string all;
  std::vector<std::string> alone;
  for (const std::string& event : events) {
    std::vector<Event> parsed = ParseMetaWebhook(body(event));
    ASSERT_EQ(parsed.size(), 1u);
    alone.push_back(parsed[0].dedup_key);
    all = event + (all.empty() ? "" : ",") + all;  // reversed order
  }
  std::vector<Event> batched = ParseMetaWebhook(body(all));
  ASSERT_EQ(batched.size(), alone.size());
  for (size_t i = 0; i < alone.size(); ++i) {
    EXPECT_EQ(batched[alone.size() - 1 - i].dedup_key, alone[i]);
  }
}

TEST(MessengerWebhook, GarbageAmongGoodEventsIsNamedAndTheGoodOnesKept) {
  std::vector<Event> events = Parse("garbage.json");
  const std::vector<std::pair<EventKind, std::string>> want = {
      {EventKind::kMessage, ""},
      {EventKind::kUnsupported, "messaging event is not an object"},
      {EventKind::kUnsupported, "message has no \"mid\""},
      {EventKind::kUnsupported, "message has no text and no attachments"},
      {EventKind::kUnsupported, "messaging event carries no event object"},
      {EventKind::kUnsupported, "reaction has no \"mid\""},
      {EventKind::kUnsupported, "delivery has no \"mids\" and no \"watermark\""},
      {EventKind::kUnsupported, "read has no \"mid\" and no \"watermark\""},
      {EventKind::kMessage, ""},
      {EventKind::kUnsupported, "feed change has no \"value\" object"},
      {EventKind::kUnsupported, "change has no \"field\""},
      {EventKind::kUnsupported, "Page change field \"ratings\" is not supported"},
      {EventKind::kUnsupported, "feed comment has no \"comment_id\""},
      {EventKind::kUnsupported, "Page feed verb \"block\" is not supported"},
      {EventKind::kUnsupported, "Page feed item \"milestone\" is not supported"},
      {EventKind::kUnsupported, "not an array in entry: \"messaging\""},
      {EventKind::kUnsupported, "entry is not an object"},
  };
  ASSERT_EQ(events.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(events[i].kind, want[i].first);
    EXPECT_EQ(events[i].unsupported_reason, want[i].second);
    EXPECT_EQ(events[i].channel, Channel::kMessenger);
    if (events[i].kind == EventKind::kUnsupported && events[i].platform_id.empty()) {
      EXPECT_EQ(events[i].dedup_key, "unsupported:" + HexEncode(Sha256(events[i].raw_json)));
    }
  }
  EXPECT_EQ(events[0].text, "antes");
  EXPECT_EQ(events[8].text, "después");
  // A message that has an id keeps it as its key even when it cannot be understood.
  EXPECT_EQ(events[3].dedup_key, "m_G_EMPTY");
  EXPECT_EQ(events[3].platform_id, "m_G_EMPTY");
}

}  // namespace
}  // namespace atalaya::channels
