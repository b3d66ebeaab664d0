// OneShotEvent: the wake-up a webhook handler waits for while the store commits its write.

#include "common/one_shot_event.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace atalaya {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Whether `event` woke its waiter before `deadline`: a wait that ran into its deadline was not
// woken by Set, even though the event reads as set by then.
bool WokeBeforeDeadline(OneShotEvent& event, Clock::time_point deadline) {
  return event.WaitUntil(deadline) && Clock::now() < deadline;
}

TEST(OneShotEvent, AnEventSetBeforeTheWaitIsSeenAtOnce) {
  OneShotEvent event;
  EXPECT_FALSE(event.IsSet());
  event.Set();
  EXPECT_TRUE(event.IsSet());
  EXPECT_TRUE(event.WaitUntil(Clock::now() + seconds(30)));
}

TEST(OneShotEvent, ASleepingWaiterWakesWithWhatTheSetterWrote) {
  OneShotEvent event;
  int result = 0;
  std::thread setter([&] {
    std::this_thread::sleep_for(milliseconds(50));  // let the waiter fall asleep first
    result = 42;
    event.Set();
  });
  const bool woke = WokeBeforeDeadline(event, Clock::now() + seconds(30));
  setter.join();
  EXPECT_TRUE(woke);
  EXPECT_EQ(result, 42);
}

TEST(OneShotEvent, TheDeadlineEndsTheWaitAndALateSetStillCounts) {
  OneShotEvent event;
  const auto start = Clock::now();
  EXPECT_FALSE(event.WaitUntil(start + milliseconds(30)));
  EXPECT_GE(Clock::now() - start, milliseconds(30)) << "returned before its deadline";
  EXPECT_FALSE(event.IsSet());
  event.Set();  // nobody waits any more: nothing to wake
  EXPECT_TRUE(event.IsSet());
  EXPECT_TRUE(event.WaitUntil(start));
}

TEST(OneShotEvent, APastDeadlineWithTheEventUnsetReturnsFalse) {
  OneShotEvent event;
  EXPECT_FALSE(event.WaitUntil(Clock::now() - seconds(1)));
}

// Two threads passing a turn back and forth through fresh events, thousands of times, so
// Set often races the other side's announcement of its sleep: a lost wake-up would leave a
// waiter asleep until its (far) deadline and fail the test.
TEST(OneShotEvent, NoWakeUpIsLostWhenSetRacesTheWaiter) {
  constexpr int kRounds = 3000;
  std::vector<OneShotEvent> ping(kRounds), pong(kRounds);
  std::atomic<int> missed{0};
  std::thread other([&] {
    for (int i = 0; i < kRounds; ++i) {
      if (!WokeBeforeDeadline(ping[i], Clock::now() + seconds(20))) ++missed;
      pong[i].Set();
    }
  });
  for (int i = 0; i < kRounds; ++i) {
    ping[i].Set();
    if (!WokeBeforeDeadline(pong[i], Clock::now() + seconds(20))) ++missed;
  }
  other.join();
  EXPECT_EQ(missed, 0);
}

}  // namespace
}  // namespace atalaya
