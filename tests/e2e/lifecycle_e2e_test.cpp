// The daemon as an operator runs it: systemd notifications, one instance per state
// directory, reloads that refuse a broken config, the CLI tools against a running daemon,
// and logs that never carry personal data or secrets.

#include <SQLiteCpp/SQLiteCpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "channels/meta_signature.h"
#include "store/store.h"
#include "tests/e2e/daemon_fixture.h"
#include "tests/support/notify_socket.h"

namespace atalaya::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class LifecycleE2E : public DaemonFixture {
 protected:
  int RunTool(const std::vector<std::string>& args, std::string* output) {
    std::string log_dir = MakeTempDir("tool");
    DaemonProcess tool(ATALAYA_BINARY, args, {}, log_dir);
    if (!tool.Start()) return -1;
    int status = tool.Wait(30000);
    *output = tool.Stdout() + tool.Stderr();
    return status;
  }
};

TEST_F(LifecycleE2E, TellsSystemdReadyWatchdogAndStopping) {
  FakeNotifySocket notify(dir_ + "/notify.sock");
  ASSERT_TRUE(notify.ok());
  ASSERT_TRUE(StartDaemon({{"NOTIFY_SOCKET", notify.path()}, {"WATCHDOG_USEC", "2000000"}}));
  EXPECT_TRUE(notify.WaitFor("READY=1", 5000));
  EXPECT_TRUE(notify.WaitFor("WATCHDOG=1", 5000));
  EXPECT_EQ(StopDaemon(), 0);
  EXPECT_TRUE(notify.WaitFor("STOPPING=1", 2000));
}

TEST_F(LifecycleE2E, WatchdogStopsWhileTheWriterIsStalled) {
  FakeNotifySocket notify(dir_ + "/notify.sock");
  ASSERT_TRUE(notify.ok());
  ASSERT_TRUE(StartDaemon({{"NOTIFY_SOCKET", notify.path()},
                           {"WATCHDOG_USEC", "1000000"},
                           {"ATALAYA_STORE__COMMIT_TIMEOUT_MS", "200"}}));
  ASSERT_TRUE(notify.WaitFor("WATCHDOG=1", 5000));
  SQLite::Database blocker(state_dir_ + "/atalaya.db", SQLite::OPEN_READWRITE);
  blocker.setBusyTimeout(5000);  // the daemon may be mid-commit
  blocker.exec("BEGIN IMMEDIATE");
  auto stalled = PostSigned(WhatsAppText("wamid.WD-1", "573001112233", "atascado"));
  ASSERT_TRUE(stalled);
  EXPECT_EQ(stalled->status, 503);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  size_t pings_before = 0;
  for (const auto& m : notify.Messages()) pings_before += m.find("WATCHDOG=1") != std::string::npos;
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  size_t pings_after = 0;
  for (const auto& m : notify.Messages()) pings_after += m.find("WATCHDOG=1") != std::string::npos;
  EXPECT_EQ(pings_after, pings_before) << "watchdog pinged while the writer was stalled";
  blocker.exec("ROLLBACK");
}

TEST_F(LifecycleE2E, SecondInstanceOnTheSameStateDirectoryRefusesToStart) {
  ASSERT_TRUE(StartDaemon());
  std::string output;
  int status = RunTool({"serve", "--config", config_path_, "--listen", "127.0.0.1:0"}, &output);
  EXPECT_EQ(status, 1);
  EXPECT_THAT(output, HasSubstr("already serving state directory"));
  // The first one is untouched.
  auto res = PostSigned(WhatsAppText("wamid.LOCK-1", "573001112233", "sigo"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(LifecycleE2E, ConfigErrorsStopTheStartWithExitStatus2) {
  std::ofstream(config_path_) << "server:\n  listne: 127.0.0.1:0\n";
  std::string output;
  int status = RunTool({"serve", "--config", config_path_}, &output);
  EXPECT_EQ(status, 2);
  EXPECT_THAT(output, HasSubstr("atalaya.yaml:2:3:"));
  EXPECT_THAT(output, HasSubstr("listen"));
}

TEST_F(LifecycleE2E, SighupRotatesSecretsAndRefusesABrokenConfig) {
  ASSERT_TRUE(StartDaemon());
  // Rotate: the new secret becomes current, the old one previous.
  std::ofstream(dir_ + "/app_secret") << "rotated-secret-2026\n";
  std::ofstream(dir_ + "/previous_app_secret") << kAppSecret << "\n";
  daemon_->Signal(SIGHUP);
  const std::string body = WhatsAppText("wamid.HUP-1", "573001112233", "nuevo secreto");
  int status = 0;
  for (int i = 0; i < 50 && status != 200; ++i) {
    auto res = PostWebhook(body, channels::SignMetaBody(body, "rotated-secret-2026"));
    status = res ? res->status : -1;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(status, 200);

  // A broken config is refused and the running one keeps serving.
  const std::string good_config = ReadFile(config_path_);
  std::ofstream(config_path_) << good_config << "bogus_key: 1\n";
  daemon_->Signal(SIGHUP);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_TRUE(daemon_->running());
  EXPECT_THAT(Logs(), HasSubstr("reload refused"));
  const std::string later = WhatsAppText("wamid.HUP-2", "573001112233", "después");
  auto still = PostWebhook(later, channels::SignMetaBody(later, "rotated-secret-2026"));
  ASSERT_TRUE(still);
  EXPECT_EQ(still->status, 200);
}

// The store is opened at start: a changed store setting is reported, not silently dropped.
TEST_F(LifecycleE2E, SighupReportsAChangedStoreSettingAsNeedingARestart) {
  ASSERT_TRUE(StartDaemon());
  std::string config = ReadFile(config_path_);
  const std::string state_line = "  state_dir: state\n";
  ASSERT_NE(config.find(state_line), std::string::npos);
  config.replace(config.find(state_line), state_line.size(),
                 state_line + "  synchronous: normal\n");
  std::ofstream(config_path_, std::ios::trunc) << config;
  daemon_->Signal(SIGHUP);
  const std::string restart_note = "\"setting\":\"store\"";  // logged after the reload
  EXPECT_THAT(WaitForLog(restart_note), HasSubstr(restart_note));
  EXPECT_TRUE(daemon_->running());
}

TEST_F(LifecycleE2E, SimulateAndBackupWorkAgainstARunningDaemon) {
  ASSERT_TRUE(StartDaemon());
  std::string output;
  int status = RunTool(
      {"simulate", "whatsapp", "--url",
       "http://127.0.0.1:" + std::to_string(port_) + "/webhooks/whatsapp", "--app-secret-file",
       dir_ + "/app_secret", "--from", "573001112233", "--text", "hola desde simulate"},
      &output);
  EXPECT_EQ(status, 0) << output;
  EXPECT_THAT(output, HasSubstr("200"));

  // Wait for the ingest worker, then back up while serving.
  WaitForIngest();
  const std::string backup = dir_ + "/backup.db";
  status = RunTool({"backup", backup, "--state-dir", state_dir_}, &output);
  EXPECT_EQ(status, 0) << output;
  status = RunTool({"backup", backup, "--state-dir", state_dir_}, &output);
  EXPECT_EQ(status, 1) << "an existing backup file must not be overwritten";

  store::SqliteOptions options;
  options.path = backup;
  auto copy = store::OpenSqliteStore(options);
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  auto events = (*copy)->ListEvents({});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->front().event.text, "hola desde simulate");
}

TEST_F(LifecycleE2E, LogsNeverCarryPhonesTokensOrMessageTexts) {
  ASSERT_TRUE(StartDaemon());
  auto res = PostSigned(WhatsAppText("wamid.PRIV-1", "573009998877", "mi cédula es 1020304050"));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  auto bad =
      PostWebhook(WhatsAppText("wamid.PRIV-2", "573009998877", "texto secreto"), "sha256=00");
  ASSERT_TRUE(bad);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(StopDaemon(), 0);
  const std::string logs = Logs();
  EXPECT_THAT(logs, HasSubstr("serving"));  // the log is not empty: the grep means something
  for (const char* secret : {"573009998877", "1020304050", "mi cédula", "texto secreto", kAppSecret,
                             kVerifyToken, "e2e-admin-token"}) {
    EXPECT_THAT(logs, Not(HasSubstr(secret))) << "log leaks " << secret;
  }
}

}  // namespace
}  // namespace atalaya::testing
