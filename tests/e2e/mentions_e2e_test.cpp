// Instagram end to end with the real binary: an event for an account the config does not
// name is kept, flagged and counted but never decided; a mention that arrives as ids only is
// stored at once, then its text is read from the (fake) Graph API and it gets a decision like
// any comment; without a token no call is made and the ids stay.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/e2e/daemon_fixture.h"
#include "tests/fakes/fake_graph_server.h"

namespace atalaya::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kAccount = "17841400000000001";  // the fixtures' entry id
constexpr const char* kCommentId = "17894227972186120";

std::string Fixture(const std::string& name) {
  return ReadFile(std::string(ATALAYA_TESTDATA_DIR) + "/meta/" + name);
}

// The fixture with another entry id: same app, an account this daemon does not serve.
std::string ForAccount(std::string body, const std::string& account_id) {
  const size_t at = body.find(kAccount);
  if (at != std::string::npos) body.replace(at, std::string(kAccount).size(), account_id);
  return body;
}

class MentionsE2E : public DaemonFixture {
 protected:
  void SetUp() override {
    DaemonFixture::SetUp();
    graph_base_url_ = graph_.base_url();
    std::ofstream(dir_ + "/ig_token") << "ig-token-e2e\n";
    std::filesystem::create_directories(dir_ + "/rules");
    std::ofstream(dir_ + "/rules/60_routing.yaml") << "routing:\n"
                                                      "  default: {queue: general}\n"
                                                      "  rules:\n"
                                                      "    - id: precio\n"
                                                      "      when: {keywords: [precio]}\n"
                                                      "      queue: ventas\n";
  }

  void ConfigureInstagram(bool with_token) {
    extra_channels_yaml_ = std::string("  instagram:\n") +
                           "    graph_base_url: " + graph_base_url_ + "\n" + "    accounts:\n" +
                           "      - id: \"" + kAccount + "\"\n" +
                           "        app_secret: {file: app_secret}\n" +
                           "        verify_token: {file: verify_token}\n" +
                           (with_token ? "        access_token: {file: ig_token}\n" : "");
  }

  // Waits until the series reaches `value` (the enricher works apart from ingestion).
  bool WaitForMetric(const std::string& series, double value) {
    for (int i = 0; i < 500; ++i) {
      if (Metric(series) == value) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  fakes::FakeGraphServer graph_;
};

TEST_F(MentionsE2E, EventForAnUnconfiguredAccountIsKeptUnsupportedCountedAndNotDecided) {
  ConfigureInstagram(/*with_token=*/true);
  ASSERT_TRUE(StartDaemon());
  std::string foreign = ForAccount(Fixture("instagram/comment.json"), "17841499999999999");
  // Another comment id too: the same id would be one event, deduplicated.
  foreign.replace(foreign.find("17865799348089039"), 17, "17865799348089040");
  auto res = PostSigned(foreign, "instagram");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);  // a 4xx would make Meta retry for days
  auto ours = PostSigned(Fixture("instagram/comment.json"), "instagram");
  ASSERT_TRUE(ours);
  EXPECT_EQ(ours->status, 200);
  WaitForIngest();
  EXPECT_EQ(Metric("atalaya_events_unconfigured_account_total{channel=\"instagram\"}"), 1);
  EXPECT_EQ(Metric("atalaya_events_unconfigured_account_total{channel=\"messenger\"}"), 0);
  EXPECT_EQ(StopDaemon(), 0);

  auto events = StoredEvents();
  ASSERT_EQ(events.size(), 2u);
  const store::StoredEvent& kept = events[0];
  EXPECT_EQ(kept.event.kind, EventKind::kUnsupported);
  EXPECT_EQ(kept.event.unsupported_reason,
            "account 17841499999999999 is not configured for instagram");
  EXPECT_EQ(kept.event.text, "¿Precio? 😍");  // nothing lost
  EXPECT_EQ(kept.event.author.handle, "ana.cali");
  EXPECT_FALSE(kept.decision.has_value());
  const store::StoredEvent& comment = events[1];
  EXPECT_EQ(comment.event.kind, EventKind::kComment);
  ASSERT_TRUE(comment.decision.has_value());
  EXPECT_EQ(comment.decision->queue, "ventas");

  const std::string logs = Logs();
  EXPECT_THAT(logs, HasSubstr("not in the config"));
  EXPECT_THAT(logs, Not(HasSubstr("Precio")));
}

TEST_F(MentionsE2E, FacebookCommentForAPageWeDoNotServeIsKeptButNotDecided) {
  ConfigureInstagram(/*with_token=*/true);  // the same app signs; no Page is configured
  ASSERT_TRUE(StartDaemon());
  auto res = PostSigned(Fixture("messenger/feed_comment.json"), "meta");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  WaitForIngest();
  EXPECT_EQ(Metric("atalaya_events_unconfigured_account_total{channel=\"messenger\"}"), 1);
  EXPECT_EQ(StopDaemon(), 0);
  auto events = StoredEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event.channel, Channel::kMessenger);
  EXPECT_EQ(events[0].event.kind, EventKind::kUnsupported);
  EXPECT_EQ(events[0].event.unsupported_reason,
            "account 112233445566778 is not configured for messenger");
  EXPECT_EQ(events[0].event.text, "¿Cuánto cuesta el plan?");
  EXPECT_FALSE(events[0].decision.has_value());
}

TEST_F(MentionsE2E, MentionIsStoredAtOnceThenEnrichedAndDecided) {
  ConfigureInstagram(/*with_token=*/true);
  graph_.Enqueue(kAccount,
                 fakes::FakeGraphServer::MentionedComment("@tiendamax ¿precio del plan familiar?",
                                                          "ana.cali", "2025-11-27T22:51:30+0000"));
  ASSERT_TRUE(StartDaemon());
  auto res = PostSigned(Fixture("instagram/mention.json"), "instagram");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  ASSERT_TRUE(WaitForMetric("atalaya_mentions_total{result=\"enriched\"}", 1));
  EXPECT_EQ(StopDaemon(), 0);

  const std::vector<fakes::RecordedRequest> requests = graph_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_THAT(requests[0].path, HasSubstr(kAccount));
  EXPECT_EQ(requests[0].params.at("fields"), std::string("mentioned_comment.comment_id(") +
                                                 kCommentId + "){text,username,timestamp}");
  EXPECT_EQ(requests[0].Header("authorization"), "Bearer ig-token-e2e");

  auto events = StoredEvents();
  ASSERT_EQ(events.size(), 1u);
  const store::StoredEvent& mention = events[0];
  EXPECT_EQ(mention.event.kind, EventKind::kMention);
  EXPECT_EQ(mention.event.platform_id, kCommentId);
  EXPECT_EQ(mention.event.thread_id, "17887498072083520");
  EXPECT_EQ(mention.event.text, "@tiendamax ¿precio del plan familiar?");
  EXPECT_EQ(mention.event.author.handle, "ana.cali");
  ASSERT_TRUE(mention.decision.has_value());
  EXPECT_EQ(mention.decision->queue, "ventas");
  auto store = OpenStore();
  ASSERT_TRUE(store);
  auto state = store->GetMentionEnrichment(mention.id);
  ASSERT_TRUE(state.ok() && state->has_value());
  EXPECT_EQ((*state)->state, store::MentionState::kEnriched);
  // The token and the mention's text never reach the log.
  EXPECT_THAT(Logs(), Not(HasSubstr("ig-token-e2e")));
  EXPECT_THAT(Logs(), Not(HasSubstr("plan familiar")));
}

TEST_F(MentionsE2E, WithoutATokenNoCallIsMadeAndTheIdsStay) {
  ConfigureInstagram(/*with_token=*/false);
  ASSERT_TRUE(StartDaemon());
  auto res = PostSigned(Fixture("instagram/mention.json"), "instagram");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  ASSERT_TRUE(WaitForMetric("atalaya_mentions_total{result=\"not_configured\"}", 1));
  EXPECT_EQ(StopDaemon(), 0);
  EXPECT_EQ(graph_.RequestCount(), 0u);

  auto events = StoredEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event.platform_id, kCommentId);
  EXPECT_EQ(events[0].event.text, "");
  ASSERT_TRUE(events[0].decision.has_value());
  EXPECT_EQ(events[0].decision->queue, "general");
  auto store = OpenStore();
  ASSERT_TRUE(store);
  auto state = store->GetMentionEnrichment(events[0].id);
  ASSERT_TRUE(state.ok() && state->has_value());
  EXPECT_EQ((*state)->state, store::MentionState::kNotConfigured);
  EXPECT_EQ((*state)->reason,
            std::string("no Graph access token configured for instagram account ") + kAccount);
}

TEST_F(MentionsE2E, APendingMentionIsFetchedAfterARestart) {
  ConfigureInstagram(/*with_token=*/true);
  // Meta is down for the whole first run: the mention stays pending.
  for (int i = 0; i < 20; ++i) graph_.Enqueue(kAccount, fakes::FakeGraphServer::ServerError());
  ASSERT_TRUE(StartDaemon());
  auto res = PostSigned(Fixture("instagram/mention.json"), "instagram");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  ASSERT_TRUE(WaitForMetric("atalaya_mentions_total{result=\"retried\"}", 1));
  EXPECT_EQ(StopDaemon(), 0);

  graph_.Reset();
  graph_.Enqueue(kAccount, fakes::FakeGraphServer::MentionedComment("hola @tiendamax", "ana.cali",
                                                                    "2025-11-27T22:51:30+0000"));
  ASSERT_TRUE(StartDaemon());
  ASSERT_TRUE(WaitForMetric("atalaya_mentions_total{result=\"enriched\"}", 1));
  EXPECT_EQ(StopDaemon(), 0);
  auto events = StoredEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event.text, "hola @tiendamax");
}

}  // namespace
}  // namespace atalaya::testing
