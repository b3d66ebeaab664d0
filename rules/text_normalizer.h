#pragma once
// Text normalization shared by keyword lists, brand names and the text they are matched
// against: both sides go through the same function, so "DEVOLUCIÓN", "devolucion" and
// "devoluciooon" all become "devolucion".
//
// What it does: lower-case; fold Latin accents (á→a, ñ→n, ü→u, ç→c); squeeze any run of the
// same character to one ("holaaaa"→"hola", "!!!"→"!"), except digits ("100" stays); turn
// every run of whitespace into one space and trim; drop emoji variation selectors and skin
// tones ("❤️"→"❤"); keep every other character (emoji, punctuation) as it is; replace
// invalid UTF-8 bytes with a space. The result is ASCII except for kept symbols, so RE2's
// ASCII `\b` is a correct word boundary on it. Pure functions, thread-safe.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace atalaya::rules {

std::string NormalizeText(std::string_view text);

// Words of a normalized text: runs of [a-z0-9], and each other non-space, non-punctuation
// character (an emoji) as its own token. ASCII punctuation separates tokens.
std::vector<std::string_view> Tokenize(std::string_view normalized);

// Number of tokens Tokenize would return, counting no further than `limit` (so a long text
// costs nothing when only "at most N words" is asked).
size_t CountTokens(std::string_view normalized, size_t limit);

// Number of Unicode code points (not bytes) in UTF-8 text.
size_t CountCodePoints(std::string_view text);

// Levenshtein distance between a and b, or max_distance + 1 as soon as it is known to be
// larger (so callers pay only for close candidates).
size_t BoundedEditDistance(std::string_view a, std::string_view b, size_t max_distance);

// Share of upper-case letters among the letters of the text (0 when it has none). Shouting.
double UppercaseRatio(std::string_view text);

}  // namespace atalaya::rules
