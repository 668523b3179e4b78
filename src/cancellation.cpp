#include <anthropic/cancellation.hpp>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace anthropic {

namespace internal {

// One source's state. Callbacks are kept in registration order; `cancel()` takes them one at a
// time and runs each outside the lock, so that a callback may itself touch the state (or
// deregister another one) without deadlocking. A registration destroyed while its callback runs
// on another thread waits for it to finish (as std::stop_callback does), so that the callback
// never touches an object its owner has already destroyed.
struct CancellationState {
  std::atomic<bool> cancelled{false};
  std::mutex mutex;
  std::condition_variable changed;
  std::map<std::uint64_t, std::function<void()>> callbacks;
  std::uint64_t next_id = 1;
  std::uint64_t running_id = 0;  // the callback being run by `cancel()`, 0 if none
  std::thread::id running_thread;
};

}  // namespace internal

bool CancellationToken::cancelled() const noexcept {
  return state_ != nullptr && state_->cancelled.load(std::memory_order_acquire);
}

bool CancellationToken::wait_for(std::chrono::milliseconds duration) const {
  if (!state_) {
    if (duration.count() > 0) std::this_thread::sleep_for(duration);
    return false;
  }
  std::unique_lock<std::mutex> lock(state_->mutex);
  return state_->changed.wait_for(
      lock, duration, [this] { return state_->cancelled.load(std::memory_order_acquire); });
}

CancellationToken::Registration CancellationToken::on_cancel(std::function<void()> callback) const {
  if (!state_ || !callback) return Registration();
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    if (!state_->cancelled.load(std::memory_order_acquire)) {
      std::uint64_t id = state_->next_id++;
      state_->callbacks.emplace(id, std::move(callback));
      return Registration(state_, id);
    }
  }
  callback();  // already cancelled: run now, on this thread
  return Registration();
}

CancellationToken::Registration::Registration(Registration&& other) noexcept
    : state_(std::move(other.state_)), id_(std::exchange(other.id_, 0)) {}

CancellationToken::Registration& CancellationToken::Registration::operator=(
    Registration&& other) noexcept {
  if (this != &other) {
    reset();
    state_ = std::move(other.state_);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

CancellationToken::Registration::~Registration() { reset(); }

void CancellationToken::Registration::reset() noexcept {
  if (!state_) return;
  {
    std::unique_lock<std::mutex> lock(state_->mutex);
    if (state_->callbacks.erase(id_) == 0 && state_->running_id == id_ &&
        state_->running_thread != std::this_thread::get_id()) {
      state_->changed.wait(lock, [this] { return state_->running_id != id_; });
    }
  }
  state_.reset();
  id_ = 0;
}

CancellationSource::CancellationSource()
    : state_(std::make_shared<internal::CancellationState>()) {}

bool CancellationSource::cancelled() const noexcept {
  return state_->cancelled.load(std::memory_order_acquire);
}

void CancellationSource::cancel() noexcept {
  internal::CancellationState& s = *state_;
  std::unique_lock<std::mutex> lock(s.mutex);
  if (s.cancelled.exchange(true, std::memory_order_acq_rel)) return;
  s.changed.notify_all();  // wakes `wait_for`
  while (!s.callbacks.empty()) {
    auto first = s.callbacks.begin();
    std::function<void()> callback = std::move(first->second);
    s.running_id = first->first;
    s.running_thread = std::this_thread::get_id();
    s.callbacks.erase(first);
    lock.unlock();
    try {
      callback();
    } catch (...) {
      // A callback must not throw; one that does cannot stop the others.
    }
    callback = nullptr;  // destroyed before its registration may return
    lock.lock();
    s.running_id = 0;
    s.changed.notify_all();
  }
}

}  // namespace anthropic
