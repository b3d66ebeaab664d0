// The mention enricher against a real SQLite store, a small rule set and the fake Graph API
// on loopback: ids-only mentions get their text and a decision; transient errors are retried
// with backoff; permanent ones and a missing token end with a recorded reason, ids kept.

#include "daemon/mention_enricher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "channels/graph_client.h"
#include "channels/meta_webhook.h"
#include "store/store.h"
#include "temp_dir.h"
#include "test_store.h"
#include "tests/fakes/fake_graph_server.h"

namespace atalaya::daemon {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kAccount[] = "17841400000000001";
constexpr char kCommentId[] = "17894227972186120";
constexpr char kToken[] = "ig-token-unit";

// Mentions about prices go to sales; everything else to the general queue.
constexpr char kRules[] = R"yaml(
routing:
  default: {queue: general}
  rules:
    - id: precio
      when: {event: mention, keywords: [precio]}
      queue: ventas
)yaml";

std::string MentionBody(const std::string& comment_id, const std::string& media_id) {
  std::string value = "{\"media_id\":\"" + media_id + "\"";
  if (!comment_id.empty()) value += ",\"comment_id\":\"" + comment_id + "\"";
  value += "}";
  return std::string("{\"object\":\"instagram\",\"entry\":[{\"id\":\"") + kAccount +
         "\",\"time\":1764283896,\"changes\":[{\"field\":\"mentions\",\"value\":" + value + "}]}]}";
}

class MentionEnricherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("rules/10_routing.yaml", kRules);
    rules_ = std::make_unique<SiteRules>(dir_ / "rules");
    ASSERT_THAT(rules_->Reload(), IsEmpty());
    auto opened = testing::OpenTestStore(dir_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    channels::GraphClientOptions graph_options;
    graph_options.base_url = graph_.base_url();
    graph_options.read_timeout_ms = 5000;
    auto client = channels::MakeHttpGraphClient(graph_options);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::move(client).value();
  }

  std::unique_ptr<MentionEnricher> Enricher(std::string token = kToken, int max_attempts = 8) {
    MentionSettings settings;
    settings.retry.max_attempts = max_attempts;
    settings.retry.base_delay_ms = 1000;
    return std::make_unique<MentionEnricher>(
        *store_, *client_, clock_, *rules_, metrics_,
        [token](Channel channel, const std::string& account_id) {
          return channel == Channel::kInstagram && account_id == kAccount ? token : "";
        },
        settings, [] { return 0.0; });  // no jitter: the full backoff delay
  }

  // Parses and ingests one webhook body as the ingest worker does; returns the event's id.
  int64_t IngestMention(const std::string& comment_id, const std::string& media_id = "MEDIA_1") {
    EXPECT_TRUE(store_->AppendInbox({"instagram", MentionBody(comment_id, media_id), 1}).ok());
    auto rows = store_->PendingInbox(0, 10);
    EXPECT_TRUE(rows.ok() && rows->size() == 1u);
    std::vector<store::IngestItem> items(1);
    items[0].inbox_id = rows->front().id;
    items[0].events = channels::ParseMetaWebhook(rows->front().body);
    EventDecider decider(*store_, clock_);
    decider.DecideBatch(rules_->Current().get(), items);
    auto results = store_->CommitIngestBatch(items, clock_.NowMs());
    EXPECT_TRUE(results.at(0).ok());
    store::EventQuery query;
    query.dedup_key = "mention:" + media_id + ":" + (comment_id.empty() ? "caption" : comment_id);
    auto events = store_->ListEvents(query);
    EXPECT_TRUE(events.ok() && events->size() == 1u);
    return events->empty() ? 0 : events->front().id;
  }

  store::StoredEvent Stored(int64_t id) {
    auto found = store_->GetEvent(id);
    EXPECT_TRUE(found.ok() && found->has_value());
    return found->value_or(store::StoredEvent{});
  }

  store::MentionEnrichment State(int64_t id) {
    auto found = store_->GetMentionEnrichment(id);
    EXPECT_TRUE(found.ok() && found->has_value());
    return found->value_or(store::MentionEnrichment{});
  }

  testing::TempDir dir_;
  FakeClock clock_{1'764'283'900'000};
  Metrics metrics_;
  fakes::FakeGraphServer graph_;
  std::unique_ptr<SiteRules> rules_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<channels::GraphClient> client_;
};

TEST_F(MentionEnricherTest, IngestStoresTheIdsAtOnceAndLeavesTheDecisionToTheEnricher) {
  const int64_t id = IngestMention(kCommentId);
  const store::StoredEvent stored = Stored(id);
  EXPECT_EQ(stored.event.kind, EventKind::kMention);
  EXPECT_EQ(stored.event.platform_id, kCommentId);
  EXPECT_EQ(stored.event.text, "");
  EXPECT_FALSE(stored.decision.has_value());
  EXPECT_EQ(State(id).state, store::MentionState::kPending);
  EXPECT_EQ(graph_.RequestCount(), 0u);  // ingestion never calls the Graph API
}

TEST_F(MentionEnricherTest, CommentMentionGetsItsTextAuthorAndDecision) {
  const int64_t id = IngestMention(kCommentId);
  graph_.Enqueue(kAccount,
                 fakes::FakeGraphServer::MentionedComment("@tiendamax ¿qué precio tiene el plan? 😍",
                                                          "ana.cali", "2025-11-27T22:51:30+0000"));
  auto handled = Enricher()->RunOnce();
  ASSERT_TRUE(handled.ok());
  EXPECT_EQ(*handled, 1);

  const std::vector<fakes::RecordedRequest> requests = graph_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].path, std::string("/v21.0/") + kAccount);
  EXPECT_EQ(requests[0].params.at("fields"), std::string("mentioned_comment.comment_id(") +
                                                 kCommentId + "){text,username,timestamp}");
  EXPECT_EQ(requests[0].Header("authorization"), std::string("Bearer ") + kToken);

  const store::StoredEvent stored = Stored(id);
  EXPECT_EQ(stored.event.text, "@tiendamax ¿qué precio tiene el plan? 😍");
  EXPECT_EQ(stored.event.author.handle, "ana.cali");
  EXPECT_EQ(stored.event.timestamp_ms, 1'764'283'890'000);
  EXPECT_EQ(stored.event.platform_id, kCommentId);
  ASSERT_TRUE(stored.decision.has_value());
  EXPECT_EQ(stored.decision->queue, "ventas");
  const store::MentionEnrichment state = State(id);
  EXPECT_EQ(state.state, store::MentionState::kEnriched);
  EXPECT_EQ(state.attempts, 1);
  EXPECT_EQ(metrics_.Mentions(MentionResult::kEnriched), 1);
}

TEST_F(MentionEnricherTest, CaptionMentionReadsTheMediasCaption) {
  const int64_t id = IngestMention("", "17887498072083521");
  graph_.Enqueue(
      kAccount, fakes::FakeGraphServer::MentionedMedia("Nuevo unboxing con @tiendamax",
                                                       "creador.tech", "2025-11-27T20:00:00+0000"));
  ASSERT_TRUE(Enricher()->RunOnce().ok());
  ASSERT_EQ(graph_.RequestCount(), 1u);
  EXPECT_EQ(graph_.Requests()[0].params.at("fields"),
            "mentioned_media.media_id(17887498072083521){caption,username,timestamp}");
  const store::StoredEvent stored = Stored(id);
  EXPECT_EQ(stored.event.type, "caption_mention");
  EXPECT_EQ(stored.event.text, "Nuevo unboxing con @tiendamax");
  EXPECT_EQ(stored.event.author.handle, "creador.tech");
  ASSERT_TRUE(stored.decision.has_value());
  EXPECT_EQ(stored.decision->queue, "general");
  EXPECT_EQ(State(id).state, store::MentionState::kEnriched);
}

TEST_F(MentionEnricherTest, WithoutATokenNothingIsCalledAndTheIdsAreDecidedAsTheyAre) {
  const int64_t id = IngestMention(kCommentId);
  ASSERT_TRUE(Enricher(/*token=*/"")->RunOnce().ok());
  EXPECT_EQ(graph_.RequestCount(), 0u);
  const store::MentionEnrichment state = State(id);
  EXPECT_EQ(state.state, store::MentionState::kNotConfigured);
  EXPECT_EQ(state.attempts, 0);
  EXPECT_EQ(state.reason,
            std::string("no Graph access token configured for instagram account ") + kAccount);
  const store::StoredEvent stored = Stored(id);
  EXPECT_EQ(stored.event.text, "");
  EXPECT_EQ(stored.event.platform_id, kCommentId);
  ASSERT_TRUE(stored.decision.has_value());  // still reaches a queue, with its ids only
  EXPECT_EQ(stored.decision->queue, "general");
  EXPECT_EQ(metrics_.Mentions(MentionResult::kNotConfigured), 1);
}

TEST_F(MentionEnricherTest, DeletedCommentFailsAtOnceWithThePlatformsReason) {
  const int64_t id = IngestMention(kCommentId);
  graph_.Enqueue(kAccount, fakes::FakeGraphServer::ObjectNotFound());
  ASSERT_TRUE(Enricher()->RunOnce().ok());
  EXPECT_EQ(graph_.RequestCount(), 1u);
  const store::MentionEnrichment state = State(id);
  EXPECT_EQ(state.state, store::MentionState::kFailed);
  EXPECT_EQ(state.attempts, 1);
  EXPECT_THAT(state.reason, HasSubstr("graph 100/33: Unsupported get request."));
  EXPECT_EQ(Stored(id).event.platform_id, kCommentId);
  EXPECT_EQ(Stored(id).event.text, "");
  // Nothing is retried later.
  clock_.AdvanceMs(3'600'000);
  ASSERT_TRUE(Enricher()->RunOnce().ok());
  EXPECT_EQ(graph_.RequestCount(), 1u);
}

TEST_F(MentionEnricherTest, BadTokenIsPermanent) {
  const int64_t id = IngestMention(kCommentId);
  graph_.Enqueue(kAccount, fakes::FakeGraphServer::BadToken());
  ASSERT_TRUE(Enricher()->RunOnce().ok());
  const store::MentionEnrichment state = State(id);
  EXPECT_EQ(state.state, store::MentionState::kFailed);
  EXPECT_EQ(state.reason, "graph 190: Invalid OAuth access token - Cannot parse access token");
}

TEST_F(MentionEnricherTest, AnAnswerWithoutTheCommentIsAPermanentFailure) {
  const int64_t id = IngestMention(kCommentId);
  // The fake's default GET answer: {"id": ...} and nothing else.
  ASSERT_TRUE(Enricher()->RunOnce().ok());
  const store::MentionEnrichment state = State(id);
  EXPECT_EQ(state.state, store::MentionState::kFailed);
  EXPECT_EQ(state.reason, "the Graph answer has no \"mentioned_comment\" object");
}

TEST_F(MentionEnricherTest, TransientErrorIsRetriedAfterTheBackoffThenSucceeds) {
  const int64_t id = IngestMention(kCommentId);
  graph_.Enqueue(kAccount, fakes::FakeGraphServer::ServerError());
  graph_.Enqueue(kAccount, fakes::FakeGraphServer::MentionedComment("precio?", "ana.cali",
                                                                    "2025-11-27T22:51:30+0000"));
  auto enricher = Enricher();
  ASSERT_TRUE(enricher->RunOnce().ok());
  store::MentionEnrichment state = State(id);
  EXPECT_EQ(state.state, store::MentionState::kPending);
  EXPECT_EQ(state.attempts, 1);
  EXPECT_EQ(state.next_attempt_ms, clock_.NowMs() + 1000);  // base delay, no jitter
  EXPECT_THAT(state.reason, HasSubstr("graph 2:"));
  EXPECT_EQ(metrics_.Mentions(MentionResult::kRetried), 1);

  clock_.AdvanceMs(999);  // not yet due: no call
  ASSERT_TRUE(enricher->RunOnce().ok());
  EXPECT_EQ(graph_.RequestCount(), 1u);
  clock_.AdvanceMs(1);
  ASSERT_TRUE(enricher->RunOnce().ok());
  EXPECT_EQ(graph_.RequestCount(), 2u);
  state = State(id);
  EXPECT_EQ(state.state, store::MentionState::kEnriched);
  EXPECT_EQ(state.attempts, 2);
  EXPECT_EQ(Stored(id).event.text, "precio?");
  EXPECT_EQ(Stored(id).decision->queue, "ventas");
}

TEST_F(MentionEnricherTest, RateLimitHonoursRetryAfter) {
  const int64_t id = IngestMention(kCommentId);
  graph_.Enqueue(kAccount, fakes::FakeGraphServer::RateLimited(/*retry_after_s=*/120));
  ASSERT_TRUE(Enricher()->RunOnce().ok());
  const store::MentionEnrichment state = State(id);
  EXPECT_EQ(state.state, store::MentionState::kPending);
  EXPECT_EQ(state.next_attempt_ms, clock_.NowMs() + 120'000);
}

TEST_F(MentionEnricherTest, TransientErrorsUntilMaxAttemptsEndFailedWithTheLastError) {
  const int64_t id = IngestMention(kCommentId);
  auto enricher = Enricher(kToken, /*max_attempts=*/3);
  for (int i = 0; i < 3; ++i) {
    graph_.Enqueue(kAccount, fakes::FakeGraphServer::ServerError());
    ASSERT_TRUE(enricher->RunOnce().ok());
    clock_.AdvanceMs(60'000);
  }
  EXPECT_EQ(graph_.RequestCount(), 3u);
  const store::MentionEnrichment state = State(id);
  EXPECT_EQ(state.state, store::MentionState::kFailed);
  EXPECT_EQ(state.attempts, 3);
  EXPECT_THAT(state.reason, HasSubstr("gave up after 3 attempts: graph 2: "));
  ASSERT_TRUE(Stored(id).decision.has_value());
  EXPECT_EQ(metrics_.Mentions(MentionResult::kFailed), 1);
}

TEST_F(MentionEnricherTest, NoAnswerAtAllIsTransient) {
  const int64_t id = IngestMention(kCommentId);
  channels::GraphClientOptions closed;
  closed.base_url = "http://127.0.0.1:1";  // nothing listens there
  auto unreachable = channels::MakeHttpGraphClient(closed);
  ASSERT_TRUE(unreachable.ok());
  MentionEnricher enricher(*store_, **unreachable, clock_, *rules_, metrics_,
                           [](Channel, const std::string&) { return std::string(kToken); });
  ASSERT_TRUE(enricher.RunOnce().ok());
  EXPECT_EQ(State(id).state, store::MentionState::kPending);
  EXPECT_EQ(State(id).attempts, 1);
}

TEST_F(MentionEnricherTest, StartedWorkerEnrichesWithoutBeingAsked) {
  const int64_t id = IngestMention(kCommentId);
  graph_.Enqueue(kAccount, fakes::FakeGraphServer::MentionedComment("hola", "ana.cali",
                                                                    "2025-11-27T22:51:30+0000"));
  auto enricher = Enricher();
  enricher->Start();
  for (int i = 0; i < 500 && State(id).state == store::MentionState::kPending; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  enricher->Stop();
  EXPECT_EQ(State(id).state, store::MentionState::kEnriched);
  EXPECT_EQ(Stored(id).event.text, "hola");
}

}  // namespace
}  // namespace atalaya::daemon
