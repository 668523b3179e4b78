// Validation of a create body, and its reduction to the compact RequestSet.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "model.hpp"

namespace anthropic::emulator::detail {

/// Outcome of parsing a create body: either `requests` or a 400 invalid_request_error message.
struct CreateParseResult {
  std::shared_ptr<RequestSet> requests;
  std::string error;  ///< non-empty on failure, e.g. "requests.3.custom_id: Field required"
};

inline constexpr std::size_t kMaxRequestsPerBatch = 100000;
inline constexpr std::size_t kMaxCustomIdLength = 64;
/// Bytes of the last user text echoed back in a succeeded result.
inline constexpr std::size_t kEchoBytes = 200;

/// True when `anthropic_version` is a YYYY-MM-DD date on or after 2026-10-21: the version that
/// removed `temperature`, `top_p` and `top_k` and rejects a `document` block in an assistant
/// message and `citations` on a user text block. Anything else (2023-06-01, an empty or
/// malformed header) keeps the earlier rules.
bool uses_2026_10_21_rules(const std::string& anthropic_version);

/// Checks what the real API rejects at create time (body shape, 1..100,000 requests, custom_id
/// format and uniqueness, params an object, no unknown keys) and records per-request problems
/// (model, max_tokens, messages; and with `rules_2026_10_21` what that API version rejects) as
/// errors that show up in the results.
CreateParseResult parse_create_body(const std::string& body, bool rules_2026_10_21 = false);

}  // namespace anthropic::emulator::detail
