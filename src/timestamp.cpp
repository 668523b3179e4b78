#include <anthropic/errors.hpp>
#include <anthropic/timestamp.hpp>

#include "calendar.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

// RFC 3339 by hand: no locale, no TZ, no mktime/timegm (the calendar arithmetic is calendar.hpp).

namespace anthropic {

namespace {

using Micros = std::chrono::microseconds;

using internal::Civil;
using internal::civil_from_days;
using internal::days_from_civil;

constexpr bool is_leap(std::int64_t y) noexcept {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

constexpr unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
  constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `n` decimal digits at text[pos]; advances pos.
bool digits(std::string_view text, std::size_t& pos, std::size_t n, unsigned& value) noexcept {
  if (text.size() - pos < n) return false;
  unsigned v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  value = v;
  pos += n;
  return true;
}

bool expect(std::string_view text, std::size_t& pos, char c) noexcept {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text) noexcept {
  std::size_t pos = 0;
  unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(text, pos, 4, year) || !expect(text, pos, '-') || !digits(text, pos, 2, month) ||
      !expect(text, pos, '-') || !digits(text, pos, 2, day)) {
    return std::nullopt;
  }
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't')) return std::nullopt;
  ++pos;
  if (!digits(text, pos, 2, hour) || !expect(text, pos, ':') || !digits(text, pos, 2, minute) ||
      !expect(text, pos, ':') || !digits(text, pos, 2, second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
      minute > 59 || second > 60) {  // 60: a leap second, counted as the next minute's :00
    return std::nullopt;
  }

  std::int64_t micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    int kept = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (kept < 6) {
        micros = micros * 10 + (text[pos] - '0');
        ++kept;
      }
      ++pos;  // digits past microseconds are truncated
    }
    if (pos == start) return std::nullopt;
    for (; kept < 6; ++kept) micros *= 10;
  }

  std::int64_t offset_seconds = 0;
  if (pos >= text.size()) return std::nullopt;
  char zone = text[pos++];
  if (zone == 'Z' || zone == 'z') {
    // UTC
  } else if (zone == '+' || zone == '-') {
    unsigned oh = 0, om = 0;
    if (!digits(text, pos, 2, oh) || !expect(text, pos, ':') || !digits(text, pos, 2, om) ||
        oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_seconds = (static_cast<std::int64_t>(oh) * 60 + om) * 60;
    if (zone == '-') offset_seconds = -offset_seconds;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;

  // Local time minus its offset is UTC.
  std::int64_t seconds = days_from_civil(year, month, day) * 86400 +
                         static_cast<std::int64_t>(hour) * 3600 + minute * 60 + second -
                         offset_seconds;
  // Years 0000-9999 fit in int64 microseconds; system_clock may be narrower (nanoseconds on
  // libstdc++: years 1678-2261), so check before converting.
  using Duration = std::chrono::system_clock::duration;
  constexpr std::int64_t kMaxMicros =
      std::chrono::duration_cast<Micros>(Duration::max()).count() - 1;
  constexpr std::int64_t kMinMicros =
      std::chrono::duration_cast<Micros>(Duration::min()).count() + 1;
  constexpr std::int64_t kMaxSeconds = kMaxMicros / 1000000 - 1;
  constexpr std::int64_t kMinSeconds = kMinMicros / 1000000 + 1;
  if (seconds > kMaxSeconds || seconds < kMinSeconds) return std::nullopt;
  Micros total(seconds * 1000000 + micros);
  return std::chrono::system_clock::time_point(std::chrono::duration_cast<Duration>(total));
}

Timestamp::Timestamp(std::string text) : text_(std::move(text)), time_(parse_rfc3339(text_)) {}

Timestamp Timestamp::from_time_point(std::chrono::system_clock::time_point tp) {
  const auto us = std::chrono::floor<Micros>(tp.time_since_epoch()).count();
  std::int64_t days = us / 86400000000LL;
  std::int64_t rem = us % 86400000000LL;
  if (rem < 0) {
    rem += 86400000000LL;
    --days;
  }
  const Civil c = civil_from_days(days);
  const std::int64_t secs = rem / 1000000;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%06lldZ",
                static_cast<long long>(c.year), c.month, c.day, static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60),
                static_cast<long long>(rem % 1000000));
  Timestamp t;
  t.text_ = buf;
  t.time_ = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(Micros(us)));
  return t;
}

std::chrono::system_clock::time_point Timestamp::time_point() const {
  if (!time_) {
    std::string shown = text_.substr(0, 64);
    for (char& c : shown) {
      unsigned char u = static_cast<unsigned char>(c);
      if (u < 0x20 || u >= 0x7f) c = '?';
    }
    throw AnthropicInvalidDataException("invalid RFC 3339 timestamp: `" + shown +
                                        (text_.size() > 64 ? "...`" : "`"));
  }
  return *time_;
}

}  // namespace anthropic
