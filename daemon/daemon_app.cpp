#include "daemon/daemon_app.h"

#include <filesystem>
#include <fstream>

#include "common/log.h"
#include "daemon/media_api.h"
#include "daemon/outbound_api.h"
#include "daemon/sender_config.h"
#include "daemon/webhook_keys.h"

namespace atalaya::daemon {
namespace {

constexpr int64_t kPruneEveryMs = 60 * 60 * 1000;

HttpServerOptions PublicServerOptions(const Config& config) {
  HttpServerOptions o;
  o.listen = config.server.listen;
  o.threads = config.server.threads;
  o.max_body_bytes = config.server.max_body_bytes;
  o.read_timeout_ms = config.server.read_timeout_ms;
  o.write_timeout_ms = config.server.write_timeout_ms;
  o.keep_alive_max_count = config.server.keep_alive_max_count;
  o.keep_alive_timeout_ms = config.server.keep_alive_timeout_ms;
  o.tls_cert_file = config.server.tls_cert_file;
  o.tls_key_file = config.server.tls_key_file;
  return o;
}

channels::MetaParseOptions ParseOptions(const Config& config) {
  channels::MetaParseOptions options;
  for (const ChannelConfig* channel : {&config.whatsapp, &config.messenger, &config.instagram}) {
    if (!channel->app_id.empty()) options.own_app_ids.push_back(channel->app_id);
  }
  return options;
}

// One Graph client serves the three Meta channels, so the channels that have accounts must
// agree on where the Graph API is.
Result<channels::GraphClientOptions> GraphOptions(const Config& config) {
  std::optional<channels::GraphClientOptions> chosen;
  for (const ChannelConfig* channel : {&config.whatsapp, &config.messenger, &config.instagram}) {
    if (channel->accounts.empty()) continue;
    channels::GraphClientOptions options;
    options.base_url = channel->graph_base_url;
    options.api_version = channel->api_version;
    if (chosen &&
        (chosen->base_url != options.base_url || chosen->api_version != options.api_version)) {
      return InvalidArgument(
          "the Meta channels with accounts must share one graph_base_url and api_version (" +
          chosen->base_url + " " + chosen->api_version + " vs " + options.base_url + " " +
          options.api_version + ")");
    }
    chosen = options;
  }
  return chosen.value_or(channels::GraphClientOptions{});
}

HttpServerOptions AdminServerOptions(const Config& config) {
  HttpServerOptions o;
  o.listen = config.server.admin_listen;
  o.threads = 4;
  o.max_body_bytes = 1024 * 1024;
  return o;
}

Status WritePortFile(const std::string& path, int port) {
  if (path.empty()) return Status::Ok();
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << '\n';
    if (!out) return Internal("cannot write port file " + path);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);  // atomic: a reader never sees a half-written file
  if (ec) return Internal("cannot write port file " + path + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

DaemonApp::DaemonApp(Config config, ServeOptions options, const Clock& clock)
    : config_(std::move(config)), options_(std::move(options)), clock_(clock) {}

DaemonApp::~DaemonApp() { Shutdown(); }

Status DaemonApp::Start() {
  rules_ = std::make_unique<SiteRules>(SiteRulesDir(config_));
  if (std::vector<std::string> errors = rules_->Reload(); !errors.empty()) {
    std::string message = "the site's rule set has errors:";
    for (const std::string& e : errors) message += "\n" + e;
    return InvalidArgument(message);
  }
  const std::string& state_dir = config_.store.state_dir;
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec)
    return FailedPrecondition("cannot create state directory " + state_dir + ": " + ec.message());

  auto lock = StateLock::Acquire(state_dir);
  if (!lock.ok()) return lock.status();
  lock_ = std::move(lock).value();

  store::SqliteOptions store_options;
  store_options.path = state_dir + "/atalaya.db";
  store_options.synchronous = config_.store.synchronous == "normal" ? store::Synchronous::kNormal
                                                                    : store::Synchronous::kFull;
  store_options.max_waiting_writes = static_cast<size_t>(config_.store.max_waiting_writes);
  store_options.commit_timeout_ms = config_.store.commit_timeout_ms;
  store_options.max_pending_keys = static_cast<size_t>(config_.store.max_pending_keys);
  auto opened = store::OpenSqliteStore(store_options);
  if (!opened.ok()) return opened.status();
  store_ = std::move(opened).value();

  ingest_ = std::make_unique<IngestWorker>(*store_, metrics_, clock_, *rules_);
  ingest_->SetParseOptions(ParseOptions(config_));
  ingest_->SetAccounts(AccountDirectory::FromConfig(config_));
  ingest_->Start();  // first takes up any rows a crash left unprocessed

  webhooks_ =
      std::make_unique<WebhookRoutes>(*store_, metrics_, clock_, [this] { ingest_->Notify(); });
  webhooks_->SetKeys(BuildWebhookKeys(config_));
  admin_ = std::make_unique<AdminRoutes>(*store_, metrics_, clock_, *rules_);
  admin_->SetAdminToken(config_.admin.token);

  public_server_ = std::make_unique<HttpServer>(PublicServerOptions(config_));
  webhooks_->Register(public_server_->routes());
  public_server_->set_refusal_observer(
      [this](const std::string& path, int status) { webhooks_->CountRefused(path, status); });
  if (Status s = public_server_->Start(); !s.ok()) return s;

  auto graph_options = GraphOptions(config_);
  if (!graph_options.ok()) return graph_options.status();
  auto graph = channels::MakeHttpGraphClient(*graph_options);
  if (!graph.ok()) return graph.status();
  graph_ = std::move(graph).value();
  SenderSettings sender_settings = SenderSettingsFromConfig(config_.outbound);
  sender_settings.whatsapp_reengagement_template = [this](const std::string& account_id) {
    return ReengagementTemplate(account_id);
  };
  sender_ = std::make_unique<SenderWorker>(
      *store_, *graph_, clock_,
      [this](Channel channel, const std::string& account_id) {
        return AccessToken(channel, account_id);
      },
      std::move(sender_settings));
  if (auto recovered = sender_->Recover(); !recovered.ok())
    return recovered.status();
  else if (*recovered > 0) {
    log::Warn(
        "outbound messages were in flight at the last stop; resending them flagged as "
        "possible duplicates",
        log::Int("messages", *recovered));
  }
  sender_->Start();
  if (Status s = StartMedia(); !s.ok()) return s;

  // Mentions arrive as ids only; this worker fetches their text apart from ingestion.
  mentions_ =
      std::make_unique<MentionEnricher>(*store_, *graph_, clock_, *rules_, metrics_,
                                        [this](Channel channel, const std::string& account_id) {
                                          return MentionToken(channel, account_id);
                                        });
  mentions_->Start();

  admin_server_ = std::make_unique<HttpServer>(AdminServerOptions(config_));
  admin_->Register(admin_server_->routes());
  RegisterOutboundApi(admin_server_->routes(), *store_, clock_,
                      OutboundApiOptions{[this] { return AdminToken(); },
                                         [this](const std::string& account_id) {
                                           return ReengagementTemplate(account_id);
                                         },
                                         64 * 1024, [this] { sender_->Wake(); }});
  RegisterMediaApi(admin_server_->routes(), *store_,
                   MediaApiOptions{[this] { return AdminToken(); }, MediaDir()});
  if (Status s = admin_server_->Start(); !s.ok()) return s;

  if (Status s = WritePortFile(options_.port_file, public_server_->port()); !s.ok()) return s;
  if (Status s = WritePortFile(options_.admin_port_file, admin_server_->port()); !s.ok()) return s;

  admin_->SetStarted(true);
  watchdog_interval_ms_ = SystemdNotifier::WatchdogIntervalMs();
  notifier_.Ready("serving webhooks on port " + std::to_string(public_server_->port()));
  log::Info(
      "serving",
      log::Id("listen", public_server_->host() + ":" + std::to_string(public_server_->port())),
      log::Id("admin", admin_server_->host() + ":" + std::to_string(admin_server_->port())),
      log::Id("state_dir", state_dir), log::Hash("rules", rules_->Version()));
  return Status::Ok();
}

std::string DaemonApp::MediaDir() const { return config_.store.state_dir + "/media"; }

Status DaemonApp::StartMedia() {
  if (config_.media.enabled != "true") {
    log::Info("media downloads are off (media.enabled: false)");
    return Status::Ok();
  }
  std::error_code ec;
  std::filesystem::create_directories(MediaDir(), ec);
  if (ec) {
    return FailedPrecondition("cannot create the media folder " + MediaDir() + ": " + ec.message());
  }
  channels::MediaFetcherOptions fetcher_options;
  fetcher_options.max_bytes = config_.media.max_bytes;
  auto fetcher = channels::MakeHttpMediaFetcher(*graph_, fetcher_options);
  if (!fetcher.ok()) return fetcher.status();
  media_fetcher_ = std::move(fetcher).value();
  MediaSettings settings;
  settings.concurrency = config_.media.concurrency;
  settings.retry.max_attempts = config_.media.max_attempts;
  media_ = std::make_unique<MediaWorker>(
      *store_, *media_fetcher_, clock_,
      [this](Channel channel, const std::string& account_id) {
        return AccessToken(channel, account_id);
      },
      MediaDir(), settings, metrics_);
  if (const int removed = media_->RemoveLeftovers(); removed > 0) {
    log::Info("removed media files a stop left half-written", log::Int("files", removed));
  }
  media_->Start();  // first takes up the downloads still pending from before the restart
  return Status::Ok();
}

DaemonApp::ReloadReport DaemonApp::Reload(const Config& fresh) {
  notifier_.Reloading();
  ReloadReport report;
  std::vector<std::string>& needs_restart = report.needs_restart;
  if (fresh.server.listen != config_.server.listen) needs_restart.push_back("server.listen");
  if (fresh.server.admin_listen != config_.server.admin_listen) {
    needs_restart.push_back("server.admin_listen");
  }
  if (fresh.server.tls_cert_file != config_.server.tls_cert_file ||
      fresh.server.tls_key_file != config_.server.tls_key_file) {
    needs_restart.push_back("server.tls_cert_file/tls_key_file");
  }
  // The store is opened once, at start, with all of its settings.
  if (fresh.store.state_dir != config_.store.state_dir) {
    needs_restart.push_back("store.state_dir");
  } else if (fresh.store != config_.store) {
    needs_restart.push_back("store");
  }
  if (fresh.site_dir != config_.site_dir) needs_restart.push_back("site_dir");
  if (fresh.media != config_.media) needs_restart.push_back("media");
  // The sender's threads and limiters are built at start; template names are read at each
  // send and change with the accounts below.
  if (fresh.outbound != config_.outbound) needs_restart.push_back("outbound");

  // What can change while serving: secrets, tokens, log level, retention.
  Config applied = config_;
  applied.whatsapp = fresh.whatsapp;
  applied.messenger = fresh.messenger;
  applied.instagram = fresh.instagram;
  applied.admin = fresh.admin;
  applied.log = fresh.log;
  applied.retention = fresh.retention;
  {
    std::lock_guard lock(tokens_mutex_);
    config_ = std::move(applied);
  }
  if (webhooks_) webhooks_->SetKeys(BuildWebhookKeys(config_));
  if (ingest_) {
    ingest_->SetParseOptions(ParseOptions(config_));
    ingest_->SetAccounts(AccountDirectory::FromConfig(config_));
  }
  if (admin_) admin_->SetAdminToken(config_.admin.token);
  log::SetLevel(log::ParseLevel(config_.log.level).value_or(log::Level::kInfo));
  if (rules_) report.rule_errors = rules_->Reload();
  notifier_.Ready("reloaded");
  return report;
}

void DaemonApp::Maintain() {
  if (!store_) return;
  const int64_t now = clock_.NowMs();
  if (now - last_prune_ms_ >= kPruneEveryMs) {
    last_prune_ms_ = now;
    auto pruned =
        store_->Prune(now, config_.retention.inbox_body_days, config_.retention.dedup_key_days);
    if (!pruned.ok()) {
      log::Warn("retention pruning failed", log::Cause(pruned.status()));
    } else if (*pruned > 0) {
      log::Info("pruned old inbox bodies", log::Int("rows", *pruned));
    }
  }
  if (watchdog_interval_ms_ > 0 && now - last_watchdog_ms_ >= watchdog_interval_ms_ / 2) {
    // Ping only while the writer commits and the ingest worker keeps turning: a stuck
    // daemon must be restarted by systemd, not kept alive by a timer.
    const int64_t ingest_age_ms = (clock_.MonotonicNs() - ingest_->last_heartbeat_ns()) / 1'000'000;
    if (store_->Healthy() && ingest_age_ms < watchdog_interval_ms_) {
      notifier_.WatchdogPing();
      last_watchdog_ms_ = now;
    }
  }
}

std::string DaemonApp::AccessToken(Channel channel, const std::string& account_id) {
  std::lock_guard lock(tokens_mutex_);
  const ChannelConfig* config = channel == Channel::kWhatsApp    ? &config_.whatsapp
                                : channel == Channel::kMessenger ? &config_.messenger
                                : channel == Channel::kInstagram ? &config_.instagram
                                                                 : nullptr;
  if (config == nullptr) return "";
  for (const MetaAccount& account : config->accounts) {
    if (account.id == account_id) return account.access_token;
  }
  return "";
}

std::string DaemonApp::MentionToken(Channel channel, const std::string& account_id) {
  {
    std::lock_guard lock(tokens_mutex_);
    if (channel != Channel::kInstagram || config_.instagram.graph_base_url.empty()) return "";
  }
  return AccessToken(channel, account_id);
}

std::string DaemonApp::ReengagementTemplate(const std::string& account_id) {
  std::lock_guard lock(tokens_mutex_);
  return ConfiguredReengagementTemplate(config_, account_id);
}

std::string DaemonApp::AdminToken() {
  std::lock_guard lock(tokens_mutex_);
  return config_.admin.token;
}

bool DaemonApp::Shutdown() {
  if (!store_ && !lock_) return true;
  notifier_.Stopping();
  if (admin_) admin_->SetStarted(false);
  if (webhooks_) webhooks_->SetAccepting(false);
  if (public_server_) public_server_->Stop();  // in-flight requests finish first
  bool drained = true;
  if (ingest_) {
    drained = ingest_->DrainAndStop(options_.shutdown_timeout_ms);
    if (!drained) {
      log::Warn("shutdown deadline passed with inbox rows left; they are processed at next start");
    }
  }
  if (admin_server_) admin_server_->Stop();
  if (sender_) sender_->Stop();      // sends in flight finish; queued rows stay in the outbox
  if (media_) media_->Stop();        // downloads in flight are cut short and stay pending
  if (mentions_) mentions_->Stop();  // pending mentions stay pending until the next start
  media_.reset();
  media_fetcher_.reset();
  mentions_.reset();
  sender_.reset();
  graph_.reset();
  ingest_.reset();
  public_server_.reset();
  admin_server_.reset();
  webhooks_.reset();
  admin_.reset();
  store_.reset();  // the writer commits what it holds and joins
  lock_.reset();
  return drained;
}

}  // namespace atalaya::daemon
