#include "daemon/check_command.h"

#include "daemon/config.h"

namespace atalaya::daemon {

int RunCheckCommand(const std::string& config_path, const std::vector<std::string>& env,
                    std::ostream& out, std::ostream& err) {
  ConfigLoad load = LoadConfig(config_path, env, {});
  if (load.errors.empty()) {
    out << "config OK: " << config_path << "\n";
    return 0;
  }
  for (const ConfigError& e : load.errors) err << e.ToString() << "\n";
  std::size_t n = load.errors.size();
  err << config_path << ": " << n << (n == 1 ? " error" : " errors") << "\n";
  return 1;
}

}  // namespace atalaya::daemon
