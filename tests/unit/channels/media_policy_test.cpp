#include "channels/media_policy.h"

#include <gtest/gtest.h>

namespace atalaya::channels {
namespace {

TEST(MediaPolicyTest, MimeIsNormalized) {
  EXPECT_EQ(NormalizeMime("Image/JPEG"), "image/jpeg");
  EXPECT_EQ(NormalizeMime("audio/ogg; codecs=opus"), "audio/ogg");
  EXPECT_EQ(NormalizeMime(" text/plain ;charset=utf-8"), "text/plain");
  EXPECT_EQ(NormalizeMime(""), "");
}

TEST(MediaPolicyTest, EachKindAllowsItsOwnTypesOnly) {
  EXPECT_TRUE(MimeAllowedForKind("image", "image/jpeg"));
  EXPECT_FALSE(MimeAllowedForKind("image", "video/mp4"));
  EXPECT_TRUE(MimeAllowedForKind("sticker", "image/webp"));
  EXPECT_FALSE(MimeAllowedForKind("sticker", "image/jpeg"));
  EXPECT_TRUE(MimeAllowedForKind("audio", "audio/ogg"));
  EXPECT_TRUE(MimeAllowedForKind("video", "video/3gpp"));
  EXPECT_TRUE(MimeAllowedForKind("document", "application/pdf"));
  EXPECT_TRUE(MimeAllowedForKind("file", "application/pdf"));
  EXPECT_TRUE(MimeAllowedForKind("story", "video/mp4"));
  EXPECT_TRUE(MimeAllowedForKind("story", "image/jpeg"));
  // Pages, scripts and executables are never stored for an agent to open.
  EXPECT_FALSE(MimeAllowedForKind("document", "text/html"));
  EXPECT_FALSE(MimeAllowedForKind("file", "application/x-msdownload"));
  EXPECT_FALSE(MimeAllowedForKind("image", "image/svg+xml"));
  EXPECT_FALSE(MimeAllowedForKind("fallback", "image/jpeg"));
}

TEST(MediaPolicyTest, LinkSharesAreNotDownloaded) {
  EXPECT_FALSE(IsDownloadableKind("fallback"));
  EXPECT_FALSE(IsDownloadableKind("share"));
  EXPECT_FALSE(IsDownloadableKind(""));
  EXPECT_TRUE(IsDownloadableKind("image"));
}

TEST(MediaPolicyTest, ExtensionsFollowTheType) {
  EXPECT_EQ(ExtensionForMime("image/jpeg"), ".jpg");
  EXPECT_EQ(ExtensionForMime("application/pdf"), ".pdf");
  EXPECT_EQ(ExtensionForMime("audio/ogg"), ".ogg");
  EXPECT_EQ(ExtensionForMime("application/x-unknown"), ".bin");
}

}  // namespace
}  // namespace atalaya::channels
