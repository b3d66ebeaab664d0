// Nothing acknowledged is lost or doubled: under load, across SIGTERM, across kill -9 at
// random moments, and while the writer is stalled (the daemon answers 503 instead of
// accepting and dropping).

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "channels/meta_signature.h"
#include "tests/e2e/daemon_fixture.h"

namespace atalaya::testing {
namespace {

// Posts unique messages from several connections until stopped; remembers which ids got 200.
class LoadGenerator {
 public:
  LoadGenerator(int port, int connections, const std::string& id_prefix) {
    for (int c = 0; c < connections; ++c) {
      threads_.emplace_back([this, port, c, id_prefix] {
        httplib::Client client("127.0.0.1", port);
        client.set_tcp_nodelay(true);
        client.set_connection_timeout(std::chrono::seconds(2));
        client.set_read_timeout(std::chrono::seconds(10));
        for (int i = 0; !stop_; ++i) {
          std::string id = id_prefix + std::to_string(c) + "-" + std::to_string(i);
          std::string body = WhatsAppText(id, "573001112233", "carga " + id);
          httplib::Headers headers = {
              {"X-Hub-Signature-256", channels::SignMetaBody(body, kAppSecret)}};
          auto res = client.Post("/webhooks/whatsapp", headers, body, "application/json");
          if (res && res->status == 200) {
            std::lock_guard lock(mutex_);
            acknowledged_.insert(id);
          } else if (res && res->status == 503) {
            ++refused_;
          } else if (!res) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
          }
        }
      });
    }
  }
  ~LoadGenerator() { Stop(); }
  void Stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  std::set<std::string> acknowledged() {
    std::lock_guard lock(mutex_);
    return acknowledged_;
  }
  int refused() const { return refused_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> refused_{0};
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::set<std::string> acknowledged_;
};

// Every acknowledged id is stored exactly once as a normalized message.
void ExpectAllStoredOnce(store::Store& store, const std::set<std::string>& acknowledged) {
  std::multiset<std::string> stored;
  store::EventQuery query;
  query.limit = 100000;
  auto events = store.ListEvents(query);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  for (const auto& e : *events) stored.insert(e.event.platform_id);
  for (const std::string& id : acknowledged) {
    EXPECT_EQ(stored.count(id), 1u) << "acknowledged id " << id;
  }
  auto inbox = store.GetInboxStats(0);
  ASSERT_TRUE(inbox.ok());
  EXPECT_EQ(inbox->backlog, 0) << "inbox rows left unnormalized";
}

class DurabilityE2E : public DaemonFixture {};

TEST_F(DurabilityE2E, SigtermDuringLoadKeepsEveryAcknowledgedEvent) {
  ASSERT_TRUE(StartDaemon());
  LoadGenerator load(port_, 8, "wamid.TERM-");
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  daemon_->Signal(SIGTERM);
  EXPECT_EQ(daemon_->Wait(60000), 0);
  load.Stop();
  ASSERT_GT(load.acknowledged().size(), 0u);
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ExpectAllStoredOnce(*store, load.acknowledged());
}

TEST_F(DurabilityE2E, Kill9AtRandomMomentsLosesAndDoublesNothing) {
  std::mt19937 random(20261127);
  std::set<std::string> acknowledged;
  for (int round = 0; round < 5; ++round) {
    ASSERT_TRUE(StartDaemon()) << "round " << round << "\n" << Logs();
    {
      LoadGenerator load(port_, 12, "wamid.K" + std::to_string(round) + "-");
      std::uniform_int_distribution<int> pause_ms(150, 900);
      std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(random)));
      Kill9();
      load.Stop();
      auto acked = load.acknowledged();
      EXPECT_GT(acked.size(), 0u) << "round " << round;
      acknowledged.insert(acked.begin(), acked.end());
    }
  }
  // One clean run takes up whatever the crashes left in the inbox, then stops.
  ASSERT_TRUE(StartDaemon());
  EXPECT_EQ(StopDaemon(), 0);
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ExpectAllStoredOnce(*store, acknowledged);
}

TEST_F(DurabilityE2E, StalledWriterAnswers503ThenRecoversWithNothingLost) {
  extra_server_yaml_ = "";
  ASSERT_TRUE(StartDaemon({{"ATALAYA_STORE__COMMIT_TIMEOUT_MS", "300"}}));
  auto before = PostSigned(WhatsAppText("wamid.STALL-0", "573001112233", "antes"));
  ASSERT_TRUE(before);
  ASSERT_EQ(before->status, 200);

  std::set<std::string> acknowledged = {"wamid.STALL-0"};
  {
    // Another process holds SQLite's write lock: the daemon's writer cannot commit.
    SQLite::Database blocker(state_dir_ + "/atalaya.db", SQLite::OPEN_READWRITE);
    blocker.setBusyTimeout(5000);  // the daemon may be mid-commit
    blocker.exec("BEGIN IMMEDIATE");
    auto during = PostSigned(WhatsAppText("wamid.STALL-1", "573001112233", "durante"));
    ASSERT_TRUE(during);
    EXPECT_EQ(during->status, 503);
    EXPECT_TRUE(during->has_header("Retry-After"));
    auto ready = AdminGet("/readyz");
    ASSERT_TRUE(ready);
    EXPECT_EQ(ready->status, 503);
    blocker.exec("ROLLBACK");
  }
  // Meta retries the refused delivery; now it lands (or is acknowledged as the row that
  // landed late), and readiness comes back.
  int retry_status = 0;
  for (int attempt = 0; attempt < 50 && retry_status != 200; ++attempt) {
    auto retry = PostSigned(WhatsAppText("wamid.STALL-1", "573001112233", "durante"));
    retry_status = retry ? retry->status : -1;
    if (retry_status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(retry_status, 200);
  acknowledged.insert("wamid.STALL-1");
  auto ready = AdminGet("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  EXPECT_GE(Metric("atalaya_webhooks_total{route=\"whatsapp\",result=\"overloaded\"}"), 1);
  EXPECT_EQ(StopDaemon(), 0);
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ExpectAllStoredOnce(*store, acknowledged);
}

}  // namespace
}  // namespace atalaya::testing
