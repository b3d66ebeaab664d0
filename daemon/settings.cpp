#include "daemon/settings.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

namespace atalaya::daemon {
namespace {

constexpr std::string_view kEnvPrefix = "ATALAYA_";

std::string CheckListen(std::string_view text) {
  auto parsed = ParseListenAddress(text);
  return parsed.ok() ? "" : parsed.status().message();
}

std::string CheckUrl(std::string_view text) {
  bool http = text.starts_with("http://") || text.starts_with("https://");
  std::size_t scheme = text.find("://") + 3;
  if (!http || text.size() <= scheme || text.find_first_of(" \t\r\n") != std::string_view::npos) {
    return "expected an http:// or https:// URL";
  }
  if (text.ends_with("/")) return "write the URL without a trailing slash";
  return "";
}

std::string CheckApiVersion(std::string_view text) {
  // "v21.0": a 'v', digits, a dot, digits.
  std::size_t dot = text.find('.');
  auto digits = [](std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (text.size() < 4 || text[0] != 'v' || dot == std::string_view::npos ||
      !digits(text.substr(1, dot - 1)) || !digits(text.substr(dot + 1))) {
    return "expected a Graph API version like v21.0";
  }
  return "";
}

std::string CheckNotEmpty(std::string_view text) { return text.empty() ? "must not be empty" : ""; }

// WhatsApp template names are lower-case letters, digits and underscores (at most 512).
std::string CheckTemplateName(std::string_view text) {
  bool ok = text.size() <= 512 && std::all_of(text.begin(), text.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
            });
  return ok ? "" : "expected a WhatsApp template name (lower-case letters, digits and _)";
}

template <typename Member>
FieldAccessor Field(Member Config::*group, std::string Member::*member) {
  return [group, member](Config& c, std::size_t) -> FieldRef { return &(c.*group.*member); };
}
template <typename Member>
FieldAccessor Field(Member Config::*group, int Member::*member) {
  return [group, member](Config& c, std::size_t) -> FieldRef { return &(c.*group.*member); };
}
template <typename Member>
FieldAccessor Field(Member Config::*group, int64_t Member::*member) {
  return [group, member](Config& c, std::size_t) -> FieldRef { return &(c.*group.*member); };
}

Setting Int(std::string path, int64_t min, int64_t max, std::string doc, FieldAccessor field) {
  Setting s;
  s.path = std::move(path);
  s.type = SettingType::kInt;
  s.min = min;
  s.max = max;
  s.doc = std::move(doc);
  s.field = std::move(field);
  return s;
}

Setting Text(std::string path, SettingType type, std::string doc, FieldAccessor field,
             std::function<std::string(std::string_view)> check = nullptr) {
  Setting s;
  s.path = std::move(path);
  s.type = type;
  s.doc = std::move(doc);
  s.field = std::move(field);
  s.check = std::move(check);
  return s;
}

Setting Enum(std::string path, std::vector<std::string> allowed, std::string doc,
             FieldAccessor field) {
  Setting s = Text(std::move(path), SettingType::kEnum, std::move(doc), std::move(field));
  s.allowed = std::move(allowed);
  return s;
}

Setting Required(Setting s) {
  s.required = true;
  return s;
}

struct ChannelInfo {
  const char* name;
  const char* id_doc;
  ChannelConfig Config::*member;
};
constexpr ChannelInfo kChannels[] = {
    {"whatsapp", "the WhatsApp phone_number_id", &Config::whatsapp},
    {"messenger", "the Facebook Page id", &Config::messenger},
    {"instagram", "the Instagram account id", &Config::instagram},
};

FieldAccessor AccountField(ChannelConfig Config::*channel, std::string MetaAccount::*member) {
  return [channel, member](Config& c, std::size_t account) -> FieldRef {
    auto& accounts = (c.*channel).accounts;
    if (accounts.size() <= account) accounts.resize(account + 1);
    return &(accounts[account].*member);
  };
}

FieldAccessor ChannelField(ChannelConfig Config::*channel, std::string ChannelConfig::*member) {
  return [channel, member](Config& c, std::size_t) -> FieldRef { return &(c.*channel.*member); };
}

// The sender worker's settings; the rate limits default to PLATFORMS.md's figures.
void AddOutboundSettings(std::vector<Setting>& t) {
  using O = Config::Outbound;
  auto retry = [](auto member) -> FieldAccessor {
    return [member](Config& c, std::size_t) -> FieldRef { return &(c.outbound.retry.*member); };
  };
  auto limit = [](auto member) -> FieldAccessor {
    return
        [member](Config& c, std::size_t) -> FieldRef { return &(c.outbound.rate_limits.*member); };
  };
  t.push_back(Int("outbound.concurrency", 1, 64, "outbound sends in flight at once",
                  [](Config& c, std::size_t) -> FieldRef { return &c.outbound.concurrency; }));
  t.push_back(Int("outbound.retry.max_attempts", 1, 100,
                  "attempts before a transiently failing message is marked failed",
                  retry(&O::Retry::max_attempts)));
  t.push_back(Int("outbound.retry.base_delay_ms", 10, 3'600'000,
                  "wait before the first retry; it doubles at each attempt, with jitter",
                  retry(&O::Retry::base_delay_ms)));
  t.push_back(Int("outbound.retry.max_delay_ms", 10, 86'400'000,
                  "the longest wait between two attempts (a platform's Retry-After may be longer)",
                  retry(&O::Retry::max_delay_ms)));
  t.push_back(Int("outbound.rate_limits.messenger_per_page_per_second", 0, 100'000,
                  "Messenger Send API calls per second per Page (0 = no limit of ours)",
                  limit(&O::RateLimits::messenger_per_page_per_second)));
  t.push_back(Int("outbound.rate_limits.instagram_per_account_per_second", 0, 100'000,
                  "Instagram Send API calls per second per account (0 = no limit of ours)",
                  limit(&O::RateLimits::instagram_per_account_per_second)));
  t.push_back(Int("outbound.rate_limits.private_replies_per_hour", 0, 1'000'000,
                  "private replies to comments per hour per Page or Instagram account (0 = no "
                  "limit of ours)",
                  limit(&O::RateLimits::private_replies_per_hour)));
  t.push_back(Int("outbound.rate_limits.whatsapp_per_number_per_second", 0, 100'000,
                  "WhatsApp calls per second per phone number (0 = no limit of ours)",
                  limit(&O::RateLimits::whatsapp_per_number_per_second)));
  t.push_back(Int("outbound.rate_limits.whatsapp_recipient_interval_ms", 0, 3'600'000,
                  "least time between two WhatsApp messages to the same customer (0 = no "
                  "limit of ours)",
                  limit(&O::RateLimits::whatsapp_recipient_interval_ms)));
}

std::vector<Setting> BuildSettings() {
  using C = Config;
  std::vector<Setting> t;
  t.push_back(Text("server.listen", SettingType::kString,
                   "public webhook address, HOST:PORT (port 0 = any free port)",
                   Field(&C::server, &C::Server::listen), CheckListen));
  t.push_back(Text("server.admin_listen", SettingType::kString,
                   "address of /metrics, /readyz and the admin API; keep it private",
                   Field(&C::server, &C::Server::admin_listen), CheckListen));
  t.push_back(Int("server.threads", 1, 1024, "HTTP worker threads",
                  Field(&C::server, &C::Server::threads)));
  t.push_back(Int("server.max_body_bytes", 1024, int64_t{1} << 30,
                  "largest accepted request body; larger ones get 413",
                  Field(&C::server, &C::Server::max_body_bytes)));
  t.push_back(Int("server.read_timeout_ms", 100, 600000, "time allowed to read a request",
                  Field(&C::server, &C::Server::read_timeout_ms)));
  t.push_back(Int("server.write_timeout_ms", 100, 600000, "time allowed to write a response",
                  Field(&C::server, &C::Server::write_timeout_ms)));
  t.push_back(Int("server.keep_alive_max_count", 1, 1000000,
                  "requests served on one keep-alive connection before it is closed",
                  Field(&C::server, &C::Server::keep_alive_max_count)));
  t.push_back(Int("server.keep_alive_timeout_ms", 100, 600000,
                  "idle time before a keep-alive connection is closed",
                  Field(&C::server, &C::Server::keep_alive_timeout_ms)));
  t.push_back(Text("server.tls_cert_file", SettingType::kPath,
                   "PEM certificate chain; with tls_key_file, serve HTTPS directly (\"\" = off)",
                   Field(&C::server, &C::Server::tls_cert_file)));
  t.push_back(Text("server.tls_key_file", SettingType::kPath,
                   "PEM private key for tls_cert_file (\"\" = off)",
                   Field(&C::server, &C::Server::tls_key_file)));
  t.push_back(Text("store.state_dir", SettingType::kPath,
                   "folder of the database, the lock file and media",
                   Field(&C::store, &C::Store::state_dir), CheckNotEmpty));
  t.push_back(
      Enum("store.synchronous", {"full", "normal"},
           "full: acknowledged webhooks survive power loss; normal: faster, may lose the last "
           "commits",
           Field(&C::store, &C::Store::synchronous)));
  t.push_back(Int("store.max_waiting_writes", 1, 1000000,
                  "webhooks waiting for a commit before new ones get 503",
                  Field(&C::store, &C::Store::max_waiting_writes)));
  t.push_back(Int("store.commit_timeout_ms", 10, 600000,
                  "a commit slower than this makes new webhooks get 503",
                  Field(&C::store, &C::Store::commit_timeout_ms)));
  t.push_back(Int("store.max_pending_keys", 1000, 10000000,
                  "dedup keys of acknowledged, not yet processed webhooks kept in memory",
                  Field(&C::store, &C::Store::max_pending_keys)));
  t.push_back(Int("retention.inbox_body_days", 1, 3650, "days raw webhook bodies are kept",
                  Field(&C::retention, &C::Retention::inbox_body_days)));
  t.push_back(Int("retention.dedup_key_days", 8, 3650,
                  "days delivery keys are kept for dedup (WhatsApp retries for 7 days)",
                  Field(&C::retention, &C::Retention::dedup_key_days)));
  t.push_back(Enum("media.enabled", {"true", "false"},
                   "download the attachments of received messages into <state_dir>/media",
                   Field(&C::media, &C::Media::enabled)));
  t.push_back(Int("media.max_bytes", 1024, int64_t{1} << 30,
                  "largest attachment downloaded; larger ones are recorded as failed (too_large)",
                  Field(&C::media, &C::Media::max_bytes)));
  t.push_back(Int("media.concurrency", 1, 16, "downloads in flight at once",
                  Field(&C::media, &C::Media::concurrency)));
  t.push_back(Int("media.max_attempts", 1, 100,
                  "attempts per attachment when the platform keeps failing (5xx, timeouts)",
                  Field(&C::media, &C::Media::max_attempts)));
  t.push_back(Enum("log.level", {"debug", "info", "warn", "error"},
                   "least severe level written; SIGHUP re-reads it",
                   Field(&C::log, &C::Log::level)));
  t.push_back(Required(Text("admin.token", SettingType::kSecret, "bearer token of the admin API",
                            Field(&C::admin, &C::Admin::token))));
  t.push_back(Text("site_dir", SettingType::kPath,
                   "the site (rules, templates) served; default: the config file's folder",
                   [](Config& c, std::size_t) -> FieldRef { return &c.site_dir; }));
  AddOutboundSettings(t);
  for (const ChannelInfo& ch : kChannels) {
    std::string base = std::string("channels.") + ch.name;
    t.push_back(Text(base + ".graph_base_url", SettingType::kString,
                     "Graph API base URL (tests point it at a fake)",
                     ChannelField(ch.member, &ChannelConfig::graph_base_url), CheckUrl));
    t.push_back(Text(base + ".api_version", SettingType::kString, "Graph API version",
                     ChannelField(ch.member, &ChannelConfig::api_version), CheckApiVersion));
    t.push_back(Text(base + ".app_id", SettingType::kString,
                     "your Meta app's id: echoes of its own sends are dropped (\"\" = none)",
                     ChannelField(ch.member, &ChannelConfig::app_id)));
    std::string acc = base + ".accounts[]";
    t.push_back(Required(Text(acc + ".id", SettingType::kString, ch.id_doc,
                              AccountField(ch.member, &MetaAccount::id))));
    t.push_back(Required(Text(acc + ".app_secret", SettingType::kSecret,
                              "the app secret that signs webhooks (X-Hub-Signature-256)",
                              AccountField(ch.member, &MetaAccount::app_secret))));
    t.push_back(Text(acc + ".previous_app_secret", SettingType::kSecret,
                     "the app secret before a rotation, still accepted (\"\" = none)",
                     AccountField(ch.member, &MetaAccount::previous_app_secret)));
    t.push_back(Required(Text(acc + ".verify_token", SettingType::kSecret,
                              "the token Meta's verification handshake must present",
                              AccountField(ch.member, &MetaAccount::verify_token))));
    t.push_back(Text(acc + ".access_token", SettingType::kSecret,
                     "Graph API token for sending (\"\" = receive only)",
                     AccountField(ch.member, &MetaAccount::access_token)));
    if (ch.member == &Config::whatsapp) {
      t.push_back(Text(acc + ".reengagement_template", SettingType::kString,
                       "approved template a refused send outside the 24-hour window names (\"\" "
                       "= none)",
                       AccountField(ch.member, &MetaAccount::reengagement_template),
                       CheckTemplateName));
    }
  }
  return t;
}

std::vector<SettingList> BuildLists() {
  std::vector<SettingList> lists;
  for (const ChannelInfo& ch : kChannels) {
    auto member = ch.member;
    lists.push_back({std::string("channels.") + ch.name + ".accounts",
                     [member](const Config& c) { return (c.*member).accounts.size(); }});
  }
  return lists;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> Split(std::string_view s, std::string_view sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t at = s.find(sep, start);
    parts.emplace_back(s.substr(start, at - start));
    if (at == std::string_view::npos) break;
    start = at + sep.size();
  }
  return parts;
}

std::optional<std::size_t> ParseIndex(std::string_view s) {
  std::size_t value = 0;
  if (s.empty() || s.size() > 6) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

// Matches `segments` (already split, a list index as its own segment) against a setting path.
std::optional<SettingRef> MatchSegments(const std::vector<std::string>& segments) {
  for (const Setting& s : Settings()) {
    std::vector<std::string> want = Split(s.path, ".");
    std::size_t i = 0;
    std::size_t account = 0;
    bool ok = true;
    for (const std::string& w : want) {
      bool list = w.ends_with("[]");
      std::string name = list ? w.substr(0, w.size() - 2) : w;
      if (i >= segments.size() || segments[i] != name) {
        ok = false;
        break;
      }
      ++i;
      if (list) {
        auto index = i < segments.size() ? ParseIndex(segments[i]) : std::nullopt;
        if (!index) {
          ok = false;
          break;
        }
        account = *index;
        ++i;
      }
    }
    if (ok && i == segments.size()) return SettingRef{&s, account};
  }
  return std::nullopt;
}

}  // namespace

const std::vector<Setting>& Settings() {
  static const std::vector<Setting> kTable = BuildSettings();
  return kTable;
}

const std::vector<SettingList>& SettingLists() {
  static const std::vector<SettingList> kLists = BuildLists();
  return kLists;
}

const Setting* FindSetting(std::string_view path) {
  for (const Setting& s : Settings()) {
    if (s.path == path) return &s;
  }
  return nullptr;
}

std::string EnvVarName(const Setting& setting, std::size_t account) {
  std::string name(kEnvPrefix);
  bool first = true;
  for (const std::string& segment : Split(setting.path, ".")) {
    if (!first) name += "__";
    first = false;
    if (segment.ends_with("[]")) {
      name += Upper(segment.substr(0, segment.size() - 2)) + "__" + std::to_string(account);
    } else {
      name += Upper(segment);
    }
  }
  return name;
}

std::optional<SettingRef> SettingFromEnvVar(std::string_view name) {
  if (!name.starts_with(kEnvPrefix)) return std::nullopt;
  std::vector<std::string> segments = Split(name.substr(kEnvPrefix.size()), "__");
  for (std::string& segment : segments) {
    for (char& c : segment) {
      // Upper case only: "ATALAYA_server__listen" is not the documented spelling.
      if (std::islower(static_cast<unsigned char>(c))) return std::nullopt;
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return MatchSegments(segments);
}

std::optional<SettingRef> SettingFromPath(std::string_view path) {
  std::vector<std::string> segments;
  for (std::string& part : Split(path, ".")) {
    std::size_t bracket = part.find('[');
    if (bracket != std::string::npos && part.ends_with("]")) {
      segments.push_back(part.substr(0, bracket));
      segments.push_back(part.substr(bracket + 1, part.size() - bracket - 2));
    } else {
      segments.push_back(std::move(part));
    }
  }
  return MatchSegments(segments);
}

std::string SettingValueText(const Setting& setting, const Config& config, std::size_t account) {
  if (setting.type == SettingType::kSecret) return "";
  Config copy = config;  // the accessor takes a mutable Config (it grows lists)
  FieldRef ref = setting.field(copy, account);
  if (auto* s = std::get_if<std::string*>(&ref)) return **s;
  if (auto* i = std::get_if<int*>(&ref)) return std::to_string(**i);
  return std::to_string(*std::get<int64_t*>(ref));
}

std::string DescribeType(const Setting& setting) {
  switch (setting.type) {
    case SettingType::kString:
      return "a string";
    case SettingType::kInt:
      return "an integer from " + std::to_string(setting.min) + " to " +
             std::to_string(setting.max);
    case SettingType::kEnum: {
      std::string out = "one of";
      for (std::size_t i = 0; i < setting.allowed.size(); ++i) {
        out += (i == 0 ? " " : ", ") + setting.allowed[i];
      }
      return out;
    }
    case SettingType::kPath:
      return "a path";
    case SettingType::kSecret:
      return "a secret ({env: NAME}, {file: PATH} or {credential: NAME})";
  }
  return "a string";
}

std::size_t EditDistance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

std::optional<std::string> NearestName(std::string_view name,
                                       const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const std::string& candidate : candidates) {
    std::size_t d = EditDistance(name, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  // Beyond this the "suggestion" would be noise ("foo" → "log").
  if (!best || best_distance > std::max<std::size_t>(2, best->size() / 2)) return std::nullopt;
  return best;
}

}  // namespace atalaya::daemon
