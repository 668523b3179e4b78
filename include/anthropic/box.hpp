#pragma once

#include <optional>
#include <type_traits>
#include <utility>

namespace anthropic {

/// An optional value kept on the heap: what the generated models use for object, union and list
/// fields that may be absent (or null). It behaves like `std::optional<T>` (`has_value()`, `*`,
/// `->`, `value()`, `reset()`, `emplace()`, assignment from a `T` or `std::nullopt`) and copies
/// deeply, but an empty one is a single null pointer: a request whose thirty optional
/// sub-objects are absent stays small (8 bytes each instead of `sizeof(T)`), and `T` may be
/// incomplete where the box is declared.
///
/// Thread safety: as a `std::optional` (distinct objects from distinct threads).
template <class T>
class Box {
 public:
  /// The type held.
  using value_type = T;

  /// Empty.
  Box() noexcept = default;
  /// Empty, as `std::optional`'s `std::nullopt`.
  Box(std::nullopt_t) noexcept {}  // NOLINT: implicit, as std::optional
  /// A deep copy: a new `T` copied from `other`'s, if it has one.
  Box(const Box& other) : p_(other.p_ ? new T(*other.p_) : nullptr) {}
  /// Takes `other`'s value without copying it; `other` is left empty.
  Box(Box&& other) noexcept : p_(other.p_) { other.p_ = nullptr; }
  /// From anything a `T` can be built from (a `T`, a string for a string union, ...).
  template <class U, class = std::enable_if_t<std::conjunction_v<
                         std::negation<std::is_same<std::decay_t<U>, Box>>,
                         std::negation<std::is_same<std::decay_t<U>, std::nullopt_t>>,
                         std::is_constructible<T, U&&>>>>
  Box(U&& value) : p_(new T(std::forward<U>(value))) {}  // NOLINT: implicit, as std::optional
  /// Destroys the value, if any.
  ~Box() { delete p_; }

  /// A deep copy of `other`'s value (assigned in place when this one has a value).
  Box& operator=(const Box& other) {
    if (this != &other) {
      if (!other.p_) {
        reset();
      } else if (p_) {
        *p_ = *other.p_;
      } else {
        p_ = new T(*other.p_);
      }
    }
    return *this;
  }
  /// Takes `other`'s value; `other` is left empty.
  Box& operator=(Box&& other) noexcept {
    if (this != &other) {
      delete p_;
      p_ = other.p_;
      other.p_ = nullptr;
    }
    return *this;
  }
  /// Empties the box.
  Box& operator=(std::nullopt_t) noexcept {
    reset();
    return *this;
  }
  template <class U, class = std::enable_if_t<std::conjunction_v<
                         std::negation<std::is_same<std::decay_t<U>, Box>>,
                         std::negation<std::is_same<std::decay_t<U>, std::nullopt_t>>,
                         std::is_constructible<T, U&&>>>>
  /// Stores `T(value)`: assigned in place when the box has a value, else a new one.
  Box& operator=(U&& value) {
    if (p_) {
      *p_ = T(std::forward<U>(value));
    } else {
      p_ = new T(std::forward<U>(value));
    }
    return *this;
  }

  /// Whether the box holds a value.
  bool has_value() const noexcept { return p_ != nullptr; }
  /// Whether the box holds a value.
  explicit operator bool() const noexcept { return p_ != nullptr; }

  ///@{
  /// The value. Precondition: `has_value()` (unchecked, as `std::optional`).
  T& operator*() & { return *p_; }
  const T& operator*() const& { return *p_; }
  T&& operator*() && { return std::move(*p_); }
  T* operator->() { return p_; }
  const T* operator->() const { return p_; }
  ///@}

  ///@{
  /// The value; throws `std::bad_optional_access` when the box is empty.
  T& value() & {
    if (!p_) throw std::bad_optional_access();
    return *p_;
  }
  const T& value() const& {
    if (!p_) throw std::bad_optional_access();
    return *p_;
  }
  ///@}

  /// Destroys the value, if any; the box is then empty.
  void reset() noexcept {
    delete p_;
    p_ = nullptr;
  }
  /// Replaces the value with a `T` built from `args` (the old one is destroyed after the new one
  /// is built, so `args` may refer into it); returns the new value.
  template <class... Args>
  T& emplace(Args&&... args) {
    T* fresh = new T(std::forward<Args>(args)...);
    delete p_;
    p_ = fresh;
    return *p_;
  }

  /// Whether the box is empty.
  friend bool operator==(const Box& b, std::nullopt_t) noexcept { return !b.p_; }
  /// Whether the box holds a value.
  friend bool operator!=(const Box& b, std::nullopt_t) noexcept { return b.p_ != nullptr; }

 private:
  T* p_ = nullptr;
};

}  // namespace anthropic
