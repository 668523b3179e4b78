#pragma once

#include <array>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace anthropic {

/// Base of the SDK's *open* enums: a value the SDK names (`ProcessingStatus::ended`) or any other
/// string the server sends, kept verbatim so that it round-trips. Compare with `==`; `str()` is
/// the wire form. `Derived` lists its known values in a static constexpr `known_values()`
/// returning a `std::array<std::string_view, N>`.
///
/// A value type: cheap to copy as a short string; thread safety as a `std::string`.
///
///     if (batch.processing_status == anthropic::messages::ProcessingStatus::ended) { ... }
///     if (!batch.processing_status.is_known()) log("new status: " +
///     batch.processing_status.str());
template <class Derived>
class OpenEnum {
 public:
  /// The empty string: no value (what a default-constructed field holds).
  OpenEnum() = default;
  /// Any wire string, named or not; kept as is.
  explicit OpenEnum(std::string value) : value_(std::move(value)) {}

  /// The wire form, exactly as sent or received.
  const std::string& str() const noexcept { return value_; }
  /// True when the value is one the SDK names.
  bool is_known() const noexcept {
    for (std::string_view known : Derived::known_values()) {
      if (known == value_) return true;
    }
    return false;
  }

  ///@{
  /// Equal when the wire strings are equal (case-sensitive), whether or not the SDK names them.
  friend bool operator==(const Derived& a, const Derived& b) { return a.str() == b.str(); }
  friend bool operator!=(const Derived& a, const Derived& b) { return a.str() != b.str(); }
  friend bool operator==(const Derived& a, std::string_view b) { return a.str() == b; }
  friend bool operator!=(const Derived& a, std::string_view b) { return a.str() != b; }
  // Exact matches for text, so that a derived enum constructible from a string (the generated
  // ones are) compares with "literal" and std::string without ambiguity.
  friend bool operator==(const Derived& a, const char* b) { return a.str() == b; }
  friend bool operator!=(const Derived& a, const char* b) { return a.str() != b; }
  friend bool operator==(const Derived& a, const std::string& b) { return a.str() == b; }
  friend bool operator!=(const Derived& a, const std::string& b) { return a.str() != b; }
  ///@}
  /// Writes the wire string.
  friend std::ostream& operator<<(std::ostream& os, const Derived& v) { return os << v.str(); }

 private:
  std::string value_;
};

}  // namespace anthropic
