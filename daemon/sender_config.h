#pragma once
// From the config's `outbound` section to the sender worker's settings: the one place where
// configured numbers become retry and rate-limit values, so the daemon and its tests agree.
// Pure functions of their arguments; any thread.

#include <string>

#include "daemon/config.h"
#include "daemon/sender_worker.h"

namespace atalaya::daemon {

// Concurrency, retry policy and rate limits from `outbound`. A configured 0 is "no limit of
// ours" (RateLimit::per_second 0); a per-second figure is also the burst, and the per-hour
// private-reply figure may go at once after a quiet hour, as the platforms count them. The
// template lookup is left empty: the caller owns where account settings live.
SenderSettings SenderSettingsFromConfig(const Config::Outbound& outbound);

// The re-engagement template configured for WhatsApp number `account_id`; "" if none.
std::string ConfiguredReengagementTemplate(const Config& config, const std::string& account_id);

}  // namespace atalaya::daemon
