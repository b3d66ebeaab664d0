// bench/ingest: how fast atalaya acknowledges signed WhatsApp webhooks with every
// acknowledged one durable, against a bare cpp-httplib server with the same settings, in the
// same run, from the same load generator.
//
//   bench_ingest --atalaya BIN --bare BIN --config FILE --app-secret-file FILE
//                [--connections 32] [--seconds 6] [--slice 1] [--rounds 5]
//
// Every request carries a new message id, a ~1.5 KB body and a valid signature, over
// keep-alive connections. Prints requests/s, p50/p99 acknowledgement latency, the ratio, the
// mean commit batch, the ingest backlog at the end and its drain time, the daemon's peak RSS,
// and checks that stored deliveries equal the 200s — per round and as medians over rounds.
//
// A round starts a fresh bare server and a fresh daemon on a fresh state directory, then
// loads them in turns of --slice seconds (bare, atalaya, bare, ...) until each had --seconds.
// This machine's speed drifts by a third within a minute; two loads run one after the other
// saw different machines, and their ratio moved by ±8 points from round to round. Taking
// turns, both see the same drift. The daemon is stopped (SIGSTOP) during the bare server's
// turns, so the backlog it normalizes in the background runs in its own turns only.

#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
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
  double server_cpu_s = 0;     // the server process, user + system, during the load
  double generator_cpu_s = 0;  // this process (the load generator), during the load
  std::map<std::string, double> server_thread_cpu_s;  // by thread name, during the load
  std::vector<double> latencies_ms;                   // one per 200
  double rps() const { return ok / seconds; }
  double server_us_per_request() const { return ok ? 1e6 * server_cpu_s / ok : 0; }
  double generator_us_per_request() const { return ok ? 1e6 * generator_cpu_s / ok : 0; }
};

// Adds one turn's load to a round's total; p50/p99 are computed by FinishPercentiles.
void Accumulate(LoadResult& total, LoadResult turn) {
  total.ok += turn.ok;
  total.failed += turn.failed;
  total.seconds += turn.seconds;
  total.server_cpu_s += turn.server_cpu_s;
  total.generator_cpu_s += turn.generator_cpu_s;
  for (const auto& [name, cpu_s] : turn.server_thread_cpu_s)
    total.server_thread_cpu_s[name] += cpu_s;
  total.latencies_ms.insert(total.latencies_ms.end(), turn.latencies_ms.begin(),
                            turn.latencies_ms.end());
}

void FinishPercentiles(LoadResult& r) {
  std::sort(r.latencies_ms.begin(), r.latencies_ms.end());
  if (r.latencies_ms.empty()) return;
  r.p50_ms = r.latencies_ms[r.latencies_ms.size() / 2];
  r.p99_ms = r.latencies_ms[std::min(r.latencies_ms.size() - 1, r.latencies_ms.size() * 99 / 100)];
}

// User + system CPU seconds from a /proc stat file: a process's (all threads) or a thread's.
double CpuSecondsOf(const std::string& stat_path) {
  std::ifstream stat(stat_path);
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  long long utime = 0, stime = 0;
  for (int index = 3; fields >> field; ++index) {
    if (index == 14) utime = std::atoll(field.c_str());
    if (index == 15) {
      stime = std::atoll(field.c_str());
      break;
    }
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double CpuSeconds(const std::string& pid) { return CpuSecondsOf("/proc/" + pid + "/stat"); }

// CPU seconds per thread name ("http", "store-writer", ...): where the daemon's time goes.
std::map<std::string, double> CpuSecondsByThread(int pid) {
  std::map<std::string, double> by_name;
  const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator(tasks, error)) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    std::getline(comm, name);
    by_name[name] += CpuSecondsOf(task.path() / "stat");
  }
  return by_name;
}

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

// One connection's bodies: a body built once, whose message id ends in a fixed-width counter
// that each request overwrites. Serializing the JSON anew per request cost the generator more
// CPU than the bare server spent answering, and both servers share the cores with it.
class BodyStamper {
 public:
  explicit BodyStamper(const std::string& id_prefix)
      : body_(Body(id_prefix + std::string(kDigits, '0'))),
        digits_at_(body_.find(id_prefix) + id_prefix.size()) {}

  const std::string& Next(int64_t counter) {
    for (size_t i = kDigits; i-- > 0; counter /= 10) body_[digits_at_ + i] = '0' + counter % 10;
    return body_;
  }

 private:
  static constexpr size_t kDigits = 12;
  std::string body_;
  size_t digits_at_;
};

// One turn: `connections` keep-alive clients posting for `seconds`. `tag` makes its message
// ids unlike any other turn's.
LoadResult RunLoad(int port, int server_pid, int connections, double seconds,
                   const std::string& secret, const std::string& tag) {
  const std::string server = std::to_string(server_pid);
  const double server_cpu_before = CpuSeconds(server);
  const double generator_cpu_before = CpuSeconds("self");
  const auto threads_before = CpuSecondsByThread(server_pid);
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
      mine.reserve(static_cast<size_t>(50000 * seconds));
      BodyStamper bodies("wamid.BENCH-" + tag + "-" + std::to_string(c) + "-");
      for (int64_t i = 0; !stop; ++i) {
        const std::string& body = bodies.Next(i);
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
  r.server_cpu_s = CpuSeconds(server) - server_cpu_before;
  r.generator_cpu_s = CpuSeconds("self") - generator_cpu_before;
  for (const auto& [name, cpu_s] : CpuSecondsByThread(server_pid)) {
    const auto before = threads_before.find(name);
    r.server_thread_cpu_s[name] = cpu_s - (before == threads_before.end() ? 0 : before->second);
  }
  r.ok = ok;
  r.failed = failed;
  r.latencies_ms = std::move(latencies);
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

void PrintRow(const std::string& name, const LoadResult& r) {
  std::printf(
      "%-26s %8.0f req/s   p50 %6.2f ms   p99 %6.2f ms   CPU/request: server %5.1f us, "
      "load generator %5.1f us   (%lld ok, %lld failed)\n",
      name.c_str(), r.rps(), r.p50_ms, r.p99_ms, r.server_us_per_request(),
      r.generator_us_per_request(), static_cast<long long>(r.ok), static_cast<long long>(r.failed));
}

// "http 61.0 us, store-writer 38.2 us, ...": the server's CPU per request by thread name.
void PrintThreadCpu(const std::string& name, const LoadResult& r) {
  std::vector<std::pair<double, std::string>> rows;
  for (const auto& [thread, cpu_s] : r.server_thread_cpu_s) {
    if (r.ok > 0 && cpu_s > 0) rows.emplace_back(1e6 * cpu_s / r.ok, thread);
  }
  std::sort(rows.rbegin(), rows.rend());
  std::printf("%-26s CPU/request by thread:", name.c_str());
  for (size_t i = 0; i < rows.size(); ++i) {
    std::printf("%s %s %.1f us", i == 0 ? "" : ",", rows[i].second.c_str(), rows[i].first);
  }
  std::printf("\n");
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

// One round's figures: the bare server's load, and atalaya's with its drain and store checks.
struct Round {
  LoadResult bare;
  LoadResult load;  // atalaya's
  double batch_during_load = 0;
  double commits_during_load = 0;
  double commit_ms_during_load = 0;  // mean wall time of one commit: its SQL, WAL and fsync
  double batch_overall = 0;
  double backlog_at_end = 0;
  double drain_s = 0;
  int64_t peak_rss_kb = 0;
  int64_t stored = -1;      // inbox rows
  int64_t normalized = -1;  // message events
  bool clean_exit = false;
  bool Consistent() const { return stored == load.ok && normalized == load.ok; }
};

struct RoundPlan {
  int connections = 32;
  double seconds = 6;  // of load for each server
  double slice = 1;    // seconds of one turn
  std::string secret;
};

// One round: a fresh bare server and a fresh atalaya with the shipped config (FULL durability,
// ingest and rules on) loaded in turns, then atalaya's drain, then what its store holds.
std::optional<Round> RunRound(const std::string& bare_bin, const std::string& atalaya_bin,
                              const std::string& config, const std::string& dir,
                              const RoundPlan& plan, const std::string& tag) {
  DaemonProcess bare(bare_bin, {dir + "/bare.port"}, {}, dir);
  if (!bare.Start()) return std::nullopt;
  const int bare_port = bare.WaitForPortFile(dir + "/bare.port");
  const std::string state_dir = dir + "/state-" + tag;
  DaemonProcess daemon(
      atalaya_bin,
      {"serve", "--config", config, "--state-dir", state_dir, "--listen", "127.0.0.1:0",
       "--admin-listen", "127.0.0.1:0", "--port-file", dir + "/port-" + tag, "--admin-port-file",
       dir + "/admin-port-" + tag, "--log-level", "warn"},
      {}, dir);
  if (!daemon.Start()) return std::nullopt;
  const int port = daemon.WaitForPortFile(dir + "/port-" + tag);
  const int admin_port = daemon.WaitForPortFile(dir + "/admin-port-" + tag);
  if (bare_port == 0 || port == 0 || admin_port == 0) {
    std::cerr << daemon.Stderr();
    return std::nullopt;
  }

  Round round;
  const int turns = std::max(1, static_cast<int>(std::lround(plan.seconds / plan.slice)));
  for (int turn = 0; turn < turns; ++turn) {
    const std::string turn_tag = tag + "t" + std::to_string(turn);
    daemon.Signal(SIGSTOP);
    Accumulate(round.bare, RunLoad(bare_port, bare.pid(), plan.connections, plan.slice, plan.secret,
                                   "bare-" + turn_tag));
    daemon.Signal(SIGCONT);
    Accumulate(round.load,
               RunLoad(port, daemon.pid(), plan.connections, plan.slice, plan.secret, turn_tag));
  }
  bare.Signal(SIGTERM);
  bare.Wait();
  std::filesystem::remove(dir + "/bare.port");
  FinishPercentiles(round.bare);
  FinishPercentiles(round.load);

  auto at_end = ScrapeMetrics(admin_port);
  round.batch_during_load = at_end["atalaya_store_batch_size_mean"];
  round.commits_during_load = at_end["atalaya_store_commits_total"];
  if (round.commits_during_load > 0) {
    round.commit_ms_during_load =
        1000 * at_end["atalaya_store_commit_seconds_sum"] / round.commits_during_load;
  }
  round.backlog_at_end = at_end["atalaya_inbox_backlog"];
  const auto drain_start = Clock::now();
  for (double backlog = round.backlog_at_end; backlog > 0;) {
    // Every 100 ms: each scrape counts the backlog (an index walk of ~5 ms at 150,000 rows),
    // and polled every 20 ms it took a quarter of a core from the drain it measured.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    backlog = ScrapeMetrics(admin_port)["atalaya_inbox_backlog"];
  }
  round.drain_s = std::chrono::duration<double>(Clock::now() - drain_start).count();
  round.batch_overall = ScrapeMetrics(admin_port)["atalaya_store_batch_size_mean"];
  round.peak_rss_kb = PeakRssKb(daemon.pid());
  daemon.Signal(SIGTERM);
  round.clean_exit = daemon.Wait(60000) == 0;

  atalaya::store::SqliteOptions options;
  options.path = state_dir + "/atalaya.db";
  auto store = atalaya::store::OpenSqliteStore(options);
  if (!store.ok()) {
    std::cerr << store.status().ToString() << '\n';
    return round;
  }
  auto inbox = (*store)->GetInboxStats(0);
  atalaya::store::EventQuery query;
  query.kind = atalaya::EventKind::kMessage;
  query.limit = 10'000'000;
  auto events = (*store)->ListEvents(query);
  if (inbox.ok()) round.stored = inbox->total;
  if (events.ok()) round.normalized = static_cast<int64_t>(events->size());
  return round;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string atalaya_bin = Flag(argc, argv, "atalaya", "");
  const std::string bare_bin = Flag(argc, argv, "bare", "");
  const std::string config = Flag(argc, argv, "config", "");
  const std::string secret_file = Flag(argc, argv, "app-secret-file", "");
  const int connections = std::stoi(Flag(argc, argv, "connections", "32"));
  RoundPlan plan;
  plan.connections = connections;
  plan.seconds = std::stod(Flag(argc, argv, "seconds", "6"));
  plan.slice = std::stod(Flag(argc, argv, "slice", "1"));
  // Five rounds by default: the median of three still moved by a few points.
  const int rounds = std::stoi(Flag(argc, argv, "rounds", "5"));
  if (atalaya_bin.empty() || bare_bin.empty() || config.empty() || secret_file.empty() ||
      rounds < 1 || plan.slice <= 0 || plan.seconds < plan.slice) {
    std::cerr << "usage: bench_ingest --atalaya BIN --bare BIN --config FILE "
                 "--app-secret-file FILE [--connections N] [--seconds S] [--slice S] "
                 "[--rounds R]\n";
    return 2;
  }
  plan.secret = atalaya::testing::ReadFile(secret_file);
  while (!plan.secret.empty() && plan.secret.back() == '\n') plan.secret.pop_back();
  const std::string dir = atalaya::testing::MakeTempDir("bench-ingest");

  std::printf("command: %s --connections %d --seconds %g --slice %g --rounds %d\n", argv[0],
              connections, plan.seconds, plan.slice, rounds);
  std::printf("body: %zu bytes, new message id and HMAC-SHA256 signature per request\n",
              Body("wamid.BENCH-x-0-0").size());
  std::vector<double> bare_rps, atalaya_rps, ratios, bare_cpu_us, atalaya_cpu_us;
  bool all_consistent = true;
  for (int r = 1; r <= rounds; ++r) {
    const std::string tag = "r" + std::to_string(r);
    auto round = RunRound(bare_bin, atalaya_bin, config, dir, plan, tag);
    if (!round) return 1;
    const LoadResult* reference = &round->bare;
    std::printf("round %d\n", r);
    PrintRow("  bare cpp-httplib", *reference);
    PrintRow("  atalaya serve", round->load);
    PrintThreadCpu("", round->load);
    const double ratio = round->load.rps() / reference->rps();
    std::printf(
        "  ratio %.1f%%; writes per commit %.1f during the load (%.0f commits, %.2f ms each), "
        "%.1f overall; backlog at end %.0f rows (normalized during the load: %.0f/s), drained "
        "in %.2f s; peak RSS %.1f MB\n",
        100 * ratio, round->batch_during_load, round->commits_during_load,
        round->commit_ms_during_load, round->batch_overall, round->backlog_at_end,
        (static_cast<double>(round->load.ok) - round->backlog_at_end) / round->load.seconds,
        round->drain_s, round->peak_rss_kb / 1024.0);
    std::printf("  stored deliveries %lld, acknowledged 200s %lld, normalized events %lld -> %s\n",
                static_cast<long long>(round->stored), static_cast<long long>(round->load.ok),
                static_cast<long long>(round->normalized), round->Consistent() ? "OK" : "MISMATCH");
    all_consistent = all_consistent && round->Consistent() && round->clean_exit;
    bare_rps.push_back(reference->rps());
    atalaya_rps.push_back(round->load.rps());
    ratios.push_back(ratio);
    bare_cpu_us.push_back(reference->server_us_per_request());
    atalaya_cpu_us.push_back(round->load.server_us_per_request());
    std::fflush(stdout);
  }
  std::printf(
      "median of %d rounds: bare %.0f req/s, atalaya %.0f req/s, ratio %.1f%% "
      "(target >= 50%%; rounds %.1f%%..%.1f%%)\n",
      rounds, Median(bare_rps), Median(atalaya_rps), 100 * Median(ratios),
      100 * *std::min_element(ratios.begin(), ratios.end()),
      100 * *std::max_element(ratios.begin(), ratios.end()));
  std::printf("median server CPU per request: bare %.1f us, atalaya %.1f us\n", Median(bare_cpu_us),
              Median(atalaya_cpu_us));
  std::printf("every round: stored = acknowledged = normalized, clean exit -> %s\n",
              all_consistent ? "OK" : "MISMATCH");
  std::filesystem::remove_all(dir);
  return all_consistent ? 0 : 1;
}
