#pragma once

// The schedule of wait_until_ended, apart from how it waits: the blocking service sleeps on the
// cancellation token, the async one sets a timer on its I/O thread.

#include <anthropic/errors.hpp>
#include <anthropic/messages/batch_service.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace anthropic::internal {

class WaitPlan {
 public:
  /// Checks the intervals (AnthropicInvalidRequestException) and starts the clock.
  WaitPlan(std::string message_batch_id, const messages::WaitOptions& options);

  /// After a poll returned `batch` (already given to `on_progress`): nullopt when it has ended,
  /// else the wait before the next poll. Throws BatchWaitTimeoutException once out of time.
  std::optional<std::chrono::milliseconds> after_poll(messages::MessageBatch& batch);

  /// The error of a wait cancelled between polls (nothing in flight).
  AnthropicCancelledException cancelled() const;

 private:
  std::string id_;
  const messages::WaitOptions& options_;
  std::function<std::chrono::steady_clock::time_point()> now_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::milliseconds interval_;
};

}  // namespace anthropic::internal
