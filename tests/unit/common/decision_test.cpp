#include "common/decision.h"

#include <gtest/gtest.h>

namespace atalaya {
namespace {

Decision Sample() {
  Decision d;
  d.ruleset_version = "0123456789abcdef";
  d.filter = FilterAction::kCount;
  d.filter_reason = "promocion";
  d.filter_rule = "promo";
  d.labels = {{"kind", "queja"}, {"topic", "envío"}};
  d.influence = 72.5;
  d.influence_tier = "T3";
  d.influence_terms = {{"alcance", 0.8, 0.5, 0.4}, {"granja", 0.5, -1, -0.5}};
  d.priority = "urgente";
  d.queue = "experiencia";
  d.skills = {"senior", "redes"};
  d.move_to_private = true;
  d.handoff = true;
  d.replies = {"saludo"};
  d.trace = {{"filter", "promo", "count (promocion): promotion post"},
             {"classify.kind", "queja", "queja: list quejas: \"pésimo\""}};
  return d;
}

TEST(DecisionJsonTest, RoundTripsEveryField) {
  Decision d = Sample();
  Result<Decision> back = DecisionFromJson(DecisionToJson(d));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, d);
}

TEST(DecisionJsonTest, AnEmptyObjectIsADefaultDecision) {
  Result<Decision> d = DecisionFromJson("{}");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, Decision());
}

TEST(DecisionJsonTest, InvalidUtf8InTheTraceDoesNotThrow) {
  Decision d;
  d.trace = {{"classify.kind", "r", "regex /x/: \"\xFF\""}};
  Result<Decision> back = DecisionFromJson(DecisionToJson(d));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->trace[0].detail, "regex /x/: \"\xEF\xBF\xBD\"");  // U+FFFD
}

TEST(DecisionJsonTest, BadJsonGivesANamedError) {
  EXPECT_EQ(DecisionFromJson("{").status().message(), "decision is not valid JSON");
  EXPECT_EQ(DecisionFromJson("[]").status().message(), "decision is not a JSON object");
  EXPECT_EQ(DecisionFromJson(R"({"queue": 7})").status().message(),
            "decision field \"queue\" has the wrong type");
  EXPECT_EQ(DecisionFromJson(R"({"filter": "maybe"})").status().message(),
            "decision field \"filter\" has an unknown value");
  EXPECT_EQ(DecisionFromJson(R"({"trace": {}})").status().message(),
            "decision field \"trace\" is not an array");
  EXPECT_EQ(DecisionFromJson(R"({"trace": [1]})").status().message(),
            "decision field \"trace\" holds a non-object");
  EXPECT_EQ(DecisionFromJson(R"({"influence_terms": [{"value": "x"}]})").status().message(),
            "decision field \"value\" has the wrong type");
  EXPECT_EQ(DecisionFromJson(R"({"labels": {"kind": 1}})").status().code(),
            ErrorCode::kInvalidArgument);
}

TEST(FilterActionTest, NamesRoundTrip) {
  for (FilterAction a : {FilterAction::kNone, FilterAction::kCount, FilterAction::kDrop}) {
    EXPECT_EQ(ParseFilterAction(FilterActionName(a)), a);
  }
  EXPECT_EQ(ParseFilterAction("delete"), std::nullopt);
}

}  // namespace
}  // namespace atalaya
