#include "common/status.h"

#include <gtest/gtest.h>

namespace atalaya {
namespace {

TEST(Status, CarriesCodeAndMessage) {
  Status s = Unauthenticated("bad signature");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(s.ToString(), "unauthenticated: bad signature");
  EXPECT_EQ(Status::Ok().ToString(), "ok");
}

TEST(Result, HoldsAValueOrAnError) {
  Result<int> good = 7;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  Result<int> bad = NotFound("no such contact");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(bad.status().message(), "no such contact");
}

}  // namespace
}  // namespace atalaya
