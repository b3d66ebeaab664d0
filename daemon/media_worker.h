#pragma once
// MediaWorker: fetches the attachments of received messages into <state_dir>/media/, so
// agents can open them after the platforms' URLs have expired. Each pass reads the due
// downloads (Store::DueMedia) and, with up to `concurrency` at once, for each one:
//   1. fetches it (channels::MediaFetcher: size cap, mime and checksum checks) into a temp
//      file in the media folder;
//   2. on success: fsync, rename to its final name — the SHA-256 of the bytes plus the
//      type's extension, never customer data — fsync the folder, then MarkMediaStored. A
//      reader never sees a half-written file under a final name; identical files share one;
//   3. on failure: the temp file is removed; a permanent failure (or a transient one at
//      max_attempts) → MarkMediaFailed with the reason, the message stays as it is; a
//      transient one → MarkMediaRetry after an exponential backoff with jitter
//      (BackoffDelayMs, at least the platform's Retry-After).
// A download interrupted by Stop() or a crash leaves the row kPending (and at most a
// ".tmp-" file, removed at the next start): it is fetched again after the restart.
//
// Ownership: borrows the store, the fetcher, the clock and the metrics; they must outlive
// it. Thread-safety: Start/Stop/Wake from any thread; RunOnce is for tests and must not run
// concurrently with a started worker. Tokens come from a lookup and are never logged; log
// lines name the event id and position, never a URL's query.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "channels/media_fetcher.h"
#include "common/clock.h"
#include "common/status.h"
#include "daemon/metrics.h"
#include "daemon/sender_worker.h"
#include "store/store.h"

namespace atalaya::daemon {

struct MediaSettings {
  int concurrency = 2;         // downloads at once (1..16)
  size_t batch = 32;           // due rows read per pass
  int64_t idle_poll_ms = 250;  // how often an idle worker looks again (Wake() is sooner)
  RetryPolicy retry{8, 5000, 30 * 60'000, 0.5};  // max_attempts from media.max_attempts
};

class MediaWorker {
 public:
  // `media_dir` must exist (DaemonApp creates it). `unit_random` draws the backoff jitter.
  MediaWorker(store::Store& store, channels::MediaFetcher& fetcher, const Clock& clock,
              TokenLookup tokens, std::string media_dir, MediaSettings settings, Metrics& metrics,
              std::function<double()> unit_random = nullptr);
  ~MediaWorker();
  MediaWorker(const MediaWorker&) = delete;
  MediaWorker& operator=(const MediaWorker&) = delete;

  // Removes temp files a crash left in the media folder; returns how many.
  int RemoveLeftovers();
  // One pass over the due downloads; returns how many were handled (stored, retried or
  // failed; store errors and downloads cut short by Stop() do not count).
  Result<int> RunOnce();

  void Start();  // a loop thread until Stop()
  void Stop();   // cuts downloads in flight short; they stay kPending
  void Wake();

 private:
  enum class Outcome { kStored, kRetried, kFailed, kStopped, kStoreError };
  Outcome Download(const store::MediaDownload& item);
  Outcome Fail(const store::MediaDownload& item, const channels::MediaFailure& failure);
  // Moves the finished temp file to its final name; the final name on success.
  Result<std::string> Publish(int fd, const std::string& temp_path,
                              const channels::FetchedMedia& media);
  void Loop();

  store::Store& store_;
  channels::MediaFetcher& fetcher_;
  const Clock& clock_;
  const TokenLookup tokens_;
  const std::string media_dir_;
  const MediaSettings settings_;
  Metrics& metrics_;
  std::function<double()> unit_random_;

  std::atomic<bool> stopping_{false};
  std::atomic<bool> running_{false};
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool woken_ = false;
  std::thread loop_;
};

}  // namespace atalaya::daemon
