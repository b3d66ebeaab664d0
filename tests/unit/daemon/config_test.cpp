#include "daemon/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "tests/unit/daemon/temp_dir.h"

namespace atalaya::daemon {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::vector<std::string> Messages(const ConfigLoad& load) {
  std::vector<std::string> out;
  for (const ConfigError& e : load.errors) out.push_back(e.ToString());
  return out;
}

// The smallest config that loads: the admin token is the one required secret outside lists.
constexpr char kAdmin[] = "admin:\n  token: {env: ADMIN_TOKEN}\n";
const std::vector<std::string> kEnv = {"ADMIN_TOKEN=admin-t0ken", "HOME=/root"};

class ConfigTest : public ::testing::Test {
 protected:
  ConfigLoad Load(const std::string& yaml, std::vector<std::string> env = kEnv,
                  std::map<std::string, std::string> flags = {}) {
    path_ = dir_.Write("etc/atalaya.yaml", yaml);
    return LoadConfig(path_, env, flags);
  }
  std::string Err(int line, int column, const std::string& message) const {
    return path_ + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
  }

  testing::TempDir dir_;
  std::string path_;
};

TEST_F(ConfigTest, EmptySettingsKeepTheDefaults) {
  ConfigLoad load = Load(kAdmin);
  ASSERT_THAT(Messages(load), IsEmpty());
  const Config& c = load.config;
  EXPECT_EQ(c.server.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.server.admin_listen, "127.0.0.1:9090");
  EXPECT_EQ(c.server.threads, 64);
  EXPECT_EQ(c.server.max_body_bytes, 8 * 1024 * 1024);
  EXPECT_EQ(c.store.state_dir, "/var/lib/atalaya");
  EXPECT_EQ(c.store.synchronous, "full");
  EXPECT_EQ(c.retention.dedup_key_days, 8);
  EXPECT_EQ(c.log.level, "info");
  EXPECT_EQ(c.admin.token, "admin-t0ken");
  EXPECT_EQ(c.source_path, dir_ / "etc/atalaya.yaml");
  EXPECT_EQ(c.site_dir, dir_ / "etc");
  EXPECT_TRUE(c.whatsapp.accounts.empty());
  EXPECT_EQ(c.whatsapp.graph_base_url, "https://graph.facebook.com");
}

TEST_F(ConfigTest, ReadsEverySection) {
  dir_.Write("etc/secrets/app", "s3cret-app\n");
  ConfigLoad load = Load(std::string(kAdmin) + R"(
server:
  listen: "[::1]:0"
  threads: 8
  max_body_bytes: 1048576
store:
  synchronous: normal
log:
  level: debug
channels:
  whatsapp:
    graph_base_url: http://127.0.0.1:7001
    api_version: v22.0
    accounts:
      - id: "100000000000001"
        app_secret: {file: secrets/app}
        previous_app_secret: ""
        verify_token: {env: VERIFY}
)",
                         {"ADMIN_TOKEN=a", "VERIFY=v3rify"});
  ASSERT_THAT(Messages(load), IsEmpty());
  const Config& c = load.config;
  EXPECT_EQ(c.server.listen, "[::1]:0");
  EXPECT_EQ(c.server.threads, 8);
  EXPECT_EQ(c.server.max_body_bytes, 1048576);
  EXPECT_EQ(c.store.synchronous, "normal");
  EXPECT_EQ(c.log.level, "debug");
  EXPECT_EQ(c.whatsapp.graph_base_url, "http://127.0.0.1:7001");
  EXPECT_EQ(c.whatsapp.api_version, "v22.0");
  ASSERT_EQ(c.whatsapp.accounts.size(), 1u);
  EXPECT_EQ(c.whatsapp.accounts[0].id, "100000000000001");
  EXPECT_EQ(c.whatsapp.accounts[0].app_secret, "s3cret-app");  // trailing newline stripped
  EXPECT_EQ(c.whatsapp.accounts[0].previous_app_secret, "");
  EXPECT_EQ(c.whatsapp.accounts[0].verify_token, "v3rify");
  EXPECT_EQ(c.whatsapp.accounts[0].access_token, "");
}

TEST_F(ConfigTest, UnknownKeyNamesTheNearestAndTheValidKeys) {
  ConfigLoad load = Load(std::string(kAdmin) + "store:\n  synchronus: full\n");
  EXPECT_THAT(Messages(load),
              ElementsAre(Err(4, 3,
                              "unknown key \"synchronus\" in store; did you mean \"synchronous\"? "
                              "Valid keys: state_dir, synchronous, max_waiting_writes, "
                              "commit_timeout_ms, max_pending_keys")));
}

TEST_F(ConfigTest, MediaSettingsLoadAndAreChecked) {
  ConfigLoad defaults = Load(kAdmin);
  ASSERT_THAT(Messages(defaults), IsEmpty());
  EXPECT_EQ(defaults.config.media.enabled, "true");
  EXPECT_EQ(defaults.config.media.max_bytes, 100 * 1024 * 1024);
  EXPECT_EQ(defaults.config.media.concurrency, 2);
  EXPECT_EQ(defaults.config.media.max_attempts, 8);

  ConfigLoad set = Load(std::string(kAdmin) +
                        "media:\n  enabled: false\n  max_bytes: 5000000\n  concurrency: 4\n");
  ASSERT_THAT(Messages(set), IsEmpty());
  EXPECT_EQ(set.config.media.enabled, "false");
  EXPECT_EQ(set.config.media.max_bytes, 5'000'000);
  EXPECT_EQ(set.config.media.concurrency, 4);

  ConfigLoad bad = Load(std::string(kAdmin) + "media:\n  enabled: maybe\n  concurrency: 0\n");
  EXPECT_THAT(Messages(bad),
              ElementsAre(Err(4, 12, "media.enabled: must be one of true, false; got \"maybe\""),
                          Err(5, 16, "media.concurrency: must be from 1 to 16, got 0")));
}

TEST_F(ConfigTest, UnknownTopLevelKeyFarFromAnyGetsNoGuess) {
  ConfigLoad load = Load(std::string(kAdmin) + "database: sqlite\n");
  EXPECT_THAT(
      Messages(load),
      ElementsAre(Err(3, 1,
                      "unknown key \"database\". Valid keys: server, store, retention, media, "
                      "log, admin, site_dir, outbound, channels")));
}

TEST_F(ConfigTest, UnknownKeyInsideAnAccount) {
  ConfigLoad load = Load(std::string(kAdmin) + R"(channels:
  whatsapp:
    accounts:
      - id: "1"
        app_secret: {env: ADMIN_TOKEN}
        verify_tokn: {env: ADMIN_TOKEN}
)");
  EXPECT_THAT(Messages(load),
              ElementsAre(Err(8, 9,
                              "unknown key \"verify_tokn\" in channels.whatsapp.accounts[0]; did "
                              "you mean \"verify_token\"? Valid keys: id, app_secret, "
                              "previous_app_secret, verify_token, access_token, "
                              "reengagement_template"),
                          Err(6, 9,
                              "channels.whatsapp.accounts[0]: missing verify_token (every "
                              "account needs id, app_secret and verify_token)")));
}

TEST_F(ConfigTest, WrongTypes) {
  ConfigLoad load = Load(std::string(kAdmin) + R"(server:
  threads: many
  listen: [127.0.0.1, 8080]
store: full
channels:
  whatsapp:
    accounts: {id: "1"}
)");
  EXPECT_THAT(
      Messages(load),
      ElementsAre(Err(4, 12,
                      "server.threads: expected an integer from 1 to 1024, got "
                      "\"many\""),
                  Err(5, 11, "server.listen: expected a string, got a list"),
                  Err(6, 8, "store: expected a mapping, got a single value"),
                  Err(9, 15, "channels.whatsapp.accounts: expected a list, got a mapping")));
}

TEST_F(ConfigTest, OutOfRangeNumbers) {
  ConfigLoad load = Load(std::string(kAdmin) + R"(server:
  threads: 0
  max_body_bytes: 99999999999999999999
retention:
  dedup_key_days: 7
)");
  EXPECT_THAT(Messages(load),
              ElementsAre(Err(4, 12, "server.threads: must be from 1 to 1024, got 0"),
                          Err(5, 19,
                              "server.max_body_bytes: must be from 1024 to 1073741824, got "
                              "99999999999999999999"),
                          Err(7, 19, "retention.dedup_key_days: must be from 8 to 3650, got 7")));
}

TEST_F(ConfigTest, BadEnumValues) {
  ConfigLoad load = Load(std::string(kAdmin) + "store:\n  synchronous: off\nlog:\n  level: inf\n");
  EXPECT_THAT(Messages(load),
              ElementsAre(Err(4, 16, "store.synchronous: must be one of full, normal; got \"off\""),
                          Err(6, 10,
                              "log.level: must be one of debug, info, warn, error; got \"inf\" "
                              "(did you mean info?)")));
}

TEST_F(ConfigTest, BadListenAddresses) {
  for (const char* bad : {"localhost", "127.0.0.1:", ":8080", "127.0.0.1:65536", "1.2.3.4:-1",
                          "::1:80", "127.0.0.1:80x", "[::1:80"}) {
    ConfigLoad load = Load(std::string(kAdmin) + "server:\n  admin_listen: \"" + bad + "\"\n");
    EXPECT_THAT(Messages(load),
                ElementsAre(Err(4, 17,
                                "server.admin_listen: expected HOST:PORT with a port from 0 to "
                                "65535 (e.g. 127.0.0.1:8080), got \"" +
                                    std::string(bad) + "\"")))
        << bad;
  }
}

TEST(ParseListenAddress, AcceptsHostsPortsAndBracketedIpv6) {
  auto v4 = ParseListenAddress("0.0.0.0:0");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "0.0.0.0");
  EXPECT_EQ(v4->port, 0);
  auto v6 = ParseListenAddress("[::1]:65535");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 65535);
  auto name = ParseListenAddress("atalaya.internal:8080");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->host, "atalaya.internal");
}

TEST_F(ConfigTest, YamlSyntaxErrorCarriesItsPosition) {
  ConfigLoad load = Load(std::string(kAdmin) + "server:\n  listen: localhost: 8080\n");
  ASSERT_EQ(load.errors.size(), 1u);  // nothing else: the rest of the file is unknown
  EXPECT_EQ(load.errors[0].line, 4);
  EXPECT_EQ(load.errors[0].column, 20);
  EXPECT_EQ(load.errors[0].ToString(), Err(4, 20, "YAML syntax error: illegal map value"));
}

TEST_F(ConfigTest, YamlIndentationAndUnclosedListErrors) {
  ConfigLoad indent = Load("server:\n  listen: 1\n threads: 2\n");
  EXPECT_THAT(Messages(indent), ElementsAre(Err(3, 2, "YAML syntax error: end of map not found")));
  ConfigLoad unclosed = Load("server:\n  listen: [1, 2\n");
  EXPECT_THAT(Messages(unclosed),
              ElementsAre(Err(3, 1, "YAML syntax error: end of sequence flow not found")));
  ConfigLoad tab = Load("server:\n\tlisten: 1\n");  // a tab is not indentation in YAML
  EXPECT_THAT(Messages(tab), ElementsAre(Err(2, 8, "YAML syntax error: illegal map value")));
}

TEST_F(ConfigTest, ConfigMustBeAMapping) {
  ConfigLoad load = Load("- server\n- store\n");
  EXPECT_THAT(Messages(load),
              ElementsAre(Err(1, 1, "the config must be a mapping of settings, got a list")));
}

TEST_F(ConfigTest, MissingFileIsOneClearError) {
  ConfigLoad load = LoadConfig(dir_ / "nope.yaml", kEnv, {});
  EXPECT_THAT(
      Messages(load),
      ElementsAre(dir_ / "nope.yaml" + ": cannot read the config file: No such file or directory"));
}

TEST_F(ConfigTest, EmptyValueAndDuplicateKeys) {
  ConfigLoad load = Load(std::string(kAdmin) + "server:\n  listen:\n  threads: 2\n  threads: 3\n");
  EXPECT_THAT(Messages(load),
              ElementsAre(Err(4, 3,
                              "server.listen: has no value (remove the key to use the "
                              "default)"),
                          Err(6, 3, "duplicate key \"threads\" in server (first at line 5)")));
}

TEST_F(ConfigTest, EveryAccountNeedsItsSecrets) {
  ConfigLoad load = Load(std::string(kAdmin) + R"(channels:
  messenger:
    accounts:
      - id: "page-1"
      - app_secret: {env: ADMIN_TOKEN}
        verify_token: {env: ADMIN_TOKEN}
)");
  EXPECT_THAT(Messages(load),
              ElementsAre(Err(6, 9,
                              "channels.messenger.accounts[0]: missing app_secret (every account "
                              "needs id, app_secret and verify_token)"),
                          Err(6, 9,
                              "channels.messenger.accounts[0]: missing verify_token (every "
                              "account needs id, app_secret and verify_token)"),
                          Err(7, 9,
                              "channels.messenger.accounts[1]: missing id (every account needs "
                              "id, app_secret and verify_token)")));
}

TEST_F(ConfigTest, MissingAdminTokenStopsTheStart) {
  ConfigLoad load = Load("server:\n  threads: 2\n");
  EXPECT_THAT(Messages(load),
              ElementsAre(path_ + ": admin.token: missing; it is required (bearer token of the "
                                  "admin API)"));
}

TEST_F(ConfigTest, PlainSecretIsRefusedWithoutEchoingIt) {
  ConfigLoad load = Load(R"(admin:
  token: hunter2-plain
channels:
  instagram:
    accounts:
      - id: "17841400000000000"
        app_secret: {vault: x}
        verify_token: ""
)");
  std::vector<std::string> messages = Messages(load);
  EXPECT_THAT(messages,
              ElementsAre(Err(2, 10,
                              "admin.token: write secrets as {env: NAME}, {file: PATH} or "
                              "{credential: NAME}"),
                          Err(7, 21,
                              "channels.instagram.accounts[0].app_secret: write secrets as {env: "
                              "NAME}, {file: PATH} or {credential: NAME}"),
                          Err(8, 23,
                              "channels.instagram.accounts[0].verify_token: write secrets as "
                              "{env: NAME}, {file: PATH} or {credential: NAME}")));
  for (const std::string& m : messages) EXPECT_THAT(m, Not(HasSubstr("hunter2")));
}

TEST_F(ConfigTest, UnreadableAndEmptySecrets) {
  dir_.Write("etc/empty", "\n");
  ConfigLoad load = Load(R"(admin:
  token: {file: missing-token}
channels:
  whatsapp:
    accounts:
      - id: "1"
        app_secret: {file: empty}
        verify_token: {env: NOT_SET}
        access_token: {env: EMPTY_VAR}
)",
                         {"EMPTY_VAR="});
  EXPECT_THAT(Messages(load),
              ElementsAre(Err(2, 10,
                              "admin.token: cannot read secret file " +
                                  (dir_ / "etc/missing-token") + ": No such file or directory"),
                          Err(7, 21,
                              "channels.whatsapp.accounts[0].app_secret: secret file " +
                                  (dir_ / "etc/empty") + " is empty"),
                          Err(8, 23,
                              "channels.whatsapp.accounts[0].verify_token: environment "
                              "variable NOT_SET is not set"),
                          Err(9, 23,
                              "channels.whatsapp.accounts[0].access_token: environment "
                              "variable EMPTY_VAR is empty")));
}

TEST_F(ConfigTest, CredentialsComeFromTheCredentialsDirectory) {
  dir_.Write("creds/admin", "from-credential\n");
  const std::string yaml = "admin:\n  token: {credential: admin}\n";
  ConfigLoad good = Load(yaml, {"CREDENTIALS_DIRECTORY=" + (dir_ / "creds")});
  ASSERT_THAT(Messages(good), IsEmpty());
  EXPECT_EQ(good.config.admin.token, "from-credential");

  ConfigLoad unset = Load(yaml, {});
  EXPECT_THAT(Messages(unset),
              ElementsAre(Err(2, 10,
                              "admin.token: credential admin: $CREDENTIALS_DIRECTORY is not set "
                              "(systemd sets it for LoadCredential= or SetCredential= in the "
                              "unit)")));

  ConfigLoad missing =
      Load("admin:\n  token: {credential: other}\n", {"CREDENTIALS_DIRECTORY=" + (dir_ / "creds")});
  EXPECT_THAT(Messages(missing),
              ElementsAre(Err(2, 10,
                              "admin.token: cannot read credential " + (dir_ / "creds/other") +
                                  ": No such file or directory")));

  ConfigLoad escape = Load("admin:\n  token: {credential: ../admin}\n",
                           {"CREDENTIALS_DIRECTORY=" + (dir_ / "creds")});
  EXPECT_THAT(Messages(escape),
              ElementsAre(Err(2, 10,
                              "admin.token: credential name \"../admin\" must not contain "
                              "'/'")));
}

TEST_F(ConfigTest, RelativePathsResolveAgainstTheConfigFolder) {
  dir_.Write("etc/secrets/token", "t");
  ConfigLoad load = Load(R"(admin:
  token: {file: secrets/token}
server:
  tls_cert_file: tls/cert.pem
  tls_key_file: /srv/tls/key.pem
store:
  state_dir: ../var
site_dir: ./site/
)");
  ASSERT_THAT(Messages(load), IsEmpty());
  EXPECT_EQ(load.config.server.tls_cert_file, dir_ / "etc/tls/cert.pem");
  EXPECT_EQ(load.config.server.tls_key_file, "/srv/tls/key.pem");
  EXPECT_EQ(load.config.store.state_dir, dir_ / "var");
  EXPECT_EQ(load.config.site_dir, dir_ / "etc/site");
  EXPECT_EQ(load.config.admin.token, "t");
}

TEST_F(ConfigTest, OverridePathsResolveAgainstTheWorkingDirectory) {
  ConfigLoad load =
      Load(kAdmin, {"ADMIN_TOKEN=a", "ATALAYA_SITE_DIR=site"}, {{"store.state_dir", "var"}});
  ASSERT_THAT(Messages(load), IsEmpty());
  std::string cwd = std::filesystem::current_path().string();
  EXPECT_EQ(load.config.store.state_dir, cwd + "/var");
  EXPECT_EQ(load.config.site_dir, cwd + "/site");
}

TEST_F(ConfigTest, TlsNeedsBothFiles) {
  ConfigLoad load = Load(std::string(kAdmin) + "server:\n  tls_key_file: key.pem\n");
  EXPECT_THAT(Messages(load), ElementsAre(Err(4, 17,
                                              "server.tls_key_file: must be set together with "
                                              "server.tls_cert_file")));
}

TEST_F(ConfigTest, PrecedenceIsFlagsThenEnvironmentThenFileThenDefaults) {
  const std::string yaml = std::string(kAdmin) +
                           "server:\n  listen: 127.0.0.1:1001\n  threads: 3\n"
                           "store:\n  synchronous: normal\n";
  std::vector<std::string> env = {"ADMIN_TOKEN=a", "ATALAYA_SERVER__LISTEN=127.0.0.1:2002",
                                  "ATALAYA_SERVER__THREADS=5", "ATALAYA_LOG__LEVEL=warn"};
  ConfigLoad load = Load(yaml, env, {{"server.listen", "127.0.0.1:3003"}});
  ASSERT_THAT(Messages(load), IsEmpty());
  EXPECT_EQ(load.config.server.listen, "127.0.0.1:3003");        // flag beats env and file
  EXPECT_EQ(load.config.server.threads, 5);                      // env beats file
  EXPECT_EQ(load.config.store.synchronous, "normal");            // file beats default
  EXPECT_EQ(load.config.log.level, "warn");                      // env beats default
  EXPECT_EQ(load.config.server.admin_listen, "127.0.0.1:9090");  // default
}

TEST_F(ConfigTest, EnvironmentSecretWinsAndTheFileSourceIsNeverRead) {
  // The file names a credential that does not exist; the variable replaces it.
  ConfigLoad load = Load("admin:\n  token: {credential: admin}\n", {"ATALAYA_ADMIN__TOKEN=e"});
  ASSERT_THAT(Messages(load), IsEmpty());
  EXPECT_EQ(load.config.admin.token, "e");
}

TEST_F(ConfigTest, EnvironmentCanAddAndEditAccounts) {
  ConfigLoad load =
      Load(kAdmin, {"ADMIN_TOKEN=a", "ATALAYA_CHANNELS__WHATSAPP__ACCOUNTS__1__ID=222",
                    "ATALAYA_CHANNELS__WHATSAPP__ACCOUNTS__0__ID=111",
                    "ATALAYA_CHANNELS__WHATSAPP__ACCOUNTS__0__APP_SECRET=s0",
                    "ATALAYA_CHANNELS__WHATSAPP__ACCOUNTS__0__VERIFY_TOKEN=v0",
                    "ATALAYA_CHANNELS__WHATSAPP__ACCOUNTS__1__APP_SECRET=s1",
                    "ATALAYA_CHANNELS__WHATSAPP__ACCOUNTS__1__VERIFY_TOKEN=v1"});
  ASSERT_THAT(Messages(load), IsEmpty());
  ASSERT_EQ(load.config.whatsapp.accounts.size(), 2u);
  EXPECT_EQ(load.config.whatsapp.accounts[0].id, "111");
  EXPECT_EQ(load.config.whatsapp.accounts[0].app_secret, "s0");
  EXPECT_EQ(load.config.whatsapp.accounts[1].id, "222");
  EXPECT_EQ(load.config.whatsapp.accounts[1].verify_token, "v1");
}

TEST_F(ConfigTest, EnvironmentAccountIndexMustNotSkip) {
  ConfigLoad load =
      Load(kAdmin, {"ADMIN_TOKEN=a", "ATALAYA_CHANNELS__MESSENGER__ACCOUNTS__2__ID=p"});
  EXPECT_THAT(Messages(load),
              ElementsAre("ATALAYA_CHANNELS__MESSENGER__ACCOUNTS__2__ID: there is no account 2 in "
                          "channels.messenger.accounts (it has 0; the next new one is 0)"));
}

TEST_F(ConfigTest, UnknownAtalayaVariableIsAnErrorWithASuggestion) {
  ConfigLoad load = Load(
      kAdmin, {"ADMIN_TOKEN=a", "ATALAYA_SERVER__LISTN=127.0.0.1:1", "ATALAYA_NOTHING_LIKE_IT=1",
               "ATALAYA_server__listen=x", "OTHER_SERVER__LISTN=ignored"});
  EXPECT_THAT(Messages(load), ElementsAre("ATALAYA_NOTHING_LIKE_IT: names no setting",
                                          "ATALAYA_SERVER__LISTN: names no setting; did you mean "
                                          "ATALAYA_SERVER__LISTEN?",
                                          "ATALAYA_server__listen: names no setting; did you mean "
                                          "ATALAYA_SERVER__LISTEN?"));
}

TEST_F(ConfigTest, BadEnvironmentAndFlagValuesNameTheirSource) {
  ConfigLoad load = Load(
      kAdmin, {"ADMIN_TOKEN=a", "ATALAYA_STORE__SYNCHRONOUS=fast", "ATALAYA_ADMIN__TOKEN="},
      {{"server.listen", "nowhere"}, {"admin.token", "on-the-command-line"}, {"server.nope", "1"}});
  std::vector<std::string> messages = Messages(load);
  EXPECT_THAT(messages,
              ElementsAre("ATALAYA_ADMIN__TOKEN: admin.token: is empty",
                          "ATALAYA_STORE__SYNCHRONOUS: store.synchronous: must be one of full, "
                          "normal; got \"fast\"",
                          "flag admin.token: secrets cannot be given as flags (the process list "
                          "shows them); write secrets as {env: NAME}, {file: PATH} or "
                          "{credential: NAME} in the file",
                          "flag server.listen: server.listen: expected HOST:PORT with a port from "
                          "0 to 65535 (e.g. 127.0.0.1:8080), got \"nowhere\"",
                          "flag server.nope: names no setting"));
  for (const std::string& m : messages) EXPECT_THAT(m, Not(HasSubstr("on-the-command-line")));
}

TEST_F(ConfigTest, DuplicateAccountIds) {
  ConfigLoad load = Load(std::string(kAdmin) + R"(channels:
  whatsapp:
    accounts:
      - {id: "1", app_secret: {env: ADMIN_TOKEN}, verify_token: {env: ADMIN_TOKEN}}
      - {id: "1", app_secret: {env: ADMIN_TOKEN}, verify_token: {env: ADMIN_TOKEN}}
)");
  EXPECT_THAT(Messages(load),
              ElementsAre(Err(7, 14,
                              "channels.whatsapp.accounts[1].id: \"1\" is already used by "
                              "accounts[0]")));
}

TEST_F(ConfigTest, ChannelUrlsAndVersionsAreChecked) {
  ConfigLoad load = Load(std::string(kAdmin) + R"(channels:
  messenger:
    graph_base_url: ftp://graph.example
    api_version: "21.0"
  instagram:
    graph_base_url: https://graph.example/
)");
  EXPECT_THAT(Messages(load),
              ElementsAre(Err(5, 21,
                              "channels.messenger.graph_base_url: expected an http:// or "
                              "https:// URL, got \"ftp://graph.example\""),
                          Err(6, 18,
                              "channels.messenger.api_version: expected a Graph API "
                              "version like v21.0, got \"21.0\""),
                          Err(8, 21,
                              "channels.instagram.graph_base_url: write the URL without "
                              "a trailing slash, got \"https://graph.example/\"")));
}

TEST_F(ConfigTest, SeveralErrorsAreAllReportedInOrder) {
  const std::string file = std::string(ATALAYA_TESTDATA_DIR) + "/config/many_errors.yaml";
  ConfigLoad load = LoadConfig(file, {"ATALAYA_SERVER__THREADZ=2"}, {});
  EXPECT_THAT(
      Messages(load),
      ElementsAre(
          file + ":5:3: unknown key \"listn\" in server; did you mean \"listen\"? Valid keys: "
                 "listen, admin_listen, threads, max_body_bytes, read_timeout_ms, "
                 "write_timeout_ms, keep_alive_max_count, keep_alive_timeout_ms, tls_cert_file, "
                 "tls_key_file",
          file + ":6:12: server.threads: must be from 1 to 1024, got 5000",
          file + ":8:16: store.synchronous: must be one of full, normal; got \"fulll\" (did you "
                 "mean full?)",
          file + ":10:10: log.level: must be one of debug, info, warn, error; got \"loud\"",
          file + ":15:21: channels.whatsapp.accounts[0].app_secret: write secrets as {env: "
                 "NAME}, {file: PATH} or {credential: NAME}",
          "ATALAYA_SERVER__THREADZ: names no setting; did you mean ATALAYA_SERVER__THREADS?",
          file + ": admin.token: missing; it is required (bearer token of the admin API)",
          file + ":14:9: channels.whatsapp.accounts[0]: missing verify_token (every account "
                 "needs id, app_secret and verify_token)"));
}

TEST_F(ConfigTest, SecretValuesNeverAppearInErrors) {
  dir_.Write("etc/app", "very-secret-app\n");
  ConfigLoad load = Load(R"(admin:
  token: {env: ADMIN_TOKEN}
channels:
  whatsapp:
    accounts:
      - id: "1"
        app_secret: {file: app}
        verify_token: {env: ADMIN_TOKEN}
      - id: "1"
        app_secret: {file: app}
        verify_token: {env: ADMIN_TOKEN}
server:
  threads: lots
)");
  ASSERT_FALSE(load.errors.empty());
  for (const std::string& m : Messages(load)) {
    EXPECT_THAT(m, Not(HasSubstr("very-secret-app")));
    EXPECT_THAT(m, Not(HasSubstr("admin-t0ken")));
  }
}

TEST(ProcessEnvironment, ListsTheVariablesOfThisProcess) {
  ASSERT_EQ(setenv("ATALAYA_TEST_PROBE_VAR", "probe=value", 1), 0);
  std::vector<std::string> env = ProcessEnvironment();
  unsetenv("ATALAYA_TEST_PROBE_VAR");
  EXPECT_NE(std::find(env.begin(), env.end(), "ATALAYA_TEST_PROBE_VAR=probe=value"), env.end());
}

TEST(ConfigError, FormatsWithAndWithoutAPosition) {
  EXPECT_EQ((ConfigError{"a.yaml", 3, 7, "bad"}).ToString(), "a.yaml:3:7: bad");
  EXPECT_EQ((ConfigError{"ATALAYA_X", 0, 0, "bad"}).ToString(), "ATALAYA_X: bad");
}

}  // namespace
}  // namespace atalaya::daemon
