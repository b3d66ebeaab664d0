// The benchmark's reference: a cpp-httplib server with exactly the daemon's HTTP settings
// (the same HttpServer class and defaults) that answers every webhook 200 without any work.
// Whatever atalaya costs beyond this is the price of verifying, storing and normalizing.
//
//   bench_bare_server PORT_FILE [THREADS]

#include <signal.h>

#include <fstream>
#include <iostream>

#include "daemon/config.h"
#include "daemon/http_server.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: bench_bare_server PORT_FILE [THREADS]\n";
    return 2;
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  atalaya::daemon::Config defaults;
  atalaya::daemon::HttpServerOptions options;
  options.listen = "127.0.0.1:0";
  options.threads = argc > 2 ? std::atoi(argv[2]) : defaults.server.threads;
  options.max_body_bytes = defaults.server.max_body_bytes;
  options.read_timeout_ms = defaults.server.read_timeout_ms;
  options.write_timeout_ms = defaults.server.write_timeout_ms;
  options.keep_alive_max_count = defaults.server.keep_alive_max_count;
  options.keep_alive_timeout_ms = defaults.server.keep_alive_timeout_ms;
  atalaya::daemon::HttpServer server(options);
  server.routes().Post("/webhooks/whatsapp", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"status":"accepted"})", "application/json");
  });
  if (auto s = server.Start(); !s.ok()) {
    std::cerr << s.message() << '\n';
    return 1;
  }
  {
    std::ofstream out(std::string(argv[1]) + ".tmp");
    out << server.port() << '\n';
  }
  std::rename((std::string(argv[1]) + ".tmp").c_str(), argv[1]);
  int sig = 0;
  sigwait(&set, &sig);
  server.Stop();
  return 0;
}
