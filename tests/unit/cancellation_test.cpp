// CancellationSource / CancellationToken: state, waits, callbacks and their deregistration.

#include <anthropic/cancellation.hpp>
#include <anthropic/errors.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace {

using anthropic::CancellationSource;
using anthropic::CancellationToken;
using std::chrono::milliseconds;

TEST(Cancellation, DefaultTokenIsNeverCancelled) {
  CancellationToken token;
  EXPECT_FALSE(token.can_be_cancelled());
  EXPECT_FALSE(token.cancelled());
  EXPECT_FALSE(token.wait_for(milliseconds(1)));
  bool ran = false;
  auto registration = token.on_cancel([&] { ran = true; });
  EXPECT_FALSE(ran);
}

TEST(Cancellation, CancelReachesEveryCopyOfTheToken) {
  CancellationSource source;
  CancellationToken a = source.token();
  CancellationToken b = a;
  EXPECT_TRUE(a.can_be_cancelled());
  EXPECT_FALSE(b.cancelled());
  source.cancel();
  source.cancel();  // idempotent
  EXPECT_TRUE(a.cancelled());
  EXPECT_TRUE(b.cancelled());
  EXPECT_TRUE(source.cancelled());
  EXPECT_TRUE(a.wait_for(milliseconds(10000)));  // returns at once
}

TEST(Cancellation, WaitForEndsWhenAnotherThreadCancels) {
  CancellationSource source;
  auto start = std::chrono::steady_clock::now();
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(20));
    source.cancel();
  });
  EXPECT_TRUE(source.token().wait_for(milliseconds(60000)));
  canceller.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

TEST(Cancellation, CallbacksRunOnceOnCancelAndAtOnceWhenAlreadyCancelled) {
  CancellationSource source;
  int first = 0, second = 0, removed = 0;
  auto r1 = source.token().on_cancel([&] { ++first; });
  auto r2 = source.token().on_cancel([&] { ++second; });
  {
    auto r3 = source.token().on_cancel([&] { ++removed; });
  }  // deregistered before the cancel
  source.cancel();
  source.cancel();
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 1);
  EXPECT_EQ(removed, 0);
  int late = 0;
  auto r4 = source.token().on_cancel([&] { ++late; });
  EXPECT_EQ(late, 1);
}

TEST(Cancellation, DeregistrationWaitsForARunningCallback) {
  CancellationSource source;
  std::atomic<bool> started{false};
  std::atomic<bool> finished{false};
  auto registration = source.token().on_cancel([&] {
    started = true;
    std::this_thread::sleep_for(milliseconds(50));
    finished = true;
  });
  std::thread canceller([&] { source.cancel(); });
  while (!started) std::this_thread::yield();
  registration.reset();  // must not return while the callback runs
  EXPECT_TRUE(finished.load());
  canceller.join();
}

TEST(Cancellation, ACallbackMayDeregisterItselfWithoutDeadlock) {
  CancellationSource source;
  CancellationToken::Registration registration;
  int ran = 0;
  registration = source.token().on_cancel([&] {
    ++ran;
    registration.reset();
  });
  source.cancel();
  EXPECT_EQ(ran, 1);
}

TEST(Cancellation, CancelledExceptionIsAnIoException) {
  anthropic::AnthropicCancelledException e("cancelled", true);
  const anthropic::AnthropicIoException& io = e;
  EXPECT_TRUE(io.may_have_reached_server());
  EXPECT_STREQ(io.what(), "cancelled");
}

}  // namespace
