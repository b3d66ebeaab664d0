#include "daemon/systemd_notify.h"

#include <systemd/sd-daemon.h>

namespace atalaya::daemon {

void SystemdNotifier::Ready(const std::string& status) {
  sd_notify(0, ("READY=1\nSTATUS=" + status).c_str());
}
void SystemdNotifier::Stopping() { sd_notify(0, "STOPPING=1"); }
void SystemdNotifier::Reloading() { sd_notify(0, "RELOADING=1"); }
void SystemdNotifier::Status(const std::string& status) {
  sd_notify(0, ("STATUS=" + status).c_str());
}
void SystemdNotifier::WatchdogPing() { sd_notify(0, "WATCHDOG=1"); }

int64_t SystemdNotifier::WatchdogIntervalMs() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0) return 0;
  return static_cast<int64_t>(usec / 1000);
}

}  // namespace atalaya::daemon
