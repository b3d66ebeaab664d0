#include "daemon/webhook_routes.h"

#include "channels/meta_envelope.h"
#include "channels/meta_handshake.h"
#include "channels/meta_signature.h"
#include "daemon/http_errors.h"

namespace atalaya::daemon {
namespace {

constexpr const char* kSignatureHeader = "X-Hub-Signature-256";

std::string SignatureProblem(channels::SignatureCheck check) {
  switch (check) {
    case channels::SignatureCheck::kMissing:
      return "missing X-Hub-Signature-256 header";
    case channels::SignatureCheck::kMalformed:
      return "X-Hub-Signature-256 must be \"sha256=\" followed by 64 hex digits";
    default:
      return "X-Hub-Signature-256 does not match the body signed with the app secret";
  }
}

}  // namespace

WebhookRoutes::WebhookRoutes(store::Store& store, Metrics& metrics, const Clock& clock,
                             std::function<void()> on_stored)
    : store_(store), metrics_(metrics), clock_(clock), on_stored_(std::move(on_stored)) {}

void WebhookRoutes::SetKeys(std::shared_ptr<const WebhookKeys> keys) {
  std::lock_guard lock(keys_mutex_);
  keys_ = std::move(keys);
}

std::shared_ptr<const WebhookKeys> WebhookRoutes::keys() const {
  std::lock_guard lock(keys_mutex_);
  return keys_;
}

void WebhookRoutes::Register(httplib::Server& server) {
  for (int r = 0; r < static_cast<int>(WebhookRoute::kCount); ++r) {
    auto route = static_cast<WebhookRoute>(r);
    std::string path = std::string("/webhooks/") + WebhookRouteName(route);
    server.Get(path, [this, route](const httplib::Request& req, httplib::Response& res) {
      HandleHandshake(route, req, res);
    });
    server.Post(path, [this, route](const httplib::Request& req, httplib::Response& res) {
      HandleDelivery(route, req, res);
    });
  }
}

void WebhookRoutes::CountRefused(const std::string& path, int http_status) {
  for (int r = 0; r < static_cast<int>(WebhookRoute::kCount); ++r) {
    auto route = static_cast<WebhookRoute>(r);
    if (path == std::string("/webhooks/") + WebhookRouteName(route)) {
      metrics_.CountWebhook(
          route, http_status == 413 ? WebhookResult::kTooLarge : WebhookResult::kMalformed);
      return;
    }
  }
}

void WebhookRoutes::HandleHandshake(WebhookRoute route, const httplib::Request& req,
                                    httplib::Response& res) {
  auto current = keys();
  auto challenge = channels::AnswerMetaHandshake(
      req.get_param_value("hub.mode"), req.get_param_value("hub.verify_token"),
      req.get_param_value("hub.challenge"), current->For(route).verify_tokens);
  if (!challenge) {
    WriteError(res, PermissionDenied("verification refused: hub.mode must be \"subscribe\" and "
                                     "hub.verify_token must match a configured verify token"));
    return;
  }
  res.status = 200;
  res.set_content(*challenge, "text/plain");
}

void WebhookRoutes::HandleDelivery(WebhookRoute route, const httplib::Request& req,
                                   httplib::Response& res) {
  if (!accepting_) {
    metrics_.CountWebhook(route, WebhookResult::kOverloaded);
    WriteError(res, Unavailable("shutting down; retry later"));
    return;
  }
  auto current = keys();
  auto check = channels::VerifyMetaSignature(req.get_header_value(kSignatureHeader), req.body,
                                             current->For(route).app_secrets);
  if (check != channels::SignatureCheck::kValid) {
    metrics_.CountWebhook(route, WebhookResult::kBadSignature);
    WriteError(res, Unauthenticated(SignatureProblem(check)));
    return;
  }
  if (Status shape = channels::ValidateMetaEnvelope(req.body); !shape.ok()) {
    metrics_.CountWebhook(route, WebhookResult::kMalformed);
    WriteError(res, shape);
    return;
  }
  auto stored = store_.AppendInbox({WebhookRouteName(route), req.body, clock_.NowMs()});
  if (!stored.ok()) {
    const ErrorCode code = stored.status().code();
    const bool overloaded = code == ErrorCode::kUnavailable ||
                            code == ErrorCode::kResourceExhausted ||
                            code == ErrorCode::kDeadlineExceeded;
    metrics_.CountWebhook(route, overloaded ? WebhookResult::kOverloaded : WebhookResult::kError);
    WriteError(res, overloaded ? stored.status() : Internal("could not store the delivery"));
    return;
  }
  if (*stored == store::AppendOutcome::kDuplicate) {
    metrics_.CountWebhook(route, WebhookResult::kDuplicate);
    WriteJson(res, 200, R"({"status":"duplicate"})");
    return;
  }
  metrics_.CountWebhook(route, WebhookResult::kAccepted);
  WriteJson(res, 200, R"({"status":"accepted"})");
  on_stored_();
}

}  // namespace atalaya::daemon
