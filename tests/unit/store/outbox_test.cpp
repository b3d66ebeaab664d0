// The outbox as the sender worker and the API use it: the life of a message, its errors,
// crash recovery, idempotency, private replies, outbound rows written with their ingest, and
// delivery statuses (by id and by Messenger watermark) showing on the outbox rows.

#include <gtest/gtest.h>

#include <string>
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

constexpr char kWaId[] = "15551234567";

Event MessengerFrom(const std::string& psid, const std::string& id) {
  Event e;
  e.channel = Channel::kMessenger;
  e.account_id = "PAGE_1";
  e.kind = EventKind::kMessage;
  e.type = "text";
  e.platform_id = id;
  e.dedup_key = id;
  e.author.id = psid;
  e.timestamp_ms = 1'000;
  e.text = "hola";
  return e;
}

// A Messenger read/delivery receipt: everything sent to `psid` up to `watermark_ms`.
Event Watermark(const std::string& psid, DeliveryStatus status, int64_t watermark_ms) {
  Event e;
  e.channel = Channel::kMessenger;
  e.account_id = "PAGE_1";
  e.kind = EventKind::kStatus;
  e.type = DeliveryStatusName(status);
  e.dedup_key = psid + ":" + DeliveryStatusName(status) + ":" + std::to_string(watermark_ms);
  e.timestamp_ms = watermark_ms;
  StatusUpdate update;
  update.status = status;
  update.recipient_id = psid;
  update.watermark_ms = watermark_ms;
  e.status = update;
  return e;
}

NewOutbound Text(int64_t conversation_id, const std::string& recipient,
                 Channel channel = Channel::kWhatsApp) {
  NewOutbound m;
  m.channel = channel;
  m.account_id = channel == Channel::kWhatsApp ? "PHONE_NUMBER_ID" : "PAGE_1";
  m.conversation_id = conversation_id;
  m.recipient_id = recipient;
  m.kind = "text";
  m.payload_json = R"({"text":"Hola, ¿en qué te ayudo?"})";
  m.author = "bot";
  return m;
}

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    store_ = OpenOrDie(Options(dir_.File("a.db")));
    ASSERT_NE(store_, nullptr);
  }

  int64_t NewInboxRow() {
    EXPECT_TRUE(store_->AppendInbox(Delivery("delivery " + std::to_string(++rows_))).ok());
    return rows_;
  }

  // Ingests `events` in a new inbox row; returns the conversation of the first one.
  int64_t Ingest(const std::vector<Event>& events) {
    Result<IngestOutcome> outcome = store_->CommitIngest(NewInboxRow(), events, 2'000);
    EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
    EventQuery query;
    query.after_id = last_event_id_;
    Result<std::vector<StoredEvent>> stored = store_->ListEvents(query);
    EXPECT_TRUE(stored.ok() && !stored->empty());
    if (!stored.ok() || stored->empty()) return 0;
    last_event_id_ = stored->back().id;
    return stored->front().conversation_id;
  }

  int64_t Enqueue(const NewOutbound& message, int64_t now_ms = 10'000) {
    Result<int64_t> id = store_->EnqueueOutbound(message, now_ms);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }

  OutboundMessage Get(int64_t id) {
    Result<std::optional<OutboundMessage>> message = store_->GetOutbound(id);
    EXPECT_TRUE(message.ok() && message->has_value()) << "no outbound message " << id;
    return message.ok() && message->has_value() ? **message : OutboundMessage{};
  }

  std::vector<int64_t> DueIds(int64_t now_ms) {
    Result<std::vector<OutboundMessage>> due = store_->DueOutbound(now_ms, 100);
    EXPECT_TRUE(due.ok()) << due.status().ToString();
    std::vector<int64_t> ids;
    if (due.ok()) {
      for (const OutboundMessage& m : *due) ids.push_back(m.id);
    }
    return ids;
  }

  // Takes a pending message through sending to sent at `sent_ms`.
  void Send(int64_t id, const std::string& platform_id, int64_t sent_ms) {
    ASSERT_TRUE(store_->MarkOutboundSending(id, sent_ms).ok());
    Status sent = store_->MarkOutboundSent(id, platform_id, sent_ms);
    ASSERT_TRUE(sent.ok()) << sent.ToString();
  }

  TestDir dir_;
  std::unique_ptr<Store> store_;
  int64_t rows_ = 0;
  int64_t last_event_id_ = 0;
};

TEST_F(OutboxTest, MessageLivesThroughRetryToSent) {
  const int64_t conversation = Ingest({WhatsAppText("wamid.in", kWaId, "hola")});
  NewOutbound request = Text(conversation, kWaId);
  request.human_agent = true;
  request.author = "agent:7";
  const int64_t id = Enqueue(request, 10'000);

  OutboundMessage m = Get(id);
  EXPECT_EQ(m.state, OutboxState::kPending);
  EXPECT_EQ(m.request.payload_json, R"({"text":"Hola, ¿en qué te ayudo?"})");
  EXPECT_EQ(m.request.author, "agent:7");
  EXPECT_TRUE(m.request.human_agent);
  EXPECT_EQ(m.request.conversation_id, conversation);
  EXPECT_EQ(m.attempts, 0);
  EXPECT_EQ(m.created_ms, 10'000);
  EXPECT_EQ(DueIds(10'000), std::vector<int64_t>{id});
  EXPECT_TRUE(DueIds(9'999).empty()) << "not due before it was queued";

  ASSERT_TRUE(store_->MarkOutboundSending(id, 10'001).ok());
  EXPECT_EQ(Get(id).state, OutboxState::kSending);
  EXPECT_EQ(Get(id).attempts, 1);
  EXPECT_TRUE(DueIds(99'000).empty()) << "a message being sent is not due again";

  ASSERT_TRUE(
      store_->MarkOutboundRetry(id, 15'000, {130429, 2494055, "rate limit hit"}, 10'002).ok());
  m = Get(id);
  EXPECT_EQ(m.state, OutboxState::kPending);
  EXPECT_EQ(m.next_attempt_ms, 15'000);
  EXPECT_EQ(m.last_error.code, 130429);
  EXPECT_EQ(m.last_error.subcode, 2494055);
  EXPECT_EQ(m.last_error.message, "rate limit hit");
  EXPECT_TRUE(DueIds(14'999).empty());
  EXPECT_EQ(DueIds(15'000), std::vector<int64_t>{id});

  ASSERT_TRUE(store_->MarkOutboundSending(id, 15'000).ok());
  ASSERT_TRUE(store_->MarkOutboundSent(id, "wamid.OUT1", 15'010).ok());
  m = Get(id);
  EXPECT_EQ(m.state, OutboxState::kSent);
  EXPECT_EQ(m.attempts, 2);
  EXPECT_EQ(m.sent_ms, 15'010);
  EXPECT_EQ(m.platform_message_id, "wamid.OUT1");
  EXPECT_FALSE(m.possible_duplicate);

  Result<std::vector<OutboundMessage>> listed = store_->ListOutbound(conversation);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].id, id);
}

TEST_F(OutboxTest, WrongMovesNameTheStateTheMessageIsIn) {
  const int64_t conversation = Ingest({WhatsAppText("wamid.in", kWaId, "hola")});
  const int64_t id = Enqueue(Text(conversation, kWaId));

  Status s = store_->MarkOutboundSent(id, "wamid.X", 1);
  EXPECT_EQ(s.code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "outbound message 1 is pending, not sending");
  s = store_->MarkOutboundRetry(id, 5, {}, 1);
  EXPECT_EQ(s.message(), "outbound message 1 is pending, not sending");

  Send(id, "wamid.X", 20);
  s = store_->MarkOutboundSending(id, 30);
  EXPECT_EQ(s.code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "outbound message 1 is sent, not pending");
  s = store_->MarkOutboundFailed(id, {190, 0, "token expired"}, 30);
  EXPECT_EQ(s.message(), "outbound message 1 is sent, not sending or pending");
  EXPECT_EQ(Get(id).state, OutboxState::kSent) << "a refused move changes nothing";

  s = store_->MarkOutboundSending(99, 30);
  EXPECT_EQ(s.code(), ErrorCode::kNotFound);
  EXPECT_EQ(s.message(), "outbound message 99 does not exist");
  Result<std::optional<OutboundMessage>> none = store_->GetOutbound(99);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  const int64_t other = Enqueue(Text(conversation, kWaId));
  ASSERT_TRUE(store_->MarkOutboundSending(other, 40).ok());
  s = store_->MarkOutboundSent(other, "", 41);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "outbound message 2: the platform message id is empty");
}

TEST_F(OutboxTest, FailedIsTerminalAndKeepsTheError) {
  const int64_t conversation = Ingest({WhatsAppText("wamid.in", kWaId, "hola")});
  const int64_t pending = Enqueue(Text(conversation, kWaId));
  const int64_t sending = Enqueue(Text(conversation, kWaId));
  ASSERT_TRUE(store_->MarkOutboundSending(sending, 11).ok());

  ASSERT_TRUE(store_->MarkOutboundFailed(pending, {0, 0, "template not found"}, 12).ok());
  ASSERT_TRUE(store_->MarkOutboundFailed(sending, {131047, 0, "re-engagement"}, 12).ok());
  EXPECT_EQ(Get(pending).state, OutboxState::kFailed);
  EXPECT_EQ(Get(pending).last_error.message, "template not found");
  EXPECT_EQ(Get(sending).last_error.code, 131047);
  EXPECT_TRUE(DueIds(99'000).empty());
  EXPECT_EQ(store_->MarkOutboundSending(pending, 13).message(),
            "outbound message 1 is failed, not pending");
}

TEST_F(OutboxTest, CrashWhileSendingIsRecoveredAsPossibleDuplicate) {
  const int64_t conversation = Ingest({WhatsAppText("wamid.in", kWaId, "hola")});
  const int64_t in_flight = Enqueue(Text(conversation, kWaId));
  const int64_t waiting = Enqueue(Text(conversation, kWaId));
  const int64_t done = Enqueue(Text(conversation, kWaId));
  Send(done, "wamid.DONE", 11);
  ASSERT_TRUE(store_->MarkOutboundSending(in_flight, 12).ok());

  store_.reset();  // the process dies with the request in the air
  Open();
  EXPECT_EQ(Get(in_flight).state, OutboxState::kSending) << "kSending was durable";

  Result<int64_t> recovered = store_->RecoverOutbound(20);
  ASSERT_TRUE(recovered.ok()) << recovered.status().ToString();
  EXPECT_EQ(*recovered, 1);
  OutboundMessage m = Get(in_flight);
  EXPECT_EQ(m.state, OutboxState::kPending);
  EXPECT_TRUE(m.possible_duplicate);
  EXPECT_EQ(m.attempts, 1);
  EXPECT_FALSE(Get(waiting).possible_duplicate);
  EXPECT_FALSE(Get(done).possible_duplicate);
  EXPECT_EQ(Get(done).state, OutboxState::kSent);
  EXPECT_EQ(DueIds(20'000), (std::vector<int64_t>{in_flight, waiting}));
  EXPECT_EQ(*store_->RecoverOutbound(21), 0) << "nothing is left sending";
}

TEST_F(OutboxTest, IdempotencyKeyIsUsedOnce) {
  const int64_t conversation = Ingest({WhatsAppText("wamid.in", kWaId, "hola")});
  NewOutbound request = Text(conversation, kWaId);
  request.idempotency_key = "api-req-42";
  const int64_t id = Enqueue(request);

  Result<int64_t> again = store_->EnqueueOutbound(request, 11'000);
  EXPECT_EQ(again.status().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(
      again.status().message(),
      "idempotency key \"api-req-42\" was already used by outbound message " + std::to_string(id));
  EXPECT_EQ(store_->ListOutbound(conversation)->size(), 1u);

  request.idempotency_key = "";
  Enqueue(request);
  Enqueue(request);  // no key: no dedup
  EXPECT_EQ(store_->ListOutbound(conversation)->size(), 3u);
}

TEST_F(OutboxTest, OnePrivateReplyPerComment) {
  Event comment = MessengerFrom("PSID_ANA", "comment_9");
  comment.kind = EventKind::kComment;
  comment.visibility = Visibility::kPublic;
  comment.thread_id = "post_1";
  const int64_t thread = Ingest({comment});
  NewOutbound reply = Text(thread, "comment_9", Channel::kMessenger);
  reply.kind = "private_reply";
  const int64_t first = Enqueue(reply);

  Result<int64_t> second = store_->EnqueueOutbound(reply, 11'000);
  EXPECT_EQ(second.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(second.status().message(), "a private reply was already sent to comment comment_9");

  NewOutbound other = reply;
  other.recipient_id = "comment_10";
  Enqueue(other);
  NewOutbound public_reply = reply;
  public_reply.kind = "public_reply";
  Enqueue(public_reply);  // only private replies are limited

  // A reply that failed was never delivered: the customer may still get one.
  ASSERT_TRUE(store_->MarkOutboundFailed(first, {10900, 0, "already replied"}, 12'000).ok());
  Enqueue(reply);
}

TEST_F(OutboxTest, BadRequestsAreRefusedAndStoreNothing) {
  const int64_t conversation = Ingest({WhatsAppText("wamid.in", kWaId, "hola")});
  Result<int64_t> r = store_->EnqueueOutbound(Text(42, kWaId), 1);
  EXPECT_EQ(r.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(r.status().message(), "conversation 42 does not exist");

  r = store_->EnqueueOutbound(Text(0, kWaId), 1);
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "outbound message names no conversation");

  NewOutbound no_kind = Text(conversation, kWaId);
  no_kind.kind = "";
  r = store_->EnqueueOutbound(no_kind, 1);
  EXPECT_EQ(r.status().message(), "outbound message has no kind");

  r = store_->EnqueueOutbound(Text(conversation, kWaId, Channel::kMessenger), 1);
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "outbound message for messenger names conversation 1 of whatsapp");
  EXPECT_TRUE(store_->ListOutbound(conversation)->empty());
  EXPECT_TRUE(DueIds(99'000).empty());
}

TEST_F(OutboxTest, IngestWritesOutboundInItsTransactionAndAFailingItemRollsBackItsOwn) {
  ASSERT_EQ(NewInboxRow(), 1);
  ASSERT_EQ(NewInboxRow(), 2);
  IngestItem good = Item(1, {WhatsAppText("wamid.1", kWaId, "hola")});
  NewOutbound answer = Text(0, kWaId);
  answer.event_index = 0;
  good.outbound = {answer};
  IngestItem bad = Item(2, {WhatsAppText("wamid.2", "15559990000", "hola")});
  NewOutbound broken = answer;
  broken.event_index = 5;
  bad.outbound = {answer, broken};

  std::vector<Result<IngestOutcome>> results = store_->CommitIngestBatch({good, bad}, 2'000);
  ASSERT_TRUE(results[0].ok()) << results[0].status().ToString();
  EXPECT_EQ(results[0]->outbound_queued, 1);
  EXPECT_EQ(results[1].status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(results[1].status().message(),
            "outbound message 1 names event 5, but the item has 1 events");

  Result<std::vector<StoredEvent>> events = store_->ListEvents({});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u) << "the failing item's event is rolled back too";
  const int64_t conversation = (*events)[0].conversation_id;
  Result<std::vector<OutboundMessage>> due = store_->DueOutbound(99'000, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u) << "only the good item's message";
  EXPECT_EQ((*due)[0].request.conversation_id, conversation);
  EXPECT_EQ((*due)[0].created_ms, 2'000);
  EXPECT_EQ(store_->GetInboxStats(0)->backlog, 1) << "row 2 stays pending";

  // The same event again (a re-batched delivery): its answer was queued the first time.
  const int64_t again_row = NewInboxRow();
  IngestItem again = Item(again_row, {WhatsAppText("wamid.1", kWaId, "hola")});
  again.outbound = {answer};
  results = store_->CommitIngestBatch({again}, 3'000);
  ASSERT_TRUE(results[0].ok()) << results[0].status().ToString();
  EXPECT_EQ(results[0]->events_duplicate, 1);
  EXPECT_EQ(results[0]->outbound_queued, 0);
  EXPECT_EQ(results[0]->outbound_skipped, 1);
  EXPECT_EQ(store_->ListOutbound(conversation)->size(), 1u);
}

TEST_F(OutboxTest, IngestOutboundErrorsFailOnlyTheirItem) {
  const int64_t conversation = Ingest({WhatsAppText("wamid.in", kWaId, "hola")});
  NewOutbound keyed = Text(conversation, kWaId);
  keyed.idempotency_key = "k1";
  Enqueue(keyed);

  const int64_t row = NewInboxRow();
  IngestItem item = Item(row, {WhatsAppText("wamid.2", kWaId, "otra vez")});
  item.outbound = {keyed};
  Result<IngestOutcome> outcome = store_->CommitIngestBatch({item}, 2'000)[0];
  EXPECT_EQ(outcome.status().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(outcome.status().message(),
            "idempotency key \"k1\" was already used by outbound message 1");

  Event status = WhatsAppStatus("wamid.none", DeliveryStatus::kRead);  // no author: no thread
  IngestItem orphan = Item(row, {status});
  NewOutbound answer = Text(0, kWaId);
  answer.event_index = 0;
  orphan.outbound = {answer};
  outcome = store_->CommitIngestBatch({orphan}, 2'000)[0];
  EXPECT_EQ(outcome.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(outcome.status().message(), "outbound message 0: event 0 belongs to no conversation");
  EXPECT_EQ(store_->ListOutbound(conversation)->size(), 1u);
}

TEST_F(OutboxTest, StatusesBeforeSentApplyWhenItIsSent) {
  const int64_t conversation = Ingest({WhatsAppText("wamid.in", kWaId, "hola")});
  const int64_t id = Enqueue(Text(conversation, kWaId));
  ASSERT_TRUE(store_->MarkOutboundSending(id, 11).ok());
  // The platform answered, its webhook overtook our commit of the id.
  Ingest({WhatsAppStatus("wamid.OUT", DeliveryStatus::kDelivered)});
  EXPECT_EQ(Get(id).delivery, DeliveryStatus::kNone);

  ASSERT_TRUE(store_->MarkOutboundSent(id, "wamid.OUT", 12).ok());
  EXPECT_EQ(Get(id).delivery, DeliveryStatus::kDelivered);
  Ingest({WhatsAppStatus("wamid.OUT", DeliveryStatus::kRead)});
  EXPECT_EQ(Get(id).delivery, DeliveryStatus::kRead);
  Result<std::optional<DeliveryState>> delivery =
      store_->GetDelivery(Channel::kWhatsApp, "wamid.OUT");
  ASSERT_TRUE(delivery.ok() && delivery->has_value());
  EXPECT_EQ((*delivery)->status, DeliveryStatus::kRead) << "outbox and deliveries agree";
}

TEST_F(OutboxTest, WatermarkAppliesUpToItsTimeAndOnlyForward) {
  const int64_t ana = Ingest({MessengerFrom("PSID_ANA", "m.ana")});
  const int64_t bob = Ingest({MessengerFrom("PSID_BOB", "m.bob")});
  const int64_t first = Enqueue(Text(ana, "PSID_ANA", Channel::kMessenger));
  const int64_t second = Enqueue(Text(ana, "PSID_ANA", Channel::kMessenger));
  const int64_t third = Enqueue(Text(ana, "PSID_ANA", Channel::kMessenger));
  const int64_t to_bob = Enqueue(Text(bob, "PSID_BOB", Channel::kMessenger));
  Send(first, "mid.1", 1'000);
  Send(second, "mid.2", 2'000);
  Send(third, "mid.3", 3'000);
  Send(to_bob, "mid.b", 1'000);

  Result<IngestOutcome> read = store_->CommitIngest(
      NewInboxRow(), {Watermark("PSID_ANA", DeliveryStatus::kRead, 2'000)}, 4'000);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->statuses_applied, 2);
  EXPECT_EQ(Get(first).delivery, DeliveryStatus::kRead);
  EXPECT_EQ(Get(second).delivery, DeliveryStatus::kRead) << "sent exactly at the watermark";
  EXPECT_EQ(Get(third).delivery, DeliveryStatus::kNone) << "sent after the watermark";
  EXPECT_EQ(Get(to_bob).delivery, DeliveryStatus::kNone) << "another person's receipt";

  Result<IngestOutcome> delivered = store_->CommitIngest(
      NewInboxRow(), {Watermark("PSID_ANA", DeliveryStatus::kDelivered, 3'000)}, 4'000);
  ASSERT_TRUE(delivered.ok()) << delivered.status().ToString();
  EXPECT_EQ(delivered->statuses_applied, 1) << "only the third moves forward";
  EXPECT_EQ(Get(first).delivery, DeliveryStatus::kRead) << "read never goes back";
  EXPECT_EQ(Get(third).delivery, DeliveryStatus::kDelivered);

  Result<std::vector<StoredEvent>> events = store_->ListEvents({});
  ASSERT_TRUE(events.ok());
  ASSERT_TRUE(events->back().event.status.has_value());
  EXPECT_EQ(events->back().event.status->watermark_ms, 3'000);
  EXPECT_EQ(events->back().event.status->message_id, "");
}

TEST_F(OutboxTest, MergedConversationTakesItsOutbox) {
  // Two WhatsApp ids, two contacts and threads; then an event names both: one person.
  const int64_t older = Ingest({WhatsAppText("wamid.1", "US.111", "a")});
  const int64_t newer = Ingest({WhatsAppText("wamid.2", kWaId, "b")});
  ASSERT_NE(older, newer);
  const int64_t id = Enqueue(Text(newer, kWaId));
  Event both = WhatsAppText("wamid.3", "US.111", "c");
  both.author.alt_id = kWaId;
  Ingest({both});

  EXPECT_EQ(Get(id).request.conversation_id, older);
  Result<std::vector<OutboundMessage>> via_old_id = store_->ListOutbound(newer);
  ASSERT_TRUE(via_old_id.ok());
  ASSERT_EQ(via_old_id->size(), 1u) << "the merged thread's id still leads to its messages";
  EXPECT_EQ((*via_old_id)[0].id, id);

  const int64_t later = Enqueue(Text(newer, kWaId));  // an agent's screen still shows the old id
  EXPECT_EQ(Get(later).request.conversation_id, older);
}

}  // namespace
}  // namespace atalaya::store
