#pragma once
// Meta webhook signatures (X-Hub-Signature-256), shared by WhatsApp, Messenger and Instagram.
//
// Meta signs the raw request body with HMAC-SHA256 keyed by the app secret and sends
// "sha256=<hex>". The check runs on the bytes exactly as received, before anything is parsed
// (Meta hashes its escaped-unicode form; re-serialising would break it). Every configured
// secret is tried (the current and the previous app secret of every account), so secrets
// can be rotated without losing webhooks; comparisons are constant-time.
// Pure functions: any thread may call them.

#include <string>
#include <string_view>
#include <vector>

namespace atalaya::channels {

enum class SignatureCheck {
  kValid,      // matches one of the secrets
  kMissing,    // no header (or an empty one): reject, never just warn
  kMalformed,  // not "sha256=" + 64 hex digits (sha1=, wrong length, whitespace, non-hex)
  kMismatch,   // well formed, but no configured secret produces it
};

// "valid", "missing", "malformed", "mismatch": stable names for logs and metrics.
const char* SignatureCheckName(SignatureCheck check);

// header_value: the X-Hub-Signature-256 header, "" when absent. The hex digits may be in any
// case; the "sha256=" prefix must be exactly that. Empty secrets in app_secrets are skipped
// (an empty key must never validate anything); with no usable secret the result is kMismatch.
SignatureCheck VerifyMetaSignature(std::string_view header_value, std::string_view body,
                                   const std::vector<std::string>& app_secrets);

// The header value Meta would send for body: "sha256=" + lower-case hex HMAC-SHA256.
std::string SignMetaBody(std::string_view body, std::string_view app_secret);

}  // namespace atalaya::channels
