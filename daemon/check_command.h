#pragma once
// `atalaya check --config FILE`: loads the whole configuration the way `serve` would — file,
// ATALAYA_* environment, secrets, credentials — without binding a port or opening the
// database, and reports what it found. systemd's ExecReload runs it before SIGHUP so that
// `systemctl reload` fails loudly on a bad config instead of the daemon refusing it silently.
//
// Output: on success one line "config OK: <path>" on `out`; otherwise every error, one per
// line ("file:line:column: message"), then a count, on `err`. Secret values never appear.

#include <ostream>
#include <string>
#include <vector>

namespace atalaya::daemon {

// Returns the process exit status: 0 when the config is clean, 1 when it has errors.
// `env` holds NAME=VALUE strings (the process environment in main).
int RunCheckCommand(const std::string& config_path, const std::vector<std::string>& env,
                    std::ostream& out, std::ostream& err);

}  // namespace atalaya::daemon
