#pragma once

#include <string_view>

namespace anthropic {

/// The `anthropic-version` values this SDK knows (`ClientOptions::anthropic_version`).
///
/// - `2026-10-21` (the default): the API key goes as `authorization: Bearer`; the beta batches
///   resource sends no `?beta=true` and `anthropic-beta` only with the caller's betas;
///   `temperature`, `top_p` and `top_k` are gone, and two content rules are stricter (a
///   `document` block directly in an assistant message, a user `text` block with non-empty
///   `citations`). The SDK rejects such requests before sending, naming the request.
/// - `2023-06-01`: the earlier wire form, byte for byte (`x-api-key`; on the beta resource
///   `anthropic-beta: message-batches-2024-09-24` and `?beta=true`), sampling parameters allowed.
///
/// A later date is sent as given and treated like `2026-10-21`.
inline constexpr std::string_view kApiVersion2023_06_01 = "2023-06-01";
/// The current API version: Bearer authentication, no batches beta marks, no sampling parameters.
inline constexpr std::string_view kApiVersion2026_10_21 = "2026-10-21";
/// What `ClientOptions::anthropic_version` holds unless set.
inline constexpr std::string_view kDefaultApiVersion = kApiVersion2026_10_21;

/// Whether `version` (a `YYYY-MM-DD` date) is earlier than `2026-10-21`, that is, speaks the
/// `2023-06-01` wire form and accepts the sampling parameters.
constexpr bool is_legacy_api_version(std::string_view version) noexcept {
  return version < kApiVersion2026_10_21;
}

}  // namespace anthropic
