#include "daemon/ingest_worker.h"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>

#include "channels/meta_webhook.h"
#include "common/log.h"
#include "common/thread_name.h"

namespace atalaya::daemon {
namespace {

// One line per decided event, so an operator (or a newcomer trying `atalaya simulate`) sees
// what the rules made of it; `atalaya explain` has the whole trace. Never the text or the
// author's id (a WhatsApp id is a phone number).
void LogDecision(const Event& event, const Decision& decision, int64_t inbox_id) {
  log::Info("decided", log::Id("channel", ChannelName(event.channel)),
            log::Id("event", EventKindName(event.kind)), log::Int("inbox_id", inbox_id),
            log::Id("filter", FilterActionName(decision.filter)),
            log::Id("filter_reason", decision.filter_reason),
            log::Id("kind", decision.Label("kind")), log::Id("queue", decision.queue),
            log::Id("priority", decision.priority));
}

// Normalizing may lag behind acknowledging: webhooks must be answered within the platforms'
// timeouts, the backlog drains as soon as the load eases. So the worker yields the CPU to the
// HTTP handlers and the writer (raising one's own nice value needs no privilege).
constexpr int kIngestNice = 10;

}  // namespace

IngestWorker::IngestWorker(store::Store& store, Metrics& metrics, const Clock& clock,
                           const SiteRules& rules, IngestOptions options)
    : store_(store),
      metrics_(metrics),
      clock_(clock),
      rules_(rules),
      decider_(store, clock),
      router_(metrics, clock),
      options_(options) {}

IngestWorker::~IngestWorker() { Stop(); }

void IngestWorker::Start() {
  heartbeat_ns_ = clock_.MonotonicNs();
  thread_ = std::thread([this] {
    setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kIngestNice);
    Run();
  });
}

void IngestWorker::SetParseOptions(channels::MetaParseOptions options) {
  std::lock_guard lock(parse_options_mutex_);
  parse_options_ = std::move(options);
}

void IngestWorker::Notify() {
  // Sequentially consistent, against the worker's "waiting_for_work_, then notified_": at
  // least one of the two sees the other's store, so no notification is lost.
  notified_.store(true);
  if (!waiting_for_work_.load()) return;
  std::lock_guard lock(mutex_);  // the worker is in its wait, or about to check notified_
  wake_.notify_one();
}

bool IngestWorker::DrainAndStop(int64_t timeout_ms) {
  {
    std::lock_guard lock(mutex_);
    draining_ = true;
  }
  wake_.notify_one();
  const int64_t deadline = clock_.MonotonicNs() + timeout_ms * 1'000'000;
  while (!drained_ && clock_.MonotonicNs() < deadline && thread_.joinable()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Stop();
  return drained_;
}

void IngestWorker::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

bool IngestWorker::YieldToWebhooks(int64_t pause_ms) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, std::chrono::milliseconds(pause_ms),
                 [this] { return stopping_ || draining_; });
  return !stopping_;
}

IngestWorker::Chunk IngestWorker::Prepare(const std::vector<store::InboxRow>& rows, size_t start,
                                          size_t end, const Chunk& committing) {
  channels::MetaParseOptions parse_options;
  {
    std::lock_guard lock(parse_options_mutex_);
    parse_options = parse_options_;
  }
  Chunk chunk;
  for (size_t i = start; i < end; ++i) {
    store::IngestItem item;
    item.inbox_id = rows[i].id;
    item.events = channels::ParseMetaWebhook(rows[i].body, parse_options);
    router_.Route(item.events);
    int count = 0;
    for (const Event& e : item.events) count += e.kind == EventKind::kUnsupported;
    chunk.unsupported.push_back(count);
    chunk.items.push_back(std::move(item));
  }
  const std::shared_ptr<const rules::RuleSet> rule_set = rules_.Current();
  decider_.DecideBatch(rule_set.get(), chunk.items, committing.items);
  return chunk;
}

IngestWorker::Finished IngestWorker::Finish(Chunk& chunk) {
  const std::vector<Result<store::IngestOutcome>> outcomes = chunk.pending->Wait();
  chunk.pending.reset();
  Finished finished;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    if (!outcomes[i].ok()) {
      // Rows are taken in order and never skipped: retry from this one after a pause.
      metrics_.CountIngestFailure();
      log::Warn("ingest commit failed; retrying", log::Int("inbox_id", chunk.items[i].inbox_id),
                log::Cause(outcomes[i].status()));
      finished.failed = true;
      return finished;
    }
    metrics_.CountIngest(*outcomes[i], chunk.unsupported[i]);
    const store::IngestItem& item = chunk.items[i];
    for (size_t e = 0; e < item.decisions.size() && e < item.events.size(); ++e) {
      if (!item.decisions[e]) continue;
      metrics_.CountDecision(*item.decisions[e]);
      LogDecision(item.events[e], *item.decisions[e], item.inbox_id);
    }
    last_id_ = chunk.items[i].inbox_id;
    ++finished.handled;
  }
  heartbeat_ns_ = clock_.MonotonicNs();
  return finished;
}

int IngestWorker::ProcessBatch() {
  auto rows = store_.PendingInbox(last_id_, options_.batch_rows);
  if (!rows.ok()) return -1;
  int handled = 0;
  // One chunk commits while the next is parsed and decided: the writer and this thread
  // work at the same time instead of in turn. The next chunk is handed over only once the
  // previous one is committed, so a failure stops the batch at the failed row.
  Chunk committing;
  for (size_t start = 0, size = 0; start < rows->size(); start += size) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
    }
    // Acknowledgements first (see ingest_pace.h): the busier the writer, the fewer rows. The
    // chunk still committing is not a webhook (once it is done, this counts a little low).
    const int64_t webhooks_waiting =
        store_.GetWriterStats().queue_depth -
        static_cast<int64_t>(committing.pending ? committing.items.size() : 0);
    const IngestStep step = PaceIngest(webhooks_waiting, options_.pacing);
    if (step.pause_ms > 0 && !YieldToWebhooks(step.pause_ms)) break;
    size = step.rows;
    Chunk next = Prepare(*rows, start, std::min(rows->size(), start + size), committing);
    if (committing.pending) {
      const Finished done = Finish(committing);
      handled += done.handled;
      if (done.failed) return handled > 0 ? handled : -1;
    }
    // The store gets a copy: the worker keeps the items to count them once committed and to
    // show their texts to the next chunk's duplicate filter meanwhile.
    next.pending = store_.StartIngestBatch(next.items, clock_.NowMs());
    committing = std::move(next);
  }
  if (committing.pending) {
    const Finished done = Finish(committing);
    handled += done.handled;
    if (done.failed) return handled > 0 ? handled : -1;
  }
  return handled;
}

void IngestWorker::Run() {
  NameThisThread("ingest");
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    heartbeat_ns_ = clock_.MonotonicNs();
    int handled = ProcessBatch();
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    if (handled == 0 && draining_) {
      drained_ = true;
      return;
    }
    if (handled > 0) continue;  // more may be waiting: read again at once
    if (handled < 0) {
      // The store refused; retry the same row after a pause (it is never skipped).
      wake_.wait_for(lock, std::chrono::milliseconds(options_.retry_ms),
                     [this] { return stopping_; });
      continue;
    }
    waiting_for_work_.store(true);
    wake_.wait_for(lock, std::chrono::milliseconds(options_.idle_poll_ms),
                   [this] { return notified_.load() || stopping_ || draining_; });
    waiting_for_work_.store(false);
    notified_.store(false);
  }
}

}  // namespace atalaya::daemon
