// CommitIngest as the ingest worker uses it: events stored once in their own columns,
// contacts found and merged, conversations kept, delivery states moved forward only.

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

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

constexpr char kBsuid[] = "US.13491208655302741918";
constexpr char kWaId[] = "15551234567";

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenOrDie(Options(dir_.File("a.db")));
    ASSERT_NE(store_, nullptr);
  }

  // Appends a delivery and commits `events` for it, as the ingest worker does.
  IngestOutcome Ingest(const std::vector<Event>& events) {
    const std::string body = "delivery " + std::to_string(++deliveries_);
    EXPECT_EQ(store_->AppendInbox(Delivery(body)).value(), AppendOutcome::kStored);
    Result<std::vector<InboxRow>> rows = store_->PendingInbox(0, 1);
    EXPECT_TRUE(rows.ok() && rows->size() == 1u);
    Result<IngestOutcome> outcome = store_->CommitIngest((*rows)[0].id, events, 2'000);
    EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
    return outcome.ok() ? *outcome : IngestOutcome{};
  }

  std::vector<StoredEvent> Events(EventQuery query = {}) {
    Result<std::vector<StoredEvent>> events = store_->ListEvents(query);
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    return events.ok() ? *events : std::vector<StoredEvent>{};
  }

  Contact ContactOf(const std::string& external_id) {
    Result<std::optional<Contact>> contact = store_->FindContact(Channel::kWhatsApp, external_id);
    EXPECT_TRUE(contact.ok()) << contact.status().ToString();
    EXPECT_TRUE(contact.ok() && contact->has_value()) << "no contact for " << external_id;
    return contact.ok() && contact->has_value() ? **contact : Contact{};
  }

  DeliveryState DeliveryOf(const std::string& message_id) {
    Result<std::optional<DeliveryState>> state =
        store_->GetDelivery(Channel::kWhatsApp, message_id);
    EXPECT_TRUE(state.ok() && state->has_value()) << "no delivery " << message_id;
    return state.ok() && state->has_value() ? **state : DeliveryState{};
  }

  TestDir dir_;
  std::unique_ptr<Store> store_;
  int deliveries_ = 0;
};

// An event with every field set to something distinctive.
Event FullEvent() {
  Event e = WhatsAppText("wamid.FULL", kBsuid, "full text");
  e.type = "image";
  e.visibility = Visibility::kPrivate;
  e.author.alt_id = kWaId;
  e.author.name = "Muath A";
  e.author.handle = "@muath";
  e.author.phone = kWaId;
  e.author.followers = 12;
  e.author.following = 34;
  e.author.listed = 5;
  e.author.posts = 678;
  e.author.verified_type = "blue";
  e.author.bio = "periodista";
  e.author.account_created_ms = 1'500'000'000'000;
  e.payload = "BTN_1";
  e.reply_to_id = "wamid.PREV";
  e.thread_id = "";
  e.parent_id = "comment.9";
  e.attachments = {
      {"image", "MEDIA_1", "", "image/jpeg", "abc123", "a caption", ""},
      {"document", "MEDIA_2", "https://x.test/d", "application/pdf", "def456", "", "factura.pdf"}};
  e.location = Location{37.44, -122.16, "Philz Coffee", "101 Forest Ave"};
  e.reaction_to_id = "wamid.R";
  e.reaction_emoji = "👍";
  e.referral_json = R"({"source_type":"ad"})";
  e.contacts_json = R"([{"name":"x"}])";
  e.new_author_id = "";
  e.unsupported_reason = "";
  e.raw_json = R"({"id":"wamid.FULL"})";
  // Fields since schema v2.
  e.action = "edit";
  e.standby = true;
  e.thread_url = "https://facebook.test/post/1";
  e.new_author_alt_id = "15550001111";
  e.rating = 4;
  return e;
}

void ExpectSameEvent(const Event& a, const Event& b) {
  EXPECT_EQ(a.channel, b.channel);
  EXPECT_EQ(a.account_id, b.account_id);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.visibility, b.visibility);
  EXPECT_EQ(a.platform_id, b.platform_id);
  EXPECT_EQ(a.dedup_key, b.dedup_key);
  EXPECT_EQ(a.author.id, b.author.id);
  EXPECT_EQ(a.author.alt_id, b.author.alt_id);
  EXPECT_EQ(a.author.name, b.author.name);
  EXPECT_EQ(a.author.handle, b.author.handle);
  EXPECT_EQ(a.author.phone, b.author.phone);
  EXPECT_EQ(a.author.followers, b.author.followers);
  EXPECT_EQ(a.author.following, b.author.following);
  EXPECT_EQ(a.author.listed, b.author.listed);
  EXPECT_EQ(a.author.posts, b.author.posts);
  EXPECT_EQ(a.author.verified_type, b.author.verified_type);
  EXPECT_EQ(a.author.bio, b.author.bio);
  EXPECT_EQ(a.author.account_created_ms, b.author.account_created_ms);
  EXPECT_EQ(a.timestamp_ms, b.timestamp_ms);
  EXPECT_EQ(a.text, b.text);
  EXPECT_EQ(a.payload, b.payload);
  EXPECT_EQ(a.reply_to_id, b.reply_to_id);
  EXPECT_EQ(a.thread_id, b.thread_id);
  EXPECT_EQ(a.parent_id, b.parent_id);
  ASSERT_EQ(a.attachments.size(), b.attachments.size());
  for (size_t i = 0; i < a.attachments.size(); ++i) {
    const Attachment& x = a.attachments[i];
    const Attachment& y = b.attachments[i];
    EXPECT_EQ(x.kind, y.kind);
    EXPECT_EQ(x.media_id, y.media_id);
    EXPECT_EQ(x.url, y.url);
    EXPECT_EQ(x.mime_type, y.mime_type);
    EXPECT_EQ(x.sha256, y.sha256);
    EXPECT_EQ(x.caption, y.caption);
    EXPECT_EQ(x.filename, y.filename);
  }
  ASSERT_EQ(a.location.has_value(), b.location.has_value());
  if (a.location) {
    EXPECT_EQ(a.location->latitude, b.location->latitude);
    EXPECT_EQ(a.location->longitude, b.location->longitude);
    EXPECT_EQ(a.location->name, b.location->name);
    EXPECT_EQ(a.location->address, b.location->address);
  }
  EXPECT_EQ(a.reaction_to_id, b.reaction_to_id);
  EXPECT_EQ(a.reaction_emoji, b.reaction_emoji);
  EXPECT_EQ(a.referral_json, b.referral_json);
  EXPECT_EQ(a.contacts_json, b.contacts_json);
  EXPECT_EQ(a.new_author_id, b.new_author_id);
  ASSERT_EQ(a.status.has_value(), b.status.has_value());
  if (a.status) {
    EXPECT_EQ(a.status->message_id, b.status->message_id);
    EXPECT_EQ(a.status->status, b.status->status);
    EXPECT_EQ(a.status->recipient_id, b.status->recipient_id);
    EXPECT_EQ(a.status->error_code, b.status->error_code);
    EXPECT_EQ(a.status->error_title, b.status->error_title);
    EXPECT_EQ(a.status->error_detail, b.status->error_detail);
  }
  EXPECT_EQ(a.unsupported_reason, b.unsupported_reason);
  EXPECT_EQ(a.raw_json, b.raw_json);
  EXPECT_EQ(a.direction, b.direction);
  EXPECT_EQ(a.action, b.action);
  EXPECT_EQ(a.standby, b.standby);
  EXPECT_EQ(a.recipient_id, b.recipient_id);
  EXPECT_EQ(a.thread_url, b.thread_url);
  EXPECT_EQ(a.new_author_alt_id, b.new_author_alt_id);
  EXPECT_EQ(a.rating, b.rating);
  if (a.status && b.status) {
    EXPECT_EQ(a.status->watermark_ms, b.status->watermark_ms);
  }
}

TEST_F(IngestTest, EveryFieldRoundTrips) {
  const Event full = FullEvent();
  Event plain = WhatsAppText("wamid.PLAIN", kWaId, "");  // no location, no attachments
  Event status = WhatsAppStatus("wamid.OUT", DeliveryStatus::kFailed);
  status.status->error_code = 131047;
  status.status->error_title = "Re-engagement message";
  status.status->error_detail = "more than 24 hours";
  Event unsupported = WhatsAppText("wamid.U", kWaId, "");
  unsupported.kind = EventKind::kUnsupported;
  unsupported.unsupported_reason = "type 'order' is not supported";
  Ingest({full, plain, status, unsupported});

  const std::vector<StoredEvent> stored = Events();
  ASSERT_EQ(stored.size(), 4u);
  ExpectSameEvent(stored[0].event, full);
  ExpectSameEvent(stored[1].event, plain);
  ExpectSameEvent(stored[2].event, status);
  ExpectSameEvent(stored[3].event, unsupported);
  EXPECT_EQ(stored[0].inbox_id, 1);
  EXPECT_EQ(stored[2].contact_id, 0) << "a status has no author";
  EXPECT_EQ(stored[2].conversation_id, 0);
}

TEST_F(IngestTest, TextIsStoredByteExact) {
  const std::vector<std::string> texts = {
      std::string("before\0after", 12),
      "emoji 😀👍🏽 and ZWJ 👨‍👩‍👧",
      "עברית ومرحبا RTL \u202Emixed",
      "'); DROP TABLE events; --",
      "<script>alert('x')</script>",
      std::string("invalid utf-8 \xff\xfe\xc3", 17),
      "",
  };
  std::vector<Event> events;
  for (size_t i = 0; i < texts.size(); ++i) {
    events.push_back(WhatsAppText("wamid.T" + std::to_string(i), kWaId, texts[i]));
  }
  // The same bytes in an id must also survive: dedup depends on them.
  events.push_back(WhatsAppText(std::string("wamid.\0NUL", 10), kWaId, "id with NUL"));
  IngestOutcome outcome = Ingest(events);
  EXPECT_EQ(outcome.events_stored, static_cast<int>(events.size()));

  const std::vector<StoredEvent> stored = Events();
  ASSERT_EQ(stored.size(), events.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    EXPECT_EQ(stored[i].event.text, texts[i]) << "text " << i;
    EXPECT_EQ(stored[i].event.text.size(), texts[i].size()) << "text " << i;
  }
  EXPECT_EQ(stored.back().event.dedup_key, std::string("wamid.\0NUL", 10));
  EventQuery by_key;
  by_key.dedup_key = std::string("wamid.\0NUL", 10);
  EXPECT_EQ(Events(by_key).size(), 1u);
  by_key.dedup_key = "wamid.";
  EXPECT_EQ(Events(by_key).size(), 0u) << "a key must not match at its NUL";
}

TEST_F(IngestTest, RebatchedRetryIsCountedDuplicateNotStoredTwice) {
  const Event m1 = WhatsAppText("wamid.1", kWaId, "uno");
  const Event m2 = WhatsAppText("wamid.2", kWaId, "dos");
  const Event m3 = WhatsAppText("wamid.3", kWaId, "tres");
  IngestOutcome first = Ingest({m1, m2});
  EXPECT_EQ(first.events_stored, 2);
  EXPECT_EQ(first.events_duplicate, 0);
  // Meta re-sends m2 batched with a new message in a different body.
  IngestOutcome second = Ingest({m2, m3});
  EXPECT_EQ(second.events_stored, 1);
  EXPECT_EQ(second.events_duplicate, 1);

  const std::vector<StoredEvent> stored = Events();
  ASSERT_EQ(stored.size(), 3u);
  EXPECT_EQ(stored[0].event.text, "uno");
  EXPECT_EQ(stored[1].event.text, "dos");
  EXPECT_EQ(stored[1].inbox_id, 1) << "the first delivery keeps the event";
  EXPECT_EQ(stored[2].event.text, "tres");
  EXPECT_EQ(store_->GetInboxStats(0)->backlog, 0);
}

TEST_F(IngestTest, RerunOfSameInboxRowStoresNothingTwice) {
  Event no_key = WhatsAppText("", kWaId, "a parser gave no id");
  no_key.dedup_key = "";
  Ingest({WhatsAppText("wamid.1", kWaId, "uno"), no_key});
  // A crash after the commit but before the worker moved on: the row is processed again.
  Result<IngestOutcome> again =
      store_->CommitIngest(1, {WhatsAppText("wamid.1", kWaId, "uno"), no_key}, 3'000);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->events_stored, 0);
  EXPECT_EQ(again->events_duplicate, 2);
  const std::vector<StoredEvent> stored = Events();
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[1].event.dedup_key, "inbox:1:1");
}

TEST_F(IngestTest, UnknownInboxRowIsNotFoundAndStoresNothing) {
  Result<IngestOutcome> outcome =
      store_->CommitIngest(77, {WhatsAppText("wamid.1", kWaId, "uno")}, 1);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(outcome.status().message(), "inbox row 77 does not exist");
  EXPECT_TRUE(Events().empty());
  EXPECT_FALSE(store_->FindContact(Channel::kWhatsApp, kWaId)->has_value());
}

TEST_F(IngestTest, SameChannelKeyOnOtherChannelIsNotADuplicate) {
  Event whatsapp = WhatsAppText("mid.1", kWaId, "wa");
  Event messenger = WhatsAppText("mid.1", "PSID_1", "fb");
  messenger.channel = Channel::kMessenger;
  IngestOutcome outcome = Ingest({whatsapp, messenger});
  EXPECT_EQ(outcome.events_stored, 2);
  EventQuery only_messenger;
  only_messenger.channel = Channel::kMessenger;
  const std::vector<StoredEvent> stored = Events(only_messenger);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].event.text, "fb");
  ASSERT_TRUE(store_->FindContact(Channel::kMessenger, "PSID_1")->has_value());
  EXPECT_EQ(store_->FindContact(Channel::kMessenger, "PSID_1")->value().identities[0].kind, "psid");
}

TEST_F(IngestTest, ContactKeyedByBsuidOrWaIdAndMergedWhenOneEventNamesBoth) {
  Event by_bsuid = WhatsAppText("wamid.1", kBsuid, "from a username user", 1'000);
  by_bsuid.author.name = "Muath";
  Ingest({by_bsuid});
  Event by_wa_id = WhatsAppText("wamid.2", kWaId, "from the phone", 2'000);
  Ingest({by_wa_id});

  const Contact older = ContactOf(kBsuid);
  const Contact newer = ContactOf(kWaId);
  ASSERT_NE(older.id, newer.id) << "nothing linked the two ids yet";
  ASSERT_EQ(older.identities.size(), 1u);
  EXPECT_EQ(older.identities[0].kind, "bsuid");
  ASSERT_EQ(newer.identities.size(), 1u);
  EXPECT_EQ(newer.identities[0].kind, "wa_id");
  const int64_t newer_conversation = Events()[1].conversation_id;

  Event both = WhatsAppText("wamid.3", kBsuid, "now with both ids", 3'000);
  both.author.alt_id = kWaId;
  both.author.name = "Muath A";
  both.author.phone = kWaId;
  Ingest({both});

  const Contact merged = ContactOf(kWaId);
  EXPECT_EQ(merged.id, older.id) << "merged into the older contact";
  EXPECT_EQ(merged.name, "Muath A");
  EXPECT_EQ(merged.phone, kWaId);
  ASSERT_EQ(merged.identities.size(), 2u);
  EXPECT_EQ(merged.identities[0].kind, "bsuid");
  EXPECT_EQ(merged.identities[0].external_id, kBsuid);
  EXPECT_EQ(merged.identities[1].kind, "wa_id");
  EXPECT_EQ(merged.identities[1].external_id, kWaId);
  // The merged contact's id still leads to the survivor.
  Result<std::optional<Contact>> via_old_id = store_->GetContact(newer.id);
  ASSERT_TRUE(via_old_id.ok());
  ASSERT_TRUE(via_old_id->has_value());
  EXPECT_EQ((*via_old_id)->id, older.id);

  // All three events now belong to one contact and one conversation.
  const std::vector<StoredEvent> stored = Events();
  ASSERT_EQ(stored.size(), 3u);
  for (const StoredEvent& e : stored) {
    EXPECT_EQ(e.contact_id, older.id);
    EXPECT_EQ(e.conversation_id, stored[0].conversation_id);
  }
  Result<std::optional<Conversation>> conversation = store_->GetConversation(newer_conversation);
  ASSERT_TRUE(conversation.ok());
  ASSERT_TRUE(conversation->has_value());
  EXPECT_EQ((*conversation)->id, stored[0].conversation_id);
  EXPECT_EQ((*conversation)->contact_id, older.id);
  EXPECT_EQ((*conversation)->last_inbound_ms, 3'000);
  EventQuery by_contact;
  by_contact.contact_id = older.id;
  EXPECT_EQ(Events(by_contact).size(), 3u);
}

TEST_F(IngestTest, MergeKeepsTheOlderThreadWhenTheNewerContactHasIt) {
  auto on = [](const std::string& account, const std::string& id, const std::string& author) {
    Event e = WhatsAppText(id, author, id);
    e.account_id = account;
    return e;
  };
  Ingest({on("X", "wamid.1", kBsuid)});  // contact A, thread (X, A)
  Ingest({on("Y", "wamid.2", kWaId)});   // contact B, thread (Y, B): the older one on Y
  Ingest({on("Y", "wamid.3", kBsuid)});  // thread (Y, A), newer
  const int64_t merged_thread = Events()[2].conversation_id;
  ASSERT_NE(merged_thread, Events()[1].conversation_id);
  Event both = on("Y", "wamid.4", kBsuid);
  both.author.alt_id = kWaId;
  Ingest({both});

  const std::vector<StoredEvent> stored = Events();
  ASSERT_EQ(stored.size(), 4u);
  const int64_t contact_a = stored[0].contact_id;
  const int64_t thread_y = stored[1].conversation_id;
  for (size_t i = 1; i < 4; ++i) {
    EXPECT_EQ(stored[i].conversation_id, thread_y) << "event " << i;
    EXPECT_EQ(stored[i].contact_id, contact_a) << "event " << i;
  }
  EXPECT_NE(stored[0].conversation_id, thread_y) << "another account keeps its own thread";
  Result<std::optional<Conversation>> survivor = store_->GetConversation(thread_y);
  ASSERT_TRUE(survivor.ok() && survivor->has_value());
  EXPECT_EQ((*survivor)->contact_id, contact_a);
  EXPECT_EQ((*survivor)->account_id, "Y");
  Result<std::optional<Conversation>> via_merged = store_->GetConversation(merged_thread);
  ASSERT_TRUE(via_merged.ok() && via_merged->has_value());
  EXPECT_EQ((*via_merged)->id, thread_y);
}

TEST_F(IngestTest, NameAndPhoneFollowTheLatestEventThatHasThem) {
  Event newer = WhatsAppText("wamid.2", kWaId, "b", 2'000);
  newer.author.name = "Nuevo Nombre";
  Ingest({newer});
  Event older = WhatsAppText("wamid.1", kWaId, "a", 1'000);  // delivered late
  older.author.name = "Viejo Nombre";
  older.author.phone = kWaId;
  Event nameless = WhatsAppText("wamid.3", kWaId, "c", 3'000);
  Ingest({older, nameless});

  const Contact contact = ContactOf(kWaId);
  EXPECT_EQ(contact.name, "Nuevo Nombre");
  EXPECT_EQ(contact.phone, kWaId) << "the only event with a phone sets it";
}

TEST_F(IngestTest, NumberChangeLinksTheNewIdToTheSameContact) {
  Ingest({WhatsAppText("wamid.1", kWaId, "hola")});
  Event change = WhatsAppText("wamid.SYS", kWaId, "", 2'000);
  change.kind = EventKind::kIdentity;
  change.type = "system";
  change.new_author_id = "15559998888";
  Ingest({change});
  EXPECT_EQ(ContactOf("15559998888").id, ContactOf(kWaId).id);
}

TEST_F(IngestTest, ConversationIsOnePrivateThreadPerAccountAndContact) {
  Ingest(
      {WhatsAppText("wamid.1", kWaId, "uno", 1'000), WhatsAppText("wamid.2", kWaId, "dos", 5'000)});
  Event other_account = WhatsAppText("wamid.3", kWaId, "tres", 3'000);
  other_account.account_id = "OTHER_NUMBER";
  Event reaction = WhatsAppText("wamid.4", kWaId, "", 9'000);
  reaction.kind = EventKind::kReaction;
  Ingest({other_account, reaction});

  const std::vector<StoredEvent> stored = Events();
  ASSERT_EQ(stored.size(), 4u);
  EXPECT_EQ(stored[0].conversation_id, stored[1].conversation_id);
  EXPECT_NE(stored[0].conversation_id, stored[2].conversation_id);
  EXPECT_EQ(stored[3].conversation_id, stored[0].conversation_id);
  Result<std::optional<Conversation>> conversation =
      store_->GetConversation(stored[0].conversation_id);
  ASSERT_TRUE(conversation.ok() && conversation->has_value());
  EXPECT_EQ((*conversation)->visibility, Visibility::kPrivate);
  EXPECT_EQ((*conversation)->account_id, "PHONE_NUMBER_ID");
  EXPECT_EQ((*conversation)->contact_id, stored[0].contact_id);
  EXPECT_EQ((*conversation)->last_inbound_ms, 5'000) << "a reaction does not open the window";
  EXPECT_FALSE(store_->GetConversation(999)->has_value());
}

TEST_F(IngestTest, PublicCommentsShareTheirPostsThread) {
  auto comment = [](const std::string& id, const std::string& author) {
    Event e = WhatsAppText(id, author, "comentario");
    e.channel = Channel::kMessenger;
    e.account_id = "PAGE_ID";
    e.kind = EventKind::kComment;
    e.visibility = Visibility::kPublic;
    e.thread_id = "POST_1";
    return e;
  };
  Ingest({comment("c1", "PSID_A"), comment("c2", "PSID_B")});
  const std::vector<StoredEvent> stored = Events();
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].conversation_id, stored[1].conversation_id);
  EXPECT_NE(stored[0].contact_id, stored[1].contact_id);
  Result<std::optional<Conversation>> thread = store_->GetConversation(stored[0].conversation_id);
  ASSERT_TRUE(thread.ok() && thread->has_value());
  EXPECT_EQ((*thread)->visibility, Visibility::kPublic);
  EXPECT_EQ((*thread)->thread_id, "POST_1");
  EXPECT_EQ((*thread)->contact_id, 0);
}

TEST_F(IngestTest, StatusOnlyMovesForward) {
  ASSERT_TRUE(store_->RecordOutbound(Channel::kWhatsApp, "wamid.OUT", 1, 100).ok());
  EXPECT_EQ(DeliveryOf("wamid.OUT").status, DeliveryStatus::kNone);

  IngestOutcome read = Ingest({WhatsAppStatus("wamid.OUT", DeliveryStatus::kRead, 3'000)});
  EXPECT_EQ(read.statuses_applied, 1);
  // Meta delivers out of order: "delivered" after "read" must not move it back.
  IngestOutcome late = Ingest({WhatsAppStatus("wamid.OUT", DeliveryStatus::kDelivered, 2'000),
                               WhatsAppStatus("wamid.OUT", DeliveryStatus::kSent, 1'000)});
  EXPECT_EQ(late.events_stored, 2) << "the status events themselves are kept";
  EXPECT_EQ(late.statuses_applied, 0);
  const DeliveryState state = DeliveryOf("wamid.OUT");
  EXPECT_EQ(state.status, DeliveryStatus::kRead);
  EXPECT_EQ(state.updated_ms, 3'000);
  EventQuery statuses;
  statuses.kind = EventKind::kStatus;
  EXPECT_EQ(Events(statuses).size(), 3u);
  // The same status delivered again is a duplicate event.
  IngestOutcome again = Ingest({WhatsAppStatus("wamid.OUT", DeliveryStatus::kRead, 3'000)});
  EXPECT_EQ(again.events_duplicate, 1);
}

TEST_F(IngestTest, FailedIsTerminalAndKeepsItsError) {
  ASSERT_TRUE(store_->RecordOutbound(Channel::kWhatsApp, "wamid.OUT", 1, 100).ok());
  Event failed = WhatsAppStatus("wamid.OUT", DeliveryStatus::kFailed, 2'000);
  failed.status->error_code = 131047;
  failed.status->error_title = "Re-engagement message";
  failed.status->error_detail = "more than 24 hours have passed";
  EXPECT_EQ(
      Ingest({WhatsAppStatus("wamid.OUT", DeliveryStatus::kSent, 1'000), failed}).statuses_applied,
      2);
  EXPECT_EQ(Ingest({WhatsAppStatus("wamid.OUT", DeliveryStatus::kRead, 3'000)}).statuses_applied,
            0);
  const DeliveryState state = DeliveryOf("wamid.OUT");
  EXPECT_EQ(state.status, DeliveryStatus::kFailed);
  EXPECT_EQ(state.error_code, 131047);
  EXPECT_EQ(state.error_title, "Re-engagement message");
  EXPECT_EQ(state.error_detail, "more than 24 hours have passed");
}

TEST_F(IngestTest, StatusBeforeItsMessageIsKeptThenApplied) {
  IngestOutcome early = Ingest({WhatsAppStatus("wamid.OUT", DeliveryStatus::kRead, 3'000),
                                WhatsAppStatus("wamid.OUT", DeliveryStatus::kDelivered, 2'000)});
  EXPECT_EQ(early.statuses_pending, 2);
  EXPECT_EQ(early.statuses_applied, 0);
  EXPECT_FALSE(store_->GetDelivery(Channel::kWhatsApp, "wamid.OUT")->has_value());

  ASSERT_TRUE(store_->RecordOutbound(Channel::kWhatsApp, "wamid.OUT", 1, 100).ok());
  const DeliveryState state = DeliveryOf("wamid.OUT");
  EXPECT_EQ(state.status, DeliveryStatus::kRead) << "read arrived first and still wins";
  EXPECT_EQ(state.updated_ms, 3'000);

  // Recording again (a retried call) changes nothing; later statuses apply directly.
  ASSERT_TRUE(store_->RecordOutbound(Channel::kWhatsApp, "wamid.OUT", 1, 200).ok());
  EXPECT_EQ(DeliveryOf("wamid.OUT").status, DeliveryStatus::kRead);
  // Pending statuses of another channel's same id do not leak.
  Event messenger = WhatsAppStatus("wamid.X", DeliveryStatus::kDelivered);
  messenger.channel = Channel::kMessenger;
  EXPECT_EQ(Ingest({messenger}).statuses_pending, 1);
  ASSERT_TRUE(store_->RecordOutbound(Channel::kWhatsApp, "wamid.X", 1, 300).ok());
  EXPECT_EQ(DeliveryOf("wamid.X").status, DeliveryStatus::kNone);
}

TEST_F(IngestTest, PruneForgetsStatusesWaitingLongerThanTheKeyWindow) {
  constexpr int64_t kDay = 24 * 60 * 60 * 1000;
  const int64_t t0 = 1'700'000'000'000;
  Ingest({WhatsAppStatus("wamid.OLD", DeliveryStatus::kRead, t0),
          WhatsAppStatus("wamid.NEW", DeliveryStatus::kRead, t0 + 8 * kDay)});
  ASSERT_TRUE(store_->Prune(t0 + 9 * kDay, 1, 8).ok());
  ASSERT_TRUE(store_->RecordOutbound(Channel::kWhatsApp, "wamid.OLD", 1, t0 + 9 * kDay).ok());
  ASSERT_TRUE(store_->RecordOutbound(Channel::kWhatsApp, "wamid.NEW", 1, t0 + 9 * kDay).ok());
  EXPECT_EQ(DeliveryOf("wamid.OLD").status, DeliveryStatus::kNone);
  EXPECT_EQ(DeliveryOf("wamid.NEW").status, DeliveryStatus::kRead);
}

TEST_F(IngestTest, RecordOutboundRefusesEmptyId) {
  Status status = store_->RecordOutbound(Channel::kWhatsApp, "", 1, 1);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "outbound message id is empty");
}

EventQuery Everything() {
  EventQuery query;
  query.limit = 10'000;
  return query;
}

TEST_F(IngestTest, ReadersRunWhileWritersIngest) {
  constexpr int kRows = 200;
  std::atomic<bool> done{false};
  std::atomic<int> read_errors{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      size_t last_seen = 0;
      while (!done) {
        Result<std::vector<StoredEvent>> events = store_->ListEvents(Everything());
        Result<std::optional<Contact>> contact = store_->FindContact(Channel::kWhatsApp, kWaId);
        if (!events.ok() || !contact.ok() || events->size() < last_seen) ++read_errors;
        if (events.ok()) last_seen = events->size();  // committed rows never disappear
      }
    });
  }
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&, w] {
      for (int i = w; i < kRows; i += 2) {
        const std::string id = "wamid." + std::to_string(i);
        EXPECT_EQ(store_->AppendInbox(Delivery(id)).value(), AppendOutcome::kStored);
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  // One ingest worker, as the daemon runs it, while the readers keep reading.
  Result<std::vector<InboxRow>> rows = store_->PendingInbox(0, kRows);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), static_cast<size_t>(kRows));
  for (const InboxRow& row : *rows) {
    ASSERT_TRUE(store_->CommitIngest(row.id, {WhatsAppText(row.body, kWaId, row.body)}, 1).ok());
  }
  done = true;
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(read_errors.load(), 0);
  EXPECT_EQ(Events(Everything()).size(), static_cast<size_t>(kRows));
  EXPECT_EQ(store_->GetInboxStats(0)->backlog, 0);
}

TEST_F(IngestTest, BatchCommitsManyRowsTogetherAndIsolatesFailures) {
  for (const char* body : {"row 1", "row 2"}) {
    ASSERT_TRUE(store_->AppendInbox(Delivery(body)).ok());
  }
  const int64_t commits_before = store_->GetWriterStats().commits;
  std::vector<Result<IngestOutcome>> results = store_->CommitIngestBatch(
      {Item(1, {WhatsAppText("wamid.1", kWaId, "uno"), WhatsAppText("wamid.2", kWaId, "dos")}),
       Item(999, {WhatsAppText("wamid.X", kWaId, "row 999 does not exist")}),
       Item(2, {WhatsAppText("wamid.2", kWaId, "dos"), WhatsAppText("wamid.3", kWaId, "tres")})},
      2'000);

  ASSERT_EQ(results.size(), 3u);
  ASSERT_TRUE(results[0].ok()) << results[0].status().ToString();
  EXPECT_EQ(results[0]->events_stored, 2);
  ASSERT_FALSE(results[1].ok());
  EXPECT_EQ(results[1].status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(results[1].status().message(), "inbox row 999 does not exist");
  ASSERT_TRUE(results[2].ok()) << results[2].status().ToString();
  EXPECT_EQ(results[2]->events_stored, 1);
  EXPECT_EQ(results[2]->events_duplicate, 1) << "a row sees the rows before it in the batch";
  EXPECT_EQ(store_->GetWriterStats().commits - commits_before, 1) << "one transaction";
  EXPECT_EQ(Events().size(), 3u);
  EXPECT_EQ(store_->GetInboxStats(0)->backlog, 0);
}

// The ingest worker hands a batch over and prepares the next while it commits.
TEST_F(IngestTest, StartedBatchesCommitInOrderWhileTheCallerGoesOn) {
  for (const char* body : {"row 1", "row 2", "row 3"}) {
    ASSERT_TRUE(store_->AppendInbox(Delivery(body)).ok());
  }
  std::unique_ptr<PendingIngest> first = store_->StartIngestBatch(
      {Item(1, {WhatsAppText("wamid.1", kWaId, "uno")}),
       Item(999, {WhatsAppText("wamid.X", kWaId, "row 999 does not exist")})},
      2'000);
  std::unique_ptr<PendingIngest> second = store_->StartIngestBatch(
      {Item(2, {WhatsAppText("wamid.1", kWaId, "uno"), WhatsAppText("wamid.2", kWaId, "dos")})},
      2'000);

  std::vector<Result<IngestOutcome>> first_results = first->Wait();
  ASSERT_EQ(first_results.size(), 2u);
  ASSERT_TRUE(first_results[0].ok()) << first_results[0].status().ToString();
  EXPECT_EQ(first_results[0]->events_stored, 1);
  ASSERT_FALSE(first_results[1].ok());
  EXPECT_EQ(first_results[1].status().code(), ErrorCode::kNotFound);
  std::vector<Result<IngestOutcome>> second_results = second->Wait();
  ASSERT_EQ(second_results.size(), 1u);
  ASSERT_TRUE(second_results[0].ok()) << second_results[0].status().ToString();
  EXPECT_EQ(second_results[0]->events_stored, 1);
  EXPECT_EQ(second_results[0]->events_duplicate, 1) << "the first batch landed before it";
  EXPECT_EQ(Events().size(), 2u);
  Result<InboxBacklog> backlog = store_->GetInboxBacklog();
  ASSERT_TRUE(backlog.ok());
  EXPECT_EQ(backlog->rows, 1) << "row 3 was never handed over";
  // A processed row's body sent again is a duplicate; row 3's is still pending, so too.
  EXPECT_EQ(store_->AppendInbox(Delivery("row 1")).value(), AppendOutcome::kDuplicate);
  EXPECT_EQ(store_->AppendInbox(Delivery("row 3")).value(), AppendOutcome::kDuplicate);
}

TEST(IngestBatch, RefusedWholeWhenItDoesNotFitTheQueue) {
  TestDir dir;
  SqliteOptions options = Options(dir.File("a.db"));
  options.max_waiting_writes = 2;
  auto store = OpenOrDie(options);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->AppendInbox(Delivery("row 1")).ok());
  std::vector<Result<IngestOutcome>> results = store->CommitIngestBatch(
      {Item(1, {WhatsAppText("wamid.1", kWaId, "uno")}), Item(1, {}), Item(1, {})}, 5);
  ASSERT_EQ(results.size(), 3u);
  for (const auto& result : results) {
    EXPECT_EQ(result.status().code(), ErrorCode::kUnavailable);
    EXPECT_EQ(result.status().message(),
              "store overloaded: 0 writes waiting, 3 more do not fit (limit 2)");
  }
  EXPECT_EQ(store->GetInboxStats(0)->backlog, 1) << "nothing of a refused batch is applied";
}

TEST(IngestBatch, LargerThanMaxBatchSpansSeveralCommits) {
  TestDir dir;
  SqliteOptions options = Options(dir.File("a.db"));
  options.max_batch = 2;
  auto store = OpenOrDie(options);
  ASSERT_NE(store, nullptr);
  std::vector<IngestItem> items;
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(store->AppendInbox(Delivery("row " + std::to_string(i))).ok());
    items.push_back(Item(i, {WhatsAppText("wamid." + std::to_string(i), kWaId, "x")}));
  }
  const int64_t commits_before = store->GetWriterStats().commits;
  for (const auto& result : store->CommitIngestBatch(items, 5)) {
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(result->events_stored, 1);
  }
  EXPECT_EQ(store->GetWriterStats().commits - commits_before, 3);
}

TEST_F(IngestTest, ListEventsFiltersAndPages) {
  std::vector<Event> events;
  for (int i = 0; i < 5; ++i) {
    events.push_back(WhatsAppText("wamid." + std::to_string(i), kWaId, std::to_string(i)));
  }
  events.push_back(WhatsAppStatus("wamid.OUT", DeliveryStatus::kSent));
  Ingest(events);

  EventQuery page;
  page.kind = EventKind::kMessage;
  page.limit = 2;
  std::vector<StoredEvent> first = Events(page);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[1].event.text, "1");
  page.after_id = first.back().id;
  page.limit = 100;
  std::vector<StoredEvent> rest = Events(page);
  ASSERT_EQ(rest.size(), 3u);
  EXPECT_EQ(rest[0].event.text, "2");
  EventQuery by_conversation;
  by_conversation.conversation_id = first[0].conversation_id;
  EXPECT_EQ(Events(by_conversation).size(), 5u);
  EventQuery wrong_channel;
  wrong_channel.channel = Channel::kTwitter;
  EXPECT_TRUE(Events(wrong_channel).empty());
}

}  // namespace
}  // namespace atalaya::store
