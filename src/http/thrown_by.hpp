#pragma once

#include <exception>
#include <utility>

namespace anthropic::internal {

/// What `f()` threw, or null once it returns.
///
/// An error that happened on the I/O thread (or a pool worker) reaches its caller only after the
/// catch block that caught it has ended. Inside the block the handler holds a reference to the
/// exception; if the caller, woken by its future, reads the error and drops its own reference
/// first, the block's end frees the exception on this thread, ordered after the caller's read
/// only by libstdc++'s internal (uninstrumented) reference count: correct, but ThreadSanitizer, in
/// the caller's program as in our CI, reports it as a race. Handing over after the block makes
/// the caller's the last reference.
template <class F>
std::exception_ptr thrown_by(F&& f) noexcept {
  try {
    std::forward<F>(f)();
  } catch (...) {
    return std::current_exception();
  }
  return nullptr;
}

}  // namespace anthropic::internal
