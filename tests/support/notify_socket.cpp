#include "tests/support/notify_socket.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

namespace atalaya::testing {

FakeNotifySocket::FakeNotifySocket(std::string path) : path_(std::move(path)) {
  ::unlink(path_.c_str());
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (fd_ < 0 || path_.size() >= sizeof(addr.sun_path)) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    return;
  }
  std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd_);
    fd_ = -1;
    return;
  }
  thread_ = std::thread([this] {
    char buffer[4096];
    while (true) {
      {
        std::lock_guard lock(mutex_);
        if (stop_) return;
      }
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (n > 0) {
        std::lock_guard lock(mutex_);
        messages_.emplace_back(buffer, static_cast<size_t>(n));
      }
    }
  });
}

FakeNotifySocket::~FakeNotifySocket() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) ::close(fd_);
  ::unlink(path_.c_str());
}

std::vector<std::string> FakeNotifySocket::Messages() const {
  std::lock_guard lock(mutex_);
  return messages_;
}

bool FakeNotifySocket::Saw(const std::string& needle) const {
  std::lock_guard lock(mutex_);
  for (const auto& m : messages_) {
    if (m.find(needle) != std::string::npos) return true;
  }
  return false;
}

bool FakeNotifySocket::WaitFor(const std::string& needle, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (Saw(needle)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return Saw(needle);
}

}  // namespace atalaya::testing
