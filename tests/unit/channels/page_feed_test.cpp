// Facebook Page feed changes: comments, replies, edits, removals, visitor posts and the Page's
// own comments, from fixtures written from Meta's documented shapes
// (tests/testdata/meta/messenger/feed_*.json), every normalized field asserted.
#include <gtest/gtest.h>

#include "channels/meta_webhook.h"
#include "common/crypto.h"
#include "event_expectations.h"

namespace atalaya::channels {
namespace {

using testing::ExpectEventEq;
using testing::FixturePart;
using testing::ReadFixture;

constexpr char kPage[] = "112233445566778";
constexpr char kPost[] = "112233445566778_901234567890123";
constexpr char kPermalink[] = "https://www.facebook.com/112233445566778/posts/901234567890123";
constexpr char kAna[] = "7001002003004005";
constexpr int64_t kCreatedMs = 1764283896000;

std::string Path(const std::string& name) { return "messenger/" + name; }

Event ParseOne(const std::string& name) {
  std::vector<Event> events = ParseMetaWebhook(ReadFixture(Path(name)));
  EXPECT_EQ(events.size(), 1u) << name;
  return events.empty() ? Event{} : events.front();
}

// A public comment of the fixtures; raw_json is the change's value.
Event Comment(const std::string& name, const std::string& comment_id, const std::string& verb) {
  Event e;
  e.channel = Channel::kMessenger;
  e.account_id = kPage;
  e.kind = EventKind::kComment;
  e.type = "comment";
  e.visibility = Visibility::kPublic;
  e.platform_id = comment_id;
  e.dedup_key = comment_id + ":" + verb;
  e.author.id = kAna;
  e.author.name = "Ana Gómez";
  e.timestamp_ms = kCreatedMs;
  e.thread_id = kPost;
  e.thread_url = kPermalink;
  e.raw_json = FixturePart(Path(name), "/entry/0/changes/0/value");
  return e;
}

TEST(PageFeed, ACommentIsPublicAndLinkedToItsPost) {
  Event want = Comment("feed_comment.json", "901234567890123_1111", "add");
  want.text = "¿Cuánto cuesta el plan?";
  ExpectEventEq(ParseOne("feed_comment.json"), want);
}

TEST(PageFeed, AReplyNamesTheCommentItAnswers) {
  Event want = Comment("feed_reply.json", "901234567890123_2222", "add");
  want.author = Author{};
  want.author.id = "7001002003004006";
  want.author.name = "Luis";
  want.text = "a mí también me interesa";
  want.parent_id = "901234567890123_1111";
  want.timestamp_ms = kCreatedMs + 1000;
  ExpectEventEq(ParseOne("feed_reply.json"), want);
}

TEST(PageFeed, AnEditIsANewEventKeyedByVerbAndText) {
  Event want = Comment("feed_comment_edited.json", "901234567890123_1111", "edited");
  want.action = "edit";
  want.text = "¿Cuánto cuesta el plan 5G?";
  want.dedup_key += ":" + HexEncode(Sha256(want.text)).substr(0, 16);
  // created_time is an ISO-8601 string here.
  ExpectEventEq(ParseOne("feed_comment_edited.json"), want);
  EXPECT_NE(want.dedup_key, "901234567890123_1111:add");
}

TEST(PageFeed, ARemovalIsKeyedByItsVerb) {
  Event want = Comment("feed_comment_remove.json", "901234567890123_1111", "remove");
  want.action = "remove";
  want.thread_url = "";  // a removal carries no post object
  want.timestamp_ms = 1764283999000;
  ExpectEventEq(ParseOne("feed_comment_remove.json"), want);
}

TEST(PageFeed, HidingACommentIsRecorded) {
  Event want = Comment("feed_comment_hide.json", "901234567890123_3333", "hide");
  want.action = "hide";
  ExpectEventEq(ParseOne("feed_comment_hide.json"), want);
}

TEST(PageFeed, EveryVerbMapsToItsActionAndKey) {
  struct Case {
    const char* verb;
    const char* action;
  };
  for (const Case& c :
       {Case{"add", ""}, Case{"edited", "edit"}, Case{"edit", "edit"}, Case{"remove", "remove"},
        Case{"delete", "remove"}, Case{"hide", "hide"}, Case{"unhide", "unhide"}}) {
    SCOPED_TRACE(c.verb);
    std::vector<Event> events = ParseMetaWebhook(
        std::string(R"({"object":"page","entry":[{"id":"9","changes":[{"field":"feed","value":)") +
        R"({"item":"comment","comment_id":"1_2","post_id":"9_1","message":"m","verb":")" + c.verb +
        R"("}}]}]})");
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, EventKind::kComment);
    EXPECT_EQ(events[0].action, c.action);
    std::string key = std::string("1_2:") + (c.verb == std::string("edit") ? "edited" : c.verb);
    if (events[0].action == "edit") key += ":" + HexEncode(Sha256("m")).substr(0, 16);
    EXPECT_EQ(events[0].dedup_key, key);
  }
}

TEST(PageFeed, APhotoCommentKeepsThePhoto) {
  Event want = Comment("feed_photo_comment.json", "901234567890123_4444", "add");
  want.attachments = {
      {"photo", "", "https://scontent.xx.fbcdn.net/v/comment_photo.jpg", "", "", "", ""}};
  ExpectEventEq(ParseOne("feed_photo_comment.json"), want);
}

TEST(PageFeed, AVisitorPostIsAPublicCommentThreadOfItsOwn) {
  Event want;
  want.channel = Channel::kMessenger;
  want.account_id = kPage;
  want.kind = EventKind::kComment;
  want.type = "status";
  want.visibility = Visibility::kPublic;
  want.platform_id = "112233445566778_777000111";
  want.dedup_key = "112233445566778_777000111:add";
  want.thread_id = "112233445566778_777000111";
  want.author.id = "7001002003004007";
  want.author.name = "Marta";
  want.text = "Llevo 3 días sin servicio";
  want.timestamp_ms = kCreatedMs;
  want.raw_json = FixturePart(Path("feed_visitor_post.json"), "/entry/0/changes/0/value");
  ExpectEventEq(ParseOne("feed_visitor_post.json"), want);
}

TEST(PageFeed, ThePagesOwnCommentIsAnOutboundPublicReply) {
  Event want = Comment("feed_page_comment.json", "901234567890123_5555", "add");
  want.direction = Direction::kOutboundAccount;
  want.author.id = kPage;
  want.author.name = "Telco Ejemplo";
  want.text = "Hola Ana, te escribimos por privado";
  want.parent_id = "901234567890123_1111";
  ExpectEventEq(ParseOne("feed_page_comment.json"), want);
}

TEST(PageFeed, ReactionsOnPostsAreKeptAsUnsupportedWithAClearReason) {
  Event e = ParseOne("feed_reaction.json");
  Event want;
  want.channel = Channel::kMessenger;
  want.account_id = kPage;
  want.kind = EventKind::kUnsupported;
  want.unsupported_reason =
      "Page feed item \"reaction\" is not handled: reactions, likes and shares are not messages";
  want.raw_json = FixturePart(Path("feed_reaction.json"), "/entry/0/changes/0");
  want.dedup_key = "unsupported:" + HexEncode(Sha256(want.raw_json));
  ExpectEventEq(e, want);
}

TEST(PageFeed, AddEditAndRemoveOfOneCommentHaveThreeKeys) {
  const std::string add = ParseOne("feed_comment.json").dedup_key;
  const std::string edit = ParseOne("feed_comment_edited.json").dedup_key;
  const std::string remove = ParseOne("feed_comment_remove.json").dedup_key;
  EXPECT_NE(add, edit);
  EXPECT_NE(edit, remove);
  EXPECT_NE(add, remove);
  // A second, different edit of the same comment is another event.
  std::string body = ReadFixture(Path("feed_comment_edited.json"));
  const std::string text = "¿Cuánto cuesta el plan 5G?";
  body.replace(body.find(text), text.size(), "otra edición");
  std::vector<Event> second = ParseMetaWebhook(body);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_NE(second[0].dedup_key, edit);
  EXPECT_EQ(second[0].dedup_key.rfind("901234567890123_1111:edited:", 0), 0u);
}

TEST(PageFeed, TimestampFallsBackToTheEntryTime) {
  std::vector<Event> events = ParseMetaWebhook(
      R"({"object":"page","entry":[{"id":"9","time":1764283896,"changes":[{"field":"feed",)"
      R"("value":{"item":"comment","verb":"add","comment_id":"1_2","post_id":"9_1"}}]}]})");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].timestamp_ms, kCreatedMs);
  EXPECT_EQ(events[0].parent_id, "");
  EXPECT_EQ(events[0].direction, Direction::kInbound);
}

}  // namespace
}  // namespace atalaya::channels
