#pragma once
// OneShotEvent: set once by one thread, awaited with a deadline by another, without a mutex.
//
// Why not a condition variable: the store writer finishes a batch by waking every webhook
// handler in it, and a handler woken from a condition variable must take the writer's mutex
// again before it can return, so the handlers of one batch woke into a queue on that mutex
// (about one more futex call and context switch per acknowledged webhook). This wakes the
// waiter, which then needs no lock at all. Linux only: it waits on a futex.
//
// Threads: Set from any thread, once; WaitUntil from one thread at a time. Everything the
// setter wrote before Set is visible to a waiter that saw it set.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace atalaya {

class OneShotEvent {
 public:
  // Marks the event set and wakes the waiter, if one sleeps.
  void Set();
  // True once set; false when `deadline` passed first.
  bool WaitUntil(std::chrono::steady_clock::time_point deadline);
  bool IsSet() const { return state_.load(std::memory_order_acquire) == kSet; }

 private:
  static constexpr uint32_t kNotSet = 0;
  static constexpr uint32_t kWaiterSleeps = 1;  // not set, and Set must wake the waiter
  static constexpr uint32_t kSet = 2;
  std::atomic<uint32_t> state_{kNotSet};
};

}  // namespace atalaya
