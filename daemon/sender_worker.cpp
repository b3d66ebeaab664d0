#include "daemon/sender_worker.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

#include "common/log.h"
#include "common/thread_name.h"

namespace atalaya::daemon {
namespace {

using channels::FailureKind;
using channels::SendFailure;

constexpr size_t kEventPage = 200;

// When the comment or post `object_id` was made, from the public thread's stored events.
Result<int64_t> CommentCreatedMs(store::Store& store, int64_t conversation_id,
                                 const std::string& object_id) {
  store::EventQuery query;
  query.conversation_id = conversation_id;
  query.limit = kEventPage;
  for (;;) {
    Result<std::vector<store::StoredEvent>> page = store.ListEvents(query);
    if (!page.ok()) return page.status();
    for (const store::StoredEvent& stored : *page) {
      if (stored.event.platform_id == object_id && stored.event.action.empty()) {
        return stored.event.timestamp_ms;
      }
    }
    if (page->size() < query.limit) return int64_t{0};
    query.after_id = page->back().id;
  }
}

Result<bool> PrivateReplyExists(store::Store& store, const store::NewOutbound& message,
                                int64_t outbox_id) {
  Result<std::vector<store::OutboundMessage>> rows = store.ListOutbound(message.conversation_id);
  if (!rows.ok()) return rows.status();
  for (const store::OutboundMessage& row : *rows) {
    if (row.id == outbox_id || !channels::IsPrivateReplyKind(row.request.kind) ||
        row.request.recipient_id != message.recipient_id ||
        row.state == store::OutboxState::kFailed) {
      continue;
    }
    // The earlier of two queued replies wins; a sent one always counts.
    if (row.state == store::OutboxState::kSent || outbox_id == 0 || row.id < outbox_id) {
      return true;
    }
  }
  return false;
}

double DefaultUnitRandom() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

}  // namespace

int64_t BackoffDelayMs(const RetryPolicy& policy, int attempts, int64_t retry_after_ms,
                       double unit_random) {
  const int exponent = std::clamp(attempts - 1, 0, 40);
  const double grown = static_cast<double>(policy.base_delay_ms) * std::ldexp(1.0, exponent);
  const double capped = std::min(grown, static_cast<double>(policy.max_delay_ms));
  const double jitter = std::clamp(policy.jitter, 0.0, 1.0);
  const double random = std::clamp(unit_random, 0.0, 1.0);
  int64_t delay = static_cast<int64_t>(capped * (1.0 - jitter * random));
  if (retry_after_ms >= 0) delay = std::max(delay, retry_after_ms);
  return std::max<int64_t>(delay, 1);
}

std::string ReengagementTemplateFor(const TemplateLookup& lookup,
                                    const store::NewOutbound& message) {
  if (!lookup || message.channel != Channel::kWhatsApp) return "";
  return lookup(message.account_id);
}

Result<channels::SendContext> ResolveSendContext(store::Store& store,
                                                 const store::NewOutbound& message,
                                                 int64_t outbox_id,
                                                 const std::string& reengagement_template) {
  Result<std::optional<store::Conversation>> conversation =
      store.GetConversation(message.conversation_id);
  if (!conversation.ok()) return conversation.status();
  if (!conversation->has_value()) {
    return NotFound("conversation " + std::to_string(message.conversation_id) + " not found");
  }
  channels::SendContext context;
  context.last_inbound_ms = (*conversation)->last_inbound_ms;
  context.reengagement_template = reengagement_template;
  if (channels::IsPrivateReplyKind(message.kind)) {
    Result<int64_t> created = CommentCreatedMs(store, (*conversation)->id, message.recipient_id);
    if (!created.ok()) return created.status();
    context.comment_created_ms = *created;
    Result<bool> exists = PrivateReplyExists(store, message, outbox_id);
    if (!exists.ok()) return exists.status();
    context.private_reply_sent = *exists;
  }
  return context;
}

std::string PlatformMessageId(const std::string& body) {
  const nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
  if (!parsed.is_object()) return "";
  if (auto it = parsed.find("message_id"); it != parsed.end() && it->is_string()) {
    return it->get<std::string>();
  }
  if (auto it = parsed.find("messages"); it != parsed.end() && it->is_array() && !it->empty()) {
    const nlohmann::json& first = (*it)[0];
    if (first.is_object() && first.contains("id") && first["id"].is_string()) {
      return first["id"].get<std::string>();
    }
  }
  if (auto it = parsed.find("id"); it != parsed.end() && it->is_string()) {
    return it->get<std::string>();
  }
  return "";
}

SenderWorker::SenderWorker(store::Store& store, channels::GraphClient& graph, const Clock& clock,
                           TokenLookup tokens, SenderSettings settings,
                           std::function<double()> unit_random)
    : store_(store),
      graph_(graph),
      clock_(clock),
      tokens_(std::move(tokens)),
      settings_(std::move(settings)),
      unit_random_(unit_random ? std::move(unit_random) : DefaultUnitRandom),
      limiter_(settings_.rate_limits, clock) {}

SenderWorker::~SenderWorker() { Stop(); }

Result<int64_t> SenderWorker::Recover() {
  Result<int64_t> recovered = store_.RecoverOutbound(clock_.NowMs());
  if (recovered.ok() && *recovered > 0) {
    log::Warn(
        "outbound messages interrupted mid-send will be sent again, flagged as possible "
        "duplicates",
        log::Int("count", *recovered));
  }
  return recovered;
}

SenderWorker::Outcome SenderWorker::Fail(int64_t id, const store::OutboundError& error,
                                         Outcome outcome) {
  Status marked = store_.MarkOutboundFailed(id, error, clock_.NowMs());
  if (!marked.ok()) {
    log::Error("outbound: could not record a failure", log::Int("outbox_id", id),
               log::Cause(marked));
    return Outcome::kStoreError;
  }
  log::Warn(outcome == Outcome::kRefused ? "outbound refused before sending" : "outbound failed",
            log::Int("outbox_id", id), log::Int("code", error.code),
            log::Cause(Status(ErrorCode::kFailedPrecondition, error.message)));
  return outcome;
}

SenderWorker::Outcome SenderWorker::Deliver(const store::OutboundMessage& message) {
  const store::NewOutbound& request = message.request;
  // 1. Local checks; a refusal never reaches the platform.
  Result<channels::SendContext> context = ResolveSendContext(
      store_, request, message.id,
      ReengagementTemplateFor(settings_.whatsapp_reengagement_template, request));
  if (!context.ok() && context.status().code() != ErrorCode::kNotFound) {
    log::Error("outbound: store read failed", log::Int("outbox_id", message.id),
               log::Cause(context.status()));
    return Outcome::kStoreError;
  }
  Result<channels::GraphCall> call = context.ok()
                                         ? channels::BuildGraphCall(request, *context, clock_)
                                         : Result<channels::GraphCall>(context.status());
  if (!call.ok()) return Fail(message.id, {0, 0, call.status().message()}, Outcome::kRefused);
  const std::string token = tokens_ ? tokens_(request.channel, request.account_id) : "";
  if (token.empty()) {
    return Fail(message.id,
                {0, 0,
                 std::string("no access token configured for ") + ChannelName(request.channel) +
                     " account " + request.account_id},
                Outcome::kRefused);
  }

  // 2. Our own rate limits: wait in memory, not in the store.
  const int64_t wait_ms = limiter_.TryAcquire(request);
  if (wait_ms > 0) {
    std::lock_guard<std::mutex> lock(deferred_mutex_);
    deferred_until_ms_[message.id] = clock_.NowMs() + wait_ms;
    return Outcome::kDeferred;
  }

  // 3. Durably "sending" before the request leaves, then the call.
  Status sending = store_.MarkOutboundSending(message.id, clock_.NowMs());
  if (!sending.ok()) {
    log::Error("outbound: could not mark sending", log::Int("outbox_id", message.id),
               log::Cause(sending));
    return Outcome::kStoreError;
  }
  if (message.possible_duplicate) {
    log::Warn("outbound: resending a message that may already have been delivered",
              log::Int("outbox_id", message.id));
  }
  const int attempts = message.attempts + 1;
  Result<channels::GraphResponse> response = graph_.Call(*call, token);
  if (response.ok() && response->http_status >= 200 && response->http_status < 300) {
    const std::string platform_id = PlatformMessageId(response->body);
    Status sent = store_.MarkOutboundSent(message.id, platform_id, clock_.NowMs());
    if (!sent.ok()) {
      // Delivered but not recorded: the row stays kSending and RecoverOutbound resends it as
      // a possible duplicate — the one window the outbox cannot close.
      log::Error("outbound: delivered but could not record it", log::Int("outbox_id", message.id),
                 log::Cause(sent));
      return Outcome::kStoreError;
    }
    log::Info("outbound sent", log::Int("outbox_id", message.id),
              log::Id("channel", ChannelName(request.channel)), log::Id("kind", request.kind),
              log::Int("attempts", attempts));
    return Outcome::kSent;
  }
  const SendFailure failure = response.ok() ? channels::ClassifyGraphResponse(*response)
                                            : channels::ClassifyTransportError(response.status());
  if (failure.kind == FailureKind::kPermanent) {
    return Fail(message.id, failure.error, Outcome::kFailed);
  }
  if (attempts >= settings_.retry.max_attempts) {
    store::OutboundError error = failure.error;
    error.message = "gave up after " + std::to_string(attempts) + " attempts: " + error.message;
    return Fail(message.id, error, Outcome::kFailed);
  }
  const int64_t delay =
      BackoffDelayMs(settings_.retry, attempts, failure.retry_after_ms, unit_random_());
  Status retry =
      store_.MarkOutboundRetry(message.id, clock_.NowMs() + delay, failure.error, clock_.NowMs());
  if (!retry.ok()) {
    log::Error("outbound: could not schedule a retry", log::Int("outbox_id", message.id),
               log::Cause(retry));
    return Outcome::kStoreError;
  }
  log::Info("outbound will retry", log::Int("outbox_id", message.id),
            log::Int("code", failure.error.code), log::Int("delay_ms", delay),
            log::Int("attempts", attempts));
  return Outcome::kRetried;
}

void SenderWorker::Count(Outcome outcome) {
  std::lock_guard<std::mutex> lock(stats_mutex_);
  switch (outcome) {
    case Outcome::kSent:
      ++stats_.sent;
      break;
    case Outcome::kRetried:
      ++stats_.retried;
      break;
    case Outcome::kFailed:
      ++stats_.failed;
      break;
    case Outcome::kRefused:
      ++stats_.refused;
      break;
    case Outcome::kDeferred:
      ++stats_.deferred;
      break;
    case Outcome::kStoreError:
      ++stats_.store_errors;
      break;
  }
}

Result<int> SenderWorker::RunOnce() {
  const int64_t now = clock_.NowMs();
  size_t deferred_count = 0;
  {
    std::lock_guard<std::mutex> lock(deferred_mutex_);
    std::erase_if(deferred_until_ms_, [now](const auto& entry) { return entry.second <= now; });
    deferred_count = deferred_until_ms_.size();
  }
  // Read past the rows still waiting for the limiter, so they cannot starve the rest.
  Result<std::vector<store::OutboundMessage>> due =
      store_.DueOutbound(now, settings_.batch + deferred_count);
  if (!due.ok()) return due.status();
  std::vector<const store::OutboundMessage*> work;
  {
    std::lock_guard<std::mutex> lock(deferred_mutex_);
    for (const store::OutboundMessage& message : *due) {
      if (deferred_until_ms_.count(message.id) == 0) work.push_back(&message);
      if (work.size() >= settings_.batch) break;
    }
  }
  std::atomic<size_t> next{0};
  std::atomic<int> handled{0};
  auto drain = [&] {
    for (size_t i = next++; i < work.size(); i = next++) {
      const Outcome outcome = Deliver(*work[i]);
      Count(outcome);
      // Deferred rows and store errors do not count: an idle pass makes the loop sleep.
      if (outcome != Outcome::kDeferred && outcome != Outcome::kStoreError) ++handled;
    }
  };
  const int threads =
      static_cast<int>(std::min<size_t>(std::clamp(settings_.concurrency, 1, 64), work.size()));
  std::vector<std::thread> helpers;
  for (int i = 1; i < threads; ++i) helpers.emplace_back(drain);
  drain();
  for (std::thread& helper : helpers) helper.join();
  return handled.load();
}

void SenderWorker::Start() {
  if (running_.exchange(true)) return;
  const int senders = std::clamp(settings_.concurrency, 1, 64);
  for (int i = 0; i < senders; ++i) senders_.emplace_back([this] { SendLoop(); });
  dispatcher_ = std::thread([this] { Dispatch(); });
}

void SenderWorker::Stop() {
  if (!running_.exchange(false)) return;
  Wake();
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);  // no sender misses the news
  }
  queue_ready_.notify_all();
  if (dispatcher_.joinable()) dispatcher_.join();
  for (std::thread& sender : senders_) sender.join();
  senders_.clear();
  std::lock_guard<std::mutex> lock(queue_mutex_);
  queue_.clear();
  in_flight_.clear();
  finished_.clear();
}

void SenderWorker::Wake() {
  {
    std::lock_guard<std::mutex> lock(wake_mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

void SenderWorker::SendLoop() {
  NameThisThread("sender");
  for (;;) {
    store::OutboundMessage message;
    {
      std::unique_lock<std::mutex> lock(queue_mutex_);
      queue_ready_.wait(lock, [this] { return !queue_.empty() || !running_.load(); });
      if (!running_.load()) return;  // what is still queued stays kPending in the store
      message = std::move(queue_.front());
      queue_.pop_front();
    }
    Count(Deliver(message));
    {
      std::lock_guard<std::mutex> lock(queue_mutex_);
      in_flight_.erase(message.id);
      finished_.insert(message.id);
    }
    Wake();  // room in the queue: the dispatcher may refill it
  }
}

void SenderWorker::Dispatch() {
  NameThisThread("sender-dispatch");
  const size_t target = static_cast<size_t>(std::clamp(settings_.concurrency, 1, 64));
  while (running_.load()) {
    size_t room = 0;
    size_t busy = 0;
    {
      std::lock_guard<std::mutex> lock(queue_mutex_);
      room = queue_.size() < target ? target - queue_.size() : 0;
      busy = in_flight_.size();
      finished_.clear();  // anything finished from now on may still look due to this read
    }
    if (room > 0) {
      const int64_t now = clock_.NowMs();
      size_t deferred_count = 0;
      {
        std::lock_guard<std::mutex> lock(deferred_mutex_);
        std::erase_if(deferred_until_ms_, [now](const auto& entry) { return entry.second <= now; });
        deferred_count = deferred_until_ms_.size();
      }
      // Read past the rows in flight or waiting for the limiter, so they cannot starve the rest.
      Result<std::vector<store::OutboundMessage>> due =
          store_.DueOutbound(now, room + deferred_count + busy);
      if (!due.ok()) {
        log::Error("outbound: reading the outbox failed", log::Cause(due.status()));
      } else {
        std::lock_guard<std::mutex> deferred_lock(deferred_mutex_);
        std::lock_guard<std::mutex> lock(queue_mutex_);
        for (store::OutboundMessage& message : *due) {
          if (room == 0) break;
          if (in_flight_.count(message.id) != 0 || finished_.count(message.id) != 0 ||
              deferred_until_ms_.count(message.id) != 0) {
            continue;
          }
          in_flight_.insert(message.id);
          queue_.push_back(std::move(message));
          --room;
        }
      }
      queue_ready_.notify_all();
    }
    // Sleep until a sender finishes, a message is queued (Wake), a deferred row's turn comes,
    // or the poll interval passes.
    int64_t sleep_ms = settings_.idle_poll_ms;
    {
      std::lock_guard<std::mutex> lock(deferred_mutex_);
      const int64_t now = clock_.NowMs();
      for (const auto& [id, until] : deferred_until_ms_) {
        sleep_ms = std::min(sleep_ms, std::max<int64_t>(1, until - now));
      }
    }
    std::unique_lock<std::mutex> lock(wake_mutex_);
    wake_.wait_for(lock, std::chrono::milliseconds(sleep_ms),
                   [this] { return woken_ || !running_.load(); });
    woken_ = false;
  }
}

SenderStats SenderWorker::Stats() const {
  std::lock_guard<std::mutex> lock(stats_mutex_);
  return stats_;
}

}  // namespace atalaya::daemon
