#include "daemon/settings.h"

#include <gtest/gtest.h>

#include <set>

namespace atalaya::daemon {
namespace {

TEST(Settings, EnvironmentNamesFollowThePath) {
  EXPECT_EQ(EnvVarName(*FindSetting("server.listen")), "ATALAYA_SERVER__LISTEN");
  EXPECT_EQ(EnvVarName(*FindSetting("store.synchronous")), "ATALAYA_STORE__SYNCHRONOUS");
  EXPECT_EQ(EnvVarName(*FindSetting("site_dir")), "ATALAYA_SITE_DIR");
  EXPECT_EQ(EnvVarName(*FindSetting("channels.whatsapp.accounts[].app_secret"), 3),
            "ATALAYA_CHANNELS__WHATSAPP__ACCOUNTS__3__APP_SECRET");
}

TEST(Settings, EveryEnvironmentNameMapsBackToItsSetting) {
  for (const Setting& s : Settings()) {
    auto ref = SettingFromEnvVar(EnvVarName(s, 2));
    ASSERT_TRUE(ref.has_value()) << s.path;
    EXPECT_EQ(ref->setting, &s);
    EXPECT_EQ(ref->account, s.InList() ? 2u : 0u);
  }
  EXPECT_FALSE(SettingFromEnvVar("ATALAYA_SERVER").has_value());  // a section, not a setting
  EXPECT_FALSE(SettingFromEnvVar("ATALAYA_SERVER__LISTEN__X").has_value());
  EXPECT_FALSE(SettingFromEnvVar("ATALAYA_CHANNELS__WHATSAPP__ACCOUNTS__ID").has_value());
  EXPECT_FALSE(SettingFromEnvVar("ATALAYA_server__listen").has_value());
  EXPECT_FALSE(SettingFromEnvVar("SERVER__LISTEN").has_value());
}

TEST(Settings, PathsWithIndexes) {
  auto ref = SettingFromPath("channels.instagram.accounts[1].verify_token");
  ASSERT_TRUE(ref.has_value());
  EXPECT_EQ(ref->setting->path, "channels.instagram.accounts[].verify_token");
  EXPECT_EQ(ref->account, 1u);
  EXPECT_EQ(SettingFromPath("server.threads")->setting->path, "server.threads");
  EXPECT_FALSE(SettingFromPath("server.thread").has_value());
  EXPECT_FALSE(SettingFromPath("channels.instagram.accounts[x].id").has_value());
}

TEST(Settings, TableIsWellFormed) {
  std::set<std::string> paths;
  for (const Setting& s : Settings()) {
    EXPECT_TRUE(paths.insert(s.path).second) << "duplicate " << s.path;
    EXPECT_FALSE(s.doc.empty()) << s.path;
    EXPECT_TRUE(s.field) << s.path;
    if (s.type == SettingType::kInt) {
      EXPECT_LT(s.min, s.max) << s.path;
    }
    if (s.type == SettingType::kEnum) {
      EXPECT_FALSE(s.allowed.empty()) << s.path;
    }
  }
  // Defaults written beside the Config fields pass their own setting's checks.
  Config defaults;
  for (const Setting& s : Settings()) {
    if (s.InList() || s.type == SettingType::kSecret) continue;
    std::string value = SettingValueText(s, defaults, 0);
    if (s.check) {
      EXPECT_EQ(s.check(value), "") << s.path;
    }
    if (s.type == SettingType::kInt) {
      EXPECT_GE(std::stoll(value), s.min) << s.path;
      EXPECT_LE(std::stoll(value), s.max) << s.path;
    }
  }
}

TEST(Settings, AccessorsWriteTheRightField) {
  Config c;
  *std::get<std::string*>(FindSetting("server.listen")->field(c, 0)) = "x:1";
  *std::get<int64_t*>(FindSetting("server.max_body_bytes")->field(c, 0)) = 2048;
  *std::get<std::string*>(FindSetting("channels.messenger.accounts[].id")->field(c, 1)) = "p";
  EXPECT_EQ(c.server.listen, "x:1");
  EXPECT_EQ(c.server.max_body_bytes, 2048);
  ASSERT_EQ(c.messenger.accounts.size(), 2u);  // the accessor grows the list
  EXPECT_EQ(c.messenger.accounts[1].id, "p");
  EXPECT_TRUE(c.whatsapp.accounts.empty());
}

TEST(EditDistance, CountsEditsAndTranspositions) {
  EXPECT_EQ(EditDistance("listen", "listen"), 0u);
  EXPECT_EQ(EditDistance("listn", "listen"), 1u);
  EXPECT_EQ(EditDistance("lsiten", "listen"), 1u);  // one transposition
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
}

TEST(NearestName, SuggestsOnlyPlausibleTypos) {
  std::vector<std::string> keys = {"server", "store", "log"};
  EXPECT_EQ(NearestName("sever", keys), "server");
  EXPECT_EQ(NearestName("stroe", keys), "store");
  EXPECT_EQ(NearestName("database", keys), std::nullopt);
  EXPECT_EQ(NearestName("x", {}), std::nullopt);
}

}  // namespace
}  // namespace atalaya::daemon
