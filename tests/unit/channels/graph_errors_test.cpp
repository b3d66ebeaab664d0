#include "channels/graph_errors.h"

#include <gtest/gtest.h>

#include <string>

namespace atalaya::channels {
namespace {

GraphResponse Answer(int http_status, int64_t code, int64_t subcode = 0,
                     std::string message = "msg") {
  GraphResponse response;
  response.http_status = http_status;
  response.error = GraphError{std::move(message), "OAuthException", code, subcode, "trace"};
  return response;
}

struct Row {
  int http_status;
  int64_t code;
  FailureKind kind;
  bool rate_limited;
};

TEST(GraphErrorsTest, ClassificationTable) {
  const Row rows[] = {
      {500, 2, FailureKind::kTransient, false},       // temporary
      {400, 1, FailureKind::kTransient, false},       // unknown, retry later
      {400, 4, FailureKind::kTransient, true},        // app rate limit
      {400, 613, FailureKind::kTransient, true},      // rate limit
      {429, 130429, FailureKind::kTransient, true},   // WhatsApp throughput
      {400, 131056, FailureKind::kTransient, true},   // WhatsApp pair rate
      {503, 9999, FailureKind::kTransient, false},    // unknown code in a 5xx
      {401, 190, FailureKind::kPermanent, false},     // bad token
      {400, 551, FailureKind::kPermanent, false},     // person unavailable
      {400, 10, FailureKind::kPermanent, false},      // outside window (2018278)
      {400, 131047, FailureKind::kPermanent, false},  // WhatsApp window closed
      {400, 131026, FailureKind::kPermanent, false},  // undeliverable
      {400, 100, FailureKind::kPermanent, false},     // invalid parameter
      {500, 131047, FailureKind::kPermanent, false},  // a permanent code wins over 5xx
      {400, 9999, FailureKind::kPermanent, false},    // unknown code, client error
  };
  for (const Row& row : rows) {
    SendFailure failure = ClassifyGraphResponse(Answer(row.http_status, row.code));
    EXPECT_EQ(failure.kind, row.kind) << "code " << row.code << " http " << row.http_status;
    EXPECT_EQ(failure.rate_limited, row.rate_limited) << "code " << row.code;
    EXPECT_EQ(failure.error.code, row.code);
  }
}

TEST(GraphErrorsTest, KeepsThePlatformsCodeSubcodeAndMessage) {
  GraphResponse response = Answer(400, 10, 2018278,
                                  "(#10) This message is sent outside of "
                                  "allowed window.");
  SendFailure failure = ClassifyGraphResponse(response);
  EXPECT_EQ(failure.kind, FailureKind::kPermanent);
  EXPECT_EQ(failure.error.code, 10);
  EXPECT_EQ(failure.error.subcode, 2018278);
  EXPECT_EQ(failure.error.message,
            "graph 10/2018278: (#10) This message is sent outside of allowed window.");
}

TEST(GraphErrorsTest, RetryAfterIsPassedOn) {
  GraphResponse response = Answer(400, 613);
  response.retry_after_ms = 30'000;
  EXPECT_EQ(ClassifyGraphResponse(response).retry_after_ms, 30'000);
}

TEST(GraphErrorsTest, AnswersWithoutAnErrorObject) {
  GraphResponse bad_gateway;
  bad_gateway.http_status = 502;
  bad_gateway.body = "<html>Bad Gateway</html>";
  SendFailure failure = ClassifyGraphResponse(bad_gateway);
  EXPECT_EQ(failure.kind, FailureKind::kTransient);
  EXPECT_EQ(failure.error.code, 0);
  EXPECT_EQ(failure.error.message, "graph answered HTTP 502 without an error object");
  GraphResponse too_many;
  too_many.http_status = 429;
  EXPECT_TRUE(ClassifyGraphResponse(too_many).rate_limited);
  GraphResponse not_found;
  not_found.http_status = 404;
  EXPECT_EQ(ClassifyGraphResponse(not_found).kind, FailureKind::kPermanent);
}

TEST(GraphErrorsTest, NoAnswerIsTransient) {
  SendFailure failure = ClassifyTransportError(DeadlineExceeded("graph: connect timed out"));
  EXPECT_EQ(failure.kind, FailureKind::kTransient);
  EXPECT_EQ(failure.error.code, 0);
  EXPECT_EQ(failure.error.message, "graph: connect timed out");
}

}  // namespace
}  // namespace atalaya::channels
