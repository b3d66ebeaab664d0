#pragma once
// WebhookRoutes: the public routes Meta calls — GET for the verification handshake, POST
// for deliveries. A POST is verified on its raw bytes, checked for shape, written durably to
// the inbox, and only then acknowledged; normalization happens later on the ingest worker.
//
// Threads: handlers run on the HTTP pool; SetKeys() and SetAccepting() may be called from
// any thread (the reload and shutdown paths).

#include <httplib.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

#include "common/clock.h"
#include "daemon/metrics.h"
#include "daemon/webhook_keys.h"
#include "store/store.h"

namespace atalaya::daemon {

class WebhookRoutes {
 public:
  // `on_stored` runs after a delivery is durably stored (wakes the ingest worker).
  WebhookRoutes(store::Store& store, Metrics& metrics, const Clock& clock,
                std::function<void()> on_stored);

  void Register(httplib::Server& server);
  // Counts a delivery the HTTP layer refused before routing (413 over the body limit).
  void CountRefused(const std::string& path, int http_status);
  void SetKeys(std::shared_ptr<const WebhookKeys> keys);
  // While false (shutting down), deliveries get 503 so the platform retries elsewhere/later.
  void SetAccepting(bool accepting) { accepting_ = accepting; }

 private:
  void HandleHandshake(WebhookRoute route, const httplib::Request& req, httplib::Response& res);
  void HandleDelivery(WebhookRoute route, const httplib::Request& req, httplib::Response& res);
  std::shared_ptr<const WebhookKeys> keys() const;

  store::Store& store_;
  Metrics& metrics_;
  const Clock& clock_;
  std::function<void()> on_stored_;
  std::atomic<bool> accepting_{true};
  mutable std::mutex keys_mutex_;
  std::shared_ptr<const WebhookKeys> keys_;
};

}  // namespace atalaya::daemon
