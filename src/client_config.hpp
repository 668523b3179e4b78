#pragma once

// Private: the client's options after environment fallback and validation.

#include <anthropic/client_options.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

namespace anthropic::internal {

struct ClientConfig {
  std::string base_url;  ///< scheme://host[:port][/prefix], no trailing slash
  std::optional<std::string> api_key;
  std::optional<std::string> auth_token;
  std::string anthropic_version;
  /// The API version is earlier than 2026-10-21: `x-api-key`, and on the beta resource the
  /// batches beta header and `?beta=true`.
  bool legacy_wire = false;
  http::Headers default_headers;
  std::vector<std::pair<std::string, std::string>> default_query;
  std::chrono::milliseconds timeout{0};
  std::chrono::milliseconds connect_timeout{0};
  bool retry_create_on_unknown_outcome = false;
  std::size_t max_response_bytes = 0;
  Logger logger;
  /// The retry budget and the waiting seam of the retrying transport, kept for what retries above
  /// it: a results stream reconnecting after a broken transfer.
  int max_retries = 2;
  std::function<void(std::chrono::milliseconds)> sleeper;

  /// Resolves `options` against the environment; throws AnthropicInvalidRequestException when no
  /// credential is configured or a setting is malformed.
  static ClientConfig resolve(const ClientOptions& options);
};

}  // namespace anthropic::internal
