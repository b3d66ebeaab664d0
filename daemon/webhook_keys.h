#pragma once
// WebhookKeys: the secrets each webhook route checks, derived from the config's accounts.
// Built once per (re)load and swapped whole, so a request sees either the old keys or the
// new ones, never a mix.

#include <memory>
#include <string>
#include <vector>

#include "daemon/config.h"
#include "daemon/metrics.h"

namespace atalaya::daemon {

struct RouteKeys {
  std::vector<std::string> app_secrets;    // current and previous app secrets, de-duplicated
  std::vector<std::string> verify_tokens;  // hub.verify_token values
};

struct WebhookKeys {
  RouteKeys routes[static_cast<int>(WebhookRoute::kCount)];
  const RouteKeys& For(WebhookRoute route) const { return routes[static_cast<int>(route)]; }
};

// /webhooks/meta accepts every Meta channel's secrets; each other route its own channel's.
std::shared_ptr<const WebhookKeys> BuildWebhookKeys(const Config& config);

}  // namespace atalaya::daemon
