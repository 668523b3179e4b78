#pragma once

// Private: trimming of header values and header-like lines, in one place for every reader of
// them (the transport, the retry decorator, the results stream, the client's environment).

#include <string_view>

namespace anthropic::internal {

/// `s` without the leading and trailing characters in `blanks`; by default RFC 9110's optional
/// white space (spaces and tabs), which surrounds a header field value.
constexpr std::string_view trim(std::string_view s, std::string_view blanks = " \t") noexcept {
  while (!s.empty() && blanks.find(s.front()) != std::string_view::npos) s.remove_prefix(1);
  while (!s.empty() && blanks.find(s.back()) != std::string_view::npos) s.remove_suffix(1);
  return s;
}

}  // namespace anthropic::internal
