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
  using value_type = T;

  Box() noexcept = default;
  Box(std::nullopt_t) noexcept {}  // NOLINT: implicit, as std::optional
  Box(const Box& other) : p_(other.p_ ? new T(*other.p_) : nullptr) {}
  Box(Box&& other) noexcept : p_(other.p_) { other.p_ = nullptr; }
  /// From anything a `T` can be built from (a `T`, a string for a string union, ...).
  template <class U, class = std::enable_if_t<std::conjunction_v<
                         std::negation<std::is_same<std::decay_t<U>, Box>>,
                         std::negation<std::is_same<std::decay_t<U>, std::nullopt_t>>,
                         std::is_constructible<T, U&&>>>>
  Box(U&& value) : p_(new T(std::forward<U>(value))) {}  // NOLINT: implicit, as std::optional
  ~Box() { delete p_; }

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
  Box& operator=(Box&& other) noexcept {
    if (this != &other) {
      delete p_;
      p_ = other.p_;
      other.p_ = nullptr;
    }
    return *this;
  }
  Box& operator=(std::nullopt_t) noexcept {
    reset();
    return *this;
  }
  template <class U, class = std::enable_if_t<std::conjunction_v<
                         std::negation<std::is_same<std::decay_t<U>, Box>>,
                         std::negation<std::is_same<std::decay_t<U>, std::nullopt_t>>,
                         std::is_constructible<T, U&&>>>>
  Box& operator=(U&& value) {
    if (p_) {
      *p_ = T(std::forward<U>(value));
    } else {
      p_ = new T(std::forward<U>(value));
    }
    return *this;
  }

  bool has_value() const noexcept { return p_ != nullptr; }
  explicit operator bool() const noexcept { return p_ != nullptr; }

  T& operator*() & { return *p_; }
  const T& operator*() const& { return *p_; }
  T&& operator*() && { return std::move(*p_); }
  T* operator->() { return p_; }
  const T* operator->() const { return p_; }

  T& value() & {
    if (!p_) throw std::bad_optional_access();
    return *p_;
  }
  const T& value() const& {
    if (!p_) throw std::bad_optional_access();
    return *p_;
  }

  void reset() noexcept {
    delete p_;
    p_ = nullptr;
  }
  template <class... Args>
  T& emplace(Args&&... args) {
    T* fresh = new T(std::forward<Args>(args)...);
    delete p_;
    p_ = fresh;
    return *p_;
  }

  friend bool operator==(const Box& b, std::nullopt_t) noexcept { return !b.p_; }
  friend bool operator!=(const Box& b, std::nullopt_t) noexcept { return b.p_ != nullptr; }

 private:
  T* p_ = nullptr;
};

}  // namespace anthropic
