// Whole bodies: batches, garbage among good parts, unknown objects, re-deliveries.
#include "channels/meta_webhook.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/crypto.h"

namespace atalaya::channels {
namespace {

using Json = nlohmann::json;

std::string ReadFixture(const std::string& name) {
  std::ifstream file(std::string(ATALAYA_TESTDATA_DIR) + "/meta/whatsapp/" + name,
                     std::ios::binary);
  EXPECT_TRUE(file.good()) << "missing fixture " << name;
  std::stringstream content;
  content << file.rdbuf();
  return content.str();
}

std::string UnsupportedKeyOf(const std::string& compact_json) {
  return "unsupported:" + HexEncode(Sha256(compact_json));
}

// A one-change WhatsApp body around `value_json`.
std::string WhatsAppBody(const std::string& value_json, const std::string& field = "messages") {
  return R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":)" +
         value_json + R"(,"field":")" + field + R"("}]}]})";
}

constexpr char kMetadata[] =
    R"("messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"PN"})";

TEST(ParseMetaWebhook, HandlesEveryEntryChangeMessageAndStatusOfABatch) {
  std::vector<Event> events = ParseMetaWebhook(ReadFixture("batch.json"));
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].dedup_key, "wamid.B1");
  EXPECT_EQ(events[0].text, "first");
  EXPECT_EQ(events[0].account_id, "106540352242922");
  EXPECT_EQ(events[0].timestamp_ms, 1700000001000);
  EXPECT_EQ(events[1].dedup_key, "wamid.B2");
  EXPECT_EQ(events[1].text, "second");
  EXPECT_EQ(events[1].account_id, "106540352242922");
  EXPECT_EQ(events[2].dedup_key, "wamid.B3");
  EXPECT_EQ(events[2].text, "third");
  EXPECT_EQ(events[2].account_id, "206540352242999");
  EXPECT_EQ(events[2].author.id, "5215512345678");
  EXPECT_EQ(events[2].author.name, "Luis");
  EXPECT_EQ(events[3].kind, EventKind::kStatus);
  EXPECT_EQ(events[3].dedup_key, "wamid.OUT9:delivered");
  EXPECT_EQ(events[3].account_id, "206540352242999");
  for (const Event& e : events) EXPECT_EQ(e.channel, Channel::kWhatsApp);
}

TEST(ParseMetaWebhook, OneGarbageChangeAmongGoodOnesKeepsTheGoodEvents) {
  std::vector<Event> events = ParseMetaWebhook(ReadFixture("garbage_change.json"));
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].kind, EventKind::kMessage);
  EXPECT_EQ(events[0].text, "before");
  EXPECT_EQ(events[1].kind, EventKind::kUnsupported);
  EXPECT_EQ(events[1].unsupported_reason, "messages change has no \"value\" object");
  EXPECT_EQ(events[1].raw_json, R"({"field":"messages","value":"garbage"})");
  EXPECT_EQ(events[1].dedup_key, UnsupportedKeyOf(R"({"field":"messages","value":"garbage"})"));
  EXPECT_EQ(events[2].kind, EventKind::kMessage);
  EXPECT_EQ(events[2].text, "after");
  EXPECT_EQ(events[3].kind, EventKind::kUnsupported);
  EXPECT_EQ(events[3].unsupported_reason,
            "WhatsApp change field \"account_update\" is not supported");
}

TEST(ParseMetaWebhook, UnknownObjectBecomesOneUnsupportedEvent) {
  const std::string body = ReadFixture("unknown_object.json");
  std::vector<Event> events = ParseMetaWebhook(body, Channel::kMessenger);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, EventKind::kUnsupported);
  EXPECT_EQ(events[0].channel, Channel::kMessenger);
  EXPECT_EQ(events[0].unsupported_reason,
            "unsupported webhook object \"whatsapp_business_accounts\"");
  EXPECT_EQ(Json::parse(events[0].raw_json), Json::parse(body));
  EXPECT_EQ(events[0].dedup_key, UnsupportedKeyOf(Json::parse(body).dump()));
}

TEST(ParseMetaWebhook, MissingObjectIsNamed) {
  std::vector<Event> events = ParseMetaWebhook(R"({"entry":[]})");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].unsupported_reason, "webhook has no \"object\"");
  EXPECT_EQ(events[0].channel, Channel::kWhatsApp);
}

TEST(ParseMetaWebhook, EmptyEntryArrayHasNoEvents) {
  EXPECT_TRUE(ParseMetaWebhook(R"({"object":"whatsapp_business_account","entry":[]})").empty());
}

TEST(ParseMetaWebhook, PageAndInstagramBodiesAreRoutedToTheirParsers) {
  std::vector<Event> page = ParseMetaWebhook(
      R"({"object":"page","entry":[{"id":"P1","messaging":[{"sender":{"id":"U"},)"
      R"("recipient":{"id":"P1"},"timestamp":1,"message":{"mid":"m1","text":"hi"}}]},)"
      R"({"id":"P2"}]})");
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].channel, Channel::kMessenger);
  EXPECT_EQ(page[0].kind, EventKind::kMessage);
  EXPECT_EQ(page[0].account_id, "P1");
  EXPECT_EQ(page[1].account_id, "P2");
  EXPECT_EQ(page[1].unsupported_reason,
            "entry has no \"messaging\", \"standby\" or \"changes\" array");
  std::vector<Event> ig = ParseMetaWebhook(R"({"object":"instagram","entry":[{"id":"I1"}]})");
  ASSERT_EQ(ig.size(), 1u);
  EXPECT_EQ(ig[0].channel, Channel::kInstagram);
  EXPECT_EQ(ig[0].account_id, "I1");
}

TEST(ParseMetaWebhook, TheOptionsOverloadKeepsTheUnknownChannel) {
  MetaParseOptions options;
  options.unknown_channel = Channel::kInstagram;
  std::vector<Event> events = ParseMetaWebhook(R"({"object":"user","entry":[]})", options);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].channel, Channel::kInstagram);
  EXPECT_EQ(events[0].unsupported_reason, "unsupported webhook object \"user\"");
}

TEST(ParseMetaWebhook, MessagingTimestampsInEveryUnitAreMilliseconds) {
  auto parse_ts = [](const std::string& timestamp_json) {
    std::vector<Event> events =
        ParseMetaWebhook(R"({"object":"page","entry":[{"id":"P","messaging":[{"sender":{"id":"U"},)"
                         R"("timestamp":)" +
                         timestamp_json + R"(,"message":{"mid":"m","text":"x"}}]}]})");
    return events.size() == 1 ? events[0].timestamp_ms : -1;
  };
  EXPECT_EQ(parse_ts("1764283896000"), 1764283896000);
  EXPECT_EQ(parse_ts("1764283896"), 1764283896000);
  EXPECT_EQ(parse_ts(R"("1764283896")"), 1764283896000);
  EXPECT_EQ(parse_ts(R"("2025-11-27T22:51:36+0000")"), 1764283896000);
  EXPECT_EQ(parse_ts(R"("yesterday")"), 0);
}

TEST(ParseMetaWebhook, AnUnreadableBodyBecomesOneUnsupportedEvent) {
  // Such a body should have been refused at request time; if one is stored anyway, the
  // worker keeps it instead of crashing, keyed by the raw bytes.
  const std::string body = "{\"entry\":[" + std::string(100, '[');
  std::vector<Event> events = ParseMetaWebhook(body);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, EventKind::kUnsupported);
  EXPECT_EQ(events[0].unsupported_reason, "unreadable webhook: JSON nested deeper than 64 levels");
  EXPECT_EQ(events[0].dedup_key, UnsupportedKeyOf(body));
  EXPECT_EQ(events[0].raw_json, "");

  std::vector<Event> not_json = ParseMetaWebhook("not json");
  ASSERT_EQ(not_json.size(), 1u);
  EXPECT_EQ(not_json[0].unsupported_reason,
            "unreadable webhook: body is not valid JSON: line 1, column 1: expected a value");
}

TEST(ParseMetaWebhook, GarbageEntriesAreNamed) {
  std::vector<Event> events = ParseMetaWebhook(
      R"({"object":"whatsapp_business_account","entry":[7,{"id":"1"},{"changes":{}}]})");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].unsupported_reason, "entry is not an object");
  EXPECT_EQ(events[0].raw_json, "7");
  EXPECT_EQ(events[1].unsupported_reason, "entry has no \"changes\" array");
  EXPECT_EQ(events[2].unsupported_reason, "entry has no \"changes\" array");
}

TEST(ParseMetaWebhook, GarbageChangesAreNamed) {
  const std::string body =
      R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[)"
      R"("x",{"value":{}},{"field":3,"value":{}},{"field":"messages","value":{}},)"
      R"({"field":"messages","value":{"messages":{},"statuses":"s"}}]}]})";
  std::vector<Event> events = ParseMetaWebhook(body);
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0].unsupported_reason, "change is not an object");
  EXPECT_EQ(events[1].unsupported_reason, "change has no \"field\"");
  EXPECT_EQ(events[2].unsupported_reason, "change has no \"field\"");
  EXPECT_EQ(events[3].unsupported_reason,
            "messages change carries no messages, statuses or errors");
  EXPECT_EQ(events[4].unsupported_reason,
            "not an array in messages change: \"messages\", \"statuses\"");
  for (const Event& e : events) {
    EXPECT_EQ(e.kind, EventKind::kUnsupported);
    EXPECT_EQ(e.dedup_key, UnsupportedKeyOf(e.raw_json));
  }
}

TEST(ParseMetaWebhook, GarbageMessagesAndStatusesAreNamed) {
  const std::string value =
      std::string("{") + kMetadata +
      R"(,"messages":[5,{"type":"text","text":{"body":"no id"}},)"
      R"({"id":"w1","type":"text"},{"id":"w2"},)"
      R"({"id":"w3","type":"interactive","interactive":{"type":"nfm_reply"}},)"
      R"({"id":"w4","type":"location","location":{"name":"x"}}],)"
      R"("statuses":[{"status":"read"},{"id":"w5","status":"deleted"},[]]})";
  std::vector<Event> events = ParseMetaWebhook(WhatsAppBody(value));
  ASSERT_EQ(events.size(), 9u);
  const char* reasons[] = {
      "message is not an object",
      "message has no \"id\"",
      "text message has no \"text\" object",
      "message has no \"type\"",
      "WhatsApp interactive type \"nfm_reply\" is not supported",
      "location message has no coordinates",
      "status has no \"id\"",
      "unknown WhatsApp status \"deleted\"",
      "status is not an object",
  };
  for (size_t i = 0; i < events.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(events[i].kind, EventKind::kUnsupported);
    EXPECT_EQ(events[i].unsupported_reason, reasons[i]);
    EXPECT_EQ(events[i].account_id, "PN");
  }
  // Messages with an id keep it as their dedup key; parts without one hash their JSON.
  EXPECT_EQ(events[2].dedup_key, "w1");
  EXPECT_EQ(events[1].dedup_key, UnsupportedKeyOf(events[1].raw_json));
  EXPECT_EQ(events[7].platform_id, "w5");
  EXPECT_EQ(events[7].dedup_key, UnsupportedKeyOf(R"({"id":"w5","status":"deleted"})"));
}

TEST(ParseMetaWebhook, ARebatchedRetryGivesTheSameDedupKeys) {
  // The same garbage change and the same message, delivered first alone and then inside a
  // different batch, produce the same keys, so the store keeps each event once.
  const std::string message =
      R"({"from":"1","id":"wamid.R1","timestamp":"1","type":"text","text":{"body":"hi"}})";
  const std::string good = std::string(R"({"field":"messages","value":{)") + kMetadata +
                           R"(,"messages":[)" + message + "]}}";
  const std::string bad = R"({"field":"messages","value":[1,2]})";
  auto body = [](const std::string& changes) {
    return R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[)" + changes +
           "]}]}";
  };
  std::vector<Event> first = ParseMetaWebhook(body(bad));
  std::vector<Event> second = ParseMetaWebhook(body(good));
  std::vector<Event> rebatched = ParseMetaWebhook(body(good + "," + bad));
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(second.size(), 1u);
  ASSERT_EQ(rebatched.size(), 2u);
  EXPECT_EQ(rebatched[0].dedup_key, second[0].dedup_key);
  EXPECT_EQ(rebatched[1].dedup_key, first[0].dedup_key);
  EXPECT_EQ(rebatched[0].dedup_key, "wamid.R1");
}

TEST(ParseMetaWebhook, TimestampsAreNormalisedToMilliseconds) {
  auto parse_ts = [](const std::string& timestamp_json) {
    const std::string value = std::string("{") + kMetadata +
                              R"(,"messages":[{"id":"t","type":"text","text":{"body":""},)"
                              R"("timestamp":)" +
                              timestamp_json + "}]}";
    std::vector<Event> events = ParseMetaWebhook(WhatsAppBody(value));
    return events.size() == 1 ? events[0].timestamp_ms : -1;
  };
  EXPECT_EQ(parse_ts(R"("1603059201")"), 1603059201000);
  EXPECT_EQ(parse_ts("1603059201"), 1603059201000);
  EXPECT_EQ(parse_ts("1603059201.5"), 1603059201500);
  EXPECT_EQ(parse_ts(R"("16030x")"), 0);
  EXPECT_EQ(parse_ts(R"("")"), 0);
  EXPECT_EQ(parse_ts("-5"), 0);
  EXPECT_EQ(parse_ts("null"), 0);
  EXPECT_EQ(parse_ts(R"("99999999999999999999")"), 0);  // out of range, not wrapped
  EXPECT_EQ(parse_ts("9223372036854775807"), 0);
}

TEST(ParseMetaWebhook, WrongTypedFieldsNeverThrow) {
  // Every field of a text message given the wrong JSON type.
  const std::string value =
      R"({"metadata":[],"contacts":{"wa_id":1},"messages":[{"from":{},"id":"w",)"
      R"("timestamp":[],"type":"text","text":{"body":7},"context":"c","referral":[]}]})";
  std::vector<Event> events = ParseMetaWebhook(WhatsAppBody(value));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, EventKind::kMessage);
  EXPECT_EQ(events[0].account_id, "");
  EXPECT_EQ(events[0].author.id, "");
  EXPECT_EQ(events[0].text, "");
  EXPECT_EQ(events[0].reply_to_id, "");
  EXPECT_EQ(events[0].referral_json, "");
  EXPECT_EQ(events[0].timestamp_ms, 0);
}

TEST(ParseMetaWebhook, AuthorNameComesFromTheMatchingContact) {
  const std::string value =
      std::string("{") + kMetadata +
      R"(,"contacts":[{"profile":{"name":"Ana"},"wa_id":"111"},{"profile":{"name":"Beto"},)"
      R"("wa_id":"222"}],"messages":[)"
      R"({"from":"222","id":"a","timestamp":"1","type":"text","text":{"body":"x"}},)"
      R"({"from":"111","id":"b","timestamp":"1","type":"text","text":{"body":"y"}},)"
      R"({"from":"333","id":"c","timestamp":"1","type":"text","text":{"body":"z"}}]})";
  std::vector<Event> events = ParseMetaWebhook(WhatsAppBody(value));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].author.name, "Beto");
  EXPECT_EQ(events[1].author.name, "Ana");
  EXPECT_EQ(events[2].author.name, "");
  EXPECT_EQ(events[2].author.id, "333");
}

}  // namespace
}  // namespace atalaya::channels
