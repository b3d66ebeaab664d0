#include "daemon/admin_routes.h"

#include "daemon/http_errors.h"

namespace atalaya::daemon {

void AdminRoutes::Register(httplib::Server& server) {
  server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.status = 200;
    res.set_content(metrics_.Render(store_, clock_.NowMs(), Ready()),
                    "text/plain; version=0.0.4");
  });
  server.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    if (!started_) {
      WriteError(res, Unavailable("not started, or shutting down"));
    } else if (!store_.Healthy()) {
      WriteError(res, Unavailable("the store's writer is failing, stalled or over its limit"));
    } else {
      WriteJson(res, 200, R"({"ready":true})");
    }
  });
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    WriteJson(res, 200, R"({"alive":true})");
  });
}

}  // namespace atalaya::daemon
