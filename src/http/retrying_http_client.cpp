#include <anthropic/errors.hpp>
#include <anthropic/http/retrying_http_client.hpp>

#include "http/retry_state.hpp"
#include "retry_after.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <thread>
#include <utility>

namespace anthropic::http {

namespace {

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
  if (!jitter_) jitter_ = &internal::random_jitter;
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

HttpResponse RetryingHttpClient::send(const HttpRequest& request, const RetryOptions& options) {
  return run<HttpResponse>(request, options,
                           [this](const HttpRequest& r) { return inner_->send(r); });
}

StreamedResponse RetryingHttpClient::open(const HttpRequest& request, const RetryOptions& options) {
  return run<StreamedResponse>(request, options,
                               [this](const HttpRequest& r) { return inner_->open(r); });
}

HttpResponse RetryingHttpClient::send(const HttpRequest& request) {
  return send(request, RetryOptions{});
}

StreamedResponse RetryingHttpClient::open(const HttpRequest& request) {
  return open(request, RetryOptions{});
}

template <class Response, class Attempt>
Response RetryingHttpClient::run(const HttpRequest& request, const RetryOptions& options,
                                 Attempt&& attempt) {
  internal::RetryState state(request, options, policy_, clock_, jitter_, logger_);
  const CancellationToken& token = request.cancellation;
  for (;;) {
    const HttpRequest& sent = state.next_attempt();
    std::chrono::milliseconds delay{0};
    try {
      Response response = attempt(sent);
      auto retry = state.after_response(response.status, response.headers);
      if (!retry) return response;
      delay = *retry;
      drop_body(response);  // a streamed body is abandoned, which closes its connection
    } catch (...) {
      delay = state.after_error(std::current_exception());
    }
    if (sleeper_) {
      sleeper_(delay);  // injected (tests): not interruptible, so the token is checked after
    } else if (token.can_be_cancelled()) {
      token.wait_for(delay);  // returns early on cancel; next_attempt then throws
    } else {
      std::this_thread::sleep_for(delay);
    }
  }
}

}  // namespace anthropic::http
