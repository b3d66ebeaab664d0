#pragma once
// HttpServer: one listening cpp-httplib server, tuned the way DEPENDENCIES.md measured
// (TCP_NODELAY on, a deep listen backlog, a sized worker pool, body limit, timeouts) and
// with every error answered as a JSON body.
//
// Ownership: the caller registers routes on `routes()` before Start(); the server owns its
// worker threads. Start() binds (port 0 = any free port) and serves on a thread of its own;
// Stop() stops accepting, lets in-flight requests finish, and joins. Stop() is not
// async-signal-safe: call it from the signal thread, never from a handler.

#include <httplib.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "common/status.h"

namespace atalaya::daemon {

struct HttpServerOptions {
  std::string listen;  // "HOST:PORT"
  int threads = 64;
  int64_t max_body_bytes = 8 * 1024 * 1024;
  int read_timeout_ms = 5000;
  int write_timeout_ms = 5000;
  int keep_alive_max_count = 1000;
  int keep_alive_timeout_ms = 5000;
  std::string tls_cert_file;  // both set → HTTPS
  std::string tls_key_file;
};

class HttpServer {
 public:
  explicit HttpServer(HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  httplib::Server& routes() { return *server_; }
  // Called (on a pool thread) for each request httplib refused before any route ran, e.g.
  // 413 for a body over the limit, so the caller can count it. Set before Start().
  void set_refusal_observer(std::function<void(const std::string& path, int status)> observer) {
    refusal_observer_ = std::move(observer);
  }

  // Binds and starts serving. kUnavailable when the address cannot be bound.
  Status Start();
  void Stop();
  int port() const { return port_; }
  std::string host() const { return host_; }

 private:
  HttpServerOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::function<void(const std::string& path, int status)> refusal_observer_;
  std::thread thread_;
  std::string host_;
  int port_ = 0;
  int socket_fd_ = -1;
};

}  // namespace atalaya::daemon
