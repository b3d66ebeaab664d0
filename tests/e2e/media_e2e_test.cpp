// Media downloads end to end with the real binary: a WhatsApp image webhook → the file in
// the state directory with the right bytes, served by the admin API; a Messenger attachment
// URL → stored; an oversized file → the message kept and the download failed with its
// reason; downloads pending at a stop are taken up after the restart.

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/crypto.h"
#include "tests/e2e/daemon_fixture.h"
#include "tests/fakes/fake_graph_server.h"

namespace atalaya::testing {
namespace {

using Json = nlohmann::json;

constexpr const char* kPageId = "112233445566778";
constexpr const char* kAdminToken = "e2e-admin-token";

std::string Blob(size_t size, unsigned seed) {
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<char>((i * 13 + seed) % 256);
  return out;
}

std::string WhatsAppImage(const std::string& message_id, const std::string& media_id,
                          const std::string& bytes) {
  Json image = {{"id", media_id},
                {"mime_type", "image/jpeg"},
                {"sha256", HexEncode(Sha256(bytes))},
                {"caption", "la factura"}};
  Json message = {{"from", "15551234567"},
                  {"id", message_id},
                  {"timestamp", "1760000000"},
                  {"type", "image"},
                  {"image", image}};
  Json value = {
      {"messaging_product", "whatsapp"},
      {"metadata", {{"display_phone_number", "15550001111"}, {"phone_number_id", kPhoneNumberId}}},
      {"contacts", Json::array({{{"profile", {{"name", "Ana"}}}, {"wa_id", "15551234567"}}})},
      {"messages", Json::array({message})}};
  Json change = {{"field", "messages"}, {"value", value}};
  Json entry = {{"id", "WABA_1"}, {"changes", Json::array({change})}};
  Json body = {{"object", "whatsapp_business_account"}, {"entry", Json::array({entry})}};
  return body.dump();
}

std::string MessengerAttachment(const std::string& mid, const std::string& kind,
                                const std::string& url) {
  Json attachment = {{"type", kind}, {"payload", {{"url", url}}}};
  Json message = {{"mid", mid}, {"attachments", Json::array({attachment})}};
  Json messaging = {{"sender", {{"id", "6543219876543210"}}},
                    {"recipient", {{"id", kPageId}}},
                    {"timestamp", 1764283896000},
                    {"message", message}};
  Json entry = {{"id", kPageId}, {"time", 1764283896500}, {"messaging", Json::array({messaging})}};
  Json body = {{"object", "page"}, {"entry", Json::array({entry})}};
  return body.dump();
}

class MediaE2E : public DaemonFixture {
 protected:
  void SetUp() override {
    DaemonFixture::SetUp();
    graph_base_url_ = graph_.base_url();
    std::ofstream(dir_ + "/page_token") << "page-token-e2e\n";
    extra_channels_yaml_ = std::string("  messenger:\n") +
                           "    graph_base_url: " + graph_base_url_ + "\n" + "    accounts:\n" +
                           "      - id: \"" + kPageId + "\"\n" +
                           "        app_secret: {file: app_secret}\n" +
                           "        verify_token: {file: verify_token}\n" +
                           "        access_token: {file: page_token}\n";
  }

  httplib::Result Media(int64_t event_id, int position, const std::string& token = kAdminToken) {
    httplib::Client admin("127.0.0.1", admin_port_);
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return admin.Get("/api/v1/media/" + std::to_string(event_id) + "/" + std::to_string(position),
                     headers);
  }

  // Polls the API until the download is no longer pending; returns the last answer's status.
  int WaitSettled(int64_t event_id, int position) {
    int status = 0;
    for (int i = 0; i < 500; ++i) {
      auto res = Media(event_id, position);
      status = res ? res->status : 0;
      if (status != 409) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return status;
  }

  // The id of the one stored event (after WaitForIngest).
  int64_t OnlyEventId() {
    auto events = StoredEvents();
    EXPECT_EQ(events.size(), 1u);
    return events.empty() ? 0 : events.front().id;
  }

  fakes::FakeGraphServer graph_;
};

TEST_F(MediaE2E, WhatsAppImageIsStoredOnDiskAndServedByTheApi) {
  const std::string jpeg = Blob(20000, 1);
  graph_.AddWhatsAppMedia("MEDIA_E2E_1", jpeg, "image/jpeg");
  ASSERT_TRUE(StartDaemon());
  auto res = PostSigned(WhatsAppImage("wamid.IMG1", "MEDIA_E2E_1", jpeg));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  WaitForIngest();
  const int64_t id = OnlyEventId();

  ASSERT_EQ(WaitSettled(id, 0), 200);
  auto served = Media(id, 0);
  ASSERT_TRUE(served);
  EXPECT_EQ(served->body, jpeg);
  EXPECT_EQ(served->get_header_value("Content-Type"), "image/jpeg");
  EXPECT_EQ(served->get_header_value("X-Content-Type-Options"), "nosniff");

  const std::string file = state_dir_ + "/media/" + HexEncode(Sha256(jpeg)) + ".jpg";
  EXPECT_EQ(ReadFile(file), jpeg) << "named by its hash, in the state directory";
  EXPECT_EQ(Metric("atalaya_media_downloaded_total"), 1);
  EXPECT_EQ(Metric("atalaya_media_downloaded_bytes_total"), 20000);

  // The WhatsApp token went to Graph and to the media URL, and nowhere into the logs.
  const auto requests = graph_.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].Header("authorization"), "Bearer e2e-whatsapp-token");
  EXPECT_EQ(StopDaemon(), 0);
  EXPECT_EQ(Logs().find("e2e-whatsapp-token"), std::string::npos);
  EXPECT_EQ(Logs().find("FAKEsig"), std::string::npos);
}

TEST_F(MediaE2E, ExpiredMessengerUrlFailsAndAMissingFileIsNamed) {
  graph_.Enqueue("v/old.jpg", fakes::FakeGraphServer::Bytes(404, "expired", "text/plain"));
  ASSERT_TRUE(StartDaemon());
  auto res =
      PostSigned(MessengerAttachment("m_OLD_E2E", "image", graph_.FileUrl("v/old.jpg")), "meta");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  WaitForIngest();
  const int64_t id = OnlyEventId();

  ASSERT_EQ(WaitSettled(id, 0), 410);
  auto failed = Media(id, 0);
  ASSERT_TRUE(failed);
  const Json error = Json::parse(failed->body)["error"];
  EXPECT_EQ(error["reason"], "expired");
  EXPECT_EQ(error["message"], "media " + std::to_string(id) +
                                  "/0 could not be downloaded: the media URL answered HTTP 404 "
                                  "(expired or removed)");
  EXPECT_EQ(error["attempts"], 1) << "an expired URL is not retried";
  EXPECT_EQ(Metric("atalaya_media_failed_total{reason=\"expired\"}"), 1);
}

TEST_F(MediaE2E, StoredFileDeletedFromDiskIsAClearServerError) {
  const std::string png = Blob(700, 6);
  graph_.AddFile("v/p.png", png, "image/png");
  ASSERT_TRUE(StartDaemon());
  ASSERT_EQ(PostSigned(MessengerAttachment("m_P_E2E", "image", graph_.FileUrl("v/p.png")), "meta")
                ->status,
            200);
  WaitForIngest();
  const int64_t id = OnlyEventId();
  ASSERT_EQ(WaitSettled(id, 0), 200);

  std::filesystem::remove(state_dir_ + "/media/" + HexEncode(Sha256(png)) + ".png");
  auto gone = Media(id, 0);
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 500);
  EXPECT_EQ(Json::parse(gone->body)["error"]["message"],
            "media " + std::to_string(id) + "/0 was stored, but its file is missing");
}

TEST_F(MediaE2E, ApiRefusesWithoutTheTokenAndNamesUnknownMedia) {
  ASSERT_TRUE(StartDaemon());
  auto no_token = Media(1, 0, "");
  ASSERT_TRUE(no_token);
  EXPECT_EQ(no_token->status, 401);
  auto wrong = Media(1, 0, "not-the-token");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);

  auto unknown = Media(999, 0);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(unknown->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(
      Json::parse(unknown->body),
      Json::parse(R"j({"error":{"code":"not_found",)j"
                  R"j("message":"media 999/0 not found (no such attachment to download)"}})j"));
}

TEST_F(MediaE2E, MessengerAttachmentUrlIsStoredWithoutSendingTheToken) {
  const std::string pdf = Blob(3000, 2);
  graph_.AddFile("v/factura.pdf", pdf, "application/pdf");
  ASSERT_TRUE(StartDaemon());
  auto res =
      PostSigned(MessengerAttachment("m_ATT_E2E", "file", graph_.FileUrl("v/factura.pdf")), "meta");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  WaitForIngest();
  const int64_t id = OnlyEventId();

  ASSERT_EQ(WaitSettled(id, 0), 200);
  auto served = Media(id, 0);
  ASSERT_TRUE(served);
  EXPECT_EQ(served->body, pdf);
  EXPECT_EQ(served->get_header_value("Content-Type"), "application/pdf");
  ASSERT_EQ(graph_.RequestCount(), 1u);
  EXPECT_EQ(graph_.Requests()[0].Header("authorization"), "");
}

TEST_F(MediaE2E, OversizedFileFailsWithItsReasonAndTheMessageIsKept) {
  graph_.AddWhatsAppMedia("MEDIA_BIG", Blob(5000, 3), "image/jpeg");
  ASSERT_TRUE(StartDaemon({{"ATALAYA_MEDIA__MAX_BYTES", "2048"}}));
  auto res = PostSigned(WhatsAppImage("wamid.BIG", "MEDIA_BIG", Blob(5000, 3)));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  WaitForIngest();
  const int64_t id = OnlyEventId();

  ASSERT_EQ(WaitSettled(id, 0), 410);
  auto failed = Media(id, 0);
  ASSERT_TRUE(failed);
  const Json error = Json::parse(failed->body)["error"];
  EXPECT_EQ(error["code"], "media_failed");
  EXPECT_EQ(error["reason"], "too_large");
  EXPECT_EQ(error["message"], "media " + std::to_string(id) +
                                  "/0 could not be downloaded: WhatsApp declares 5000 bytes; "
                                  "the cap is 2048");
  EXPECT_EQ(Metric("atalaya_media_failed_total{reason=\"too_large\"}"), 1);
  EXPECT_EQ(StopDaemon(), 0);

  auto events = StoredEvents();
  ASSERT_EQ(events.size(), 1u) << "the message is kept";
  EXPECT_EQ(events[0].event.text, "la factura");
  EXPECT_TRUE(std::filesystem::is_empty(state_dir_ + "/media"));
}

TEST_F(MediaE2E, DownloadsPendingAtAStopAreTakenUpAfterTheRestart) {
  const std::string jpeg = Blob(4000, 4);
  graph_.AddWhatsAppMedia("MEDIA_LATER", jpeg, "image/jpeg");
  ASSERT_TRUE(StartDaemon({{"ATALAYA_MEDIA__ENABLED", "false"}}));
  auto res = PostSigned(WhatsAppImage("wamid.LATER", "MEDIA_LATER", jpeg));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  WaitForIngest();
  const int64_t id = OnlyEventId();
  auto pending = Media(id, 0);
  ASSERT_TRUE(pending);
  EXPECT_EQ(pending->status, 409);
  EXPECT_EQ(Json::parse(pending->body)["error"]["code"], "media_pending");
  EXPECT_EQ(StopDaemon(), 0);
  EXPECT_EQ(graph_.RequestCount(), 0u);

  ASSERT_TRUE(StartDaemon());
  ASSERT_EQ(WaitSettled(id, 0), 200);
  auto served = Media(id, 0);
  ASSERT_TRUE(served);
  EXPECT_EQ(served->body, jpeg);
}

}  // namespace
}  // namespace atalaya::testing
