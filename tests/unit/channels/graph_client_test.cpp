#include "channels/graph_client.h"

#include <gtest/gtest.h>

#include <memory>

#include "tests/fakes/fake_graph_server.h"

namespace atalaya::channels {
namespace {

using fakes::FakeGraphServer;

std::unique_ptr<GraphClient> ClientFor(const FakeGraphServer& server,
                                       int64_t read_timeout_ms = 5000) {
  GraphClientOptions options;
  options.base_url = server.base_url();
  options.api_version = "v21.0";
  options.read_timeout_ms = read_timeout_ms;
  Result<std::unique_ptr<GraphClient>> client = MakeHttpGraphClient(options);
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return client.ok() ? std::move(client).value() : nullptr;
}

TEST(GraphClientTest, PostsJsonWithTheBearerTokenUnderTheVersion) {
  FakeGraphServer server;
  std::unique_ptr<GraphClient> client = ClientFor(server);
  Result<GraphResponse> response = client->Call(
      {"POST", "PAGE/messages", R"({"recipient":{"id":"P1"},"message":{"text":"hi"}})"},
      "page-token");
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->http_status, 200);
  EXPECT_EQ(response->body, R"({"message_id":"m_FAKE1","recipient_id":"P1"})");
  EXPECT_FALSE(response->error.has_value());
  ASSERT_EQ(server.RequestCount(), 1u);
  const fakes::RecordedRequest request = server.Requests()[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/v21.0/PAGE/messages");
  EXPECT_EQ(request.Header("authorization"), "Bearer page-token");
  EXPECT_EQ(request.Header("content-type"), "application/json");
  EXPECT_EQ(request.body, R"({"recipient":{"id":"P1"},"message":{"text":"hi"}})");
}

TEST(GraphClientTest, ParsesTheGraphErrorAndRetryAfter) {
  FakeGraphServer server;
  server.Enqueue("PAGE/messages", FakeGraphServer::RateLimited(30));
  server.Enqueue("PAGE/messages", FakeGraphServer::UserUnavailable());
  std::unique_ptr<GraphClient> client = ClientFor(server);
  Result<GraphResponse> limited = client->Call({"POST", "PAGE/messages", "{}"}, "t");
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(limited->http_status, 400);
  EXPECT_EQ(limited->retry_after_ms, 30'000);
  ASSERT_TRUE(limited->error.has_value());
  EXPECT_EQ(limited->error->code, 613);
  Result<GraphResponse> unavailable = client->Call({"POST", "PAGE/messages", "{}"}, "t");
  ASSERT_TRUE(unavailable.ok());
  ASSERT_TRUE(unavailable->error.has_value());
  EXPECT_EQ(unavailable->error->code, 551);
  EXPECT_EQ(unavailable->error->subcode, 1545041);
  EXPECT_EQ(unavailable->error->message, "This person isn't available right now.");
  EXPECT_EQ(unavailable->error->fbtrace_id, "FAKEtrace");
  EXPECT_EQ(unavailable->retry_after_ms, -1);
}

TEST(GraphClientTest, SlowAnswerIsADeadline) {
  FakeGraphServer server;
  server.Enqueue("PAGE/messages", FakeGraphServer::Slow(1500));
  std::unique_ptr<GraphClient> client = ClientFor(server, /*read_timeout_ms=*/200);
  Result<GraphResponse> response = client->Call({"POST", "PAGE/messages", "{}"}, "t");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kDeadlineExceeded);
  EXPECT_EQ(response.status().message(), "graph: no answer (read failed or timed out)");
}

TEST(GraphClientTest, NothingListeningIsUnavailable) {
  int port = 0;
  {
    FakeGraphServer gone;
    port = gone.port();
  }
  GraphClientOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(port);
  Result<std::unique_ptr<GraphClient>> client = MakeHttpGraphClient(options);
  ASSERT_TRUE(client.ok());
  Result<GraphResponse> response = (*client)->Call({"POST", "PAGE/messages", "{}"}, "t");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(response.status().message(), "graph: connection failed");
}

TEST(GraphClientTest, PlainHttpOnlyForLoopback) {
  GraphClientOptions options;
  options.base_url = "http://graph.facebook.com";
  Result<std::unique_ptr<GraphClient>> remote = MakeHttpGraphClient(options);
  ASSERT_FALSE(remote.ok());
  EXPECT_EQ(remote.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(remote.status().message(),
            "graph base URL: plain http is allowed only for a loopback host; use https");
  options.base_url = "http://10.0.0.1:8080";
  EXPECT_FALSE(MakeHttpGraphClient(options).ok());
  for (const char* ok : {"https://graph.facebook.com", "http://127.0.0.1:9", "http://localhost",
                         "http://[::1]:8080", "https://graph.facebook.com/"}) {
    options.base_url = ok;
    EXPECT_TRUE(MakeHttpGraphClient(options).ok()) << ok;
  }
}

TEST(GraphClientTest, MalformedBaseUrlsAndVersions) {
  GraphClientOptions options;
  options.base_url = "graph.facebook.com";
  EXPECT_EQ(MakeHttpGraphClient(options).status().message(),
            "graph base URL must start with https:// (got no scheme)");
  options.base_url = "ftp://graph.facebook.com";
  EXPECT_EQ(MakeHttpGraphClient(options).status().message(),
            "graph base URL scheme must be https (got \"ftp\")");
  options.base_url = "https://graph.facebook.com/v21.0";
  EXPECT_EQ(MakeHttpGraphClient(options).status().message(),
            "graph base URL must not have a path; the API version is separate");
  options.base_url = "https://graph.facebook.com";
  options.api_version = "";
  EXPECT_EQ(MakeHttpGraphClient(options).status().message(),
            "graph api_version must be like \"v21.0\"");
}

TEST(GraphClientTest, LoopbackHosts) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_TRUE(IsLoopbackHost("[::1]"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_FALSE(IsLoopbackHost("128.0.0.1"));
  EXPECT_FALSE(IsLoopbackHost("localhost.evil.com"));
  EXPECT_FALSE(IsLoopbackHost("127.0.0.1.evil.com"));
  EXPECT_FALSE(IsLoopbackHost(""));
}

TEST(GraphClientTest, ParseGraphErrorNeverThrows) {
  EXPECT_FALSE(ParseGraphError("").has_value());
  EXPECT_FALSE(ParseGraphError("<html>").has_value());
  EXPECT_FALSE(ParseGraphError(R"({"error":"text"})").has_value());
  EXPECT_FALSE(ParseGraphError(R"({"error":{}})").has_value());
  std::optional<GraphError> error =
      ParseGraphError(R"({"error":{"message":"m","code":"131047","error_subcode":7}})");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, 131047);
  EXPECT_EQ(error->subcode, 7);
}

TEST(GraphClientTest, RetryAfterHeaderValues) {
  EXPECT_EQ(ParseRetryAfterMs("30"), 30'000);
  EXPECT_EQ(ParseRetryAfterMs(" 0 "), 0);
  EXPECT_EQ(ParseRetryAfterMs(""), -1);
  EXPECT_EQ(ParseRetryAfterMs("-5"), -1);
  EXPECT_EQ(ParseRetryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT"), -1);
  EXPECT_EQ(ParseRetryAfterMs("99999999999999999999"), -1);
}

}  // namespace
}  // namespace atalaya::channels
