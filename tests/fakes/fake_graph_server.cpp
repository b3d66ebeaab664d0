#include "tests/fakes/fake_graph_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "common/crypto.h"

namespace atalaya::fakes {
namespace {

using Json = nlohmann::json;

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// "/v21.0/PAGE/messages" → "PAGE/messages"; paths without a version are kept whole.
std::string GraphPath(const std::string& path) {
  std::string rest = path.substr(path.empty() || path[0] != '/' ? 0 : 1);
  if (rest.size() > 1 && rest[0] == 'v' && std::isdigit(static_cast<unsigned char>(rest[1]))) {
    const size_t slash = rest.find('/');
    return slash == std::string::npos ? "" : rest.substr(slash + 1);
  }
  return rest;
}

ScriptedResponse JsonAnswer(int status, const Json& body) {
  ScriptedResponse response;
  response.status = status;
  response.body = body.dump();
  return response;
}

ScriptedResponse FromJson(const Json& spec) {
  ScriptedResponse response;
  response.status = spec.value("status", 200);
  if (spec.contains("body")) {
    response.body =
        spec["body"].is_string() ? spec["body"].get<std::string>() : spec["body"].dump();
  }
  if (spec.contains("headers") && spec["headers"].is_object()) {
    for (const auto& [name, value] : spec["headers"].items()) {
      if (value.is_string()) response.headers[name] = value.get<std::string>();
    }
  }
  response.delay_ms = spec.value("delay_ms", 0);
  response.content_type = spec.value("content_type", std::string("application/json"));
  response.chunked = spec.value("chunked", false);
  return response;
}

}  // namespace

std::string RecordedRequest::Header(const std::string& lower_name) const {
  const auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

FakeGraphServer::FakeGraphServer() : server_(std::make_unique<httplib::Server>()) {
  // Enough workers for the benchmark's 16 concurrent senders plus slow answers.
  server_->set_keep_alive_max_count(100000);  // one connection per sender, as with Meta
  server_->set_tcp_nodelay(true);  // as Meta's servers answer: no Nagle delay per request
  server_->new_task_queue = [] { return new httplib::ThreadPool(32); };
  server_->Get("/_fake/requests", [this](const httplib::Request&, httplib::Response& res) {
    Json out = Json::array();
    for (const RecordedRequest& request : Requests()) {
      out.push_back({{"method", request.method},
                     {"path", request.path},
                     {"headers", request.headers},
                     {"params", request.params},
                     {"body", request.body}});
    }
    res.set_content(out.dump(), "application/json");
  });
  server_->Post("/_fake/enqueue", [this](const httplib::Request& req, httplib::Response& res) {
    const Json spec = Json::parse(req.body, nullptr, false);
    if (!spec.is_object() || !spec.contains("path") || !spec["path"].is_string()) {
      res.status = 400;
      res.set_content(R"({"error":"need {\"path\":...,\"status\":...,\"body\":...}"})",
                      "application/json");
      return;
    }
    Enqueue(spec["path"].get<std::string>(), FromJson(spec));
    res.set_content(R"({"ok":true})", "application/json");
  });
  server_->Post("/_fake/reset", [this](const httplib::Request&, httplib::Response& res) {
    Reset();
    res.set_content(R"({"ok":true})", "application/json");
  });
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    RecordedRequest request;
    request.method = req.method;
    request.path = req.path;
    request.body = req.body;
    for (const auto& [name, value] : req.headers) request.headers[Lower(name)] = value;
    for (const auto& [name, value] : req.params) request.params[name] = value;
    const std::string graph_path = GraphPath(req.path);
    ScriptedResponse answer = Answer(request, graph_path);
    Record(std::move(request));
    if (answer.delay_ms > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(answer.delay_ms));
    }
    res.status = answer.status;
    for (const auto& [name, value] : answer.headers) res.set_header(name, value);
    if (answer.chunked) {
      auto body = std::make_shared<std::string>(std::move(answer.body));
      res.set_chunked_content_provider(
          answer.content_type, [body](size_t offset, httplib::DataSink& sink) {
            constexpr size_t kChunk = 4096;
            if (offset < body->size()) {
              sink.write(body->data() + offset, std::min(kChunk, body->size() - offset));
            } else {
              sink.done();
            }
            return true;
          });
    } else {
      res.set_content(answer.body, answer.content_type);
    }
  };
  server_->Get(".*", handler);
  server_->Post(".*", handler);
  // httplib listens with a backlog of 5: a burst of new connections (16 senders opening at
  // once) would wait for SYN retries. Listen again with a real backlog, as the daemon does.
  int socket_fd = -1;
  server_->set_socket_options([&socket_fd](int fd) {
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    socket_fd = fd;
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (socket_fd >= 0) ::listen(socket_fd, 1024);
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // The socket already listens (connections wait in its backlog); stop() only works once the
  // accept loop runs, so wait for that before anyone can destroy the server.
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeGraphServer::~FakeGraphServer() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string FakeGraphServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

void FakeGraphServer::Enqueue(const std::string& path, ScriptedResponse response) {
  std::lock_guard<std::mutex> lock(mutex_);
  queues_[path].push_back(std::move(response));
}

std::vector<RecordedRequest> FakeGraphServer::Requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

size_t FakeGraphServer::RequestCount() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_.size();
}

bool FakeGraphServer::WaitForRequests(size_t count, int timeout_ms) const {
  std::unique_lock<std::mutex> lock(mutex_);
  return arrived_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                           [&] { return requests_.size() >= count; });
}

void FakeGraphServer::Reset() {
  std::lock_guard<std::mutex> lock(mutex_);
  requests_.clear();
  queues_.clear();
  files_.clear();
}

void FakeGraphServer::AddWhatsAppMedia(const std::string& media_id, const std::string& bytes,
                                       const std::string& mime_type) {
  ScriptedResponse metadata = MediaMetadata(MediaUrl(media_id), mime_type, HexEncode(Sha256(bytes)),
                                            static_cast<int64_t>(bytes.size()));
  std::lock_guard<std::mutex> lock(mutex_);
  files_[media_id] = std::move(metadata);
  files_["_media/" + media_id] = Bytes(200, bytes, mime_type);
}

void FakeGraphServer::AddFile(const std::string& path, const std::string& bytes,
                              const std::string& mime_type) {
  std::lock_guard<std::mutex> lock(mutex_);
  files_[path] = Bytes(200, bytes, mime_type);
}

std::string FakeGraphServer::MediaUrl(const std::string& media_id) const {
  return FileUrl("_media/" + media_id);
}

std::string FakeGraphServer::FileUrl(const std::string& path) const {
  return base_url() + "/" + path + "?sig=FAKEsig";
}

ScriptedResponse FakeGraphServer::MediaMetadata(const std::string& url,
                                                const std::string& mime_type,
                                                const std::string& sha256, int64_t file_size) {
  return JsonAnswer(200, {{"messaging_product", "whatsapp"},
                          {"url", url},
                          {"mime_type", mime_type},
                          {"sha256", sha256},
                          {"file_size", file_size},
                          {"id", "MEDIA"}});
}

ScriptedResponse FakeGraphServer::Bytes(int status, const std::string& bytes,
                                        const std::string& mime_type, bool chunked) {
  ScriptedResponse response;
  response.status = status;
  response.body = bytes;
  response.content_type = mime_type;
  response.chunked = chunked;
  return response;
}

void FakeGraphServer::Record(RecordedRequest request) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    requests_.push_back(std::move(request));
  }
  arrived_.notify_all();
}

ScriptedResponse FakeGraphServer::Answer(const RecordedRequest& request,
                                         const std::string& graph_path) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const std::string& key : {graph_path, std::string("*")}) {
      auto it = queues_.find(key);
      if (it != queues_.end() && !it->second.empty()) {
        ScriptedResponse scripted = std::move(it->second.front());
        it->second.pop_front();
        return scripted;
      }
    }
    if (request.method == "GET") {
      if (auto it = files_.find(graph_path); it != files_.end()) return it->second;
    }
  }
  return SuccessFor(request, graph_path);
}

ScriptedResponse FakeGraphServer::SuccessFor(const RecordedRequest& request,
                                             const std::string& graph_path) {
  int64_t id = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    id = next_id_++;
  }
  const std::string n = std::to_string(id);
  const Json body = Json::parse(request.body, nullptr, false);
  const auto ends_with = [&](const std::string& suffix) {
    return graph_path.size() >= suffix.size() &&
           graph_path.compare(graph_path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (request.method == "POST" && ends_with("/messages")) {
    if (!body.is_object()) return GraphError(400, 100, 0, "(#100) Invalid JSON body");
    if (body.value("messaging_product", "") == "whatsapp") {
      if (body.value("status", "") == "read") return JsonAnswer(200, {{"success", true}});
      const std::string to = body.value("to", "");
      return JsonAnswer(200, {{"messaging_product", "whatsapp"},
                              {"contacts", {{{"input", to}, {"wa_id", to}}}},
                              {"messages", {{{"id", "wamid.FAKE" + n}}}}});
    }
    const Json recipient = body.value("recipient", Json::object());
    const std::string recipient_id =
        recipient.is_object() && recipient.contains("id") && recipient["id"].is_string()
            ? recipient["id"].get<std::string>()
            : "PSID_FAKE" + n;  // private replies name a comment; Meta answers with the PSID
    if (body.contains("sender_action")) return JsonAnswer(200, {{"recipient_id", recipient_id}});
    return JsonAnswer(200, {{"recipient_id", recipient_id}, {"message_id", "m_FAKE" + n}});
  }
  if (request.method == "POST" && (ends_with("/comments") || ends_with("/replies"))) {
    return JsonAnswer(200, {{"id", "COMMENT_FAKE" + n}});
  }
  if (request.method == "POST") return JsonAnswer(200, {{"success", true}});
  return JsonAnswer(200, {{"id", graph_path}});
}

ScriptedResponse FakeGraphServer::GraphError(int status, int64_t code, int64_t subcode,
                                             const std::string& message) {
  Json error = {{"message", message}, {"type", "OAuthException"}, {"code", code}};
  if (subcode != 0) error["error_subcode"] = subcode;
  error["fbtrace_id"] = "FAKEtrace";
  return JsonAnswer(status, {{"error", error}});
}

ScriptedResponse FakeGraphServer::RateLimited(int retry_after_s) {
  ScriptedResponse response =
      GraphError(400, 613, 0, "(#613) Calls to this api have exceeded the rate limit.");
  if (retry_after_s >= 0) response.headers["Retry-After"] = std::to_string(retry_after_s);
  return response;
}

ScriptedResponse FakeGraphServer::WhatsAppThroughput(int retry_after_s) {
  ScriptedResponse response = GraphError(429, 130429, 0, "Rate limit hit");
  if (retry_after_s >= 0) response.headers["Retry-After"] = std::to_string(retry_after_s);
  return response;
}

ScriptedResponse FakeGraphServer::WindowClosedMessenger() {
  return GraphError(400, 10, 2018278, "(#10) This message is sent outside of allowed window.");
}

ScriptedResponse FakeGraphServer::WindowClosedWhatsApp() {
  return GraphError(400, 131047, 0,
                    "Re-engagement message: more than 24 hours have passed since the recipient "
                    "last replied.");
}

ScriptedResponse FakeGraphServer::UserUnavailable() {
  return GraphError(400, 551, 1545041, "This person isn't available right now.");
}

ScriptedResponse FakeGraphServer::BadToken() {
  return GraphError(401, 190, 0, "Invalid OAuth access token - Cannot parse access token");
}

ScriptedResponse FakeGraphServer::ServerError() {
  return GraphError(500, 2, 0, "An unexpected error has occurred. Please retry your request.");
}

ScriptedResponse FakeGraphServer::Slow(int delay_ms) {
  ScriptedResponse response = JsonAnswer(200, {{"recipient_id", "SLOW"}, {"message_id", "m_SLOW"}});
  response.delay_ms = delay_ms;
  return response;
}

ScriptedResponse FakeGraphServer::MentionedComment(const std::string& text,
                                                   const std::string& username,
                                                   const std::string& timestamp) {
  return JsonAnswer(
      200,
      {{"mentioned_comment",
        {{"text", text}, {"username", username}, {"timestamp", timestamp}, {"id", "COMMENT_FAKE"}}},
       {"id", "IG_USER_FAKE"}});
}

ScriptedResponse FakeGraphServer::MentionedMedia(const std::string& caption,
                                                 const std::string& username,
                                                 const std::string& timestamp) {
  return JsonAnswer(200, {{"mentioned_media",
                           {{"caption", caption},
                            {"username", username},
                            {"timestamp", timestamp},
                            {"id", "MEDIA_FAKE"}}},
                          {"id", "IG_USER_FAKE"}});
}

ScriptedResponse FakeGraphServer::ObjectNotFound() {
  return GraphError(400, 100, 33,
                    "Unsupported get request. Object with ID '17894227972186120' does not exist, "
                    "cannot be loaded due to missing permissions, or does not support this "
                    "operation.");
}

}  // namespace atalaya::fakes
