#pragma once
// EventDecider: runs the site's rules over the events of a batch of inbox rows, giving each
// customer event its Decision and text key for the store. Events the rules must not act on —
// outbound history, standby (another app owns the thread), statuses, identity changes,
// unsupported shapes — get none.
//
// An Instagram mention that arrived as ids only (store::AwaitsMentionText) is not decided
// here: the mention enricher decides it once its text is fetched (or known to be out of
// reach), through Decide().
//
// Duplicate filtering asks the store for texts already committed and, for events not yet
// committed (this batch's, and the previous batch's while it commits), an overlay of what
// they hold: two identical messages are caught however the batches cut between them.
//
// Threads: one decider per ingest worker; not shared.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/decision.h"
#include "common/event.h"
#include "rules/context.h"
#include "rules/rule_set.h"
#include "store/store.h"

namespace atalaya::daemon {

// Whether the rules decide this event at all.
bool RulesApply(const Event& event);

class EventDecider {
 public:
  EventDecider(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Fills item.decisions and item.text_keys (one per event) with `rule_set`'s decisions.
  // With no rule set, leaves them empty: events are stored undecided. `committing`: items
  // decided earlier whose commit may not have landed yet; their texts count as seen.
  void DecideBatch(const rules::RuleSet* rule_set, std::vector<store::IngestItem>& items,
                   const std::vector<store::IngestItem>& committing = {});

  // One event decided on its own (a mention whose text came later): its decision (nullopt
  // when there is no rule set or RulesApply says no) and the text key to store with it.
  struct Single {
    std::optional<Decision> decision;
    std::string text_key;
  };
  Single Decide(const rules::RuleSet* rule_set, const Event& event);

 private:
  rules::Context ContextFor(const Event& event, const rules::RecentTexts& recent) const;

  store::Store& store_;
  const Clock& clock_;
};

}  // namespace atalaya::daemon
