#include "retry_after.hpp"

#include "calendar.hpp"
#include "trim.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <system_error>

namespace anthropic::internal {

namespace {

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

}  // namespace

std::optional<std::chrono::milliseconds> retry_after(const http::Headers& headers,
                                                     std::chrono::system_clock::time_point now) {
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

}  // namespace anthropic::internal
