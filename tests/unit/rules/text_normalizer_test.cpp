#include "rules/text_normalizer.h"

#include <gtest/gtest.h>

namespace atalaya::rules {
namespace {

TEST(NormalizeTextTest, LowercasesAndFoldsSpanishAccents) {
  EXPECT_EQ(NormalizeText("DEVOLUCIÓN"), "devolucion");
  EXPECT_EQ(NormalizeText("Señal Pésima, pingüino"), "senal pesima, pinguino");
  EXPECT_EQ(NormalizeText("ÁÉÍÓÚÑÜ"), "aeiounu");
}

TEST(NormalizeTextTest, SqueezesRepeatedLettersButNotDigits) {
  EXPECT_EQ(NormalizeText("holaaaa"), "hola");
  EXPECT_EQ(NormalizeText("pesimooo!!!"), "pesimo!");
  EXPECT_EQ(NormalizeText("HOLAaaÁÁ"), "hola");
  EXPECT_EQ(NormalizeText("me cobraron 1000 pesos"), "me cobraron 1000 pesos");
  EXPECT_EQ(NormalizeText("acción"), "acion");  // squeezed on both sides, so still a match
  // The same squeeze applies to keywords, so "llamada" still matches "llamada".
  EXPECT_EQ(NormalizeText("llamada"), NormalizeText("LLAMADA"));
}

TEST(NormalizeTextTest, CollapsesWhitespaceAndTrims) {
  EXPECT_EQ(NormalizeText("  no \t\n  funciona  "), "no funciona");
  EXPECT_EQ(NormalizeText("a\xC2\xA0"
                          "b"),
            "a b");  // no-break space
  EXPECT_EQ(NormalizeText("   "), "");
}

TEST(NormalizeTextTest, KeepsEmojiAndDropsVariationSelectorsAndSkinTones) {
  EXPECT_EQ(NormalizeText("gracias 👍🏽"), "gracias 👍");
  EXPECT_EQ(NormalizeText("❤️"), "❤");
  EXPECT_EQ(NormalizeText("👏👏👏"), "👏");
}

TEST(NormalizeTextTest, ReplacesInvalidUtf8WithSpace) {
  EXPECT_EQ(NormalizeText("hola\xFF"
                          "chau"),
            "hola chau");
  EXPECT_EQ(NormalizeText("\xC3"), "");  // truncated sequence
  EXPECT_EQ(NormalizeText("a\xE2\x82"), "a");
}

TEST(TokenizeTest, SplitsWordsAndEmojiOnPunctuation) {
  std::string text = NormalizeText("¡Hola, tienda-max! 👍ok");
  std::vector<std::string_view> tokens = Tokenize(text);
  std::vector<std::string> words(tokens.begin(), tokens.end());
  EXPECT_EQ(words, (std::vector<std::string>{"\xC2\xA1", "hola", "tienda", "max", "👍", "ok"}));
}

TEST(CountTokensTest, CountsLikeTokenizeButStopsAtTheLimit) {
  std::string text = NormalizeText("¡Hola, tienda-max! 👍ok y más");
  EXPECT_EQ(CountTokens(text, 100), Tokenize(text).size());
  EXPECT_EQ(CountTokens(text, 3), 3u);
  EXPECT_EQ(CountTokens("", 5), 0u);
}

TEST(BoundedEditDistanceTest, CountsEditsAndStopsEarly) {
  EXPECT_EQ(BoundedEditDistance("tiendamax", "tiendamax", 1), 0u);
  EXPECT_EQ(BoundedEditDistance("tiendamx", "tiendamax", 1), 1u);
  EXPECT_EQ(BoundedEditDistance("tiendamaz", "tiendamax", 1), 1u);
  EXPECT_EQ(BoundedEditDistance("tendamaz", "tiendamax", 1), 2u);  // bound + 1
  EXPECT_EQ(BoundedEditDistance("abc", "abcdefgh", 2), 3u);
}

TEST(UppercaseRatioTest, CountsAccentedCapitals) {
  EXPECT_DOUBLE_EQ(UppercaseRatio("PÉSIMO"), 1.0);
  EXPECT_DOUBLE_EQ(UppercaseRatio("Hola"), 0.25);
  EXPECT_DOUBLE_EQ(UppercaseRatio("123 👍"), 0.0);
}

}  // namespace
}  // namespace atalaya::rules
