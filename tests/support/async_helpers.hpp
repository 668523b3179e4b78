#pragma once

// Helpers for the tests of the async services: bounded waits on futures and conditions, a
// recording AsyncCallback (the process counts are in process_stats.hpp).

#include <anthropic/messages/batch_service_async.hpp>

#include "support/process_stats.hpp"

#include <chrono>
#include <cstdlib>
#include <exception>
#include <functional>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

namespace anthropic::testing {

// Generous bound for "completes, does not hang": the I/O thread reacts within milliseconds; this
// only has to tell that from a hang on a loaded machine (or under ThreadSanitizer).
inline constexpr std::chrono::seconds kNoHang{10};

// The value of a ready future, or its exception; a future still pending after kNoHang is a
// failure (thrown as std::runtime_error so that EXPECT_THROW reports it as the wrong exception).
template <class T>
T get_within(std::future<T> f) {
  if (!f.valid()) throw std::runtime_error("no future (invalid std::future)");
  if (f.wait_for(kNoHang) != std::future_status::ready) {
    throw std::runtime_error("the future did not complete within 10 s");
  }
  return f.get();
}

// Polls `condition` every millisecond until it holds or `limit` passes; returns whether it held.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds limit = kNoHang) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// Runs `fn` on another thread; when it has not returned within kNoHang the test cannot go on
// (its frame is still in use): the failure is reported and the process aborted, rather than
// hanging until the ctest timeout.
inline void returns_within_bound(const char* what, const std::function<void()>& fn) {
  std::promise<void> done;
  std::future<void> returned = done.get_future();
  std::thread runner([&] {
    fn();
    done.set_value();
  });
  if (returned.wait_for(kNoHang) != std::future_status::ready) {
    std::cerr << "FATAL: " << what << " did not return within 10 s (hang)" << std::endl;
    std::abort();
  }
  runner.join();
}

// Records what an AsyncCallback receives: how often it was called, on which thread, and the
// first outcome (forwarded to future()). The callback shares the state, so it may outlive this.
template <class T>
class Landing {
 public:
  anthropic::AsyncCallback<T> callback() const {
    return [state = state_](std::future<T> f) {
      std::lock_guard<std::mutex> lock(state->mutex);
      state->threads.push_back(std::this_thread::get_id());
      if (++state->calls > 1) return;
      // The error is handed over after the catch block, as the library does (thrown_by): the
      // test thread's reference is then the last one.
      std::exception_ptr error;
      try {
        state->promise.set_value(f.get());
      } catch (...) {
        error = std::current_exception();
      }
      if (error) state->promise.set_exception(std::move(error));
    };
  }
  std::future<T> future() { return state_->promise.get_future(); }
  int calls() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->calls;
  }
  std::vector<std::thread::id> threads() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->threads;
  }

 private:
  struct State {
    std::mutex mutex;
    int calls = 0;
    std::vector<std::thread::id> threads;
    std::promise<T> promise;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace anthropic::testing
