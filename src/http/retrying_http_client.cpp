#include <anthropic/errors.hpp>
#include <anthropic/http/retrying_http_client.hpp>

#include "http/url_redact.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

namespace anthropic::http {

namespace {

constexpr const char* kRetryCountHeader = "x-stainless-retry-count";
// Longest wait representable without overflow worries (about 31 years).
constexpr double kMaxWaitMs = 1e12;

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A finite, non-negative decimal number (the whole of `s`, surrounding blanks aside).
std::optional<double> parse_non_negative(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value) || value < 0) {
    return std::nullopt;
  }
  return value;
}

std::chrono::milliseconds ceil_ms(double ms) {
  return std::chrono::milliseconds(static_cast<long long>(std::ceil(std::min(ms, kMaxWaitMs))));
}

int month_index(const char* name) {
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (std::strcmp(name, kMonths[i]) == 0) return static_cast<int>(i) + 1;
  }
  return 0;
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's algorithm).
long long days_from_civil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

// An HTTP date (RFC 9110 section 5.6.7): IMF-fixdate, or the obsolete RFC 850 and asctime forms.
// Seconds since the Unix epoch, kept as a number: a far-future year (a fuzzer's "2602") does not
// fit a system_clock time_point, whose nanoseconds overflow after 2262.
std::optional<long long> parse_http_date(std::string_view text) {
  text = trim(text);
  if (text.empty() || text.size() > 64) return std::nullopt;
  char buf[65];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  const int len = static_cast<int>(text.size());

  char weekday[16] = {};
  char month[4] = {};
  int day = 0, year = 0, hour = 0, minute = 0, second = 0, used = -1;
  bool parsed = false;
  // Sun, 06 Nov 1994 08:49:37 GMT
  if (std::sscanf(buf, "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d GMT%n", weekday, &day, month,
                  &year, &hour, &minute, &second, &used) == 7 &&
      used == len) {
    parsed = true;
  }
  // Sunday, 06-Nov-94 08:49:37 GMT
  used = -1;
  if (!parsed &&
      std::sscanf(buf, "%15[A-Za-z], %2d-%3[A-Za-z]-%2d %2d:%2d:%2d GMT%n", weekday, &day, month,
                  &year, &hour, &minute, &second, &used) == 7 &&
      used == len) {
    year += year < 70 ? 2000 : 1900;
    parsed = true;
  }
  // Sun Nov  6 08:49:37 1994
  used = -1;
  if (!parsed &&
      std::sscanf(buf, "%3[A-Za-z] %3[A-Za-z] %2d %2d:%2d:%2d %4d%n", weekday, month, &day, &hour,
                  &minute, &second, &year, &used) == 7 &&
      used == len) {
    parsed = true;
  }
  const int mon = month_index(month);
  if (!parsed || mon == 0 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60 ||
      year < 1970 || hour < 0 || minute < 0 || second < 0) {
    return std::nullopt;
  }
  long long seconds =
      days_from_civil(year, static_cast<unsigned>(mon), static_cast<unsigned>(day)) * 86400 +
      hour * 3600 + minute * 60 + second;
  return seconds;
}

double default_jitter() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

std::string attempt_text(int attempt, int max_retries) {
  return "attempt " + std::to_string(attempt + 1) + " of " + std::to_string(max_retries + 1);
}

std::string request_id_text(const Headers& headers) {
  const std::string* id = headers.find("request-id");
  return id != nullptr && !id->empty() ? " (request-id: " + *id + ")" : std::string();
}

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
  if (const std::string* ms = headers.find("retry-after-ms")) {
    if (auto value = parse_non_negative(*ms)) return ceil_ms(*value);
  }
  if (const std::string* after = headers.find("retry-after")) {
    if (auto seconds = parse_non_negative(*after)) return ceil_ms(*seconds * 1000.0);
    if (auto date = parse_http_date(*after)) {
      const auto now_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
      const double wait_ms = static_cast<double>(*date) * 1000.0 - static_cast<double>(now_ms);
      return ceil_ms(std::max(0.0, wait_ms));  // a date already past means "now"; capped
    }
  }
  return std::nullopt;
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
  const std::string target = request.method + " " + internal::redact_url(request.url, true);

  auto log = [this](LogLevel level, const std::string& line) {
    if (logger_) logger_(level, line);
  };
  auto backoff = [this](int retry) {
    double base = static_cast<double>(policy_.initial_delay.count()) *
                  std::pow(2.0, static_cast<double>(std::min(retry, 62)));
    base = std::min(base, static_cast<double>(policy_.max_delay.count()));
    double j = jitter_();
    if (!(j >= 0.0)) j = 0.0;  // also NaN
    if (j >= 1.0) j = std::nextafter(1.0, 0.0);
    return std::chrono::milliseconds(
        static_cast<long long>(std::max(0.0, std::min(base * (1.0 - 0.25 * j), kMaxWaitMs))));
  };

  const CancellationToken& token = request.cancellation;
  // Whether an earlier attempt may have been received: a cancel between attempts reports it.
  bool reached = false;
  auto throw_cancelled = [&] {
    log(LogLevel::info, target + ": cancelled");
    throw AnthropicCancelledException(target + " cancelled", reached);
  };

  for (int n = 0;; ++n) {
    if (token.cancelled()) throw_cancelled();
    if (numbered) numbered->headers.set(kRetryCountHeader, std::to_string(n));
    std::chrono::milliseconds delay{0};
    try {
      Response response = attempt(sent);
      const std::string outcome =
          target + ": " + std::to_string(response.status) + request_id_text(response.headers);
      // A gateway timeout (504) says nothing about whether the server acted on the request:
      // like a dropped connection, it is re-sent only when the request allows that.
      const bool unknown_outcome = response.status == 504;
      if (unknown_outcome) reached = true;
      if (unknown_outcome && !request.retry_on_unknown_outcome) {
        log(LogLevel::info, outcome +
                                "; not retried: a gateway timeout leaves the outcome unknown (" +
                                attempt_text(n, max_retries) + ")");
        return response;
      }
      if (!should_retry(response.status, response.headers)) {
        log(response.status < 400 ? LogLevel::debug : LogLevel::info,
            outcome + " (" + attempt_text(n, max_retries) + ")");
        return response;
      }
      if (n >= max_retries) {
        log(LogLevel::info, outcome + "; retries exhausted (" + attempt_text(n, max_retries) + ")");
        return response;
      }
      if (auto wait = retry_after(response.headers, clock_())) {
        if (*wait > policy_.max_retry_after) {
          log(LogLevel::info,
              outcome + "; server asked to wait " + std::to_string(wait->count()) +
                  " ms, above the " + std::to_string(policy_.max_retry_after.count()) +
                  " ms ceiling: not retried (" + attempt_text(n, max_retries) + ")");
          return response;
        }
        delay = *wait;
      } else {
        delay = backoff(n);
      }
      log(LogLevel::info, outcome + "; retrying in " + std::to_string(delay.count()) + " ms (" +
                              attempt_text(n, max_retries) + ")");
      drop_body(response);  // a streamed body is abandoned, which closes its connection
    } catch (const AnthropicCancelledException& e) {
      log(LogLevel::info, target + ": cancelled (" + attempt_text(n, max_retries) + ")");
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
        log(LogLevel::info,
            target + ": " + e.what() + "; " + why + " (" + attempt_text(n, max_retries) + ")");
        throw;
      }
      delay = backoff(n);
      log(LogLevel::info, target + ": " + e.what() + "; retrying in " +
                              std::to_string(delay.count()) + " ms (" +
                              attempt_text(n, max_retries) + ")");
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
