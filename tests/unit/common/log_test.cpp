#include "common/log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

namespace atalaya::log {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kNow = 1'795'732'887'123;  // 2026-11-26T22:41:27.123Z

std::string Line(Level level, std::string_view msg, std::initializer_list<const Field*> fields) {
  std::vector<const Field*> list(fields);
  return FormatLine(kNow, level, msg, list);
}

TEST(LogFormat, OneJsonObjectPerLine) {
  Field channel = Id("channel", "whatsapp");
  Field batch = Int("batch", 12);
  Field tls = Bool("tls", false);
  EXPECT_EQ(Line(Level::kInfo, "webhook stored", {&channel, &batch, &tls}),
            "{\"ts\":\"2026-11-26T22:41:27.123Z\",\"level\":\"info\",\"msg\":\"webhook stored\","
            "\"channel\":\"whatsapp\",\"batch\":12,\"tls\":false}\n");
}

TEST(LogFormat, PersonalDataIsMaskedAndTextBecomesItsLength) {
  Field from = Phone("from", "573001112233");
  Field text = Text("text", "hola, mi cédula es 1020304050");
  Field doc = Document("document", "1020304050");
  Field token = Secret("token", "EAAG-very-secret");
  Field none = Secret("previous_app_secret", "");
  std::string line = Line(Level::kWarn, "message", {&from, &text, &doc, &token, &none});
  EXPECT_EQ(line,
            "{\"ts\":\"2026-11-26T22:41:27.123Z\",\"level\":\"warn\",\"msg\":\"message\","
            "\"from\":\"57300*****33\",\"text_len\":30,\"document\":\"*******050\","
            "\"token\":\"[redacted]\",\"previous_app_secret\":\"[empty]\"}\n");
  EXPECT_THAT(line, Not(HasSubstr("hola")));
  EXPECT_THAT(line, Not(HasSubstr("very-secret")));
  EXPECT_THAT(line, Not(HasSubstr("1112233")));
}

TEST(LogFormat, IdsAndCausesGetFreeTextMasking) {
  Field contact = Id("wa_id", "573001112233");
  Field cause = Cause(Unauthenticated("bad token Bearer s3cr3t for 573001112233"));
  EXPECT_EQ(Line(Level::kError, "refused 573001112233", {&contact, &cause}),
            "{\"ts\":\"2026-11-26T22:41:27.123Z\",\"level\":\"error\",\"msg\":\"refused "
            "**********33\",\"wa_id\":\"**********33\",\"error\":\"unauthenticated: bad token "
            "Bearer [redacted] for **********33\"}\n");
}

TEST(LogFormat, HashesPrintWholeOnlyWhenTheyAreHex) {
  Field version = Hash("rules", "4f97b6613401fa6d");
  Field phone_in_disguise = Hash("rules", "573001112233x");
  EXPECT_EQ(Line(Level::kInfo, "serving", {&version, &phone_in_disguise}),
            "{\"ts\":\"2026-11-26T22:41:27.123Z\",\"level\":\"info\",\"msg\":\"serving\","
            "\"rules\":\"4f97b6613401fa6d\",\"rules\":\"**********33x\"}\n");
}

TEST(LogFormat, EscapesControlCharactersAndInvalidUtf8) {
  Field weird = Id("path", std::string_view("a\"b\\c\nd\te\x01\x7f"
                                            "f\xff"
                                            "g\xc3\xa9",
                                            16));
  std::string line = Line(Level::kDebug, "q\"uote\r", {&weird});
  EXPECT_EQ(line,
            "{\"ts\":\"2026-11-26T22:41:27.123Z\",\"level\":\"debug\",\"msg\":\"q\\\"uote\\r\","
            "\"path\":\"a\\\"b\\\\c\\nd\\te\\u0001\\u007ff\\ufffdg\xc3\xa9\"}\n");
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);  // exactly one line
  nlohmann::json parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["path"],
            "a\"b\\c\nd\te\x01\x7f"
            "f\xef\xbf\xbdg\xc3\xa9");
  EXPECT_EQ(parsed["msg"], "q\"uote\r");
}

TEST(LogFormat, NulInsideAValueIsEscaped) {
  Field nul = Id("name", std::string_view("a\0b", 3));
  std::string line = Line(Level::kInfo, "x", {&nul});
  EXPECT_THAT(line, HasSubstr("\"name\":\"a\\u0000b\""));
  EXPECT_EQ(nlohmann::json::parse(line)["name"], std::string("a\0b", 3));
}

TEST(LevelNames, RoundTrip) {
  for (Level l : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    EXPECT_EQ(ParseLevel(LevelName(l)), l);
  }
  EXPECT_EQ(ParseLevel("verbose"), std::nullopt);
  EXPECT_EQ(ParseLevel("INFO"), std::nullopt);
}

class LoggerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetClock(&clock_);
    SetSink([this](std::string_view line) {
      std::lock_guard<std::mutex> lock(mu_);
      lines_.emplace_back(line);
    });
  }
  void TearDown() override {
    SetSink(nullptr);
    SetClock(nullptr);
    SetLevel(Level::kInfo);
  }
  std::vector<std::string> Lines() {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }

  FakeClock clock_{kNow};
  std::mutex mu_;
  std::vector<std::string> lines_;
};

TEST_F(LoggerTest, LevelIsSettableAtRunTime) {
  SetLevel(Level::kWarn);
  EXPECT_FALSE(Enabled(Level::kInfo));
  Info("hidden");
  Warn("shown", Int("n", 1));
  SetLevel(Level::kDebug);  // what SIGHUP does after re-reading log.level
  Debug("now shown");
  ASSERT_EQ(Lines().size(), 2u);
  EXPECT_EQ(Lines()[0],
            "{\"ts\":\"2026-11-26T22:41:27.123Z\",\"level\":\"warn\",\"msg\":\"shown\",\"n\":1}\n");
  EXPECT_THAT(Lines()[1], HasSubstr("\"level\":\"debug\",\"msg\":\"now shown\""));
}

TEST_F(LoggerTest, UsesTheInjectedClock) {
  clock_.SetMs(0);
  Error("epoch");
  ASSERT_EQ(Lines().size(), 1u);
  EXPECT_THAT(Lines()[0], HasSubstr("\"ts\":\"1970-01-01T00:00:00.000Z\""));
}

TEST_F(LoggerTest, LinesFromManyThreadsStayWhole) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < kPerThread; ++i) Info("tick", Int("thread", t), Int("i", i));
    });
  }
  for (std::thread& t : threads) t.join();
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kThreads * kPerThread));
  std::vector<int> next(kThreads, 0);
  for (const std::string& line : lines) {
    nlohmann::json j = nlohmann::json::parse(line);
    int t = j["thread"];
    EXPECT_EQ(j["i"], next[t]++);  // each thread's lines arrive whole and in its order
  }
}

}  // namespace
}  // namespace atalaya::log
