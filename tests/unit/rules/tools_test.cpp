// check / explain / test as a designer runs them: exit codes and what they print.
#include "rules/tools.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace atalaya::rules {
namespace {

namespace fs = std::filesystem;

class ToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("atalaya_tools_test_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "rules");
    fs::create_directories(dir_ / "tests");
    Write("rules/rules.yaml", R"(
lists:
  quejas: [pesimo]
classify:
  kind:
    values: [consulta, queja]
    default: consulta
    rules: [{id: queja, when: {list: quejas}, value: queja}]
routing:
  default: {queue: general}
  rules: [{id: reclamos, when: {classified: {kind: queja}}, queue: reclamos}]
)");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name) << content;
  }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(ToolsTest, CheckACleanRuleSet) {
  EXPECT_EQ(RunCheckRules(Path("rules"), out_, err_), 0);
  EXPECT_EQ(err_.str(), "");
  EXPECT_NE(out_.str().find("is valid: version "), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find(", 2 rules, 1 keywords, 0 warning(s)"), std::string::npos);
}

TEST_F(ToolsTest, CheckReportsEveryErrorAndExitsOne) {
  Write("rules/zz_bad.yaml", "filters:\n  - {id: x, when: {list: quejaz}, reason: r}\n");
  EXPECT_EQ(RunCheckRules(Path("rules"), out_, err_), 1);
  EXPECT_EQ(err_.str(),
            "zz_bad.yaml:2:26: undefined list \"quejaz\" (did you mean \"quejas\"?)\n"
            "    - {id: x, when: {list: quejaz}, reason: r}\n"
            "                           ^\n"
            "1 error(s), 0 warning(s)\n");
  EXPECT_EQ(out_.str(), "");
}

TEST_F(ToolsTest, RuleTestsPassAndFailWithADiff) {
  Write("tests/casos.yaml", R"(tests:
  - name: una queja
    message: {channel: whatsapp, text: "PESIMO"}
    expect: {kind: queja, queue: reclamos, filter: none}
  - name: mal esperado
    message: {text: "hola"}
    expect: {kind: queja, queue: general}
)");
  EXPECT_EQ(RunRuleTests(Path("tests"), Path("rules"), out_, err_), 1);
  std::string text = out_.str();
  EXPECT_NE(text.find("PASS  casos.yaml:2: una queja\n"), std::string::npos) << text;
  EXPECT_NE(text.find("FAIL  casos.yaml:5: mal esperado\n"
                      "      kind: expected \"queja\", got \"consulta\"\n"
                      "        classify.kind default: consulta\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("1 passed, 1 failed (rule set "), std::string::npos);
}

TEST_F(ToolsTest, BrokenTestFilesAreReportedNotCrashed) {
  Write("tests/a.yaml",
        "tests:\n  - name: x\n    message: {txt: hola}\n    expect: {kind: queja}\n");
  Write("tests/b.yaml", "tests: [\n");
  Write("tests/c.yaml",
        "tests:\n  - name: y\n    message: {text: hola}\n    expect: {knd: queja}\n");
  EXPECT_EQ(RunRuleTests(Path("tests"), Path("rules"), out_, err_), 2);
  std::string text = out_.str();
  EXPECT_NE(text.find("ERROR a.yaml:2: x\n      a.yaml:3:15: unknown key \"txt\" in message "
                      "(did you mean \"text\"?)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("ERROR b.yaml:2:1: YAML syntax error: end of sequence flow not found"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("      knd: not a decision field"), std::string::npos) << text;
  EXPECT_NE(text.find("0 passed, 1 failed, 2 unreadable"), std::string::npos) << text;
}

TEST_F(ToolsTest, RuleTestsRefuseABrokenRuleSet) {
  Write("rules/zz.yaml", "lists: [\n");
  EXPECT_EQ(RunRuleTests(Path("tests"), Path("rules"), out_, err_), 1);
  EXPECT_NE(err_.str().find("YAML syntax error"), std::string::npos);
}

TEST_F(ToolsTest, ExplainFromFlagsPrintsTheDecisionAndTrace) {
  EXPECT_EQ(RunExplain({"--rules", Path("rules"), "--channel", "twitter", "--kind", "mention",
                        "--followers", "120000", "--text", "pésimo servicio"},
                       out_, err_),
            0)
      << err_.str();
  std::string text = out_.str();
  EXPECT_NE(text.find("kind            queja\n"), std::string::npos) << text;
  EXPECT_NE(text.find("queue           reclamos\n"), std::string::npos) << text;
  EXPECT_NE(text.find("list quejas: \"pesimo\""), std::string::npos) << text;
}

TEST_F(ToolsTest, ExplainAJsonEventFileAsJson) {
  Write("event.json", R"({"channel": "instagram", "kind": "comment", "text": "hola",
                         "author": {"followers": 10}})");
  EXPECT_EQ(
      RunExplain({"--rules", Path("rules"), "--file", Path("event.json"), "--json"}, out_, err_), 0)
      << err_.str();
  Result<Decision> d = DecisionFromJson(out_.str());
  ASSERT_TRUE(d.ok()) << d.status().message() << out_.str();
  EXPECT_EQ(d->Label("kind"), "consulta");
  EXPECT_EQ(d->queue, "general");
}

TEST_F(ToolsTest, ExplainBadUsage) {
  EXPECT_EQ(RunExplain({"--text", "hola"}, out_, err_), 2);
  EXPECT_EQ(err_.str(), "explain: --rules DIR is required\n");
  err_.str("");
  EXPECT_EQ(RunExplain({"--rules", Path("rules"), "--colour"}, out_, err_), 2);
  EXPECT_EQ(err_.str(), "explain: unknown argument \"--colour\"\n");
  err_.str("");
  EXPECT_EQ(RunExplain({"--rules", Path("rules"), "--channel", "myspace"}, out_, err_), 2);
  EXPECT_EQ(err_.str(), "explain: unknown channel \"myspace\"\n");
  err_.str("");
  EXPECT_EQ(RunExplain({"--rules", Path("rules"), "--text"}, out_, err_), 2);
  EXPECT_EQ(err_.str(), "explain: --text needs a value\n");
}

TEST(FormatDecisionTest, ShowsFieldsAndTrace) {
  Decision d;
  d.ruleset_version = "abc";
  d.filter = FilterAction::kCount;
  d.filter_reason = "promocion";
  d.filter_rule = "promo";
  d.labels = {{"kind", "queja"}};
  d.queue = "q";
  d.trace = {{"filter", "promo", "count"}};
  EXPECT_EQ(FormatDecision(d),
            "rule set        abc\n"
            "filter          count (promocion, rule promo)\n"
            "kind            queja\n"
            "queue           q\n"
            "trace:\n"
            "  filter                   promo                      count\n");
}

}  // namespace
}  // namespace atalaya::rules
