#pragma once
// Small cryptographic helpers over OpenSSL: hashes for dedup keys and HMACs for webhook
// signatures. All functions are pure and thread-safe.

#include <string>
#include <string_view>

namespace atalaya {

// Raw 32-byte digests.
std::string Sha256(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);

// Lower-case hex of bytes.
std::string HexEncode(std::string_view bytes);
std::string Base64Encode(std::string_view bytes);

// Compares two equal-length strings in time independent of their contents. Unequal lengths
// return false at once (a length is not a secret).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace atalaya
