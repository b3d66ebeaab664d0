#include "daemon/check_command.h"

#include <filesystem>

#include "daemon/config.h"
#include "daemon/site_rules.h"
#include "rules/tools.h"

namespace atalaya::daemon {

int RunCheckCommand(const std::string& config_path, const std::vector<std::string>& env,
                    std::ostream& out, std::ostream& err) {
  ConfigLoad load = LoadConfig(config_path, env, {});
  if (!load.errors.empty()) {
    for (const ConfigError& e : load.errors) err << e.ToString() << "\n";
    std::size_t n = load.errors.size();
    err << config_path << ": " << n << (n == 1 ? " error" : " errors") << "\n";
    return 1;
  }
  out << "config OK: " << config_path << "\n";
  // The rule set the config serves is part of what a reload would apply: check it too.
  const std::string rules_dir = SiteRulesDir(load.config);
  if (!std::filesystem::is_directory(rules_dir)) {
    out << "no rule set at " << rules_dir << " (events are stored without decisions)\n";
    return 0;
  }
  return rules::RunCheckRules(rules_dir, out, err);
}

}  // namespace atalaya::daemon
