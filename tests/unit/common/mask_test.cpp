#include "common/mask.h"

#include <gtest/gtest.h>

namespace atalaya {
namespace {

TEST(MaskPhone, KeepsPrefixAndLastTwoDigits) {
  EXPECT_EQ(MaskPhone("573001112233"), "57300*****33");
  EXPECT_EQ(MaskPhone("+57 300 111 2233"), "+57300*****33");
  EXPECT_EQ(MaskPhone("3001112233"), "300*****33");
  EXPECT_EQ(MaskPhone("5551234"), "*****34");
  EXPECT_EQ(MaskPhone("12345"), "***45");
}

TEST(MaskPhone, ShortOrEmptyShowsNothing) {
  EXPECT_EQ(MaskPhone("1234"), "****");
  EXPECT_EQ(MaskPhone(""), "***");
  EXPECT_EQ(MaskPhone("n/a"), "***");
}

TEST(MaskDocument, KeepsLastThree) {
  EXPECT_EQ(MaskDocument("1020304050"), "*******050");
  EXPECT_EQ(MaskDocument("1.020.304.050"), "*******050");
  EXPECT_EQ(MaskDocument("AB-123456"), "*****456");
  EXPECT_EQ(MaskDocument("1234"), "****");
}

TEST(MaskFreeText, HidesLongDigitRuns) {
  EXPECT_EQ(MaskFreeText("cedula 1020304050 ok"), "cedula ********50 ok");
  EXPECT_EQ(MaskFreeText("wa_id=573001112233"), "wa_id=**********33");
  EXPECT_EQ(MaskFreeText("+573001112233"), "+**********33");
  // Short numbers stay: ports, counts, years.
  EXPECT_EQ(MaskFreeText("127.0.0.1:8080 in 2026, 12345 rows"),
            "127.0.0.1:8080 in 2026, 12345 rows");
}

TEST(MaskFreeText, HidesTokens) {
  EXPECT_EQ(MaskFreeText("Authorization: Bearer abc.def-123 sent"),
            "Authorization: Bearer [redacted] sent");
  EXPECT_EQ(MaskFreeText("token EAAGm0PX4ZCpsBAKZCZAbcdefghijklmnopqrstuvwxyz1 rejected"),
            "token [redacted] rejected");
  EXPECT_EQ(MaskFreeText("EAA short"), "EAA short");
  EXPECT_EQ(MaskFreeText("Bearer"), "Bearer");
}

}  // namespace
}  // namespace atalaya
