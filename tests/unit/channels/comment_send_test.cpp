#include "channels/comment_send.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "channels/outbound_request.h"
#include "tests/unit/channels/outbound_test_util.h"

namespace atalaya::channels {
namespace {

using nlohmann::json;
using testing::Outbound;
using testing::Repeat;

// Moderation has no window: an empty context and any time must do.
Result<GraphCall> Build(const store::NewOutbound& message) {
  FakeClock clock;
  return BuildGraphCall(message, SendContext{}, clock);
}

TEST(CommentSendTest, FacebookPublicReplyGoesToTheCommentsEdge) {
  Result<GraphCall> call =
      Build(Outbound(Channel::kMessenger, "public_reply", {{"text", "Check your inbox"}}, "C1"));
  ASSERT_TRUE(call.ok()) << call.status().ToString();
  EXPECT_EQ(call->path, "C1/comments");
  EXPECT_EQ(json::parse(call->body), json::parse(R"({"message":"Check your inbox"})"));
}

TEST(CommentSendTest, InstagramPublicReplyGoesToTheRepliesEdge) {
  Result<GraphCall> call =
      Build(Outbound(Channel::kInstagram, "public_reply", {{"text", "Thanks!"}}, "IGC"));
  ASSERT_TRUE(call.ok());
  EXPECT_EQ(call->path, "IGC/replies");
}

TEST(CommentSendTest, HideAndUnhide) {
  Result<GraphCall> hide =
      Build(Outbound(Channel::kMessenger, "hide_comment", json::object(), "C1"));
  ASSERT_TRUE(hide.ok());
  EXPECT_EQ(hide->path, "C1");
  EXPECT_EQ(json::parse(hide->body), json::parse(R"({"is_hidden":true})"));
  Result<GraphCall> unhide =
      Build(Outbound(Channel::kMessenger, "unhide_comment", json::object(), "C1"));
  ASSERT_TRUE(unhide.ok());
  EXPECT_EQ(json::parse(unhide->body), json::parse(R"({"is_hidden":false})"));
  Result<GraphCall> ig = Build(Outbound(Channel::kInstagram, "hide_comment", json::object(), "C2"));
  ASSERT_TRUE(ig.ok());
  EXPECT_EQ(json::parse(ig->body), json::parse(R"({"hide":true})"));
}

TEST(CommentSendTest, Refusals) {
  Result<GraphCall> path =
      Build(Outbound(Channel::kMessenger, "hide_comment", json::object(), "C1/../../PAGE"));
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(path.status().message(), "the comment id must not contain '/', '?' or '#'");
  Result<GraphCall> long_reply =
      Build(Outbound(Channel::kMessenger, "public_reply", {{"text", Repeat("a", 8001)}}, "C1"));
  ASSERT_FALSE(long_reply.ok());
  EXPECT_EQ(long_reply.status().message(), "text is 8001 characters; Facebook allows at most 8000");
}

}  // namespace
}  // namespace atalaya::channels
