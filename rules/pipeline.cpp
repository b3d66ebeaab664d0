#include "rules/pipeline.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "rules/text_normalizer.h"

namespace atalaya::rules {
namespace {

constexpr int64_t kMsPerMinute = 60'000;
constexpr int64_t kMsPerDay = 24 * 60 * kMsPerMinute;

std::string FormatNumber(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.10g", std::round(v * 10000) / 10000);
  return buffer;
}

std::string FormatRange(const Range& r) {
  return "[" + (r.min ? FormatNumber(*r.min) : std::string("-inf")) + ", " +
         (r.max ? FormatNumber(*r.max) : std::string("inf")) + "]";
}

std::string Join(const std::vector<std::string>& items, const char* separator = ", ") {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

// Everything computed once per event and shared by the rules of all stages.
class Evaluation {
 public:
  Evaluation(const RuleSet& rs, const Event& event, const Context& context, Decision* decision)
      : rs_(rs), event_(event), context_(context), decision_(*decision) {
    now_ms_ = context.now_ms != 0 ? context.now_ms : event.timestamp_ms;
    normalized_ = NormalizeText(event.text);
    MatchLists(normalized_, &text_patterns_, &text_lists_);
  }

  const std::vector<int>& text_lists() const { return text_lists_; }
  Decision& decision() { return decision_; }
  const RuleSet& rule_set() const { return rs_; }
  const Event& event() const { return event_; }
  const Context& context() const { return context_; }

  // The event text's duplicate key: the caller's, or computed once from the text already
  // normalized for the keyword lists.
  const std::string& TextKeyOfEvent() {
    if (context_.text_key != nullptr) return *context_.text_key;
    if (text_key_.empty()) text_key_ = TextKeyOfNormalized(normalized_);
    return text_key_;
  }

  // True when the condition holds; appends to `why` a short reason for each leaf that made
  // it true.
  bool Eval(const Condition& c, std::vector<std::string>* why) {
    switch (c.type) {
      case ConditionType::kAlways:
        return true;
      case ConditionType::kAll: {
        size_t mark = why->size();
        for (const auto& child : c.children) {
          if (!Eval(child, why)) {
            why->resize(mark);
            return false;
          }
        }
        return true;
      }
      case ConditionType::kAny:
        for (const auto& child : c.children) {
          if (Eval(child, why)) return true;
        }
        return false;
      case ConditionType::kNot: {
        std::vector<std::string> ignored;
        if (Eval(c.children[0], &ignored)) return false;
        why->push_back("not(" + Describe(c.children[0]) + ")");
        return true;
      }
      case ConditionType::kChannel:
        return Note(Contains(c.ints, static_cast<int>(event_.channel)), why,
                    std::string("channel=") + ChannelName(event_.channel));
      case ConditionType::kVisibility:
        return Note((event_.visibility == Visibility::kPublic) == c.flag, why,
                    std::string("visibility=") + VisibilityName(event_.visibility));
      case ConditionType::kEvent:
        return Note(Contains(c.ints, static_cast<int>(event_.kind)), why,
                    std::string("event=") + EventKindName(event_.kind));
      case ConditionType::kTextLength: {
        // Counted on the normalized text: surrounding and repeated spaces do not count.
        double n = static_cast<double>(CountCodePoints(normalized_));
        return Note(c.range.Contains(n), why,
                    "text_length=" + FormatNumber(n) + " in " + FormatRange(c.range));
      }
      case ConditionType::kWords: {
        // "At most N words" stops counting at N + 1 instead of splitting a long text.
        double n = static_cast<double>(
            tokens_ready_ || !c.range.max
                ? Tokens().size()
                : CountTokens(normalized_, static_cast<size_t>(std::max(0.0, *c.range.max)) + 1));
        return Note(c.range.Contains(n), why,
                    "words=" + FormatNumber(n) + " in " + FormatRange(c.range));
      }
      case ConditionType::kList:
        return ListsMatched(c.ints, text_lists_, text_patterns_, "list", why);
      case ConditionType::kBio:
        EnsureBio();
        return ListsMatched(c.ints, bio_lists_, bio_patterns_, "bio list", why);
      case ConditionType::kOnlyWords:
        return OnlyWords(c, why);
      case ConditionType::kRegex: {
        // The loader wraps the designer's pattern in one group: group 1 is the whole match.
        re2::StringPiece match;
        bool found = RE2::PartialMatch(event_.text, *c.regex, &match);
        return Note(found, why, "regex /" + c.regex_source + "/: \"" + std::string(match) + "\"");
      }
      case ConditionType::kBrand:
        return Brand(c, why);
      case ConditionType::kHasAttachment:
        return Note(event_.attachments.empty() != c.flag, why,
                    "attachments=" + std::to_string(event_.attachments.size()));
      case ConditionType::kAttachment:
        for (const auto& a : event_.attachments) {
          if (Contains(c.strings, a.kind)) return Note(true, why, "attachment=" + a.kind);
        }
        return false;
      case ConditionType::kRating:
        return Note(event_.rating > 0 && c.range.Contains(event_.rating), why,
                    "rating=" + std::to_string(event_.rating));
      case ConditionType::kAuthorNumber: {
        std::optional<double> v = AuthorNumber(c.field);
        return Note(v && c.range.Contains(*v), why,
                    std::string("author.") + AuthorFieldName(c.field) + "=" +
                        (v ? FormatNumber(*v) : "?") + " in " + FormatRange(c.range));
      }
      case ConditionType::kVerified: {
        const std::string& type = event_.author.verified_type;
        bool holds = c.strings.empty() ? (!type.empty()) == c.flag : Contains(c.strings, type);
        return Note(holds, why, "author.verified=" + (type.empty() ? "none" : type));
      }
      case ConditionType::kSegment:
        return Note(!context_.segment.empty() && Contains(c.strings, context_.segment), why,
                    "segment=" + context_.segment);
      case ConditionType::kPromotionPost: {
        const bool promotion =
            context_.promotion_post ||
            (!event_.thread_id.empty() && rs_.promotion_posts.count(event_.thread_id) > 0);
        return Note(promotion == c.flag, why,
                    promotion ? "promotion post" : "not a promotion post");
      }
      case ConditionType::kDuplicate: {
        bool seen = context_.recent != nullptr && !event_.text.empty() &&
                    context_.recent->Contains(event_.channel, event_.author.id, TextKeyOfEvent(),
                                              now_ms_ - c.window_ms, now_ms_);
        return Note(
            seen, why,
            "same text from this author within " + std::to_string(c.window_ms / 1000) + "s");
      }
      case ConditionType::kTime:
        return Note(InWindow(c.time), why, c.name.empty() ? "time window" : c.name);
      case ConditionType::kClassified: {
        const std::string& label = decision_.Label(c.name);
        return Note(Contains(c.strings, label), why, c.name + "=" + label);
      }
      case ConditionType::kInfluence:
        return Note(c.range.Contains(decision_.influence), why,
                    "influence=" + FormatNumber(decision_.influence));
      case ConditionType::kInfluenceTier:
        return Note(Contains(c.strings, decision_.influence_tier), why,
                    "influence_tier=" + decision_.influence_tier);
      case ConditionType::kUppercase: {
        double ratio = UppercaseRatio(event_.text);
        return Note(c.range.Contains(ratio), why, "uppercase=" + FormatNumber(ratio));
      }
    }
    return false;
  }

  // Runs the rules of a block that are worth evaluating, in order; calls fire(position,
  // reasons) for each that holds until fire returns false. `items` are the block's rules
  // (anything with a `.rule`), indexed by `index`.
  template <typename Items, typename Fire>
  void ForEachFiring(const Items& items, const RuleIndex& index, Fire fire) {
    std::vector<int> positions;  // local: fire() may evaluate other blocks
    index.Candidates(text_lists_, &positions);
    for (int position : positions) {
      std::vector<std::string> why;
      if (!Eval(items[static_cast<size_t>(position)].rule.when, &why)) continue;
      if (!fire(position, Join(why, "; "))) return;
    }
  }

  // Distinct keywords of these lists found in the text.
  int CountKeywords(const std::vector<int>& lists) const {
    int count = 0;
    for (int p : text_patterns_) {
      const auto& owners = rs_.pattern_lists[static_cast<size_t>(p)];
      for (int list : lists) {
        if (std::binary_search(owners.begin(), owners.end(), list)) {
          ++count;
          break;
        }
      }
    }
    return count;
  }

  void ReportError(const Status& s) {
    if (!s.ok()) decision_.trace.push_back({"error", "", s.message()});
  }

 private:
  static bool Contains(const std::vector<int>& v, int x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  }
  static bool Contains(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  }
  static bool Note(bool holds, std::vector<std::string>* why, std::string reason) {
    if (holds) why->push_back(std::move(reason));
    return holds;
  }

  std::string Describe(const Condition& c) const {
    switch (c.type) {
      case ConditionType::kList:
      case ConditionType::kBio: {
        std::vector<std::string> names;
        for (int id : c.ints) names.push_back(rs_.lists[static_cast<size_t>(id)].name);
        return (c.type == ConditionType::kBio ? "bio list " : "list ") + Join(names);
      }
      case ConditionType::kRegex:
        return "regex /" + c.regex_source + "/";
      case ConditionType::kClassified:
        return c.name + " in [" + Join(c.strings) + "]";
      default:
        return "condition";
    }
  }

  void MatchLists(std::string_view normalized, std::vector<int>* patterns,
                  std::vector<int>* lists) {
    ReportError(rs_.keywords.Match(normalized, patterns));
    lists->clear();
    for (int p : *patterns) {
      const auto& owners = rs_.pattern_lists[static_cast<size_t>(p)];
      lists->insert(lists->end(), owners.begin(), owners.end());
    }
    std::sort(lists->begin(), lists->end());
    lists->erase(std::unique(lists->begin(), lists->end()), lists->end());
  }

  void EnsureBio() {
    if (bio_ready_) return;
    bio_ready_ = true;
    MatchLists(NormalizeText(event_.author.bio), &bio_patterns_, &bio_lists_);
  }

  const std::vector<std::string_view>& Tokens() {
    if (!tokens_ready_) {
      tokens_ = Tokenize(normalized_);
      tokens_ready_ = true;
    }
    return tokens_;
  }

  bool ListsMatched(const std::vector<int>& wanted, const std::vector<int>& matched_lists,
                    const std::vector<int>& matched_patterns, const char* what,
                    std::vector<std::string>* why) {
    for (int list : wanted) {
      if (!std::binary_search(matched_lists.begin(), matched_lists.end(), list)) continue;
      std::vector<std::string> words;
      for (int p : matched_patterns) {
        const auto& owners = rs_.pattern_lists[static_cast<size_t>(p)];
        if (std::binary_search(owners.begin(), owners.end(), list)) {
          words.push_back("\"" + rs_.keywords.Display(p) + "\"");
        }
      }
      why->push_back(std::string(what) + " " + rs_.lists[static_cast<size_t>(list)].name + ": " +
                     Join(words));
      return true;
    }
    return false;
  }

  bool OnlyWords(const Condition& c, std::vector<std::string>* why) {
    const auto& tokens = Tokens();
    if (tokens.empty()) return false;
    for (std::string_view token : tokens) {
      bool known = false;
      for (int id : c.ints) {
        const KeywordList& list = rs_.lists[static_cast<size_t>(id)];
        if (std::binary_search(list.words.begin(), list.words.end(), token)) known = true;
        for (const auto& stem : list.stems) {
          if (token.substr(0, stem.size()) == stem) known = true;
        }
        if (known) break;
      }
      if (!known) return false;
    }
    std::vector<std::string> names;
    for (int id : c.ints) names.push_back(rs_.lists[static_cast<size_t>(id)].name);
    why->push_back("only words from " + Join(names));
    return true;
  }

  bool Brand(const Condition& c, std::vector<std::string>* why) {
    if (!rs_.brands) return false;
    if (!brands_ready_) {
      brand_hits_ = rs_.brands->Find(Tokens());
      brands_ready_ = true;
    }
    for (const BrandHit& hit : brand_hits_) {
      if (!c.ints.empty() && !Contains(c.ints, static_cast<int>(hit.brand))) continue;
      why->push_back("brand " + rs_.brands->brands()[hit.brand].name + ": \"" + hit.found +
                     "\" (distance " + std::to_string(hit.distance) + ")");
      return true;
    }
    return false;
  }

  std::optional<double> AuthorNumber(AuthorField field) const {
    const Author& a = event_.author;
    auto known = [](int64_t v) -> std::optional<double> {
      return v < 0 ? std::nullopt : std::optional<double>(static_cast<double>(v));
    };
    switch (field) {
      case AuthorField::kFollowers:
        return known(a.followers);
      case AuthorField::kFollowing:
        return known(a.following);
      case AuthorField::kListed:
        return known(a.listed);
      case AuthorField::kPosts:
        return known(a.posts);
      case AuthorField::kAccountAgeDays:
        if (a.account_created_ms <= 0) return std::nullopt;
        return static_cast<double>((now_ms_ - a.account_created_ms) / kMsPerDay);
      case AuthorField::kFollowRatio:
        if (a.following < 0 || a.followers < 0) return std::nullopt;
        return static_cast<double>(a.following) /
               static_cast<double>(std::max<int64_t>(a.followers, 1));
    }
    return std::nullopt;
  }

  bool InWindow(const TimeWindow& w) const {
    int64_t local_minutes = now_ms_ / kMsPerMinute + rs_.utc_offset_minutes;
    int64_t days = local_minutes >= 0 ? local_minutes / 1440 : (local_minutes - 1439) / 1440;
    int minute = static_cast<int>(local_minutes - days * 1440);
    int weekday = static_cast<int>(((days + 3) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
    if (w.from_minute <= w.to_minute) {
      return (w.days >> weekday & 1) && minute >= w.from_minute && minute < w.to_minute;
    }
    // Spans midnight: the part after midnight belongs to the previous day's window.
    if (minute >= w.from_minute) return w.days >> weekday & 1;
    if (minute < w.to_minute) return w.days >> ((weekday + 6) % 7) & 1;
    return false;
  }

  const RuleSet& rs_;
  const Event& event_;
  const Context& context_;
  Decision& decision_;
  int64_t now_ms_ = 0;
  std::string normalized_;
  std::string text_key_;  // empty until TextKeyOfEvent computes it
  std::vector<int> text_patterns_;
  std::vector<int> text_lists_;
  bool bio_ready_ = false;
  std::vector<int> bio_patterns_;
  std::vector<int> bio_lists_;
  bool tokens_ready_ = false;
  std::vector<std::string_view> tokens_;
  bool brands_ready_ = false;
  std::vector<BrandHit> brand_hits_;
};

// Returns false when the event is dropped (the chain stops).
bool RunFilters(Evaluation& e) {
  const RuleSet& rs = e.rule_set();
  bool keep_going = true;
  e.ForEachFiring(rs.filters, rs.filter_index, [&](int position, std::string why) {
    const FilterRule& f = rs.filters[static_cast<size_t>(position)];
    Decision& d = e.decision();
    d.filter = f.action;
    d.filter_reason = f.reason;
    d.filter_rule = f.rule.id;
    d.trace.push_back({"filter", f.rule.id,
                       std::string(FilterActionName(f.action)) + " (" + f.reason + "): " + why});
    keep_going = f.action != FilterAction::kDrop;
    return false;
  });
  return keep_going;
}

std::string Classify(Evaluation& e, const Classifier& c) {
  const std::string stage = "classify." + c.name;
  Decision& d = e.decision();
  if (c.mode == Mode::kFirst) {
    std::string value;
    e.ForEachFiring(c.rules, c.index, [&](int position, std::string why) {
      const ClassifierRule& r = c.rules[static_cast<size_t>(position)];
      value = r.value;
      d.trace.push_back({stage, r.rule.id, r.value + ": " + why});
      return false;
    });
    if (!value.empty()) return value;
  } else {
    std::vector<std::pair<std::string, double>> totals;  // in order of first firing
    e.ForEachFiring(c.rules, c.index, [&](int position, std::string why) {
      const ClassifierRule& r = c.rules[static_cast<size_t>(position)];
      double weight = r.weight;
      if (r.per_keyword) {
        weight *= std::clamp(e.CountKeywords(r.rule.trigger_lists), 1, kMaxKeywordFactor);
      }
      auto it = std::find_if(totals.begin(), totals.end(),
                             [&](const auto& t) { return t.first == r.value; });
      if (it == totals.end()) {
        totals.emplace_back(r.value, weight);
      } else {
        it->second += weight;
      }
      d.trace.push_back({stage, r.rule.id, r.value + " +" + FormatNumber(weight) + ": " + why});
      return true;
    });
    if (!totals.empty()) {
      auto best = totals.begin();
      for (auto it = totals.begin(); it != totals.end(); ++it) {
        if (it->second > best->second) best = it;
      }
      d.trace.push_back({stage, "total", best->first + " = " + FormatNumber(best->second)});
      return best->first;
    }
  }
  d.trace.push_back({stage, "default", c.default_value});
  return c.default_value;
}

void ScoreInfluence(Evaluation& e) {
  const Influence& inf = e.rule_set().influence;
  if (!inf.defined) return;
  Decision& d = e.decision();
  const Author& a = e.event().author;
  double sum = 0;
  for (const InfluenceTermDef& t : inf.terms) {
    double value = 0;
    std::string why;
    switch (t.kind) {
      case InfluenceTermDef::Kind::kField: {
        double x = 0;
        switch (t.field) {
          case AuthorField::kFollowers:
            x = static_cast<double>(std::max<int64_t>(a.followers, 0));
            break;
          case AuthorField::kFollowing:
            x = static_cast<double>(std::max<int64_t>(a.following, 0));
            break;
          case AuthorField::kListed:
            x = static_cast<double>(std::max<int64_t>(a.listed, 0));
            break;
          case AuthorField::kPosts:
            x = static_cast<double>(std::max<int64_t>(a.posts, 0));
            break;
          default:
            break;  // the loader accepts only the four counts above
        }
        value = (t.log10 ? std::log10(1 + x) : x) / t.divide;
        why = std::string(AuthorFieldName(t.field)) + "=" + FormatNumber(x);
        break;
      }
      case InfluenceTermDef::Kind::kVerifiedMap: {
        auto it = t.verified_map.find(a.verified_type);
        value = it == t.verified_map.end() ? 0 : it->second;
        why = "verified=" + (a.verified_type.empty() ? "none" : a.verified_type);
        break;
      }
      case InfluenceTermDef::Kind::kCondition: {
        std::vector<std::string> reasons;
        value = e.Eval(t.when, &reasons) ? 1 : 0;
        why = reasons.empty() ? "no" : Join(reasons, "; ");
        break;
      }
    }
    value = std::clamp(value, 0.0, 1.0);
    double contribution = value * t.weight;
    sum += contribution;
    d.influence_terms.push_back({t.name, value, t.weight, contribution});
    d.trace.push_back({"influence", t.name,
                       FormatNumber(value) + " x " + FormatNumber(t.weight) + " (" + why + ")"});
  }
  for (const InfluencePenalty& p : inf.penalties) {
    std::vector<std::string> reasons;
    if (!e.Eval(p.when, &reasons)) continue;
    sum -= p.value;
    d.influence_terms.push_back({p.name, p.value, -1, -p.value});
    d.trace.push_back({"influence", p.name,
                       "penalty -" + FormatNumber(p.value) + " (" + Join(reasons, "; ") + ")"});
  }
  d.influence = std::round(100 * std::clamp(sum, 0.0, 1.0) * 10) / 10;
  for (const Tier& tier : inf.tiers) {
    if (d.influence >= tier.min) {
      d.influence_tier = tier.name;
      break;
    }
  }
  std::string detail = "score " + FormatNumber(d.influence) + " → " + d.influence_tier;
  auto override_tier = inf.segment_tiers.find(e.context().segment);
  if (!e.context().segment.empty() && override_tier != inf.segment_tiers.end()) {
    d.influence_tier = override_tier->second;
    detail += "; segment " + e.context().segment + " overrides → " + d.influence_tier;
  }
  d.trace.push_back({"influence", "tier", detail});
}

int LevelRank(const Priority& p, const std::string& level) {
  auto it = std::find(p.levels.begin(), p.levels.end(), level);
  return it == p.levels.end() ? static_cast<int>(p.levels.size())
                              : static_cast<int>(it - p.levels.begin());
}

// Moves the priority up to `level` if that is higher; never down.
void RaiseTo(const Priority& p, Decision& d, const std::string& level, const std::string& rule,
             const std::string& stage, const std::string& why) {
  if (LevelRank(p, level) < LevelRank(p, d.priority)) {
    d.trace.push_back({stage, rule, d.priority + " → " + level + ": " + why});
    d.priority = level;
  } else {
    d.trace.push_back({stage, rule, "already " + d.priority + " (>= " + level + "): " + why});
  }
}

void Prioritize(Evaluation& e) {
  const Priority& p = e.rule_set().priority;
  if (!p.defined) return;
  Decision& d = e.decision();
  std::string importance = Classify(e, p.importance);
  d.labels["importance"] = importance;
  std::string urgency = Classify(e, p.urgency);
  d.labels["urgency"] = urgency;
  auto cell = p.matrix.find({importance, urgency});
  d.priority = cell == p.matrix.end() ? p.default_level : cell->second;
  d.trace.push_back({"priority", "matrix",
                     "importance " + importance + " x urgency " + urgency + " → " + d.priority});
  e.ForEachFiring(p.raises, p.raise_index, [&](int position, std::string why) {
    const RaiseRule& r = p.raises[static_cast<size_t>(position)];
    RaiseTo(p, d, r.level, r.rule.id, "priority", why);
    return true;
  });
}

void Route(Evaluation& e) {
  const Routing& routing = e.rule_set().routing;
  Decision& d = e.decision();
  const RouteAction* action = &routing.fallback;
  std::string rule_id = "default";
  std::string reasons;
  e.ForEachFiring(routing.rules, routing.index, [&](int position, std::string why) {
    action = &routing.rules[static_cast<size_t>(position)].action;
    rule_id = routing.rules[static_cast<size_t>(position)].rule.id;
    reasons = std::move(why);
    return false;
  });
  d.queue = action->queue;
  d.skills = action->skills;
  d.move_to_private = action->move_to_private;
  d.handoff = action->handoff;
  d.replies = action->replies;
  d.trace.push_back(
      {"route", rule_id, "queue " + d.queue + (reasons.empty() ? "" : ": ") + reasons});
  if (!action->at_least.empty()) {
    RaiseTo(e.rule_set().priority, d, action->at_least, rule_id, "route", "at_least");
  }
  if (routing.private_when && !d.move_to_private) {
    std::vector<std::string> why;
    if (e.Eval(*routing.private_when, &why)) {
      d.move_to_private = true;
      d.trace.push_back({"route", "move_to_private_when", Join(why, "; ")});
    }
  }
}

}  // namespace

void RuleIndex::Build(const std::vector<const Rule*>& rules, size_t list_count) {
  untriggered.clear();
  by_list.assign(list_count, {});
  for (size_t i = 0; i < rules.size(); ++i) {
    if (rules[i]->trigger_lists.empty()) {
      untriggered.push_back(static_cast<int>(i));
    } else {
      for (int list : rules[i]->trigger_lists) {
        by_list[static_cast<size_t>(list)].push_back(static_cast<int>(i));
      }
    }
  }
}

void RuleIndex::Candidates(const std::vector<int>& matched_lists, std::vector<int>* out) const {
  out->assign(untriggered.begin(), untriggered.end());
  for (int list : matched_lists) {
    const auto& rules = by_list[static_cast<size_t>(list)];
    out->insert(out->end(), rules.begin(), rules.end());
  }
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
}

const char* AuthorFieldName(AuthorField field) {
  switch (field) {
    case AuthorField::kFollowers:
      return "followers";
    case AuthorField::kFollowing:
      return "following";
    case AuthorField::kListed:
      return "listed";
    case AuthorField::kPosts:
      return "posts";
    case AuthorField::kAccountAgeDays:
      return "account_age_days";
    case AuthorField::kFollowRatio:
      return "follow_ratio";
  }
  return "?";
}

Decision Decide(const RuleSet& rule_set, const Event& event, const Context& context) {
  Decision decision;
  decision.ruleset_version = rule_set.version;
  Evaluation e(rule_set, event, context, &decision);
  if (!RunFilters(e)) return decision;
  for (const Classifier& c : rule_set.classifiers) decision.labels[c.name] = Classify(e, c);
  ScoreInfluence(e);
  Prioritize(e);
  Route(e);
  return decision;
}

}  // namespace atalaya::rules
