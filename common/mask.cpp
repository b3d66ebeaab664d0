#include "common/mask.h"

#include <algorithm>
#include <cctype>

namespace atalaya {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool IsTokenChar(char c) { return IsAlnum(c) || c == '_' || c == '-'; }

constexpr std::size_t kMinDigitRun = 6;    // shorter runs are ports, counts, years
constexpr std::size_t kRunShown = 2;       // digits kept at the end of a masked run
constexpr std::size_t kMetaTokenMin = 30;  // "EAA..." access tokens are far longer

}  // namespace

std::string MaskPhone(std::string_view phone) {
  std::string digits;
  for (char c : phone) {
    if (IsDigit(c)) digits += c;
  }
  std::string out = phone.find('+') != std::string_view::npos ? "+" : "";
  const std::size_t n = digits.size();
  if (n < 5) return out + std::string(std::max<std::size_t>(n, 3), '*');
  // Keep up to 5 leading digits (country and operator), but hide at least 5 in the middle.
  std::size_t head = std::min<std::size_t>(5, n > 7 ? n - 7 : 0);
  std::size_t tail = 2;
  return out + digits.substr(0, head) + std::string(n - head - tail, '*') + digits.substr(n - tail);
}

std::string MaskDocument(std::string_view document) {
  std::string kept;
  for (char c : document) {
    if (IsAlnum(c)) kept += c;
  }
  const std::size_t n = kept.size();
  if (n <= 4) return std::string(std::max<std::size_t>(n, 3), '*');
  return std::string(n - 3, '*') + kept.substr(n - 3);
}

std::string MaskFreeText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    // "Bearer <token>": hide the token whatever it looks like.
    if ((i == 0 || !IsTokenChar(text[i - 1])) && text.substr(i, 7) == "Bearer " &&
        i + 7 < text.size()) {
      std::size_t end = i + 7;
      while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) ++end;
      out += "Bearer ";
      out += kRedacted;
      i = end;
      continue;
    }
    if ((i == 0 || !IsTokenChar(text[i - 1])) && text.substr(i, 3) == "EAA") {
      std::size_t end = i;
      while (end < text.size() && IsAlnum(text[end])) ++end;
      if (end - i >= kMetaTokenMin) {
        out += kRedacted;
        i = end;
        continue;
      }
    }
    if (IsDigit(text[i])) {
      std::size_t end = i;
      while (end < text.size() && IsDigit(text[end])) ++end;
      std::size_t n = end - i;
      if (n >= kMinDigitRun) {
        out.append(n - kRunShown, '*');
        out.append(text.substr(end - kRunShown, kRunShown));
      } else {
        out.append(text.substr(i, n));
      }
      i = end;
      continue;
    }
    out += text[i++];
  }
  return out;
}

}  // namespace atalaya
