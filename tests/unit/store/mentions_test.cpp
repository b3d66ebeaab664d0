// Migration 4: Instagram mentions stored with ids only get a pending enrichment row; the
// enricher's moves (finish, retry) write the fetched text and the decision with the state.

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

constexpr int64_t kNow = 1'764'283'896'000;

Event Mention(const std::string& comment_id, const std::string& media_id = "MEDIA_1") {
  Event e;
  e.channel = Channel::kInstagram;
  e.account_id = "IG_1";
  e.kind = EventKind::kMention;
  e.type = "mention";
  e.visibility = Visibility::kPublic;
  e.platform_id = comment_id;
  e.thread_id = media_id;
  e.dedup_key = "mention:" + media_id + ":" + comment_id;
  e.timestamp_ms = kNow;
  return e;
}

Decision RoutedTo(const std::string& queue) {
  Decision d;
  d.ruleset_version = "sha256:test";
  d.queue = queue;
  d.labels = {{"kind", "consulta"}};
  return d;
}

class MentionStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenOrDie(Options(dir_.File("atalaya.db")));
    ASSERT_TRUE(store_);
  }

  // Ingests `events` from a new inbox row; returns the stored events' ids.
  std::vector<int64_t> Ingest(std::vector<Event> events) {
    const std::string body = "body " + std::to_string(next_body_++);
    EXPECT_TRUE(store_->AppendInbox(Delivery(body)).ok());
    auto pending = store_->PendingInbox(last_inbox_, 10);
    EXPECT_TRUE(pending.ok() && pending->size() == 1u);
    last_inbox_ = pending->front().id;
    auto results = store_->CommitIngestBatch({Item(last_inbox_, std::move(events))}, kNow);
    EXPECT_TRUE(results[0].ok()) << results[0].status().ToString();
    EventQuery query;
    query.limit = 1000;
    std::vector<int64_t> ids;
    const Result<std::vector<StoredEvent>> listed = store_->ListEvents(query);
    EXPECT_TRUE(listed.ok());
    for (const StoredEvent& stored : *listed) {
      if (stored.inbox_id == last_inbox_) ids.push_back(stored.id);
    }
    return ids;
  }

  MentionEnrichment Enrichment(int64_t event_id) {
    auto found = store_->GetMentionEnrichment(event_id);
    EXPECT_TRUE(found.ok());
    EXPECT_TRUE(found->has_value()) << "no enrichment row for event " << event_id;
    return found->value_or(MentionEnrichment{});
  }

  TestDir dir_;
  std::unique_ptr<Store> store_;
  int next_body_ = 0;
  int64_t last_inbox_ = 0;
};

TEST(MentionStateTest, NamesRoundTrip) {
  for (MentionState state : {MentionState::kPending, MentionState::kEnriched, MentionState::kFailed,
                             MentionState::kNotConfigured}) {
    EXPECT_EQ(ParseMentionState(MentionStateName(state)), state);
  }
  EXPECT_EQ(std::string(MentionStateName(MentionState::kNotConfigured)), "not_configured");
  EXPECT_FALSE(ParseMentionState("done").has_value());
}

TEST(AwaitsMentionTextTest, OnlyInboundInstagramMentionsWithoutText) {
  EXPECT_TRUE(AwaitsMentionText(Mention("C1")));
  Event with_text = Mention("C1");
  with_text.text = "ya tiene texto";
  EXPECT_FALSE(AwaitsMentionText(with_text));
  Event comment = Mention("C1");
  comment.kind = EventKind::kComment;
  EXPECT_FALSE(AwaitsMentionText(comment));
  Event twitter = Mention("C1");
  twitter.channel = Channel::kTwitter;  // X mentions carry their text
  EXPECT_FALSE(AwaitsMentionText(twitter));
  Event unrouted = Mention("C1");
  unrouted.kind = EventKind::kUnsupported;  // an account not configured: never fetched
  EXPECT_FALSE(AwaitsMentionText(unrouted));
}

TEST_F(MentionStoreTest, IngestGivesIdsOnlyMentionsAPendingRowDueAtOnce) {
  Event comment = Mention("C2");
  comment.kind = EventKind::kComment;
  comment.text = "hola";
  const std::vector<int64_t> ids = Ingest({Mention("C1"), comment});
  ASSERT_EQ(ids.size(), 2u);
  const MentionEnrichment pending = Enrichment(ids[0]);
  EXPECT_EQ(pending.state, MentionState::kPending);
  EXPECT_EQ(pending.attempts, 0);
  EXPECT_EQ(pending.next_attempt_ms, kNow);
  EXPECT_EQ(pending.reason, "");
  auto none = store_->GetMentionEnrichment(ids[1]);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  auto due = store_->DueMentions(kNow, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ(due->front().stored.id, ids[0]);
  EXPECT_EQ(due->front().stored.event.platform_id, "C1");
  EXPECT_EQ(due->front().stored.event.thread_id, "MEDIA_1");
  EXPECT_EQ(due->front().enrichment.state, MentionState::kPending);
}

TEST_F(MentionStoreTest, AReDeliveredMentionGetsNoSecondRow) {
  const std::vector<int64_t> first = Ingest({Mention("C1")});
  ASSERT_EQ(first.size(), 1u);
  EXPECT_TRUE(Ingest({Mention("C1")}).empty());  // a duplicate: nothing stored
  auto due = store_->DueMentions(kNow, 10);
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(due->size(), 1u);
}

TEST_F(MentionStoreTest, EnrichedMentionCarriesTextAuthorTimeAndDecision) {
  const int64_t id = Ingest({Mention("C1")}).at(0);
  MentionOutcome outcome;
  outcome.event_id = id;
  outcome.state = MentionState::kEnriched;
  outcome.attempts = 1;
  outcome.text = "@tiendamax ¿precio del plan? 😍";
  outcome.author_handle = "ana.cali";
  outcome.timestamp_ms = kNow - 5'000;
  outcome.decision = RoutedTo("ventas");
  outcome.text_key = "precio del plan";
  ASSERT_TRUE(store_->FinishMention(outcome, kNow + 1).ok());

  auto stored = store_->GetEvent(id);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  const StoredEvent& event = **stored;
  EXPECT_EQ(event.event.text, "@tiendamax ¿precio del plan? 😍");
  EXPECT_EQ(event.event.author.handle, "ana.cali");
  EXPECT_EQ(event.event.timestamp_ms, kNow - 5'000);
  EXPECT_EQ(event.event.platform_id, "C1");  // the ids stay
  EXPECT_EQ(event.event.kind, EventKind::kMention);
  ASSERT_TRUE(event.decision.has_value());
  EXPECT_EQ(event.decision->queue, "ventas");
  EXPECT_EQ(event.decision->Label("kind"), "consulta");

  const MentionEnrichment done = Enrichment(id);
  EXPECT_EQ(done.state, MentionState::kEnriched);
  EXPECT_EQ(done.attempts, 1);
  EXPECT_EQ(done.updated_ms, kNow + 1);
  auto due = store_->DueMentions(kNow + 10, 10);
  ASSERT_TRUE(due.ok());
  EXPECT_TRUE(due->empty());
}

TEST_F(MentionStoreTest, FailedMentionKeepsItsIdsAndRecordsWhy) {
  const int64_t id = Ingest({Mention("C1")}).at(0);
  MentionOutcome outcome;
  outcome.event_id = id;
  outcome.state = MentionState::kFailed;
  outcome.attempts = 1;
  outcome.reason = "graph 100/33: Unsupported get request.";
  outcome.text = "ignored: only an enriched mention writes its text";
  ASSERT_TRUE(store_->FinishMention(outcome, kNow).ok());
  auto stored = store_->GetEvent(id);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->event.text, "");
  EXPECT_EQ((*stored)->event.platform_id, "C1");
  EXPECT_EQ((*stored)->event.thread_id, "MEDIA_1");
  EXPECT_FALSE((*stored)->decision.has_value());
  const MentionEnrichment failed = Enrichment(id);
  EXPECT_EQ(failed.state, MentionState::kFailed);
  EXPECT_EQ(failed.reason, "graph 100/33: Unsupported get request.");
}

TEST_F(MentionStoreTest, RetryStaysPendingUntilItsTime) {
  const int64_t id = Ingest({Mention("C1")}).at(0);
  ASSERT_TRUE(store_->RetryMention(id, 1, kNow + 2'000, "graph 2: try later", kNow).ok());
  const MentionEnrichment pending = Enrichment(id);
  EXPECT_EQ(pending.state, MentionState::kPending);
  EXPECT_EQ(pending.attempts, 1);
  EXPECT_EQ(pending.next_attempt_ms, kNow + 2'000);
  EXPECT_EQ(pending.reason, "graph 2: try later");
  EXPECT_TRUE(store_->DueMentions(kNow + 1'999, 10)->empty());
  EXPECT_EQ(store_->DueMentions(kNow + 2'000, 10)->size(), 1u);
}

TEST_F(MentionStoreTest, DueMentionsComeOldestDueFirstUpToTheLimit) {
  const std::vector<int64_t> ids = Ingest({Mention("C1"), Mention("C2"), Mention("C3")});
  ASSERT_EQ(ids.size(), 3u);
  ASSERT_TRUE(store_->RetryMention(ids[0], 1, kNow + 50, "later", kNow).ok());
  auto due = store_->DueMentions(kNow + 100, 2);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ(due->at(0).stored.id, ids[1]);
  EXPECT_EQ(due->at(1).stored.id, ids[2]);
}

TEST_F(MentionStoreTest, MovesOnAFinishedOrUnknownMentionAreRefusedAndChangeNothing) {
  const int64_t id = Ingest({Mention("C1")}).at(0);
  MentionOutcome outcome;
  outcome.event_id = id;
  outcome.state = MentionState::kNotConfigured;
  outcome.reason = "no Graph access token configured for instagram account IG_1";
  ASSERT_TRUE(store_->FinishMention(outcome, kNow).ok());

  MentionOutcome again = outcome;
  again.state = MentionState::kEnriched;
  again.text = "late";
  Status refused = store_->FinishMention(again, kNow);
  EXPECT_EQ(refused.code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(refused.message(),
            "mention of event " + std::to_string(id) + " is not_configured, not pending");
  Status retry = store_->RetryMention(id, 2, kNow, "x", kNow);
  EXPECT_EQ(retry.code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ((*store_->GetEvent(id))->event.text, "");
  EXPECT_EQ(Enrichment(id).state, MentionState::kNotConfigured);

  Status unknown = store_->RetryMention(id + 100, 1, kNow, "x", kNow);
  EXPECT_EQ(unknown.code(), ErrorCode::kNotFound);
  EXPECT_EQ(unknown.message(), "event " + std::to_string(id + 100) + " has no mention enrichment");

  MentionOutcome pending = outcome;
  pending.state = MentionState::kPending;
  Status invalid = store_->FinishMention(pending, kNow);
  EXPECT_EQ(invalid.code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace atalaya::store
