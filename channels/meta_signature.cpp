#include "channels/meta_signature.h"

#include "common/crypto.h"

namespace atalaya::channels {
namespace {

constexpr std::string_view kPrefix = "sha256=";
constexpr size_t kHexDigits = 64;  // 32-byte HMAC-SHA256 digest

// Lower-cases a hex digit; returns 0 for anything that is not one.
char LowerHexDigit(char c) {
  if (c >= '0' && c <= '9') return c;
  if (c >= 'a' && c <= 'f') return c;
  if (c >= 'A' && c <= 'F') return static_cast<char>(c - 'A' + 'a');
  return 0;
}

}  // namespace

const char* SignatureCheckName(SignatureCheck check) {
  switch (check) {
    case SignatureCheck::kValid:
      return "valid";
    case SignatureCheck::kMissing:
      return "missing";
    case SignatureCheck::kMalformed:
      return "malformed";
    case SignatureCheck::kMismatch:
      return "mismatch";
  }
  return "unknown";
}

SignatureCheck VerifyMetaSignature(std::string_view header_value, std::string_view body,
                                   const std::vector<std::string>& app_secrets) {
  if (header_value.empty()) return SignatureCheck::kMissing;
  if (!header_value.starts_with(kPrefix)) return SignatureCheck::kMalformed;
  std::string_view hex = header_value.substr(kPrefix.size());
  if (hex.size() != kHexDigits) return SignatureCheck::kMalformed;
  std::string expected(kHexDigits, '\0');
  for (size_t i = 0; i < kHexDigits; ++i) {
    expected[i] = LowerHexDigit(hex[i]);
    if (expected[i] == 0) return SignatureCheck::kMalformed;
  }

  // Every secret is tried even after a match, so the time taken does not tell which one
  // (or whether an early one) matched.
  bool matched = false;
  for (const std::string& secret : app_secrets) {
    if (secret.empty()) continue;
    matched |= ConstantTimeEquals(HexEncode(HmacSha256(secret, body)), expected);
  }
  return matched ? SignatureCheck::kValid : SignatureCheck::kMismatch;
}

std::string SignMetaBody(std::string_view body, std::string_view app_secret) {
  return std::string(kPrefix) + HexEncode(HmacSha256(app_secret, body));
}

}  // namespace atalaya::channels
