#pragma once

#include <anthropic/export.hpp>
#include <anthropic/http/http_client.hpp>
#include <anthropic/logging.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace anthropic::http {

/// How `RetryingHttpClient` decides and waits. Defaults are those of the official SDKs.
struct RetryPolicy {
  int max_retries = 2;  ///< used when a call's `RetryOptions` do not set their own budget
  /// Backoff before the first retry, when the server asked for no wait; doubled each retry.
  std::chrono::milliseconds initial_delay{500};
  /// Ceiling of the doubling backoff (before jitter).
  std::chrono::milliseconds max_delay{8000};
  /// A server-requested wait (`retry-after-ms`, `retry-after`) longer than this is not honoured:
  /// the response is returned as is and the caller's exception carries the requested wait.
  std::chrono::milliseconds max_retry_after{std::chrono::seconds(60)};
};

/// What one call allows its retrying decorator, beside the decorator's `RetryPolicy`. Kept apart
/// from `HttpRequest` so that a custom transport sees only the request it is to send.
struct RetryOptions {
  /// Retry budget of this call; unset means `RetryPolicy::max_retries`.
  std::optional<int> max_retries;
  /// Whether the request may be sent again when an earlier attempt may have reached the server
  /// but no response came back, or the answer was a 504 (a gateway timeout says nothing about
  /// what the server did). The SDK sets false for `create` (a resend could create, and bill, a
  /// second batch) unless the caller opted in.
  bool retry_on_unknown_outcome = true;
};

/// Waits; injectable so that tests check delays without waiting. Without one, the wait is on the
/// request's cancellation token.
using Sleeper = std::function<void(std::chrono::milliseconds)>;
/// Current wall-clock time; injectable for `retry-after` HTTP dates.
using Clock = std::function<std::chrono::system_clock::time_point()>;
/// A number in [0, 1); injectable to make jitter deterministic in tests.
using Jitter = std::function<double()>;

/// Decorator that retries another `HttpClient` as the official SDKs do:
/// a 2xx is a result and never retried; on any other status `x-should-retry: true|false` decides
/// first; otherwise 408, 409, 429, >= 500 and transport failures are retried. The delay is
/// `retry-after-ms`, else `retry-after` (seconds or an HTTP date) when not above
/// `max_retry_after`, else `min(initial * 2^n, max)` less up to 25 % jitter.
/// A transport failure after the request may have reached the server, and a 504 (a gateway
/// timeout, which says nothing about what the server did), are retried only when the call's
/// `RetryOptions::retry_on_unknown_outcome` is true (the default). Each attempt sends the identical
/// request, with `x-stainless-retry-count` set to the attempt number unless the caller set that
/// header.
///
/// `HttpRequest::cancellation` is checked before each attempt and interrupts the wait between
/// attempts (an injected `Sleeper` is not interrupted: the token is checked once it returns);
/// `AnthropicCancelledException` is never retried.
///
/// Thread-safe when the wrapped client is.
class ANTHROPIC_EXPORT RetryingHttpClient final : public HttpClient {
 public:
  /// Wraps `inner` (shared: it stays alive as long as this decorator). Unset seams are real time,
  /// real sleeping (on the request's cancellation token), random jitter and no logging.
  RetryingHttpClient(std::shared_ptr<HttpClient> inner, RetryPolicy policy = {},
                     Sleeper sleeper = {}, Clock clock = {}, Jitter jitter = {},
                     Logger logger = {});

  /// `inner->send` with retries as `options` allow; the last response (a 2xx, or an error status
  /// once retries are spent or not allowed) is returned, a transport failure rethrown.
  HttpResponse send(const HttpRequest& request, const RetryOptions& options);
  /// `inner->open` with the same retries, until the status and headers arrive (a failure while
  /// the body is read later is the caller's to handle: the results stream resumes it).
  StreamedResponse open(const HttpRequest& request, const RetryOptions& options);
  /// `send(request, RetryOptions{})`: the policy's budget, unknown outcomes retried.
  HttpResponse send(const HttpRequest& request) override;
  /// `open(request, RetryOptions{})`.
  StreamedResponse open(const HttpRequest& request) override;

  /// The server-requested wait in `headers`, if any (`retry-after-ms`, then `retry-after` as
  /// seconds or an HTTP date relative to `now`).
  static std::optional<std::chrono::milliseconds> retry_after(
      const Headers& headers, std::chrono::system_clock::time_point now);
  /// Whether a response with this status and headers should be retried.
  static bool should_retry(int status, const Headers& headers);

 private:
  template <class Response, class Attempt>
  Response run(const HttpRequest& request, const RetryOptions& options, Attempt&& attempt);

  std::shared_ptr<HttpClient> inner_;
  RetryPolicy policy_;
  Sleeper sleeper_;
  Clock clock_;
  Jitter jitter_;
  Logger logger_;
};

}  // namespace anthropic::http
