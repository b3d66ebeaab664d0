// bench/outbound: how fast the outbox is delivered, with the real pieces the daemon runs: a
// SQLite store (synchronous=FULL unless told otherwise) in a temp folder, the real
// SenderWorker, and the real HTTP Graph client talking to the FakeGraphServer on 127.0.0.1.
//
//   bench_outbound [--messages 2000] [--rate 200] [--seconds 5] [--latency-concurrency 4]
//                  [--recipients 100] [--synchronous full|normal]
//
// Prints, all from the same run:
//   reference   plain POSTs with the same Graph client and request bodies, no store: the
//               fake's own ceiling on this machine, with 1 and 16 callers;
//   throughput  `messages` Messenger texts queued first, then a SenderWorker started with
//               concurrency 1 and 16: messages/s from start until the last one is recorded sent;
//   latency     texts queued through the store at a steady `rate` for `seconds`, a worker with
//               `latency-concurrency` senders (the shipped default 4) and the shipped rate
//               limits: p50/p99/max from the moment EnqueueOutbound is called until the fake's
//               200 answer reaches the sender (the fake received the request one loopback hop
//               earlier; recording the row as sent is one more commit after that).
// Every phase checks that the fake received each message exactly once and that no row failed.
// The throughput phases turn our own rate limits off (the Messenger default, 300/s per Page,
// would otherwise be what is measured).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "channels/graph_client.h"
#include "channels/outbound_request.h"
#include "common/clock.h"
#include "common/log.h"
#include "daemon/sender_worker.h"
#include "store/store.h"
#include "tests/fakes/fake_graph_server.h"

namespace {

using atalaya::Channel;
using atalaya::Result;
using atalaya::Status;
using SteadyClock = std::chrono::steady_clock;
namespace channels = atalaya::channels;
namespace daemon = atalaya::daemon;
namespace store = atalaya::store;

constexpr char kPageId[] = "100000000000777";
constexpr char kToken[] = "bench-page-token";
constexpr char kTag[] = "bench-";

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now().time_since_epoch())
      .count();
}

// The sequence number a message's text carries ("bench-123 ..."), from a request body; -1 if
// none.
int64_t SeqOf(const std::string& body) {
  const size_t at = body.find(kTag);
  if (at == std::string::npos) return -1;
  int64_t seq = 0;
  size_t i = at + sizeof(kTag) - 1;
  if (i >= body.size() || body[i] < '0' || body[i] > '9') return -1;
  for (; i < body.size() && body[i] >= '0' && body[i] <= '9'; ++i) seq = seq * 10 + (body[i] - '0');
  return seq;
}

// The real Graph client, noting when each message's 2xx answer came back.
class TimingGraphClient final : public channels::GraphClient {
 public:
  explicit TimingGraphClient(channels::GraphClient& inner) : inner_(inner) {}

  Result<channels::GraphResponse> Call(const channels::GraphCall& call,
                                       std::string_view token) override {
    Result<channels::GraphResponse> response = inner_.Call(call, token);
    if (response.ok() && response->http_status / 100 == 2) {
      const int64_t now = NowNs();
      std::lock_guard<std::mutex> lock(mutex_);
      answered_ns_[SeqOf(call.body)] = now;
    }
    return response;
  }

  std::map<int64_t, int64_t> Answered() {
    std::lock_guard<std::mutex> lock(mutex_);
    return answered_ns_;
  }
  void Clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    answered_ns_.clear();
  }

 private:
  channels::GraphClient& inner_;
  std::mutex mutex_;
  std::map<int64_t, int64_t> answered_ns_;  // seq → when the 200 came back
};

std::string Flag(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == "--" + name) return argv[i + 1];
  }
  return fallback;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t at = std::min(values.size() - 1, static_cast<size_t>(values.size() * p));
  return values[at];
}

// What the fake received since its last reset: every expected sequence number exactly once?
bool ReceivedExactlyOnce(const atalaya::fakes::FakeGraphServer& fake, int64_t first_seq,
                         int64_t count, std::string& problem) {
  std::map<int64_t, int> seen;
  for (const atalaya::fakes::RecordedRequest& r : fake.Requests()) ++seen[SeqOf(r.body)];
  int64_t missing = 0;
  int64_t doubled = 0;
  for (int64_t seq = first_seq; seq < first_seq + count; ++seq) {
    auto it = seen.find(seq);
    if (it == seen.end()) {
      ++missing;
    } else if (it->second > 1) {
      ++doubled;
    }
  }
  const int64_t strays = static_cast<int64_t>(seen.size()) - (count - missing);
  if (missing == 0 && doubled == 0 && strays == 0) return true;
  problem = std::to_string(missing) + " missing, " + std::to_string(doubled) + " received twice, " +
            std::to_string(strays) + " unexpected";
  return false;
}

class OutboundBench {
 public:
  OutboundBench(store::Store& store, atalaya::fakes::FakeGraphServer& fake,
                channels::GraphClient& graph)
      : store_(store), fake_(fake), graph_(graph), timing_(graph) {}

  // Messenger conversations whose 24-hour window is open: one inbound text each, ingested in
  // one batch as the ingest worker would.
  Status MakeConversations(int count) {
    const int64_t now = clock_.NowMs();
    for (int i = 0; i < count; ++i) {
      Result<store::AppendOutcome> appended =
          store_.AppendInbox({"messenger", "{\"bench\":" + std::to_string(i) + "}", now});
      if (!appended.ok()) return appended.status();
    }
    Result<std::vector<store::InboxRow>> rows = store_.PendingInbox(0, count);
    if (!rows.ok()) return rows.status();
    std::vector<store::IngestItem> items;
    for (size_t i = 0; i < rows->size(); ++i) {
      atalaya::Event event;
      event.channel = Channel::kMessenger;
      event.account_id = kPageId;
      event.kind = atalaya::EventKind::kMessage;
      event.type = "text";
      event.platform_id = "m_in_" + std::to_string(i);
      event.dedup_key = event.platform_id;
      event.author.id = "psid-" + std::to_string(i);
      event.timestamp_ms = now;
      event.text = "hola";
      store::IngestItem item;
      item.inbox_id = (*rows)[i].id;
      item.events.push_back(event);
      items.push_back(std::move(item));
    }
    for (const Result<store::IngestOutcome>& r : store_.CommitIngestBatch(items, now)) {
      if (!r.ok()) return r.status();
    }
    store::EventQuery query;
    query.limit = static_cast<size_t>(count);
    Result<std::vector<store::StoredEvent>> events = store_.ListEvents(query);
    if (!events.ok()) return events.status();
    for (const store::StoredEvent& e : *events) {
      conversations_.push_back({e.conversation_id, e.event.author.id});
    }
    if (conversations_.empty()) return atalaya::Internal("no conversation was created");
    return Status::Ok();
  }

  store::NewOutbound Message(int64_t seq) const {
    const auto& [conversation, psid] = conversations_[seq % conversations_.size()];
    store::NewOutbound m;
    m.channel = Channel::kMessenger;
    m.account_id = kPageId;
    m.conversation_id = conversation;
    m.recipient_id = psid;
    m.kind = "text";
    m.payload_json = nlohmann::json{{"text", std::string(kTag) + std::to_string(seq) +
                                                 " Hola, tu pedido salió hoy y llega en 2 días "
                                                 "hábiles. ¿Te ayudo con algo más?"}}
                         .dump();
    m.author = "bot";
    return m;
  }

  // Plain calls with the same client and bodies: what the fake and the loopback can take.
  double Reference(int64_t count, int callers) {
    fake_.Reset();
    const int64_t first = NextSeqs(count);
    std::vector<channels::GraphCall> calls;
    for (int64_t seq = first; seq < first + count; ++seq) {
      const store::NewOutbound m = Message(seq);
      channels::SendContext context;
      context.last_inbound_ms = clock_.NowMs();
      Result<channels::GraphCall> call = channels::BuildGraphCall(m, context, clock_);
      if (!call.ok()) {
        std::cerr << "reference: " << call.status().ToString() << "\n";
        return 0;
      }
      calls.push_back(*call);
    }
    std::atomic<size_t> next{0};
    std::atomic<int64_t> failed{0};
    const auto start = SteadyClock::now();
    std::vector<std::thread> threads;
    for (int t = 0; t < callers; ++t) {
      threads.emplace_back([&] {
        for (size_t i = next++; i < calls.size(); i = next++) {
          auto r = graph_.Call(calls[i], kToken);
          if (!r.ok() || r->http_status != 200) ++failed;
        }
      });
    }
    for (std::thread& t : threads) t.join();
    const double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
    std::string problem;
    if (failed > 0 || !ReceivedExactlyOnce(fake_, first, count, problem)) {
      std::printf("  reference check FAILED: %lld calls failed %s\n",
                  static_cast<long long>(failed.load()), problem.c_str());
      ok_ = false;
    }
    return count / seconds;
  }

  // Queues `count` messages from `threads` threads (the store groups their commits).
  std::vector<int64_t> Enqueue(int64_t first, int64_t count, int threads, double& seconds) {
    std::vector<int64_t> ids(count, 0);
    std::atomic<int64_t> next{0};
    const auto start = SteadyClock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&] {
        for (int64_t i = next++; i < count; i = next++) {
          Result<int64_t> id = store_.EnqueueOutbound(Message(first + i), clock_.NowMs());
          ids[i] = id.ok() ? *id : 0;
        }
      });
    }
    for (std::thread& t : pool) t.join();
    seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
    return ids;
  }

  daemon::SenderSettings Settings(int concurrency, bool own_limits) const {
    daemon::SenderSettings settings;
    settings.concurrency = concurrency;
    if (!own_limits) {
      settings.rate_limits.messenger_per_page = {0, 1};  // 0 = no limit of ours
    }
    return settings;
  }

  // All queued first, then the worker: messages/s until the last is recorded sent.
  double Throughput(int64_t count, int concurrency) {
    fake_.Reset();
    timing_.Clear();
    const int64_t first = NextSeqs(count);
    double enqueue_s = 0;
    std::vector<int64_t> ids = Enqueue(first, count, 16, enqueue_s);
    if (std::count(ids.begin(), ids.end(), 0) > 0) {
      std::printf("  enqueue FAILED\n");
      ok_ = false;
      return 0;
    }
    daemon::SenderWorker worker(
        store_, timing_, clock_, [](Channel, const std::string&) { return kToken; },
        Settings(concurrency, false));
    const auto start = SteadyClock::now();
    worker.Start();
    const auto deadline = start + std::chrono::seconds(120);
    while (worker.Stats().sent + worker.Stats().failed < count && SteadyClock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    const double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
    worker.Stop();
    Check("throughput", worker.Stats(), first, count, ids);
    std::printf("  (queued in %.2f s by 16 threads: %.0f enqueues/s)\n", enqueue_s,
                count / enqueue_s);
    return count / seconds;
  }

  struct Latency {
    double offered_per_s = 0;
    double p50_ms = 0, p99_ms = 0, max_ms = 0;
    int64_t count = 0;
  };

  // A steady `rate` for `seconds`: each message queued at its slot by one of a few enqueuers.
  Latency SteadyRate(double rate, double seconds, int concurrency) {
    fake_.Reset();
    timing_.Clear();
    const int64_t count = static_cast<int64_t>(rate * seconds);
    const int64_t first = NextSeqs(count);
    std::vector<int64_t> queued_ns(count, 0);
    std::vector<int64_t> ids(count, 0);
    daemon::SenderWorker worker(
        store_, timing_, clock_, [](Channel, const std::string&) { return kToken; },
        Settings(concurrency, true));
    worker.Start();
    std::atomic<int64_t> next{0};
    const auto start = SteadyClock::now();
    std::vector<std::thread> enqueuers;
    for (int t = 0; t < 8; ++t) {  // a commit may take a few ms: one thread would fall behind
      enqueuers.emplace_back([&] {
        for (int64_t i = next++; i < count; i = next++) {
          std::this_thread::sleep_until(
              start + std::chrono::nanoseconds(static_cast<int64_t>(i * 1e9 / rate)));
          queued_ns[i] = NowNs();
          Result<int64_t> id = store_.EnqueueOutbound(Message(first + i), clock_.NowMs());
          ids[i] = id.ok() ? *id : 0;
          worker.Wake();  // as the outbound API does once a message is queued
        }
      });
    }
    for (std::thread& t : enqueuers) t.join();
    const double offered_s = std::chrono::duration<double>(SteadyClock::now() - start).count();
    const auto deadline = SteadyClock::now() + std::chrono::seconds(60);
    while (worker.Stats().sent + worker.Stats().failed < count && SteadyClock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    worker.Stop();
    Check("latency", worker.Stats(), first, count, ids);
    Latency result;
    result.count = count;
    result.offered_per_s = count / offered_s;
    std::vector<double> ms;
    const std::map<int64_t, int64_t> answered = timing_.Answered();
    for (int64_t i = 0; i < count; ++i) {
      auto it = answered.find(first + i);
      if (it != answered.end()) ms.push_back((it->second - queued_ns[i]) / 1e6);
    }
    result.p50_ms = Percentile(ms, 0.50);
    result.p99_ms = Percentile(ms, 0.99);
    result.max_ms = Percentile(ms, 1.0);
    return result;
  }

  bool ok() const { return ok_; }

 private:
  int64_t NextSeqs(int64_t count) {
    const int64_t first = next_seq_;
    next_seq_ += count;
    return first;
  }

  void Check(const char* phase, const daemon::SenderStats& stats, int64_t first, int64_t count,
             const std::vector<int64_t>& ids) {
    std::string problem;
    bool fine = ReceivedExactlyOnce(fake_, first, count, problem);
    int64_t not_sent = 0;
    for (int64_t id : ids) {
      Result<std::optional<store::OutboundMessage>> row = store_.GetOutbound(id);
      if (!row.ok() || !row->has_value() || (*row)->state != store::OutboxState::kSent) {
        ++not_sent;
      }
    }
    if (!fine || not_sent > 0 || stats.failed > 0 || stats.sent != count) {
      std::printf("  %s check FAILED: fake: %s; rows not sent: %lld; sent %lld, failed %lld\n",
                  phase, fine ? "each once" : problem.c_str(), static_cast<long long>(not_sent),
                  static_cast<long long>(stats.sent), static_cast<long long>(stats.failed));
      ok_ = false;
    }
  }

  store::Store& store_;
  atalaya::fakes::FakeGraphServer& fake_;
  channels::GraphClient& graph_;
  TimingGraphClient timing_;
  atalaya::SystemClock clock_;
  std::vector<std::pair<int64_t, std::string>> conversations_;  // id, PSID
  int64_t next_seq_ = 1;
  bool ok_ = true;
};

}  // namespace

int main(int argc, char** argv) {
  atalaya::log::SetLevel(atalaya::log::Level::kWarn);  // one info line per message otherwise
  const int64_t messages = std::stoll(Flag(argc, argv, "messages", "2000"));
  const double rate = std::stod(Flag(argc, argv, "rate", "200"));
  const double seconds = std::stod(Flag(argc, argv, "seconds", "5"));
  const int latency_concurrency = std::stoi(Flag(argc, argv, "latency-concurrency", "4"));
  const int recipients = std::stoi(Flag(argc, argv, "recipients", "100"));
  const std::string synchronous = Flag(argc, argv, "synchronous", "full");
  if (messages < 1 || rate <= 0 || seconds <= 0 || latency_concurrency < 1 ||
      latency_concurrency > 64 || recipients < 1 ||
      (synchronous != "full" && synchronous != "normal")) {
    std::cerr << "usage: bench_outbound [--messages N] [--rate PER_S] [--seconds S] "
                 "[--latency-concurrency 1..64] [--recipients N] [--synchronous full|normal]\n";
    return 2;
  }
  std::printf(
      "command: %s --messages %lld --rate %.0f --seconds %g --latency-concurrency %d "
      "--recipients %d --synchronous %s\n",
      argv[0], static_cast<long long>(messages), rate, seconds, latency_concurrency, recipients,
      synchronous.c_str());

  std::string pattern =
      (std::filesystem::temp_directory_path() / "atalaya-bench-outbound-XXXXXX").string();
  const char* made = mkdtemp(pattern.data());
  if (made == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::string dir = made;
  int exit_code = 0;
  {
    store::SqliteOptions options;
    options.path = dir + "/atalaya.db";
    options.synchronous =
        synchronous == "full" ? store::Synchronous::kFull : store::Synchronous::kNormal;
    auto opened = store::OpenSqliteStore(options);
    if (!opened.ok()) {
      std::cerr << opened.status().ToString() << "\n";
      return 1;
    }
    std::unique_ptr<store::Store> db = std::move(opened).value();
    atalaya::fakes::FakeGraphServer fake;
    channels::GraphClientOptions graph_options;
    graph_options.base_url = fake.base_url();
    auto graph = channels::MakeHttpGraphClient(graph_options);
    if (!graph.ok()) {
      std::cerr << graph.status().ToString() << "\n";
      return 1;
    }
    OutboundBench bench(*db, fake, **graph);
    if (Status made_conversations = bench.MakeConversations(recipients); !made_conversations.ok()) {
      std::cerr << made_conversations.ToString() << "\n";
      return 1;
    }
    std::printf("store: SQLite, synchronous=%s, in %s; Messenger texts to %d recipients\n",
                synchronous.c_str(), dir.c_str(), recipients);

    // Untimed: opens the client's 16 keep-alive connections.
    bench.Reference(64, 16);
    std::printf("reference: plain Graph POSTs to the fake, same client and bodies, no store\n");
    const double ref1 = bench.Reference(messages, 1);
    const double ref16 = bench.Reference(messages, 16);
    std::printf("  1 caller   %8.0f msg/s\n  16 callers %8.0f msg/s\n", ref1, ref16);

    std::printf("throughput: %lld queued, then the sender started (our rate limits off)\n",
                static_cast<long long>(messages));
    const double c1 = bench.Throughput(messages, 1);
    std::printf("  concurrency 1  %8.0f msg/s delivered (%.0f%% of the 1-caller reference)\n", c1,
                100 * c1 / ref1);
    const double c16 = bench.Throughput(messages, 16);
    std::printf("  concurrency 16 %8.0f msg/s delivered (%.0f%% of the 16-caller reference)\n", c16,
                100 * c16 / ref16);

    std::printf(
        "latency: a steady %.0f msg/s for %g s, concurrency %d, shipped rate limits; queued = "
        "EnqueueOutbound called, delivered = the fake's 200 back at the sender\n",
        rate, seconds, latency_concurrency);
    const auto latency = bench.SteadyRate(rate, seconds, latency_concurrency);
    std::printf("  %lld messages offered at %.0f msg/s: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
                static_cast<long long>(latency.count), latency.offered_per_s, latency.p50_ms,
                latency.p99_ms, latency.max_ms);
    std::printf("checks: %s\n", bench.ok() ? "every message received exactly once, none failed"
                                           : "FAILED (see above)");
    exit_code = bench.ok() ? 0 : 1;
  }
  std::filesystem::remove_all(dir);
  return exit_code;
}
