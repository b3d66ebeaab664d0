// The `atalaya` executable: parses the command line and hands over to the daemon library.

#include <iostream>
#include <string>
#include <vector>

#include "daemon/backup_command.h"
#include "daemon/check_command.h"
#include "daemon/cli_args.h"
#include "daemon/explain_command.h"
#include "daemon/serve_command.h"
#include "daemon/simulate_command.h"
#include "rules/tools.h"

extern char** environ;

namespace {

constexpr const char* kUsage = R"(usage: atalaya <command> [options]

commands:
  serve     --config FILE [--listen HOST:PORT] [--admin-listen HOST:PORT]
            [--state-dir DIR] [--port-file FILE] [--admin-port-file FILE] [--log-level LEVEL]
            receive webhooks and serve agents until SIGTERM
  check     --config FILE | --rules DIR
            validate the config and its site's rules (or a rule directory alone) without
            starting; exit 1 on errors
  explain   --rules DIR [--channel C --public --followers N --text T ... | --file EVENT]
            print the decision the rules make for one event, with the full trace
  explain   --message ID [--config FILE | --state-dir DIR]
            the decision stored with a message, and the rule-set version that made it
  test      TESTS_DIR [--rules DIR]
            run the designer's rule tests (default rules: TESTS_DIR/../rules)
  simulate  whatsapp --from NUMBER --text TEXT [--config FILE | --url URL --app-secret-file F]
            sign and post a realistic webhook to a running daemon
  backup    FILE [--config FILE | --state-dir DIR]
            a consistent copy of the database while serving
  version   print the version
)";

std::vector<std::string> Environment() {
  std::vector<std::string> vars;
  for (char** e = environ; e && *e; ++e) vars.emplace_back(*e);
  return vars;
}

int Serve(const std::vector<std::string>& args) {
  using atalaya::daemon::FlagSpec;
  const FlagSpec spec = {{"config", "listen", "admin-listen", "state-dir", "port-file",
                          "admin-port-file", "log-level"},
                         {}};
  auto parsed = atalaya::daemon::ParseCliArgs(args, spec);
  if (!parsed.ok() || !parsed->positional.empty()) {
    std::cerr << "atalaya serve: "
              << (parsed.ok() ? "unexpected argument " + parsed->positional[0]
                              : parsed.status().message())
              << '\n';
    return 2;
  }
  atalaya::daemon::ServeOptions options;
  options.config_path = parsed->Get("config", "/etc/atalaya/atalaya.yaml");
  options.port_file = parsed->Get("port-file");
  options.admin_port_file = parsed->Get("admin-port-file");
  const std::pair<const char*, const char*> overrides[] = {
      {"listen", "server.listen"},
      {"admin-listen", "server.admin_listen"},
      {"state-dir", "store.state_dir"},
      {"log-level", "log.level"},
  };
  for (const auto& [flag, setting] : overrides) {
    if (parsed->Has(flag)) options.flag_overrides[setting] = parsed->Get(flag);
  }
  return atalaya::daemon::RunServe(options);
}

int Check(const std::vector<std::string>& args) {
  auto parsed = atalaya::daemon::ParseCliArgs(args, {{"config", "rules"}, {}});
  if (parsed.ok() && parsed->Has("rules") && !parsed->Has("config")) {
    return atalaya::rules::RunCheckRules(parsed->Get("rules"), std::cout, std::cerr);
  }
  if (!parsed.ok() || !parsed->Has("config")) {
    std::cerr << "usage: atalaya check --config FILE | atalaya check --rules DIR\n";
    return 2;
  }
  return atalaya::daemon::RunCheckCommand(parsed->Get("config"), Environment(), std::cout,
                                          std::cerr);
}

int Test(const std::vector<std::string>& args) {
  auto parsed = atalaya::daemon::ParseCliArgs(args, {{"rules"}, {}});
  if (!parsed.ok() || parsed->positional.size() != 1) {
    std::cerr << "usage: atalaya test TESTS_DIR [--rules DIR]\n";
    return 2;
  }
  const std::string tests_dir = parsed->positional[0];
  const std::string rules_dir = parsed->Get("rules", tests_dir + "/../rules");
  return atalaya::rules::RunRuleTests(tests_dir, rules_dir, std::cout, std::cerr);
}

}  // namespace

int main(int argc, char** argv) {
  // Before any thread exists, so every thread inherits the mask and signals reach only the
  // control loop.
  atalaya::daemon::BlockControlSignals();

  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "serve") return Serve(args);
  if (command == "check") return Check(args);
  if (command == "explain") {
    return atalaya::daemon::RunExplainCommand(args, Environment(), std::cout, std::cerr);
  }
  if (command == "test") return Test(args);
  if (command == "simulate") {
    return atalaya::daemon::RunSimulate(args, Environment(), std::cout, std::cerr);
  }
  if (command == "backup") {
    return atalaya::daemon::RunBackup(args, Environment(), std::cout, std::cerr);
  }
  if (command == "version" || command == "--version") {
    std::cout << "atalaya " << ATALAYA_VERSION << '\n';
    return 0;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    std::cout << kUsage;
    return 0;
  }
  std::cerr << "atalaya: unknown command \"" << command << "\"\n" << kUsage;
  return 2;
}
