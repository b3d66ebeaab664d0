#pragma once
// SystemdNotifier: tells systemd (Type=notify) when the daemon is ready, stopping, and alive.
// Without $NOTIFY_SOCKET every call is a no-op, so the daemon runs the same by hand.
// Thread-safe (sd_notify is).

#include <cstdint>
#include <string>

namespace atalaya::daemon {

class SystemdNotifier {
 public:
  void Ready(const std::string& status);
  void Stopping();
  void Reloading();
  void Status(const std::string& status);
  void WatchdogPing();
  // The interval systemd expects pings at (WatchdogSec), 0 when the watchdog is off.
  static int64_t WatchdogIntervalMs();
};

}  // namespace atalaya::daemon
