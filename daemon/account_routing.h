#pragma once
// Account routing: every Meta event names the account it was sent to (Event::account_id:
// the WhatsApp phone_number_id, the Page id or the Instagram account id from `entry[].id`).
// One app secret may sign webhooks for accounts this daemon does not serve (another Page of
// the same Meta app, an account removed from the config), and such an event must never be
// decided or answered as if it were ours.
//
// What happens to it: it is kept, nothing lost, as kUnsupported with the reason
// "account <id> is not configured for <channel>"; every other field (type, text, author, ids,
// raw JSON) stays as parsed, so an operator can still read it. An event that was already
// kUnsupported keeps its own, more precise reason. Being kUnsupported, it gets no decision
// and moves no conversation's customer-service window. Events with no account id (a body
// whose object is unknown) are left as they are: there is nothing to route by.
//
// AccountRouter does this for the ingest worker, counts the events per channel in /metrics
// and logs a warning (channel and account id only) at most once per kWarnEveryMs.
// Threads: SetAccounts() from any thread (a reload); Route() from the ingest thread. Until
// SetAccounts() is called every account is taken as ours (tools and tests that build an
// ingest worker without a config).

#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/event.h"
#include "daemon/config.h"
#include "daemon/metrics.h"

namespace atalaya::daemon {

// The accounts the config names, per channel.
class AccountDirectory {
 public:
  static AccountDirectory FromConfig(const Config& config);
  void Add(Channel channel, std::string account_id);
  bool Contains(Channel channel, const std::string& account_id) const;

 private:
  std::set<std::pair<Channel, std::string>> accounts_;
};

// The reason given to an event of an account not configured for its channel.
std::string UnconfiguredAccountReason(Channel channel, const std::string& account_id);

// Marks the events of `events` whose account is not in `accounts` as described above.
// Returns the events counted as unrouted, in order (channel, account id).
std::vector<std::pair<Channel, std::string>> MarkUnconfiguredAccounts(
    const AccountDirectory& accounts, std::vector<Event>& events);

class AccountRouter {
 public:
  static constexpr int64_t kWarnEveryMs = 60'000;

  AccountRouter(Metrics& metrics, const Clock& clock) : metrics_(metrics), clock_(clock) {}

  void SetAccounts(AccountDirectory accounts);
  void Route(std::vector<Event>& events);

 private:
  Metrics& metrics_;
  const Clock& clock_;
  std::mutex mutex_;
  std::optional<AccountDirectory> accounts_;  // nullopt: every account is ours
  int64_t last_warning_ms_ = 0;
  bool warned_ = false;
  int64_t suppressed_ = 0;  // unrouted events not warned about since the last warning
};

}  // namespace atalaya::daemon
