#include "daemon/secret.h"

#include <gtest/gtest.h>

#include "tests/unit/daemon/temp_dir.h"

namespace atalaya::daemon {
namespace {

TEST(ResolveSecret, StripsTrailingNewlinesOnly) {
  testing::TempDir dir;
  dir.Write("s", "  two words \r\n\n");
  auto value = ResolveSecret({SecretSource::kFile, "s"}, dir.path(), {});
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  EXPECT_EQ(*value, "  two words ");
}

TEST(ResolveSecret, AbsoluteFilePathIgnoresTheBase) {
  testing::TempDir dir;
  std::string path = dir.Write("abs", "v");
  auto value = ResolveSecret({SecretSource::kFile, path}, "/nonexistent", {});
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, "v");
}

TEST(ResolveSecret, AFolderIsNotASecret) {
  testing::TempDir dir;
  dir.Write("sub/x", "v");
  auto value = ResolveSecret({SecretSource::kFile, "sub"}, dir.path(), {});
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.status().message(),
            "cannot read secret file " + (dir / "sub") + ": Is a directory");
}

TEST(ResolveSecret, EnvironmentValue) {
  auto value = ResolveSecret({SecretSource::kEnv, "TOKEN"}, "/", {{"TOKEN", "abc\n"}});
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, "abc");
  auto blank = ResolveSecret({SecretSource::kEnv, "TOKEN"}, "/", {{"TOKEN", "\n"}});
  ASSERT_FALSE(blank.ok());
  EXPECT_EQ(blank.status().message(), "environment variable TOKEN is empty");
}

TEST(ResolveSecret, CredentialEmptyFile) {
  testing::TempDir dir;
  dir.Write("c", "");
  auto value =
      ResolveSecret({SecretSource::kCredential, "c"}, "/", {{"CREDENTIALS_DIRECTORY", dir.path()}});
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.status().message(), "credential " + (dir / "c") + " is empty");
}

}  // namespace
}  // namespace atalaya::daemon
