#pragma once

// Private helper of the http layer: a URL as it may appear in an exception message or a log line.

#include <string>
#include <string_view>

namespace anthropic::internal {

/// `url` without its userinfo (`user:password@`) and fragment; the query is kept only when
/// `keep_query`. Never returns a credential embedded in the authority.
inline std::string redact_url(std::string_view url, bool keep_query) {
  std::string_view rest = url;
  std::string out;
  if (auto scheme_end = rest.find("://"); scheme_end != std::string_view::npos) {
    out.append(rest.substr(0, scheme_end + 3));
    rest.remove_prefix(scheme_end + 3);
    std::size_t authority_end = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, authority_end);
    if (auto at = authority.rfind('@'); at != std::string_view::npos) {
      authority.remove_prefix(at + 1);
    }
    out.append(authority);
    rest.remove_prefix(authority_end == std::string_view::npos ? rest.size() : authority_end);
  }
  rest = rest.substr(0, rest.find('#'));
  if (!keep_query) rest = rest.substr(0, rest.find('?'));
  out.append(rest);
  return out;
}

}  // namespace anthropic::internal
