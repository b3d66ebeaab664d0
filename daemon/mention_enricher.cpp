#include "daemon/mention_enricher.h"

#include <chrono>
#include <random>

#include "channels/graph_errors.h"
#include "channels/instagram_mention_fetch.h"
#include "common/log.h"
#include "common/thread_name.h"

namespace atalaya::daemon {
namespace {

using channels::FailureKind;
using channels::SendFailure;

double DefaultUnitRandom() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

MentionResult ResultOf(store::MentionState state) {
  switch (state) {
    case store::MentionState::kEnriched:
      return MentionResult::kEnriched;
    case store::MentionState::kNotConfigured:
      return MentionResult::kNotConfigured;
    case store::MentionState::kFailed:
    case store::MentionState::kPending:
      break;
  }
  return MentionResult::kFailed;
}

}  // namespace

MentionEnricher::MentionEnricher(store::Store& store, channels::GraphClient& graph,
                                 const Clock& clock, const SiteRules& rules, Metrics& metrics,
                                 TokenLookup tokens, MentionSettings settings,
                                 std::function<double()> unit_random)
    : store_(store),
      graph_(graph),
      clock_(clock),
      rules_(rules),
      metrics_(metrics),
      tokens_(std::move(tokens)),
      settings_(std::move(settings)),
      unit_random_(unit_random ? std::move(unit_random) : DefaultUnitRandom),
      decider_(store, clock) {}

MentionEnricher::~MentionEnricher() { Stop(); }

MentionEnricher::Outcome MentionEnricher::Finish(int64_t event_id, const Event& event, int attempts,
                                                 store::MentionState state,
                                                 const std::string& reason) {
  const std::shared_ptr<const rules::RuleSet> rule_set = rules_.Current();
  EventDecider::Single decided = decider_.Decide(rule_set.get(), event);
  store::MentionOutcome outcome;
  outcome.event_id = event_id;
  outcome.state = state;
  outcome.attempts = attempts;
  outcome.reason = reason;
  if (state == store::MentionState::kEnriched) {
    outcome.text = event.text;
    outcome.author_handle = event.author.handle;
    outcome.timestamp_ms = event.timestamp_ms;
  }
  outcome.decision = decided.decision;
  outcome.text_key = decided.text_key;
  Status finished = store_.FinishMention(outcome, clock_.NowMs());
  if (!finished.ok()) {
    log::Error("mention: could not record its enrichment", log::Int("event_id", event_id),
               log::Cause(finished));
    return Outcome::kStoreError;
  }
  metrics_.CountMention(ResultOf(state));
  if (outcome.decision) metrics_.CountDecision(*outcome.decision);
  if (state == store::MentionState::kEnriched) {
    log::Info("mention enriched", log::Int("event_id", event_id),
              log::Id("account_id", event.account_id), log::Int("attempts", attempts));
  } else {
    log::Warn(state == store::MentionState::kFailed ? "mention kept with ids only: fetch failed"
                                                    : "mention kept with ids only: no Graph token",
              log::Int("event_id", event_id), log::Id("account_id", event.account_id),
              log::Int("attempts", attempts),
              log::Cause(Status(ErrorCode::kFailedPrecondition, reason)));
  }
  switch (state) {
    case store::MentionState::kEnriched:
      return Outcome::kEnriched;
    case store::MentionState::kNotConfigured:
      return Outcome::kNotConfigured;
    default:
      return Outcome::kFailed;
  }
}

MentionEnricher::Outcome MentionEnricher::Enrich(const store::DueMention& due) {
  const int64_t event_id = due.stored.id;
  Event event = due.stored.event;
  const std::string token = tokens_ ? tokens_(Channel::kInstagram, event.account_id) : "";
  if (token.empty()) {
    return Finish(event_id, event, due.enrichment.attempts, store::MentionState::kNotConfigured,
                  "no Graph access token configured for instagram account " + event.account_id);
  }
  Result<channels::GraphCall> call = channels::MentionFetchCall(event);
  if (!call.ok()) {
    return Finish(event_id, event, due.enrichment.attempts, store::MentionState::kFailed,
                  call.status().message());
  }
  const int attempts = due.enrichment.attempts + 1;
  Result<channels::GraphResponse> response = graph_.Call(*call, token);
  if (response.ok() && response->http_status >= 200 && response->http_status < 300) {
    Result<channels::MentionDetails> details = channels::ParseMentionAnswer(event, response->body);
    if (!details.ok()) {
      return Finish(event_id, event, attempts, store::MentionState::kFailed,
                    details.status().message());
    }
    event.text = details->text;
    if (!details->username.empty()) event.author.handle = details->username;
    if (details->timestamp_ms > 0) event.timestamp_ms = details->timestamp_ms;
    return Finish(event_id, event, attempts, store::MentionState::kEnriched, "");
  }
  const SendFailure failure = response.ok() ? channels::ClassifyGraphResponse(*response)
                                            : channels::ClassifyTransportError(response.status());
  if (failure.kind == FailureKind::kPermanent) {
    return Finish(event_id, event, attempts, store::MentionState::kFailed, failure.error.message);
  }
  if (attempts >= settings_.retry.max_attempts) {
    return Finish(
        event_id, event, attempts, store::MentionState::kFailed,
        "gave up after " + std::to_string(attempts) + " attempts: " + failure.error.message);
  }
  const int64_t delay =
      BackoffDelayMs(settings_.retry, attempts, failure.retry_after_ms, unit_random_());
  Status retry = store_.RetryMention(event_id, attempts, clock_.NowMs() + delay,
                                     failure.error.message, clock_.NowMs());
  if (!retry.ok()) {
    log::Error("mention: could not schedule a retry", log::Int("event_id", event_id),
               log::Cause(retry));
    return Outcome::kStoreError;
  }
  metrics_.CountMention(MentionResult::kRetried);
  log::Info("mention fetch will retry", log::Int("event_id", event_id),
            log::Int("code", failure.error.code), log::Int("delay_ms", delay),
            log::Int("attempts", attempts));
  return Outcome::kRetried;
}

Result<int> MentionEnricher::RunOnce() {
  Result<std::vector<store::DueMention>> due = store_.DueMentions(clock_.NowMs(), settings_.batch);
  if (!due.ok()) return due.status();
  int handled = 0;
  for (const store::DueMention& mention : *due) {
    if (stopping_.load()) break;
    if (Enrich(mention) != Outcome::kStoreError) ++handled;
  }
  return handled;
}

void MentionEnricher::Start() {
  std::lock_guard lock(mutex_);
  if (running_) return;
  running_ = true;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void MentionEnricher::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (!running_) return;
    running_ = false;
  }
  stopping_ = true;
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void MentionEnricher::Wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

void MentionEnricher::Run() {
  NameThisThread("mentions");
  for (;;) {
    Result<int> handled = RunOnce();
    if (!handled.ok()) {
      log::Error("mention: reading due mentions failed", log::Cause(handled.status()));
    }
    std::unique_lock lock(mutex_);
    if (!running_) return;
    // A full pass may have left more due rows: look again at once.
    if (handled.ok() && static_cast<size_t>(*handled) >= settings_.batch) continue;
    wake_.wait_for(lock, std::chrono::milliseconds(settings_.idle_poll_ms),
                   [this] { return woken_ || !running_; });
    woken_ = false;
    if (!running_) return;
  }
}

}  // namespace atalaya::daemon
