#include "rules/tools.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iomanip>
#include <map>
#include <sstream>

#include "rules/loader.h"
#include "rules/message_input.h"
#include "rules/pipeline.h"

namespace atalaya::rules {
namespace {

namespace fs = std::filesystem;

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// Loads and prints diagnostics; null on errors.
std::shared_ptr<const RuleSet> LoadOrReport(const std::string& dir, std::ostream& err,
                                            bool show_warnings) {
  LoadReport report;
  auto rs = LoadRuleSet(dir, LoadOptions(), &report);
  for (const auto& d : report.errors) err << d.ToString() << "\n";
  if (show_warnings) {
    for (const auto& d : report.warnings) err << d.ToString() << "\n";
  }
  if (!rs.ok()) {
    err << report.errors.size() << " error(s) in the rule set " << dir << "\n";
    return nullptr;
  }
  return *rs;
}

// The value of a decision field a test can expect, by name.
std::string Field(const Decision& d, const std::string& name) {
  if (name == "filter") return FilterActionName(d.filter);
  if (name == "reason") return d.filter_reason;
  if (name == "queue") return d.queue;
  if (name == "priority") return d.priority;
  if (name == "tier") return d.influence_tier;
  if (name == "skills") return Join(d.skills);
  if (name == "handoff") return d.handoff ? "true" : "false";
  if (name == "move_to_private") return d.move_to_private ? "true" : "false";
  if (name == "replies") return Join(d.replies);
  return d.Label(name);
}

const std::vector<std::string> kExpectFields = {"filter", "reason", "queue",   "priority",
                                                "tier",   "skills", "handoff", "move_to_private",
                                                "replies"};

struct TestOutcome {
  int passed = 0;
  int failed = 0;
  int broken = 0;  // unreadable test cases
};

void RunTestFile(const fs::path& path, const RuleSet& rs, std::ostream& out, TestOutcome* o) {
  std::string file = path.filename().string();
  YAML::Node root;
  try {
    root = YAML::LoadFile(path.string());
  } catch (const YAML::Exception& e) {
    out << "ERROR " << file << ":" << e.mark.line + 1 << ":" << e.mark.column + 1
        << ": YAML syntax error: " << e.msg << "\n";
    ++o->broken;
    return;
  }
  if (!root.IsMap() || !root["tests"] || !root["tests"].IsSequence()) {
    out << "ERROR " << file << ": a test file needs a \"tests\" list\n";
    ++o->broken;
    return;
  }
  std::vector<std::string> label_fields;
  for (const auto& c : rs.classifiers) label_fields.push_back(c.name);
  if (rs.priority.defined) label_fields.insert(label_fields.end(), {"importance", "urgency"});
  for (const auto& test : root["tests"]) {
    std::string where = file + ":" + std::to_string(test.Mark().line + 1);
    std::string name = test.IsMap() && test["name"] && test["name"].IsScalar()
                           ? test["name"].Scalar()
                           : "(unnamed)";
    std::vector<std::string> errors;
    MessageInput input;
    if (!test.IsMap() || !test["message"] || !test["expect"] || !test["expect"].IsMap()) {
      errors.push_back("a test needs \"name\", \"message\" and \"expect\" (a mapping)");
    } else {
      for (auto it = test.begin(); it != test.end(); ++it) {
        std::string key = it->first.Scalar();
        if (key != "name" && key != "message" && key != "expect") {
          errors.push_back(std::to_string(it->first.Mark().line + 1) + ":" +
                           std::to_string(it->first.Mark().column + 1) + ": unknown key \"" + key +
                           "\" in test (valid: name, message, expect)");
        }
      }
      ReadMessage(test["message"], &input, &errors);
    }
    if (!errors.empty()) {
      out << "ERROR " << where << ": " << name << "\n";
      for (const auto& e : errors) out << "      " << file << ":" << e << "\n";
      ++o->broken;
      continue;
    }
    Decision d = Decide(rs, input.event, input.context);
    std::vector<std::string> diff;
    const YAML::Node& expect = test["expect"];
    for (auto it = expect.begin(); it != expect.end(); ++it) {
      std::string key = it->first.Scalar();
      bool known =
          std::find(kExpectFields.begin(), kExpectFields.end(), key) != kExpectFields.end() ||
          std::find(label_fields.begin(), label_fields.end(), key) != label_fields.end();
      if (!known) {
        diff.push_back(key + ": not a decision field (fields: " + Join(kExpectFields) + ", " +
                       Join(label_fields) + ")");
        continue;
      }
      std::string want;
      if (it->second.IsSequence()) {
        std::vector<std::string> items;
        const YAML::Node values = it->second;  // a named copy: the iterator's node is temporary
        for (const auto& item : values) items.push_back(item.Scalar());
        want = Join(items);
      } else {
        want = it->second.Scalar();
      }
      std::string got = Field(d, key);
      if (got != want) diff.push_back(key + ": expected \"" + want + "\", got \"" + got + "\"");
    }
    if (diff.empty()) {
      out << "PASS  " << where << ": " << name << "\n";
      ++o->passed;
      continue;
    }
    out << "FAIL  " << where << ": " << name << "\n";
    for (const auto& line : diff) out << "      " << line << "\n";
    for (const auto& step : d.trace) {
      out << "        " << step.stage << " " << step.rule << ": " << step.detail << "\n";
    }
    ++o->failed;
  }
}

bool NeedsValue(const std::string& flag) {
  static const std::vector<std::string> kValueFlags = {"--rules",      "--file",
                                                       "--channel",    "--kind",
                                                       "--text",       "--rating",
                                                       "--attachment", "--followers",
                                                       "--following",  "--listed",
                                                       "--posts",      "--verified",
                                                       "--bio",        "--account-age-days",
                                                       "--segment",    "--at",
                                                       "--author-id"};
  return std::find(kValueFlags.begin(), kValueFlags.end(), flag) != kValueFlags.end();
}

}  // namespace

std::string FormatDecision(const Decision& d) {
  std::ostringstream out;
  auto row = [&](const std::string& name, const std::string& value) {
    out << std::left << std::setw(16) << name << value << "\n";
  };
  row("rule set", d.ruleset_version);
  row("filter", std::string(FilterActionName(d.filter)) +
                    (d.filter == FilterAction::kNone
                         ? ""
                         : " (" + d.filter_reason + ", rule " + d.filter_rule + ")"));
  for (const auto& [dimension, value] : d.labels) row(dimension, value);
  if (!d.influence_tier.empty() || !d.influence_terms.empty()) {
    std::ostringstream score;
    score << d.influence << " (" << d.influence_tier << ")";
    row("influence", score.str());
  }
  if (!d.priority.empty()) row("priority", d.priority);
  if (!d.queue.empty()) {
    row("queue", d.queue + (d.skills.empty() ? "" : "  skills: " + Join(d.skills)));
  }
  if (d.handoff) row("handoff", "yes");
  if (d.move_to_private) row("move_to_private", "yes");
  if (!d.replies.empty()) row("replies", Join(d.replies));
  out << "trace:\n";
  for (const auto& step : d.trace) {
    out << "  " << std::left << std::setw(24) << step.stage << " " << std::setw(26) << step.rule
        << " " << step.detail << "\n";
  }
  return out.str();
}

int RunCheckRules(const std::string& rules_dir, std::ostream& out, std::ostream& err) {
  LoadReport report;
  auto rs = LoadRuleSet(rules_dir, LoadOptions(), &report);
  for (const auto& d : report.errors) err << d.ToString() << "\n";
  for (const auto& d : report.warnings) err << d.ToString() << "\n";
  if (!rs.ok()) {
    err << report.errors.size() << " error(s), " << report.warnings.size() << " warning(s)\n";
    return 1;
  }
  const RuleSet& set = **rs;
  out << "rule set " << rules_dir << " is valid: version " << set.version << ", " << set.rule_count
      << " rules, " << set.keywords.size() << " keywords, " << report.warnings.size()
      << " warning(s)\n";
  return 0;
}

int RunExplain(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::map<std::string, std::string> flags;
  bool json = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--json") {
      json = true;
    } else if (a == "--public" || a == "--private" || a == "--promotion-post") {
      flags[a] = "true";
    } else if (NeedsValue(a)) {
      if (i + 1 >= args.size()) {
        err << "explain: " << a << " needs a value\n";
        return 2;
      }
      flags[a] = args[++i];
    } else {
      err << "explain: unknown argument \"" << a << "\"\n";
      return 2;
    }
  }
  if (!flags.count("--rules")) {
    err << "explain: --rules DIR is required\n";
    return 2;
  }
  // Flags become a YAML message so explain and test read messages the same way.
  YAML::Node message(YAML::NodeType::Map);
  if (flags.count("--file")) {
    try {
      message = YAML::LoadFile(flags["--file"]);
    } catch (const YAML::Exception& e) {
      err << flags["--file"] << ":" << e.mark.line + 1 << ":" << e.mark.column + 1 << ": " << e.msg
          << "\n";
      return 2;
    }
    if (!message.IsMap()) {
      err << flags["--file"] << ": expected a mapping\n";
      return 2;
    }
  }
  static const std::map<std::string, std::string> kTop = {{"--channel", "channel"},
                                                          {"--kind", "kind"},
                                                          {"--text", "text"},
                                                          {"--rating", "rating"},
                                                          {"--segment", "segment"},
                                                          {"--at", "at"},
                                                          {"--promotion-post", "promotion_post"}};
  static const std::map<std::string, std::string> kAuthor = {
      {"--followers", "followers"},
      {"--following", "following"},
      {"--listed", "listed"},
      {"--posts", "posts"},
      {"--verified", "verified"},
      {"--bio", "bio"},
      {"--account-age-days", "account_age_days"},
      {"--author-id", "id"}};
  for (const auto& [flag, value] : flags) {
    if (auto it = kTop.find(flag); it != kTop.end()) message[it->second] = value;
    if (auto it = kAuthor.find(flag); it != kAuthor.end()) message["author"][it->second] = value;
  }
  if (flags.count("--public")) message["visibility"] = "public";
  if (flags.count("--private")) message["visibility"] = "private";
  if (flags.count("--attachment")) message["attachments"].push_back(flags["--attachment"]);
  MessageInput input;
  std::vector<std::string> errors;
  if (!ReadMessage(message, &input, &errors)) {
    for (const auto& e : errors) err << "explain: " << e << "\n";
    return 2;
  }
  if (!flags.count("--at") && !(message["at"])) {
    // Explaining a live message: "now" is the wall clock, not the tests' fixed time.
    input.event.timestamp_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
    input.context.now_ms = input.event.timestamp_ms;
  }
  auto rs = LoadOrReport(flags["--rules"], err, /*show_warnings=*/false);
  if (!rs) return 1;
  Decision d = Decide(*rs, input.event, input.context);
  out << (json ? DecisionToJson(d) + "\n" : FormatDecision(d));
  return 0;
}

int RunRuleTests(const std::string& tests_dir, const std::string& rules_dir, std::ostream& out,
                 std::ostream& err) {
  auto rs = LoadOrReport(rules_dir, err, /*show_warnings=*/false);
  if (!rs) return 1;
  std::error_code ec;
  std::vector<fs::path> paths;
  if (fs::is_regular_file(tests_dir, ec)) {
    paths.push_back(tests_dir);
  } else if (fs::is_directory(tests_dir, ec)) {
    for (const auto& entry : fs::directory_iterator(tests_dir, ec)) {
      std::string ext = entry.path().extension().string();
      if (ext == ".yaml" || ext == ".yml") paths.push_back(entry.path());
    }
  } else {
    err << "test: " << tests_dir << " is not a file or directory\n";
    return 2;
  }
  std::sort(paths.begin(), paths.end());
  TestOutcome outcome;
  for (const auto& p : paths) RunTestFile(p, *rs, out, &outcome);
  out << outcome.passed << " passed, " << outcome.failed << " failed";
  if (outcome.broken > 0) out << ", " << outcome.broken << " unreadable";
  out << " (rule set " << rs->version << ")\n";
  if (outcome.broken > 0) return 2;
  return outcome.failed > 0 ? 1 : 0;
}

}  // namespace atalaya::rules
