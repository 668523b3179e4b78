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

/// Checks what the real API rejects at create time (body shape, 1..100,000 requests, custom_id
/// format and uniqueness, params an object, no unknown keys) and records per-request problems
/// (model, max_tokens, messages) as errors that show up in the results.
CreateParseResult parse_create_body(const std::string& body);

}  // namespace anthropic::emulator::detail
