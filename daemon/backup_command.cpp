#include "daemon/backup_command.h"

#include <ostream>

#include "daemon/cli_args.h"
#include "daemon/config.h"
#include "store/store.h"

namespace atalaya::daemon {

int RunBackup(const std::vector<std::string>& args, const std::vector<std::string>& env,
              std::ostream& out, std::ostream& err) {
  auto parsed = ParseCliArgs(args, {{"config", "state-dir"}, {}});
  if (!parsed.ok() || parsed->positional.size() != 1) {
    err << "usage: atalaya backup FILE [--config FILE] [--state-dir DIR]\n";
    if (!parsed.ok()) err << "atalaya backup: " << parsed.status().message() << '\n';
    return 2;
  }
  std::string state_dir = parsed->Get("state-dir");
  if (state_dir.empty()) {
    if (!parsed->Has("config")) {
      err << "atalaya backup: give --config FILE or --state-dir DIR\n";
      return 2;
    }
    ConfigLoad load = LoadConfig(parsed->Get("config"), env, {});
    if (!load.errors.empty()) {
      for (const ConfigError& e : load.errors) err << e.ToString() << '\n';
      return 2;
    }
    state_dir = load.config.store.state_dir;
  }
  const std::string destination = parsed->positional[0];
  Status s = store::BackupSqliteFile(state_dir + "/atalaya.db", destination);
  if (!s.ok()) {
    err << "atalaya backup: " << s.message() << '\n';
    return 1;
  }
  out << "backup written to " << destination << '\n';
  return 0;
}

}  // namespace atalaya::daemon
