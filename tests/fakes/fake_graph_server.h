#pragma once
// FakeGraphServer: a stand-in for Meta's Graph API on 127.0.0.1 (port 0), for tests and the
// benchmark. It records every request (method, path, headers, body) and answers with the
// documented success bodies of the Send APIs, or with a scripted answer queued for a path
// (rate limit, window closed, user unavailable, bad token, 5xx, a slow answer, ...).
//
//   FakeGraphServer graph;                // listening once constructed
//   graph.Enqueue("PAGE/messages", FakeGraphServer::UserUnavailable());
//   ... point the client at graph.base_url() ...
//   graph.Requests()[0].body
//
// Paths are matched without the version prefix: a request to /v21.0/PAGE/messages consumes
// the queue of "PAGE/messages"; the queue of "*" serves any path whose own queue is empty.
// The same control is exposed over HTTP for the standalone executable
// (fake_graph_server_main.cpp): GET /_fake/requests, POST /_fake/enqueue, POST /_fake/reset.
//
// Thread-safety: every method may be called from any thread while the server runs.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace atalaya::fakes {

struct RecordedRequest {
  std::string method;
  std::string path;  // as received, with the version: "/v21.0/PAGE/messages"
  std::map<std::string, std::string> headers;  // names lower-cased
  std::map<std::string, std::string> params;   // the query string, decoded (GET fields=...)
  std::string body;
  std::string Header(const std::string& lower_name) const;
};

struct ScriptedResponse {
  int status = 200;
  std::string body;
  std::map<std::string, std::string> headers;
  int delay_ms = 0;  // answer this late (slow responses, client timeouts)
  std::string content_type = "application/json";
  bool chunked = false;  // no Content-Length: sent in chunks, the size known only at the end
};

class FakeGraphServer {
 public:
  FakeGraphServer();  // binds 127.0.0.1 on a free port and serves at once
  ~FakeGraphServer();
  FakeGraphServer(const FakeGraphServer&) = delete;
  FakeGraphServer& operator=(const FakeGraphServer&) = delete;

  int port() const { return port_; }
  std::string base_url() const;  // "http://127.0.0.1:<port>"

  void Enqueue(const std::string& path, ScriptedResponse response);

  // Media, served until Reset() (a queued answer for the same path goes first):
  // a WhatsApp media id — GET /<version>/<media_id> answers the metadata (url on this server,
  // mime_type, sha256 hex, file_size) and GET MediaUrl(media_id) the bytes;
  void AddWhatsAppMedia(const std::string& media_id, const std::string& bytes,
                        const std::string& mime_type);
  // a file at FileUrl(path), as Messenger and Instagram attachment URLs are.
  void AddFile(const std::string& path, const std::string& bytes, const std::string& mime_type);
  // "<base_url>/_media/<media_id>?sig=FAKEsig": the query stands for the real URLs' signature.
  std::string MediaUrl(const std::string& media_id) const;
  std::string FileUrl(const std::string& path) const;  // "<base_url>/<path>?sig=FAKEsig"
  // WhatsApp's metadata answer, for scripting one that disagrees with the file.
  static ScriptedResponse MediaMetadata(const std::string& url, const std::string& mime_type,
                                        const std::string& sha256, int64_t file_size);
  static ScriptedResponse Bytes(int status, const std::string& bytes, const std::string& mime_type,
                                bool chunked = false);
  std::vector<RecordedRequest> Requests() const;
  size_t RequestCount() const;
  // Waits until at least `count` requests arrived (true) or timeout_ms passed (false).
  bool WaitForRequests(size_t count, int timeout_ms) const;
  void Reset();  // forgets requests and queued answers

  // The documented Graph errors.
  static ScriptedResponse GraphError(int status, int64_t code, int64_t subcode,
                                     const std::string& message);
  static ScriptedResponse RateLimited(int retry_after_s = -1);         // code 613, HTTP 400
  static ScriptedResponse WhatsAppThroughput(int retry_after_s = -1);  // 130429
  static ScriptedResponse WindowClosedMessenger();                     // 10 / 2018278
  static ScriptedResponse WindowClosedWhatsApp();                      // 131047
  static ScriptedResponse UserUnavailable();                           // 551 / 1545041
  static ScriptedResponse BadToken();                                  // 190, HTTP 401
  static ScriptedResponse ServerError();                               // HTTP 500, code 2
  static ScriptedResponse Slow(int delay_ms);                          // success, late
  // Instagram mention reads (GET /<ig-user-id>?fields=mentioned_comment... / mentioned_media...).
  static ScriptedResponse MentionedComment(const std::string& text, const std::string& username,
                                           const std::string& timestamp);
  static ScriptedResponse MentionedMedia(const std::string& caption, const std::string& username,
                                         const std::string& timestamp);
  static ScriptedResponse ObjectNotFound();  // 100 / 33: deleted, or not visible to us

 private:
  ScriptedResponse Answer(const RecordedRequest& request, const std::string& graph_path);
  ScriptedResponse SuccessFor(const RecordedRequest& request, const std::string& graph_path);
  void Record(RecordedRequest request);

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mutex_;
  mutable std::condition_variable arrived_;
  std::vector<RecordedRequest> requests_;
  std::map<std::string, std::deque<ScriptedResponse>> queues_;
  std::map<std::string, ScriptedResponse> files_;  // media: served until Reset()
  int64_t next_id_ = 1;
};

}  // namespace atalaya::fakes
