#include "channels/utf8.h"

#include <cstdint>
#include <cstring>

namespace atalaya::channels {
namespace {

// Whether the 16 bytes from `at` are all ASCII (none has its high bit set), tested as two
// words. memcpy is the portable unaligned load; the caller guarantees the 16 bytes are there.
bool SixteenBytesAreAscii(const char* at) {
  uint64_t words[2];
  std::memcpy(words, at, sizeof words);
  return ((words[0] | words[1]) & 0x8080808080808080) == 0;
}

}  // namespace

std::optional<size_t> FindInvalidUtf8(std::string_view bytes) {
  const size_t n = bytes.size();
  size_t i = 0;
  while (i < n) {
    // Bodies are mostly ASCII: skip it 16 bytes at a time, then byte by byte up to the
    // non-ASCII byte that stopped the skip (or through the tail shorter than 16 bytes).
    while (n - i >= 16 && SixteenBytesAreAscii(bytes.data() + i)) i += 16;
    while (i < n && static_cast<unsigned char>(bytes[i]) < 0x80) ++i;
    if (i == n) break;
    const auto c = static_cast<unsigned char>(bytes[i]);
    // The allowed range of the second byte depends on the first (this is what excludes
    // overlong forms, surrogates and code points above U+10FFFF); later bytes are 80..BF.
    size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c == 0xE0) {
      length = 3, low = 0xA0;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
      length = 3;
    } else if (c == 0xED) {
      length = 3, high = 0x9F;
    } else if (c == 0xF0) {
      length = 4, low = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
      length = 4;
    } else if (c == 0xF4) {
      length = 4, high = 0x8F;
    } else {
      return i;  // 80..C1 (continuation or overlong lead) and F5..FF never start a sequence
    }
    if (i + length > n) return i;
    const auto second = static_cast<unsigned char>(bytes[i + 1]);
    if (second < low || second > high) return i;
    for (size_t k = 2; k < length; ++k) {
      const auto next = static_cast<unsigned char>(bytes[i + k]);
      if (next < 0x80 || next > 0xBF) return i;
    }
    i += length;
  }
  return std::nullopt;
}

}  // namespace atalaya::channels
