#include "common/crypto.h"

#include <gtest/gtest.h>

namespace atalaya {
namespace {

TEST(HmacSha256, MatchesThePublishedMetaTestVector) {
  // HMAC-SHA256(key "secret", msg "test"), quoted in PLATFORMS.md from the whatsapp_sdk docs.
  EXPECT_EQ(HexEncode(HmacSha256("secret", "test")),
            "0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914");
}

TEST(Sha256, MatchesTheKnownDigestOfAbc) {
  EXPECT_EQ(HexEncode(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Base64Encode, PadsLikeRfc4648) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
}

TEST(ConstantTimeEquals, ComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

}  // namespace
}  // namespace atalaya
