#include "channels/graph_errors.h"

#include <string>

namespace atalaya::channels {
namespace {

bool IsRateLimitCode(int64_t code) {
  switch (code) {
    case 4:       // application request limit
    case 17:      // user request limit
    case 32:      // page request limit
    case 613:     // calls within one hour exceeded
    case 80006:   // Messenger platform rate limit
    case 130429:  // WhatsApp throughput limit
    case 131056:  // WhatsApp pair rate limit
      return true;
    default:
      return false;
  }
}

bool IsTemporaryCode(int64_t code) {
  return code == 1 || code == 2;  // unknown error / service temporarily unavailable
}

// Codes that name a refusal retrying cannot change, even when wrapped in a 5xx answer.
bool IsPermanentCode(int64_t code) {
  switch (code) {
    case 10:      // permission denied, e.g. subcode 2018278: outside the allowed window
    case 100:     // invalid parameter
    case 190:     // access token invalid or expired
    case 200:     // permissions error
    case 551:     // this person isn't available right now
    case 131026:  // message undeliverable
    case 131047:  // re-engagement: more than 24 h since the customer's last message
    case 131049:  // marketing per-user limit: the platform chose not to deliver
    case 132001:  // template does not exist in this language
      return true;
    default:
      return false;
  }
}

}  // namespace

SendFailure ClassifyGraphResponse(const GraphResponse& response) {
  SendFailure failure;
  failure.retry_after_ms = response.retry_after_ms;
  if (response.error.has_value()) {
    const GraphError& error = *response.error;
    failure.error.code = error.code;
    failure.error.subcode = error.subcode;
    failure.error.message = "graph " + std::to_string(error.code) +
                            (error.subcode != 0 ? "/" + std::to_string(error.subcode) : "") + ": " +
                            error.message;
    failure.rate_limited = IsRateLimitCode(error.code);
    const bool transient = !IsPermanentCode(error.code) &&
                           (failure.rate_limited || IsTemporaryCode(error.code) ||
                            response.http_status >= 500 || response.http_status == 429);
    // A documented permanent code wins over a 5xx wrapper: retrying cannot open a window.
    failure.kind = transient ? FailureKind::kTransient : FailureKind::kPermanent;
    return failure;
  }
  failure.error.message =
      "graph answered HTTP " + std::to_string(response.http_status) + " without an error object";
  failure.rate_limited = response.http_status == 429;
  failure.kind = response.http_status >= 500 || response.http_status == 429
                     ? FailureKind::kTransient
                     : FailureKind::kPermanent;
  return failure;
}

SendFailure ClassifyTransportError(const Status& status) {
  SendFailure failure;
  failure.kind = FailureKind::kTransient;
  failure.error.message = status.message();
  return failure;
}

}  // namespace atalaya::channels
