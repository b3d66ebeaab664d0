#pragma once
// Config: the daemon's settings, read from one YAML file, then `ATALAYA_*` environment
// variables, then command-line flags (each overriding the one before), over the defaults
// written beside each field.
//
// Loading is strict: an unknown key (with the nearest valid one suggested), a wrong type, a
// value out of bounds or a secret that cannot be read is an error with `file:line:column`;
// every error is collected, not only the first. Secrets are written `{env: NAME}`,
// `{file: PATH}` or `{credential: NAME}` and resolved at load; their values are never logged
// nor quoted in errors. `admin.token` is required, and every channel account needs `id`,
// `app_secret` and `verify_token`: a config without them does not load.
// A Config is a plain value: load once, then share it read-only. The table of settings
// (names, bounds, documentation, environment names) is in settings.h.
//
// Where relative paths resolve: values from the file against the file's folder; values from
// environment variables and flags against the current working directory (where they were
// typed). `site_dir` defaults to the config file's folder. After loading, every path in a
// Config is absolute.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace atalaya::daemon {

// One Meta account (a WhatsApp phone number, a Facebook Page or an Instagram account).
struct MetaAccount {
  std::string id;                   // phone_number_id / Page id / Instagram account id
  std::string app_secret;           // signs webhooks (X-Hub-Signature-256)
  std::string previous_app_secret;  // still accepted while a rotation is under way; may be ""
  std::string verify_token;         // the GET handshake's hub.verify_token
  std::string access_token;         // for the Graph API (sending, media); may be ""
  // WhatsApp only: the approved template a refused free-form send names (templates belong
  // to the number's business account, so each number has its own); may be "".
  std::string reengagement_template;
};

struct ChannelConfig {
  std::vector<MetaAccount> accounts;
  std::string graph_base_url = "https://graph.facebook.com";  // tests point it at a fake
  std::string api_version = "v21.0";
  std::string app_id;  // our Meta app: echoes of its own sends are dropped, not recorded
};

struct Config {
  std::string source_path;  // the file it was read from; relative paths resolve beside it

  struct Server {
    std::string listen = "127.0.0.1:8080";        // public webhooks
    std::string admin_listen = "127.0.0.1:9090";  // /metrics, /readyz, admin API
    int threads = 64;                             // HTTP worker threads
    int64_t max_body_bytes = 8 * 1024 * 1024;     // larger → 413 (Meta batches reach a few MB)
    int read_timeout_ms = 5000;
    int write_timeout_ms = 5000;
    int keep_alive_max_count = 1000;  // requests per keep-alive connection
    int keep_alive_timeout_ms = 5000;
    std::string tls_cert_file;  // both set → HTTPS directly
    std::string tls_key_file;
  } server;

  struct Store {
    std::string state_dir = "/var/lib/atalaya";     // database, lock file, media
    std::string synchronous = "full";               // "full" | "normal"
    int max_waiting_writes = 4096;                  // more waiting → 503
    int commit_timeout_ms = 5000;                   // slower commits → 503
    int max_pending_keys = 200000;                  // dedup keys of unprocessed rows in memory
    bool operator==(const Store&) const = default;  // a reload compares the sections
  } store;

  struct Retention {
    int inbox_body_days = 30;  // raw webhook bodies kept this long
    int dedup_key_days = 8;    // delivery keys kept at least this long (WhatsApp retries 7 days)
  } retention;

  struct Media {
    std::string enabled = "true";                   // "true" | "false": fetch received attachments
    int64_t max_bytes = 100 * 1024 * 1024;          // WhatsApp's largest media (documents): 100 MB
    int concurrency = 2;                            // downloads at once
    int max_attempts = 8;                           // transient failures are retried up to this
    bool operator==(const Media&) const = default;  // a reload compares the sections
  } media;

  struct Log {
    std::string level = "info";  // "debug" | "info" | "warn" | "error"
  } log;

  struct Admin {
    std::string token;  // bearer token for the admin API; a secret
  } admin;

  std::string site_dir;  // the site (rules, templates) this daemon serves; may be ""

  // The sender worker that delivers the outbox (daemon/sender_worker.h).
  struct Outbound {
    int concurrency = 4;  // sends in flight at once
    struct Retry {
      int max_attempts = 8;                // then the message is failed with the last error
      int64_t base_delay_ms = 1000;        // first retry after about this long
      int64_t max_delay_ms = 15 * 60'000;  // the backoff stops doubling here
      bool operator==(const Retry&) const = default;
    } retry;
    // PLATFORMS.md "Rate limits"; 0 = no limit of our own (the platform still has its own).
    struct RateLimits {
      int messenger_per_page_per_second = 300;
      int instagram_per_account_per_second = 300;
      int private_replies_per_hour = 750;  // per Page / Instagram account
      int whatsapp_per_number_per_second = 80;
      int64_t whatsapp_recipient_interval_ms = 6000;  // pair rate: 1 message per 6 s
      bool operator==(const RateLimits&) const = default;
    } rate_limits;
    bool operator==(const Outbound&) const = default;  // a reload compares the sections
  } outbound;

  ChannelConfig whatsapp;
  ChannelConfig messenger;
  ChannelConfig instagram;
};

// One error found while loading: where, and what.
struct ConfigError {
  std::string file;
  int line = 0;    // 1-based; 0 when the error is not in the file (environment, flag)
  int column = 0;  // 1-based
  std::string message;
  // "file:line:column: message"; "file: message" when line is 0 (whole-file checks, and
  // environment variables and flags, whose `file` is "ATALAYA_X" or "flag server.listen").
  std::string ToString() const;
};

struct ConfigLoad {
  Config config;
  std::vector<ConfigError> errors;  // empty = usable
};

// A listen address, `HOST:PORT` or `[IPV6]:PORT`; port 0 asks the kernel for a free one.
struct ListenAddress {
  std::string host;  // without brackets
  int port = 0;
};
// Parses "127.0.0.1:8080", "[::1]:0", "0.0.0.0:443"; an error message otherwise.
Result<ListenAddress> ParseListenAddress(std::string_view text);

// Reads `path`, applies environment variables from `environ_vars` (NAME=VALUE strings, usually
// the process environment) and `flag_overrides` (setting path → value, e.g. "server.listen"),
// resolves secrets and relative paths. Never throws. Errors come in the order found: file
// (document order), environment, flags, then whole-config checks (required secrets, ...).
// Reads files (the config, secret files, credentials) but never binds ports or opens the
// store, so `atalaya check` can call it safely. Thread-safe (no shared state).
ConfigLoad LoadConfig(const std::string& path, const std::vector<std::string>& environ_vars,
                      const std::map<std::string, std::string>& flag_overrides);

// The process environment as NAME=VALUE strings, for LoadConfig and RunCheckCommand.
std::vector<std::string> ProcessEnvironment();

}  // namespace atalaya::daemon
