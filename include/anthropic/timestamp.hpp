#pragma once

#include <anthropic/export.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace anthropic {

/// An RFC 3339 timestamp as the server sent it (`"2024-08-20T18:37:24.100435Z"`), kept verbatim,
/// with its instant as a `std::chrono::system_clock::time_point` (microsecond precision).
///
/// A value type; thread safety as a `std::string`.
class ANTHROPIC_EXPORT Timestamp {
 public:
  /// Empty text, not valid.
  Timestamp() = default;
  /// Keeps `text`; the instant is parsed now. An unparsable text is kept, and `time_point()` then
  /// throws `AnthropicInvalidDataException` (lenient, like the official SDKs).
  explicit Timestamp(std::string text);
  /// From an instant; `str()` is its RFC 3339 UTC form with microseconds.
  static Timestamp from_time_point(std::chrono::system_clock::time_point tp);

  /// The text as received (or made by `from_time_point`); empty for a default-constructed one.
  const std::string& str() const noexcept { return text_; }
  /// Whether the text parsed as RFC 3339.
  bool valid() const noexcept { return time_.has_value(); }
  /// The instant; throws `AnthropicInvalidDataException` when the text did not parse.
  std::chrono::system_clock::time_point time_point() const;

  ///@{
  /// Compares the text, not the instant: `...Z` and `...+00:00` differ.
  friend bool operator==(const Timestamp& a, const Timestamp& b) { return a.text_ == b.text_; }
  friend bool operator!=(const Timestamp& a, const Timestamp& b) { return !(a == b); }
  ///@}

 private:
  std::string text_;
  std::optional<std::chrono::system_clock::time_point> time_;
};

/// Parses RFC 3339 (`Z` or `+hh:mm` offsets, optional fraction); nullopt when malformed.
ANTHROPIC_EXPORT std::optional<std::chrono::system_clock::time_point> parse_rfc3339(
    std::string_view text) noexcept;

}  // namespace anthropic
