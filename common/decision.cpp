#include "common/decision.h"

#include <nlohmann/json.hpp>

namespace atalaya {
namespace {

using nlohmann::json;

template <typename T>
Status Read(const json& object, const char* key, T* out) {
  auto it = object.find(key);
  if (it == object.end()) return Status::Ok();  // absent keys keep their defaults
  try {
    *out = it->get<T>();
  } catch (const json::exception&) {
    return InvalidArgument(std::string("decision field \"") + key + "\" has the wrong type");
  }
  return Status::Ok();
}

}  // namespace

const char* FilterActionName(FilterAction action) {
  switch (action) {
    case FilterAction::kNone:
      return "none";
    case FilterAction::kCount:
      return "count";
    case FilterAction::kDrop:
      return "drop";
  }
  return "none";
}

std::optional<FilterAction> ParseFilterAction(std::string_view name) {
  if (name == "none") return FilterAction::kNone;
  if (name == "count") return FilterAction::kCount;
  if (name == "drop") return FilterAction::kDrop;
  return std::nullopt;
}

const std::string& Decision::Label(const std::string& dimension) const {
  static const std::string kEmpty;
  auto it = labels.find(dimension);
  return it == labels.end() ? kEmpty : it->second;
}

std::string DecisionToJson(const Decision& d) {
  json j;
  j["ruleset_version"] = d.ruleset_version;
  j["filter"] = FilterActionName(d.filter);
  j["filter_reason"] = d.filter_reason;
  j["filter_rule"] = d.filter_rule;
  j["labels"] = d.labels;
  j["influence"] = d.influence;
  j["influence_tier"] = d.influence_tier;
  json terms = json::array();
  for (const auto& t : d.influence_terms) {
    terms.push_back({{"name", t.name},
                     {"value", t.value},
                     {"weight", t.weight},
                     {"contribution", t.contribution}});
  }
  j["influence_terms"] = terms;
  j["priority"] = d.priority;
  j["queue"] = d.queue;
  j["skills"] = d.skills;
  j["move_to_private"] = d.move_to_private;
  j["handoff"] = d.handoff;
  j["replies"] = d.replies;
  json trace = json::array();
  for (const auto& s : d.trace) {
    trace.push_back({{"stage", s.stage}, {"rule", s.rule}, {"detail", s.detail}});
  }
  j["trace"] = trace;
  // Replace invalid UTF-8 (rule ids and details quote customer text) instead of throwing.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<Decision> DecisionFromJson(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgument("decision is not valid JSON");
  if (!j.is_object()) return InvalidArgument("decision is not a JSON object");
  Decision d;
  std::string filter = "none";
  for (Status s : {Read(j, "ruleset_version", &d.ruleset_version), Read(j, "filter", &filter),
                   Read(j, "filter_reason", &d.filter_reason),
                   Read(j, "filter_rule", &d.filter_rule), Read(j, "labels", &d.labels),
                   Read(j, "influence", &d.influence), Read(j, "influence_tier", &d.influence_tier),
                   Read(j, "priority", &d.priority), Read(j, "queue", &d.queue),
                   Read(j, "skills", &d.skills), Read(j, "move_to_private", &d.move_to_private),
                   Read(j, "handoff", &d.handoff), Read(j, "replies", &d.replies)}) {
    if (!s.ok()) return s;
  }
  auto action = ParseFilterAction(filter);
  if (!action) return InvalidArgument("decision field \"filter\" has an unknown value");
  d.filter = *action;
  for (const char* list : {"influence_terms", "trace"}) {
    auto it = j.find(list);
    if (it == j.end()) continue;
    if (!it->is_array()) {
      return InvalidArgument(std::string("decision field \"") + list + "\" is not an array");
    }
    for (const json& item : *it) {
      if (!item.is_object()) {
        return InvalidArgument(std::string("decision field \"") + list + "\" holds a non-object");
      }
      if (std::string_view(list) == "trace") {
        TraceStep step;
        for (Status s : {Read(item, "stage", &step.stage), Read(item, "rule", &step.rule),
                         Read(item, "detail", &step.detail)}) {
          if (!s.ok()) return s;
        }
        d.trace.push_back(std::move(step));
      } else {
        InfluenceTerm term;
        for (Status s :
             {Read(item, "name", &term.name), Read(item, "value", &term.value),
              Read(item, "weight", &term.weight), Read(item, "contribution", &term.contribution)}) {
          if (!s.ok()) return s;
        }
        d.influence_terms.push_back(std::move(term));
      }
    }
  }
  return d;
}

}  // namespace atalaya
