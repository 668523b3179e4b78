#pragma once

// The retry decisions of one call, apart from how it waits: the blocking RetryingHttpClient
// sleeps between attempts, the async services schedule the next attempt on their I/O thread.
// Both ask a RetryState what to do after each attempt, so they retry (and log) identically.

#include <anthropic/http/http_client.hpp>
#include <anthropic/http/retrying_http_client.hpp>
#include <anthropic/logging.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <string>

namespace anthropic::internal {

/// A number in [0, 1), for backoff jitter.
double random_jitter();

class RetryState {
 public:
  /// For one call of `request` as `options` allow (copied). `request`, `policy`, `clock`,
  /// `jitter` and `logger` are kept by reference and must outlive this object; `clock` and
  /// `jitter` must be set, `logger` may be empty.
  RetryState(const http::HttpRequest& request, const http::RetryOptions& options,
             const http::RetryPolicy& policy, const http::Clock& clock, const http::Jitter& jitter,
             const Logger& logger);

  /// The request of the next attempt: `request` numbered with `x-stainless-retry-count`
  /// (unless the caller set that header). Throws AnthropicCancelledException once the request's
  /// token is cancelled.
  const http::HttpRequest& next_attempt();

  /// After the attempt returned a response: nullopt when it is the call's result, else the delay
  /// before the next attempt (the response is then to be dropped).
  std::optional<std::chrono::milliseconds> after_response(int status, const http::Headers& headers);

  /// After the attempt failed with `error`: the delay before the next attempt, or throws the
  /// error the call ends with.
  std::chrono::milliseconds after_error(std::exception_ptr error);

  /// Throws the AnthropicCancelledException of a call cancelled between attempts.
  [[noreturn]] void throw_cancelled() const;

  /// "METHOD url" (query kept, redacted), as the log names the call.
  const std::string& target() const noexcept { return target_; }
  /// Whether an attempt so far may have reached the server.
  bool reached() const noexcept { return reached_; }

  /// The number of the attempt last returned by `next_attempt` (0 for the first).
  int attempt() const noexcept { return n_; }

 private:
  std::chrono::milliseconds backoff(int retry) const;
  std::string attempt_text() const;
  void log_ended(LogLevel level, const std::string& event, const std::string& why = {}) const;
  void log_retrying(const std::string& event, std::chrono::milliseconds delay) const;

  const http::HttpRequest& request_;
  bool retry_on_unknown_outcome_;
  const http::RetryPolicy& policy_;
  const http::Clock& clock_;
  const http::Jitter& jitter_;
  const Logger& logger_;
  int max_retries_;
  std::string target_;
  std::optional<http::HttpRequest> numbered_;
  int n_ = -1;
  // Whether an earlier attempt may have been received: a cancel between attempts reports it.
  bool reached_ = false;
};

}  // namespace anthropic::internal
