// Reading a mention's content: the Graph call built from the webhook's ids, and the answer
// read back, hostile ids and odd answers included.

#include "channels/instagram_mention_fetch.h"

#include <gtest/gtest.h>

#include "channels/meta_webhook.h"

namespace atalaya::channels {
namespace {

Event MentionFrom(const std::string& body) {
  std::vector<Event> events = ParseMetaWebhook(body);
  EXPECT_EQ(events.size(), 1u);
  return events.empty() ? Event{} : events.front();
}

Event CommentMention() {
  return MentionFrom(
      R"({"object":"instagram","entry":[{"id":"17841400000000001","time":1764283896,)"
      R"("changes":[{"field":"mentions","value":{"comment_id":"17894227972186120",)"
      R"("media_id":"17887498072083520"}}]}]})");
}

Event CaptionMention() {
  return MentionFrom(
      R"({"object":"instagram","entry":[{"id":"17841400000000001","time":1764283896,)"
      R"("changes":[{"field":"mentions","value":{"media_id":"17887498072083521"}}]}]})");
}

TEST(MentionFetchCallTest, CommentMentionAsksForTheMentionedComment) {
  auto call = MentionFetchCall(CommentMention());
  ASSERT_TRUE(call.ok()) << call.status().ToString();
  EXPECT_EQ(call->method, "GET");
  EXPECT_EQ(call->body, "");
  EXPECT_EQ(call->path,
            "17841400000000001?fields=mentioned_comment.comment_id%2817894227972186120%29"
            "%7Btext%2Cusername%2Ctimestamp%7D");
}

TEST(MentionFetchCallTest, CaptionMentionAsksForTheMentionedMedia) {
  auto call = MentionFetchCall(CaptionMention());
  ASSERT_TRUE(call.ok());
  EXPECT_EQ(call->path,
            "17841400000000001?fields=mentioned_media.media_id%2817887498072083521%29"
            "%7Bcaption%2Cusername%2Ctimestamp%7D");
}

TEST(MentionFetchCallTest, HostileIdsCannotChangeThePathOrAddParameters) {
  Event mention = CommentMention();
  mention.platform_id = "1)&access_token=x#{";
  mention.account_id = "../me";
  auto call = MentionFetchCall(mention);
  ASSERT_TRUE(call.ok());
  EXPECT_EQ(call->path,
            "..%2Fme?fields=mentioned_comment.comment_id%281%29%26access_token%3Dx%23%7B%29"
            "%7Btext%2Cusername%2Ctimestamp%7D");
}

TEST(MentionFetchCallTest, RefusesWhatIsNotAMentionOrLacksItsIds) {
  Event comment = CommentMention();
  comment.kind = EventKind::kComment;
  EXPECT_EQ(MentionFetchCall(comment).status().message(), "not an Instagram mention");
  Event no_account = CommentMention();
  no_account.account_id = "";
  EXPECT_EQ(MentionFetchCall(no_account).status().message(), "the mention names no account");
  Event no_comment = CommentMention();
  no_comment.platform_id = "";
  EXPECT_EQ(MentionFetchCall(no_comment).status().message(), "the mention has no comment id");
  Event no_media = CaptionMention();
  no_media.platform_id = "";
  EXPECT_EQ(MentionFetchCall(no_media).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(MentionFetchCall(no_media).status().message(), "the caption mention has no media id");
}

TEST(ParseMentionAnswerTest, ReadsTheCommentsTextUsernameAndTime) {
  auto details = ParseMentionAnswer(
      CommentMention(), R"({"mentioned_comment":{"text":"hola @tiendamax 😍","username":"ana.cali",)"
                        R"("timestamp":"2025-11-27T22:51:30+0000","id":"17894227972186120"},)"
                        R"("id":"17841400000000001"})");
  ASSERT_TRUE(details.ok()) << details.status().ToString();
  EXPECT_EQ(details->text, "hola @tiendamax 😍");
  EXPECT_EQ(details->username, "ana.cali");
  EXPECT_EQ(details->timestamp_ms, 1'764'283'890'000);
}

TEST(ParseMentionAnswerTest, ReadsTheCaption) {
  auto details = ParseMentionAnswer(
      CaptionMention(),
      R"({"mentioned_media":{"caption":"unboxing @tiendamax","username":"creador"}})");
  ASSERT_TRUE(details.ok());
  EXPECT_EQ(details->text, "unboxing @tiendamax");
  EXPECT_EQ(details->username, "creador");
  EXPECT_EQ(details->timestamp_ms, 0);  // none given
}

TEST(ParseMentionAnswerTest, OddAnswersAreClearErrorsOrEmptyFields) {
  EXPECT_EQ(ParseMentionAnswer(CommentMention(), "not json").status().message(),
            "the Graph answer is not a JSON object");
  EXPECT_EQ(ParseMentionAnswer(CommentMention(), "[1,2]").status().code(),
            ErrorCode::kInvalidArgument);
  auto missing = ParseMentionAnswer(CommentMention(), R"({"id":"17841400000000001"})");
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "the Graph answer has no \"mentioned_comment\" object");
  // A caption mention answered with a comment is not its answer.
  EXPECT_EQ(ParseMentionAnswer(CaptionMention(), R"({"mentioned_comment":{"text":"x"}})")
                .status()
                .message(),
            "the Graph answer has no \"mentioned_media\" object");
  // Wrong types read as missing fields, never a crash.
  auto typed = ParseMentionAnswer(
      CommentMention(), R"({"mentioned_comment":{"text":7,"username":null,"timestamp":"ayer"}})");
  ASSERT_TRUE(typed.ok());
  EXPECT_EQ(typed->text, "");
  EXPECT_EQ(typed->username, "");
  EXPECT_EQ(typed->timestamp_ms, 0);
}

}  // namespace
}  // namespace atalaya::channels
