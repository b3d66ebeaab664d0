#pragma once
// `atalaya serve`: loads the config, starts the daemon and runs its control loop, where
// signals are handled (they are blocked in every thread and taken here with sigtimedwait, so
// no work happens in a signal handler): SIGTERM/SIGINT shut down gracefully, SIGHUP reloads.

#include "daemon/daemon_app.h"

namespace atalaya::daemon {

// Blocks the signals the control loop takes. Call first in main, before any thread starts,
// so every thread inherits the mask.
void BlockControlSignals();

// Returns the process exit status: 0 after a clean shutdown, 2 for config errors, 1 when
// the daemon could not start.
int RunServe(const ServeOptions& options);

}  // namespace atalaya::daemon
