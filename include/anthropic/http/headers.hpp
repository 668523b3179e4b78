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
  /// One field: name (as given) and value.
  using Field = std::pair<std::string, std::string>;
  /// Iterates the fields in wire order.
  using const_iterator = std::vector<Field>::const_iterator;

  /// No fields.
  Headers() = default;
  /// These fields, in this order, kept as given (repeated names included):
  /// `Headers{{"anthropic-beta", "files-api-2025-04-14"}}`.
  Headers(std::initializer_list<Field> fields);

  /// The first value of `name`, or nullptr when absent.
  const std::string* find(std::string_view name) const noexcept;
  /// The first value of `name`, or "" when absent.
  std::string get(std::string_view name) const;
  /// Whether a field called `name` is present.
  bool contains(std::string_view name) const noexcept { return find(name) != nullptr; }

  /// Replaces every field called `name` with one field (kept at the first one's position).
  void set(std::string name, std::string value);
  /// Appends a field, keeping any existing field of the same name.
  void add(std::string name, std::string value);
  /// Removes every field called `name`; returns how many were removed.
  std::size_t remove(std::string_view name);

  /// The number of fields (a repeated name counts each time).
  std::size_t size() const noexcept { return fields_.size(); }
  /// Whether there are no fields.
  bool empty() const noexcept { return fields_.empty(); }
  /// The first field, in wire order.
  const_iterator begin() const noexcept { return fields_.begin(); }
  /// Past the last field.
  const_iterator end() const noexcept { return fields_.end(); }
  /// Removes every field.
  void clear() noexcept { fields_.clear(); }

  ///@{
  /// Equal when they hold the same fields in the same order, names compared case-insensitively
  /// and values exactly.
  friend bool operator==(const Headers& a, const Headers& b);
  friend bool operator!=(const Headers& a, const Headers& b) { return !(a == b); }
  ///@}

 private:
  std::vector<Field> fields_;
};

}  // namespace anthropic::http
