#pragma once
// Status and Result<T>: how every module reports errors on the request path.
//
// Errors are values, never exceptions: the throwing libraries (nlohmann/json, yaml-cpp,
// SQLiteCpp) are wrapped at the module edge and turned into a Status. A Status carries a
// code (what kind of failure, which the HTTP layer maps to a status in one function) and a
// human message (what exactly went wrong, shown to operators and API clients).
// Both types are plain values: copy them freely, share them across threads read-only.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace atalaya {

enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,     // the input is malformed (400)
  kUnauthenticated,     // missing or wrong credentials/signature (401)
  kPermissionDenied,    // credentials fine, action refused (403)
  kNotFound,            // (404)
  kAlreadyExists,       // a unique key already holds this (409)
  kPayloadTooLarge,     // over a size limit (413)
  kFailedPrecondition,  // valid input the current state refuses, e.g. a closed window (422)
  kResourceExhausted,   // rate limited or over capacity (429/503)
  kUnavailable,         // temporarily cannot serve; retry later (503)
  kDeadlineExceeded,    // took too long (504/503)
  kInternal,            // a broken invariant or an unexpected library failure (500)
};

// Stable snake_case name used in JSON error bodies and logs.
const char* ErrorCodeName(ErrorCode code);

class Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid_argument: message"
  std::string ToString() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
inline Status Unauthenticated(std::string m) { return {ErrorCode::kUnauthenticated, std::move(m)}; }
inline Status PermissionDenied(std::string m) {
  return {ErrorCode::kPermissionDenied, std::move(m)};
}
inline Status NotFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {ErrorCode::kAlreadyExists, std::move(m)}; }
inline Status PayloadTooLarge(std::string m) { return {ErrorCode::kPayloadTooLarge, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {ErrorCode::kFailedPrecondition, std::move(m)};
}
inline Status ResourceExhausted(std::string m) {
  return {ErrorCode::kResourceExhausted, std::move(m)};
}
inline Status Unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
inline Status DeadlineExceeded(std::string m) {
  return {ErrorCode::kDeadlineExceeded, std::move(m)};
}
inline Status Internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }

// Either a value or a non-OK Status.
template <typename T>
class Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(data_).ok() && "Result built from an OK Status");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(data_);
  }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace atalaya
