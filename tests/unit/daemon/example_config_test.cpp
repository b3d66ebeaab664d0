// The shipped configs are part of the product: the production sample must list exactly the
// settings of the table with their defaults and documentation (so it cannot rot), and the
// development site must load as the README's run command uses it.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "daemon/config.h"
#include "daemon/settings.h"
#include "tests/unit/daemon/temp_dir.h"

namespace atalaya::daemon {
namespace {

using ::testing::IsEmpty;

const std::string kSample = std::string(ATALAYA_SOURCE_DIR) + "/systemd/atalaya.example.yaml";
const std::string kDevSite = std::string(ATALAYA_SOURCE_DIR) + "/examples/default/atalaya.yaml";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Table-style paths of every key the file sets ("channels.whatsapp.accounts[].id").
void CollectKeys(const YAML::Node& node, const std::string& prefix, std::set<std::string>& keys) {
  for (auto it = node.begin(); it != node.end(); ++it) {
    std::string path = prefix.empty() ? it->first.Scalar() : prefix + "." + it->first.Scalar();
    const YAML::Node value = it->second;
    if (FindSetting(path) != nullptr || value.IsScalar() || value.IsNull()) {
      keys.insert(path);
    } else if (value.IsMap()) {
      CollectKeys(value, path, keys);
    } else if (value.IsSequence()) {
      for (const YAML::Node& item : value) CollectKeys(item, path + "[]", keys);
    }
  }
}

// Every {credential: NAME} the file refers to.
void CollectCredentials(const YAML::Node& node, std::set<std::string>& names) {
  if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it->first.Scalar() == "credential" && it->second.IsScalar()) {
        names.insert(it->second.Scalar());
      } else {
        CollectCredentials(it->second, names);
      }
    }
  } else if (node.IsSequence()) {
    for (const YAML::Node& item : node) CollectCredentials(item, names);
  }
}

TEST(ExampleConfig, SampleLoadsWithItsCredentials) {
  testing::TempDir creds;
  std::set<std::string> names;
  CollectCredentials(YAML::LoadFile(kSample), names);
  EXPECT_EQ(names.count("admin-token"), 1u);
  for (const std::string& name : names) creds.Write(name, "dummy-" + name + "\n");

  ConfigLoad load = LoadConfig(kSample, {"CREDENTIALS_DIRECTORY=" + creds.path()}, {});
  std::vector<std::string> errors;
  for (const ConfigError& e : load.errors) errors.push_back(e.ToString());
  ASSERT_THAT(errors, IsEmpty());
  EXPECT_EQ(load.config.admin.token, "dummy-admin-token");
  ASSERT_EQ(load.config.whatsapp.accounts.size(), 1u);
  EXPECT_EQ(load.config.whatsapp.accounts[0].app_secret, "dummy-whatsapp-app-secret");
}

TEST(ExampleConfig, SampleWithoutCredentialsRefusesToStart) {
  std::set<std::string> names;
  CollectCredentials(YAML::LoadFile(kSample), names);
  ConfigLoad load = LoadConfig(kSample, {}, {});
  ASSERT_EQ(load.errors.size(), names.size());  // one per credential, nothing else
  EXPECT_EQ(load.errors[0].message,
            "admin.token: credential admin-token: $CREDENTIALS_DIRECTORY is not set (systemd "
            "sets it for LoadCredential= or SetCredential= in the unit)");
}

TEST(ExampleConfig, SampleListsExactlyTheSettingsOfTheTable) {
  std::set<std::string> in_sample;
  CollectKeys(YAML::LoadFile(kSample), "", in_sample);
  std::set<std::string> in_table;
  for (const Setting& s : Settings()) in_table.insert(s.path);
  for (const std::string& path : in_table) {
    EXPECT_EQ(in_sample.count(path), 1u) << "setting missing from the sample: " << path;
  }
  for (const std::string& path : in_sample) {
    EXPECT_EQ(in_table.count(path), 1u) << "the sample sets no such setting: " << path;
  }
}

TEST(ExampleConfig, SampleShowsTheDefaultsAndTheDocs) {
  testing::TempDir creds;
  std::set<std::string> names;
  CollectCredentials(YAML::LoadFile(kSample), names);
  for (const std::string& name : names) creds.Write(name, "x");
  ConfigLoad load = LoadConfig(kSample, {"CREDENTIALS_DIRECTORY=" + creds.path()}, {});
  ASSERT_TRUE(load.errors.empty());
  const Config defaults;
  const std::string text = ReadAll(kSample);
  for (const Setting& s : Settings()) {
    EXPECT_NE(text.find("# " + s.doc + "\n"), std::string::npos)
        << "the sample does not carry the doc line of " << s.path << ": " << s.doc;
    if (s.InList() || s.type == SettingType::kSecret) continue;
    if (s.path == "site_dir") {
      EXPECT_EQ(load.config.site_dir,
                std::filesystem::path(kSample).parent_path().lexically_normal().string());
      continue;
    }
    EXPECT_EQ(SettingValueText(s, load.config, 0), SettingValueText(s, defaults, 0))
        << "the sample's value of " << s.path << " is not the default";
  }
}

TEST(ExampleConfig, DevelopmentSiteLoadsWithItsDemoSecrets) {
  ConfigLoad load = LoadConfig(kDevSite, {}, {});
  std::vector<std::string> errors;
  for (const ConfigError& e : load.errors) errors.push_back(e.ToString());
  ASSERT_THAT(errors, IsEmpty());
  const Config& c = load.config;
  EXPECT_EQ(c.server.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.server.admin_listen, "127.0.0.1:9090");
  EXPECT_EQ(c.store.state_dir,
            (std::filesystem::path(ATALAYA_SOURCE_DIR) / "var").lexically_normal().string());
  EXPECT_EQ(c.store.synchronous, "full");
  EXPECT_EQ(c.admin.token, "demo-admin-token");
  ASSERT_EQ(c.whatsapp.accounts.size(), 1u);
  EXPECT_EQ(c.whatsapp.accounts[0].id, "100000000000001");
  EXPECT_EQ(c.whatsapp.accounts[0].app_secret, "demo-app-secret");
  EXPECT_EQ(c.whatsapp.accounts[0].verify_token, "demo-verify-token");
  EXPECT_EQ(
      c.site_dir,
      (std::filesystem::path(ATALAYA_SOURCE_DIR) / "examples/default").lexically_normal().string());
}

TEST(SystemdUnit, LoadsEveryCredentialTheSampleNames) {
  const std::string unit = ReadAll(std::string(ATALAYA_SOURCE_DIR) + "/systemd/atalaya.service.in");
  std::set<std::string> names;
  CollectCredentials(YAML::LoadFile(kSample), names);
  for (const std::string& name : names) {
    // Active for the admin token and WhatsApp, commented out for the other channels.
    EXPECT_NE(
        unit.find("LoadCredential=" + name + ":@ATALAYA_CONFIG_DIR@/credentials/" + name + "\n"),
        std::string::npos)
        << "the unit has no LoadCredential line for " << name;
  }
  EXPECT_NE(unit.find("\nLoadCredential=admin-token:"), std::string::npos);
}

TEST(SystemdUnit, ChecksTheConfigBeforeReloading) {
  const std::string unit = ReadAll(std::string(ATALAYA_SOURCE_DIR) + "/systemd/atalaya.service.in");
  const std::string check =
      "ExecReload=@ATALAYA_BINARY@ check --config @ATALAYA_CONFIG_DIR@/atalaya.yaml\n";
  const std::string hup = "ExecReload=/bin/kill -HUP $MAINPID\n";
  ASSERT_NE(unit.find(check), std::string::npos);
  ASSERT_NE(unit.find(hup), std::string::npos);
  EXPECT_LT(unit.find(check), unit.find(hup));  // systemd runs ExecReload= lines in order
  EXPECT_NE(unit.find("\nType=notify\n"), std::string::npos);
  EXPECT_NE(
      unit.find("\nExecStart=@ATALAYA_BINARY@ serve --config @ATALAYA_CONFIG_DIR@/atalaya.yaml\n"),
      std::string::npos);
}

}  // namespace
}  // namespace atalaya::daemon
