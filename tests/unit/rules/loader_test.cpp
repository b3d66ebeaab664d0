// Bad rule files are tested like bad requests: each gives its exact message, with the
// position, the offending line and a caret, and no RuleSet.
#include "rules/loader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace atalaya::rules {
namespace {

constexpr const char* kRouting = "routing:\n  default: {queue: general}\n";

struct Loaded {
  Result<std::shared_ptr<const RuleSet>> result;
  LoadReport report;
};

Loaded Load(std::vector<SourceFile> files, LoadOptions options = {}) {
  LoadReport report;
  auto result = CompileRuleSet(files, options, &report);
  return {std::move(result), std::move(report)};
}

Loaded LoadOne(const std::string& content) {
  return Load({{"rules.yaml", content}, {"zz_routing.yaml", kRouting}});
}

// The errors, one ToString() per line.
std::string Errors(const Loaded& l) {
  std::string out;
  for (const auto& d : l.report.errors) out += d.ToString() + "\n";
  return out;
}

std::string Warnings(const Loaded& l) {
  std::string out;
  for (const auto& d : l.report.warnings) out += d.ToString() + "\n";
  return out;
}

TEST(LoaderTest, AMinimalRuleSetLoads) {
  Loaded l = Load({{"r.yaml", kRouting}});
  ASSERT_TRUE(l.result.ok()) << l.result.status().message();
  EXPECT_EQ((*l.result)->routing.fallback.queue, "general");
  EXPECT_EQ((*l.result)->version.size(), 16u);
  EXPECT_TRUE(l.report.errors.empty());
}

TEST(LoaderTest, VersionIsAContentHash) {
  Loaded a = Load({{"r.yaml", kRouting}});
  Loaded b = Load({{"r.yaml", kRouting}});
  Loaded c = Load({{"r.yaml", std::string(kRouting) + "# a comment\n"}});
  ASSERT_TRUE(a.result.ok() && b.result.ok() && c.result.ok());
  EXPECT_EQ((*a.result)->version, (*b.result)->version);
  EXPECT_NE((*a.result)->version, (*c.result)->version);
}

TEST(LoaderTest, YamlSyntaxErrorHasPositionLineAndCaret) {
  Loaded l = LoadOne("lists:\n  saludos: [hola, buenas\n  quejas: [malo]\n");
  ASSERT_FALSE(l.result.ok());
  EXPECT_EQ(l.result.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Errors(l),
            "rules.yaml:3:9: YAML syntax error: end of sequence flow not found\n"
            "    quejas: [malo]\n"
            "          ^\n");
}

TEST(LoaderTest, UnknownKeySuggestsTheNearestValidOne) {
  Loaded l = LoadOne(
      "filters:\n"
      "  - id: ruido\n"
      "    whn: {words: {max: 1}}\n"
      "    reason: ruido\n");
  ASSERT_FALSE(l.result.ok());
  EXPECT_EQ(Errors(l),
            "rules.yaml:3:5: unknown key \"whn\" in filter (did you mean \"when\"?)\n"
            "      whn: {words: {max: 1}}\n"
            "      ^\n"
            "rules.yaml:2:5: rule \"ruido\" has no \"when\"\n"
            "    - id: ruido\n"
            "      ^\n");
}

TEST(LoaderTest, UnknownConditionAndTopLevelKeys) {
  Loaded l = LoadOne(
      "filtres: []\n"
      "filters:\n"
      "  - {id: a, when: {chanel: whatsapp}, reason: x}\n");
  ASSERT_FALSE(l.result.ok());
  EXPECT_EQ(Errors(l),
            "rules.yaml:1:1: unknown key \"filtres\" in rule file (did you mean \"filters\"?)\n"
            "  filtres: []\n"
            "  ^\n"
            "rules.yaml:3:20: unknown key \"chanel\" in condition (did you mean \"channel\"?)\n"
            "    - {id: a, when: {chanel: whatsapp}, reason: x}\n"
            "                     ^\n");
}

TEST(LoaderTest, UnknownKeyFarFromEverythingListsTheValidKeys) {
  Loaded l = LoadOne("settings: {zzzzzz: 1}\n");
  ASSERT_FALSE(l.result.ok());
  EXPECT_EQ(l.report.errors.at(0).message,
            "unknown key \"zzzzzz\" in settings; valid keys: utc_offset, business_hours, "
            "promotion_posts");
}

TEST(LoaderTest, WrongTypesAreNamed) {
  Loaded l = LoadOne(
      "lists:\n"
      "  saludos: hola\n"
      "filters:\n"
      "  - id: a\n"
      "    when: {words: {max: muchas}, has_attachment: quizas}\n"
      "    reason: [x]\n");
  ASSERT_FALSE(l.result.ok());
  std::vector<std::string> messages;
  for (const auto& d : l.report.errors) messages.push_back(d.message);
  EXPECT_EQ(messages, (std::vector<std::string>{
                          "list \"saludos\" must be a list of keywords, got a scalar",
                          "expected a number for \"words.max\", got \"muchas\"",
                          "expected true or false for \"has_attachment\", got \"quizas\"",
                          "expected a string for \"reason\", got a list",
                      }));
}

TEST(LoaderTest, UndefinedListReferenceSuggestsTheNearestList) {
  Loaded l = LoadOne(
      "lists:\n"
      "  quejas: [pesimo]\n"
      "filters:\n"
      "  - {id: a, when: {list: quejaz}, reason: x}\n");
  ASSERT_FALSE(l.result.ok());
  EXPECT_EQ(Errors(l),
            "rules.yaml:4:26: undefined list \"quejaz\" (did you mean \"quejas\"?)\n"
            "    - {id: a, when: {list: quejaz}, reason: x}\n"
            "                           ^\n");
}

TEST(LoaderTest, ListsMayBeDefinedInAnotherFile) {
  Loaded l = Load({{"a.yaml", "filters:\n  - {id: a, when: {list: quejas}, reason: x}\n"},
                   {"b.yaml", "lists:\n  quejas: [pesimo]\n"},
                   {"c.yaml", kRouting}});
  EXPECT_TRUE(l.result.ok()) << l.result.status().message();
}

TEST(LoaderTest, LookaroundIsRefusedWithAnExplanation) {
  Loaded l = LoadOne("filters:\n  - {id: a, when: {regex: 'foo(?!bar)'}, reason: x}\n");
  ASSERT_FALSE(l.result.ok());
  EXPECT_EQ(l.report.errors.at(0).message,
            "invalid regex /foo(?!bar)/: lookahead and lookbehind ((?=, (?!, (?<=, (?<!) are not "
            "supported; RE2 runs in linear time and refuses backtracking constructs — use a "
            "second condition, e.g. not: {regex: ...}");
}

TEST(LoaderTest, BackreferenceIsRefusedWithAnExplanation) {
  Loaded l = LoadOne("filters:\n  - {id: a, when: {regex: '(a)\\1'}, reason: x}\n");
  ASSERT_FALSE(l.result.ok());
  EXPECT_EQ(l.report.errors.at(0).message,
            "invalid regex /(a)\\1/: backreferences (\\1, \\k<name>) are not supported; RE2 "
            "runs in linear time and refuses backtracking constructs");
}

TEST(LoaderTest, MalformedRegexGivesRe2sReason) {
  Loaded l = LoadOne("filters:\n  - {id: a, when: {regex: 'a(b'}, reason: x}\n");
  ASSERT_FALSE(l.result.ok());
  EXPECT_EQ(l.report.errors.at(0).message, "invalid regex /a(b/: missing ): a(b");
}

TEST(LoaderTest, DuplicateRuleIdsPointAtTheFirstDefinition) {
  Loaded l = Load({{"a.yaml", "filters:\n  - {id: ruido, when: {words: {max: 1}}, reason: x}\n"},
                   {"b.yaml",
                    "filters:\n  - {id: ruido, when: {words: {max: 2}}, reason: y}\n"
                    "routing:\n  default: {queue: general}\n"}});
  ASSERT_FALSE(l.result.ok());
  EXPECT_EQ(Errors(l),
            "b.yaml:2:10: duplicate rule id \"ruido\" (first defined at a.yaml:2:10)\n"
            "    - {id: ruido, when: {words: {max: 2}}, reason: y}\n"
            "           ^\n");
}

TEST(LoaderTest, OverTheSizeCapIsRefusedBeforeParsing) {
  LoadOptions options;
  options.max_total_bytes = 100;
  // Not even valid YAML: the cap must trip before the parser sees it.
  Loaded l = Load({{"big.yaml", std::string(101, '[')}}, options);
  ASSERT_FALSE(l.result.ok());
  EXPECT_EQ(l.result.status().code(), ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(l.result.status().message(),
            "rule set: the rule set is 101 bytes, over the limit of 100 bytes");
}

TEST(LoaderTest, AllErrorsAreReportedNotOnlyTheFirst) {
  Loaded l = LoadOne(
      "classify:\n"
      "  kind:\n"
      "    values: [consulta, queja]\n"
      "    default: consultas\n"
      "    rules:\n"
      "      - {id: q, when: {keywords: [malo]}, value: quejas}\n"
      "      - {id: r, when: {channel: whatsap}, value: queja}\n");
  ASSERT_FALSE(l.result.ok());
  std::vector<std::string> messages;
  for (const auto& d : l.report.errors) messages.push_back(d.message);
  EXPECT_EQ(messages, (std::vector<std::string>{
                          "unknown kind \"consultas\" (did you mean \"consulta\"?)",
                          "unknown kind \"quejas\" (did you mean \"queja\"?)",
                          "unknown channel \"whatsap\" (did you mean \"whatsapp\"?)",
                      }));
}

TEST(LoaderTest, ClassifiedConditionsAreCheckedAgainstTheVocabulary) {
  Loaded l = LoadOne(
      "classify:\n"
      "  kind: {values: [queja], default: queja}\n"
      "  topic:\n"
      "    values: [envio]\n"
      "    default: envio\n"
      "    rules: [{id: t, when: {classified: {knd: queja}}, value: envio}]\n");
  ASSERT_FALSE(l.result.ok());
  EXPECT_EQ(l.report.errors.at(0).message, "unknown dimension \"knd\" (did you mean \"kind\"?)");
}

TEST(LoaderTest, EmptyRangesAndEmptyConditionsAreErrors) {
  Loaded l = LoadOne(
      "filters:\n"
      "  - {id: a, when: {words: {min: 5, max: 2}}, reason: x}\n"
      "  - {id: b, when: {}, reason: x}\n"
      "  - {id: c, when: {duplicate: {within: forever}}, reason: x}\n");
  ASSERT_FALSE(l.result.ok());
  std::vector<std::string> messages;
  for (const auto& d : l.report.errors) messages.push_back(d.message);
  EXPECT_EQ(messages, (std::vector<std::string>{
                          "\"words\" has min greater than max: it can never be true",
                          "empty condition: write at least one test",
                          "expected a duration like 30s, 10m, 2h or 1d for \"duplicate.within\"",
                      }));
}

TEST(LoaderTest, MissingRoutingIsAnError) {
  Loaded l = Load({{"a.yaml", "lists:\n  x: [y]\n"}});
  ASSERT_FALSE(l.result.ok());
  EXPECT_EQ(Errors(l),
            "a.yaml: the rule set has no \"routing\" section (every event needs a queue)\n");
}

TEST(LoaderTest, SectionsThatMustBeUniqueCannotRepeat) {
  Loaded l = Load({{"a.yaml", kRouting}, {"b.yaml", kRouting}});
  ASSERT_FALSE(l.result.ok());
  EXPECT_EQ(l.report.errors.at(0).ToString(),
            "b.yaml:1:1: section \"routing\" is already defined at a.yaml:2:3\n"
            "  routing:\n"
            "  ^");
}

TEST(LoaderTest, WarnsAboutUnusedListsAndTestsThatCanNeverBeTrue) {
  Loaded l = LoadOne(
      "lists:\n"
      "  nunca: [x]\n"
      "classify:\n"
      "  kind: {values: [queja, otro], default: otro}\n"
      "filters:\n"
      "  - {id: f, when: {classified: {kind: queja}}, reason: x}\n");
  ASSERT_TRUE(l.result.ok()) << l.result.status().message();
  EXPECT_EQ(Warnings(l),
            "rules.yaml:6:33: warning: rule \"f\" tests \"kind\" in filters, before \"kind\" is "
            "decided: the test is never true\n"
            "    - {id: f, when: {classified: {kind: queja}}, reason: x}\n"
            "                                  ^\n"
            "rules.yaml:4:18: warning: value \"queja\" of \"kind\" is never assigned by a rule "
            "nor the default\n"
            "    kind: {values: [queja, otro], default: otro}\n"
            "                   ^\n"
            "rules.yaml:2:3: warning: list \"nunca\" is never used\n"
            "    nunca: [x]\n"
            "    ^\n");
}

TEST(LoaderTest, WarnsWhenAStemAlreadyCoversAKeyword) {
  Loaded l = LoadOne(
      "lists:\n"
      "  promo: [\"descuento*\", descuentos, \"codigo de descuento\", cupon]\n"
      "filters:\n"
      "  - {id: f, when: {list: promo}, reason: x}\n");
  ASSERT_TRUE(l.result.ok()) << l.result.status().message();
  ASSERT_EQ(l.report.warnings.size(), 1u) << Warnings(l);
  EXPECT_EQ(l.report.warnings[0].message,
            "keyword \"descuentos\" in list \"promo\" is already matched by \"descuento*\"");
}

TEST(LoaderTest, HostileInputNeverCrashes) {
  for (const char* content : {"",
                              "~",
                              "[]",
                              "42",
                              "- a\n- b\n",
                              "lists: 7\n",
                              "filters: {a: b}\n",
                              "classify: []\n",
                              "influence: []\n",
                              "priority: x\n",
                              "routing: []\n",
                              "lists:\n  ? [a, b]\n  : [c]\n",
                              "filters:\n  - 7\n",
                              "filters:\n  - {id: [a], when: x}\n",
                              "a: &x [*x]\n",
                              "filters:\n  - {id: a, when: {all: []}, reason: x}\n",
                              "filters:\n  - {id: a, when: {not: [x]}, reason: x}\n",
                              "filters:\n  - {id: a, when: {author: {followers: 5}}, reason: x}\n",
                              "filters:\n  - {id: a, when: {classified: {}}, reason: x}\n",
                              "brands: [{name: ''}]\n",
                              "influence: {terms: [{name: a}]}\n",
                              "\xFF\xFE\x00garbage"}) {
    Loaded l = LoadOne(content);
    SUCCEED() << content << " → " << Errors(l);
  }
}

TEST(LoaderTest, LoadsADirectoryAndRefusesAMissingOne) {
  auto dir = std::filesystem::temp_directory_path() / "atalaya_loader_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "10_routing.yaml") << kRouting;
  std::ofstream(dir / "notes.txt") << "not yaml at all: [";
  LoadReport report;
  auto rs = LoadRuleSet(dir.string(), LoadOptions(), &report);
  EXPECT_TRUE(rs.ok()) << rs.status().message();

  LoadOptions tiny;
  tiny.max_total_bytes = 10;
  auto capped = LoadRuleSet(dir.string(), tiny, &report);
  ASSERT_FALSE(capped.ok());
  EXPECT_EQ(capped.status().code(), ErrorCode::kPayloadTooLarge);

  auto missing = LoadRuleSet((dir / "nope").string(), LoadOptions(), &report);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  std::filesystem::remove_all(dir);
}

TEST(NearestNameTest, SuggestsOnlyPlausibleTypos) {
  EXPECT_EQ(NearestName("whn", {"when", "value"}), "when");
  EXPECT_EQ(NearestName("xyz", {"when", "value"}), "");
}

}  // namespace
}  // namespace atalaya::rules
