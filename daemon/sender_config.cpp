#include "daemon/sender_config.h"

#include <algorithm>

namespace atalaya::daemon {
namespace {

channels::RateLimit PerSecond(int count) {
  return {static_cast<double>(count), static_cast<double>(std::max(count, 1))};
}

}  // namespace

SenderSettings SenderSettingsFromConfig(const Config::Outbound& outbound) {
  SenderSettings settings;
  settings.concurrency = outbound.concurrency;
  settings.retry.max_attempts = outbound.retry.max_attempts;
  settings.retry.base_delay_ms = outbound.retry.base_delay_ms;
  settings.retry.max_delay_ms = outbound.retry.max_delay_ms;
  const Config::Outbound::RateLimits& limits = outbound.rate_limits;
  channels::RateLimitSettings& rate = settings.rate_limits;
  rate.messenger_per_page = PerSecond(limits.messenger_per_page_per_second);
  rate.instagram_per_account = PerSecond(limits.instagram_per_account_per_second);
  rate.whatsapp_per_number = PerSecond(limits.whatsapp_per_number_per_second);
  rate.private_replies_per_account = {
      limits.private_replies_per_hour / 3600.0,
      static_cast<double>(std::max(limits.private_replies_per_hour, 1))};
  rate.whatsapp_per_recipient = {limits.whatsapp_recipient_interval_ms > 0
                                     ? 1000.0 / limits.whatsapp_recipient_interval_ms
                                     : 0.0,
                                 1};
  return settings;
}

std::string ConfiguredReengagementTemplate(const Config& config, const std::string& account_id) {
  for (const MetaAccount& account : config.whatsapp.accounts) {
    if (account.id == account_id) return account.reengagement_template;
  }
  return "";
}

}  // namespace atalaya::daemon
