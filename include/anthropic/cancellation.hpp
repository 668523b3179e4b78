#pragma once

#include <anthropic/export.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace anthropic {

// Internal (defined in src/, not part of the API): the state a source shares with its tokens.
namespace internal {
struct CancellationState;
}

class CancellationSource;

/// The receiving end of a `CancellationSource`: a call given a token (through
/// `RequestOptions::cancellation`, `WaitOptions`, a results stream) stops with
/// `AnthropicCancelledException` soon after the source is cancelled, whichever thread cancels it.
///
/// Cheap to copy; copies observe the same source. A default-constructed token is never
/// cancelled. Thread-safe.
class ANTHROPIC_EXPORT CancellationToken {
 public:
  CancellationToken() = default;

  /// Whether the source has been cancelled.
  bool cancelled() const noexcept;
  /// False for a default-constructed token, which can never be cancelled.
  bool can_be_cancelled() const noexcept { return state_ != nullptr; }

  /// Blocks for `duration` or until the source is cancelled, whichever comes first; returns
  /// whether it was cancelled.
  bool wait_for(std::chrono::milliseconds duration) const;

  /// Deregisters its callback when destroyed (or `reset()`); once that returns, the callback is
  /// not running and will never run. Move-only.
  class ANTHROPIC_EXPORT Registration {
   public:
    /// Holds no callback.
    Registration() = default;
    /// Takes over `other`'s callback; `other` is left empty.
    Registration(Registration&& other) noexcept;
    /// Deregisters this one's callback (as `reset()`), then takes over `other`'s.
    Registration& operator=(Registration&& other) noexcept;
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;
    ~Registration();
    /// Deregisters the callback now (waiting for it if it is running on another thread).
    void reset() noexcept;

   private:
    friend class CancellationToken;
    Registration(std::shared_ptr<internal::CancellationState> state, std::uint64_t id) noexcept
        : state_(std::move(state)), id_(id) {}
    std::shared_ptr<internal::CancellationState> state_;
    std::uint64_t id_ = 0;
  };

  /// Runs `callback` once when the source is cancelled: at once on this thread when it already
  /// is, else on the thread that calls `cancel()`. The callback must be quick and must not throw
  /// (it is meant to wake a blocked wait, not to do the work). An empty `Registration` is
  /// returned for a token that can never be cancelled.
  [[nodiscard]] Registration on_cancel(std::function<void()> callback) const;

 private:
  friend class CancellationSource;
  explicit CancellationToken(std::shared_ptr<internal::CancellationState> state) noexcept
      : state_(std::move(state)) {}
  std::shared_ptr<internal::CancellationState> state_;
};

/// Cancels the calls holding its tokens: `source.cancel()` from any thread stops an in-flight
/// request (an upload, a stalled server), a `wait_until_ended`, or a results stream within
/// about 100 ms. Cancellation is permanent. Copies share one state. Thread-safe.
class ANTHROPIC_EXPORT CancellationSource {
 public:
  CancellationSource();

  /// Cancels every token of this source and runs their callbacks (on this thread). Idempotent.
  void cancel() noexcept;
  /// Whether `cancel()` has been called.
  bool cancelled() const noexcept;
  /// A token observing this source, for `RequestOptions::cancellation`.
  CancellationToken token() const noexcept { return CancellationToken(state_); }

 private:
  std::shared_ptr<internal::CancellationState> state_;
};

}  // namespace anthropic
