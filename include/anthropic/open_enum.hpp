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
template <class Derived>
class OpenEnum {
 public:
  OpenEnum() = default;
  explicit OpenEnum(std::string value) : value_(std::move(value)) {}

  const std::string& str() const noexcept { return value_; }
  /// True when the value is one the SDK names.
  bool is_known() const noexcept {
    for (std::string_view known : Derived::known_values()) {
      if (known == value_) return true;
    }
    return false;
  }

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
  friend std::ostream& operator<<(std::ostream& os, const Derived& v) { return os << v.str(); }

 private:
  std::string value_;
};

}  // namespace anthropic
