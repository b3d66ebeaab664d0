#include "daemon/http_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "common/thread_name.h"
#include "daemon/config.h"
#include "daemon/http_errors.h"

namespace atalaya::daemon {
namespace {

// httplib listens with a backlog of 5 and offers no setter; under reconnect bursts the
// kernel queue overflows and p99 jumps to ~1 s. We listen() again on the bound socket.
constexpr int kListenBacklog = 4096;

const char* CodeForHttpStatus(int status) {
  switch (status) {
    case 400:
      return "bad_request";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 413:
      return "payload_too_large";
    case 414:
      return "uri_too_long";
    case 416:
      return "range_not_satisfiable";
    case 500:
      return "internal";
    case 503:
      return "unavailable";
    default:
      return "http_error";
  }
}

std::string MessageForHttpStatus(int status, int64_t max_body_bytes) {
  switch (status) {
    case 404:
      return "no such route";
    case 413:
      return "request body is larger than " + std::to_string(max_body_bytes) + " bytes";
    case 400:
      return "malformed HTTP request";
    default:
      return "HTTP error " + std::to_string(status);
  }
}

// httplib's pool, with its workers named "http" for top -H and bench/ingest.
class HttpWorkerPool : public httplib::ThreadPool {
 public:
  using httplib::ThreadPool::ThreadPool;
  void enqueue(std::function<void()> fn) override {
    httplib::ThreadPool::enqueue([fn = std::move(fn)] {
      thread_local const bool named = (NameThisThread("http"), true);
      (void)named;
      fn();
    });
  }
};

}  // namespace

HttpServer::HttpServer(HttpServerOptions options) : options_(std::move(options)) {
  if (!options_.tls_cert_file.empty() && !options_.tls_key_file.empty()) {
    server_ = std::make_unique<httplib::SSLServer>(options_.tls_cert_file.c_str(),
                                                   options_.tls_key_file.c_str());
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  const int threads = options_.threads;
  server_->new_task_queue = [threads] { return new HttpWorkerPool(threads); };
  server_->set_tcp_nodelay(true);
  server_->set_payload_max_length(static_cast<size_t>(options_.max_body_bytes));
  server_->set_read_timeout(std::chrono::milliseconds(options_.read_timeout_ms));
  server_->set_write_timeout(std::chrono::milliseconds(options_.write_timeout_ms));
  server_->set_keep_alive_max_count(options_.keep_alive_max_count);
  server_->set_keep_alive_timeout(std::max(1, options_.keep_alive_timeout_ms / 1000));
  // Replaces httplib's defaults on purpose: no SO_REUSEPORT, so a second daemon on the same
  // port fails to bind instead of silently taking part of the traffic.
  server_->set_socket_options([this](int fd) {
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    socket_fd_ = fd;
  });
  const int64_t max_body = options_.max_body_bytes;
  httplib::Server::HandlerWithResponse on_error = [this, max_body](const httplib::Request& req,
                                                                   httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    if (refusal_observer_) refusal_observer_(req.path, res.status);
    WriteError(res, res.status, CodeForHttpStatus(res.status),
               MessageForHttpStatus(res.status, max_body));
    return httplib::Server::HandlerResponse::Handled;
  };
  server_->set_error_handler(std::move(on_error));
  server_->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        WriteError(res, 500, "internal", "internal error");
      });
}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  if (server_->is_valid() == false) {
    return InvalidArgument("cannot load the TLS certificate or key (" + options_.tls_cert_file +
                           ", " + options_.tls_key_file + ")");
  }
  auto address = ParseListenAddress(options_.listen);
  if (!address.ok()) return address.status();
  host_ = address->host;
  int port = address->port;
  if (port == 0) {
    port = server_->bind_to_any_port(host_);
  } else if (!server_->bind_to_port(host_, port)) {
    port = -1;
  }
  if (port < 0) {
    return Unavailable("cannot listen on " + options_.listen +
                       " (address in use, or not an address of this machine)");
  }
  port_ = port;
  if (socket_fd_ >= 0) ::listen(socket_fd_, kListenBacklog);
  thread_ = std::thread([this] {
    NameThisThread("http-accept");
    server_->listen_after_bind();
  });
  return Status::Ok();
}

void HttpServer::Stop() {
  if (thread_.joinable()) {
    server_->stop();
    thread_.join();
  }
}

}  // namespace atalaya::daemon
