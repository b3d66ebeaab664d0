// What migration 2 added to events: the rules' decision beside each event, text keys for the
// duplicate filter, outbound-direction events (echoes) and their contacts.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/decision.h"
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

constexpr char kWaId[] = "15551234567";

Decision SampleDecision() {
  Decision d;
  d.ruleset_version = "sha256:4f2a";
  d.filter = FilterAction::kCount;
  d.filter_reason = "promo";
  d.filter_rule = "promo_flood";
  d.labels = {{"kind", "queja"}, {"topic", "facturacion"}, {"urgency", "alta"}};
  d.influence = 72.5;
  d.influence_tier = "vip";
  d.influence_terms = {{"followers", 0.9, 0.5, 0.45}};
  d.priority = "p1";
  d.queue = "facturacion_vip";
  d.skills = {"es"};
  d.replies = {"ack_queja"};
  d.trace = {{"filter", "promo_flood", "list promos: \"gratis\""}};
  return d;
}

// A Messenger message from the customer (inbound) or written to them by the Page elsewhere.
Event MessengerText(const std::string& id, Direction direction, int64_t timestamp_ms) {
  Event e;
  e.channel = Channel::kMessenger;
  e.account_id = "PAGE_1";
  e.kind = EventKind::kMessage;
  e.type = "text";
  e.platform_id = id;
  e.dedup_key = id;
  e.direction = direction;
  e.timestamp_ms = timestamp_ms;
  e.text = "hola";
  if (direction == Direction::kInbound) {
    e.author.id = "PSID_ANA";
    e.author.name = "Ana";
  } else {
    e.author.id = "PAGE_1";
    e.author.name = "Mi Página";
    e.recipient_id = "PSID_ANA";
  }
  return e;
}

class EventsV2Test : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenOrDie(Options(dir_.File("a.db")));
    ASSERT_NE(store_, nullptr);
  }

  int64_t NewInboxRow() {
    EXPECT_TRUE(store_->AppendInbox(Delivery("delivery " + std::to_string(++rows_))).ok());
    return rows_;
  }

  Result<IngestOutcome> Commit(const IngestItem& item) {
    std::vector<Result<IngestOutcome>> results = store_->CommitIngestBatch({item}, 2'000);
    return results.at(0);
  }

  std::vector<StoredEvent> Events(EventQuery query = {}) {
    Result<std::vector<StoredEvent>> events = store_->ListEvents(query);
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    return events.ok() ? *events : std::vector<StoredEvent>{};
  }

  bool Recent(const std::string& author, const std::string& key, int64_t since, int64_t until,
              Channel channel = Channel::kWhatsApp) {
    Result<bool> found = store_->HasRecentText(channel, author, key, since, until);
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    return found.ok() && *found;
  }

  TestDir dir_;
  std::unique_ptr<Store> store_;
  int64_t rows_ = 0;
};

TEST_F(EventsV2Test, DecisionRoundTripsAndFillsItsColumns) {
  IngestItem item = Item(NewInboxRow(), {WhatsAppText("wamid.1", kWaId, "me cobraron doble"),
                                         WhatsAppText("wamid.2", kWaId, "gracias")});
  item.decisions = {SampleDecision(), std::nullopt};
  Result<IngestOutcome> outcome = Commit(item);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();

  const std::vector<StoredEvent> events = Events();
  ASSERT_EQ(events.size(), 2u);
  ASSERT_TRUE(events[0].decision.has_value());
  EXPECT_EQ(*events[0].decision, SampleDecision());
  EXPECT_FALSE(events[1].decision.has_value()) << "stored without a decision";

  Result<std::optional<StoredEvent>> one = store_->GetEvent(events[0].id);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_TRUE(one->has_value());
  EXPECT_EQ((*one)->event.text, "me cobraron doble");
  EXPECT_EQ((*one)->decision, SampleDecision());

  // The queryable columns, as a report or an operator's SQL sees them.
  SQLite::Database db(dir_.File("a.db"), SQLite::OPEN_READONLY);
  SQLite::Statement row(db,
                        "SELECT filter_action, filter_reason, decision_kind, decision_topic, "
                        "priority, queue, influence, ruleset_version FROM events ORDER BY id");
  ASSERT_TRUE(row.executeStep());
  EXPECT_EQ(row.getColumn(0).getString(), "count");
  EXPECT_EQ(row.getColumn(1).getString(), "promo");
  EXPECT_EQ(row.getColumn(2).getString(), "queja");
  EXPECT_EQ(row.getColumn(3).getString(), "facturacion");
  EXPECT_EQ(row.getColumn(4).getString(), "p1");
  EXPECT_EQ(row.getColumn(5).getString(), "facturacion_vip");
  EXPECT_EQ(row.getColumn(6).getDouble(), 72.5);
  EXPECT_EQ(row.getColumn(7).getString(), "sha256:4f2a");
  ASSERT_TRUE(row.executeStep());
  EXPECT_TRUE(row.getColumn(0).isNull()) << "no decision: NULL, not 'none'";
}

TEST_F(EventsV2Test, GetEventOfUnknownIdIsEmpty) {
  ASSERT_TRUE(Commit(Item(NewInboxRow(), {WhatsAppText("wamid.1", kWaId, "a")})).ok());
  for (int64_t id : {0, 2, 999}) {
    Result<std::optional<StoredEvent>> none = store_->GetEvent(id);
    ASSERT_TRUE(none.ok()) << none.status().ToString();
    EXPECT_FALSE(none->has_value()) << "event " << id;
  }
}

TEST_F(EventsV2Test, DecisionsOrTextKeysNotOnePerEventFailTheItem) {
  IngestItem item = Item(NewInboxRow(), {WhatsAppText("wamid.1", kWaId, "a")});
  item.decisions = {SampleDecision(), SampleDecision()};
  Result<IngestOutcome> outcome = Commit(item);
  EXPECT_EQ(outcome.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(outcome.status().message(), "inbox row 1: 2 decisions for 1 events");

  item.decisions.clear();
  item.text_keys = {"k1", "k2", "k3"};
  outcome = Commit(item);
  EXPECT_EQ(outcome.status().message(), "inbox row 1: 3 text keys for 1 events");
  EXPECT_TRUE(Events().empty());
  EXPECT_EQ(store_->GetInboxStats(0)->backlog, 1) << "the row stays pending";
}

TEST_F(EventsV2Test, RecentTextWindowIncludesBothEdges) {
  IngestItem item = Item(NewInboxRow(), {WhatsAppText("wamid.1", kWaId, "PROMO!!", 10'000),
                                         WhatsAppText("wamid.2", kWaId, "sin clave", 10'000)});
  item.text_keys = {"promo", ""};
  ASSERT_TRUE(Commit(item).ok());

  EXPECT_TRUE(Recent(kWaId, "promo", 10'000, 10'000));
  EXPECT_TRUE(Recent(kWaId, "promo", 0, 10'000));
  EXPECT_TRUE(Recent(kWaId, "promo", 10'000, 99'000));
  EXPECT_FALSE(Recent(kWaId, "promo", 10'001, 99'000)) << "sent before the window";
  EXPECT_FALSE(Recent(kWaId, "promo", 0, 9'999)) << "sent after the window";
  EXPECT_FALSE(Recent("15550000000", "promo", 0, 99'000)) << "another author";
  EXPECT_FALSE(Recent(kWaId, "promo", 0, 99'000, Channel::kMessenger)) << "another channel";
  EXPECT_FALSE(Recent(kWaId, "otra", 0, 99'000));
  EXPECT_FALSE(Recent(kWaId, "", 0, 99'000)) << "an event without a key matches nothing";
}

TEST_F(EventsV2Test, OutboundEchoBelongsToTheRecipientAndKeepsTheWindow) {
  ASSERT_TRUE(
      Commit(Item(NewInboxRow(), {MessengerText("m.in", Direction::kInbound, 1'000)})).ok());
  ASSERT_TRUE(
      Commit(Item(NewInboxRow(), {MessengerText("m.echo", Direction::kOutboundHuman, 5'000)}))
          .ok());

  const std::vector<StoredEvent> events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].event.direction, Direction::kOutboundHuman);
  EXPECT_EQ(events[1].event.recipient_id, "PSID_ANA");
  EXPECT_EQ(events[1].contact_id, events[0].contact_id) << "the customer, not the Page";
  EXPECT_EQ(events[1].conversation_id, events[0].conversation_id);

  Result<std::optional<Conversation>> conversation =
      store_->GetConversation(events[0].conversation_id);
  ASSERT_TRUE(conversation.ok() && conversation->has_value());
  EXPECT_EQ((*conversation)->last_inbound_ms, 1'000) << "our own message opens no window";

  Result<std::optional<Contact>> ana = store_->GetContact(events[0].contact_id);
  ASSERT_TRUE(ana.ok() && ana->has_value());
  EXPECT_EQ((*ana)->name, "Ana") << "the Page's name must not become the customer's";
  Result<std::optional<Contact>> page = store_->FindContact(Channel::kMessenger, "PAGE_1");
  ASSERT_TRUE(page.ok());
  EXPECT_FALSE(page->has_value()) << "the Page is nobody's contact";
}

TEST_F(EventsV2Test, EchoBeforeAnyCustomerMessageStartsTheThread) {
  ASSERT_TRUE(
      Commit(Item(NewInboxRow(), {MessengerText("m.echo", Direction::kOutboundHuman, 5'000)}))
          .ok());
  ASSERT_TRUE(
      Commit(Item(NewInboxRow(), {MessengerText("m.in", Direction::kInbound, 6'000)})).ok());
  const std::vector<StoredEvent> events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_NE(events[0].contact_id, 0);
  EXPECT_EQ(events[1].contact_id, events[0].contact_id);
  EXPECT_EQ(events[1].conversation_id, events[0].conversation_id);
  Result<std::optional<Conversation>> conversation =
      store_->GetConversation(events[0].conversation_id);
  ASSERT_TRUE(conversation.ok() && conversation->has_value());
  EXPECT_EQ((*conversation)->last_inbound_ms, 6'000);
}

TEST_F(EventsV2Test, ListEventsFiltersByDirection) {
  ASSERT_TRUE(Commit(Item(NewInboxRow(), {MessengerText("m.1", Direction::kInbound, 1'000),
                                          MessengerText("m.2", Direction::kOutboundHuman, 2'000),
                                          MessengerText("m.3", Direction::kInbound, 3'000)}))
                  .ok());
  EventQuery inbound;
  inbound.direction = Direction::kInbound;
  std::vector<StoredEvent> events = Events(inbound);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event.platform_id, "m.1");
  EXPECT_EQ(events[1].event.platform_id, "m.3");
  EventQuery outbound;
  outbound.direction = Direction::kOutboundAccount;
  EXPECT_TRUE(Events(outbound).empty());
}

}  // namespace
}  // namespace atalaya::store
