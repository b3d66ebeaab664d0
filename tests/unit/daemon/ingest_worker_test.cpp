// The ingest worker over an inbox whose commit of one row fails once: every row is
// normalized exactly once, and none after the failed row's chunk goes before it, although
// the worker prepares each chunk while the previous one commits.

#include "daemon/ingest_worker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <numeric>
#include <thread>
#include <vector>

#include "channels/whatsapp_payload.h"
#include "common/clock.h"
#include "daemon/metrics.h"
#include "daemon/site_rules.h"
#include "tests/unit/daemon/sender_fakes.h"

namespace atalaya::daemon {
namespace {

constexpr int64_t kRows = 200;

// Inbox rows 1..kRows in memory, committed the way the SQLite store commits a batch: each
// item on its own, so the rows after a failed one in the same batch are processed.
class ScriptedInbox final : public testing::FakeOutboxStore {
 public:
  explicit ScriptedInbox(int64_t fail_once_id) : fail_once_id_(fail_once_id) {
    for (int64_t id = 1; id <= kRows; ++id) {
      channels::SimulatedWhatsAppText message;
      message.from = "573001112233";
      message.text = "mensaje " + std::to_string(id);
      message.message_id = "wamid." + std::to_string(id);
      message.timestamp_s = 1'767'798'000;
      bodies_[id] = channels::BuildWhatsAppTextWebhook(message);
    }
  }

  Result<std::vector<store::InboxRow>> PendingInbox(int64_t after_id, size_t limit) override {
    std::lock_guard lock(mu_);
    std::vector<store::InboxRow> rows;
    for (const auto& [id, body] : bodies_) {
      if (id <= after_id || processed_.count(id) > 0 || rows.size() >= limit) continue;
      rows.push_back(store::InboxRow{id, "whatsapp", body, 0});
    }
    return rows;
  }

  std::vector<Result<store::IngestOutcome>> CommitIngestBatch(
      const std::vector<store::IngestItem>& items, int64_t) override {
    std::lock_guard lock(mu_);
    std::vector<Result<store::IngestOutcome>> results;
    for (const store::IngestItem& item : items) {
      ++attempts_[item.inbox_id];
      if (item.inbox_id == fail_once_id_ && attempts_[item.inbox_id] == 1) {
        results.emplace_back(Unavailable("disk hiccup"));
        continue;
      }
      processed_[item.inbox_id] = static_cast<int>(committed_.size());
      committed_.push_back(item.inbox_id);
      results.emplace_back(store::IngestOutcome{});
    }
    return results;
  }

  Result<bool> HasRecentText(Channel, const std::string&, const std::string&, int64_t,
                             int64_t) override {
    return false;
  }

  std::vector<int64_t> Committed() const {
    std::lock_guard lock(mu_);
    return committed_;
  }
  int Attempts(int64_t id) const {
    std::lock_guard lock(mu_);
    auto found = attempts_.find(id);
    return found == attempts_.end() ? 0 : found->second;
  }

 private:
  const int64_t fail_once_id_;
  mutable std::mutex mu_;
  std::map<int64_t, std::string> bodies_;
  std::map<int64_t, int> processed_;  // id -> position in committed_
  std::map<int64_t, int> attempts_;
  std::vector<int64_t> committed_;
};

TEST(IngestWorkerTest, AFailedRowIsRetriedBeforeAnyLaterChunkAndNothingIsDoubled) {
  constexpr int64_t kFailing = 100;  // in the second chunk of 64
  ScriptedInbox inbox(kFailing);
  Metrics metrics;
  FakeClock clock;
  SiteRules rules("no-such-rules-dir");  // no rules: events stored undecided
  IngestOptions options;
  options.retry_ms = 5;
  IngestWorker worker(inbox, metrics, clock, rules, options);
  worker.Start();
  worker.Notify();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (inbox.Committed().size() < static_cast<size_t>(kRows) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  worker.Stop();

  std::vector<int64_t> committed = inbox.Committed();
  std::vector<int64_t> sorted = committed;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> every(kRows);
  std::iota(every.begin(), every.end(), 1);
  EXPECT_EQ(sorted, every) << "each row committed exactly once";
  EXPECT_EQ(inbox.Attempts(kFailing), 2);
  const auto position = [&](int64_t id) {
    return std::find(committed.begin(), committed.end(), id) - committed.begin();
  };
  // Rows of the failed chunk after the failed row commit with it (as the store does); the
  // next chunk, prepared meanwhile, waits until the failed row is in.
  EXPECT_LT(position(kFailing), position(129)) << "a later chunk went before the failed row";
  for (int64_t id = 1; id <= kRows; ++id) {
    if (id != kFailing) {
      EXPECT_EQ(inbox.Attempts(id), 1) << "row " << id;
    }
  }
}

}  // namespace
}  // namespace atalaya::daemon
