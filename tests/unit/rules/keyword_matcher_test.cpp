#include "rules/keyword_matcher.h"

#include <gtest/gtest.h>

#include "rules/text_normalizer.h"

namespace atalaya::rules {
namespace {

// The keywords found in `text`, as normalized keywords.
std::vector<std::string> Found(const std::vector<std::string>& keywords, std::string_view text) {
  KeywordMatcher m;
  for (const auto& k : keywords) EXPECT_TRUE(m.Add(k).ok()) << k;
  EXPECT_TRUE(m.Compile().ok());
  std::vector<int> ids;
  EXPECT_TRUE(m.Match(NormalizeText(text), &ids).ok());
  std::vector<std::string> out;
  for (int id : ids) out.push_back(m.Keyword(id));
  return out;
}

TEST(KeywordMatcherTest, MatchesWholeWordsIgnoringCaseAccentsAndRepeats) {
  EXPECT_EQ(Found({"devolución"}, "Quiero una DEVOLUCION ya"),
            std::vector<std::string>{"devolucion"});
  EXPECT_EQ(Found({"pesimo"}, "servicio pésimooooo"), std::vector<std::string>{"pesimo"});
  EXPECT_TRUE(Found({"baja"}, "quiero bajar el volumen").empty());
  EXPECT_TRUE(Found({"cafe"}, "cafetería").empty());
  // The trap DEPENDENCIES.md warns about: accented words at boundaries.
  EXPECT_EQ(Found({"café"}, "un café, gracias"), std::vector<std::string>{"cafe"});
}

TEST(KeywordMatcherTest, PhrasesMatchAcrossAnySpacing) {
  EXPECT_EQ(Found({"no funciona"}, "el modem NO   funciona"),
            std::vector<std::string>{"no funciona"});
  EXPECT_TRUE(Found({"no funciona"}, "no, funciona bien").empty());
}

TEST(KeywordMatcherTest, CommasQuotesEmojiAndSpecialCharactersAreLiteral) {
  EXPECT_EQ(Found({"hola, gracias"}, "hola, gracias!"), std::vector<std::string>{"hola, gracias"});
  EXPECT_EQ(Found({"\"urgente\""}, "es \"urgente\" ok"), std::vector<std::string>{"\"urgente\""});
  EXPECT_EQ(Found({"👍"}, "listo👍"), std::vector<std::string>{"👍"});
  // Repeated characters squeeze on both sides, punctuation included ("c++" is "c+").
  EXPECT_EQ(Found({"c++ (beta)"}, "uso c++ (beta) hoy"), std::vector<std::string>{"c+ (beta)"});
  EXPECT_EQ(Found({"at&t"}, "me paso a AT&T"), std::vector<std::string>{"at&t"});
  EXPECT_EQ(Found({"2x1"}, "promo 2x1!"), std::vector<std::string>{"2x1"});
}

TEST(KeywordMatcherTest, TrailingStarMatchesAnyEnding) {
  EXPECT_EQ(Found({"factur*"}, "la facturación llegó mal"), std::vector<std::string>{"factur*"});
  EXPECT_TRUE(Found({"factur*"}, "refacturar").empty());  // still a word start
}

TEST(KeywordMatcherTest, IdenticalKeywordsShareOnePattern) {
  KeywordMatcher m;
  Result<int> a = m.Add("Envío");
  Result<int> b = m.Add("envio");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(m.size(), 1u);
  EXPECT_EQ(m.Display(*a), "Envío");
}

TEST(KeywordMatcherTest, RejectsKeywordsEmptyAfterNormalization) {
  KeywordMatcher m;
  Result<int> r = m.Add("  \xEF\xB8\x8F ");  // only a variation selector
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "keyword is empty after normalization");
}

TEST(KeywordMatcherTest, ManyKeywordsInOneSet) {
  KeywordMatcher m;
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(m.Add("palabra" + std::to_string(i)).ok());
  ASSERT_TRUE(m.Compile().ok());
  std::vector<int> ids;
  ASSERT_TRUE(m.Match("hay palabra42 y palabra9999 pero no palabra", &ids).ok());
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(m.Keyword(ids[0]), "palabra42");
  EXPECT_EQ(m.Keyword(ids[1]), "palabra9999");
}

TEST(KeywordMatcherTest, EmptyMatcherMatchesNothing) {
  KeywordMatcher m;
  ASSERT_TRUE(m.Compile().ok());
  std::vector<int> ids = {7};
  ASSERT_TRUE(m.Match("cualquier cosa", &ids).ok());
  EXPECT_TRUE(ids.empty());
}

}  // namespace
}  // namespace atalaya::rules
