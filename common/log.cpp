#include "common/log.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "common/mask.h"

namespace atalaya::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};

struct Output {
  std::mutex mu;  // one line at a time; also guards sink and clock
  Sink sink;
  const Clock* clock = nullptr;
};
Output& GetOutput() {
  static Output* output = new Output;  // never destroyed: threads may log during exit
  return *output;
}

void WriteStderr(std::string_view line) {
  while (!line.empty()) {
    ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to report it; logging never fails the caller
    line.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not valid.
std::size_t Utf8Length(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  auto cont = [&](std::size_t k) { return k < s.size() && (byte(k) & 0xC0) == 0x80; };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(i + 1) || !cont(i + 2)) return 0;
    unsigned char c1 = byte(i + 1);
    if (c == 0xE0 && c1 < 0xA0) return 0;  // overlong
    if (c == 0xED && c1 > 0x9F) return 0;  // UTF-16 surrogates
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    unsigned char c1 = byte(i + 1);
    if (c == 0xF0 && c1 < 0x90) return 0;  // overlong
    if (c == 0xF4 && c1 > 0x8F) return 0;  // beyond U+10FFFF
    return 4;
  }
  return 0;
}

// Appends `s` as a JSON string: control characters escaped, invalid UTF-8 replaced by U+FFFD
// so the line always parses.
void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    char c = s[i];
    switch (c) {
      case '"':
        out += "\\\"";
        ++i;
        continue;
      case '\\':
        out += "\\\\";
        ++i;
        continue;
      case '\n':
        out += "\\n";
        ++i;
        continue;
      case '\r':
        out += "\\r";
        ++i;
        continue;
      case '\t':
        out += "\\t";
        ++i;
        continue;
      default:
        break;
    }
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", u);
      out += buf;
      ++i;
      continue;
    }
    std::size_t len = Utf8Length(s, i);
    if (len == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    out.append(s.substr(i, len));
    i += len;
  }
  out += '"';
}

void AppendTimestamp(std::string& out, int64_t now_ms) {
  std::time_t secs = static_cast<std::time_t>(now_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];  // roomy: GCC cannot see that the fields are small
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(now_ms % 1000));
  out += buf;
}

}  // namespace

const char* LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

std::optional<Level> ParseLevel(std::string_view name) {
  for (Level l : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    if (name == LevelName(l)) return l;
  }
  return std::nullopt;
}

void SetLevel(Level level) { g_level.store(static_cast<int>(level), std::memory_order_relaxed); }
Level GetLevel() { return static_cast<Level>(g_level.load(std::memory_order_relaxed)); }
bool Enabled(Level level) {
  return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

Field Id(std::string_view key, std::string_view value) { return {Field::Kind::kId, key, value}; }
Field Hash(std::string_view key, std::string_view hex) { return {Field::Kind::kHash, key, hex}; }
Field Int(std::string_view key, int64_t value) { return {Field::Kind::kInt, key, {}, value}; }
Field Bool(std::string_view key, bool value) { return {Field::Kind::kBool, key, {}, value}; }
Field Phone(std::string_view key, std::string_view phone) {
  return {Field::Kind::kPhone, key, phone};
}
Field Document(std::string_view key, std::string_view document) {
  return {Field::Kind::kDocument, key, document};
}
Field Text(std::string_view key, std::string_view text) {
  return {Field::Kind::kText, key, {}, static_cast<int64_t>(text.size())};
}
Field Secret(std::string_view key, std::string_view secret) {
  return {Field::Kind::kSecret, key, {}, secret.empty() ? 0 : 1};  // only "is it set"
}
Field Cause(const Status& status) {
  Field f(Field::Kind::kCause, "error", {});
  f.owned_ = status.ToString();
  return f;
}

std::string FormatLine(int64_t now_ms, Level level, std::string_view msg,
                       std::span<const Field* const> fields) {
  std::string out = "{\"ts\":\"";
  AppendTimestamp(out, now_ms);
  out += "\",\"level\":\"";
  out += LevelName(level);
  out += "\",\"msg\":";
  AppendJsonString(out, MaskFreeText(msg));
  for (const Field* f : fields) {
    out += ',';
    if (f->kind_ == Field::Kind::kText) {
      AppendJsonString(out, std::string(f->key_) + "_len");
    } else {
      AppendJsonString(out, f->key_);
    }
    out += ':';
    switch (f->kind_) {
      case Field::Kind::kId:
        AppendJsonString(out, MaskFreeText(f->text_));
        break;
      case Field::Kind::kHash: {
        // Only hex digits: a digest carries nothing personal, and operators compare it whole.
        const bool hex = f->text_.find_first_not_of("0123456789abcdef") == std::string_view::npos;
        AppendJsonString(out, hex ? std::string(f->text_) : MaskFreeText(f->text_));
        break;
      }
      case Field::Kind::kInt:
      case Field::Kind::kText:
        out += std::to_string(f->number_);
        break;
      case Field::Kind::kBool:
        out += f->number_ != 0 ? "true" : "false";
        break;
      case Field::Kind::kPhone:
        AppendJsonString(out, MaskPhone(f->text_));
        break;
      case Field::Kind::kDocument:
        AppendJsonString(out, MaskDocument(f->text_));
        break;
      case Field::Kind::kSecret:
        AppendJsonString(out, f->number_ != 0 ? kRedacted : "[empty]");
        break;
      case Field::Kind::kCause:
        AppendJsonString(out, MaskFreeText(f->owned_));
        break;
    }
  }
  out += "}\n";
  return out;
}

void SetSink(Sink sink) {
  Output& o = GetOutput();
  std::lock_guard<std::mutex> lock(o.mu);
  o.sink = std::move(sink);
}

void SetClock(const Clock* clock) {
  Output& o = GetOutput();
  std::lock_guard<std::mutex> lock(o.mu);
  o.clock = clock;
}

void Write(Level level, std::string_view msg, std::span<const Field* const> fields) {
  static const SystemClock kSystemClock;
  Output& o = GetOutput();
  std::lock_guard<std::mutex> lock(o.mu);
  const Clock& clock = o.clock != nullptr ? *o.clock : kSystemClock;
  std::string line = FormatLine(clock.NowMs(), level, msg, fields);
  if (o.sink) {
    o.sink(line);
  } else {
    WriteStderr(line);
  }
}

}  // namespace atalaya::log
