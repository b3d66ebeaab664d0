#include "channels/meta_signature.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

namespace atalaya::channels {
namespace {

// HMAC-SHA256(key "secret", msg "test"), the published vector quoted in PLATFORMS.md.
constexpr char kVectorHex[] = "0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914";
const std::vector<std::string> kSecrets = {"secret"};

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

TEST(SignMetaBody, ReproducesThePublishedTestVector) {
  EXPECT_EQ(SignMetaBody("test", "secret"), std::string("sha256=") + kVectorHex);
}

TEST(VerifyMetaSignature, AcceptsThePublishedTestVector) {
  EXPECT_EQ(VerifyMetaSignature(std::string("sha256=") + kVectorHex, "test", kSecrets),
            SignatureCheck::kValid);
}

TEST(VerifyMetaSignature, AcceptsUpperCaseHex) {
  EXPECT_EQ(VerifyMetaSignature("sha256=" + Upper(kVectorHex), "test", kSecrets),
            SignatureCheck::kValid);
}

TEST(VerifyMetaSignature, MissingHeaderIsMissing) {
  EXPECT_EQ(VerifyMetaSignature("", "test", kSecrets), SignatureCheck::kMissing);
}

TEST(VerifyMetaSignature, EveryMalformedFormIsMalformed) {
  const std::string hex = kVectorHex;
  const std::vector<std::string> malformed = {
      "sha1=" + hex.substr(0, 40),                           // the legacy header's scheme
      "sha1=" + hex,                                         // right length, wrong scheme
      "sha256=",                                             // empty digest
      "sha256=" + hex.substr(0, 63),                         // one digit short
      "sha256=" + hex + "0",                                 // one digit long
      "sha256=" + hex.substr(0, 32) + " " + hex.substr(33),  // whitespace inside
      " sha256=" + hex.substr(1),                            // leading whitespace
      "sha256= " + hex.substr(1),                            // whitespace after '='
      "sha256=" + hex.substr(0, 63) + "g",                   // a non-hex digit
      "SHA256=" + hex,                                       // the scheme is case-sensitive
      hex,                                                   // no scheme at all
  };
  for (const std::string& header : malformed) {
    EXPECT_EQ(VerifyMetaSignature(header, "test", kSecrets), SignatureCheck::kMalformed)
        << "header: " << header;
  }
}

TEST(VerifyMetaSignature, WrongSecretIsMismatch) {
  EXPECT_EQ(VerifyMetaSignature(SignMetaBody("test", "secret"), "test", {"other"}),
            SignatureCheck::kMismatch);
}

TEST(VerifyMetaSignature, ChangedBodyIsMismatch) {
  EXPECT_EQ(VerifyMetaSignature(SignMetaBody("test", "secret"), "test ", kSecrets),
            SignatureCheck::kMismatch);
}

TEST(VerifyMetaSignature, PreviousSecretOfAnyAccountIsAccepted) {
  // Two accounts, each with a current and a previous secret; a body signed with the second
  // account's previous secret (a rotation under way) still verifies.
  const std::vector<std::string> secrets = {"acct1-new", "acct1-old", "acct2-new", "acct2-old"};
  const std::string body = R"({"object":"whatsapp_business_account","entry":[]})";
  EXPECT_EQ(VerifyMetaSignature(SignMetaBody(body, "acct2-old"), body, secrets),
            SignatureCheck::kValid);
  EXPECT_EQ(VerifyMetaSignature(SignMetaBody(body, "acct1-new"), body, secrets),
            SignatureCheck::kValid);
}

TEST(VerifyMetaSignature, EmptySecretsNeverValidate) {
  // An account configured without a secret must not accept bodies signed with an empty key.
  const std::string body = "{}";
  EXPECT_EQ(VerifyMetaSignature(SignMetaBody(body, ""), body, {""}), SignatureCheck::kMismatch);
  EXPECT_EQ(VerifyMetaSignature(SignMetaBody(body, ""), body, {}), SignatureCheck::kMismatch);
}

TEST(VerifyMetaSignature, HashesTheRawEscapedBytes) {
  // Meta signs its escaped form; the same text unescaped is a different body.
  const std::string escaped = R"({"text":"\u00e4\/"})";
  const std::string unescaped = "{\"text\":\"\xC3\xA4/\"}";
  const std::string header = SignMetaBody(escaped, "secret");
  EXPECT_EQ(VerifyMetaSignature(header, escaped, kSecrets), SignatureCheck::kValid);
  EXPECT_EQ(VerifyMetaSignature(header, unescaped, kSecrets), SignatureCheck::kMismatch);
}

TEST(SignatureCheckName, NamesEveryResult) {
  EXPECT_STREQ(SignatureCheckName(SignatureCheck::kValid), "valid");
  EXPECT_STREQ(SignatureCheckName(SignatureCheck::kMissing), "missing");
  EXPECT_STREQ(SignatureCheckName(SignatureCheck::kMalformed), "malformed");
  EXPECT_STREQ(SignatureCheckName(SignatureCheck::kMismatch), "mismatch");
}

}  // namespace
}  // namespace atalaya::channels
