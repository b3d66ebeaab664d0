// The public webhook routes, end to end: handshake, signed deliveries stored and normalized,
// retries deduplicated, and every bad input refused with a clear error and nothing stored.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "channels/meta_signature.h"
#include "tests/e2e/daemon_fixture.h"

namespace atalaya::testing {
namespace {

using ::testing::HasSubstr;

std::string ErrorCodeOf(const httplib::Result& res) {
  auto body = nlohmann::json::parse(res->body, nullptr, false);
  if (body.is_discarded() || !body.contains("error"))
    return "<not a JSON error: " + res->body + ">";
  return body["error"]["code"].get<std::string>();
}

class WebhookE2E : public DaemonFixture {};

TEST_F(WebhookE2E, HandshakeEchoesTheChallengeOnlyForTheRightToken) {
  ASSERT_TRUE(StartDaemon());
  auto ok = Get(std::string("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=") +
                kVerifyToken + "&hub.challenge=1158201444");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, "1158201444");

  auto wrong = Get("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 403);
  EXPECT_EQ(ErrorCodeOf(wrong), "permission_denied");

  auto bad_mode = Get(std::string("/webhooks/whatsapp?hub.mode=unsubscribe&hub.verify_token=") +
                      kVerifyToken + "&hub.challenge=1");
  ASSERT_TRUE(bad_mode);
  EXPECT_EQ(bad_mode->status, 403);
}

TEST_F(WebhookE2E, SignedDeliveryIsStoredAndNormalized) {
  ASSERT_TRUE(StartDaemon());
  auto res = PostSigned(WhatsAppText("wamid.E2E-1", "573001112233", "Hola, mi pedido no llegó 📦"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(StopDaemon(), 0);

  auto store = OpenStore();
  ASSERT_TRUE(store);
  auto listed = store->ListEvents({});
  ASSERT_TRUE(listed.ok());
  const std::vector<store::StoredEvent>& events = *listed;
  ASSERT_EQ(events.size(), 1u);
  const Event& e = events.front().event;
  EXPECT_EQ(e.kind, EventKind::kMessage);
  EXPECT_EQ(e.platform_id, "wamid.E2E-1");
  EXPECT_EQ(e.text, "Hola, mi pedido no llegó 📦");
  EXPECT_EQ(e.account_id, kPhoneNumberId);
  auto contact = store->FindContact(Channel::kWhatsApp, "573001112233");
  ASSERT_TRUE(contact.ok());
  ASSERT_TRUE(contact->has_value());
  EXPECT_EQ((*contact)->id, events.front().contact_id);
}

TEST_F(WebhookE2E, PreviousAppSecretIsStillAcceptedDuringRotation) {
  ASSERT_TRUE(StartDaemon());
  const std::string body = WhatsAppText("wamid.E2E-ROT", "573001112233", "rotación");
  auto res = PostWebhook(body, channels::SignMetaBody(body, kPreviousAppSecret));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(WebhookE2E, IdenticalAndRebatchedRetriesAreStoredOnce) {
  ASSERT_TRUE(StartDaemon());
  const std::string first = WhatsAppText("wamid.E2E-A", "573001112233", "primero");
  auto a = PostSigned(first);
  auto again = PostSigned(first);
  ASSERT_TRUE(a && again);
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(again->status, 200);
  EXPECT_THAT(again->body, HasSubstr("duplicate"));

  // Meta re-batches: the same message arrives again inside a different body with a new one.
  auto batch = nlohmann::json::parse(first);
  auto second = nlohmann::json::parse(WhatsAppText("wamid.E2E-B", "573001112233", "segundo"));
  batch["entry"].push_back(second["entry"][0]);
  auto rebatched = PostSigned(batch.dump());
  ASSERT_TRUE(rebatched);
  EXPECT_EQ(rebatched->status, 200);
  EXPECT_EQ(StopDaemon(), 0);

  auto events = StoredEvents();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event.platform_id, "wamid.E2E-A");
  EXPECT_EQ(events[1].event.platform_id, "wamid.E2E-B");
}

TEST_F(WebhookE2E, BadSignaturesGet401AndStoreNothing) {
  ASSERT_TRUE(StartDaemon());
  const std::string body = WhatsAppText("wamid.E2E-SIG", "573001112233", "firmado mal");
  const std::string good = channels::SignMetaBody(body, kAppSecret);
  const std::string hex = good.substr(7);
  const std::vector<std::string> bad = {
      "",                                                    // missing
      "sha1=" + hex.substr(0, 40),                           // old algorithm
      "sha256=" + hex.substr(0, 63),                         // wrong length
      "sha256=",                                             // empty
      "sha256=" + hex.substr(0, 30) + " " + hex.substr(31),  // whitespace inside
      channels::SignMetaBody(body, "not-the-secret"),        // wrong secret
  };
  for (const std::string& signature : bad) {
    auto res = PostWebhook(body, signature);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401) << "signature: " << signature;
    EXPECT_EQ(ErrorCodeOf(res), "unauthenticated") << "signature: " << signature;
  }
  EXPECT_EQ(Metric("atalaya_webhooks_total{route=\"whatsapp\",result=\"bad_signature\"}"), 6);
  EXPECT_EQ(StopDaemon(), 0);
  auto store = OpenStore();
  ASSERT_TRUE(store);
  auto inbox = store->GetInboxStats(0);
  ASSERT_TRUE(inbox.ok());
  EXPECT_EQ(inbox->total, 0);
}

TEST_F(WebhookE2E, MalformedBodiesGet400AndStoreNothing) {
  ASSERT_TRUE(StartDaemon());
  std::string deep = R"({"object":"whatsapp_business_account","entry":[)";
  for (int i = 0; i < 70; ++i) deep += "[";
  for (int i = 0; i < 70; ++i) deep += "]";
  deep += "]}";
  const std::vector<std::string> bodies = {
      "this is not json",
      R"(["entry"])",
      R"({"object":"whatsapp_business_account"})",
      R"({"object":"whatsapp_business_account","entry":{}})",
      deep,
      std::string(R"({"object":"whatsapp_business_account","entry":[],"x":")") + "\xC3\x28" + "\"}",
  };
  for (const std::string& body : bodies) {
    auto res = PostSigned(body);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << body.substr(0, 60);
    EXPECT_EQ(ErrorCodeOf(res), "invalid_argument") << body.substr(0, 60);
  }
  // Still serving after all of that.
  auto good = PostSigned(WhatsAppText("wamid.E2E-OK", "573001112233", "sigo aquí"));
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 200);
  EXPECT_EQ(StopDaemon(), 0);
  auto store = OpenStore();
  ASSERT_TRUE(store);
  auto inbox = store->GetInboxStats(0);
  ASSERT_TRUE(inbox.ok());
  EXPECT_EQ(inbox->total, 1);
}

TEST_F(WebhookE2E, OversizedBodyGets413WithAJsonError) {
  extra_server_yaml_ = "  max_body_bytes: 65536\n";
  ASSERT_TRUE(StartDaemon());
  std::string big = WhatsAppText("wamid.E2E-BIG", "573001112233", std::string(70000, 'a'));
  auto res = PostSigned(big);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(ErrorCodeOf(res), "payload_too_large");
  EXPECT_EQ(Metric("atalaya_webhooks_total{route=\"whatsapp\",result=\"too_large\"}"), 1);
  auto ok = PostSigned(WhatsAppText("wamid.E2E-SMALL", "573001112233", "corto"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(WebhookE2E, UnknownObjectAndGarbageChangesAreKeptAsUnsupported) {
  ASSERT_TRUE(StartDaemon());
  auto unknown = PostSigned(R"({"object":"telegram","entry":[{"id":"1","changes":[]}]})");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 200);

  auto batch = nlohmann::json::parse(WhatsAppText("wamid.E2E-GOOD", "573001112233", "bien"));
  batch["entry"][0]["changes"].push_back({{"field", "messages"}, {"value", "garbage"}});
  auto mixed = PostSigned(batch.dump());
  ASSERT_TRUE(mixed);
  EXPECT_EQ(mixed->status, 200);
  EXPECT_EQ(StopDaemon(), 0);

  auto store = OpenStore();
  ASSERT_TRUE(store);
  store::EventQuery unsupported;
  unsupported.kind = EventKind::kUnsupported;
  auto kept = store->ListEvents(unsupported);
  ASSERT_TRUE(kept.ok());
  ASSERT_EQ(kept->size(), 2u);
  for (const auto& e : *kept) EXPECT_FALSE(e.event.unsupported_reason.empty());
  store::EventQuery messages;
  messages.kind = EventKind::kMessage;
  auto good = store->ListEvents(messages);
  ASSERT_TRUE(good.ok());
  ASSERT_EQ(good->size(), 1u);
  EXPECT_EQ(good->front().event.text, "bien");
}

TEST_F(WebhookE2E, HostileTextIsStoredByteExact) {
  ASSERT_TRUE(StartDaemon());
  const std::vector<std::string> texts = {
      std::string("nul\0inside", 10),      "emoji 😡🔥👍🏽 y tildes ñáéíóú",
      "\u202Eטקסט מימין לשמאל\u202C عربى", "'; DROP TABLE events; --",
      "<script>alert(1)</script>",
  };
  for (size_t i = 0; i < texts.size(); ++i) {
    auto res =
        PostSigned(WhatsAppText("wamid.E2E-H" + std::to_string(i), "573001112233", texts[i]));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
  }
  EXPECT_EQ(StopDaemon(), 0);
  auto events = StoredEvents();
  ASSERT_EQ(events.size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) EXPECT_EQ(events[i].event.text, texts[i]);
}

}  // namespace
}  // namespace atalaya::testing
