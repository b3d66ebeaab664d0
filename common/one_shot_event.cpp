#include "common/one_shot_event.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

namespace atalaya {
namespace {

static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t) &&
                  std::atomic<uint32_t>::is_always_lock_free,
              "the futex word is the atomic itself");

uint32_t* FutexWord(std::atomic<uint32_t>& state) { return reinterpret_cast<uint32_t*>(&state); }

}  // namespace

void OneShotEvent::Set() {
  if (state_.exchange(kSet, std::memory_order_acq_rel) == kWaiterSleeps) {
    syscall(SYS_futex, FutexWord(state_), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
  }
}

bool OneShotEvent::WaitUntil(std::chrono::steady_clock::time_point deadline) {
  // steady_clock is CLOCK_MONOTONIC, the clock FUTEX_WAIT_BITSET measures an absolute
  // deadline against.
  const auto since_epoch = deadline.time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  const timespec until{static_cast<time_t>(seconds.count()),
                       static_cast<long>(std::chrono::nanoseconds(since_epoch - seconds).count())};
  uint32_t state = state_.load(std::memory_order_acquire);
  while (state != kSet) {
    // Announce the sleep first: a Set between the announcement and the futex call changes the
    // word, so the kernel refuses to sleep on a stale value and no wake-up is lost.
    if (state == kNotSet &&
        !state_.compare_exchange_weak(state, kWaiterSleeps, std::memory_order_acquire)) {
      continue;
    }
    const long slept = syscall(SYS_futex, FutexWord(state_), FUTEX_WAIT_BITSET_PRIVATE,
                               kWaiterSleeps, &until, nullptr, FUTEX_BITSET_MATCH_ANY);
    if (slept == -1 && errno == ETIMEDOUT) return IsSet();
    state = state_.load(std::memory_order_acquire);
  }
  return true;
}

}  // namespace atalaya
