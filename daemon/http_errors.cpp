#include "daemon/http_errors.h"

#include <nlohmann/json.hpp>

namespace atalaya::daemon {

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return 200;
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
      return 409;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kFailedPrecondition:
      return 422;
    case ErrorCode::kResourceExhausted:
      return 503;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kDeadlineExceeded:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

void WriteJson(httplib::Response& res, int http_status, const std::string& json_body) {
  res.status = http_status;
  res.set_content(json_body, "application/json");
}

void WriteError(httplib::Response& res, int http_status, const std::string& code,
                const std::string& message) {
  nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
  WriteJson(res, http_status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void WriteError(httplib::Response& res, const Status& status) {
  WriteError(res, HttpStatusFor(status.code()), ErrorCodeName(status.code()), status.message());
  if (HttpStatusFor(status.code()) == 503) res.set_header("Retry-After", "5");
}

}  // namespace atalaya::daemon
