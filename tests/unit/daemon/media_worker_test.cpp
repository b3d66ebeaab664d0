// The media worker with its real parts: a SQLite store, the HTTP fetcher, the fake Graph
// server on loopback, a fake clock. What an agent would notice: the file on disk with the
// right bytes under a hash name, never a half file, and a clear reason when it failed.

#include "daemon/media_worker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "common/crypto.h"
#include "tests/fakes/fake_graph_server.h"
#include "tests/unit/daemon/temp_dir.h"
#include "tests/unit/daemon/test_store.h"

namespace atalaya::daemon {
namespace {

using fakes::FakeGraphServer;

constexpr char kAccount[] = "PHONE_1";
constexpr char kToken[] = "wa-token-media";
constexpr int64_t kStart = 1'700'000'000'000;

std::string Blob(size_t size, unsigned seed = 9) {
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<char>((i * 17 + seed) % 256);
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class MediaWorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = testing::OpenTestStore(dir_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    media_dir_ = dir_ / "media";
    std::filesystem::create_directories(media_dir_);
    channels::GraphClientOptions graph_options;
    graph_options.base_url = graph_.base_url();
    auto graph = channels::MakeHttpGraphClient(graph_options);
    ASSERT_TRUE(graph.ok());
    graph_client_ = std::move(graph).value();
    MakeWorker(1024 * 1024, 8);
  }

  void MakeWorker(int64_t max_bytes, int max_attempts) {
    worker_.reset();
    channels::MediaFetcherOptions fetcher_options;
    fetcher_options.max_bytes = max_bytes;
    auto fetcher = channels::MakeHttpMediaFetcher(*graph_client_, fetcher_options);
    ASSERT_TRUE(fetcher.ok());
    fetcher_ = std::move(fetcher).value();
    MediaSettings settings;
    settings.retry.max_attempts = max_attempts;
    worker_ = std::make_unique<MediaWorker>(
        *store_, *fetcher_, clock_,
        [this](Channel, const std::string& account) {
          return account == kAccount ? token_ : std::string();
        },
        media_dir_, settings, metrics_, [] { return 0.0; });
  }

  // Ingests a WhatsApp image message; returns its event id.
  int64_t IngestImage(const std::string& media_id) {
    Event event;
    event.channel = Channel::kWhatsApp;
    event.account_id = kAccount;
    event.kind = EventKind::kMessage;
    event.type = "image";
    event.platform_id = "wamid." + media_id;
    event.dedup_key = event.platform_id;
    event.author.id = "15551234567";
    event.timestamp_ms = kStart;
    Attachment image;
    image.kind = "image";
    image.media_id = media_id;
    image.mime_type = "image/jpeg";
    event.attachments.push_back(image);
    EXPECT_TRUE(store_->AppendInbox({"whatsapp", "body " + media_id, kStart}).ok());
    auto rows = store_->PendingInbox(0, 1);
    EXPECT_TRUE(rows.ok() && rows->size() == 1u);
    EXPECT_TRUE(store_->CommitIngest(rows->front().id, {event}, clock_.NowMs()).ok());
    store::EventQuery query;
    query.dedup_key = event.dedup_key;
    return store_->ListEvents(query)->front().id;
  }

  store::MediaDownload State(int64_t event_id) {
    auto got = store_->GetMedia(event_id, 0);
    EXPECT_TRUE(got.ok() && got->has_value());
    return got.ok() && got->has_value() ? **got : store::MediaDownload{};
  }

  // Names of the files in the media folder.
  std::vector<std::string> Files() {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(media_dir_)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  testing::TempDir dir_;
  std::string media_dir_;
  FakeClock clock_{kStart};
  Metrics metrics_;
  FakeGraphServer graph_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<channels::GraphClient> graph_client_;
  std::unique_ptr<channels::MediaFetcher> fetcher_;
  std::unique_ptr<MediaWorker> worker_;
  std::string token_ = kToken;
};

TEST_F(MediaWorkerTest, DownloadedFileIsNamedByItsHashAndRecorded) {
  const std::string jpeg = Blob(7000);
  graph_.AddWhatsAppMedia("MEDIA_1", jpeg, "image/jpeg");
  const int64_t id = IngestImage("MEDIA_1");

  Result<int> handled = worker_->RunOnce();
  ASSERT_TRUE(handled.ok());
  EXPECT_EQ(*handled, 1);

  const std::string name = HexEncode(Sha256(jpeg)) + ".jpg";
  EXPECT_EQ(Files(), std::vector<std::string>{name}) << "one file, no temp file left";
  EXPECT_EQ(ReadFile(media_dir_ + "/" + name), jpeg);
  const store::MediaDownload state = State(id);
  EXPECT_EQ(state.state, store::MediaState::kStored);
  EXPECT_EQ(state.stored.file_name, name);
  EXPECT_EQ(state.stored.bytes, 7000);
  EXPECT_EQ(state.stored.mime_type, "image/jpeg");
  EXPECT_EQ(state.attempts, 1);
  EXPECT_EQ(metrics_.MediaStored(), 1);
  EXPECT_EQ(graph_.Requests()[0].Header("authorization"), std::string("Bearer ") + kToken);
  EXPECT_EQ(*worker_->RunOnce(), 0) << "a stored download is not fetched again";
}

TEST_F(MediaWorkerTest, TransientFailureWaitsItsBackoffThenSucceeds) {
  const std::string jpeg = Blob(300);
  graph_.AddWhatsAppMedia("MEDIA_2", jpeg, "image/jpeg");
  graph_.Enqueue("_media/MEDIA_2", FakeGraphServer::Bytes(502, "bad gateway", "text/plain"));
  const int64_t id = IngestImage("MEDIA_2");

  EXPECT_EQ(*worker_->RunOnce(), 1);
  store::MediaDownload state = State(id);
  EXPECT_EQ(state.state, store::MediaState::kPending);
  EXPECT_EQ(state.attempts, 1);
  EXPECT_EQ(state.next_attempt_ms, kStart + 5000) << "first retry after the 5 s base delay";
  EXPECT_EQ(state.error.reason, "unavailable");
  EXPECT_EQ(state.error.message, "the media URL answered HTTP 502");
  EXPECT_TRUE(Files().empty()) << "the failed attempt's temp file is removed";

  EXPECT_EQ(*worker_->RunOnce(), 0) << "not due before its time";
  clock_.AdvanceMs(5000);
  EXPECT_EQ(*worker_->RunOnce(), 1);
  state = State(id);
  EXPECT_EQ(state.state, store::MediaState::kStored);
  EXPECT_EQ(state.attempts, 2);
  EXPECT_EQ(ReadFile(media_dir_ + "/" + state.stored.file_name), jpeg);
}

TEST_F(MediaWorkerTest, TooLargeFailsAtOnceAndKeepsTheMessage) {
  MakeWorker(1000, 8);
  graph_.AddWhatsAppMedia("MEDIA_BIG", Blob(5000), "image/jpeg");
  const int64_t id = IngestImage("MEDIA_BIG");

  EXPECT_EQ(*worker_->RunOnce(), 1);
  const store::MediaDownload state = State(id);
  EXPECT_EQ(state.state, store::MediaState::kFailed);
  EXPECT_EQ(state.error.reason, "too_large");
  EXPECT_EQ(state.error.message, "WhatsApp declares 5000 bytes; the cap is 1000");
  EXPECT_TRUE(Files().empty());
  EXPECT_EQ(metrics_.MediaFailed("too_large"), 1);
  EXPECT_TRUE(store_->GetEvent(id)->has_value());
}

TEST_F(MediaWorkerTest, TransientFailuresGiveUpAtMaxAttempts) {
  MakeWorker(1024 * 1024, 2);
  graph_.AddWhatsAppMedia("MEDIA_3", Blob(10), "image/jpeg");
  graph_.Enqueue("_media/MEDIA_3", FakeGraphServer::Bytes(503, "", "text/plain"));
  graph_.Enqueue("_media/MEDIA_3", FakeGraphServer::Bytes(503, "", "text/plain"));
  const int64_t id = IngestImage("MEDIA_3");

  EXPECT_EQ(*worker_->RunOnce(), 1);
  clock_.AdvanceMs(60'000);
  EXPECT_EQ(*worker_->RunOnce(), 1);
  const store::MediaDownload state = State(id);
  EXPECT_EQ(state.state, store::MediaState::kFailed);
  EXPECT_EQ(state.attempts, 2);
  EXPECT_EQ(state.error.reason, "unavailable");
  EXPECT_EQ(state.error.message, "gave up after 2 attempts: the media URL answered HTTP 503");
}

TEST_F(MediaWorkerTest, WhatsAppWithoutATokenFailsWithoutARequest) {
  token_ = "";
  graph_.AddWhatsAppMedia("MEDIA_4", Blob(10), "image/jpeg");
  const int64_t id = IngestImage("MEDIA_4");

  EXPECT_EQ(*worker_->RunOnce(), 1);
  const store::MediaDownload state = State(id);
  EXPECT_EQ(state.state, store::MediaState::kFailed);
  EXPECT_EQ(state.error.reason, "no_token");
  EXPECT_EQ(state.error.message, "no access token configured for whatsapp account PHONE_1");
  EXPECT_EQ(graph_.RequestCount(), 0u);
}

TEST_F(MediaWorkerTest, HalfWrittenFilesOfACrashAreRemovedAtStart) {
  std::ofstream(media_dir_ + "/.tmp-7-0-123") << "half";
  std::ofstream(media_dir_ + "/abc.jpg") << "kept";
  EXPECT_EQ(worker_->RemoveLeftovers(), 1);
  EXPECT_EQ(Files(), std::vector<std::string>{"abc.jpg"});
}

TEST_F(MediaWorkerTest, StartedWorkerFetchesWhatIsDue) {
  graph_.AddWhatsAppMedia("MEDIA_5", Blob(64), "image/jpeg");
  const int64_t id = IngestImage("MEDIA_5");
  worker_->Start();
  for (int i = 0; i < 500 && State(id).state == store::MediaState::kPending; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  worker_->Stop();
  EXPECT_EQ(State(id).state, store::MediaState::kStored);
}

}  // namespace
}  // namespace atalaya::daemon
