#include "daemon/check_command.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "tests/unit/daemon/temp_dir.h"

namespace atalaya::daemon {
namespace {

TEST(CheckCommand, CleanConfigPrintsOkAndExitsZero) {
  testing::TempDir dir;
  std::string path = dir.Write("atalaya.yaml", "admin:\n  token: {env: TOKEN}\n");
  std::ostringstream out, err;
  EXPECT_EQ(RunCheckCommand(path, {"TOKEN=t"}, out, err), 0);
  EXPECT_EQ(out.str(), "config OK: " + path + "\n" + "no rule set at " + (dir / "rules") +
                           " (events are stored without decisions)\n");
  EXPECT_EQ(err.str(), "");
}

TEST(CheckCommand, ChecksTheSiteRulesToo) {
  testing::TempDir dir;
  std::string path = dir.Write("atalaya.yaml", "admin:\n  token: {env: TOKEN}\n");
  std::filesystem::create_directories(dir / "rules");
  dir.Write("rules/10_lists.yaml", "lists:\n  saludos: [hola\n");
  std::ostringstream out, err;
  EXPECT_EQ(RunCheckCommand(path, {"TOKEN=t"}, out, err), 1);
  EXPECT_NE(err.str().find("10_lists.yaml:3:1: YAML syntax error: end of sequence flow not found"),
            std::string::npos)
      << err.str();
}

TEST(CheckCommand, PrintsEveryErrorOnItsOwnLineAndExitsOne) {
  testing::TempDir dir;
  std::string path = dir.Write("atalaya.yaml",
                               "admin:\n  token: {env: TOKEN}\nserver:\n  thread: 4\n"
                               "store:\n  synchronous: sometimes\n");
  std::ostringstream out, err;
  EXPECT_EQ(RunCheckCommand(path, {"TOKEN=t", "ATALAYA_LOG__LEVL=debug"}, out, err), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(),
            path +
                ":4:3: unknown key \"thread\" in server; did you mean \"threads\"? Valid keys: "
                "listen, admin_listen, threads, max_body_bytes, read_timeout_ms, "
                "write_timeout_ms, keep_alive_max_count, keep_alive_timeout_ms, tls_cert_file, "
                "tls_key_file\n" +
                path +
                ":6:16: store.synchronous: must be one of full, normal; got \"sometimes\"\n" +
                "ATALAYA_LOG__LEVL: names no setting; did you mean ATALAYA_LOG__LEVEL?\n" + path +
                ": 3 errors\n");
}

TEST(CheckCommand, OneErrorIsSingular) {
  testing::TempDir dir;
  std::ostringstream out, err;
  EXPECT_EQ(RunCheckCommand(dir / "missing.yaml", {}, out, err), 1);
  EXPECT_EQ(err.str(), dir / "missing.yaml" +
                           ": cannot read the config file: No such file or directory\n" +
                           (dir / "missing.yaml") + ": 1 error\n");
}

TEST(CheckCommand, NeverPrintsSecretValues) {
  testing::TempDir dir;
  dir.Write("app", "app-secret-value\n");
  std::string path = dir.Write("atalaya.yaml",
                               "admin:\n  token: {env: TOKEN}\nchannels:\n  whatsapp:\n"
                               "    accounts:\n      - id: \"1\"\n        app_secret: {file: app}\n"
                               "        verify_token: inline-verify-value\n");
  std::ostringstream out, err;
  EXPECT_EQ(RunCheckCommand(path, {"TOKEN=admin-token-value"}, out, err), 1);
  std::string all = out.str() + err.str();
  EXPECT_NE(all.find("verify_token: write secrets as"), std::string::npos) << all;
  EXPECT_EQ(all.find("app-secret-value"), std::string::npos);
  EXPECT_EQ(all.find("inline-verify-value"), std::string::npos);
  EXPECT_EQ(all.find("admin-token-value"), std::string::npos);
}

}  // namespace
}  // namespace atalaya::daemon
