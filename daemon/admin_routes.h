#pragma once
// AdminRoutes: the operator's endpoints, served on the admin listener (loopback by default),
// apart from the public webhooks: GET /metrics (Prometheus text), GET /readyz (may this
// instance take traffic?), GET /healthz (is the process alive?).

#include <httplib.h>

#include <atomic>

#include "common/clock.h"
#include "daemon/metrics.h"
#include "store/store.h"

namespace atalaya::daemon {

class AdminRoutes {
 public:
  AdminRoutes(store::Store& store, const Metrics& metrics, const Clock& clock)
      : store_(store), metrics_(metrics), clock_(clock) {}

  void Register(httplib::Server& server);
  // Ready = started, not shutting down, and the store's writer healthy.
  void SetStarted(bool started) { started_ = started; }
  bool Ready() const { return started_ && store_.Healthy(); }

 private:
  store::Store& store_;
  const Metrics& metrics_;
  const Clock& clock_;
  std::atomic<bool> started_{false};
};

}  // namespace atalaya::daemon
