// A database written by the v1 schema, holding rows, opened by this build: migration 2 adds
// its columns and tables, and every v1 row reads back as what it meant.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/decision.h"
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
using testing_util::WhatsAppStatus;
using testing_util::WhatsAppText;

constexpr char kWaId[] = "15551234567";

// What atalaya 0.1 (schema v1) left on disk: one processed delivery with a customer's text
// and a status for our message 'wamid.OUT', plus the contact and thread it made.
void WriteV1Database(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  Result<int> applied = ApplyMigrations(db, SchemaMigrations().first(1), 500);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  ASSERT_EQ(*applied, 1);
  db.exec(
      "INSERT INTO inbox (id, body_sha256, route, body, received_ms, processed_ms) "
      "VALUES (1, x'01', 'whatsapp', '{}', 1000, 1001);"
      "INSERT INTO contacts (id, name, name_ts_ms, created_ms) VALUES (1, 'Ana', 900, 1001);"
      "INSERT INTO contact_identities (contact_id, channel, kind, external_id, created_ms) "
      "VALUES (1, 'whatsapp', 'wa_id', '15551234567', 1001);"
      "INSERT INTO conversations (id, channel, account_id, visibility, contact_id, "
      "last_inbound_ms, created_ms) VALUES (1, 'whatsapp', 'PHONE_NUMBER_ID', 'private', 1, "
      "900, 1001);"
      "INSERT INTO deliveries (channel, message_id, conversation_id, status, created_ms, "
      "updated_ms) VALUES ('whatsapp', 'wamid.OUT', 1, 'sent', 950, 950);");
  const char* kV1Columns =
      "INSERT INTO events (inbox_id, contact_id, conversation_id, stored_ms, channel, "
      "account_id, kind, type, visibility, platform_id, dedup_key, author_id, author_alt_id, "
      "author_name, author_handle, author_phone, author_followers, author_following, "
      "author_listed, author_posts, author_verified_type, author_bio, "
      "author_account_created_ms, timestamp_ms, text, payload, reply_to_id, thread_id, "
      "parent_id, reaction_to_id, reaction_emoji, referral_json, contacts_json, "
      "new_author_id, status_message_id, status_status, status_recipient_id, "
      "status_error_code, status_error_title, status_error_detail, unsupported_reason, "
      "raw_json) VALUES ";
  db.exec(std::string(kV1Columns) +
          "(1, 1, 1, 1001, 'whatsapp', 'PHONE_NUMBER_ID', 'message', 'text', 'private', "
          "'wamid.IN', 'wamid.IN', '15551234567', '', 'Ana', '', '', -1, -1, -1, -1, '', '', 0, "
          "900, 'hola desde v1', '', '', '', '', '', '', '', '', '', NULL, NULL, NULL, NULL, "
          "NULL, NULL, '', '{}')");
  db.exec(std::string(kV1Columns) +
          "(1, 0, 0, 1001, 'whatsapp', 'PHONE_NUMBER_ID', 'status', 'delivered', 'private', "
          "'wamid.OUT', 'wamid.OUT:delivered', '', '', '', '', '', -1, -1, -1, -1, '', '', 0, "
          "960, '', '', '', '', '', '', '', '', '', '', 'wamid.OUT', 'delivered', "
          "'15551234567', 0, '', '', '', '{}')");
}

TEST(MigrationV2, V1DatabaseWithRowsOpensAndReadsBackUnchanged) {
  TestDir dir;
  const std::string path = dir.File("v1.db");
  WriteV1Database(path);

  auto store = OpenOrDie(Options(path));
  ASSERT_NE(store, nullptr);
  {
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    SQLite::Statement versions(db, "SELECT version, name FROM schema_migrations ORDER BY 1");
    std::vector<int> recorded;
    while (versions.executeStep()) recorded.push_back(versions.getColumn(0).getInt());
    // Every migration of this build, v2 included, is applied over the v1 file.
    std::vector<int> expected;
    for (const Migration& migration : SchemaMigrations()) expected.push_back(migration.version);
    EXPECT_EQ(recorded, expected);
  }

  Result<std::vector<StoredEvent>> events = store->ListEvents({});
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 2u);
  const StoredEvent& text = (*events)[0];
  EXPECT_EQ(text.event.text, "hola desde v1");
  EXPECT_EQ(text.event.direction, Direction::kInbound) << "every v1 event was a customer's";
  EXPECT_EQ(text.event.action, "");
  EXPECT_FALSE(text.event.standby);
  EXPECT_EQ(text.event.recipient_id, "");
  EXPECT_EQ(text.event.rating, 0);
  EXPECT_FALSE(text.decision.has_value());
  EXPECT_EQ(text.contact_id, 1);
  const StoredEvent& status = (*events)[1];
  ASSERT_TRUE(status.event.status.has_value());
  EXPECT_EQ(status.event.status->message_id, "wamid.OUT");
  EXPECT_EQ(status.event.status->watermark_ms, 0);

  Result<std::optional<StoredEvent>> by_id = store->GetEvent(text.id);
  ASSERT_TRUE(by_id.ok() && by_id->has_value());
  EXPECT_EQ((*by_id)->event.platform_id, "wamid.IN");
  Result<bool> recent = store->HasRecentText(Channel::kWhatsApp, kWaId, "hola", 0, 10'000);
  ASSERT_TRUE(recent.ok());
  EXPECT_FALSE(*recent) << "v1 events have no text key";

  // The new build keeps writing into the old rows' world.
  ASSERT_TRUE(store->AppendInbox(Delivery("v2 delivery")).ok());
  IngestItem item = Item(2, {WhatsAppText("wamid.NEW", kWaId, "hola", 2'000),
                             WhatsAppStatus("wamid.OUT", DeliveryStatus::kRead, 2'000)});
  Decision decision;
  decision.queue = "general";
  item.decisions = {decision, std::nullopt};
  item.text_keys = {"hola", ""};
  Result<IngestOutcome> outcome = store->CommitIngestBatch({item}, 3'000)[0];
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->statuses_applied, 1);
  Result<std::optional<DeliveryState>> delivery =
      store->GetDelivery(Channel::kWhatsApp, "wamid.OUT");
  ASSERT_TRUE(delivery.ok() && delivery->has_value());
  EXPECT_EQ((*delivery)->status, DeliveryStatus::kRead);

  events = store->ListEvents({});
  ASSERT_EQ(events->size(), 4u);
  EXPECT_EQ((*events)[2].conversation_id, 1) << "the v1 thread goes on";
  EXPECT_EQ((*events)[2].decision, decision);
  EXPECT_TRUE(*store->HasRecentText(Channel::kWhatsApp, kWaId, "hola", 2'000, 2'000));

  NewOutbound reply;
  reply.channel = Channel::kWhatsApp;
  reply.account_id = "PHONE_NUMBER_ID";
  reply.conversation_id = 1;
  reply.recipient_id = kWaId;
  reply.kind = "text";
  reply.payload_json = R"({"text":"hola"})";
  Result<int64_t> id = store->EnqueueOutbound(reply, 3'000);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  Result<std::vector<OutboundMessage>> listed = store->ListOutbound(1);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 1u);
}

}  // namespace
}  // namespace atalaya::store
