#include "http/retry_state.hpp"

#include <anthropic/errors.hpp>

#include "http/url_redact.hpp"
#include "retry_after.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace anthropic::internal {

namespace {

constexpr const char* kRetryCountHeader = "x-stainless-retry-count";

// What a response was, for the log: "<status>[ (request-id: <id>)]".
std::string response_event(int status, const http::Headers& headers) {
  const std::string* id = headers.find("request-id");
  return std::to_string(status) +
         (id != nullptr && !id->empty() ? " (request-id: " + *id + ")" : std::string());
}

}  // namespace

double random_jitter() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

RetryState::RetryState(const http::HttpRequest& request, const http::RetryOptions& options,
                       const http::RetryPolicy& policy, const http::Clock& clock,
                       const http::Jitter& jitter, const Logger& logger)
    : request_(request),
      retry_on_unknown_outcome_(options.retry_on_unknown_outcome),
      policy_(policy),
      clock_(clock),
      jitter_(jitter),
      logger_(logger),
      max_retries_(std::max(0, options.max_retries.value_or(policy.max_retries))),
      target_(request.method + " " + redact_url(request.url, true)) {
  // Copied once so that each attempt can carry its number (the body is shared, not copied); a
  // caller who set the header gets exactly their request on every attempt.
  if (!request.headers.contains(kRetryCountHeader)) numbered_.emplace(request);
}

const http::HttpRequest& RetryState::next_attempt() {
  if (request_.cancellation.cancelled()) throw_cancelled();
  ++n_;
  if (numbered_) numbered_->headers.set(kRetryCountHeader, std::to_string(n_));
  return numbered_ ? *numbered_ : request_;
}

void RetryState::throw_cancelled() const {
  if (logger_) logger_(LogLevel::info, target_ + ": cancelled");
  throw AnthropicCancelledException(target_ + " cancelled", reached_);
}

std::string RetryState::attempt_text() const {
  return "attempt " + std::to_string(n_ + 1) + " of " + std::to_string(max_retries_ + 1);
}

void RetryState::log_ended(LogLevel level, const std::string& event, const std::string& why) const {
  if (!logger_) return;
  logger_(level, target_ + ": " + event + (why.empty() ? std::string() : "; " + why) + " (" +
                     attempt_text() + ")");
}

void RetryState::log_retrying(const std::string& event, std::chrono::milliseconds delay) const {
  if (!logger_) return;
  logger_(LogLevel::info, target_ + ": " + event + "; retrying in " +
                              std::to_string(delay.count()) + " ms (" + attempt_text() + ")");
}

std::chrono::milliseconds RetryState::backoff(int retry) const {
  double base = static_cast<double>(policy_.initial_delay.count()) *
                std::pow(2.0, static_cast<double>(std::min(retry, 62)));
  base = std::min(base, static_cast<double>(policy_.max_delay.count()));
  double j = jitter_();
  if (!(j >= 0.0)) j = 0.0;  // also NaN
  if (j >= 1.0) j = std::nextafter(1.0, 0.0);
  return std::chrono::milliseconds(
      static_cast<long long>(std::max(0.0, std::min(base * (1.0 - 0.25 * j), kMaxWaitMs))));
}

std::optional<std::chrono::milliseconds> RetryState::after_response(int status,
                                                                    const http::Headers& headers) {
  const std::string outcome = response_event(status, headers);
  // A gateway timeout (504) says nothing about whether the server acted on the request: like a
  // dropped connection, it is re-sent only when the call's RetryOptions allow that.
  const bool unknown_outcome = status == 504;
  if (unknown_outcome) reached_ = true;
  if (unknown_outcome && !retry_on_unknown_outcome_) {
    log_ended(LogLevel::info, outcome, "not retried: a gateway timeout leaves the outcome unknown");
    return std::nullopt;
  }
  if (!http::RetryingHttpClient::should_retry(status, headers)) {
    log_ended(status < 400 ? LogLevel::debug : LogLevel::info, outcome);
    return std::nullopt;
  }
  if (n_ >= max_retries_) {
    log_ended(LogLevel::info, outcome, "retries exhausted");
    return std::nullopt;
  }
  std::chrono::milliseconds delay;
  if (auto wait = retry_after(headers, clock_())) {
    if (*wait > policy_.max_retry_after) {
      log_ended(LogLevel::info, outcome,
                "server asked to wait " + std::to_string(wait->count()) + " ms, above the " +
                    std::to_string(policy_.max_retry_after.count()) + " ms ceiling: not retried");
      return std::nullopt;
    }
    delay = *wait;
  } else {
    delay = backoff(n_);
  }
  log_retrying(outcome, delay);
  return delay;
}

std::chrono::milliseconds RetryState::after_error(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const AnthropicCancelledException& e) {
    log_ended(LogLevel::info, "cancelled");
    if (reached_ && !e.may_have_reached_server()) {
      throw AnthropicCancelledException(e.what(), true);  // an earlier attempt may have landed
    }
    throw;  // never retried
  } catch (const AnthropicIoException& e) {
    reached_ = reached_ || e.may_have_reached_server();
    const bool retry =
        n_ < max_retries_ && (!e.may_have_reached_server() || retry_on_unknown_outcome_);
    if (!retry) {
      log_ended(LogLevel::info, e.what(),
                n_ >= max_retries_ ? "retries exhausted"
                                   : "not retried: the request may have reached the server");
      throw;
    }
    std::chrono::milliseconds delay = backoff(n_);
    log_retrying(e.what(), delay);
    return delay;
  }
  // Any other error (an invalid header, a body over its limit) ends the call as it is.
}

}  // namespace anthropic::internal
