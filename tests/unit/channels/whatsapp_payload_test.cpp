#include "channels/whatsapp_payload.h"

#include <gtest/gtest.h>

#include "channels/meta_envelope.h"
#include "channels/meta_json.h"
#include "channels/meta_signature.h"
#include "channels/meta_webhook.h"

namespace atalaya::channels {
namespace {

SimulatedWhatsAppText Sample() {
  SimulatedWhatsAppText m;
  m.phone_number_id = "106540352242922";
  m.from = "573001112233";
  m.name = "Andr\xC3\xA9s";  // "Andrés"
  m.text = "hola/adi\xC3\xB3s";
  m.message_id = "wamid.TEST1";
  m.timestamp_s = 1749416383;
  return m;
}

TEST(BuildWhatsAppTextWebhook, WritesMetasShapeAndEscaping) {
  EXPECT_EQ(BuildWhatsAppTextWebhook(Sample()),
            R"({"object":"whatsapp_business_account","entry":[{"id":"100000000000001","changes":[)"
            R"({"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":)"
            R"("15550000000","phone_number_id":"106540352242922"},"contacts":[{"profile":)"
            R"({"name":"Andr\u00e9s"},"wa_id":"573001112233"}],"messages":[{"from":"573001112233",)"
            R"("id":"wamid.TEST1","timestamp":"1749416383","type":"text","text":{"body":)"
            R"("hola\/adi\u00f3s"}}]},"field":"messages"}]}]})");
}

TEST(BuildWhatsAppTextWebhook, VerifiesWithSignMetaBodyAndPassesTheEnvelopeCheck) {
  const std::string body = BuildWhatsAppTextWebhook(Sample());
  EXPECT_EQ(VerifyMetaSignature(SignMetaBody(body, "app-secret"), body, {"app-secret"}),
            SignatureCheck::kValid);
  EXPECT_TRUE(ValidateMetaEnvelope(body).ok());
}

TEST(BuildWhatsAppTextWebhook, ParsesBackToTheSameFields) {
  SimulatedWhatsAppText m = Sample();
  m.user_id = "CO.1502576394655843";
  std::vector<Event> events = ParseMetaWebhook(BuildWhatsAppTextWebhook(m));
  ASSERT_EQ(events.size(), 1u);
  const Event& e = events[0];
  EXPECT_EQ(e.kind, EventKind::kMessage);
  EXPECT_EQ(e.channel, Channel::kWhatsApp);
  EXPECT_EQ(e.account_id, m.phone_number_id);
  EXPECT_EQ(e.platform_id, m.message_id);
  EXPECT_EQ(e.dedup_key, m.message_id);
  EXPECT_EQ(e.text, m.text);
  EXPECT_EQ(e.timestamp_ms, m.timestamp_s * 1000);
  EXPECT_EQ(e.author.id, m.user_id);
  EXPECT_EQ(e.author.alt_id, m.from);
  EXPECT_EQ(e.author.phone, m.from);
  EXPECT_EQ(e.author.name, m.name);
}

TEST(BuildWhatsAppTextWebhook, UsernameOnlyUserHasNoPhoneAnywhere) {
  SimulatedWhatsAppText m = Sample();
  m.from = "";
  m.user_id = "US.13491208655302741918";
  const std::string body = BuildWhatsAppTextWebhook(m);
  EXPECT_EQ(body.find("wa_id"), std::string::npos);
  EXPECT_EQ(body.find("\"from\""), std::string::npos);
  std::vector<Event> events = ParseMetaWebhook(body);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].author.id, m.user_id);
  EXPECT_EQ(events[0].author.phone, "");
  EXPECT_EQ(events[0].author.name, m.name);
}

TEST(BuildWhatsAppTextWebhook, HostileTextRoundTripsByteExactInAnAsciiBody) {
  static constexpr char kText[] =
      "a\0b \xF0\x9F\x98\x80 \xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7 \xE2\x80\xAE "
      "'; DROP TABLE events; -- <script>alert(\"x\")</script> 100% @me \\ / \"\n\t";
  SimulatedWhatsAppText m = Sample();
  m.text.assign(kText, sizeof(kText) - 1);
  const std::string body = BuildWhatsAppTextWebhook(m);
  for (char c : body) ASSERT_LT(static_cast<unsigned char>(c), 0x80) << "non-ASCII byte";
  EXPECT_NE(body.find(R"(a\u0000b \ud83d\ude00 \u0645)"), std::string::npos) << body;
  EXPECT_NE(body.find(R"(<\/script>)"), std::string::npos) << body;
  std::vector<Event> events = ParseMetaWebhook(body);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].text, m.text);
}

TEST(BuildWhatsAppTextWebhook, InvalidUtf8TextIsReplacedNotThrown) {
  SimulatedWhatsAppText m = Sample();
  m.text = "bad \xC0\xAF byte";
  const std::string body = BuildWhatsAppTextWebhook(m);
  EXPECT_TRUE(ValidateMetaEnvelope(body).ok());
  std::vector<Event> events = ParseMetaWebhook(body);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].text, "bad \xEF\xBF\xBD\xEF\xBF\xBD byte");
}

TEST(BuildWhatsAppTextWebhook, DefaultsAreDeterministicAndDistinguishMessages) {
  SimulatedWhatsAppText m;
  m.from = "573001112233";
  m.text = "hola";
  m.timestamp_s = 1;
  const std::string body = BuildWhatsAppTextWebhook(m);
  EXPECT_EQ(body, BuildWhatsAppTextWebhook(m));
  std::vector<Event> first = ParseMetaWebhook(body);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].account_id, kSimulatedPhoneNumberId);
  EXPECT_EQ(first[0].author.name, "");
  EXPECT_EQ(first[0].platform_id.rfind("wamid.SIM", 0), 0u);
  EXPECT_EQ(first[0].platform_id.size(), std::string("wamid.SIM").size() + 40);
  m.timestamp_s = 2;
  std::vector<Event> second = ParseMetaWebhook(BuildWhatsAppTextWebhook(m));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_NE(second[0].platform_id, first[0].platform_id);
}

TEST(MetaStyleJson, EscapesNonAsciiAndSlashesOnly) {
  OrderedJson value = {{"k/ey", "\xC3\xA4\xC3\xB6\xC3\xA5 </> % @ \xF0\x9F\x98\x80"}};
  EXPECT_EQ(MetaStyleJson(value), R"({"k\/ey":"\u00e4\u00f6\u00e5 <\/> % @ \ud83d\ude00"})");
}

}  // namespace
}  // namespace atalaya::channels
