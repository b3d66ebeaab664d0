// Meta timestamps in all three units and forms normalise to the same milliseconds.
#include "channels/meta_time.h"

#include <gtest/gtest.h>

namespace atalaya::channels {
namespace {

constexpr int64_t kMs = 1764283896000;  // 2025-11-27T22:51:36Z

int64_t Read(const std::string& value_json) {
  return MetaTimeMemberAsMs(Json::parse(R"({"t":)" + value_json + "}"), "t");
}

TEST(MetaTime, MillisecondsSecondsAndIsoStringsAgree) {
  EXPECT_EQ(Read("1764283896000"), kMs);
  EXPECT_EQ(Read("1764283896"), kMs);
  EXPECT_EQ(Read(R"("1764283896")"), kMs);
  EXPECT_EQ(Read(R"("1764283896000")"), kMs);
  EXPECT_EQ(Read(R"("2025-11-27T22:51:36+0000")"), kMs);
  EXPECT_EQ(Read(R"("2025-11-27T22:51:36Z")"), kMs);
  EXPECT_EQ(Read(R"("2025-11-27T22:51:36")"), kMs);
  EXPECT_EQ(Read(R"("2025-11-27 22:51:36Z")"), kMs);
  EXPECT_EQ(Read(R"("2025-11-27T17:51:36-05:00")"), kMs);
  EXPECT_EQ(Read(R"("2025-11-28T04:21:36+0530")"), kMs);
  EXPECT_EQ(Read(R"("2025-11-28T00:51:36+02")"), kMs);
}

TEST(MetaTime, FractionsKeepTheirMilliseconds) {
  EXPECT_EQ(Read("1764283896.25"), kMs + 250);
  EXPECT_EQ(Read(R"("2025-11-27T22:51:36.5Z")"), kMs + 500);
  EXPECT_EQ(Read(R"("2025-11-27T22:51:36.123456Z")"), kMs + 123);
}

TEST(MetaTime, TheUnitIsToldBySize) {
  EXPECT_EQ(Read("99999999999"), 99999999999000);  // the last second read as seconds
  EXPECT_EQ(Read("100000000000"), 100000000000);   // the first value read as milliseconds
  EXPECT_EQ(Read("0"), 0);
  EXPECT_EQ(Read("1"), 1000);
}

TEST(MetaTime, CalendarEdgesAreExact) {
  EXPECT_EQ(ParseIso8601Ms("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseIso8601Ms("2024-02-29T00:00:00Z"), 1709164800000);
  EXPECT_EQ(ParseIso8601Ms("2000-03-01T00:00:00Z"), 951868800000);
  EXPECT_EQ(ParseIso8601Ms("2100-12-31T23:59:59Z"), 4133980799000);
}

TEST(MetaTime, MalformedValuesAreZero) {
  for (const char* bad : {"null",
                          "true",
                          "[]",
                          "{}",
                          "-5",
                          "-1.5",
                          R"("")",
                          R"("12x")",
                          R"("-12")",
                          R"("99999999999999999999")",
                          "1e300",
                          R"("2025-13-01T00:00:00Z")",
                          R"("2025-02-29T00:00:00Z")",
                          R"("2025-11-31T00:00:00Z")",
                          R"("2025-11-27T24:00:00Z")",
                          R"("2025-11-27T22:60:00Z")",
                          R"("2025-11-27")",
                          R"("2025-11-27T22:51")",
                          R"("2025-11-27T22:51:36+")",
                          R"("2025-11-27T22:51:36+2")",
                          R"("2025-11-27T22:51:36.Z")",
                          R"("2025-11-27T22:51:36Zjunk")",
                          R"("2025-11-27T22:51:36 UTC")",
                          R"("1969-12-31T23:59:59Z")",
                          R"("1970-01-01T00:00:00+01:00")",
                          R"("２０２５-11-27")"}) {
    EXPECT_EQ(Read(bad), 0) << bad;
  }
  EXPECT_EQ(MetaTimeMemberAsMs(Json::parse("{}"), "t"), 0);
  EXPECT_EQ(MetaTimeMemberAsMs(Json::parse("[1]"), "t"), 0);
}

TEST(MetaTime, HugeNumbersAreRefusedNotWrapped) {
  EXPECT_EQ(Read("9223372036854775807"), 0);
  EXPECT_EQ(Read("18446744073709551615"), 0);
  EXPECT_EQ(Read("4611686018427387903"), 4611686018427387903);  // the largest accepted
}

}  // namespace
}  // namespace atalaya::channels
