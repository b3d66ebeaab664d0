#pragma once
// FakeNotifySocket: stands in for systemd's $NOTIFY_SOCKET in tests — a Unix datagram
// socket that records every message the daemon sends (READY=1, STOPPING=1, WATCHDOG=1, ...).
// Messages() may be called from the test thread while the receiver thread runs.

#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace atalaya::testing {

class FakeNotifySocket {
 public:
  explicit FakeNotifySocket(std::string path);
  ~FakeNotifySocket();
  bool ok() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }
  std::vector<std::string> Messages() const;
  // True when some message contains `needle`.
  bool Saw(const std::string& needle) const;
  // Waits up to timeout_ms for a message containing `needle`.
  bool WaitFor(const std::string& needle, int timeout_ms);

 private:
  std::string path_;
  int fd_ = -1;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<std::string> messages_;
  bool stop_ = false;
};

}  // namespace atalaya::testing
