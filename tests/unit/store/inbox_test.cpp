// The inbox, backups and reopening, as an operator and the webhook routes see them.

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"
#include "store_test_util.h"

namespace atalaya::store {
namespace {

using testing_util::Delivery;
using testing_util::OpenOrDie;
using testing_util::Options;
using testing_util::TestDir;
using testing_util::WhatsAppText;

constexpr int64_t kDay = 24 * 60 * 60 * 1000;

TEST(Inbox, AppendStoresBodyByteExactAndRefusesIdenticalRetry) {
  TestDir dir;
  auto store = OpenOrDie(Options(dir.File("a.db")));
  ASSERT_NE(store, nullptr);
  const std::string body("{\"entry\":[]}\0\xff\xfe tail", 20);

  Result<AppendOutcome> first = store->AppendInbox({"whatsapp", body, 1234});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, AppendOutcome::kStored);
  Result<AppendOutcome> retry = store->AppendInbox({"meta", body, 5678});
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_EQ(*retry, AppendOutcome::kDuplicate);

  Result<std::vector<InboxRow>> rows = store->PendingInbox(0, 10);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].body, body);
  EXPECT_EQ((*rows)[0].body.size(), 20u);
  EXPECT_EQ((*rows)[0].route, "whatsapp") << "the first delivery wins";
  EXPECT_EQ((*rows)[0].received_ms, 1234);
}

TEST(Inbox, AppendWithoutRouteIsRefused) {
  TestDir dir;
  auto store = OpenOrDie(Options(dir.File("a.db")));
  ASSERT_NE(store, nullptr);
  Result<AppendOutcome> outcome = store->AppendInbox({"", "{}", 1});
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(outcome.status().message(), "inbox delivery has no route");
  EXPECT_EQ(store->GetInboxStats(0)->total, 0);
}

TEST(Inbox, PendingIsInIdOrderAfterCursorAndSkipsProcessed) {
  TestDir dir;
  auto store = OpenOrDie(Options(dir.File("a.db")));
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store->AppendInbox(Delivery("body " + std::to_string(i), 100 + i)).ok());
  }
  Result<std::vector<InboxRow>> all = store->PendingInbox(0, 100);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 5u);
  ASSERT_TRUE(store->CommitIngest((*all)[1].id, {}, 500).ok());

  Result<std::vector<InboxRow>> page = store->PendingInbox((*all)[0].id, 2);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].body, "body 2");
  EXPECT_EQ((*page)[1].body, "body 3");

  Result<InboxStats> stats = store->GetInboxStats(1000);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->total, 5);
  EXPECT_EQ(stats->backlog, 4);
  EXPECT_EQ(stats->oldest_backlog_ms, 100);
}

TEST(Inbox, StatsOfEmptyInboxAreZero) {
  TestDir dir;
  auto store = OpenOrDie(Options(dir.File("a.db")));
  ASSERT_NE(store, nullptr);
  Result<InboxStats> stats = store->GetInboxStats(1000);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->total, 0);
  EXPECT_EQ(stats->backlog, 0);
  EXPECT_EQ(stats->oldest_backlog_ms, 0);
}

TEST(Inbox, PruneDropsOldBodiesButKeepsKeysForTheKeyWindow) {
  TestDir dir;
  auto store = OpenOrDie(Options(dir.File("a.db")));
  ASSERT_NE(store, nullptr);
  const int64_t t0 = 1'700'000'000'000;
  ASSERT_TRUE(store->AppendInbox(Delivery("processed", t0)).ok());
  ASSERT_TRUE(store->AppendInbox(Delivery("never processed", t0)).ok());
  ASSERT_TRUE(store->CommitIngest(1, {}, t0).ok());

  // Day 2 with bodies kept 1 day and keys 8: the body goes, the key stays.
  Result<int64_t> pruned = store->Prune(t0 + 2 * kDay, 1, 8);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(*pruned, 1);
  EXPECT_EQ(store->AppendInbox(Delivery("processed", t0 + 2 * kDay)).value(),
            AppendOutcome::kDuplicate)
      << "a retry inside the key window must still be recognized";

  // Day 9: the whole processed row goes; the unprocessed one is never pruned.
  pruned = store->Prune(t0 + 9 * kDay, 1, 8);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 0);
  Result<InboxStats> stats = store->GetInboxStats(0);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->total, 1);
  EXPECT_EQ(stats->backlog, 1);
  Result<std::vector<InboxRow>> pending = store->PendingInbox(0, 10);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].body, "never processed");
  EXPECT_EQ(store->AppendInbox(Delivery("processed", t0 + 9 * kDay)).value(),
            AppendOutcome::kStored);
}

TEST(Inbox, PruneNeverDropsARowWhoseBodyIsStillKept) {
  TestDir dir;
  auto store = OpenOrDie(Options(dir.File("a.db")));
  ASSERT_NE(store, nullptr);
  const int64_t t0 = 1'700'000'000'000;
  ASSERT_TRUE(store->AppendInbox(Delivery("kept 30 days", t0)).ok());
  ASSERT_TRUE(store->CommitIngest(1, {}, t0).ok());
  Result<int64_t> pruned = store->Prune(t0 + 10 * kDay, 30, 8);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 0);
  EXPECT_EQ(store->GetInboxStats(0)->total, 1);
}

// Many rows, quickly: durability is not the subject of the tests that use it.
std::unique_ptr<Store> OpenWithoutFsync(TestDir& dir) {
  SqliteOptions options = Options(dir.File("a.db"));
  options.synchronous = Synchronous::kNormal;
  return OpenOrDie(options);
}

TEST(Inbox, PruneCoversEveryRowOfALargeInbox) {
  TestDir dir;
  auto store = OpenWithoutFsync(dir);
  ASSERT_NE(store, nullptr);
  const int64_t t0 = 1'700'000'000'000;
  constexpr int kRows = 1'500;  // more than one prune slice
  auto in_parallel = [](const std::function<void(int)>& step) {
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = t; i < kRows; i += 4) step(i);
      });
    }
    for (std::thread& thread : threads) thread.join();
  };
  in_parallel(
      [&](int i) { EXPECT_TRUE(store->AppendInbox(Delivery(std::to_string(i), t0)).ok()); });
  in_parallel([&](int i) { EXPECT_TRUE(store->CommitIngest(i + 1, {}, t0).ok()); });
  ASSERT_TRUE(store->AppendInbox(Delivery("recent", t0 + 2 * kDay)).ok());
  ASSERT_TRUE(store->CommitIngest(kRows + 1, {}, t0).ok());

  const int64_t commits_before = store->GetWriterStats().commits;
  Result<int64_t> pruned = store->Prune(t0 + 2 * kDay, 1, 8);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(*pruned, kRows) << "every old body goes, the recent one stays";
  // Ids 1..1500 in slices of 1000, then the pending statuses: three short transactions, so
  // webhook appends never wait behind one long one.
  EXPECT_EQ(store->GetWriterStats().commits - commits_before, 3);
  pruned = store->Prune(t0 + 9 * kDay, 1, 8);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 1) << "only the recent body was left to prune";
  EXPECT_EQ(store->GetInboxStats(0)->total, 1);
}

TEST(Inbox, PruneFindsTheCutoffAmongIdsWithoutATimeIndex) {
  TestDir dir;
  auto store = OpenWithoutFsync(dir);
  ASSERT_NE(store, nullptr);
  const int64_t t0 = 1'700'000'000'000;
  constexpr int64_t kMinute = 60'000;
  constexpr int kRows = 2'500;
  for (int i = 0; i < kRows; ++i) {
    ASSERT_TRUE(store->AppendInbox(Delivery(std::to_string(i), t0 + i * kMinute)).ok());
    ASSERT_TRUE(store->CommitIngest(i + 1, {}, t0).ok());
  }
  // Bodies received more than one day before "now" go: now is 1,729.5 minutes after t0 plus
  // one day, so rows 0..1729 (received before t0 + 1,729.5 min) lose their bodies.
  const int64_t now = t0 + 1'729 * kMinute + kMinute / 2 + kDay;
  Result<int64_t> pruned = store->Prune(now, 1, 1);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(*pruned, 1'730);
  EXPECT_EQ(store->GetInboxStats(0)->total, kRows - 1'730) << "their keys went too (1 day)";
  // Nothing is left before the cutoff; a second prune finds nothing.
  EXPECT_EQ(*store->Prune(now, 1, 1), 0);
}

TEST(Inbox, PruneRefusesNegativeDays) {
  TestDir dir;
  auto store = OpenOrDie(Options(dir.File("a.db")));
  ASSERT_NE(store, nullptr);
  Result<int64_t> pruned = store->Prune(0, -1, 8);
  ASSERT_FALSE(pruned.ok());
  EXPECT_EQ(pruned.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(pruned.status().message(), "retention days must not be negative (bodies -1, keys 8)");
}

TEST(Backup, CopyOpensAndHasTheRowsWhileWritesContinue) {
  TestDir dir;
  auto store = OpenOrDie(Options(dir.File("live.db")));
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 50; ++i)
    ASSERT_TRUE(store->AppendInbox(Delivery("before " + std::to_string(i))).ok());
  ASSERT_TRUE(store->CommitIngest(1, {WhatsAppText("wamid.1", "573001112233", "hola")}, 5).ok());

  std::atomic<bool> stop{false};
  std::atomic<int> during{0};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      if (store->AppendInbox(Delivery("during " + std::to_string(i))).ok()) ++during;
    }
  });
  const std::string copy = dir.File("copy.db");
  Status backup = store->Backup(copy);
  stop = true;
  writer.join();
  ASSERT_TRUE(backup.ok()) << backup.ToString();

  {
    SQLite::Database db(copy);
    EXPECT_EQ(db.execAndGet("PRAGMA integrity_check").getString(), "ok");
  }
  auto restored = OpenOrDie(Options(copy));
  ASSERT_NE(restored, nullptr);
  Result<InboxStats> stats = restored->GetInboxStats(0);
  ASSERT_TRUE(stats.ok());
  EXPECT_GE(stats->total, 50);
  EXPECT_LE(stats->total, 50 + during.load());
  Result<std::vector<StoredEvent>> events = restored->ListEvents({});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].event.text, "hola");
}

TEST(Backup, RefusesExistingDestination) {
  TestDir dir;
  auto store = OpenOrDie(Options(dir.File("live.db")));
  ASSERT_NE(store, nullptr);
  const std::string taken = dir.File("taken.db");
  std::ofstream(taken) << "precious";
  Status backup = store->Backup(taken);
  ASSERT_FALSE(backup.ok());
  EXPECT_EQ(backup.code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(backup.message(),
            "backup destination already exists: " + taken + " (choose a new file name)");
  std::ifstream in(taken);
  std::string content;
  std::getline(in, content);
  EXPECT_EQ(content, "precious");
}

TEST(Backup, RefusesEmptyDestinationAndMissingFolder) {
  TestDir dir;
  auto store = OpenOrDie(Options(dir.File("live.db")));
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Backup("").message(), "backup destination is empty");
  Status missing = store->Backup(dir.File("no/such/folder/copy.db"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.code(), ErrorCode::kInternal);
  EXPECT_EQ(missing.message(),
            "backup: unable to open database: " + dir.File("no/such/folder/copy.db"));
}

TEST(Reopen, EverythingSurvivesCloseAndOpen) {
  TestDir dir;
  const SqliteOptions options = Options(dir.File("a.db"));
  {
    auto store = OpenOrDie(options);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->AppendInbox(Delivery("first")).ok());
    ASSERT_TRUE(store->AppendInbox(Delivery("second")).ok());
    Event text = WhatsAppText("wamid.A", "US.13491208655302741918", "¿tienen envío?");
    text.author.alt_id = "573001112233";
    text.author.name = "Ana";
    ASSERT_TRUE(store->CommitIngest(1, {text}, 10).ok());
    ASSERT_TRUE(store->RecordOutbound(Channel::kWhatsApp, "wamid.OUT", 1, 20).ok());
  }
  auto store = OpenOrDie(options);
  ASSERT_NE(store, nullptr);
  Result<std::vector<InboxRow>> pending = store->PendingInbox(0, 10);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].body, "second");
  EXPECT_EQ(store->AppendInbox(Delivery("first")).value(), AppendOutcome::kDuplicate);

  Result<std::vector<StoredEvent>> events = store->ListEvents({});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].event.text, "¿tienen envío?");
  Result<std::optional<Contact>> contact = store->FindContact(Channel::kWhatsApp, "573001112233");
  ASSERT_TRUE(contact.ok());
  ASSERT_TRUE(contact->has_value());
  EXPECT_EQ((*contact)->name, "Ana");
  EXPECT_EQ((*contact)->identities.size(), 2u);
  Result<std::optional<DeliveryState>> delivery =
      store->GetDelivery(Channel::kWhatsApp, "wamid.OUT");
  ASSERT_TRUE(delivery.ok());
  ASSERT_TRUE(delivery->has_value());
  EXPECT_EQ((*delivery)->status, DeliveryStatus::kNone);
}

}  // namespace
}  // namespace atalaya::store
