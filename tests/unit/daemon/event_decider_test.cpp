// EventDecider's duplicate filter sees every text the ingest worker has handled, wherever it
// is: committed in the store, earlier in the same batch, or in the batch still committing
// while the next one is decided.

#include "daemon/event_decider.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "rules/loader.h"
#include "store/store.h"
#include "temp_dir.h"
#include "test_store.h"

namespace atalaya::daemon {
namespace {

constexpr int64_t kNowMs = 1'767'798'000'000;

std::shared_ptr<const rules::RuleSet> DuplicateFilter() {
  auto rule_set = rules::CompileRuleSet({{"rules.yaml", R"(
filters:
  - {id: dup, when: {duplicate: {within: 10m}}, action: drop, reason: repetido}
routing: {default: {queue: general}}
)"}},
                                        rules::LoadOptions());
  EXPECT_TRUE(rule_set.ok()) << rule_set.status().ToString();
  return rule_set.ok() ? *rule_set : nullptr;
}

store::IngestItem Message(int64_t inbox_id, const std::string& wamid, const std::string& text,
                          int64_t at_ms) {
  Event e;
  e.channel = Channel::kWhatsApp;
  e.kind = EventKind::kMessage;
  e.account_id = "phone-1";
  e.platform_id = wamid;
  e.dedup_key = wamid;
  e.author.id = "573001112233";
  e.text = text;
  e.timestamp_ms = at_ms;
  store::IngestItem item;
  item.inbox_id = inbox_id;
  item.events.push_back(e);
  return item;
}

FilterAction FilterOf(const store::IngestItem& item) {
  EXPECT_EQ(item.decisions.size(), 1u);
  return item.decisions.empty() || !item.decisions[0] ? FilterAction::kNone
                                                      : item.decisions[0]->filter;
}

class EventDeciderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = testing::OpenTestStore(dir_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    rule_set_ = DuplicateFilter();
    ASSERT_NE(rule_set_, nullptr);
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  FakeClock clock_{kNowMs};
  std::shared_ptr<const rules::RuleSet> rule_set_;
};

TEST_F(EventDeciderTest, RepeatInTheSameBatchIsDropped) {
  EventDecider decider(*store_, clock_);
  std::vector<store::IngestItem> batch = {Message(1, "wamid.1", "Mi pedido no llega", kNowMs),
                                          Message(2, "wamid.2", "mi pedido NO llegaaa", kNowMs)};
  decider.DecideBatch(rule_set_.get(), batch);
  EXPECT_EQ(FilterOf(batch[0]), FilterAction::kNone);
  EXPECT_EQ(FilterOf(batch[1]), FilterAction::kDrop);
}

TEST_F(EventDeciderTest, RepeatOfACommittedTextIsDropped) {
  EventDecider decider(*store_, clock_);
  ASSERT_TRUE(store_->AppendInbox({"whatsapp", "body 1", kNowMs}).ok());
  std::vector<store::IngestItem> first = {Message(1, "wamid.1", "Mi pedido no llega", kNowMs)};
  decider.DecideBatch(rule_set_.get(), first);
  for (const auto& result : store_->CommitIngestBatch(first, kNowMs)) {
    ASSERT_TRUE(result.ok()) << result.status().ToString();
  }
  std::vector<store::IngestItem> next = {Message(2, "wamid.2", "mi pedido no llega", kNowMs)};
  decider.DecideBatch(rule_set_.get(), next);
  EXPECT_EQ(FilterOf(next[0]), FilterAction::kDrop);
}

// The worker decides a batch while the one before it commits: that one's texts are in no
// table yet, and the repeat must be caught all the same.
TEST_F(EventDeciderTest, RepeatOfABatchStillCommittingIsDropped) {
  EventDecider decider(*store_, clock_);
  std::vector<store::IngestItem> committing = {Message(1, "wamid.1", "Mi pedido no llega", kNowMs)};
  decider.DecideBatch(rule_set_.get(), committing);
  ASSERT_EQ(FilterOf(committing[0]), FilterAction::kNone);

  std::vector<store::IngestItem> next = {Message(2, "wamid.2", "mi pedido no llega", kNowMs)};
  decider.DecideBatch(rule_set_.get(), next, committing);
  EXPECT_EQ(FilterOf(next[0]), FilterAction::kDrop);
  std::vector<store::IngestItem> unrelated = {Message(3, "wamid.3", "otra cosa", kNowMs)};
  decider.DecideBatch(rule_set_.get(), unrelated, committing);
  EXPECT_EQ(FilterOf(unrelated[0]), FilterAction::kNone);
}

}  // namespace
}  // namespace atalaya::daemon
