// Media downloads as ingest and the media worker use them: a pending row per attachment with
// something to fetch, the moves to stored / retry / failed with their errors, and v2
// databases whose attachments are taken up by migration 3.

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/migrations.h"
#include "store/store.h"
#include "store_test_util.h"

namespace atalaya::store {
namespace {

using testing_util::Delivery;
using testing_util::Item;
using testing_util::OpenOrDie;
using testing_util::Options;
using testing_util::TestDir;
using testing_util::WhatsAppText;

constexpr int64_t kNow = 1'700'000'000'000;

Attachment Image(const std::string& media_id) {
  Attachment a;
  a.kind = "image";
  a.media_id = media_id;
  a.mime_type = "image/jpeg";
  a.sha256 = "abc123";
  a.caption = "la factura";
  return a;
}

class MediaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenOrDie(Options(dir_.File("m.db")));
    ASSERT_NE(store_, nullptr);
  }

  // Ingests one event and returns its id.
  int64_t Ingest(const Event& event, int64_t now_ms = kNow) {
    const std::string body = "delivery " + std::to_string(++deliveries_);
    EXPECT_EQ(store_->AppendInbox(Delivery(body)).value(), AppendOutcome::kStored);
    Result<std::vector<InboxRow>> rows = store_->PendingInbox(0, 1);
    EXPECT_TRUE(rows.ok() && rows->size() == 1u);
    std::vector<Result<IngestOutcome>> results =
        store_->CommitIngestBatch({Item(rows->front().id, {event})}, now_ms);
    EXPECT_TRUE(results[0].ok()) << results[0].status().ToString();
    EventQuery query;
    query.dedup_key = event.dedup_key;
    Result<std::vector<StoredEvent>> stored = store_->ListEvents(query);
    EXPECT_TRUE(stored.ok() && stored->size() == 1u);
    return stored->front().id;
  }

  MediaDownload Get(int64_t event_id, int position) {
    Result<std::optional<MediaDownload>> got = store_->GetMedia(event_id, position);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_TRUE(got->has_value());
    return got->value_or(MediaDownload{});
  }

  TestDir dir_;
  std::unique_ptr<Store> store_;
  int deliveries_ = 0;
};

TEST_F(MediaTest, AttachmentsWithSomethingToFetchStartPendingAndDue) {
  Event event = WhatsAppText("wamid.IMG", "15551234567", "");
  event.type = "image";
  event.attachments.push_back(Image("MEDIA_1"));
  Attachment nothing;  // e.g. a shared contact card's placeholder: no id, no URL
  nothing.kind = "fallback";
  event.attachments.push_back(nothing);
  Attachment link;
  link.kind = "file";
  link.url = "https://cdn.example/f.pdf?sig=1";
  event.attachments.push_back(link);
  const int64_t id = Ingest(event);

  const MediaDownload first = Get(id, 0);
  EXPECT_EQ(first.state, MediaState::kPending);
  EXPECT_EQ(first.attempts, 0);
  EXPECT_EQ(first.next_attempt_ms, kNow);
  EXPECT_EQ(first.channel, Channel::kWhatsApp);
  EXPECT_EQ(first.account_id, "PHONE_NUMBER_ID");
  EXPECT_EQ(first.attachment.media_id, "MEDIA_1");
  EXPECT_EQ(first.attachment.mime_type, "image/jpeg");
  EXPECT_EQ(first.attachment.sha256, "abc123");

  Result<std::optional<MediaDownload>> none = store_->GetMedia(id, 1);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value()) << "an attachment with nothing to fetch has no download";
  EXPECT_EQ(Get(id, 2).attachment.url, "https://cdn.example/f.pdf?sig=1");

  Result<std::vector<MediaDownload>> due = store_->DueMedia(kNow, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].position, 0);
  EXPECT_EQ((*due)[1].position, 2);
  Result<std::vector<MediaDownload>> early = store_->DueMedia(kNow - 1, 10);
  ASSERT_TRUE(early.ok());
  EXPECT_TRUE(early->empty());
}

TEST_F(MediaTest, DuplicateEventQueuesNoSecondDownload) {
  Event event = WhatsAppText("wamid.IMG", "15551234567", "");
  event.attachments.push_back(Image("MEDIA_1"));
  Ingest(event);
  ASSERT_EQ(store_->AppendInbox(Delivery("retry")).value(), AppendOutcome::kStored);
  Result<std::vector<InboxRow>> rows = store_->PendingInbox(0, 1);
  ASSERT_TRUE(rows.ok() && rows->size() == 1u);
  ASSERT_TRUE(store_->CommitIngest(rows->front().id, {event}, kNow + 5).ok());
  EXPECT_EQ(store_->DueMedia(kNow + 10, 10)->size(), 1u);
}

TEST_F(MediaTest, StoredKeepsTheFileAndLeavesTheDueList) {
  Event event = WhatsAppText("wamid.IMG", "15551234567", "");
  event.attachments.push_back(Image("MEDIA_1"));
  const int64_t id = Ingest(event);

  StoredMedia file{"ab/abcdef.jpg", 1234, "abcdef", "image/jpeg"};
  ASSERT_TRUE(store_->MarkMediaStored(id, 0, file, kNow + 100).ok());
  const MediaDownload got = Get(id, 0);
  EXPECT_EQ(got.state, MediaState::kStored);
  EXPECT_EQ(got.attempts, 1);
  EXPECT_EQ(got.stored.file_name, "ab/abcdef.jpg");
  EXPECT_EQ(got.stored.bytes, 1234);
  EXPECT_EQ(got.stored.sha256, "abcdef");
  EXPECT_EQ(got.stored.mime_type, "image/jpeg");
  EXPECT_EQ(got.updated_ms, kNow + 100);
  EXPECT_TRUE(store_->DueMedia(kNow + 1000, 10)->empty());

  Status again = store_->MarkMediaFailed(id, 0, {"expired", "x"}, kNow + 200);
  EXPECT_EQ(again.code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(again.message(), "media " + std::to_string(id) + "/0 is stored, not pending");
  EXPECT_EQ(Get(id, 0).state, MediaState::kStored) << "a refused move changes nothing";
}

TEST_F(MediaTest, RetryCountsAnAttemptKeepsTheErrorAndWaits) {
  Event event = WhatsAppText("wamid.IMG", "15551234567", "");
  event.attachments.push_back(Image("MEDIA_1"));
  const int64_t id = Ingest(event);

  ASSERT_TRUE(store_->MarkMediaRetry(id, 0, kNow + 5000, {"http_5xx", "HTTP 503"}, kNow + 10).ok());
  MediaDownload got = Get(id, 0);
  EXPECT_EQ(got.state, MediaState::kPending);
  EXPECT_EQ(got.attempts, 1);
  EXPECT_EQ(got.next_attempt_ms, kNow + 5000);
  EXPECT_EQ(got.error.reason, "http_5xx");
  EXPECT_EQ(got.error.message, "HTTP 503");
  EXPECT_TRUE(store_->DueMedia(kNow + 4999, 10)->empty());
  EXPECT_EQ(store_->DueMedia(kNow + 5000, 10)->size(), 1u);

  ASSERT_TRUE(store_->MarkMediaStored(id, 0, {"f.jpg", 1, "aa", "image/jpeg"}, kNow + 6000).ok());
  got = Get(id, 0);
  EXPECT_EQ(got.attempts, 2);
  EXPECT_EQ(got.error.reason, "") << "a success clears the last transient error";
}

TEST_F(MediaTest, FailedKeepsTheReasonAndTheMessage) {
  Event event = WhatsAppText("m_1", "PSID_1", "");
  event.channel = Channel::kMessenger;
  event.account_id = "PAGE_1";
  Attachment a;
  a.kind = "image";
  a.url = "https://cdn.example/a.jpg";
  event.attachments.push_back(a);
  const int64_t id = Ingest(event);

  ASSERT_TRUE(store_->MarkMediaFailed(id, 0, {"expired", "the URL answered 404"}, kNow + 10).ok());
  const MediaDownload got = Get(id, 0);
  EXPECT_EQ(got.state, MediaState::kFailed);
  EXPECT_EQ(got.channel, Channel::kMessenger);
  EXPECT_EQ(got.error.reason, "expired");
  EXPECT_EQ(got.error.message, "the URL answered 404");
  EXPECT_TRUE(store_->DueMedia(kNow + 1000, 10)->empty());

  Result<std::optional<StoredEvent>> message = store_->GetEvent(id);
  ASSERT_TRUE(message.ok() && message->has_value()) << "a failed download keeps the message";
  EXPECT_EQ((*message)->event.attachments.size(), 1u);
}

TEST_F(MediaTest, BadMovesAreRefusedWithClearErrors) {
  Event event = WhatsAppText("wamid.IMG", "15551234567", "");
  event.attachments.push_back(Image("MEDIA_1"));
  const int64_t id = Ingest(event);

  Status unknown = store_->MarkMediaRetry(id + 1, 0, kNow, {"timeout", "t"}, kNow);
  EXPECT_EQ(unknown.code(), ErrorCode::kNotFound);
  EXPECT_EQ(unknown.message(), "media " + std::to_string(id + 1) + "/0 does not exist");
  Status no_reason = store_->MarkMediaFailed(id, 0, {"", "why?"}, kNow);
  EXPECT_EQ(no_reason.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(no_reason.message(), "media " + std::to_string(id) + "/0: a failure needs a reason");
  Status no_name = store_->MarkMediaStored(id, 0, {"", 1, "aa", "image/jpeg"}, kNow);
  EXPECT_EQ(no_name.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(no_name.message(), "media " + std::to_string(id) + "/0: a stored file needs a name");
  EXPECT_EQ(Get(id, 0).attempts, 0) << "refused moves count no attempt";

  Result<std::optional<MediaDownload>> missing = store_->GetMedia(id, 7);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

// A database written before migration 3, with one attachment to fetch and one without:
// opening it with this build queues the first one, due at once.
TEST(MediaMigrationTest, AttachmentsOfOlderDatabasesArePending) {
  TestDir dir;
  const std::string path = dir.File("v2.db");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    ASSERT_TRUE(ApplyMigrations(db, SchemaMigrations().first(2), 500).ok());
    db.exec(
        "INSERT INTO events (id, inbox_id, stored_ms, channel, account_id, kind, type, "
        "visibility, platform_id, dedup_key, author_id, author_alt_id, author_name, "
        "author_handle, author_phone, author_followers, author_following, author_listed, "
        "author_posts, author_verified_type, author_bio, author_account_created_ms, "
        "timestamp_ms, text, payload, reply_to_id, thread_id, parent_id, reaction_to_id, "
        "reaction_emoji, referral_json, contacts_json, new_author_id, unsupported_reason, "
        "raw_json) VALUES (7, 1, 1000, 'whatsapp', 'PHONE_NUMBER_ID', 'message', 'image', "
        "'private', 'wamid.OLD', 'wamid.OLD', '15551234567', '', '', '', '', -1, -1, -1, -1, "
        "'', '', 0, 900, '', '', '', '', '', '', '', '', '', '', '', '{}');"
        "INSERT INTO event_attachments (event_id, position, kind, media_id, url, mime_type, "
        "sha256, caption, filename) VALUES (7, 0, 'image', 'MEDIA_OLD', '', 'image/png', '', "
        "'', ''), (7, 1, 'fallback', '', '', '', '', '', '');");
  }
  std::unique_ptr<Store> store = OpenOrDie(Options(path));
  ASSERT_NE(store, nullptr);
  Result<std::vector<MediaDownload>> due = store->DueMedia(0, 10);
  ASSERT_TRUE(due.ok()) << due.status().ToString();
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].event_id, 7);
  EXPECT_EQ((*due)[0].position, 0);
  EXPECT_EQ((*due)[0].attachment.media_id, "MEDIA_OLD");
  EXPECT_EQ((*due)[0].state, MediaState::kPending);
}

}  // namespace
}  // namespace atalaya::store
