#include "channels/graph_client.h"

#include <arpa/inet.h>
#include <httplib.h>

#include <charconv>
#include <cstring>
#include <nlohmann/json.hpp>

#include "channels/json_fields.h"

namespace atalaya::channels {
namespace {

struct ParsedUrl {
  std::string scheme;
  std::string host;  // without brackets
  std::string host_port;
};

Result<ParsedUrl> ParseBaseUrl(std::string_view url) {
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) {
    return InvalidArgument("graph base URL must start with https:// (got no scheme)");
  }
  ParsedUrl out;
  out.scheme = std::string(url.substr(0, sep));
  std::string_view rest = url.substr(sep + 3);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos) {
    return InvalidArgument("graph base URL must not have a path; the API version is separate");
  }
  if (rest.empty()) return InvalidArgument("graph base URL has no host");
  out.host_port = std::string(rest);
  if (rest.front() == '[') {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) return InvalidArgument("graph base URL: unclosed '['");
    out.host = std::string(rest.substr(1, close - 1));
  } else {
    out.host = std::string(rest.substr(0, rest.find(':')));
  }
  if (out.scheme != "https" && out.scheme != "http") {
    return InvalidArgument("graph base URL scheme must be https (got \"" + out.scheme + "\")");
  }
  if (out.scheme == "http" && !IsLoopbackHost(out.host)) {
    return InvalidArgument(
        "graph base URL: plain http is allowed only for a loopback host; use https");
  }
  return out;
}

class HttpGraphClient final : public GraphClient {
 public:
  HttpGraphClient(GraphClientOptions options, ParsedUrl url)
      : options_(std::move(options)), url_(std::move(url)) {}

  Result<GraphResponse> Call(const GraphCall& call, std::string_view token) override {
    std::unique_ptr<httplib::Client> client = Take();
    const std::string path = "/" + options_.api_version + "/" + call.path;
    httplib::Headers headers = {{"Authorization", "Bearer " + std::string(token)}};
    httplib::Result result =
        call.method == "GET" ? client->Get(path.c_str(), headers)
                             : client->Post(path.c_str(), headers, call.body, "application/json");
    if (!result) {
      const httplib::Error error = result.error();
      // A failed connection is not reused.
      return TransportError(error);
    }
    GraphResponse response;
    response.http_status = result->status;
    response.body = result->body;
    if (result->status >= 300) response.error = ParseGraphError(result->body);
    response.retry_after_ms = ParseRetryAfterMs(result->get_header_value("Retry-After"));
    Give(std::move(client));
    return response;
  }

 private:
  static Status TransportError(httplib::Error error) {
    switch (error) {
      case httplib::Error::ConnectionTimeout:
        return DeadlineExceeded("graph: connect timed out");
      case httplib::Error::Read:
        return DeadlineExceeded("graph: no answer (read failed or timed out)");
      case httplib::Error::Connection:
        return Unavailable("graph: connection failed");
      case httplib::Error::SSLConnection:
        return Unavailable("graph: TLS handshake failed");
      case httplib::Error::SSLServerVerification:
        return Unavailable("graph: server certificate verification failed");
      default:
        return Unavailable("graph: request failed (" + httplib::to_string(error) + ")");
    }
  }

  std::unique_ptr<httplib::Client> Take() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!idle_.empty()) {
        std::unique_ptr<httplib::Client> client = std::move(idle_.back());
        idle_.pop_back();
        return client;
      }
    }
    auto client = std::make_unique<httplib::Client>(url_.scheme + "://" + url_.host_port);
    client->set_connection_timeout(std::chrono::milliseconds(options_.connect_timeout_ms));
    client->set_read_timeout(std::chrono::milliseconds(options_.read_timeout_ms));
    client->set_write_timeout(std::chrono::milliseconds(options_.write_timeout_ms));
    client->set_keep_alive(true);
    // Small JSON requests: without this, Nagle and delayed ACKs add ~40 ms to each call.
    client->set_tcp_nodelay(true);
    // On by default in httplib; said here because it is the point. With no CA file given,
    // httplib loads OpenSSL's default verify paths: the system CA store.
    client->enable_server_certificate_verification(true);
    return client;
  }

  void Give(std::unique_ptr<httplib::Client> client) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (idle_.size() < kMaxIdle) idle_.push_back(std::move(client));
  }

  static constexpr size_t kMaxIdle = 64;
  const GraphClientOptions options_;
  const ParsedUrl url_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<httplib::Client>> idle_;
};

}  // namespace

std::optional<GraphError> ParseGraphError(std::string_view body) {
  const Json parsed = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  const Json* error = ObjectMember(parsed, "error");
  if (error == nullptr) return std::nullopt;
  GraphError out;
  out.message = StringMember(*error, "message");
  out.type = StringMember(*error, "type");
  out.code = IntegerMember(*error, "code").value_or(0);
  out.subcode = IntegerMember(*error, "error_subcode").value_or(0);
  out.fbtrace_id = StringMember(*error, "fbtrace_id");
  if (out.code == 0 && out.message.empty()) return std::nullopt;
  return out;
}

int64_t ParseRetryAfterMs(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size() || seconds < 0 ||
      seconds > 86'400 * 7) {
    return -1;
  }
  return seconds * 1000;
}

bool IsLoopbackHost(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost" || host == "::1") return true;
  in_addr v4{};
  const std::string copy(host);
  if (inet_pton(AF_INET, copy.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, copy.c_str(), &v6) == 1) {
    static const in6_addr kLoopback = IN6ADDR_LOOPBACK_INIT;
    return memcmp(&v6, &kLoopback, sizeof v6) == 0;
  }
  return false;
}

Result<std::unique_ptr<GraphClient>> MakeHttpGraphClient(const GraphClientOptions& options) {
  Result<ParsedUrl> url = ParseBaseUrl(options.base_url);
  if (!url.ok()) return url.status();
  if (options.api_version.empty() || options.api_version.find('/') != std::string::npos) {
    return InvalidArgument("graph api_version must be like \"v21.0\"");
  }
  return std::unique_ptr<GraphClient>(
      std::make_unique<HttpGraphClient>(options, std::move(url).value()));
}

}  // namespace atalaya::channels
