#include <anthropic/logging.hpp>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

namespace anthropic {

namespace {

std::mutex& stderr_mutex() {
  static std::mutex mutex;  // one for every stderr logger: lines never interleave
  return mutex;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

}  // namespace

std::string_view to_string(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warn:
      return "warn";
    case LogLevel::error:
      return "error";
    case LogLevel::off:
      return "off";
  }
  return "unknown";
}

Logger make_stderr_logger(LogLevel min_level) {
  return [min_level](LogLevel level, std::string_view line) {
    if (level < min_level || level == LogLevel::off) return;
    std::string_view name = to_string(level);
    std::lock_guard<std::mutex> lock(stderr_mutex());
    std::fprintf(stderr, "[anthropic] %.*s: %.*s\n", static_cast<int>(name.size()), name.data(),
                 static_cast<int>(line.size()), line.data());
    std::fflush(stderr);
  };
}

Logger logger_from_env() {
  const char* value = std::getenv("ANTHROPIC_LOG");
  if (value == nullptr) return {};
  std::string_view v = value;
  if (iequals(v, "debug")) return make_stderr_logger(LogLevel::debug);
  if (iequals(v, "info")) return make_stderr_logger(LogLevel::info);
  if (iequals(v, "warn") || iequals(v, "warning")) return make_stderr_logger(LogLevel::warn);
  if (iequals(v, "error")) return make_stderr_logger(LogLevel::error);
  return {};  // unset, empty, "off" or unknown
}

}  // namespace anthropic
