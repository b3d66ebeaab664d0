#include "daemon/media_worker.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <vector>

#include "channels/media_policy.h"
#include "common/crypto.h"
#include "common/log.h"
#include "common/thread_name.h"

namespace atalaya::daemon {
namespace {

using channels::MediaFailure;
using channels::MediaFailureKind;

constexpr const char* kTempPrefix = ".tmp-";

double DefaultUnitRandom() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Internal(Errno("writing a media file"));
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Internal(Errno("opening the media folder"));
  const int synced = ::fsync(fd);
  ::close(fd);
  if (synced != 0) return Internal(Errno("syncing the media folder"));
  return Status::Ok();
}

// A temp name no other download (in this process or a crashed one) holds.
std::string TempName(const store::MediaDownload& item) {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::string(kTempPrefix) + std::to_string(item.event_id) + "-" +
         std::to_string(item.position) + "-" + std::to_string(engine());
}

}  // namespace

MediaWorker::MediaWorker(store::Store& store, channels::MediaFetcher& fetcher, const Clock& clock,
                         TokenLookup tokens, std::string media_dir, MediaSettings settings,
                         Metrics& metrics, std::function<double()> unit_random)
    : store_(store),
      fetcher_(fetcher),
      clock_(clock),
      tokens_(std::move(tokens)),
      media_dir_(std::move(media_dir)),
      settings_(settings),
      metrics_(metrics),
      unit_random_(unit_random ? std::move(unit_random) : DefaultUnitRandom) {}

MediaWorker::~MediaWorker() { Stop(); }

int MediaWorker::RemoveLeftovers() {
  int removed = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(media_dir_, ec)) {
    if (entry.path().filename().string().rfind(kTempPrefix, 0) != 0) continue;
    if (std::filesystem::remove(entry.path(), ec)) ++removed;
  }
  return removed;
}

MediaWorker::Outcome MediaWorker::Fail(const store::MediaDownload& item,
                                       const MediaFailure& failure) {
  const int attempts = item.attempts + 1;
  const int64_t now = clock_.NowMs();
  if (failure.kind == MediaFailureKind::kTransient && attempts < settings_.retry.max_attempts) {
    const int64_t delay =
        BackoffDelayMs(settings_.retry, attempts, failure.retry_after_ms, unit_random_());
    Status retry = store_.MarkMediaRetry(item.event_id, item.position, now + delay,
                                         {failure.reason, failure.message}, now);
    if (!retry.ok()) {
      log::Error("media: could not schedule a retry", log::Int("event_id", item.event_id),
                 log::Int("position", item.position), log::Cause(retry));
      return Outcome::kStoreError;
    }
    metrics_.CountMediaRetried();
    log::Info("media download will retry", log::Int("event_id", item.event_id),
              log::Int("position", item.position), log::Id("reason", failure.reason),
              log::Int("attempts", attempts), log::Int("delay_ms", delay));
    return Outcome::kRetried;
  }
  store::MediaError error{failure.reason, failure.message};
  if (failure.kind == MediaFailureKind::kTransient) {
    error.message = "gave up after " + std::to_string(attempts) + " attempts: " + error.message;
  }
  Status failed = store_.MarkMediaFailed(item.event_id, item.position, error, now);
  if (!failed.ok()) {
    log::Error("media: could not record a failure", log::Int("event_id", item.event_id),
               log::Int("position", item.position), log::Cause(failed));
    return Outcome::kStoreError;
  }
  metrics_.CountMediaFailed(failure.reason);
  log::Warn("media download failed; the message is kept", log::Int("event_id", item.event_id),
            log::Int("position", item.position), log::Id("channel", ChannelName(item.channel)),
            log::Id("reason", failure.reason),
            log::Cause(Status(ErrorCode::kFailedPrecondition, error.message)));
  return Outcome::kFailed;
}

Result<std::string> MediaWorker::Publish(int fd, const std::string& temp_path,
                                         const channels::FetchedMedia& media) {
  if (::fsync(fd) != 0) return Internal(Errno("syncing a media file"));
  const std::string name = media.sha256 + channels::ExtensionForMime(media.mime_type);
  // Same bytes, same name: replacing an existing copy changes nothing a reader can see.
  if (::rename(temp_path.c_str(), (media_dir_ + "/" + name).c_str()) != 0) {
    return Internal(Errno("naming a media file"));
  }
  if (Status synced = SyncDirectory(media_dir_); !synced.ok()) return synced;
  return name;
}

MediaWorker::Outcome MediaWorker::Download(const store::MediaDownload& item) {
  // WhatsApp needs the account's token; Messenger and Instagram URLs carry their own
  // signature, and the token never leaves for their CDN.
  std::string token;
  if (item.channel == Channel::kWhatsApp) {
    token = tokens_ ? tokens_(item.channel, item.account_id) : "";
    if (token.empty()) {
      return Fail(item, MediaFailure{MediaFailureKind::kPermanent, channels::media_reason::kNoToken,
                                     std::string("no access token configured for ") +
                                         ChannelName(item.channel) + " account " + item.account_id,
                                     -1});
    }
  }
  const std::string temp_path = media_dir_ + "/" + TempName(item);
  const int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) {
    return Fail(item,
                MediaFailure{MediaFailureKind::kTransient, channels::media_reason::kWriteFailed,
                             Errno("creating a media file"), -1});
  }
  channels::MediaFetchResult result =
      fetcher_.Fetch(channels::MediaSource{item.channel, item.attachment}, token,
                     [this, fd](std::string_view chunk) -> Status {
                       if (stopping_.load()) return Unavailable("the daemon is stopping");
                       return WriteAll(fd, chunk);
                     });
  Result<std::string> name = result.failure ? Result<std::string>(Internal("not published"))
                                            : Publish(fd, temp_path, result.media);
  ::close(fd);
  if (result.failure || !name.ok()) ::unlink(temp_path.c_str());  // a published one moved
  if (stopping_.load() && (result.failure || !name.ok())) {
    return Outcome::kStopped;  // not an attempt: the row stays pending for the next start
  }
  if (result.failure) return Fail(item, *result.failure);
  if (!name.ok()) {
    return Fail(item,
                MediaFailure{MediaFailureKind::kTransient, channels::media_reason::kWriteFailed,
                             name.status().message(), -1});
  }
  Status stored = store_.MarkMediaStored(
      item.event_id, item.position,
      store::StoredMedia{*name, result.media.bytes, result.media.sha256, result.media.mime_type},
      clock_.NowMs());
  if (!stored.ok()) {
    // The file stays (another row may share it); this row is fetched again later.
    log::Error("media: stored a file but could not record it", log::Int("event_id", item.event_id),
               log::Int("position", item.position), log::Cause(stored));
    return Outcome::kStoreError;
  }
  metrics_.CountMediaStored(result.media.bytes);
  log::Info("media stored", log::Int("event_id", item.event_id),
            log::Int("position", item.position), log::Id("channel", ChannelName(item.channel)),
            log::Id("mime_type", result.media.mime_type), log::Int("bytes", result.media.bytes));
  return Outcome::kStored;
}

Result<int> MediaWorker::RunOnce() {
  Result<std::vector<store::MediaDownload>> due = store_.DueMedia(clock_.NowMs(), settings_.batch);
  if (!due.ok()) return due.status();
  std::atomic<size_t> next{0};
  std::atomic<int> handled{0};
  auto drain = [&] {
    for (size_t i = next++; i < due->size() && !stopping_.load(); i = next++) {
      const Outcome outcome = Download((*due)[i]);
      if (outcome == Outcome::kStored || outcome == Outcome::kRetried ||
          outcome == Outcome::kFailed) {
        ++handled;
      }
    }
  };
  const int threads =
      static_cast<int>(std::min<size_t>(std::clamp(settings_.concurrency, 1, 16), due->size()));
  std::vector<std::thread> helpers;
  for (int i = 1; i < threads; ++i) helpers.emplace_back(drain);
  drain();
  for (std::thread& helper : helpers) helper.join();
  return handled.load();
}

void MediaWorker::Start() {
  if (running_.exchange(true)) return;
  stopping_ = false;
  loop_ = std::thread([this] { Loop(); });
}

void MediaWorker::Stop() {
  if (!running_.exchange(false)) return;
  stopping_ = true;
  Wake();
  if (loop_.joinable()) loop_.join();
}

void MediaWorker::Wake() {
  {
    std::lock_guard<std::mutex> lock(wake_mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

void MediaWorker::Loop() {
  NameThisThread("media");
  while (running_.load()) {
    Result<int> handled = RunOnce();
    if (!handled.ok()) {
      log::Error("media: reading the due downloads failed", log::Cause(handled.status()));
    }
    // A full pass may have left more due rows: look again at once.
    if (handled.ok() && *handled > 0) continue;
    std::unique_lock<std::mutex> lock(wake_mutex_);
    wake_.wait_for(lock, std::chrono::milliseconds(settings_.idle_poll_ms),
                   [this] { return woken_ || !running_.load(); });
    woken_ = false;
  }
}

}  // namespace atalaya::daemon
