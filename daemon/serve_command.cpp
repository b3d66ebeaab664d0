#include "daemon/serve_command.h"

#include <signal.h>

#include <cerrno>
#include <iostream>

#include "common/log.h"

extern char** environ;

namespace atalaya::daemon {
namespace {

constexpr int64_t kTickMs = 1000;

sigset_t ControlSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

std::vector<std::string> ProcessEnvironment() {
  std::vector<std::string> vars;
  for (char** e = environ; e && *e; ++e) vars.emplace_back(*e);
  return vars;
}

ConfigLoad Load(const ServeOptions& options) {
  return LoadConfig(options.config_path, ProcessEnvironment(), options.flag_overrides);
}

void ReportErrors(const std::vector<ConfigError>& errors) {
  for (const ConfigError& e : errors) std::cerr << e.ToString() << '\n';
}

}  // namespace

void BlockControlSignals() {
  sigset_t set = ControlSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a client hanging up must not kill the daemon
}

int RunServe(const ServeOptions& options) {
  ConfigLoad load = Load(options);
  if (!load.errors.empty()) {
    ReportErrors(load.errors);
    return 2;
  }
  log::SetLevel(log::ParseLevel(load.config.log.level).value_or(log::Level::kInfo));

  SystemClock clock;
  DaemonApp app(load.config, options, clock);
  if (Status s = app.Start(); !s.ok()) {
    log::Error("cannot start", log::Cause(s));
    std::cerr << "atalaya: cannot start: " << s.message() << '\n';
    return 1;
  }

  const sigset_t set = ControlSignals();
  const timespec tick{kTickMs / 1000, (kTickMs % 1000) * 1'000'000};
  app.Maintain();
  while (true) {
    int sig = sigtimedwait(&set, nullptr, &tick);
    if (sig == SIGTERM || sig == SIGINT) {
      log::Info("shutting down", log::Id("signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"));
      break;
    }
    if (sig == SIGHUP) {
      ConfigLoad fresh = Load(options);
      if (!fresh.errors.empty()) {
        for (const ConfigError& e : fresh.errors) {
          log::Error("reload refused; the running config stays", log::Id("error", e.ToString()));
        }
        continue;
      }
      DaemonApp::ReloadReport report = app.Reload(fresh.config);
      for (const std::string& setting : report.needs_restart) {
        log::Warn("setting changed but needs a restart to apply", log::Id("setting", setting));
      }
      for (const std::string& error : report.rule_errors) {
        log::Error("rule reload refused; the running rule set stays", log::Id("error", error));
      }
      log::Info("reloaded");
      continue;
    }
    app.Maintain();
  }
  const bool drained = app.Shutdown();
  log::Info("stopped", log::Id("backlog", drained ? "empty" : "left for next start"));
  return 0;
}

}  // namespace atalaya::daemon
