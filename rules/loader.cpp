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
#include "rules/text_normalizer.h"

namespace atalaya::rules {
namespace {

namespace fs = std::filesystem;

const char* NodeTypeName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "nothing";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
  }
  return "?";
}

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

const std::vector<std::string> kTopKeys = {"settings", "lists",     "brands",   "filters",
                                           "classify", "influence", "priority", "routing"};
const std::vector<std::string> kConditionKeys = {"all",
                                                 "any",
                                                 "not",
                                                 "channel",
                                                 "visibility",
                                                 "event",
                                                 "text_length",
                                                 "words",
                                                 "list",
                                                 "keywords",
                                                 "only_words",
                                                 "regex",
                                                 "brand",
                                                 "has_attachment",
                                                 "attachment",
                                                 "rating",
                                                 "author",
                                                 "segment",
                                                 "promotion_post",
                                                 "duplicate",
                                                 "business_hours",
                                                 "time",
                                                 "classified",
                                                 "influence",
                                                 "influence_tier",
                                                 "uppercase"};
const std::vector<std::string> kAuthorKeys = {
    "followers",    "following", "listed", "posts",       "account_age_days",
    "follow_ratio", "verified",  "bio",    "bio_keywords"};
const std::vector<std::string> kDays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

// The pipeline position a rule runs at, to warn about tests of labels not yet decided.
struct StageView {
  std::set<std::string> labels;  // dimensions decided before this stage
  bool influence = false;        // influence scored before this stage
  std::string name;              // "filters", "classify.topic", ...
};

class Loader {
 public:
  Loader(const std::vector<SourceFile>& files, LoadReport* report)
      : files_(files), report_(*report) {}

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

  void Add(const YAML::Mark& mark, std::string message, bool warning) {
    Diagnostic d;
    d.file = files_[file_].name;
    d.warning = warning;
    d.message = std::move(message);
    if (!mark.is_null()) {
      d.line = mark.line + 1;
      d.column = mark.column + 1;
      d.source_line = LineOf(files_[file_].content, mark.line);
    }
    (warning ? report_.warnings : report_.errors).push_back(std::move(d));
  }
  void Error(const YAML::Node& at, std::string message) {
    Add(at.Mark(), std::move(message), false);
  }
  void Warning(const YAML::Node& at, std::string message) {
    Add(at.Mark(), std::move(message), true);
  }
  void FileError(size_t file, std::string message) {
    file_ = file;
    Add(YAML::Mark::null_mark(), std::move(message), false);
  }

  static std::string LineOf(const std::string& content, int line) {
    std::istringstream in(content);
    std::string text;
    for (int i = 0; i <= line && std::getline(in, text); ++i) {
    }
    if (!text.empty() && text.back() == '\r') text.pop_back();
    return text;
  }

  // ---- parsing helpers -------------------------------------------------------------------

  YAML::Node Parse(const SourceFile& file) {
    try {
      return YAML::Load(file.content);
    } catch (const YAML::Exception& e) {
      Add(e.mark, "YAML syntax error: " + e.msg, false);
    }
    return YAML::Node();
  }

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

  std::string Where(const YAML::Node& node) const {
    return files_[file_].name + ":" + std::to_string(node.Mark().line + 1) + ":" +
           std::to_string(node.Mark().column + 1);
  }

  // The key node of `key` in a map, for errors that point at the key itself.
  static YAML::Node KeyNode(const YAML::Node& map, const std::string& key) {
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (it->first.IsScalar() && it->first.Scalar() == key) return it->first;
    }
    return map;
  }

  template <typename Fn>
  void ForSection(const std::vector<YAML::Node>& roots, const char* key, Fn fn) {
    for (size_t i = 0; i < roots.size(); ++i) {
      file_ = i;
      if (roots[i].IsMap() && roots[i][key]) fn(roots[i][key]);
    }
  }

  // Reports every key of `map` not in `valid`, with the nearest valid key. Returns false when
  // the node is not a mapping at all.
  bool CheckKeys(const YAML::Node& map, const std::vector<std::string>& valid,
                 const std::string& what) {
    if (!map.IsMap()) {
      Error(map, "expected a mapping for " + what + ", got " + NodeTypeName(map));
      return false;
    }
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (!it->first.IsScalar()) {
        Error(it->first, "keys of " + what + " must be plain names");
        continue;
      }
      const std::string& key = it->first.Scalar();
      if (std::find(valid.begin(), valid.end(), key) != valid.end()) continue;
      std::string nearest = NearestName(key, valid);
      Error(it->first, "unknown key " + Quote(key) + " in " + what +
                           (nearest.empty() ? "; valid keys: " + JoinNames(valid)
                                            : " (did you mean " + Quote(nearest) + "?)"));
    }
    return true;
  }

  bool GetString(const YAML::Node& node, const std::string& what, std::string* out) {
    if (!node.IsScalar()) {
      Error(node, "expected a string for " + Quote(what) + ", got " + NodeTypeName(node));
      return false;
    }
    *out = node.Scalar();
    return true;
  }

  bool GetNumber(const YAML::Node& node, const std::string& what, double* out) {
    if (node.IsScalar()) {
      const std::string& s = node.Scalar();
      char* end = nullptr;
      double v = std::strtod(s.c_str(), &end);
      if (!s.empty() && end == s.c_str() + s.size() && std::isfinite(v)) {
        *out = v;
        return true;
      }
    }
    Error(node, "expected a number for " + Quote(what) + ", got " +
                    (node.IsScalar() ? Quote(node.Scalar()) : NodeTypeName(node)));
    return false;
  }

  bool GetBool(const YAML::Node& node, const std::string& what, bool* out) {
    if (node.IsScalar()) {
      const std::string& s = node.Scalar();
      if (s == "true" || s == "yes") return *out = true, true;
      if (s == "false" || s == "no") return *out = false, true;
    }
    Error(node, "expected true or false for " + Quote(what) + ", got " +
                    (node.IsScalar() ? Quote(node.Scalar()) : NodeTypeName(node)));
    return false;
  }

  // A scalar or a list of scalars.
  bool GetStrings(const YAML::Node& node, const std::string& what, std::vector<std::string>* out) {
    out->clear();
    if (node.IsScalar()) {
      out->push_back(node.Scalar());
      return true;
    }
    if (node.IsSequence()) {
      bool ok = true;
      for (const auto& item : node) {
        std::string s;
        if (GetString(item, what, &s)) {
          out->push_back(s);
        } else {
          ok = false;
        }
      }
      return ok;
    }
    Error(node, "expected a string or a list of strings for " + Quote(what) + ", got " +
                    NodeTypeName(node));
    return false;
  }

  bool GetRange(const YAML::Node& node, const std::string& what, Range* out) {
    if (!CheckKeys(node, {"min", "max"}, Quote(what))) return false;
    bool ok = true;
    double v = 0;
    if (node["min"]) {
      if (GetNumber(node["min"], what + ".min", &v))
        out->min = v;
      else
        ok = false;
    }
    if (node["max"]) {
      if (GetNumber(node["max"], what + ".max", &v))
        out->max = v;
      else
        ok = false;
    }
    if (ok && !out->min && !out->max) {
      Error(node, Quote(what) + " needs min, max or both");
      return false;
    }
    if (ok && out->Empty()) {
      Error(node, Quote(what) + " has min greater than max: it can never be true");
      return false;
    }
    return ok;
  }

  bool GetDuration(const YAML::Node& node, const std::string& what, int64_t* ms) {
    if (node.IsScalar() && !node.Scalar().empty()) {
      std::string s = node.Scalar();
      int64_t unit = 1000;
      switch (s.back()) {
        case 's':
          unit = 1000;
          s.pop_back();
          break;
        case 'm':
          unit = 60'000;
          s.pop_back();
          break;
        case 'h':
          unit = 3'600'000;
          s.pop_back();
          break;
        case 'd':
          unit = 86'400'000;
          s.pop_back();
          break;
        default:
          break;
      }
      char* end = nullptr;
      long long v = std::strtoll(s.c_str(), &end, 10);
      if (!s.empty() && end == s.c_str() + s.size() && v > 0 && v < 400LL * 86400) {
        *ms = v * unit;
        return true;
      }
    }
    Error(node, "expected a duration like 30s, 10m, 2h or 1d for " + Quote(what));
    return false;
  }

  // "08:30" → minutes since midnight; "24:00" allowed as the end of the day.
  bool GetClock(const YAML::Node& node, const std::string& what, int* minutes) {
    if (node.IsScalar()) {
      const std::string& s = node.Scalar();
      int h = 0;
      int m = 0;
      char extra = 0;
      if (std::sscanf(s.c_str(), "%d:%d%c", &h, &m, &extra) == 2 && h >= 0 && m >= 0 && m < 60 &&
          (h < 24 || (h == 24 && m == 0))) {
        *minutes = h * 60 + m;
        return true;
      }
    }
    Error(node, "expected a time of day like \"08:30\" for " + Quote(what));
    return false;
  }

  bool GetTimeWindow(const YAML::Node& node, const std::string& what, TimeWindow* w) {
    if (!CheckKeys(node, {"days", "from", "to"}, Quote(what))) return false;
    bool ok = true;
    if (node["days"]) {
      std::vector<std::string> days;
      if (GetStrings(node["days"], what + ".days", &days)) {
        w->days = 0;
        for (const auto& day : days) {
          auto it = std::find(kDays.begin(), kDays.end(), day);
          if (it == kDays.end()) {
            Error(node["days"], "unknown day " + Quote(day) + "; days are " + JoinNames(kDays));
            ok = false;
          } else {
            w->days |= static_cast<uint8_t>(1u << (it - kDays.begin()));
          }
        }
      } else {
        ok = false;
      }
    }
    if (node["from"] && !GetClock(node["from"], what + ".from", &w->from_minute)) ok = false;
    if (node["to"] && !GetClock(node["to"], what + ".to", &w->to_minute)) ok = false;
    return ok;
  }

  // ---- collect ---------------------------------------------------------------------------

  void LoadSettings(const YAML::Node& node) {
    if (!CheckKeys(node, {"utc_offset", "business_hours"}, "settings")) return;
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

  int NewList(const std::string& name) {
    int id = static_cast<int>(rs_->lists.size());
    rs_->lists.push_back({name, {}, {}, {}});
    list_ids_[name] = id;
    return id;
  }

  void AddKeywords(const YAML::Node& seq, int list_id, const std::string& what) {
    for (const auto& item : seq) {
      std::string keyword;
      if (!GetString(item, "keyword of " + what, &keyword)) continue;
      Result<int> pattern = rs_->keywords.Add(keyword);
      if (!pattern.ok()) {
        Error(item, "keyword " + Quote(keyword) + " in " + what + " is empty after normalization");
        continue;
      }
      KeywordList& list = rs_->lists[static_cast<size_t>(list_id)];
      list.patterns.push_back(*pattern);
      const std::string& normalized = rs_->keywords.Keyword(*pattern);
      if (normalized.back() == '*') {
        list.stems.push_back(normalized.substr(0, normalized.size() - 1));
      } else {
        for (std::string_view token : Tokenize(normalized)) list.words.emplace_back(token);
      }
    }
    WarnAboutCoveredKeywords(seq, list_id, what);
  }

  // "descuento" next to "descuento*" in one list matches twice, so a per_keyword rule counts
  // it twice. Only checked for lists with a few stems (the usual hand-written case).
  void WarnAboutCoveredKeywords(const YAML::Node& seq, int list_id, const std::string& what) {
    const KeywordList& list = rs_->lists[static_cast<size_t>(list_id)];
    if (list.stems.empty() || list.stems.size() > 200) return;
    for (const auto& item : seq) {
      if (!item.IsScalar()) continue;
      std::string normalized = NormalizeText(item.Scalar());
      if (normalized.empty() || normalized.back() == '*' || item.Scalar().back() == '*' ||
          normalized.find(' ') != std::string::npos) {
        continue;
      }
      for (const std::string& stem : list.stems) {
        if (normalized.size() >= stem.size() && normalized.compare(0, stem.size(), stem) == 0) {
          Warning(item, "keyword " + Quote(item.Scalar()) + " in " + what +
                            " is already matched by " + Quote(stem + "*"));
          break;
        }
      }
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

  bool ResolveList(const YAML::Node& at, const std::string& name, int* id) {
    auto it = list_ids_.find(name);
    if (it == list_ids_.end()) {
      std::vector<std::string> names;
      for (const auto& [n, unused] : list_ids_) names.push_back(n);
      std::string nearest = NearestName(name, names);
      Error(at, "undefined list " + Quote(name) +
                    (nearest.empty() ? "" : " (did you mean " + Quote(nearest) + "?)"));
      return false;
    }
    used_lists_.insert(name);
    *id = it->second;
    return true;
  }

  bool ListNames(const YAML::Node& node, const std::string& what, std::vector<int>* ids) {
    std::vector<std::string> names;
    if (!GetStrings(node, what, &names)) return false;
    bool ok = true;
    for (const auto& name : names) {
      int id = 0;
      if (ResolveList(node, name, &id))
        ids->push_back(id);
      else
        ok = false;
    }
    return ok;
  }

  bool InlineKeywords(const YAML::Node& node, const std::string& what, std::vector<int>* ids) {
    if (!node.IsSequence() && !node.IsScalar()) {
      Error(node, "expected a keyword or a list of keywords for " + Quote(what) + ", got " +
                      NodeTypeName(node));
      return false;
    }
    int id = NewList(rule_id_ + "." + what + "#" + std::to_string(rs_->lists.size()));
    rs_->lists[static_cast<size_t>(id)].name = rule_id_ + " " + what;
    size_t before = report_.errors.size();
    if (node.IsScalar()) {
      YAML::Node seq(YAML::NodeType::Sequence);
      seq.push_back(node);
      AddKeywords(seq, id, Quote(what));
    } else {
      AddKeywords(node, id, Quote(what));
    }
    ids->push_back(id);
    return report_.errors.size() == before;
  }

  template <typename Enum, typename ParseFn>
  bool EnumList(const YAML::Node& node, const std::string& what, ParseFn parse,
                const std::vector<std::string>& valid, std::vector<int>* out) {
    std::vector<std::string> names;
    if (!GetStrings(node, what, &names)) return false;
    bool ok = true;
    for (const auto& n : names) {
      std::optional<Enum> v = parse(n);
      if (!v) {
        std::string nearest = NearestName(n, valid);
        Error(node, "unknown " + what + " " + Quote(n) +
                        (nearest.empty() ? "; valid: " + JoinNames(valid)
                                         : " (did you mean " + Quote(nearest) + "?)"));
        ok = false;
      } else {
        out->push_back(static_cast<int>(*v));
      }
    }
    return ok;
  }

  // Compiles a `when` mapping: several keys are all required (an implicit `all`).
  bool CompileWhen(const YAML::Node& node, Condition* out) {
    if (!node.IsMap()) {
      Error(node, std::string("expected a mapping of conditions, got ") + NodeTypeName(node));
      return false;
    }
    if (node.size() == 0) {
      Error(node, "empty condition: write at least one test");
      return false;
    }
    CheckKeys(node, kConditionKeys, "condition");
    std::vector<Condition> leaves;
    bool ok = true;
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!it->first.IsScalar()) continue;
      const std::string& key = it->first.Scalar();
      if (std::find(kConditionKeys.begin(), kConditionKeys.end(), key) == kConditionKeys.end()) {
        ok = false;
        continue;
      }
      if (key == "author") {
        if (!CompileAuthor(it->second, &leaves)) ok = false;
        continue;
      }
      Condition c;
      if (CompileLeaf(key, it->second, &c)) {
        leaves.push_back(std::move(c));
      } else {
        ok = false;
      }
    }
    if (!ok) return false;
    // Cheap tests first: the result is the same, and a store lookup (duplicate) or a regex
    // runs only when everything else already holds.
    std::stable_sort(leaves.begin(), leaves.end(), [](const Condition& a, const Condition& b) {
      return CostRank(a.type) < CostRank(b.type);
    });
    if (leaves.size() == 1) {
      *out = std::move(leaves[0]);
    } else {
      out->type = ConditionType::kAll;
      out->children = std::move(leaves);
    }
    return true;
  }

  bool CompileAuthor(const YAML::Node& node, std::vector<Condition>* leaves) {
    if (!CheckKeys(node, kAuthorKeys, "\"author\"")) return false;
    bool ok = true;
    static const std::map<std::string, AuthorField> kFields = {
        {"followers", AuthorField::kFollowers},
        {"following", AuthorField::kFollowing},
        {"listed", AuthorField::kListed},
        {"posts", AuthorField::kPosts},
        {"account_age_days", AuthorField::kAccountAgeDays},
        {"follow_ratio", AuthorField::kFollowRatio}};
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!it->first.IsScalar()) continue;
      const std::string& key = it->first.Scalar();
      Condition c;
      if (auto f = kFields.find(key); f != kFields.end()) {
        c.type = ConditionType::kAuthorNumber;
        c.field = f->second;
        if (!GetRange(it->second, "author." + key, &c.range)) ok = false;
      } else if (key == "verified") {
        c.type = ConditionType::kVerified;
        if (it->second.IsScalar() &&
            (it->second.Scalar() == "true" || it->second.Scalar() == "false")) {
          c.flag = it->second.Scalar() == "true";
        } else if (!GetStrings(it->second, "author.verified", &c.strings)) {
          ok = false;
        }
      } else if (key == "bio") {
        c.type = ConditionType::kBio;
        if (!ListNames(it->second, "author.bio", &c.ints)) ok = false;
      } else if (key == "bio_keywords") {
        c.type = ConditionType::kBio;
        if (!InlineKeywords(it->second, "bio_keywords", &c.ints)) ok = false;
      } else {
        ok = false;  // reported by CheckKeys
        continue;
      }
      leaves->push_back(std::move(c));
    }
    return ok;
  }

  bool CompileLeaf(const std::string& key, const YAML::Node& v, Condition* c) {
    if (key == "all" || key == "any") {
      c->type = key == "all" ? ConditionType::kAll : ConditionType::kAny;
      if (!v.IsSequence() || v.size() == 0) {
        Error(v, Quote(key) + " needs a non-empty list of conditions, got " + NodeTypeName(v));
        return false;
      }
      bool ok = true;
      for (const auto& item : v) {
        Condition child;
        if (CompileWhen(item, &child))
          c->children.push_back(std::move(child));
        else
          ok = false;
      }
      return ok;
    }
    if (key == "not") {
      c->type = ConditionType::kNot;
      c->children.resize(1);
      return CompileWhen(v, &c->children[0]);
    }
    if (key == "channel") {
      c->type = ConditionType::kChannel;
      return EnumList<Channel>(
          v, "channel", ParseChannel,
          {"whatsapp", "messenger", "instagram", "twitter", "app_store", "google_play"}, &c->ints);
    }
    if (key == "event") {
      c->type = ConditionType::kEvent;
      return EnumList<EventKind>(v, "event", ParseEventKind,
                                 {"message", "postback", "reaction", "comment", "mention", "review",
                                  "status", "identity", "unsupported"},
                                 &c->ints);
    }
    if (key == "visibility") {
      c->type = ConditionType::kVisibility;
      std::string s;
      if (!GetString(v, "visibility", &s)) return false;
      if (s != "public" && s != "private") {
        Error(v, "\"visibility\" must be public or private, got " + Quote(s));
        return false;
      }
      c->flag = s == "public";
      return true;
    }
    if (key == "text_length" || key == "words" || key == "rating" || key == "influence" ||
        key == "uppercase") {
      c->type = key == "text_length" ? ConditionType::kTextLength
                : key == "words"     ? ConditionType::kWords
                : key == "rating"    ? ConditionType::kRating
                : key == "influence" ? ConditionType::kInfluence
                                     : ConditionType::kUppercase;
      if (key == "influence") NeedInfluence(v);
      return GetRange(v, key, &c->range);
    }
    if (key == "list") {
      c->type = ConditionType::kList;
      return ListNames(v, "list", &c->ints);
    }
    if (key == "keywords") {
      c->type = ConditionType::kList;
      return InlineKeywords(v, "keywords", &c->ints);
    }
    if (key == "only_words") {
      c->type = ConditionType::kOnlyWords;
      return ListNames(v, "only_words", &c->ints);
    }
    if (key == "regex") return CompileRegex(v, c);
    if (key == "brand") {
      c->type = ConditionType::kBrand;
      std::vector<std::string> names;
      if (!GetStrings(v, "brand", &names)) return false;
      if (brands_.empty()) {
        Error(v, "\"brand\" is tested but the rule set defines no brands");
        return false;
      }
      bool ok = true;
      for (const auto& n : names) {
        if (n == "any") continue;
        auto it = brand_ids_.find(n);
        if (it == brand_ids_.end()) {
          std::vector<std::string> valid;
          for (const auto& [name, unused] : brand_ids_) valid.push_back(name);
          std::string nearest = NearestName(n, valid);
          Error(v, "undefined brand " + Quote(n) +
                       (nearest.empty() ? "" : " (did you mean " + Quote(nearest) + "?)"));
          ok = false;
        } else {
          c->ints.push_back(it->second);
        }
      }
      return ok;
    }
    if (key == "has_attachment" || key == "promotion_post") {
      c->type =
          key == "has_attachment" ? ConditionType::kHasAttachment : ConditionType::kPromotionPost;
      return GetBool(v, key, &c->flag);
    }
    if (key == "attachment" || key == "segment" || key == "influence_tier") {
      c->type = key == "attachment" ? ConditionType::kAttachment
                : key == "segment"  ? ConditionType::kSegment
                                    : ConditionType::kInfluenceTier;
      if (key == "influence_tier") NeedInfluence(v);
      return GetStrings(v, key, &c->strings);
    }
    if (key == "duplicate") {
      c->type = ConditionType::kDuplicate;
      if (!CheckKeys(v, {"within"}, "\"duplicate\"")) return false;
      if (!v["within"]) {
        Error(v, "\"duplicate\" needs \"within\" (e.g. within: 10m)");
        return false;
      }
      return GetDuration(v["within"], "duplicate.within", &c->window_ms);
    }
    if (key == "business_hours") {
      c->type = ConditionType::kTime;
      bool inside = true;
      if (!GetBool(v, "business_hours", &inside)) return false;
      if (!rs_->business_hours) {
        Error(v, "\"business_hours\" is tested but settings.business_hours is not defined");
        return false;
      }
      c->time = *rs_->business_hours;
      c->name = "business hours";
      if (inside) return true;
      Condition positive = *c;
      *c = Condition();
      c->type = ConditionType::kNot;
      c->children.push_back(std::move(positive));
      return true;
    }
    if (key == "time") {
      c->type = ConditionType::kTime;
      c->name = "time window";
      return GetTimeWindow(v, "time", &c->time);
    }
    if (key == "classified") return CompileClassified(v, c);
    return false;
  }

  void NeedInfluence(const YAML::Node& at) {
    if (!stage_->influence) {
      Warning(at, "rule " + Quote(rule_id_) + " tests influence in " + stage_->name +
                      ", which runs before influence is scored: the test is never true");
    }
  }

  bool CompileClassified(const YAML::Node& v, Condition* c) {
    if (!v.IsMap() || v.size() != 1) {
      Error(v, "\"classified\" needs one dimension and its values, e.g. {kind: queja}");
      return false;
    }
    auto it = v.begin();
    std::string dim = it->first.Scalar();
    auto vocab = vocabularies_.find(dim);
    if (vocab == vocabularies_.end()) {
      std::vector<std::string> dims;
      for (const auto& [d, unused] : vocabularies_) dims.push_back(d);
      std::string nearest = NearestName(dim, dims);
      Error(it->first, "unknown dimension " + Quote(dim) +
                           (nearest.empty() ? "; dimensions: " + JoinNames(dims)
                                            : " (did you mean " + Quote(nearest) + "?)"));
      return false;
    }
    c->type = ConditionType::kClassified;
    c->name = dim;
    if (!GetStrings(it->second, "classified." + dim, &c->strings)) return false;
    bool ok = true;
    for (const auto& value : c->strings) ok &= CheckValue(it->second, dim, value);
    if (ok && !stage_->labels.count(dim)) {
      Warning(it->first, "rule " + Quote(rule_id_) + " tests " + Quote(dim) + " in " +
                             stage_->name + ", before " + Quote(dim) +
                             " is decided: the test is never true");
    }
    return ok;
  }

  bool CheckValue(const YAML::Node& at, const std::string& dim, const std::string& value) {
    const auto& values = vocabularies_[dim];
    if (std::find(values.begin(), values.end(), value) != values.end()) return true;
    std::string nearest = NearestName(value, values);
    Error(at, "unknown " + dim + " " + Quote(value) +
                  (nearest.empty() ? "; values: " + JoinNames(values)
                                   : " (did you mean " + Quote(nearest) + "?)"));
    return false;
  }

  bool CompileRegex(const YAML::Node& v, Condition* c) {
    c->type = ConditionType::kRegex;
    std::string source;
    if (!GetString(v, "regex", &source)) return false;
    static const RE2 kLookaround(R"(\(\?<?[=!])");
    static const RE2 kBackreference(R"(\\[1-9]|\\k<)");
    if (RE2::PartialMatch(source, kLookaround)) {
      Error(v, "invalid regex /" + source +
                   "/: lookahead and lookbehind ((?=, (?!, (?<=, (?<!) are not supported; RE2 "
                   "runs in linear time and refuses backtracking constructs — use a second "
                   "condition, e.g. not: {regex: ...}");
      return false;
    }
    if (RE2::PartialMatch(source, kBackreference)) {
      Error(v, "invalid regex /" + source +
                   "/: backreferences (\\1, \\k<name>) are not supported; RE2 runs in linear "
                   "time and refuses backtracking constructs");
      return false;
    }
    RE2::Options options;
    options.set_log_errors(false);
    options.set_case_sensitive(false);
    auto re = std::make_shared<RE2>("(" + source + ")", options);
    if (!re->ok()) {
      RE2 alone(source, options);  // the designer's own pattern, for an error they recognize
      Error(v, "invalid regex /" + source + "/: " + (alone.ok() ? re->error() : alone.error()));
      return false;
    }
    c->regex = std::move(re);
    c->regex_source = source;
    return true;
  }

  static int CostRank(ConditionType type) {
    switch (type) {
      case ConditionType::kList:
        return 1;
      case ConditionType::kWords:
      case ConditionType::kOnlyWords:
      case ConditionType::kUppercase:
        return 2;
      case ConditionType::kAll:
      case ConditionType::kAny:
      case ConditionType::kNot:
      case ConditionType::kBio:
      case ConditionType::kBrand:
        return 3;
      case ConditionType::kRegex:
        return 4;
      case ConditionType::kDuplicate:
        return 5;
      default:
        return 0;  // a field comparison
    }
  }

  // The lists of which one must match for the condition to hold (see Rule::trigger_lists).
  static std::vector<int> Triggers(const Condition& c) {
    if (c.type == ConditionType::kList) return c.ints;
    if (c.type == ConditionType::kAll) {
      for (const auto& child : c.children) {
        std::vector<int> t = Triggers(child);
        if (!t.empty()) return t;
      }
    }
    if (c.type == ConditionType::kAny) {
      std::vector<int> all;
      for (const auto& child : c.children) {
        std::vector<int> t = Triggers(child);
        if (t.empty()) return {};  // one branch needs no keyword
        all.insert(all.end(), t.begin(), t.end());
      }
      return all;
    }
    return {};
  }

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

  const std::vector<SourceFile>& files_;
  LoadReport& report_;
  std::shared_ptr<RuleSet> rs_;
  size_t file_ = 0;
  std::string rule_id_;
  const StageView* stage_ = nullptr;
  YAML::Node settings_at_{YAML::NodeType::Undefined};
  YAML::Node influence_at_{YAML::NodeType::Undefined};
  YAML::Node priority_at_{YAML::NodeType::Undefined};
  YAML::Node routing_at_{YAML::NodeType::Undefined};
  std::map<std::string, std::string> first_where_;
  std::map<std::string, int> list_ids_;
  std::map<std::string, std::string> list_where_;
  std::map<std::string, YAML::Node> list_nodes_;
  std::map<std::string, size_t> list_files_;
  std::set<std::string> used_lists_;
  std::vector<Brand> brands_;
  std::map<std::string, int> brand_ids_;
  std::map<std::string, std::vector<std::string>> vocabularies_;
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
