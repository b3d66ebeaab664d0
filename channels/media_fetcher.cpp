#include "channels/media_fetcher.h"

#include <httplib.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <memory>

#include "channels/graph_errors.h"
#include "channels/json_fields.h"
#include "channels/media_policy.h"
#include "common/crypto.h"

namespace atalaya::channels {
namespace {

constexpr int kMaxRedirects = 3;

struct AbsoluteUrl {
  std::string origin;  // "https://host:port", what httplib::Client takes
  std::string target;  // "/path?query"
};

// Parses an absolute URL the platform handed us, refusing anything but https (or plain http
// to a loopback host). Messages show the URL without its query.
Result<AbsoluteUrl> ParseAbsoluteUrl(std::string_view url) {
  const std::string shown = UrlWithoutQuery(url);
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) return InvalidArgument("not an absolute URL: " + shown);
  const std::string scheme(url.substr(0, sep));
  std::string_view rest = url.substr(sep + 3);
  const size_t path_at = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, path_at);
  if (authority.empty() || authority.find('@') != std::string_view::npos ||
      authority.find_first_of(" \t\r\n") != std::string_view::npos) {
    return InvalidArgument("URL has no usable host: " + shown);
  }
  std::string host;
  if (authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos)
      return InvalidArgument("URL has an unclosed '[': " + shown);
    host = std::string(authority.substr(1, close - 1));
  } else {
    host = std::string(authority.substr(0, authority.find(':')));
  }
  if (scheme != "https" && !(scheme == "http" && IsLoopbackHost(host))) {
    return InvalidArgument("media URL must be https (plain http only to loopback): " + shown);
  }
  AbsoluteUrl out;
  out.origin = scheme + "://" + std::string(authority);
  std::string target = path_at == std::string_view::npos ? "/" : std::string(rest.substr(path_at));
  target = target.substr(0, target.find('#'));
  if (target.empty() || target.front() == '?') target = "/" + target;
  out.target = std::move(target);
  return out;
}

MediaFailure Permanent(const char* reason, std::string message) {
  return MediaFailure{MediaFailureKind::kPermanent, reason, std::move(message), -1};
}

MediaFailure Transient(const char* reason, std::string message, int64_t retry_after_ms = -1) {
  return MediaFailure{MediaFailureKind::kTransient, reason, std::move(message), retry_after_ms};
}

MediaFetchResult Failed(MediaFailure failure) {
  MediaFetchResult result;
  result.failure = std::move(failure);
  return result;
}

bool IsHex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

// WhatsApp's sha256 as lower-case hex: it is hex in some answers and base64 in others.
// "" when it is neither (then there is nothing to compare with).
std::string DeclaredShaHex(std::string_view declared) {
  if (declared.size() == 64 && IsHex(declared)) {
    std::string out(declared);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  }
  if (declared.size() == 44 && declared.back() == '=') {
    unsigned char decoded[48] = {};
    const int n = EVP_DecodeBlock(decoded, reinterpret_cast<const unsigned char*>(declared.data()),
                                  static_cast<int>(declared.size()));
    if (n == 33) {  // 32 bytes plus the one the '=' pads
      return HexEncode(std::string_view(reinterpret_cast<const char*>(decoded), 32));
    }
  }
  return "";
}

std::optional<int64_t> ParseLength(const std::string& text) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 0) {
    return std::nullopt;
  }
  return value;
}

// An incremental SHA-256.
class Sha256Stream {
 public:
  Sha256Stream() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr);
  }
  void Update(const char* data, size_t size) { EVP_DigestUpdate(ctx_.get(), data, size); }
  std::string HexDigest() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestFinal_ex(ctx_.get(), digest, &size);
    return HexEncode(std::string_view(reinterpret_cast<const char*>(digest), size));
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

// What the platform said the file is, before the download.
struct Expected {
  std::string kind;
  std::string mime;  // normalized; "" = not declared
  std::string sha256_hex;
};

class HttpMediaFetcher final : public MediaFetcher {
 public:
  HttpMediaFetcher(GraphClient& graph, MediaFetcherOptions options)
      : graph_(graph), options_(options) {}

  MediaFetchResult Fetch(const MediaSource& source, std::string_view token,
                         const MediaSink& sink) override {
    const Attachment& a = source.attachment;
    if (!IsDownloadableKind(a.kind)) {
      return Failed(Permanent(media_reason::kUnsupportedKind,
                              "attachments of kind \"" + a.kind + "\" are not downloaded"));
    }
    Expected expected{a.kind, NormalizeMime(a.mime_type), DeclaredShaHex(a.sha256)};
    if (source.channel != Channel::kWhatsApp) {
      if (a.url.empty()) {
        return Failed(Permanent(media_reason::kNoSource, "the attachment has no URL"));
      }
      return Download(a.url, "", expected, sink);  // the URL is signed; no token needed
    }
    if (a.media_id.empty()) {
      return Failed(Permanent(media_reason::kNoSource, "the WhatsApp attachment has no media id"));
    }
    std::string url;
    if (std::optional<MediaFailure> failure = ReadMetadata(a.media_id, token, expected, url)) {
      return Failed(std::move(*failure));
    }
    return Download(url, token, expected, sink);
  }

 private:
  // WhatsApp's GET /<media_id>: the download URL, and what the file should be.
  std::optional<MediaFailure> ReadMetadata(const std::string& media_id, std::string_view token,
                                           Expected& expected, std::string& url) {
    Result<GraphResponse> response = graph_.Call(GraphCall{"GET", media_id, ""}, token);
    if (!response.ok()) {
      return Transient(media_reason::kNetwork, "media metadata: " + response.status().message());
    }
    if (response->http_status < 200 || response->http_status >= 300) {
      const SendFailure failure = ClassifyGraphResponse(*response);
      const std::string message = "media metadata: " + failure.error.message;
      if (failure.kind == FailureKind::kTransient) {
        return Transient(media_reason::kUnavailable, message, failure.retry_after_ms);
      }
      if (failure.error.code == 190 || response->http_status == 401) {
        return Permanent(media_reason::kBadToken, message);
      }
      if (response->http_status == 404 || failure.error.code == 100) {
        return Permanent(media_reason::kNotFound, message);
      }
      return Permanent(media_reason::kHttpError, message);
    }
    const Json body = Json::parse(response->body, nullptr, /*allow_exceptions=*/false);
    url = StringMember(body, "url");
    if (url.empty()) {
      return Permanent(media_reason::kBadMetadata, "media metadata has no \"url\"");
    }
    if (const std::optional<int64_t> size = IntegerMember(body, "file_size");
        size && *size > options_.max_bytes) {
      return Permanent(media_reason::kTooLarge, "WhatsApp declares " + std::to_string(*size) +
                                                    " bytes; the cap is " +
                                                    std::to_string(options_.max_bytes));
    }
    const std::string mime = NormalizeMime(StringMember(body, "mime_type"));
    if (!mime.empty()) expected.mime = mime;
    const std::string sha = DeclaredShaHex(StringMember(body, "sha256"));
    if (!sha.empty()) expected.sha256_hex = sha;
    return std::nullopt;
  }

  MediaFetchResult Download(std::string url, std::string_view token, const Expected& expected,
                            const MediaSink& sink) {
    const auto started = std::chrono::steady_clock::now();
    std::string first_origin;
    for (int hop = 0; hop <= kMaxRedirects; ++hop) {
      Result<AbsoluteUrl> parsed = ParseAbsoluteUrl(url);
      if (!parsed.ok()) return Failed(Permanent(media_reason::kBadUrl, parsed.status().message()));
      if (hop == 0) first_origin = parsed->origin;
      // The token goes only where the platform sent us, never to a host a redirect names.
      const bool send_token = !token.empty() && parsed->origin == first_origin;

      httplib::Client client(parsed->origin);
      client.set_connection_timeout(std::chrono::milliseconds(options_.connect_timeout_ms));
      client.set_read_timeout(std::chrono::milliseconds(options_.read_timeout_ms));
      client.set_follow_location(false);  // followed here, under the https rule
      client.enable_server_certificate_verification(true);
      httplib::Headers headers;
      if (send_token) headers.emplace("Authorization", "Bearer " + std::string(token));

      int status = 0;
      std::string location;
      std::string served_mime;
      std::optional<MediaFailure> stop;
      int64_t received = 0;
      Sha256Stream hash;
      httplib::Result result = client.Get(
          parsed->target, headers,
          [&](const httplib::Response& response) {
            status = response.status;
            if (status >= 300 && status < 400 && response.has_header("Location")) {
              location = response.get_header_value("Location");
              return false;
            }
            if (status < 200 || status >= 300) return false;
            if (response.has_header("Content-Length")) {
              const std::optional<int64_t> length =
                  ParseLength(response.get_header_value("Content-Length"));
              if (length && *length > options_.max_bytes) {
                stop =
                    Permanent(media_reason::kTooLarge,
                              "Content-Length " + std::to_string(*length) + " is over the cap of " +
                                  std::to_string(options_.max_bytes) + " bytes");
                return false;
              }
            }
            served_mime = NormalizeMime(response.get_header_value("Content-Type"));
            if (served_mime.empty()) served_mime = expected.mime;
            stop = CheckMime(expected, served_mime);
            return !stop.has_value();
          },
          [&](const char* data, size_t size) {
            if (received + static_cast<int64_t>(size) > options_.max_bytes) {
              stop = Permanent(media_reason::kTooLarge,
                               "more than " + std::to_string(options_.max_bytes) +
                                   " bytes arrived (the cap) although none was declared");
              return false;
            }
            received += static_cast<int64_t>(size);
            hash.Update(data, size);
            if (Status written = sink(std::string_view(data, size)); !written.ok()) {
              stop = Transient(media_reason::kWriteFailed, written.message());
              return false;
            }
            const auto elapsed = std::chrono::steady_clock::now() - started;
            if (elapsed > std::chrono::milliseconds(options_.total_timeout_ms)) {
              stop = Transient(media_reason::kNetwork,
                               "the download took longer than " +
                                   std::to_string(options_.total_timeout_ms) + " ms");
              return false;
            }
            return true;
          });
      if (stop) return Failed(std::move(*stop));
      if (!location.empty()) {
        url = location.front() == '/' ? parsed->origin + location : location;
        continue;
      }
      if (status != 0 && (status < 200 || status >= 300)) return Failed(StatusFailure(status));
      if (!result) {
        return Failed(Transient(media_reason::kNetwork,
                                "download from " + UrlWithoutQuery(url) +
                                    " failed: " + httplib::to_string(result.error())));
      }
      MediaFetchResult done;
      done.media.mime_type = served_mime;
      done.media.sha256 = hash.HexDigest();
      done.media.bytes = received;
      if (!expected.sha256_hex.empty() && expected.sha256_hex != done.media.sha256) {
        return Failed(Permanent(media_reason::kChecksumMismatch,
                                "the file's sha256 is " + done.media.sha256 +
                                    "; WhatsApp declared " + expected.sha256_hex));
      }
      return done;
    }
    return Failed(Permanent(media_reason::kBadUrl,
                            "more than " + std::to_string(kMaxRedirects) + " redirects"));
  }

  static std::optional<MediaFailure> CheckMime(const Expected& expected, const std::string& mime) {
    if (!MimeAllowedForKind(expected.kind, mime)) {
      return Permanent(media_reason::kBadMime, "type \"" + mime + "\" is not allowed for " +
                                                   expected.kind + " attachments");
    }
    if (!expected.mime.empty() && mime != expected.mime) {
      return Permanent(media_reason::kMimeMismatch,
                       "served as \"" + mime + "\" but declared as \"" + expected.mime + "\"");
    }
    return std::nullopt;
  }

  static MediaFailure StatusFailure(int status) {
    const std::string message = "the media URL answered HTTP " + std::to_string(status);
    if (status == 403 || status == 404 || status == 410) {
      return Permanent(media_reason::kExpired, message + " (expired or removed)");
    }
    if (status == 401) return Permanent(media_reason::kBadToken, message);
    if (status == 429 || status >= 500) return Transient(media_reason::kUnavailable, message);
    return Permanent(media_reason::kHttpError, message);
  }

  GraphClient& graph_;
  const MediaFetcherOptions options_;
};

}  // namespace

std::string UrlWithoutQuery(std::string_view url) {
  return std::string(url.substr(0, url.find_first_of("?#")));
}

Result<std::unique_ptr<MediaFetcher>> MakeHttpMediaFetcher(GraphClient& graph,
                                                           const MediaFetcherOptions& options) {
  if (options.max_bytes <= 0) return InvalidArgument("media max_bytes must be positive");
  if (options.connect_timeout_ms <= 0 || options.read_timeout_ms <= 0 ||
      options.total_timeout_ms <= 0) {
    return InvalidArgument("media timeouts must be positive");
  }
  return std::unique_ptr<MediaFetcher>(std::make_unique<HttpMediaFetcher>(graph, options));
}

}  // namespace atalaya::channels
