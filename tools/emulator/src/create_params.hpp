// Validation of a create body, and its reduction to the compact RequestSet.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "model.hpp"

namespace anthropic::internal::emulator {

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

/// What the requests of one create call are checked against.
struct CreateRules {
  /// anthropic-version 2026-10-21 or later (see uses_2026_10_21_rules).
  bool rules_2026_10_21 = false;
  /// The beta family's params and content blocks (the call came with `?beta=true` or an
  /// `anthropic-beta` header); otherwise the GA family's.
  bool beta = false;
  /// Models accepted; empty accepts any model whose name starts with "claude-". Others end
  /// `errored` with not_found_error `model: <name>`.
  std::vector<std::string> models;
};

/// Checks what the real API rejects at create time (body shape, 1..100,000 requests, custom_id
/// format and uniqueness, params an object, no unknown keys) and records per-request problems
/// as errors that show up in the results, in this order (the first one found wins):
///   1. model, max_tokens, messages (shape and roles);
///   2. top-level params keys not in the family's MessageCreateParams (alphabetical order;
///      under 2026-10-21 temperature, top_p and top_k are not in it);
///   3. content block `type` tags of each message's content list;
///   4. the 2026-10-21 rules (document in an assistant message, citations in a user message);
///   5. thinking; 6. tools and tool_choice; 7. the structured output format;
///   8. the model name (not_found_error).
/// A request that passes gets its answer decided here (see README: echo, tool_use, thinking,
/// structured output).
CreateParseResult parse_create_body(const std::string& body, const CreateRules& rules = {});

}  // namespace anthropic::internal::emulator
