#pragma once
// The decision pipeline: runs a compiled RuleSet over one Event and its Context and returns
// the Decision with its trace.
//
// Stages run in a fixed order, each adding to the same Decision and trace, each either
// continuing or stopping the chain (like an HTTP filter chain):
//   1. filter     first matching filter wins. `drop` stops here (nothing after runs);
//                 `count` marks the decision "do not answer" and continues, so the event is
//                 still classified for the reports.
//   2. classify   every dimension in file order (kind, topic, ...): `first` mode takes the
//                 first rule that fires, `sum` mode adds the weights of all rules that fire
//                 per value and takes the largest (ties: the value whose first rule came
//                 first); no rule → the dimension's default. A rule may test the labels of
//                 dimensions declared before it.
//   3. influence  weighted terms, penalties, tier; a CRM segment may override the tier.
//   4. priority   importance × urgency through the matrix, then every `raise` rule that fires
//                 can only move the level up (influence never lowers priority).
//   5. route      first matching route rule, else the default route; `at_least` raises the
//                 priority further; then `move_to_private_when`, if it holds, moves the
//                 answer to private whichever rule routed.
// Decide never fails on input: an internal matching failure (RE2 out of memory) is reported
// in the trace (stage "error") and the stage falls back to its defaults.
// Thread-safe: any number of threads may call Decide on the same RuleSet.

#include "common/decision.h"
#include "common/event.h"
#include "rules/context.h"
#include "rules/rule_set.h"

namespace atalaya::rules {

Decision Decide(const RuleSet& rule_set, const Event& event, const Context& context);

}  // namespace atalaya::rules
