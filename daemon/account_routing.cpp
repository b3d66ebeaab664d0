#include "daemon/account_routing.h"

#include "common/log.h"

namespace atalaya::daemon {

AccountDirectory AccountDirectory::FromConfig(const Config& config) {
  AccountDirectory directory;
  const std::pair<Channel, const ChannelConfig*> channels[] = {
      {Channel::kWhatsApp, &config.whatsapp},
      {Channel::kMessenger, &config.messenger},
      {Channel::kInstagram, &config.instagram}};
  for (const auto& [channel, channel_config] : channels) {
    for (const MetaAccount& account : channel_config->accounts) directory.Add(channel, account.id);
  }
  return directory;
}

void AccountDirectory::Add(Channel channel, std::string account_id) {
  accounts_.emplace(channel, std::move(account_id));
}

bool AccountDirectory::Contains(Channel channel, const std::string& account_id) const {
  return accounts_.count({channel, account_id}) != 0;
}

std::string UnconfiguredAccountReason(Channel channel, const std::string& account_id) {
  return "account " + account_id + " is not configured for " + ChannelName(channel);
}

std::vector<std::pair<Channel, std::string>> MarkUnconfiguredAccounts(
    const AccountDirectory& accounts, std::vector<Event>& events) {
  std::vector<std::pair<Channel, std::string>> unrouted;
  for (Event& event : events) {
    if (event.account_id.empty() || accounts.Contains(event.channel, event.account_id)) continue;
    unrouted.emplace_back(event.channel, event.account_id);
    if (event.kind == EventKind::kUnsupported) continue;  // its own reason says more
    event.kind = EventKind::kUnsupported;
    event.unsupported_reason = UnconfiguredAccountReason(event.channel, event.account_id);
  }
  return unrouted;
}

void AccountRouter::SetAccounts(AccountDirectory accounts) {
  std::lock_guard lock(mutex_);
  accounts_ = std::move(accounts);
}

void AccountRouter::Route(std::vector<Event>& events) {
  std::lock_guard lock(mutex_);
  if (!accounts_) return;
  const auto unrouted = MarkUnconfiguredAccounts(*accounts_, events);
  if (unrouted.empty()) return;
  for (const auto& [channel, account_id] : unrouted) metrics_.CountUnconfiguredAccount(channel);
  // One line per minute at most: a misdirected subscription can send thousands.
  const int64_t now = clock_.NowMs();
  if (warned_ && now - last_warning_ms_ < kWarnEveryMs) {
    suppressed_ += static_cast<int64_t>(unrouted.size());
    return;
  }
  log::Warn("event for an account not in the config kept as unsupported, not answered",
            log::Id("channel", ChannelName(unrouted.front().first)),
            log::Id("account_id", unrouted.front().second),
            log::Int("events", static_cast<int64_t>(unrouted.size())),
            log::Int("suppressed_since_last_warning", suppressed_));
  warned_ = true;
  last_warning_ms_ = now;
  suppressed_ = 0;
}

}  // namespace atalaya::daemon
