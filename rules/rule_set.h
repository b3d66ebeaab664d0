#pragma once
// RuleSet: a directory of YAML rule files compiled into one immutable object — the keyword
// set, the brand matcher, the compiled conditions of every rule, the influence formula, the
// priority matrix and the routing table. The loader (loader.h) is the only producer; the
// pipeline (pipeline.h) the only consumer. A RuleSet is shared as
// std::shared_ptr<const RuleSet>: reload builds a new one aside and swaps the pointer, so any
// number of threads may decide with it concurrently while it lives.
//
// The structs below are the compiled model, not the file syntax (rules/README.md documents
// that). Indices (list ids, brand ids) refer into the vectors of the same RuleSet.

#include <re2/re2.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/decision.h"
#include "common/event.h"
#include "rules/brand_matcher.h"
#include "rules/keyword_matcher.h"

namespace atalaya::rules {

struct Range {
  std::optional<double> min;  // inclusive
  std::optional<double> max;  // inclusive
  bool Contains(double v) const { return (!min || v >= *min) && (!max || v <= *max); }
  bool Empty() const { return min && max && *min > *max; }
};

// Local-time window: days of the week (bit 0 = Monday) and minutes since midnight; `to`
// before `from` spans midnight.
struct TimeWindow {
  uint8_t days = 0x7F;
  int from_minute = 0;
  int to_minute = 24 * 60;
};

enum class AuthorField { kFollowers, kFollowing, kListed, kPosts, kAccountAgeDays, kFollowRatio };
const char* AuthorFieldName(AuthorField field);

enum class ConditionType {
  kAlways,  // no `when`: always true
  kAll,
  kAny,
  kNot,
  kChannel,        // ints: Channel values
  kVisibility,     // flag: true = public
  kEvent,          // ints: EventKind values
  kTextLength,     // range over code points of the text
  kWords,          // range over the number of tokens
  kList,           // ints: list ids matched in the text (any)
  kOnlyWords,      // ints: list ids; every token of the text is in them
  kRegex,          // regex over the original text
  kBrand,          // ints: brand ids, empty = any brand
  kHasAttachment,  // flag
  kAttachment,     // strings: attachment kinds (any)
  kRating,         // range over the star rating (reviews)
  kAuthorNumber,   // field + range
  kVerified,       // flag (any verification) or strings: verified types
  kBio,            // ints: list ids matched in the author's bio
  kSegment,        // strings
  kPromotionPost,  // flag
  kDuplicate,      // window_ms
  kTime,           // time window (business hours are a named window)
  kClassified,     // name = dimension, strings = values
  kInfluence,      // range over the score
  kInfluenceTier,  // strings: tiers
  kUppercase,      // range over the share of upper-case letters
};

struct Condition {
  ConditionType type = ConditionType::kAlways;
  std::vector<Condition> children;
  std::vector<int> ints;
  std::vector<std::string> strings;
  std::string name;
  AuthorField field = AuthorField::kFollowers;
  Range range;
  bool flag = false;
  int64_t window_ms = 0;
  TimeWindow time;
  std::shared_ptr<const RE2> regex;
  std::string regex_source;
};

// Where a rule was written, for warnings at run time and for the trace.
struct Rule {
  std::string id;
  Condition when;
  // Lists of which at least one must match the text for `when` to be true; empty when the
  // rule has no such necessary list (it is then evaluated for every event). This is what
  // keeps 10,000 keyword rules cheap: only rules whose words appear are evaluated.
  std::vector<int> trigger_lists;
};

// Rules of one block indexed by trigger list, in rule order.
struct RuleIndex {
  std::vector<int> untriggered;           // rule positions always evaluated
  std::vector<std::vector<int>> by_list;  // list id → rule positions
  void Build(const std::vector<const Rule*>& rules, size_t list_count);
  // Rule positions worth evaluating given the matched list ids (sorted), in rule order.
  void Candidates(const std::vector<int>& matched_lists, std::vector<int>* out) const;
};

struct KeywordList {
  std::string name;
  std::vector<int> patterns;       // pattern ids in the KeywordMatcher
  std::vector<std::string> words;  // normalized single words, sorted (for only_words)
  std::vector<std::string> stems;  // normalized stems ("graci" from "graci*")
};

enum class Mode { kFirst, kSum };

struct ClassifierRule {
  Rule rule;
  std::string value;
  double weight = 1;
  // Sum mode: multiply the weight by the number of distinct keywords of the rule's trigger
  // lists found in the text, up to kMaxKeywordFactor ("wifi" and "modem" count twice).
  bool per_keyword = false;
};
inline constexpr int kMaxKeywordFactor = 3;

// One classification dimension: kind, topic, protocol, importance, ...
struct Classifier {
  std::string name;
  std::vector<std::string> values;
  std::string default_value;
  Mode mode = Mode::kFirst;
  std::vector<ClassifierRule> rules;
  RuleIndex index;
};

struct FilterRule {
  Rule rule;
  FilterAction action = FilterAction::kDrop;
  std::string reason;
};

struct InfluenceTermDef {
  std::string name;
  double weight = 0;
  // One of: a numeric author field scaled, a map over verified_type, or a condition (1/0).
  enum class Kind { kField, kVerifiedMap, kCondition } kind = Kind::kField;
  AuthorField field = AuthorField::kFollowers;
  bool log10 = true;
  double divide = 1;
  std::map<std::string, double> verified_map;
  Condition when;
};

struct InfluencePenalty {
  std::string name;
  double value = 0;
  Condition when;
};

struct Tier {
  std::string name;
  double min = 0;
};

struct Influence {
  bool defined = false;
  std::vector<InfluenceTermDef> terms;
  std::vector<InfluencePenalty> penalties;
  std::vector<Tier> tiers;                           // highest min first
  std::map<std::string, std::string> segment_tiers;  // CRM segment → tier it overrides to
};

struct RaiseRule {
  Rule rule;
  std::string level;
};

struct Priority {
  bool defined = false;
  std::vector<std::string> levels;  // highest first
  std::string default_level;
  Classifier importance;
  Classifier urgency;
  std::map<std::pair<std::string, std::string>, std::string> matrix;  // (imp, urg) → level
  std::vector<RaiseRule> raises;
  RuleIndex raise_index;
};

struct RouteAction {
  std::string queue;
  std::vector<std::string> skills;
  std::string at_least;  // raises priority to at least this level; "" = no change
  bool move_to_private = false;
  bool handoff = false;
  std::vector<std::string> replies;
};

struct RouteRule {
  Rule rule;
  RouteAction action;
};

struct Routing {
  RouteAction fallback;
  // When it holds, the answer moves to private whatever rule routed the event.
  std::optional<Condition> private_when;
  std::vector<RouteRule> rules;
  RuleIndex index;
};

struct RuleSet {
  std::string version;  // content hash of the files, first 16 hex digits of SHA-256
  KeywordMatcher keywords;
  std::vector<KeywordList> lists;
  std::vector<std::vector<int>> pattern_lists;  // pattern id → list ids containing it
  std::unique_ptr<BrandMatcher> brands;
  int utc_offset_minutes = 0;
  std::optional<TimeWindow> business_hours;
  // Posts the designer tagged as promotions (settings.promotion_posts): a comment whose
  // thread is one of them is under a promotion, whatever the daemon's context says.
  std::set<std::string> promotion_posts;
  std::vector<FilterRule> filters;
  RuleIndex filter_index;
  std::vector<Classifier> classifiers;  // in file order: kind before topic, as written
  Influence influence;
  Priority priority;
  Routing routing;
  size_t rule_count = 0;
};

}  // namespace atalaya::rules
