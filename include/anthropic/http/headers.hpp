#pragma once

#include <anthropic/export.hpp>

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace anthropic::http {

/// Case-insensitive ASCII comparison of two header names.
ANTHROPIC_EXPORT bool header_name_equals(std::string_view a, std::string_view b) noexcept;

/// An ordered list of HTTP header fields whose names compare case-insensitively.
///
/// Insertion order is kept (it is the order written on the wire); `set` replaces every field of
/// that name, `add` appends another one. A value type: copies are independent.
class ANTHROPIC_EXPORT Headers {
 public:
  using Field = std::pair<std::string, std::string>;
  using const_iterator = std::vector<Field>::const_iterator;

  Headers() = default;
  Headers(std::initializer_list<Field> fields);

  /// The first value of `name`, or nullptr when absent.
  const std::string* find(std::string_view name) const noexcept;
  /// The first value of `name`, or "" when absent.
  std::string get(std::string_view name) const;
  bool contains(std::string_view name) const noexcept { return find(name) != nullptr; }

  /// Replaces every field called `name` with one field (kept at the first one's position).
  void set(std::string name, std::string value);
  /// Appends a field, keeping any existing field of the same name.
  void add(std::string name, std::string value);
  /// Removes every field called `name`; returns how many were removed.
  std::size_t remove(std::string_view name);

  std::size_t size() const noexcept { return fields_.size(); }
  bool empty() const noexcept { return fields_.empty(); }
  const_iterator begin() const noexcept { return fields_.begin(); }
  const_iterator end() const noexcept { return fields_.end(); }
  void clear() noexcept { fields_.clear(); }

  friend bool operator==(const Headers& a, const Headers& b);
  friend bool operator!=(const Headers& a, const Headers& b) { return !(a == b); }

 private:
  std::vector<Field> fields_;
};

}  // namespace anthropic::http
