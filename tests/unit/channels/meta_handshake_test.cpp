#include "channels/meta_handshake.h"

#include <gtest/gtest.h>

namespace atalaya::channels {
namespace {

const std::vector<std::string> kTokens = {"tok-whatsapp", "tok-page"};

TEST(AnswerMetaHandshake, AnswersTheChallengeForAnyConfiguredToken) {
  EXPECT_EQ(AnswerMetaHandshake("subscribe", "tok-whatsapp", "1158201444", kTokens),
            std::optional<std::string>("1158201444"));
  EXPECT_EQ(AnswerMetaHandshake("subscribe", "tok-page", "abc", kTokens),
            std::optional<std::string>("abc"));
}

TEST(AnswerMetaHandshake, ReturnsTheChallengeUnchanged) {
  EXPECT_EQ(AnswerMetaHandshake("subscribe", "tok-page", "<a&b> \"x\"", kTokens),
            std::optional<std::string>("<a&b> \"x\""));
}

TEST(AnswerMetaHandshake, RefusesAnyOtherMode) {
  EXPECT_EQ(AnswerMetaHandshake("unsubscribe", "tok-page", "abc", kTokens), std::nullopt);
  EXPECT_EQ(AnswerMetaHandshake("Subscribe", "tok-page", "abc", kTokens), std::nullopt);
  EXPECT_EQ(AnswerMetaHandshake("", "tok-page", "abc", kTokens), std::nullopt);
}

TEST(AnswerMetaHandshake, RefusesAWrongToken) {
  EXPECT_EQ(AnswerMetaHandshake("subscribe", "tok-pag", "abc", kTokens), std::nullopt);
  EXPECT_EQ(AnswerMetaHandshake("subscribe", "tok-page ", "abc", kTokens), std::nullopt);
  EXPECT_EQ(AnswerMetaHandshake("subscribe", "TOK-PAGE", "abc", kTokens), std::nullopt);
}

TEST(AnswerMetaHandshake, RefusesWhenTheConfiguredTokenIsEmpty) {
  EXPECT_EQ(AnswerMetaHandshake("subscribe", "", "abc", {""}), std::nullopt);
  EXPECT_EQ(AnswerMetaHandshake("subscribe", "", "abc", {}), std::nullopt);
  EXPECT_EQ(AnswerMetaHandshake("subscribe", "", "abc", {"", "tok"}), std::nullopt);
}

}  // namespace
}  // namespace atalaya::channels
