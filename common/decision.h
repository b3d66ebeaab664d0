#pragma once
// Decision: what the rules pipeline concluded about one Event, plus the trace that explains
// it. The rules module fills it (filter → classify → influence → priority → route); the bot
// reads it to act; the store keeps it, serialized as JSON, beside the message it was made for,
// together with the version of the rule set that made it.
//
// A Decision is a plain value: build, copy, move; share read-only across threads.
// DecisionFromJson returns kInvalidArgument with a message naming the offending field when
// the JSON is not a decision this code wrote; it never throws.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace atalaya {

// What a filter did. A filter never deletes: a filtered event is still stored and counted.
enum class FilterAction {
  kNone,   // not filtered: answer normally
  kCount,  // do not answer, but still classify it (e.g. promo floods, to count participants)
  kDrop,   // do not answer and stop the pipeline (noise, duplicates)
};
const char* FilterActionName(FilterAction action);  // "none" | "count" | "drop"
std::optional<FilterAction> ParseFilterAction(std::string_view name);

// One line of the trace: which stage, which rule, and why it fired (words matched, values).
struct TraceStep {
  std::string stage;   // "filter", "classify.kind", "influence", "priority", "route", ...
  std::string rule;    // the rule id from the rule file, or "default"
  std::string detail;  // human-readable reason, e.g. `list quejas: "pesimo"`
  bool operator==(const TraceStep&) const = default;
};

// One weighted term of the influence score, kept so the trace shows every contribution.
struct InfluenceTerm {
  std::string name;
  double value = 0;         // the term's value in [0, 1] (or the penalty subtracted)
  double weight = 0;        // its weight; negative for penalties
  double contribution = 0;  // value × weight, in score points before the ×100 scaling
  bool operator==(const InfluenceTerm&) const = default;
};

struct Decision {
  std::string ruleset_version;  // content hash of the rule set that decided

  FilterAction filter = FilterAction::kNone;
  std::string filter_reason;  // the designer's reason name, counted in metrics
  std::string filter_rule;    // the rule id that filtered

  // Classification in the operation's vocabulary, one entry per dimension declared in the
  // rule files: "kind" → "queja", "topic" → "facturacion", "importance", "urgency", ...
  std::map<std::string, std::string> labels;

  double influence = 0;        // 0..100
  std::string influence_tier;  // designer's tier name ("" when no influence section)
  std::vector<InfluenceTerm> influence_terms;

  std::string priority;  // the designer's level name
  std::string queue;
  std::vector<std::string> skills;
  bool move_to_private = false;      // answer a public message in private
  bool handoff = false;              // straight to a human, skip bot flows
  std::vector<std::string> replies;  // template names the bot should send

  std::vector<TraceStep> trace;

  // The label for a dimension, or "" when the rule set has no such dimension.
  const std::string& Label(const std::string& dimension) const;

  bool operator==(const Decision&) const = default;
};

// Compact JSON, stable key names; the stored form.
std::string DecisionToJson(const Decision& decision);
Result<Decision> DecisionFromJson(std::string_view json);

}  // namespace atalaya
