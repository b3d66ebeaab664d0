#pragma once
// GraphClient: one JSON call to Meta's Graph API (`<base_url>/<api_version>/<path>`) with a
// Bearer token. The sender talks to this interface, so tests swap in a fake.
//
// Transport: HTTPS with certificate verification against the system CA store. Plain HTTP is
// accepted only when the host is a loopback address (the test fakes); any other http:// base
// URL is refused when the client is made. Tokens are sent in the Authorization header and
// never logged or put in an error message.
//
// Errors: Call() returns a GraphResponse for every HTTP answer, 2xx or not (the Graph error
// object, when the body has one, is parsed into `error`). It returns a Status only when no
// answer came: kDeadlineExceeded (connect or read timed out), kUnavailable (connection
// refused or reset, TLS handshake or certificate verification failed).
//
// Thread-safety: Call() may be called from many threads at once; the HTTP client keeps a
// small pool of connections, one per concurrent call.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace httplib {
class Client;
}

namespace atalaya::channels {

struct GraphCall {
  std::string method = "POST";  // "POST" or "GET"
  std::string path;             // after the version, no leading slash: "<PAGE_ID>/messages"
  std::string body;             // JSON for POST; empty for GET
};

// The Graph error object: {"error":{"message","type","code","error_subcode","fbtrace_id"}}.
struct GraphError {
  std::string message;
  std::string type;
  int64_t code = 0;
  int64_t subcode = 0;
  std::string fbtrace_id;
};

struct GraphResponse {
  int http_status = 0;
  std::string body;
  std::optional<GraphError> error;
  int64_t retry_after_ms = -1;  // from a Retry-After header in seconds; -1 when absent
};

// The error object of a Graph response body, when it has one with at least a code or a
// message. Never throws on any body.
std::optional<GraphError> ParseGraphError(std::string_view body);
// A Retry-After header value in delta-seconds as milliseconds; -1 when empty or not a plain
// non-negative number (HTTP-dates are rare on Graph and treated as absent).
int64_t ParseRetryAfterMs(std::string_view value);

class GraphClient {
 public:
  virtual ~GraphClient() = default;
  virtual Result<GraphResponse> Call(const GraphCall& call, std::string_view token) = 0;
};

struct GraphClientOptions {
  std::string base_url = "https://graph.facebook.com";  // scheme://host[:port], no path
  std::string api_version = "v21.0";
  int64_t connect_timeout_ms = 5000;
  int64_t read_timeout_ms = 15000;  // a send is slow when Meta is; longer means it is stuck
  int64_t write_timeout_ms = 5000;
};

// True for "localhost", 127.0.0.0/8 and ::1 (with or without brackets).
bool IsLoopbackHost(std::string_view host);

// kInvalidArgument when the base URL is not https:// or http://<loopback>, has a path, or the
// version is empty.
Result<std::unique_ptr<GraphClient>> MakeHttpGraphClient(const GraphClientOptions& options);

}  // namespace atalaya::channels
