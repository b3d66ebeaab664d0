#pragma once
// ConditionCompiler: the part of the rule loader that turns a `when` mapping into a compiled
// Condition, resolving the names it refers to (keyword lists, brands, dimensions and their
// values) and reporting every unknown name with the nearest valid one. It also owns the
// keyword lists while they are collected, and knows the pipeline stage being compiled so it
// can warn about tests that can never be true there. One per load, on one thread; the
// Loader derives from it.

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "rules/rule_set.h"
#include "rules/yaml_reader.h"

namespace atalaya::rules {

// The pipeline position a rule runs at, to warn about tests of labels not yet decided.
struct StageView {
  std::set<std::string> labels;  // dimensions decided before this stage
  bool influence = false;        // influence scored before this stage
  std::string name;              // "filters", "classify.topic", ...
};

class ConditionCompiler : protected YamlReader {
 public:
  ConditionCompiler(const std::vector<SourceFile>& files, LoadReport* report)
      : YamlReader(files, report) {}

 protected:
  int NewList(const std::string& name);
  void AddKeywords(const YAML::Node& seq, int list_id, const std::string& what);
  // "descuento" next to "descuento*" in one list matches twice, so a per_keyword rule counts
  // it twice. Only checked for lists with a few stems (the usual hand-written case).
  void WarnAboutCoveredKeywords(const YAML::Node& seq, int list_id, const std::string& what);
  bool ResolveList(const YAML::Node& at, const std::string& name, int* id);
  bool ListNames(const YAML::Node& node, const std::string& what, std::vector<int>* ids);
  bool InlineKeywords(const YAML::Node& node, const std::string& what, std::vector<int>* ids);
  template <typename Enum, typename ParseFn>
  bool EnumList(const YAML::Node& node, const std::string& what, ParseFn parse,
                const std::vector<std::string>& valid, std::vector<int>* out);
  // Compiles a `when` mapping: several keys are all required (an implicit `all`).
  bool CompileWhen(const YAML::Node& node, Condition* out);
  bool CompileAuthor(const YAML::Node& node, std::vector<Condition>* leaves);
  bool CompileLeaf(const std::string& key, const YAML::Node& v, Condition* c);
  void NeedInfluence(const YAML::Node& at);
  bool CompileClassified(const YAML::Node& v, Condition* c);
  bool CheckValue(const YAML::Node& at, const std::string& dim, const std::string& value);
  bool CompileRegex(const YAML::Node& v, Condition* c);
  static int CostRank(ConditionType type);
  // The lists of which one must match for the condition to hold (see Rule::trigger_lists).
  static std::vector<int> Triggers(const Condition& c);

  std::shared_ptr<RuleSet> rs_;
  std::string rule_id_;               // the rule being compiled, for messages
  const StageView* stage_ = nullptr;  // where it runs
  std::map<std::string, int> list_ids_;
  std::set<std::string> used_lists_;
  std::vector<Brand> brands_;
  std::map<std::string, int> brand_ids_;
  std::map<std::string, std::vector<std::string>> vocabularies_;  // dimension → values
};

}  // namespace atalaya::rules
