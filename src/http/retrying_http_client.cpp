#include <anthropic/errors.hpp>
#include <anthropic/http/retrying_http_client.hpp>

#include "http/retry_after.hpp"
#include "http/url_redact.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <thread>
#include <utility>

namespace anthropic::http {

namespace {

constexpr const char* kRetryCountHeader = "x-stainless-retry-count";
double default_jitter() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

// The log lines of one call's attempts: the retry loop decides, this says what it decided, each
// line naming the request and the attempt. Nothing is formatted without a logger.
class AttemptLog {
 public:
  AttemptLog(const Logger& logger, std::string request_target, int max_retries)
      : logger_(logger), target_(std::move(request_target)), max_retries_(max_retries) {}

  const std::string& target() const noexcept { return target_; }

  /// What a response was: "<status>[ (request-id: <id>)]".
  static std::string response_event(int status, const Headers& headers) {
    const std::string* id = headers.find("request-id");
    return std::to_string(status) +
           (id != nullptr && !id->empty() ? " (request-id: " + *id + ")" : std::string());
  }

  /// A cancel seen before an attempt: "<target>: cancelled".
  void cancelled() const {
    if (logger_) logger_(LogLevel::info, target_ + ": cancelled");
  }

  /// Attempt `n` ends the call: "<target>: <event>[; <why>] (attempt n+1 of m)".
  void ended(LogLevel level, int n, const std::string& event, const std::string& why = {}) const {
    if (!logger_) return;
    logger_(level, target_ + ": " + event + (why.empty() ? std::string() : "; " + why) + " (" +
                       attempt_text(n) + ")");
  }

  /// Attempt `n` is followed by another after `delay`.
  void retrying(int n, const std::string& event, std::chrono::milliseconds delay) const {
    if (!logger_) return;
    logger_(LogLevel::info, target_ + ": " + event + "; retrying in " +
                                std::to_string(delay.count()) + " ms (" + attempt_text(n) + ")");
  }

 private:
  std::string attempt_text(int n) const {
    return "attempt " + std::to_string(n + 1) + " of " + std::to_string(max_retries_ + 1);
  }

  const Logger& logger_;
  std::string target_;
  int max_retries_;
};

void drop_body(HttpResponse& response) noexcept { std::string().swap(response.body); }
void drop_body(StreamedResponse& response) noexcept { response.body.reset(); }

}  // namespace

RetryingHttpClient::RetryingHttpClient(std::shared_ptr<HttpClient> inner, RetryPolicy policy,
                                       Sleeper sleeper, Clock clock, Jitter jitter, Logger logger)
    : inner_(std::move(inner)),
      policy_(policy),
      sleeper_(std::move(sleeper)),
      clock_(std::move(clock)),
      jitter_(std::move(jitter)),
      logger_(std::move(logger)) {
  if (!inner_) throw AnthropicException("RetryingHttpClient needs an HttpClient to wrap");
  // No default sleeper: without an injected one, `run` waits on the request's cancellation
  // token, so that a cancel interrupts the backoff at once.
  if (!clock_) clock_ = [] { return std::chrono::system_clock::now(); };
  if (!jitter_) jitter_ = &default_jitter;
}

bool RetryingHttpClient::should_retry(int status, const Headers& headers) {
  // A 2xx is a result whatever its headers say: re-sending a create that succeeded would
  // create (and bill) a second batch.
  if (status >= 200 && status <= 299) return false;
  if (const std::string* value = headers.find("x-should-retry")) {
    if (*value == "true") return true;
    if (*value == "false") return false;
  }
  return status == 408 || status == 409 || status == 429 || status >= 500;
}

std::optional<std::chrono::milliseconds> RetryingHttpClient::retry_after(
    const Headers& headers, std::chrono::system_clock::time_point now) {
  return internal::retry_after(headers, now);
}

HttpResponse RetryingHttpClient::send(const HttpRequest& request) {
  return run<HttpResponse>(request, [this](const HttpRequest& r) { return inner_->send(r); });
}

StreamedResponse RetryingHttpClient::open(const HttpRequest& request) {
  return run<StreamedResponse>(request, [this](const HttpRequest& r) { return inner_->open(r); });
}

template <class Response, class Attempt>
Response RetryingHttpClient::run(const HttpRequest& request, Attempt&& attempt) {
  const int max_retries = std::max(0, request.max_retries.value_or(policy_.max_retries));
  // The request is copied once so that each attempt can carry its number (the body is shared, not
  // copied); a caller who set the header gets exactly their request on every attempt.
  std::optional<HttpRequest> numbered;
  if (!request.headers.contains(kRetryCountHeader)) numbered.emplace(request);
  const HttpRequest& sent = numbered ? *numbered : request;
  const AttemptLog log(logger_, request.method + " " + internal::redact_url(request.url, true),
                       max_retries);
  auto backoff = [this](int retry) {
    double base = static_cast<double>(policy_.initial_delay.count()) *
                  std::pow(2.0, static_cast<double>(std::min(retry, 62)));
    base = std::min(base, static_cast<double>(policy_.max_delay.count()));
    double j = jitter_();
    if (!(j >= 0.0)) j = 0.0;  // also NaN
    if (j >= 1.0) j = std::nextafter(1.0, 0.0);
    return std::chrono::milliseconds(static_cast<long long>(
        std::max(0.0, std::min(base * (1.0 - 0.25 * j), internal::kMaxWaitMs))));
  };

  const CancellationToken& token = request.cancellation;
  // Whether an earlier attempt may have been received: a cancel between attempts reports it.
  bool reached = false;
  auto throw_cancelled = [&] {
    log.cancelled();
    throw AnthropicCancelledException(log.target() + " cancelled", reached);
  };

  for (int n = 0;; ++n) {
    if (token.cancelled()) throw_cancelled();
    if (numbered) numbered->headers.set(kRetryCountHeader, std::to_string(n));
    std::chrono::milliseconds delay{0};
    try {
      Response response = attempt(sent);
      const std::string outcome = AttemptLog::response_event(response.status, response.headers);
      // A gateway timeout (504) says nothing about whether the server acted on the request:
      // like a dropped connection, it is re-sent only when the request allows that.
      const bool unknown_outcome = response.status == 504;
      if (unknown_outcome) reached = true;
      if (unknown_outcome && !request.retry_on_unknown_outcome) {
        log.ended(LogLevel::info, n, outcome,
                  "not retried: a gateway timeout leaves the outcome unknown");
        return response;
      }
      if (!should_retry(response.status, response.headers)) {
        log.ended(response.status < 400 ? LogLevel::debug : LogLevel::info, n, outcome);
        return response;
      }
      if (n >= max_retries) {
        log.ended(LogLevel::info, n, outcome, "retries exhausted");
        return response;
      }
      if (auto wait = retry_after(response.headers, clock_())) {
        if (*wait > policy_.max_retry_after) {
          log.ended(LogLevel::info, n, outcome,
                    "server asked to wait " + std::to_string(wait->count()) + " ms, above the " +
                        std::to_string(policy_.max_retry_after.count()) +
                        " ms ceiling: not retried");
          return response;
        }
        delay = *wait;
      } else {
        delay = backoff(n);
      }
      log.retrying(n, outcome, delay);
      drop_body(response);  // a streamed body is abandoned, which closes its connection
    } catch (const AnthropicCancelledException& e) {
      log.ended(LogLevel::info, n, "cancelled");
      if (reached && !e.may_have_reached_server()) {
        throw AnthropicCancelledException(e.what(), true);  // an earlier attempt may have landed
      }
      throw;  // never retried
    } catch (const AnthropicIoException& e) {
      reached = reached || e.may_have_reached_server();
      const bool retry =
          n < max_retries && (!e.may_have_reached_server() || request.retry_on_unknown_outcome);
      if (!retry) {
        std::string why = n >= max_retries ? "retries exhausted"
                                           : "not retried: the request may have reached the server";
        log.ended(LogLevel::info, n, e.what(), why);
        throw;
      }
      delay = backoff(n);
      log.retrying(n, e.what(), delay);
    }
    if (sleeper_) {
      sleeper_(delay);  // injected (tests): not interruptible, so the token is checked after
    } else if (token.can_be_cancelled()) {
      token.wait_for(delay);  // returns early on cancel; the loop's check then throws
    } else {
      std::this_thread::sleep_for(delay);
    }
  }
}

}  // namespace anthropic::http
