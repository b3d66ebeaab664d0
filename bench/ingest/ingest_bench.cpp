// bench/ingest: how fast atalaya acknowledges signed WhatsApp webhooks with every
// acknowledged one durable, against a bare cpp-httplib server with the same settings, in the
// same run, from the same load generator.
//
//   bench_ingest --atalaya BIN --bare BIN --config FILE --app-secret-file FILE
//                [--connections 32] [--seconds 10]
//
// Every request carries a new message id, a ~1.5 KB body and a valid signature, over
// keep-alive connections. Prints requests/s, p50/p99 acknowledgement latency, the ratio, the
// mean commit batch, the ingest backlog at the end and its drain time, the daemon's peak RSS,
// and checks that stored deliveries equal the 200s.

#include <httplib.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "channels/meta_signature.h"
#include "channels/whatsapp_payload.h"
#include "store/store.h"
#include "tests/support/daemon_process.h"

namespace {

using Clock = std::chrono::steady_clock;
using atalaya::testing::DaemonProcess;

struct LoadResult {
  int64_t ok = 0;
  int64_t failed = 0;
  double seconds = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double rps() const { return ok / seconds; }
};

std::string Body(const std::string& id) {
  static const std::string kText = [] {
    std::string t =
        "Hola, buenas tardes. Les escribo porque hice un pedido hace dos semanas y todavía no "
        "me llega; el número de seguimiento no muestra movimiento desde el lunes. ";
    while (t.size() < 1100) t += t;
    return t.substr(0, 1100);
  }();
  atalaya::channels::SimulatedWhatsAppText m;
  m.phone_number_id = "100000000000001";
  m.from = "573001112233";
  m.name = "Cliente Bench";
  m.text = kText;
  m.message_id = id;
  m.timestamp_s = 1'760'000'000;
  return atalaya::channels::BuildWhatsAppTextWebhook(m);
}

LoadResult RunLoad(int port, int connections, double seconds, const std::string& secret,
                   const std::string& tag) {
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::vector<double> latencies;
  std::atomic<int64_t> ok{0}, failed{0};
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", port);
      client.set_tcp_nodelay(true);
      client.set_keep_alive(true);
      client.set_read_timeout(std::chrono::seconds(30));
      std::vector<double> mine;
      mine.reserve(200000);
      for (int64_t i = 0; !stop; ++i) {
        std::string body =
            Body("wamid.BENCH-" + tag + "-" + std::to_string(c) + "-" + std::to_string(i));
        httplib::Headers headers = {
            {"X-Hub-Signature-256", atalaya::channels::SignMetaBody(body, secret)}};
        auto t0 = Clock::now();
        auto res = client.Post("/webhooks/whatsapp", headers, body, "application/json");
        auto t1 = Clock::now();
        if (res && res->status == 200) {
          ++ok;
          mine.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        } else {
          ++failed;
        }
      }
      std::lock_guard lock(mutex);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  LoadResult r;
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.ok = ok;
  r.failed = failed;
  std::sort(latencies.begin(), latencies.end());
  if (!latencies.empty()) {
    r.p50_ms = latencies[latencies.size() / 2];
    r.p99_ms = latencies[std::min(latencies.size() - 1, latencies.size() * 99 / 100)];
  }
  return r;
}

std::map<std::string, double> ScrapeMetrics(int admin_port) {
  httplib::Client client("127.0.0.1", admin_port);
  std::map<std::string, double> values;
  auto res = client.Get("/metrics");
  if (!res) return values;
  std::istringstream lines(res->body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t space = line.rfind(' ');
    values[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return values;
}

int64_t PeakRssKb(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atoll(line.c_str() + 6);
  }
  return -1;
}

std::string Flag(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == "--" + name) return argv[i + 1];
  }
  return fallback;
}

void PrintRow(const char* name, const LoadResult& r) {
  std::printf("%-22s %10.0f req/s   p50 %7.2f ms   p99 %7.2f ms   (%lld ok, %lld failed)\n", name,
              r.rps(), r.p50_ms, r.p99_ms, static_cast<long long>(r.ok),
              static_cast<long long>(r.failed));
}

}  // namespace

int main(int argc, char** argv) {
  const std::string atalaya_bin = Flag(argc, argv, "atalaya", "");
  const std::string bare_bin = Flag(argc, argv, "bare", "");
  const std::string config = Flag(argc, argv, "config", "");
  const std::string secret_file = Flag(argc, argv, "app-secret-file", "");
  const int connections = std::stoi(Flag(argc, argv, "connections", "32"));
  const double seconds = std::stod(Flag(argc, argv, "seconds", "10"));
  if (atalaya_bin.empty() || bare_bin.empty() || config.empty() || secret_file.empty()) {
    std::cerr << "usage: bench_ingest --atalaya BIN --bare BIN --config FILE "
                 "--app-secret-file FILE [--connections N] [--seconds S]\n";
    return 2;
  }
  std::string secret = atalaya::testing::ReadFile(secret_file);
  while (!secret.empty() && secret.back() == '\n') secret.pop_back();
  const std::string dir = atalaya::testing::MakeTempDir("bench-ingest");

  std::printf("command: %s --connections %d --seconds %.0f\n", argv[0], connections, seconds);
  std::printf("body: %zu bytes, new message id and HMAC-SHA256 signature per request\n",
              Body("wamid.BENCH-x-0-0").size());

  // (b) the bare reference server.
  DaemonProcess bare(bare_bin, {dir + "/bare.port"}, {}, dir);
  if (!bare.Start()) return 1;
  int bare_port = bare.WaitForPortFile(dir + "/bare.port");
  if (bare_port == 0) return 1;
  LoadResult reference = RunLoad(bare_port, connections, seconds, secret, "bare");
  bare.Signal(SIGTERM);
  bare.Wait();

  // (a) atalaya with the shipped default config: FULL durability, ingest on.
  const std::string state_dir = dir + "/state";
  DaemonProcess daemon(
      atalaya_bin,
      {"serve", "--config", config, "--state-dir", state_dir, "--listen", "127.0.0.1:0",
       "--admin-listen", "127.0.0.1:0", "--port-file", dir + "/port", "--admin-port-file",
       dir + "/admin.port", "--log-level", "warn"},
      {}, dir);
  if (!daemon.Start()) return 1;
  int port = daemon.WaitForPortFile(dir + "/port");
  int admin_port = daemon.WaitForPortFile(dir + "/admin.port");
  if (port == 0 || admin_port == 0) {
    std::cerr << daemon.Stderr();
    return 1;
  }
  LoadResult measured = RunLoad(port, connections, seconds, secret, "atalaya");
  auto at_end = ScrapeMetrics(admin_port);
  const double backlog_at_end = at_end["atalaya_inbox_backlog"];
  const auto drain_start = Clock::now();
  double backlog = backlog_at_end;
  while (backlog > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    backlog = ScrapeMetrics(admin_port)["atalaya_inbox_backlog"];
  }
  const double drain_s = std::chrono::duration<double>(Clock::now() - drain_start).count();
  auto drained = ScrapeMetrics(admin_port);
  const int64_t rss_kb = PeakRssKb(daemon.pid());
  daemon.Signal(SIGTERM);
  int exit_status = daemon.Wait(60000);

  PrintRow("bare cpp-httplib", reference);
  PrintRow("atalaya serve", measured);
  std::printf("ratio: %.1f%% of the bare server's requests/s (target >= 50%%)\n",
              100.0 * measured.rps() / reference.rps());
  std::printf("mean writes per commit: %.1f during the load (%.0f commits), %.1f overall\n",
              at_end["atalaya_store_batch_size_mean"], at_end["atalaya_store_commits_total"],
              drained["atalaya_store_batch_size_mean"]);
  std::printf("ingest backlog at end of load: %.0f rows, drained in %.2f s\n", backlog_at_end,
              drain_s);
  std::printf("daemon peak RSS: %.1f MB (target < 100 MB)\n", rss_kb / 1024.0);

  atalaya::store::SqliteOptions options;
  options.path = state_dir + "/atalaya.db";
  auto store = atalaya::store::OpenSqliteStore(options);
  if (!store.ok()) {
    std::cerr << store.status().ToString() << '\n';
    return 1;
  }
  auto inbox = (*store)->GetInboxStats(0);
  atalaya::store::EventQuery query;
  query.kind = atalaya::EventKind::kMessage;
  query.limit = 10'000'000;
  auto events = (*store)->ListEvents(query);
  const int64_t stored = inbox.ok() ? inbox->total : -1;
  const int64_t normalized = events.ok() ? static_cast<int64_t>(events->size()) : -1;
  std::printf("stored deliveries: %lld, acknowledged 200s: %lld, normalized events: %lld -> %s\n",
              static_cast<long long>(stored), static_cast<long long>(measured.ok),
              static_cast<long long>(normalized),
              stored == measured.ok && normalized == measured.ok ? "OK" : "MISMATCH");
  std::filesystem::remove_all(dir);
  return exit_status == 0 && stored == measured.ok && normalized == measured.ok ? 0 : 1;
}
