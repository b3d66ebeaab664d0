#include "channels/json_scan.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <system_error>

namespace atalaya::channels {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(uint32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

constexpr uint64_t kEachByte = 0x0101010101010101;  // times a byte value: it in all 8 bytes
constexpr uint64_t kHighBits = 0x8080808080808080;

// The 8 bytes at `at`, which the caller guarantees are there; memcpy is the portable unaligned
// load, compiled to a single instruction.
uint64_t LoadWord(const char* at) {
  uint64_t word;
  std::memcpy(&word, at, sizeof word);
  return word;
}

// Nonzero when one of the 8 bytes of `word` ends a string's plain run: '"', '\\' or a control
// character (below 0x20). It uses the classic test for "some byte is below n",
// (word - n in every byte) & ~word & the high bits: a byte below n borrows into its high bit,
// and ~word drops the bytes that had theirs set already (0x80 and up). Xor-ing '"' into every
// byte turns each '"' into 0, a byte below 1; likewise for '\\'. A borrow can also flag a byte
// after a true match, never one before it, so on a little-endian machine the lowest flagged
// byte is the first match in memory order.
uint64_t StringStopBits(uint64_t word) {
  const uint64_t quotes = word ^ (kEachByte * '"');  // zero bytes where word has '"'
  const uint64_t backslashes = word ^ (kEachByte * '\\');
  return ((quotes - kEachByte) | (backslashes - kEachByte) | (word - kEachByte * 0x20)) & ~word &
         kHighBits;
}

bool EndsPlainRun(unsigned char c) { return c == '"' || c == '\\' || c < 0x20; }

// Where the plain run of a string's bytes that starts at `at` ends: the offset of the first
// '"', '\\' or control character, or text.size(). Strings are most of a webhook body, so it
// goes a word at a time. Where the first match inside a word is cheap to find (little endian)
// it jumps to it; elsewhere the byte loop finds it within that word.
size_t EndOfPlainRun(std::string_view text, size_t at) {
  for (; text.size() - at >= 8; at += 8) {
    const uint64_t stops = StringStopBits(LoadWord(text.data() + at));
    if (stops != 0) {
      if constexpr (std::endian::native == std::endian::little) {
        return at + static_cast<size_t>(std::countr_zero(stops)) / 8;
      }
      break;
    }
  }
  while (at < text.size() && !EndsPlainRun(static_cast<unsigned char>(text[at]))) ++at;
  return at;
}

// The power of ten of a number token's magnitude, roughly: enough to tell a number too large
// for a double from one too small (both out of range for from_chars; the parser rejects the
// first and reads the second as zero).
int64_t DecimalExponent(std::string_view token) {
  size_t i = token[0] == '-' ? 1 : 0;
  int64_t exponent = 0;
  int64_t integer_digits = 0;
  bool seen_nonzero = false;
  for (; i < token.size() && IsDigit(token[i]); ++i) {
    seen_nonzero = seen_nonzero || token[i] != '0';
    if (seen_nonzero) ++integer_digits;
  }
  if (integer_digits > 0) {
    exponent = integer_digits - 1;
  } else if (i < token.size() && token[i] == '.') {
    int64_t leading_zeros = 0;
    for (++i; i < token.size() && token[i] == '0'; ++i) ++leading_zeros;
    exponent = -(leading_zeros + 1);
  }
  while (i < token.size() && token[i] != 'e' && token[i] != 'E') ++i;
  if (i < token.size()) {
    ++i;
    const bool negative = token[i] == '-';
    if (token[i] == '-' || token[i] == '+') ++i;
    int64_t written = 0;
    for (; i < token.size(); ++i)
      written = std::min<int64_t>(written * 10 + (token[i] - '0'), 1'000'000'000);
    exponent += negative ? -written : written;
  }
  return exponent;
}

// What nlohmann's parser rejects as "number overflow": a value beyond the range of a double.
bool OverflowsDouble(std::string_view token) {
  double value = 0;
  auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), value);
  (void)end;
  return error == std::errc::result_out_of_range && DecimalExponent(token) > 0;
}

class Scanner {
 public:
  Scanner(std::string_view text, int max_depth, std::string_view member)
      : text_(text), max_depth_(max_depth), member_(member) {}

  Result<JsonShape> Run() {
    // nlohmann skips a UTF-8 byte order mark; so do we, to accept the same texts.
    if (text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
    enum class Expect { kValue, kKey, kColon, kCommaOrClose };
    Expect expect = Expect::kValue;
    while (true) {
      SkipSpace();
      switch (expect) {
        case Expect::kValue: {
          if (AtEnd()) return Fail("expected a value");
          const char c = text_[pos_];
          if (c == '{' || c == '[') {
            if (static_cast<int>(stack_.size()) >= max_depth_) {
              return ResourceExhausted("nested deeper than " + std::to_string(max_depth_) +
                                       " levels");
            }
            NoteValue(c == '{' ? JsonType::kObject : JsonType::kArray);
            stack_.push_back(c);
            ++pos_;
            SkipSpace();
            if (!AtEnd() && text_[pos_] == Closer(c)) {
              ++pos_;
              stack_.pop_back();
              expect = Expect::kCommaOrClose;
            } else {
              expect = c == '{' ? Expect::kKey : Expect::kValue;
            }
            continue;
          }
          Result<JsonType> scalar = ScanScalar();
          if (!scalar.ok()) return scalar.status();
          NoteValue(*scalar);
          expect = Expect::kCommaOrClose;
          continue;
        }
        case Expect::kKey: {
          if (AtEnd() || text_[pos_] != '"') return Fail("expected a string as object key");
          const size_t start = pos_;
          if (Status s = ScanString(); !s.ok()) return s;
          if (stack_.size() == 1) next_is_member_ = KeyEquals(start, pos_, member_);
          expect = Expect::kColon;
          continue;
        }
        case Expect::kColon:
          if (AtEnd() || text_[pos_] != ':') return Fail("expected ':' after an object key");
          ++pos_;
          expect = Expect::kValue;
          continue;
        case Expect::kCommaOrClose: {
          if (stack_.empty()) {
            if (!AtEnd()) return Fail("expected the end of the text");
            return shape_;
          }
          const char open = stack_.back();
          if (!AtEnd() && text_[pos_] == ',') {
            ++pos_;
            expect = open == '{' ? Expect::kKey : Expect::kValue;
          } else if (!AtEnd() && text_[pos_] == Closer(open)) {
            ++pos_;
            stack_.pop_back();
          } else {
            return Fail(open == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
          }
          continue;
        }
      }
    }
  }

 private:
  static char Closer(char open) { return open == '{' ? '}' : ']'; }
  bool AtEnd() const { return pos_ >= text_.size(); }
  void SkipSpace() {
    while (!AtEnd() && IsSpace(text_[pos_])) ++pos_;
  }

  void NoteValue(JsonType type) {
    if (stack_.empty()) {
      shape_.top = type;
    } else if (stack_.size() == 1 && stack_[0] == '{' && next_is_member_) {
      shape_.member = type;
      next_is_member_ = false;
    }
  }

  // Where the scan stopped, as the parser would say it, never with the text's own bytes.
  Status Fail(std::string_view what) const {
    size_t line = 1, line_start = 0;
    for (size_t i = 0; i < pos_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    return InvalidArgument("line " + std::to_string(line) + ", column " +
                           std::to_string(pos_ - line_start + 1) + ": " + std::string(what));
  }

  Result<JsonType> ScanScalar() {
    const char c = text_[pos_];
    if (c == '"') {
      if (Status s = ScanString(); !s.ok()) return s;
      return JsonType::kString;
    }
    if (c == '-' || IsDigit(c)) {
      if (Status s = ScanNumber(); !s.ok()) return s;
      return JsonType::kNumber;
    }
    for (auto [word, type] : {std::pair<std::string_view, JsonType>{"true", JsonType::kBoolean},
                              {"false", JsonType::kBoolean},
                              {"null", JsonType::kNull}}) {
      if (text_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        return type;
      }
    }
    return Fail("expected a value");
  }

  Status ScanString() {
    ++pos_;  // the opening quote
    while (true) {
      pos_ = EndOfPlainRun(text_, pos_);
      if (AtEnd()) return Fail("unterminated string");
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return Status::Ok();
      }
      if (c != '\\') return Fail("control character in a string: escape it");
      if (Status s = ScanEscape(); !s.ok()) return s;
    }
  }

  // At a backslash: one escape, a \u surrogate pair taken whole.
  Status ScanEscape() {
    ++pos_;
    if (AtEnd()) return Fail("unterminated string");
    const char c = text_[pos_];
    if (c != 'u') {
      if (std::string_view("\"\\/bfnrt").find(c) == std::string_view::npos) {
        return Fail("invalid escape in a string");
      }
      ++pos_;
      return Status::Ok();
    }
    const int unit = ReadHex4(pos_ + 1);
    if (unit < 0) return Fail("\\u must be followed by four hex digits");
    pos_ += 5;
    if (unit >= 0xDC00 && unit <= 0xDFFF) {
      return Fail("low surrogate \\u" + HexOf(unit) + " without a high one before it");
    }
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      const int low = text_.substr(pos_, 2) == "\\u" ? ReadHex4(pos_ + 2) : -1;
      if (low < 0xDC00 || low > 0xDFFF) {
        return Fail("high surrogate \\u" + HexOf(unit) + " must be followed by a low one");
      }
      pos_ += 6;
    }
    return Status::Ok();
  }

  int ReadHex4(size_t at) const {
    if (at + 4 > text_.size()) return -1;
    int value = 0;
    for (size_t i = at; i < at + 4; ++i) {
      const int digit = HexValue(text_[i]);
      if (digit < 0) return -1;
      value = value * 16 + digit;
    }
    return value;
  }

  static std::string HexOf(int unit) {
    static constexpr char kDigits[] = "0123456789ABCDEF";
    std::string out;
    for (int shift = 12; shift >= 0; shift -= 4) out += kDigits[(unit >> shift) & 0xF];
    return out;
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  Status ScanNumber() {
    const size_t start = pos_;
    if (text_[pos_] == '-') ++pos_;
    if (AtEnd() || !IsDigit(text_[pos_])) return Fail("expected a digit");
    if (text_[pos_] == '0') {
      ++pos_;
    } else {
      while (!AtEnd() && IsDigit(text_[pos_])) ++pos_;
    }
    bool plain_integer = true;
    if (!AtEnd() && text_[pos_] == '.') {
      plain_integer = false;
      ++pos_;
      if (AtEnd() || !IsDigit(text_[pos_])) return Fail("expected a digit after '.'");
      while (!AtEnd() && IsDigit(text_[pos_])) ++pos_;
    }
    if (!AtEnd() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      plain_integer = false;
      ++pos_;
      if (!AtEnd() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (AtEnd() || !IsDigit(text_[pos_])) return Fail("expected a digit in the exponent");
      while (!AtEnd() && IsDigit(text_[pos_])) ++pos_;
    }
    // Integers of up to 300 digits fit a double; only longer ones or exponents can overflow.
    const std::string_view token = text_.substr(start, pos_ - start);
    if ((!plain_integer || token.size() > 300) && OverflowsDouble(token)) {
      pos_ = start;
      return Fail("number too large");
    }
    return Status::Ok();
  }

  // Whether the key text_[begin, end) (quotes included) names `expected` once its escapes
  // are decoded. Keys almost never hold escapes; only those pay for decoding.
  bool KeyEquals(size_t begin, size_t end, std::string_view expected) const {
    const std::string_view raw = text_.substr(begin + 1, end - begin - 2);
    if (raw.find('\\') == std::string_view::npos) return raw == expected;
    std::string decoded;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '\\') {
        decoded += raw[i];
        continue;
      }
      const char c = raw[++i];
      switch (c) {
        case 'b':
          decoded += '\b';
          break;
        case 'f':
          decoded += '\f';
          break;
        case 'n':
          decoded += '\n';
          break;
        case 'r':
          decoded += '\r';
          break;
        case 't':
          decoded += '\t';
          break;
        case 'u': {
          uint32_t unit = static_cast<uint32_t>(ReadHex4(begin + 1 + i + 1));
          i += 4;
          if (unit >= 0xD800 && unit <= 0xDBFF) {
            const auto low = static_cast<uint32_t>(ReadHex4(begin + 1 + i + 3));
            unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
            i += 6;
          }
          AppendUtf8(unit, decoded);
          break;
        }
        default:
          decoded += c;  // '"', '\\', '/'
      }
    }
    return decoded == expected;
  }

  const std::string_view text_;
  const int max_depth_;
  const std::string_view member_;
  size_t pos_ = 0;
  std::string stack_;  // '{' or '[' per open level; no allocation up to 15 levels
  bool next_is_member_ = false;
  JsonShape shape_;
};

}  // namespace

Result<JsonShape> ScanJson(std::string_view text, int max_depth, std::string_view member) {
  return Scanner(text, max_depth, member).Run();
}

}  // namespace atalaya::channels
