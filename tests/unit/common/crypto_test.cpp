#include "common/crypto.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace atalaya {
namespace {

TEST(HmacSha256, MatchesThePublishedMetaTestVector) {
  // HMAC-SHA256(key "secret", msg "test"), quoted in PLATFORMS.md from the whatsapp_sdk docs.
  EXPECT_EQ(HexEncode(HmacSha256("secret", "test")),
            "0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914");
}

TEST(HmacSha256, MatchesRfc4231WithManyKeysInTurn) {
  // RFC 4231 test cases 1, 2 and 6 (a key longer than the block), asked in turns and more
  // often than there are cached contexts, so each answer comes from a re-used or a new one.
  const std::string key1(20, '\x0b');
  const std::string key6(131, '\xaa');
  for (int round = 0; round < 3; ++round) {
    for (int other = 0; other < 5; ++other) HmacSha256("other key " + std::to_string(other), "x");
    EXPECT_EQ(HexEncode(HmacSha256(key1, "Hi There")),
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    EXPECT_EQ(HexEncode(HmacSha256(key6, "Test Using Larger Than Block-Size Key - Hash Key First")),
              "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    EXPECT_EQ(HexEncode(HmacSha256("", "")),
              "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  }
}

TEST(Sha256, MatchesTheKnownDigestOfAbc) {
  EXPECT_EQ(HexEncode(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// Each thread reuses one hashing context: a digest must not carry anything of the previous
// one, whatever its length, on any thread.
TEST(Sha256, ReusedContextsGiveEveryThreadTheKnownDigests) {
  const std::string million_a(1'000'000, 'a');
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 3; ++i) {
        if (HexEncode(Sha256(million_a)) !=
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") {
          ++wrong;
        }
        if (HexEncode(Sha256("")) !=
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") {
          ++wrong;
        }
        if (HexEncode(Sha256("abc")) !=
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") {
          ++wrong;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong, 0);
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
