// Every Instagram payload shape (DMs, seen receipts, comments, live comments, mentions),
// parsed from fixtures written from Meta's documented shapes
// (tests/testdata/meta/instagram/), with every normalized field asserted.
#include <gtest/gtest.h>

#include "channels/meta_webhook.h"
#include "common/crypto.h"
#include "event_expectations.h"

namespace atalaya::channels {
namespace {

using testing::ExpectEventEq;
using testing::FixturePart;
using testing::ReadFixture;

constexpr char kAccount[] = "17841400000000001";
constexpr char kIgsid[] = "5432167890123456";
constexpr char kMid[] = "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAwMDAwMDAwMDAx";
constexpr int64_t kTs = 1764283896000;
constexpr int64_t kTs2 = 1764283897000;

std::string Path(const std::string& name) { return "instagram/" + name; }
std::string Mid(const std::string& suffix) { return kMid + suffix; }

std::vector<Event> Parse(const std::string& name) {
  MetaParseOptions options;
  options.own_app_ids = {"1517776481860111"};
  return ParseMetaWebhook(ReadFixture(Path(name)), options);
}

Event ParseOne(const std::string& name) {
  std::vector<Event> events = Parse(name);
  EXPECT_EQ(events.size(), 1u) << name;
  return events.empty() ? Event{} : events.front();
}

Event Dm(const std::string& name, const std::string& mid,
         const std::string& pointer = "/entry/0/messaging/0") {
  Event e;
  e.channel = Channel::kInstagram;
  e.account_id = kAccount;
  e.visibility = Visibility::kPrivate;
  e.platform_id = mid;
  e.dedup_key = mid;
  e.author.id = kIgsid;
  e.timestamp_ms = kTs;
  e.raw_json = FixturePart(Path(name), pointer);
  return e;
}

TEST(InstagramWebhook, Text) {
  Event want = Dm("text.json", Mid("TXT"));
  want.kind = EventKind::kMessage;
  want.type = "text";
  want.text = "hola, ¿tienen talla M?";
  ExpectEventEq(ParseOne("text.json"), want);
}

TEST(InstagramWebhook, QuickReply) {
  Event want = Dm("quick_reply.json", Mid("QR"));
  want.kind = EventKind::kPostback;
  want.type = "quick_reply";
  want.text = "Sí";
  want.payload = "SIZE_M_YES";
  ExpectEventEq(ParseOne("quick_reply.json"), want);
}

TEST(InstagramWebhook, ImageAndSharedReel) {
  Event image = Dm("image.json", Mid("IMG"));
  image.kind = EventKind::kMessage;
  image.type = "image";
  image.attachments = {
      {"image", "", "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1", "", "", "", ""}};
  ExpectEventEq(ParseOne("image.json"), image);

  Event reel = Dm("share.json", Mid("SHARE"));
  reel.kind = EventKind::kMessage;
  reel.type = "ig_reel";
  reel.attachments = {
      {"ig_reel", "", "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=2", "", "", "", ""}};
  ExpectEventEq(ParseOne("share.json"), reel);
}

TEST(InstagramWebhook, StoryMentionIsADmCarryingTheStory) {
  Event want = Dm("story_mention.json", Mid("SM"));
  want.kind = EventKind::kMessage;
  want.type = "story_mention";
  want.attachments = {{"story_mention", "",
                       "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=3", "", "", "", ""}};
  ExpectEventEq(ParseOne("story_mention.json"), want);
}

TEST(InstagramWebhook, StoryReplyRepliesToTheStory) {
  Event want = Dm("story_reply.json", Mid("SR"));
  want.kind = EventKind::kMessage;
  want.type = "story_reply";
  want.text = "¡me encanta!";
  want.reply_to_id = "17900011122233344";
  want.attachments = {{"story", "17900011122233344",
                       "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=4", "", "", "", ""}};
  ExpectEventEq(ParseOne("story_reply.json"), want);
}

TEST(InstagramWebhook, ReplyToAMessage) {
  Event want = Dm("reply_to_message.json", Mid("RT"));
  want.kind = EventKind::kMessage;
  want.type = "text";
  want.text = "este de aquí";
  want.reply_to_id = Mid("OUT");
  ExpectEventEq(ParseOne("reply_to_message.json"), want);
}

TEST(InstagramWebhook, ReactionNamedWithoutEmojiAndItsWithdrawal) {
  Event want = Dm("reaction.json", "");
  want.kind = EventKind::kReaction;
  want.type = "reaction";
  want.reaction_to_id = Mid("OUT");
  want.reaction_emoji = "love";
  want.dedup_key = "reaction:" + Mid("OUT") + ":5432167890123456:react:1764283896000";
  ExpectEventEq(ParseOne("reaction.json"), want);

  Event removed = Dm("reaction_removed.json", "");
  removed.kind = EventKind::kReaction;
  removed.type = "reaction";
  removed.reaction_to_id = Mid("OUT");
  removed.timestamp_ms = kTs2;
  removed.dedup_key = "reaction:" + Mid("OUT") + ":5432167890123456:unreact:1764283897000";
  ExpectEventEq(ParseOne("reaction_removed.json"), removed);
}

TEST(InstagramWebhook, AnUnsentMessageIsARemovalOfThatMessage) {
  Event want = Dm("deleted.json", Mid("TXT"));
  want.kind = EventKind::kMessage;
  want.type = "deleted";
  want.action = "remove";
  want.timestamp_ms = kTs2;
  want.dedup_key = Mid("TXT") + ":remove";
  ExpectEventEq(ParseOne("deleted.json"), want);
  EXPECT_NE(want.dedup_key, ParseOne("text.json").dedup_key);
}

TEST(InstagramWebhook, AnUnsupportedMessageKeepsItsMidAsKey) {
  Event want = Dm("unsupported.json", Mid("UNS"));
  want.kind = EventKind::kUnsupported;
  want.unsupported_reason = "Instagram cannot show this message";
  ExpectEventEq(ParseOne("unsupported.json"), want);
}

TEST(InstagramWebhook, OurEchoIsDroppedAnotherAppsIsAHumansOutboundMessage) {
  std::vector<Event> events = Parse("echo_ours.json");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].dedup_key, Mid("AFTER"));
  EXPECT_EQ(events[0].direction, Direction::kInbound);

  Event want = Dm("echo_other_app.json", Mid("ECHO2"));
  want.kind = EventKind::kMessage;
  want.type = "text";
  want.text = "te escribo desde la app";
  want.direction = Direction::kOutboundHuman;
  want.author.id = kAccount;
  want.recipient_id = kIgsid;
  ExpectEventEq(ParseOne("echo_other_app.json"), want);
}

TEST(InstagramWebhook, SeenNamesTheMessageRead) {
  Event want = Dm("seen.json", Mid("OUT"));
  want.kind = EventKind::kStatus;
  want.type = "read";
  want.author = Author{};
  want.dedup_key = Mid("OUT") + ":read";
  want.status = StatusUpdate{};
  want.status->message_id = Mid("OUT");
  want.status->status = DeliveryStatus::kRead;
  want.status->recipient_id = kIgsid;
  ExpectEventEq(ParseOne("seen.json"), want);
}

TEST(InstagramWebhook, PostbackAndReferral) {
  Event postback = Dm("postback.json", Mid("PB"));
  postback.kind = EventKind::kPostback;
  postback.type = "postback";
  postback.text = "Ver catálogo";
  postback.payload = "CATALOG";
  ExpectEventEq(ParseOne("postback.json"), postback);

  Event referral = Dm("referral.json", "");
  referral.kind = EventKind::kPostback;
  referral.type = "referral";
  referral.payload = "bio_link";
  referral.referral_json = R"({"ref":"bio_link","source":"IGME-SOURCE-LINK","type":"OPEN_THREAD"})";
  referral.dedup_key = "referral:5432167890123456:1764283896000";
  ExpectEventEq(ParseOne("referral.json"), referral);
}

TEST(InstagramWebhook, AMessagingEventDeliveredAsAChangeIsParsedTheSame) {
  Event want = Dm("messages_change.json", Mid("CHG"), "/entry/0/changes/0/value");
  want.kind = EventKind::kMessage;
  want.type = "text";
  want.text = "test desde el panel";
  ExpectEventEq(ParseOne("messages_change.json"), want);
}

Event PublicComment(const std::string& name, const std::string& id, const std::string& media) {
  Event e;
  e.channel = Channel::kInstagram;
  e.account_id = kAccount;
  e.kind = EventKind::kComment;
  e.type = "comment";
  e.visibility = Visibility::kPublic;
  e.platform_id = id;
  e.dedup_key = id;
  e.thread_id = media;
  e.timestamp_ms = kTs;  // entry.time, in seconds in these payloads
  e.raw_json = FixturePart(Path(name), "/entry/0/changes/0/value");
  return e;
}

TEST(InstagramWebhook, CommentIsPublicOnItsMedia) {
  Event want = PublicComment("comment.json", "17865799348089039", "18011122233344455");
  want.author.id = "17841455555555555";
  want.author.handle = "ana.cali";
  want.author.alt_id = kIgsid;
  want.text = "¿Precio? 😍";
  ExpectEventEq(ParseOne("comment.json"), want);
}

TEST(InstagramWebhook, CommentReplyNamesItsParent) {
  Event want = PublicComment("comment_reply.json", "17865799348089040", "18011122233344455");
  want.author.id = "17841455555555556";
  want.author.handle = "luis";
  want.parent_id = "17865799348089039";
  want.text = "yo también quiero saber";
  ExpectEventEq(ParseOne("comment_reply.json"), want);
}

TEST(InstagramWebhook, AdCommentKeepsTheAd) {
  Event want = PublicComment("ad_comment.json", "17865799348089041", "18011122233344499");
  want.author.id = "17841455555555555";
  want.author.handle = "ana.cali";
  want.text = "¿aplica en Cali?";
  want.referral_json = R"({"ad_id":"23850000000000001","ad_title":"Black Friday 5G"})";
  ExpectEventEq(ParseOne("ad_comment.json"), want);
}

TEST(InstagramWebhook, LiveComment) {
  Event want = PublicComment("live_comment.json", "17865799348089042", "18011122233344466");
  want.type = "live_comment";
  want.author.id = "17841455555555557";
  want.author.handle = "marta";
  want.text = "saludos desde Bogotá";
  ExpectEventEq(ParseOne("live_comment.json"), want);
}

TEST(InstagramWebhook, TheAccountsOwnCommentIsAnOutboundPublicReply) {
  Event want = PublicComment("own_comment.json", "17865799348089043", "18011122233344455");
  want.direction = Direction::kOutboundAccount;
  want.author.id = kAccount;
  want.author.handle = "telco.ejemplo";
  want.parent_id = "17865799348089039";
  want.text = "¡Hola Ana! Te escribimos por DM";
  ExpectEventEq(ParseOne("own_comment.json"), want);
}

TEST(InstagramWebhook, MentionsKeepTheIdsForLaterEnrichment) {
  Event want;
  want.channel = Channel::kInstagram;
  want.account_id = kAccount;
  want.kind = EventKind::kMention;
  want.type = "mention";
  want.visibility = Visibility::kPublic;
  want.platform_id = "17894227972186120";
  want.thread_id = "17887498072083520";
  want.dedup_key = "mention:17887498072083520:17894227972186120";
  want.timestamp_ms = kTs;
  want.raw_json = FixturePart(Path("mention.json"), "/entry/0/changes/0/value");
  ExpectEventEq(ParseOne("mention.json"), want);

  Event caption = want;
  caption.type = "caption_mention";
  caption.platform_id = "17887498072083521";
  caption.thread_id = "17887498072083521";
  caption.dedup_key = "mention:17887498072083521:caption";
  caption.raw_json = FixturePart(Path("caption_mention.json"), "/entry/0/changes/0/value");
  ExpectEventEq(ParseOne("caption_mention.json"), caption);
}

TEST(InstagramWebhook, BatchesKeepEveryEntryAndEvent) {
  std::vector<Event> events = Parse("batch.json");
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].dedup_key, Mid("B1"));
  EXPECT_EQ(events[0].account_id, kAccount);
  EXPECT_EQ(events[1].kind, EventKind::kStatus);
  EXPECT_EQ(events[1].dedup_key, Mid("OUT") + ":read");
  EXPECT_EQ(events[2].kind, EventKind::kComment);
  EXPECT_EQ(events[2].text, "dos");
  EXPECT_EQ(events[2].account_id, "17841400000000002");
  EXPECT_EQ(events[3].kind, EventKind::kMention);
  EXPECT_EQ(events[3].account_id, "17841400000000002");
  for (const Event& e : events) EXPECT_EQ(e.channel, Channel::kInstagram);
}

TEST(InstagramWebhook, GarbageAmongGoodEventsIsNamedAndTheGoodOnesKept) {
  std::vector<Event> events = Parse("garbage.json");
  const std::vector<std::pair<EventKind, std::string>> want = {
      {EventKind::kMessage, ""},
      {EventKind::kUnsupported, "messaging event is not an object"},
      {EventKind::kMessage, ""},
      {EventKind::kUnsupported, "comment has no \"id\""},
      {EventKind::kUnsupported, "mention has no \"media_id\""},
      {EventKind::kUnsupported, "Instagram change field \"story_insights\" is not supported"},
      {EventKind::kUnsupported, "live_comments change has no \"value\" object"},
      {EventKind::kUnsupported, "entry has no \"messaging\", \"standby\" or \"changes\" array"},
  };
  ASSERT_EQ(events.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(events[i].kind, want[i].first);
    EXPECT_EQ(events[i].unsupported_reason, want[i].second);
    EXPECT_EQ(events[i].channel, Channel::kInstagram);
    EXPECT_EQ(events[i].account_id, kAccount);
    if (events[i].kind == EventKind::kUnsupported) {
      EXPECT_EQ(events[i].dedup_key, "unsupported:" + HexEncode(Sha256(events[i].raw_json)));
    }
  }
  EXPECT_EQ(events[0].text, "antes");
  EXPECT_EQ(events[2].text, "después");
}

}  // namespace
}  // namespace atalaya::channels
