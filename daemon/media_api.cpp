#include "daemon/media_api.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "daemon/admin_auth.h"
#include "daemon/http_errors.h"

namespace atalaya::daemon {
namespace {

using Json = nlohmann::json;

std::optional<int64_t> ParseId(const std::string& digits) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return value;
}

void WriteStateError(httplib::Response& res, int http_status, const char* code,
                     const std::string& message, const store::MediaDownload& media) {
  Json error = {{"code", code}, {"message", message}, {"attempts", media.attempts}};
  if (!media.error.reason.empty()) error["reason"] = media.error.reason;
  WriteJson(res, http_status,
            Json{{"error", error}}.dump(-1, ' ', false, Json::error_handler_t::replace));
}

// Streams the file instead of holding it in memory: attachments reach 100 MB.
void ServeFile(httplib::Response& res, const std::string& path, const std::string& mime_type,
               const std::string& shown_name) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  auto in = std::make_shared<std::ifstream>(path, std::ios::binary);
  if (ec || !*in) {
    return WriteError(res, Internal(shown_name + " was stored, but its file is missing"));
  }
  res.status = 200;
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_content_provider(static_cast<size_t>(size), mime_type,
                           [in](size_t offset, size_t length, httplib::DataSink& sink) {
                             char buffer[64 * 1024];
                             in->seekg(static_cast<std::streamoff>(offset));
                             const size_t want = std::min(length, sizeof buffer);
                             in->read(buffer, static_cast<std::streamsize>(want));
                             const std::streamsize got = in->gcount();
                             if (got <= 0) return false;  // the file shrank: end the response short
                             return sink.write(buffer, static_cast<size_t>(got));
                           });
}

}  // namespace

void RegisterMediaApi(httplib::Server& server, store::Store& store, MediaApiOptions options) {
  auto shared = std::make_shared<const MediaApiOptions>(std::move(options));
  server.Get(R"(/api/v1/media/(\d+)/(\d+))", [&store, shared](const httplib::Request& req,
                                                              httplib::Response& res) {
    if (Status auth = CheckAdminToken(req, shared->admin_token ? shared->admin_token() : "");
        !auth.ok()) {
      return WriteError(res, auth);
    }
    const std::string shown =
        "media " + std::string(req.matches[1]) + "/" + std::string(req.matches[2]);
    const std::optional<int64_t> event_id = ParseId(req.matches[1]);
    const std::optional<int64_t> position = ParseId(req.matches[2]);
    if (!event_id || !position || *position > INT32_MAX) {
      return WriteError(res, NotFound(shown + " not found"));
    }
    Result<std::optional<store::MediaDownload>> media =
        store.GetMedia(*event_id, static_cast<int>(*position));
    if (!media.ok()) return WriteError(res, media.status());
    if (!media->has_value()) {
      return WriteError(res, NotFound(shown + " not found (no such attachment to download)"));
    }
    const store::MediaDownload& m = **media;
    switch (m.state) {
      case store::MediaState::kPending: {
        std::string message = shown + " is not downloaded yet";
        if (!m.error.message.empty()) message += " (last attempt: " + m.error.message + ")";
        return WriteStateError(res, 409, "media_pending", message, m);
      }
      case store::MediaState::kFailed:
        return WriteStateError(res, 410, "media_failed",
                               shown + " could not be downloaded: " + m.error.message, m);
      case store::MediaState::kStored:
        break;
    }
    // Our own name (a hash and an extension), but never trust a path read back from disk.
    if (m.stored.file_name.empty() || m.stored.file_name.find('/') != std::string::npos ||
        m.stored.file_name.front() == '.') {
      return WriteError(res, Internal(shown + " has an unusable file name"));
    }
    ServeFile(res, shared->media_dir + "/" + m.stored.file_name, m.stored.mime_type, shown);
  });
}

}  // namespace atalaya::daemon
