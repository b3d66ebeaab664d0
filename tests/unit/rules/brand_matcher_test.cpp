#include "rules/brand_matcher.h"

#include <gtest/gtest.h>

#include "rules/text_normalizer.h"

namespace atalaya::rules {
namespace {

std::vector<BrandHit> FindIn(const BrandMatcher& m, const std::string& text) {
  std::string normalized = NormalizeText(text);
  return m.Find(Tokenize(normalized));
}

BrandMatcher Tiendamax(size_t distance) {
  return BrandMatcher({{"Tiendamax", {"tiendamax", "tmax"}, distance}});
}

TEST(BrandMatcherTest, FindsMisspellingsWithinTheDistance) {
  BrandMatcher m = Tiendamax(1);
  for (const char* text : {"compré en tiendamx", "TIENDAMAZ no responde", "la Tiendamaxx",
                           "tienda max es lo peor", "#TiendaMax", "@tiendamax"}) {
    std::vector<BrandHit> hits = FindIn(m, text);
    ASSERT_EQ(hits.size(), 1u) << text;
    EXPECT_EQ(hits[0].brand, 0u);
  }
  std::vector<BrandHit> hits = FindIn(m, "compré en tiendamx");
  EXPECT_EQ(hits[0].found, "tiendamx");
  EXPECT_EQ(hits[0].distance, 1u);
}

TEST(BrandMatcherTest, IgnoresWordsFartherThanTheDistance) {
  EXPECT_TRUE(FindIn(Tiendamax(1), "fui a la tienda de mi barrio").empty());
  EXPECT_TRUE(FindIn(Tiendamax(1), "tendamaz").empty());
  EXPECT_EQ(FindIn(Tiendamax(2), "tendamaz").size(), 1u);
}

TEST(BrandMatcherTest, ShortSpellingsMustMatchExactly) {
  BrandMatcher m = Tiendamax(1);
  EXPECT_EQ(FindIn(m, "pedí en tmax").size(), 1u);
  EXPECT_TRUE(FindIn(m, "pedí en tmix").empty());  // "tmax" is too short to fuzz
  EXPECT_TRUE(FindIn(m, "un taxi").empty());
}

}  // namespace
}  // namespace atalaya::rules
