#pragma once
// MediaFetcher: downloads the bytes of one received attachment, checked, into a sink.
//
//   WhatsApp:            GET {base}/{version}/{media_id} (Bearer token)
//                          → {"url","mime_type","sha256","file_size"}
//                        GET url (Bearer token)
//   Messenger/Instagram: GET url (no token: the URL itself carries its signature and
//                        expires within days)
//
// Checks, in order: the kind is one atalaya downloads (channels/media_policy.h); the size
// the platform declared (file_size, then Content-Length) is within max_bytes before any
// byte is read, and the bytes read stay within it (the sink never receives more than
// max_bytes); the served Content-Type is allowed for the kind and equals the type the
// platform declared (webhook or metadata), when it declared one; the SHA-256 of the bytes
// equals WhatsApp's (hex or base64) when it gave one.
//
// Transport: https with certificate verification against the system CA store; plain http
// only to loopback hosts (the test fakes). Redirects are followed (at most 3) under the
// same rule; the token is sent to the host the platform named, never to another one.
// Errors never quote a token or a URL's query string (they carry signatures).
//
// Failures carry a stable reason code (for metrics and the API) and whether retrying can
// help: transient — no answer (timeout, refused connection), HTTP 5xx or 429, Graph
// temporary or rate-limit codes, the sink failing (a local disk error); permanent —
// everything else (unsupported kind, no id or URL, an unusable URL, 404/410/403 on the URL
// = expired, too large, bad or mismatched mime type, checksum mismatch, bad token, ...).
//
// Thread-safety: Fetch() may be called from many threads at once; the Graph client is
// borrowed and must outlive the fetcher.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "channels/graph_client.h"
#include "common/event.h"
#include "common/status.h"

namespace atalaya::channels {

// Reason codes of failed fetches (stable: metrics labels and API bodies use them).
namespace media_reason {
inline constexpr const char* kUnsupportedKind = "unsupported_kind";
inline constexpr const char* kNoSource = "no_source";  // no media id / URL for the channel
inline constexpr const char* kBadUrl = "bad_url";      // not https (nor loopback http)
inline constexpr const char* kNotFound = "not_found";  // the media id is unknown to Graph
inline constexpr const char* kExpired = "expired";     // the URL answered 403, 404 or 410
inline constexpr const char* kTooLarge = "too_large";
inline constexpr const char* kBadMime = "bad_mime";  // not allowed for the kind
inline constexpr const char* kMimeMismatch = "mime_mismatch";
inline constexpr const char* kChecksumMismatch = "sha256_mismatch";
inline constexpr const char* kBadToken = "bad_token";
inline constexpr const char* kBadMetadata = "bad_metadata";  // Graph's answer has no url
inline constexpr const char* kHttpError = "http_error";      // another permanent answer
inline constexpr const char* kUnavailable = "unavailable";   // 5xx, 429, Graph temporary
inline constexpr const char* kNetwork = "network";           // no answer: timeout, refused
inline constexpr const char* kWriteFailed = "write_failed";  // the sink refused the bytes
inline constexpr const char* kNoToken = "no_token";  // the caller's: no token for the account
}  // namespace media_reason

// What to fetch: the attachment as stored, and the channel it came from.
struct MediaSource {
  Channel channel = Channel::kWhatsApp;
  Attachment attachment;  // kind, media_id / url, declared mime_type and sha256
};

struct FetchedMedia {
  std::string mime_type;  // normalized, as served and checked
  std::string sha256;     // lower-case hex of the bytes
  int64_t bytes = 0;
};

enum class MediaFailureKind { kTransient, kPermanent };

struct MediaFailure {
  MediaFailureKind kind = MediaFailureKind::kPermanent;
  std::string reason;           // a media_reason code
  std::string message;          // what exactly, for agents and logs (no tokens, no queries)
  int64_t retry_after_ms = -1;  // the platform's Retry-After, when it gave one
};

struct MediaFetchResult {
  std::optional<MediaFailure> failure;  // nullopt: the sink received every byte, checked
  FetchedMedia media;                   // valid when there is no failure
};

// Receives the bytes in order. A non-OK status stops the download (kWriteFailed). After a
// failure the caller discards what the sink received.
using MediaSink = std::function<Status(std::string_view chunk)>;

struct MediaFetcherOptions {
  int64_t max_bytes = 100 * 1024 * 1024;  // WhatsApp's largest media (documents) is 100 MB
  int64_t connect_timeout_ms = 5000;
  int64_t read_timeout_ms = 15000;            // one read; a stalled transfer fails after it
  int64_t total_timeout_ms = 10 * 60 * 1000;  // one whole download
};

class MediaFetcher {
 public:
  virtual ~MediaFetcher() = default;
  virtual MediaFetchResult Fetch(const MediaSource& source, std::string_view token,
                                 const MediaSink& sink) = 0;
};

// The real fetcher: `graph` answers WhatsApp's metadata calls; downloads use their own
// HTTP connections. kInvalidArgument when max_bytes or a timeout is not positive.
Result<std::unique_ptr<MediaFetcher>> MakeHttpMediaFetcher(GraphClient& graph,
                                                           const MediaFetcherOptions& options);

// "https://host/path?sig=..." → "https://host/path": what logs and errors may show of a URL.
std::string UrlWithoutQuery(std::string_view url);

}  // namespace atalaya::channels
