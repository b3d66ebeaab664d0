#pragma once
// StateLock: one daemon per state directory. Holds an exclusive flock on
// <state_dir>/atalaya.lock for the life of the object; the kernel drops it if the process
// dies, so a kill -9 never leaves a stale lock.

#include <memory>
#include <string>

#include "common/status.h"

namespace atalaya::daemon {

class StateLock {
 public:
  // kFailedPrecondition naming the holder's pid when another process holds the lock.
  static Result<std::unique_ptr<StateLock>> Acquire(const std::string& state_dir);
  ~StateLock();
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;

 private:
  explicit StateLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace atalaya::daemon
