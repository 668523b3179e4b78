#pragma once

// Private: the server-requested wait of a response (`retry-after-ms`, `retry-after`), read by the
// retry decorator to time its next attempt and by the error model to report it. Depends on
// nothing above the headers, so that the error model can use it without the retry decorator.

#include <anthropic/http/headers.hpp>

#include <chrono>
#include <optional>

namespace anthropic::internal {

/// The longest wait the library computes, in milliseconds (about 31 years): longer requests and
/// backoffs are capped here, so that no arithmetic on a wait overflows.
inline constexpr double kMaxWaitMs = 1e12;

/// The server-requested wait in `headers`, if any: `retry-after-ms`, then `retry-after` as
/// seconds or an HTTP date relative to `now` (a date already past means no wait).
std::optional<std::chrono::milliseconds> retry_after(const http::Headers& headers,
                                                     std::chrono::system_clock::time_point now);

}  // namespace anthropic::internal
