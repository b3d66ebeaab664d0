#pragma once
// The process-wide logger: one JSON object per line on stderr (journald and `docker logs`
// keep lines whole), e.g.
//
//   {"ts":"2026-11-27T22:41:27.123Z","level":"info","msg":"webhook stored",
//    "channel":"whatsapp","from":"57300*****33","text_len":4}
//
// Fields are typed, and the type decides how a value is printed, so a call site cannot log a
// raw message text, phone number or secret by accident: there is no field that takes "any
// string" unmasked. Pick the helper that says what the value is:
//   log::Id("contact", id)        our ids, names of things, paths (long digit runs masked)
//   log::Hash("version", hex)     a content hash, verbatim when it is only hex digits
//   log::Int("batch", n), log::Bool("tls", on)
//   log::Phone("from", phone)     "57300*****33"
//   log::Document("doc", number)  "*******050"
//   log::Text("text", body)       printed as "text_len": <bytes>, never the text
//   log::Secret("token", value)   "[redacted]" (or "[empty]"), never the value
//   log::Cause(status)            "error": "code: message" with free-text masking
//
// Thread-safety: every function may be called from any thread; lines never interleave. The
// level is an atomic read, and a disabled call formats nothing (fields only hold views of
// their arguments, so they must not outlive the call they are built for). SetLevel is meant
// for start-up and SIGHUP (the daemon re-reads `log.level`). Logging never fails the caller:
// a write error to stderr is ignored.

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "common/clock.h"
#include "common/status.h"

namespace atalaya::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

const char* LevelName(Level level);                      // "debug", "info", "warn", "error"
std::optional<Level> ParseLevel(std::string_view name);  // the inverse; nullopt if unknown

void SetLevel(Level level);
Level GetLevel();
bool Enabled(Level level);

// One key/value pair of a log line. Built only by the helpers below.
class Field {
 public:
  enum class Kind { kId, kHash, kInt, kBool, kPhone, kDocument, kText, kSecret, kCause };

  Kind kind() const { return kind_; }
  std::string_view key() const { return key_; }

 private:
  Field(Kind kind, std::string_view key, std::string_view text, int64_t number = 0)
      : kind_(kind), key_(key), text_(text), number_(number) {}

  friend Field Id(std::string_view, std::string_view);
  friend Field Hash(std::string_view, std::string_view);
  friend Field Int(std::string_view, int64_t);
  friend Field Bool(std::string_view, bool);
  friend Field Phone(std::string_view, std::string_view);
  friend Field Document(std::string_view, std::string_view);
  friend Field Text(std::string_view, std::string_view);
  friend Field Secret(std::string_view, std::string_view);
  friend Field Cause(const Status&);
  friend std::string FormatLine(int64_t, Level, std::string_view, std::span<const Field* const>);

  Kind kind_;
  std::string_view key_;
  std::string_view text_;
  int64_t number_;
  std::string owned_;  // kCause: the formatted status
};

Field Id(std::string_view key, std::string_view value);
Field Hash(std::string_view key, std::string_view hex);
Field Int(std::string_view key, int64_t value);
Field Bool(std::string_view key, bool value);
Field Phone(std::string_view key, std::string_view phone);
Field Document(std::string_view key, std::string_view document);
Field Text(std::string_view key, std::string_view text);  // key becomes "<key>_len"
Field Secret(std::string_view key, std::string_view secret);
Field Cause(const Status& status);  // key "error"

// One complete line (with the trailing newline) for `now_ms` since the epoch. The message
// itself goes through free-text masking too.
std::string FormatLine(int64_t now_ms, Level level, std::string_view msg,
                       std::span<const Field* const> fields);

// Where lines go: stderr by default; tests capture them. nullptr restores stderr.
using Sink = std::function<void(std::string_view line)>;
void SetSink(Sink sink);
// The clock for "ts": the system clock by default; nullptr restores it. Not owned.
void SetClock(const Clock* clock);

// Formats and writes one line (used by the helpers below; call them instead).
void Write(Level level, std::string_view msg, std::span<const Field* const> fields);

template <typename... Fields>
void Log(Level level, std::string_view msg, const Fields&... fields) {
  static_assert((std::is_same_v<Fields, Field> && ...), "log fields are built by log::Id, ...");
  if (!Enabled(level)) return;
  const Field* list[] = {&fields..., nullptr};
  Write(level, msg, std::span<const Field* const>(list, sizeof...(fields)));
}

template <typename... Fields>
void Debug(std::string_view msg, const Fields&... fields) {
  Log(Level::kDebug, msg, fields...);
}
template <typename... Fields>
void Info(std::string_view msg, const Fields&... fields) {
  Log(Level::kInfo, msg, fields...);
}
template <typename... Fields>
void Warn(std::string_view msg, const Fields&... fields) {
  Log(Level::kWarn, msg, fields...);
}
template <typename... Fields>
void Error(std::string_view msg, const Fields&... fields) {
  Log(Level::kError, msg, fields...);
}

}  // namespace atalaya::log
