#pragma once
// Config: the daemon's settings, read from one YAML file, then `ATALAYA_*` environment
// variables, then command-line flags (each overriding the one before), over the defaults
// written beside each field.
//
// Loading is strict: an unknown key (with the nearest valid one suggested), a wrong type, a
// value out of bounds or a secret that cannot be read is an error with `file:line:column`;
// every error is collected, not only the first. Secrets are written `{env: NAME}`,
// `{file: PATH}` or `{credential: NAME}` and resolved at load; their values are never logged.
// A Config is a plain value: load once, then share it read-only.

#include <cstdint>
#include <map>
#include <string>
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
};

struct ChannelConfig {
  std::vector<MetaAccount> accounts;
  std::string graph_base_url = "https://graph.facebook.com";  // tests point it at a fake
  std::string api_version = "v21.0";
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
    int keep_alive_max_count = 1000;              // requests per keep-alive connection
    int keep_alive_timeout_ms = 5000;
    std::string tls_cert_file;                    // both set → HTTPS directly
    std::string tls_key_file;
  } server;

  struct Store {
    std::string state_dir = "/var/lib/atalaya";   // database, lock file, media
    std::string synchronous = "full";             // "full" | "normal"
    int max_waiting_writes = 4096;                // more waiting → 503
    int commit_timeout_ms = 5000;                 // slower commits → 503
  } store;

  struct Retention {
    int inbox_body_days = 30;  // raw webhook bodies kept this long
    int dedup_key_days = 8;    // delivery keys kept at least this long (WhatsApp retries 7 days)
  } retention;

  struct Log {
    std::string level = "info";  // "debug" | "info" | "warn" | "error"
  } log;

  struct Admin {
    std::string token;  // bearer token for the admin API; a secret
  } admin;

  std::string site_dir;  // the site (rules, templates) this daemon serves; may be ""

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
  std::string ToString() const;  // "file:line:column: message", or "ATALAYA_X: message"
};

struct ConfigLoad {
  Config config;
  std::vector<ConfigError> errors;  // empty = usable
};

// Reads `path`, applies environment variables from `environ_vars` (NAME=VALUE strings, usually
// the process environment) and `flag_overrides` (setting path → value, e.g. "server.listen"),
// resolves secrets and relative paths. Never throws.
ConfigLoad LoadConfig(const std::string& path, const std::vector<std::string>& environ_vars,
                      const std::map<std::string, std::string>& flag_overrides);

}  // namespace atalaya::daemon
