#include "daemon/webhook_keys.h"

#include <algorithm>

namespace atalaya::daemon {
namespace {

void AddUnique(std::vector<std::string>& list, const std::string& value) {
  if (value.empty()) return;
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

void AddChannel(RouteKeys& keys, const ChannelConfig& channel) {
  for (const MetaAccount& account : channel.accounts) {
    AddUnique(keys.app_secrets, account.app_secret);
    AddUnique(keys.app_secrets, account.previous_app_secret);
    AddUnique(keys.verify_tokens, account.verify_token);
  }
}

}  // namespace

std::shared_ptr<const WebhookKeys> BuildWebhookKeys(const Config& config) {
  auto keys = std::make_shared<WebhookKeys>();
  const std::pair<WebhookRoute, const ChannelConfig*> channels[] = {
      {WebhookRoute::kWhatsApp, &config.whatsapp},
      {WebhookRoute::kMessenger, &config.messenger},
      {WebhookRoute::kInstagram, &config.instagram},
  };
  RouteKeys& meta = keys->routes[static_cast<int>(WebhookRoute::kMeta)];
  for (const auto& [route, channel] : channels) {
    AddChannel(keys->routes[static_cast<int>(route)], *channel);
    AddChannel(meta, *channel);
  }
  return keys;
}

}  // namespace atalaya::daemon
