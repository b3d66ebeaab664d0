#pragma once
// DaemonApp: the running daemon — store, ingest, sender and media workers, public and admin
// HTTP servers —
// started as an ordered list of steps and torn down in reverse, whatever step failed.
//
// Threads: Start(), Reload(), Maintain() and Shutdown() are called from the one control
// thread (serve_command's loop); the components run their own threads.

#include <memory>
#include <string>
#include <vector>

#include "channels/graph_client.h"
#include "common/clock.h"
#include "daemon/admin_routes.h"
#include "daemon/config.h"
#include "daemon/http_server.h"
#include "daemon/ingest_worker.h"
#include "daemon/media_worker.h"
#include "daemon/mention_enricher.h"
#include "daemon/metrics.h"
#include "daemon/sender_worker.h"
#include "daemon/site_rules.h"
#include "daemon/state_lock.h"
#include "daemon/systemd_notify.h"
#include "daemon/webhook_routes.h"
#include "store/store.h"

namespace atalaya::daemon {

struct ServeOptions {
  std::string config_path;
  std::map<std::string, std::string> flag_overrides;  // setting path → value
  std::string port_file;                              // written with the public port once listening
  std::string admin_port_file;                        // written with the admin port once listening
  int64_t shutdown_timeout_ms = 20'000;
};

class DaemonApp {
 public:
  DaemonApp(Config config, ServeOptions options, const Clock& clock);
  ~DaemonApp();

  // Takes the state lock, opens the store, starts ingest (which first takes up rows left by
  // a crash) and both listeners. On error the parts already started are stopped again.
  Status Start();
  // Applies a freshly loaded config: secrets, log level and the site's rules now (a rule set
  // with errors is refused and the running one stays); what needs a restart (listeners, TLS,
  // state directory, the outbound section) is reported and left as it is. WhatsApp
  // re-engagement template names apply at once. Returns the problems to log.
  struct ReloadReport {
    std::vector<std::string> needs_restart;  // setting names
    std::vector<std::string> rule_errors;    // "file:line:column: message"
  };
  ReloadReport Reload(const Config& fresh);
  // Periodic duties: retention pruning and the systemd watchdog.
  void Maintain();
  // Not ready → stop accepting → finish in-flight requests → drain the ingest backlog
  // within the deadline → stop. Returns true when the backlog was emptied.
  bool Shutdown();

  int public_port() const { return public_server_ ? public_server_->port() : 0; }
  int admin_port() const { return admin_server_ ? admin_server_->port() : 0; }

 private:
  // The configured Graph token of one of our accounts ("" when none); any thread.
  std::string AccessToken(Channel channel, const std::string& account_id);
  // The same for reading Instagram mentions: "" also when the channel has no Graph base URL.
  std::string MentionToken(Channel channel, const std::string& account_id);
  std::string ReengagementTemplate(const std::string& account_id);  // WhatsApp number
  // The admin API's bearer token as configured now; any thread.
  std::string AdminToken();
  // <state_dir>/media, and the media worker over it (when media.enabled).
  std::string MediaDir() const;
  Status StartMedia();

  Config config_;
  ServeOptions options_;
  const Clock& clock_;
  SystemdNotifier notifier_;
  Metrics metrics_;
  std::unique_ptr<SiteRules> rules_;
  std::unique_ptr<StateLock> lock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<IngestWorker> ingest_;
  std::unique_ptr<channels::GraphClient> graph_;
  std::unique_ptr<SenderWorker> sender_;
  std::unique_ptr<channels::MediaFetcher> media_fetcher_;
  std::unique_ptr<MediaWorker> media_;  // null when media.enabled is false
  std::unique_ptr<MentionEnricher> mentions_;
  std::mutex tokens_mutex_;  // the sender reads account tokens; a reload replaces them
  std::unique_ptr<WebhookRoutes> webhooks_;
  std::unique_ptr<AdminRoutes> admin_;
  std::unique_ptr<HttpServer> public_server_;
  std::unique_ptr<HttpServer> admin_server_;
  int64_t watchdog_interval_ms_ = 0;
  int64_t last_watchdog_ms_ = 0;
  int64_t last_prune_ms_ = 0;
};

}  // namespace atalaya::daemon
