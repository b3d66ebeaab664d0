#include "daemon/admin_routes.h"

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "daemon/admin_auth.h"
#include "daemon/http_errors.h"

namespace atalaya::daemon {

void AdminRoutes::Register(httplib::Server& server) {
  server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.status = 200;
    res.set_content(metrics_.Render(store_, clock_.NowMs(), Ready()), "text/plain; version=0.0.4");
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
  server.Post("/admin/reload-rules", [this](const httplib::Request& req, httplib::Response& res) {
    std::string token;
    {
      std::lock_guard lock(token_mutex_);
      token = admin_token_;
    }
    if (Status auth = CheckAdminToken(req, token); !auth.ok()) {
      WriteError(res, auth);
      return;
    }
    std::vector<std::string> errors = rules_.Reload();
    if (!errors.empty()) {
      log::Error("rule reload refused; the running rule set stays",
                 log::Int("errors", static_cast<int64_t>(errors.size())),
                 log::Hash("version", rules_.Version()));
      nlohmann::json body = {{"error",
                              {{"code", "invalid_rules"},
                               {"message", "the rule set has errors; the running one (" +
                                               rules_.Version() + ") keeps serving"},
                               {"errors", errors}}}};
      WriteJson(res, 422, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      return;
    }
    log::Info("rules reloaded", log::Hash("version", rules_.Version()));
    WriteJson(res, 200, nlohmann::json{{"version", rules_.Version()}}.dump());
  });
}

void AdminRoutes::SetAdminToken(std::string token) {
  std::lock_guard lock(token_mutex_);
  admin_token_ = std::move(token);
}

}  // namespace atalaya::daemon
