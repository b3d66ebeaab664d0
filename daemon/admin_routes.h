#pragma once
// AdminRoutes: the operator's endpoints, served on the admin listener (loopback by default),
// apart from the public webhooks: GET /metrics (Prometheus text), GET /readyz (may this
// instance take traffic?), GET /healthz (is the process alive?), and POST /admin/reload-rules
// (bearer admin token: compile the site's rules aside and swap them in, or refuse with every
// error while the running set stays).

#include <httplib.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>

#include "common/clock.h"
#include "daemon/metrics.h"
#include "daemon/site_rules.h"
#include "store/store.h"

namespace atalaya::daemon {

class AdminRoutes {
 public:
  AdminRoutes(store::Store& store, const Metrics& metrics, const Clock& clock, SiteRules& rules)
      : store_(store), metrics_(metrics), clock_(clock), rules_(rules) {}

  void Register(httplib::Server& server);
  // Ready = started, not shutting down, and the store's writer healthy.
  void SetStarted(bool started) { started_ = started; }
  bool Ready() const { return started_ && store_.Healthy(); }
  void SetAdminToken(std::string token);

 private:
  store::Store& store_;
  const Metrics& metrics_;
  const Clock& clock_;
  SiteRules& rules_;
  std::atomic<bool> started_{false};
  mutable std::mutex token_mutex_;
  std::string admin_token_;
};

}  // namespace atalaya::daemon
