#pragma once
// DaemonFixture: everything an end-to-end test needs around one real `atalaya serve`: a temp
// directory with a config and secret files, the process on port 0, a keep-alive HTTP client,
// signed WhatsApp deliveries, and a way to read what the daemon stored (by opening the same
// SQLite file once the daemon has stopped).

#include <gtest/gtest.h>
#include <httplib.h>

#include <map>
#include <memory>
#include <string>

#include "store/store.h"
#include "tests/support/daemon_process.h"

namespace atalaya::testing {

inline constexpr const char* kAppSecret = "e2e-app-secret-3f9a";
inline constexpr const char* kPreviousAppSecret = "e2e-previous-secret-77c1";
inline constexpr const char* kVerifyToken = "e2e-verify-token-0b2d";
inline constexpr const char* kPhoneNumberId = "109876543210001";

class DaemonFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Writes the config (extra YAML lines are appended under `server:`), then starts the
  // daemon and waits for its ports. Returns false when it did not come up.
  bool StartDaemon(std::map<std::string, std::string> env = {});
  // SIGTERM and wait; returns the exit status.
  int StopDaemon();
  void Kill9() { daemon_->Kill9(); }

  httplib::Result PostWebhook(const std::string& body, const std::string& signature,
                              const std::string& route = "whatsapp");
  httplib::Result PostSigned(const std::string& body, const std::string& route = "whatsapp");
  httplib::Result Get(const std::string& path_and_query);
  httplib::Result AdminGet(const std::string& path);
  // The value of one unlabelled metric (or labelled, written exactly as in the output).
  double Metric(const std::string& series);

  // Opens the daemon's database (after StopDaemon/Kill9, or read-only use while it serves).
  std::unique_ptr<store::Store> OpenStore();
  // Every stored event, in order (opens the database as OpenStore does).
  std::vector<store::StoredEvent> StoredEvents();
  // Waits until the ingest worker has normalized everything acknowledged so far.
  void WaitForIngest();
  std::string Logs() const { return daemon_ ? daemon_->Stderr() + daemon_->Stdout() : ""; }
  // Waits (up to a few seconds) until the logs hold `text`; the logs, for the assertion.
  std::string WaitForLog(const std::string& text);

  std::string dir_;  // the test's temp directory
  std::string state_dir_;
  std::string config_path_;
  std::string extra_server_yaml_;
  std::string graph_base_url_;       // when set, every channel's Graph API base URL
  std::string extra_channels_yaml_;  // more channels, appended under `channels:`
  int port_ = 0;
  int admin_port_ = 0;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<httplib::Client> client_;
};

// A realistic inbound WhatsApp text body with a unique message id.
std::string WhatsAppText(const std::string& message_id, const std::string& from,
                         const std::string& text);

}  // namespace atalaya::testing
