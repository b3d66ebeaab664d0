#include "daemon/site_rules.h"

#include <filesystem>

namespace atalaya::daemon {

std::string SiteRulesDir(const Config& config) {
  return (std::filesystem::path(config.site_dir) / "rules").string();
}

std::vector<std::string> SiteRules::Reload() {
  if (!std::filesystem::is_directory(rules_dir_)) {
    std::lock_guard lock(mutex_);
    current_.reset();
    return {};
  }
  rules::LoadReport report;
  auto loaded = rules::LoadRuleSet(rules_dir_, rules::LoadOptions{}, &report);
  if (!loaded.ok()) {
    std::vector<std::string> errors;
    for (const rules::Diagnostic& d : report.errors) errors.push_back(d.ToString());
    if (errors.empty()) errors.push_back(loaded.status().message());
    return errors;
  }
  std::lock_guard lock(mutex_);
  current_ = std::move(loaded).value();
  return {};
}

std::shared_ptr<const rules::RuleSet> SiteRules::Current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

std::string SiteRules::Version() const {
  auto current = Current();
  return current ? current->version : "";
}

}  // namespace atalaya::daemon
