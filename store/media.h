#pragma once
// Media downloads: what happened to each attachment atalaya fetches into its state directory
// (WhatsApp media ids; Messenger and Instagram URLs, which expire within days).
//
//   ingest ──► kPending ──MarkMediaStored──► kStored  (file under <state_dir>/media/)
//                 │  ▲
//                 │  └──MarkMediaRetry── (transient: 5xx, timeout; attempts + 1, later)
//                 └──MarkMediaFailed───► kFailed  (permanent: expired URL, too large,
//                                                  wrong mime type, ...; with the reason)
//
// A row exists for every stored attachment that names something to fetch (a media id or a
// URL); the message itself never depends on it, so a failed download keeps the message.
// Downloads are idempotent, so there is no "in progress" state: one interrupted by a crash
// is still kPending and is fetched again after the restart.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/event.h"

namespace atalaya::store {

enum class MediaState { kPending, kStored, kFailed };
const char* MediaStateName(MediaState state);  // "pending", "stored", "failed"
std::optional<MediaState> ParseMediaState(std::string_view name);

// Why a download has not succeeded (yet): a short stable code for metrics and API clients
// ("too_large", "bad_mime", "expired", ...; see channels/media_fetcher.h) and the detail.
struct MediaError {
  std::string reason;
  std::string message;
};

// What was written to disk.
struct StoredMedia {
  std::string file_name;  // a name under <state_dir>/media/, derived from a hash
  int64_t bytes = 0;
  std::string sha256;  // lower-case hex of the bytes
  std::string mime_type;
};

// One attachment's download, with what the worker needs to fetch it.
struct MediaDownload {
  int64_t event_id = 0;
  int position = 0;  // the attachment's index in its event
  Channel channel = Channel::kWhatsApp;
  std::string account_id;  // whose token fetches it
  Attachment attachment;   // kind, media id or URL, and what the platform declared
  MediaState state = MediaState::kPending;
  int attempts = 0;
  int64_t next_attempt_ms = 0;
  StoredMedia stored;  // set when kStored
  MediaError error;    // kFailed: why; kPending after a retry: the last transient error
  int64_t updated_ms = 0;
};

}  // namespace atalaya::store
