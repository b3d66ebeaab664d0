#include "rules/text_normalizer.h"

#include <algorithm>
#include <cstdint>

namespace atalaya::rules {
namespace {

// Decodes one UTF-8 code point at text[*pos]; advances *pos. Returns -1 for an invalid byte
// (and advances past it).
int32_t DecodeUtf8(std::string_view text, size_t* pos) {
  auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  uint8_t b0 = byte(*pos);
  if (b0 < 0x80) {
    ++*pos;
    return b0;
  }
  int length = 0;
  int32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    length = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    length = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    length = 4;
    cp = b0 & 0x07;
  } else {
    ++*pos;
    return -1;
  }
  if (*pos + length > text.size()) {
    ++*pos;
    return -1;
  }
  for (int i = 1; i < length; ++i) {
    uint8_t b = byte(*pos + i);
    if ((b & 0xC0) != 0x80) {
      ++*pos;
      return -1;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr int32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinForLength[length] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++*pos;
    return -1;
  }
  *pos += length;
  return cp;
}

void AppendUtf8(int32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Latin-1 Supplement letters U+00C0..U+00FF folded to lower-case ASCII ("" = keep as is).
constexpr const char* kLatin1Fold[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",   // C0-CF
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "",  "ss",  // D0-DF
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",   // E0-EF
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "",  "y",   // F0-FF
};

bool IsWhitespace(int32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f' ||
         cp == 0xA0 || cp == 0x2028 || cp == 0x2029 || cp == 0x3000 ||
         (cp >= 0x2000 && cp <= 0x200A);
}

// Invisible modifiers that make the same emoji look different byte-wise.
bool IsIgnorable(int32_t cp) {
  return cp == 0xFE0E || cp == 0xFE0F || cp == 0x200B || cp == 0x200C || cp == 0x200D ||
         cp == 0xFEFF || (cp >= 0x1F3FB && cp <= 0x1F3FF);
}

// The folded form of one code point, at most 4 bytes.
struct Folded {
  char bytes[4];
  int size = 0;
};

Folded Fold(int32_t cp) {
  Folded f;
  if (cp < 0x80) {
    f.bytes[0] = static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp - 'A' + 'a' : cp);
    f.size = 1;
  } else if (cp >= 0xC0 && cp <= 0xFF && kLatin1Fold[cp - 0xC0][0] != '\0') {
    const char* s = kLatin1Fold[cp - 0xC0];
    for (; *s != '\0'; ++s) f.bytes[f.size++] = *s;
  } else if (cp >= 0x100 && cp <= 0x17F) {
    // Latin Extended-A (U+0100..U+017F), one base letter per code point.
    static constexpr char kExtA[] =
        "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiijjjkkklllllll"
        "lllnnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
    static_assert(sizeof(kExtA) == 128 + 1);
    f.bytes[0] = kExtA[cp - 0x100];
    f.size = 1;
  } else {
    std::string encoded;
    AppendUtf8(cp, &encoded);
    for (char c : encoded) f.bytes[f.size++] = c;
  }
  return f;
}

}  // namespace

std::string NormalizeText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  // What the last appended unit squeezes against: its last ASCII letter, or the whole code
  // point for anything else. -1 = nothing to squeeze against (start, or after a space).
  int64_t previous = -1;
  bool pending_space = false;
  size_t pos = 0;
  while (pos < text.size()) {
    int32_t cp;
    auto byte = static_cast<uint8_t>(text[pos]);
    if (byte < 0x80) {
      // ASCII fast path: most of every message.
      ++pos;
      if (byte <= 0x20 || byte == 0x7F) {
        pending_space = !out.empty();
        continue;
      }
      char c = static_cast<char>(byte >= 'A' && byte <= 'Z' ? byte - 'A' + 'a' : byte);
      if (!pending_space && previous == static_cast<uint8_t>(c) && !(c >= '0' && c <= '9')) {
        continue;
      }
      if (pending_space) {
        out.push_back(' ');
        pending_space = false;
      }
      out.push_back(c);
      previous = static_cast<uint8_t>(c);
      continue;
    } else {
      cp = DecodeUtf8(text, &pos);
      if (cp >= 0 && IsIgnorable(cp)) continue;
    }
    if (cp < 0 || cp <= 0x20 || cp == 0x7F || (cp >= 0x80 && IsWhitespace(cp))) {
      pending_space = !out.empty();
      continue;
    }
    Folded f = Fold(cp);
    int64_t key = f.size == 1 || static_cast<uint8_t>(f.bytes[0]) < 0x80
                      ? static_cast<uint8_t>(f.bytes[f.size - 1])
                      : 0x100 + cp;
    bool is_digit = f.size == 1 && f.bytes[0] >= '0' && f.bytes[0] <= '9';
    // Squeeze a run ("holaaa"); a multi-letter fold ("ae") squeezes by its last letter only
    // when the whole fold repeats, which for one letter is the same thing.
    if (!pending_space && key == previous && !is_digit &&
        (f.size == 1 || out.size() >= static_cast<size_t>(f.size))) {
      if (f.size == 1 || out.compare(out.size() - f.size, f.size, f.bytes, f.size) == 0) continue;
    }
    if (pending_space) {
      out.push_back(' ');
      pending_space = false;
    }
    out.append(f.bytes, f.size);
    previous = key;
  }
  return out;
}

std::vector<std::string_view> Tokenize(std::string_view normalized) {
  std::vector<std::string_view> tokens;
  tokens.reserve(normalized.size() / 4 + 1);
  size_t i = 0;
  auto is_word = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  while (i < normalized.size()) {
    char c = normalized[i];
    if (is_word(c)) {
      size_t start = i;
      while (i < normalized.size() && is_word(normalized[i])) ++i;
      tokens.push_back(normalized.substr(start, i - start));
    } else if (static_cast<uint8_t>(c) >= 0x80) {
      size_t start = i;
      size_t next = i;
      DecodeUtf8(normalized, &next);
      i = next;
      tokens.push_back(normalized.substr(start, i - start));
    } else {
      ++i;  // space or ASCII punctuation
    }
  }
  return tokens;
}

size_t CountTokens(std::string_view normalized, size_t limit) {
  size_t count = 0;
  size_t i = 0;
  auto is_word = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  while (i < normalized.size() && count < limit) {
    char c = normalized[i];
    if (is_word(c)) {
      while (i < normalized.size() && is_word(normalized[i])) ++i;
      ++count;
    } else if (static_cast<uint8_t>(c) >= 0x80) {
      DecodeUtf8(normalized, &i);
      ++count;
    } else {
      ++i;
    }
  }
  return count;
}

size_t CountCodePoints(std::string_view text) {
  size_t count = 0;
  for (char c : text) {
    if ((static_cast<uint8_t>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

size_t BoundedEditDistance(std::string_view a, std::string_view b, size_t max_distance) {
  size_t diff = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
  if (diff > max_distance) return max_distance + 1;
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    size_t row_min = row[0];
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
      row_min = std::min(row_min, row[j]);
    }
    if (row_min > max_distance) return max_distance + 1;
  }
  return std::min(row[b.size()], max_distance + 1);
}

double UppercaseRatio(std::string_view text) {
  size_t upper = 0;
  size_t letters = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    int32_t cp = DecodeUtf8(text, &pos);
    bool is_upper = (cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7);
    bool is_lower = (cp >= 'a' && cp <= 'z') || (cp >= 0xDF && cp <= 0xFF && cp != 0xF7);
    if (is_upper) ++upper;
    if (is_upper || is_lower) ++letters;
  }
  return letters == 0 ? 0.0 : static_cast<double>(upper) / static_cast<double>(letters);
}

}  // namespace atalaya::rules
