#include "daemon/event_decider.h"

#include "rules/pipeline.h"

namespace atalaya::daemon {
namespace {

// Texts the store has committed, plus those of the batch being decided.
class BatchRecentTexts final : public rules::RecentTexts {
 public:
  explicit BatchRecentTexts(store::Store& store) : store_(store) {}

  bool Contains(Channel channel, std::string_view author_id, std::string_view text_key,
                int64_t since_ms, int64_t until_ms) const override {
    if (batch_.Contains(channel, author_id, text_key, since_ms, until_ms)) return true;
    auto found = store_.HasRecentText(channel, std::string(author_id), std::string(text_key),
                                      since_ms, until_ms);
    // On a read error the filter does not fire: a message is answered rather than dropped.
    return found.ok() && *found;
  }
  void Add(const Event& event, const std::string& text_key) {
    batch_.AddKey(event.channel, event.author.id, text_key, event.timestamp_ms);
  }

 private:
  store::Store& store_;
  rules::InMemoryRecentTexts batch_;
};

}  // namespace

bool RulesApply(const Event& event) {
  if (event.direction != Direction::kInbound || event.standby) return false;
  switch (event.kind) {
    case EventKind::kMessage:
    case EventKind::kPostback:
    case EventKind::kComment:
    case EventKind::kMention:
    case EventKind::kReview:
      return true;
    default:
      return false;
  }
}

rules::Context EventDecider::ContextFor(const Event& event,
                                        const rules::RecentTexts& recent) const {
  rules::Context context;
  // Decide as of when the customer wrote, not when a backlog let us read it: duplicate
  // windows and business hours then mean the same after a catch-up as in real time.
  context.now_ms = event.timestamp_ms > 0 ? event.timestamp_ms : clock_.NowMs();
  context.recent = &recent;
  return context;
}

void EventDecider::DecideBatch(const rules::RuleSet* rule_set,
                               std::vector<store::IngestItem>& items,
                               const std::vector<store::IngestItem>& committing) {
  if (rule_set == nullptr) return;
  BatchRecentTexts recent(store_);
  for (const store::IngestItem& item : committing) {
    for (size_t i = 0; i < item.events.size() && i < item.text_keys.size(); ++i) {
      if (!item.text_keys[i].empty()) recent.Add(item.events[i], item.text_keys[i]);
    }
  }
  for (store::IngestItem& item : items) {
    item.decisions.assign(item.events.size(), std::nullopt);
    item.text_keys.assign(item.events.size(), "");
    for (size_t i = 0; i < item.events.size(); ++i) {
      const Event& event = item.events[i];
      if (!RulesApply(event) || store::AwaitsMentionText(event)) continue;
      rules::Context context = ContextFor(event, recent);
      if (!event.text.empty()) {
        item.text_keys[i] = rules::TextKey(event.text);
        context.text_key = &item.text_keys[i];
      }
      item.decisions[i] = rules::Decide(*rule_set, event, context);
      if (!event.text.empty()) recent.Add(event, item.text_keys[i]);
    }
  }
}

EventDecider::Single EventDecider::Decide(const rules::RuleSet* rule_set, const Event& event) {
  Single single;
  if (rule_set == nullptr || !RulesApply(event)) return single;
  BatchRecentTexts recent(store_);
  rules::Context context = ContextFor(event, recent);
  if (!event.text.empty()) {
    single.text_key = rules::TextKey(event.text);
    context.text_key = &single.text_key;
  }
  single.decision = rules::Decide(*rule_set, event, context);
  return single;
}

}  // namespace atalaya::daemon
