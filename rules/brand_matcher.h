#pragma once
// BrandMatcher: finds brand names in a message despite misspellings and spacing, so people
// who talk about the brand without tagging it are found ("tiendamx", "tienda max",
// "tiendamaz" for "Tiendamax").
//
// Each brand has spellings (its name and aliases, normalized, spaces removed) and a maximum
// edit distance. Every token of the normalized text, and every pair of adjacent tokens glued
// together, is compared with every spelling. Spellings shorter than kMinFuzzyLength must
// match exactly: at distance 1 a four-letter name matches half the dictionary.
// Immutable after construction; Find() is thread-safe.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace atalaya::rules {

struct Brand {
  std::string name;                    // as the designer wrote it
  std::vector<std::string> spellings;  // normalized, without spaces
  size_t max_distance = 1;
};

struct BrandHit {
  size_t brand = 0;     // index into the brands given to the matcher
  std::string found;    // the text that matched (tokens glued)
  size_t distance = 0;  // 0 = exact
};

class BrandMatcher {
 public:
  static constexpr size_t kMinFuzzyLength = 5;

  explicit BrandMatcher(std::vector<Brand> brands) : brands_(std::move(brands)) {}

  // The best (closest) hit per brand found in the tokens of a normalized text.
  std::vector<BrandHit> Find(const std::vector<std::string_view>& tokens) const;

  const std::vector<Brand>& brands() const { return brands_; }

 private:
  std::vector<Brand> brands_;
};

}  // namespace atalaya::rules
