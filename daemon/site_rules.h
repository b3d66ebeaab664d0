#pragma once
// SiteRules: the rule set the daemon serves — `<site_dir>/rules` — loaded at start and on
// every reload (SIGHUP, POST /admin/reload). A new set is compiled aside and swapped in whole;
// one that fails to load is refused with all its errors and the running one stays.
//
// Threads: Current() may be called from any thread (the ingest worker reads it per batch);
// Reload() from the control thread or an admin handler.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "daemon/config.h"
#include "rules/loader.h"

namespace atalaya::daemon {

// Where the config's site keeps its rules.
std::string SiteRulesDir(const Config& config);

class SiteRules {
 public:
  explicit SiteRules(std::string rules_dir) : rules_dir_(std::move(rules_dir)) {}

  // Loads the directory; on success swaps the new set in. On failure returns every error
  // ("file:line:column: message") and keeps the current set. A missing directory means "no
  // rules": events are stored without decisions.
  std::vector<std::string> Reload();
  std::shared_ptr<const rules::RuleSet> Current() const;
  std::string Version() const;

 private:
  const std::string rules_dir_;
  mutable std::mutex mutex_;
  std::shared_ptr<const rules::RuleSet> current_;
};

}  // namespace atalaya::daemon
