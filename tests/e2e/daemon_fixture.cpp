#include "tests/e2e/daemon_fixture.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "channels/meta_signature.h"
#include "channels/whatsapp_payload.h"

namespace atalaya::testing {
namespace {

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

}  // namespace

std::string WhatsAppText(const std::string& message_id, const std::string& from,
                         const std::string& text) {
  channels::SimulatedWhatsAppText m;
  m.phone_number_id = kPhoneNumberId;
  m.from = from;
  m.name = "Cliente Prueba";
  m.text = text;
  m.message_id = message_id;
  m.timestamp_s = 1'760'000'000;
  return channels::BuildWhatsAppTextWebhook(m);
}

void DaemonFixture::SetUp() {
  dir_ = MakeTempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
  ASSERT_FALSE(dir_.empty());
  state_dir_ = dir_ + "/state";
  config_path_ = dir_ + "/atalaya.yaml";
  WriteText(dir_ + "/app_secret", std::string(kAppSecret) + "\n");
  WriteText(dir_ + "/previous_app_secret", std::string(kPreviousAppSecret) + "\n");
  WriteText(dir_ + "/verify_token", std::string(kVerifyToken) + "\n");
  WriteText(dir_ + "/admin_token", "e2e-admin-token\n");
  WriteText(dir_ + "/whatsapp_token", "e2e-whatsapp-token\n");
}

void DaemonFixture::TearDown() {
  client_.reset();
  if (daemon_ && daemon_->running()) StopDaemon();
  if (HasFailure() && daemon_) {
    std::cerr << "---- daemon stderr ----\n" << daemon_->Stderr() << "----\n";
  }
}

bool DaemonFixture::StartDaemon(std::map<std::string, std::string> env) {
  std::ostringstream config;
  config << "server:\n"
         << "  listen: 127.0.0.1:0\n"
         << "  admin_listen: 127.0.0.1:0\n"
         << "  threads: 16\n"
         << extra_server_yaml_ << "store:\n"
         << "  state_dir: state\n"
         << "log:\n"
         << "  level: debug\n"
         << "admin:\n"
         << "  token: {file: admin_token}\n"
         << "channels:\n"
         << "  whatsapp:\n";
  if (!graph_base_url_.empty()) config << "    graph_base_url: " << graph_base_url_ << "\n";
  config << "    accounts:\n"
         << "      - id: \"" << kPhoneNumberId << "\"\n"
         << "        app_secret: {file: app_secret}\n"
         << "        previous_app_secret: {file: previous_app_secret}\n"
         << "        verify_token: {file: verify_token}\n"
         << "        access_token: {file: whatsapp_token}\n"
         << extra_channels_yaml_;
  WriteText(config_path_, config.str());
  std::filesystem::remove(dir_ + "/port");
  std::filesystem::remove(dir_ + "/admin_port");
  daemon_ = std::make_unique<DaemonProcess>(
      ATALAYA_BINARY,
      std::vector<std::string>{"serve", "--config", config_path_, "--port-file", dir_ + "/port",
                               "--admin-port-file", dir_ + "/admin_port"},
      std::move(env), dir_);
  if (!daemon_->Start()) return false;
  port_ = daemon_->WaitForPortFile(dir_ + "/port");
  admin_port_ = daemon_->WaitForPortFile(dir_ + "/admin_port");
  if (port_ == 0 || admin_port_ == 0) return false;
  client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
  client_->set_tcp_nodelay(true);
  client_->set_read_timeout(std::chrono::seconds(20));
  return true;
}

int DaemonFixture::StopDaemon() {
  client_.reset();
  daemon_->Signal(SIGTERM);
  return daemon_->Wait(60000);
}

httplib::Result DaemonFixture::PostWebhook(const std::string& body, const std::string& signature,
                                           const std::string& route) {
  httplib::Headers headers;
  if (!signature.empty()) headers.emplace("X-Hub-Signature-256", signature);
  return client_->Post("/webhooks/" + route, headers, body, "application/json");
}

httplib::Result DaemonFixture::PostSigned(const std::string& body, const std::string& route) {
  return PostWebhook(body, channels::SignMetaBody(body, kAppSecret), route);
}

httplib::Result DaemonFixture::Get(const std::string& path_and_query) {
  return client_->Get(path_and_query);
}

httplib::Result DaemonFixture::AdminGet(const std::string& path) {
  httplib::Client admin("127.0.0.1", admin_port_);
  return admin.Get(path);
}

double DaemonFixture::Metric(const std::string& series) {
  auto res = AdminGet("/metrics");
  if (!res || res->status != 200) return -1;
  std::istringstream lines(res->body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

std::vector<store::StoredEvent> DaemonFixture::StoredEvents() {
  auto store = OpenStore();
  if (!store) return {};
  store::EventQuery all;
  all.limit = 100000;
  auto events = store->ListEvents(all);
  if (!events.ok()) {
    ADD_FAILURE() << events.status().ToString();
    return {};
  }
  return std::move(events).value();
}

void DaemonFixture::WaitForIngest() {
  for (int i = 0; i < 500 && Metric("atalaya_inbox_backlog") != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(Metric("atalaya_inbox_backlog"), 0) << "the ingest worker did not catch up";
}

std::string DaemonFixture::WaitForLog(const std::string& text) {
  for (int i = 0; i < 250 && Logs().find(text) == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Logs();
}

std::unique_ptr<store::Store> DaemonFixture::OpenStore() {
  store::SqliteOptions options;
  options.path = state_dir_ + "/atalaya.db";
  auto opened = store::OpenSqliteStore(options);
  if (!opened.ok()) {
    ADD_FAILURE() << opened.status().ToString();
    return nullptr;
  }
  return std::move(opened).value();
}

}  // namespace atalaya::testing
