#include "rules/condition_compiler.h"

#include <algorithm>
#include <map>

#include "rules/loader.h"
#include "rules/text_normalizer.h"

namespace atalaya::rules {
namespace {

// clang-format off
const std::vector<std::string> kConditionKeys = {
    "all", "any", "not", "channel", "visibility", "event",
    "text_length", "words", "list", "keywords", "only_words", "regex",
    "brand", "has_attachment", "attachment", "rating", "author", "segment",
    "promotion_post", "duplicate", "business_hours", "time", "classified", "influence",
    "influence_tier", "uppercase"};
// clang-format on
const std::vector<std::string> kAuthorKeys = {
    "followers",    "following", "listed", "posts",       "account_age_days",
    "follow_ratio", "verified",  "bio",    "bio_keywords"};

}  // namespace

int ConditionCompiler::NewList(const std::string& name) {
  int id = static_cast<int>(rs_->lists.size());
  rs_->lists.push_back({name, {}, {}, {}});
  list_ids_[name] = id;
  return id;
}

void ConditionCompiler::AddKeywords(const YAML::Node& seq, int list_id, const std::string& what) {
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

void ConditionCompiler::WarnAboutCoveredKeywords(const YAML::Node& seq, int list_id,
                                                 const std::string& what) {
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

bool ConditionCompiler::ResolveList(const YAML::Node& at, const std::string& name, int* id) {
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

bool ConditionCompiler::ListNames(const YAML::Node& node, const std::string& what,
                                  std::vector<int>* ids) {
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

bool ConditionCompiler::InlineKeywords(const YAML::Node& node, const std::string& what,
                                       std::vector<int>* ids) {
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
bool ConditionCompiler::EnumList(const YAML::Node& node, const std::string& what, ParseFn parse,
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

bool ConditionCompiler::CompileWhen(const YAML::Node& node, Condition* out) {
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

bool ConditionCompiler::CompileAuthor(const YAML::Node& node, std::vector<Condition>* leaves) {
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

bool ConditionCompiler::CompileLeaf(const std::string& key, const YAML::Node& v, Condition* c) {
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

void ConditionCompiler::NeedInfluence(const YAML::Node& at) {
  if (!stage_->influence) {
    Warning(at, "rule " + Quote(rule_id_) + " tests influence in " + stage_->name +
                    ", which runs before influence is scored: the test is never true");
  }
}

bool ConditionCompiler::CompileClassified(const YAML::Node& v, Condition* c) {
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
    Warning(it->first, "rule " + Quote(rule_id_) + " tests " + Quote(dim) + " in " + stage_->name +
                           ", before " + Quote(dim) + " is decided: the test is never true");
  }
  return ok;
}

bool ConditionCompiler::CheckValue(const YAML::Node& at, const std::string& dim,
                                   const std::string& value) {
  const auto& values = vocabularies_[dim];
  if (std::find(values.begin(), values.end(), value) != values.end()) return true;
  std::string nearest = NearestName(value, values);
  Error(at, "unknown " + dim + " " + Quote(value) +
                (nearest.empty() ? "; values: " + JoinNames(values)
                                 : " (did you mean " + Quote(nearest) + "?)"));
  return false;
}

bool ConditionCompiler::CompileRegex(const YAML::Node& v, Condition* c) {
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

int ConditionCompiler::CostRank(ConditionType type) {
  switch (type) {
    case ConditionType::kList:
      return 1;
    case ConditionType::kWords:
    case ConditionType::kUppercase:
      return 2;
    case ConditionType::kOnlyWords:
      return 3;  // splits the whole text into words: after a cheap "words: {max: N}"
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

std::vector<int> ConditionCompiler::Triggers(const Condition& c) {
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

}  // namespace atalaya::rules
