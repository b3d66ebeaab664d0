#include "rules/loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/crypto.h"
#include "rules/condition_compiler.h"
#include "rules/text_normalizer.h"

namespace atalaya::rules {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kTopKeys = {"settings", "lists",     "brands",   "filters",
                                           "classify", "influence", "priority", "routing"};

// Collects and compiles; YamlReader does the strict reading and the diagnostics.
class Loader : private ConditionCompiler {
 public:
  Loader(const std::vector<SourceFile>& files, LoadReport* report)
      : ConditionCompiler(files, report) {}

  std::shared_ptr<RuleSet> Run() {
    rs_ = std::make_shared<RuleSet>();
    std::vector<YAML::Node> roots(files_.size());
    for (size_t i = 0; i < files_.size(); ++i) {
      file_ = i;
      roots[i] = Parse(files_[i]);
    }
    // A file that does not parse hides its lists and vocabularies: every reference to them
    // would be reported as an error too, burying the one that matters.
    if (!report_.errors.empty()) return nullptr;
    // Collect: names other sections refer to, from every file, before compiling rules.
    for (size_t i = 0; i < files_.size(); ++i) {
      file_ = i;
      if (!roots[i].IsDefined()) continue;
      if (!roots[i].IsMap()) {
        if (!roots[i].IsNull()) {
          Error(roots[i], std::string("a rule file must be a mapping of sections, got ") +
                              NodeTypeName(roots[i]));
        }
        continue;
      }
      CheckKeys(roots[i], kTopKeys, "rule file");
      CollectOnce(roots[i], "settings", &settings_at_);
      CollectOnce(roots[i], "influence", &influence_at_);
      CollectOnce(roots[i], "priority", &priority_at_);
      CollectOnce(roots[i], "routing", &routing_at_);
      if (roots[i]["settings"]) LoadSettings(roots[i]["settings"]);
      if (roots[i]["lists"]) CollectLists(roots[i]["lists"]);
      if (roots[i]["brands"]) CollectBrands(roots[i]["brands"]);
      if (roots[i]["classify"]) CollectVocabularies(roots[i]["classify"]);
      if (roots[i]["priority"]) CollectPriorityVocabularies(roots[i]["priority"]);
    }
    // Compile in pipeline order so each stage knows what is decided before it.
    StageView view{{}, false, "filters"};
    ForSection(roots, "filters", [&](const YAML::Node& n) { LoadFilters(n, view); });
    ForSection(roots, "classify", [&](const YAML::Node& n) { LoadClassifiers(n, &view); });
    ForSection(roots, "influence", [&](const YAML::Node& n) { LoadInfluence(n, view); });
    view.influence = true;
    ForSection(roots, "priority", [&](const YAML::Node& n) { LoadPriority(n, &view); });
    if (!priority_at_.IsDefined()) {
      rs_->priority.levels = {"normal"};
      rs_->priority.default_level = "normal";
    }
    ForSection(roots, "routing", [&](const YAML::Node& n) { LoadRouting(n, view); });
    if (!routing_at_.IsDefined() && !files_.empty()) {
      FileError(0, "the rule set has no \"routing\" section (every event needs a queue)");
    }
    if (!report_.errors.empty()) return nullptr;
    Finish();
    return report_.errors.empty() ? rs_ : nullptr;
  }

 private:
  // ---- diagnostics ---------------------------------------------------------------------

  // ---- parsing helpers -------------------------------------------------------------------

  void CollectOnce(const YAML::Node& root, const char* key, YAML::Node* first) {
    YAML::Node node = root[key];
    if (!node) return;
    if (first->IsDefined()) {
      Error(KeyNode(root, key),
            std::string("section \"") + key + "\" is already defined at " + first_where_[key]);
      return;
    }
    *first = node;
    first_where_[key] = Where(node);
  }

  // The key node of `key` in a map, for errors that point at the key itself.
  template <typename Fn>
  void ForSection(const std::vector<YAML::Node>& roots, const char* key, Fn fn) {
    for (size_t i = 0; i < roots.size(); ++i) {
      file_ = i;
      if (roots[i].IsMap() && roots[i][key]) fn(roots[i][key]);
    }
  }

  // Reports every key of `map` not in `valid`, with the nearest valid key. Returns false when
  // the node is not a mapping at all.
  // A scalar or a list of scalars.
  // "08:30" → minutes since midnight; "24:00" allowed as the end of the day.
  // ---- collect ---------------------------------------------------------------------------

  void LoadSettings(const YAML::Node& node) {
    if (!CheckKeys(node, {"utc_offset", "business_hours", "promotion_posts"}, "settings")) return;
    if (node["promotion_posts"]) {
      std::vector<std::string> posts;
      if (GetStrings(node["promotion_posts"], "promotion_posts", &posts)) {
        rs_->promotion_posts.insert(posts.begin(), posts.end());
      }
    }
    if (node["utc_offset"]) {
      const YAML::Node& n = node["utc_offset"];
      int h = 0;
      int m = 0;
      char sign = 0;
      char extra = 0;
      if (n.IsScalar() &&
          std::sscanf(n.Scalar().c_str(), "%c%d:%d%c", &sign, &h, &m, &extra) == 3 &&
          (sign == '+' || sign == '-') && h <= 14 && m < 60) {
        rs_->utc_offset_minutes = (sign == '-' ? -1 : 1) * (h * 60 + m);
      } else {
        Error(n, "expected a UTC offset like \"-05:00\" for \"utc_offset\"");
      }
    }
    if (node["business_hours"]) {
      TimeWindow w;
      if (GetTimeWindow(node["business_hours"], "business_hours", &w)) rs_->business_hours = w;
    }
  }

  void CollectLists(const YAML::Node& node) {
    if (!node.IsMap()) {
      Error(node, std::string("expected a mapping of list names to keywords for \"lists\", got ") +
                      NodeTypeName(node));
      return;
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
      std::string name;
      if (!GetString(it->first, "list name", &name)) continue;
      if (list_ids_.count(name)) {
        Error(it->first,
              "duplicate list " + Quote(name) + " (first defined at " + list_where_[name] + ")");
        continue;
      }
      if (!it->second.IsSequence()) {
        Error(it->second, "list " + Quote(name) + " must be a list of keywords, got " +
                              NodeTypeName(it->second));
        continue;
      }
      list_where_[name] = Where(it->first);
      list_nodes_[name] = it->first;
      list_files_[name] = file_;
      int id = NewList(name);
      AddKeywords(it->second, id, "list " + Quote(name));
    }
  }

  void CollectBrands(const YAML::Node& node) {
    if (!node.IsSequence()) {
      Error(node,
            std::string("expected a list of brands for \"brands\", got ") + NodeTypeName(node));
      return;
    }
    for (const auto& b : node) {
      if (!CheckKeys(b, {"name", "aliases", "max_distance"}, "brand")) continue;
      Brand brand;
      if (!b["name"]) {
        Error(b, "brand has no \"name\"");
        continue;
      }
      if (!GetString(b["name"], "name", &brand.name)) continue;
      std::vector<std::string> spellings = {brand.name};
      std::vector<std::string> aliases;
      if (b["aliases"] && GetStrings(b["aliases"], "aliases", &aliases)) {
        spellings.insert(spellings.end(), aliases.begin(), aliases.end());
      }
      for (const auto& s : spellings) {
        std::string glued;
        const std::string normalized = NormalizeText(s);  // outlives the tokens viewing it
        for (std::string_view token : Tokenize(normalized)) glued += token;
        if (glued.empty()) {
          Error(b, "brand spelling " + Quote(s) + " is empty after normalization");
        } else {
          brand.spellings.push_back(glued);
        }
      }
      if (b["max_distance"]) {
        double d = 0;
        if (GetNumber(b["max_distance"], "max_distance", &d)) {
          if (d < 0 || d > 3 || d != std::floor(d)) {
            Error(b["max_distance"], "\"max_distance\" must be a whole number from 0 to 3");
          } else {
            brand.max_distance = static_cast<size_t>(d);
          }
        }
      }
      if (brand_ids_.count(brand.name)) {
        Error(b["name"], "duplicate brand " + Quote(brand.name));
        continue;
      }
      brand_ids_[brand.name] = static_cast<int>(brands_.size());
      brands_.push_back(std::move(brand));
    }
  }

  void CollectVocabularies(const YAML::Node& node) {
    if (!node.IsMap()) return;  // reported when compiled
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!it->first.IsScalar() || !it->second.IsMap() || !it->second["values"]) continue;
      std::vector<std::string> values;
      if (it->second["values"].IsSequence()) {
        for (const auto& v : it->second["values"]) {
          if (v.IsScalar()) values.push_back(v.Scalar());
        }
      }
      vocabularies_[it->first.Scalar()] = values;
    }
  }

  void CollectPriorityVocabularies(const YAML::Node& node) {
    if (!node.IsMap()) return;
    for (const char* dim : {"importance", "urgency"}) {
      const YAML::Node n = node[dim];
      if (!n || !n.IsMap() || !n["values"] || !n["values"].IsSequence()) continue;
      std::vector<std::string> values;
      for (const auto& v : n["values"]) {
        if (v.IsScalar()) values.push_back(v.Scalar());
      }
      vocabularies_[dim] = values;
    }
    if (node["levels"] && node["levels"].IsSequence()) {
      for (const auto& v : node["levels"]) {
        if (v.IsScalar()) levels_.push_back(v.Scalar());
      }
    }
  }

  // ---- conditions ------------------------------------------------------------------------

  // Reads the id and `when` of a rule; false when either is unusable.
  bool LoadRule(const YAML::Node& node, Rule* rule) {
    if (!node["id"]) {
      Error(node, "rule has no \"id\"");
      return false;
    }
    if (!GetString(node["id"], "id", &rule->id)) return false;
    rule_id_ = rule->id;
    auto seen = rule_where_.find(rule->id);
    if (seen != rule_where_.end()) {
      Error(node["id"],
            "duplicate rule id " + Quote(rule->id) + " (first defined at " + seen->second + ")");
      return false;
    }
    rule_where_[rule->id] = Where(node["id"]);
    ++rs_->rule_count;
    if (!node["when"]) {
      Error(node, "rule " + Quote(rule->id) + " has no \"when\"");
      return false;
    }
    if (!CompileWhen(node["when"], &rule->when)) return false;
    rule->trigger_lists = Triggers(rule->when);
    std::sort(rule->trigger_lists.begin(), rule->trigger_lists.end());
    rule->trigger_lists.erase(std::unique(rule->trigger_lists.begin(), rule->trigger_lists.end()),
                              rule->trigger_lists.end());
    return true;
  }

  // ---- sections --------------------------------------------------------------------------

  void LoadFilters(const YAML::Node& node, const StageView& view) {
    stage_ = &view;
    if (!node.IsSequence()) {
      Error(node, std::string("expected a list of filter rules for \"filters\", got ") +
                      NodeTypeName(node));
      return;
    }
    for (const auto& item : node) {
      if (!CheckKeys(item, {"id", "description", "when", "action", "reason"}, "filter")) continue;
      FilterRule f;
      bool ok = LoadRule(item, &f.rule);
      std::string action = "drop";
      if (item["action"] && GetString(item["action"], "action", &action)) {
        auto a = ParseFilterAction(action);
        if (!a || *a == FilterAction::kNone) {
          Error(item["action"], "\"action\" must be drop or count, got " + Quote(action));
          ok = false;
        } else {
          f.action = *a;
        }
      }
      if (!item["reason"]) {
        Error(item,
              "filter " + Quote(f.rule.id) + " has no \"reason\" (the name it is counted under)");
        ok = false;
      } else if (!GetString(item["reason"], "reason", &f.reason)) {
        ok = false;
      }
      if (ok) rs_->filters.push_back(std::move(f));
    }
  }

  bool LoadClassifier(const YAML::Node& node, const std::string& name, Classifier* c) {
    if (!CheckKeys(node, {"values", "default", "mode", "rules"}, "dimension " + Quote(name))) {
      return false;
    }
    c->name = name;
    bool ok = true;
    if (!node["values"]) {
      Error(node, "dimension " + Quote(name) + " has no \"values\" (its vocabulary)");
      return false;
    }
    if (!GetStrings(node["values"], name + ".values", &c->values)) return false;
    if (!node["default"]) {
      Error(node, "dimension " + Quote(name) + " has no \"default\"");
      ok = false;
    } else if (GetString(node["default"], name + ".default", &c->default_value)) {
      ok &= CheckValue(node["default"], name, c->default_value);
    }
    if (node["mode"]) {
      std::string mode;
      if (GetString(node["mode"], "mode", &mode)) {
        if (mode == "first") {
          c->mode = Mode::kFirst;
        } else if (mode == "sum") {
          c->mode = Mode::kSum;
        } else {
          Error(node["mode"], "\"mode\" must be first or sum, got " + Quote(mode));
          ok = false;
        }
      }
    }
    std::set<std::string> assigned = {c->default_value};
    if (node["rules"]) {
      if (!node["rules"].IsSequence()) {
        Error(node["rules"], std::string("expected a list of rules for \"rules\", got ") +
                                 NodeTypeName(node["rules"]));
        return false;
      }
      for (const auto& item : node["rules"]) {
        if (!CheckKeys(item, {"id", "description", "when", "value", "weight", "per_keyword"},
                       "rule")) {
          ok = false;
          continue;
        }
        ClassifierRule r;
        bool rule_ok = LoadRule(item, &r.rule);
        if (!item["value"]) {
          Error(item, "rule " + Quote(r.rule.id) + " has no \"value\"");
          rule_ok = false;
        } else if (GetString(item["value"], "value", &r.value)) {
          rule_ok &= CheckValue(item["value"], name, r.value);
        } else {
          rule_ok = false;
        }
        if (item["weight"]) {
          if (c->mode != Mode::kSum) {
            Warning(item["weight"], "\"weight\" only counts in mode: sum; dimension " +
                                        Quote(name) + " is mode: first");
          }
          rule_ok &= GetNumber(item["weight"], "weight", &r.weight);
        }
        if (item["per_keyword"]) {
          rule_ok &= GetBool(item["per_keyword"], "per_keyword", &r.per_keyword);
          if (r.per_keyword && r.rule.trigger_lists.empty()) {
            Warning(item["per_keyword"], "rule " + Quote(r.rule.id) +
                                             " has \"per_keyword\" but no keyword list to count");
          }
        }
        if (rule_ok) {
          assigned.insert(r.value);
          c->rules.push_back(std::move(r));
        }
        ok &= rule_ok;
      }
    }
    if (ok) {
      for (const auto& value : c->values) {
        if (!assigned.count(value)) {
          Warning(node["values"], "value " + Quote(value) + " of " + Quote(name) +
                                      " is never assigned by a rule nor the default");
        }
      }
    }
    return ok;
  }

  void LoadClassifiers(const YAML::Node& node, StageView* view) {
    if (!node.IsMap()) {
      Error(node, std::string("expected a mapping of dimensions for \"classify\", got ") +
                      NodeTypeName(node));
      return;
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
      std::string name;
      if (!GetString(it->first, "dimension name", &name)) continue;
      if (name == "importance" || name == "urgency") {
        Error(it->first, Quote(name) + " is decided in the \"priority\" section");
        continue;
      }
      if (std::any_of(rs_->classifiers.begin(), rs_->classifiers.end(),
                      [&](const Classifier& c) { return c.name == name; })) {
        Error(it->first, "dimension " + Quote(name) + " is defined twice");
        continue;
      }
      StageView own = *view;
      own.name = "classify." + name;
      stage_ = &own;
      Classifier c;
      if (LoadClassifier(it->second, name, &c)) rs_->classifiers.push_back(std::move(c));
      view->labels.insert(name);
    }
  }

  void LoadInfluence(const YAML::Node& node, const StageView& view) {
    StageView own = view;
    own.name = "influence";
    stage_ = &own;
    rule_id_ = "influence";
    if (!CheckKeys(node, {"terms", "penalties", "tiers", "segments"}, "\"influence\"")) return;
    Influence& inf = rs_->influence;
    inf.defined = true;
    if (node["terms"] && node["terms"].IsSequence()) {
      for (const auto& t : node["terms"]) {
        if (!CheckKeys(t, {"name", "weight", "field", "scale", "divide", "verified", "when"},
                       "influence term")) {
          continue;
        }
        InfluenceTermDef term;
        if (!t["name"] || !GetString(t["name"], "name", &term.name)) {
          if (!t["name"]) Error(t, "influence term has no \"name\"");
          continue;
        }
        rule_id_ = term.name;
        if (!t["weight"]) {
          Error(t, "influence term " + Quote(term.name) + " has no \"weight\"");
          continue;
        }
        if (!GetNumber(t["weight"], "weight", &term.weight)) continue;
        int forms = (t["field"] ? 1 : 0) + (t["verified"] ? 1 : 0) + (t["when"] ? 1 : 0);
        if (forms != 1) {
          Error(t, "influence term " + Quote(term.name) +
                       " needs exactly one of \"field\", \"verified\" or \"when\"");
          continue;
        }
        if (t["field"]) {
          term.kind = InfluenceTermDef::Kind::kField;
          std::string field;
          if (!GetString(t["field"], "field", &field)) continue;
          static const std::map<std::string, AuthorField> kCounts = {
              {"followers", AuthorField::kFollowers},
              {"following", AuthorField::kFollowing},
              {"listed", AuthorField::kListed},
              {"posts", AuthorField::kPosts}};
          auto f = kCounts.find(field);
          if (f == kCounts.end()) {
            Error(t["field"],
                  "\"field\" must be followers, following, listed or posts, got " + Quote(field));
            continue;
          }
          term.field = f->second;
          std::string scale = "log10";
          if (t["scale"] && GetString(t["scale"], "scale", &scale) && scale != "log10" &&
              scale != "linear") {
            Error(t["scale"], "\"scale\" must be log10 or linear, got " + Quote(scale));
            continue;
          }
          term.log10 = scale == "log10";
          if (t["divide"] &&
              (!GetNumber(t["divide"], "divide", &term.divide) || term.divide <= 0)) {
            if (term.divide <= 0) Error(t["divide"], "\"divide\" must be greater than 0");
            continue;
          }
        } else if (t["verified"]) {
          term.kind = InfluenceTermDef::Kind::kVerifiedMap;
          if (!t["verified"].IsMap()) {
            Error(t["verified"], "\"verified\" must map verification types to values");
            continue;
          }
          for (auto it = t["verified"].begin(); it != t["verified"].end(); ++it) {
            double v = 0;
            if (GetNumber(it->second, "verified." + it->first.Scalar(), &v)) {
              term.verified_map[it->first.Scalar()] = v;
            }
          }
        } else {
          term.kind = InfluenceTermDef::Kind::kCondition;
          if (!CompileWhen(t["when"], &term.when)) continue;
        }
        inf.terms.push_back(std::move(term));
      }
    } else if (node["terms"]) {
      Error(node["terms"], "\"terms\" must be a list of influence terms");
    }
    if (node["penalties"] && node["penalties"].IsSequence()) {
      for (const auto& p : node["penalties"]) {
        if (!CheckKeys(p, {"name", "value", "when"}, "influence penalty")) continue;
        InfluencePenalty penalty;
        if (!p["name"] || !p["value"] || !p["when"]) {
          Error(p, "influence penalty needs \"name\", \"value\" and \"when\"");
          continue;
        }
        if (!GetString(p["name"], "name", &penalty.name)) continue;
        rule_id_ = penalty.name;
        if (!GetNumber(p["value"], "value", &penalty.value)) continue;
        if (!CompileWhen(p["when"], &penalty.when)) continue;
        inf.penalties.push_back(std::move(penalty));
      }
    } else if (node["penalties"]) {
      Error(node["penalties"], "\"penalties\" must be a list");
    }
    if (!node["tiers"] || !node["tiers"].IsSequence() || node["tiers"].size() == 0) {
      Error(node, "\"influence\" needs \"tiers\": a list of {name, min}");
    } else {
      for (const auto& t : node["tiers"]) {
        if (!CheckKeys(t, {"name", "min"}, "tier")) continue;
        Tier tier;
        if (!t["name"] || !t["min"]) {
          Error(t, "a tier needs \"name\" and \"min\"");
          continue;
        }
        if (GetString(t["name"], "name", &tier.name) && GetNumber(t["min"], "min", &tier.min)) {
          inf.tiers.push_back(tier);
          tiers_.push_back(tier.name);
        }
      }
      std::stable_sort(inf.tiers.begin(), inf.tiers.end(),
                       [](const Tier& a, const Tier& b) { return a.min > b.min; });
      if (!inf.tiers.empty() && inf.tiers.back().min > 0) {
        Warning(node["tiers"], "no tier starts at 0: low scores get no tier");
      }
    }
    if (node["segments"]) {
      if (!node["segments"].IsMap()) {
        Error(node["segments"], "\"segments\" must map CRM segments to tiers");
      } else {
        for (auto it = node["segments"].begin(); it != node["segments"].end(); ++it) {
          std::string tier;
          if (!GetString(it->second, "segments." + it->first.Scalar(), &tier)) continue;
          if (std::find(tiers_.begin(), tiers_.end(), tier) == tiers_.end()) {
            Error(it->second, "unknown tier " + Quote(tier) + "; tiers: " + JoinNames(tiers_));
            continue;
          }
          inf.segment_tiers[it->first.Scalar()] = tier;
        }
      }
    }
  }

  bool CheckLevel(const YAML::Node& at, const std::string& level) {
    if (std::find(levels_.begin(), levels_.end(), level) != levels_.end()) return true;
    std::string nearest = NearestName(level, levels_);
    Error(at, "unknown priority level " + Quote(level) +
                  (nearest.empty() ? "; levels: " + JoinNames(levels_)
                                   : " (did you mean " + Quote(nearest) + "?)"));
    return false;
  }

  void LoadPriority(const YAML::Node& node, StageView* view) {
    if (!CheckKeys(node, {"levels", "default", "importance", "urgency", "matrix", "raise"},
                   "\"priority\"")) {
      return;
    }
    Priority& p = rs_->priority;
    p.defined = true;
    if (!node["levels"] || !GetStrings(node["levels"], "levels", &p.levels) || p.levels.empty()) {
      if (!node["levels"]) Error(node, "\"priority\" needs \"levels\", highest first");
      return;
    }
    if (!node["default"]) {
      Error(node, "\"priority\" needs \"default\": the level when no matrix cell applies");
    } else if (GetString(node["default"], "default", &p.default_level)) {
      CheckLevel(node["default"], p.default_level);
    }
    for (const char* dim : {"importance", "urgency"}) {
      if (!node[dim]) {
        Error(node, std::string("\"priority\" needs \"") + dim + "\"");
        continue;
      }
      StageView own = *view;
      own.name = std::string("priority.") + dim;
      stage_ = &own;
      LoadClassifier(node[dim], dim, std::string(dim) == "importance" ? &p.importance : &p.urgency);
      view->labels.insert(dim);
    }
    stage_ = view;
    if (node["matrix"]) {
      if (!node["matrix"].IsSequence()) {
        Error(node["matrix"], "\"matrix\" must be a list of {importance, urgency, level}");
      } else {
        for (const auto& cell : node["matrix"]) {
          if (!CheckKeys(cell, {"importance", "urgency", "level"}, "matrix cell")) continue;
          std::string imp;
          std::string urg;
          std::string level;
          if (!cell["importance"] || !cell["urgency"] || !cell["level"]) {
            Error(cell, "a matrix cell needs \"importance\", \"urgency\" and \"level\"");
            continue;
          }
          if (GetString(cell["importance"], "importance", &imp) &&
              GetString(cell["urgency"], "urgency", &urg) &&
              GetString(cell["level"], "level", &level) &&
              CheckValue(cell["importance"], "importance", imp) &&
              CheckValue(cell["urgency"], "urgency", urg) && CheckLevel(cell["level"], level)) {
            p.matrix[{imp, urg}] = level;
          }
        }
      }
    }
    if (node["raise"]) {
      if (!node["raise"].IsSequence()) {
        Error(node["raise"], "\"raise\" must be a list of rules");
        return;
      }
      StageView own = *view;
      own.name = "priority.raise";
      stage_ = &own;
      for (const auto& item : node["raise"]) {
        if (!CheckKeys(item, {"id", "description", "when", "to"}, "raise rule")) continue;
        RaiseRule r;
        bool ok = LoadRule(item, &r.rule);
        if (!item["to"]) {
          Error(item, "raise rule " + Quote(r.rule.id) + " has no \"to\"");
          ok = false;
        } else if (!GetString(item["to"], "to", &r.level) || !CheckLevel(item["to"], r.level)) {
          ok = false;
        }
        if (ok) p.raises.push_back(std::move(r));
      }
    }
  }

  bool LoadRouteAction(const YAML::Node& node, const std::string& what, RouteAction* a) {
    bool ok = true;
    if (!node["queue"]) {
      Error(node, what + " has no \"queue\"");
      ok = false;
    } else {
      ok &= GetString(node["queue"], "queue", &a->queue);
    }
    if (node["skills"]) ok &= GetStrings(node["skills"], "skills", &a->skills);
    if (node["replies"]) ok &= GetStrings(node["replies"], "replies", &a->replies);
    if (node["at_least"]) {
      ok &= GetString(node["at_least"], "at_least", &a->at_least) &&
            CheckLevel(node["at_least"], a->at_least);
    }
    if (node["move_to_private"]) {
      ok &= GetBool(node["move_to_private"], "move_to_private", &a->move_to_private);
    }
    if (node["handoff"]) ok &= GetBool(node["handoff"], "handoff", &a->handoff);
    return ok;
  }

  void LoadRouting(const YAML::Node& node, const StageView& view) {
    StageView own = view;
    own.name = "routing";
    stage_ = &own;
    if (!CheckKeys(node, {"default", "rules", "move_to_private_when"}, "\"routing\"")) return;
    if (node["move_to_private_when"]) {
      rule_id_ = "move_to_private_when";
      Condition c;
      if (CompileWhen(node["move_to_private_when"], &c)) rs_->routing.private_when = std::move(c);
    }
    static const std::vector<std::string> kActionKeys = {"queue",           "skills",  "at_least",
                                                         "move_to_private", "handoff", "replies"};
    if (!node["default"]) {
      Error(node, "\"routing\" needs \"default\": the queue when no rule matches");
    } else if (CheckKeys(node["default"], kActionKeys, "routing default")) {
      LoadRouteAction(node["default"], "routing default", &rs_->routing.fallback);
    }
    if (!node["rules"]) return;
    if (!node["rules"].IsSequence()) {
      Error(node["rules"], "\"rules\" must be a list of route rules");
      return;
    }
    std::vector<std::string> keys = kActionKeys;
    keys.insert(keys.end(), {"id", "description", "when"});
    for (const auto& item : node["rules"]) {
      if (!CheckKeys(item, keys, "route rule")) continue;
      RouteRule r;
      bool ok = LoadRule(item, &r.rule);
      ok &= LoadRouteAction(item, "route rule " + Quote(r.rule.id), &r.action);
      if (ok) rs_->routing.rules.push_back(std::move(r));
    }
  }

  // ---- finish ----------------------------------------------------------------------------

  void Finish() {
    for (const auto& [name, node] : list_nodes_) {
      if (!used_lists_.count(name)) {
        file_ = list_files_[name];
        Warning(node, "list " + Quote(name) + " is never used");
      }
    }
    Status compiled = rs_->keywords.Compile();
    if (!compiled.ok()) {
      FileError(0, compiled.message());
      return;
    }
    rs_->pattern_lists.assign(rs_->keywords.size(), {});
    for (size_t l = 0; l < rs_->lists.size(); ++l) {
      KeywordList& list = rs_->lists[l];
      std::sort(list.words.begin(), list.words.end());
      list.words.erase(std::unique(list.words.begin(), list.words.end()), list.words.end());
      for (int p : list.patterns)
        rs_->pattern_lists[static_cast<size_t>(p)].push_back(static_cast<int>(l));
    }
    for (auto& owners : rs_->pattern_lists) {
      std::sort(owners.begin(), owners.end());
      owners.erase(std::unique(owners.begin(), owners.end()), owners.end());
    }
    if (!brands_.empty()) rs_->brands = std::make_unique<BrandMatcher>(brands_);
    size_t lists = rs_->lists.size();
    auto rules_of = [](const auto& items) {
      std::vector<const Rule*> rules;
      for (const auto& item : items) rules.push_back(&item.rule);
      return rules;
    };
    rs_->filter_index.Build(rules_of(rs_->filters), lists);
    for (auto& c : rs_->classifiers) c.index.Build(rules_of(c.rules), lists);
    rs_->priority.importance.index.Build(rules_of(rs_->priority.importance.rules), lists);
    rs_->priority.urgency.index.Build(rules_of(rs_->priority.urgency.rules), lists);
    rs_->priority.raise_index.Build(rules_of(rs_->priority.raises), lists);
    rs_->routing.index.Build(rules_of(rs_->routing.rules), lists);
    std::string hash_input;
    for (const auto& f : files_) {
      hash_input += f.name;
      hash_input += '\0';
      hash_input += f.content;
      hash_input += '\0';
    }
    rs_->version = HexEncode(Sha256(hash_input)).substr(0, 16);
  }

  YAML::Node settings_at_{YAML::NodeType::Undefined};
  YAML::Node influence_at_{YAML::NodeType::Undefined};
  YAML::Node priority_at_{YAML::NodeType::Undefined};
  YAML::Node routing_at_{YAML::NodeType::Undefined};
  std::map<std::string, std::string> first_where_;
  std::map<std::string, std::string> list_where_;
  std::map<std::string, YAML::Node> list_nodes_;
  std::map<std::string, size_t> list_files_;
  std::vector<std::string> levels_;
  std::vector<std::string> tiers_;
  std::map<std::string, std::string> rule_where_;
};

std::string JoinDiagnostics(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) {
    if (!out.empty()) out += '\n';
    out += d.ToString();
  }
  return out;
}

}  // namespace

std::string Diagnostic::ToString() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  out += ": ";
  if (warning) out += "warning: ";
  out += message;
  if (!source_line.empty()) {
    out += "\n  " + source_line + "\n  ";
    // The caret sits under the column; tabs are kept so it lines up in a terminal.
    for (int i = 0; i + 1 < column && i < static_cast<int>(source_line.size()); ++i) {
      out += source_line[static_cast<size_t>(i)] == '\t' ? '\t' : ' ';
    }
    out += '^';
  }
  return out;
}

std::string NearestName(const std::string& word, const std::vector<std::string>& valid) {
  std::string best;
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  for (const auto& candidate : valid) {
    size_t d = BoundedEditDistance(word, candidate, best_distance - 1);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

Result<std::shared_ptr<const RuleSet>> CompileRuleSet(const std::vector<SourceFile>& files,
                                                      const LoadOptions& options,
                                                      LoadReport* report) {
  LoadReport local;
  LoadReport& r = report ? *report : local;
  r = LoadReport();
  size_t total = 0;
  for (const auto& f : files) total += f.content.size();
  if (total > options.max_total_bytes) {
    r.errors.push_back({"rule set", 0, 0,
                        "the rule set is " + std::to_string(total) + " bytes, over the limit of " +
                            std::to_string(options.max_total_bytes) + " bytes",
                        "", false});
    return PayloadTooLarge(JoinDiagnostics(r.errors));
  }
  if (files.empty()) {
    r.errors.push_back({"rule set", 0, 0, "no rule files (*.yaml, *.yml) found", "", false});
    return InvalidArgument(JoinDiagnostics(r.errors));
  }
  Loader loader(files, &r);
  std::shared_ptr<RuleSet> rs = loader.Run();
  if (!rs) return InvalidArgument(JoinDiagnostics(r.errors));
  return std::shared_ptr<const RuleSet>(std::move(rs));
}

Result<std::shared_ptr<const RuleSet>> LoadRuleSet(const std::string& dir,
                                                   const LoadOptions& options, LoadReport* report) {
  LoadReport local;
  LoadReport& r = report ? *report : local;
  r = LoadReport();
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    r.errors.push_back({dir, 0, 0, "not a directory", "", false});
    return NotFound(JoinDiagnostics(r.errors));
  }
  std::vector<fs::path> paths;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string ext = entry.path().extension().string();
    if (entry.is_regular_file(ec) && (ext == ".yaml" || ext == ".yml")) {
      paths.push_back(entry.path());
    }
  }
  std::sort(paths.begin(), paths.end());
  // The cap is checked on sizes before reading, so an oversized set costs no memory.
  uintmax_t total = 0;
  for (const auto& p : paths) total += fs::file_size(p, ec);
  if (total > options.max_total_bytes) {
    r.errors.push_back({dir, 0, 0,
                        "the rule set is " + std::to_string(total) + " bytes, over the limit of " +
                            std::to_string(options.max_total_bytes) + " bytes",
                        "", false});
    return PayloadTooLarge(JoinDiagnostics(r.errors));
  }
  std::vector<SourceFile> files;
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    if (!in) {
      r.errors.push_back({p.filename().string(), 0, 0, "cannot read the file", "", false});
      continue;
    }
    files.push_back({p.filename().string(), content.str()});
  }
  if (!r.errors.empty()) return InvalidArgument(JoinDiagnostics(r.errors));
  return CompileRuleSet(files, options, report ? report : &local);
}

}  // namespace atalaya::rules
