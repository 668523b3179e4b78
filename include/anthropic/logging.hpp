#pragma once

#include <anthropic/export.hpp>

#include <functional>
#include <string_view>

namespace anthropic {

/// Severity of a log line; a logger made by `make_stderr_logger` drops lines below its minimum.
enum class LogLevel {
  debug = 0,  ///< every attempt that succeeded (method, URL, status, request id)
  info = 1,   ///< failed attempts, retries and their delays, cancellations
  warn = 2,   ///< something the caller should look at
  error = 3,  ///< a failure
  off = 4     ///< as a minimum level: nothing
};

/// Receives one log line. Called from whichever thread made the request; must be thread-safe.
/// The SDK never passes a credential (`x-api-key`, `authorization`) in a line.
using Logger = std::function<void(LogLevel level, std::string_view line)>;

/// A logger writing lines at or above `min_level` to stderr, prefixed with "[anthropic] ".
ANTHROPIC_EXPORT Logger make_stderr_logger(LogLevel min_level);

/// Reads `ANTHROPIC_LOG` (`debug`, `info`, `warn`, `error`); an empty logger when unset or off.
ANTHROPIC_EXPORT Logger logger_from_env();

/// "debug", "info", ...
ANTHROPIC_EXPORT std::string_view to_string(LogLevel level) noexcept;

}  // namespace anthropic
