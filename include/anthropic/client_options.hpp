#pragma once

#include <anthropic/api_version.hpp>
#include <anthropic/cancellation.hpp>
#include <anthropic/http/headers.hpp>
#include <anthropic/http/http_client.hpp>
#include <anthropic/logging.hpp>
#include <anthropic/response_metadata.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace anthropic {

/// Settings of a `Client`. A plain struct: fields left unset take the documented default. The
/// `Client` copies it; changing it afterwards does not affect the client.
///
///     anthropic::ClientOptions options;
///     options.base_url = "http://127.0.0.1:8080";   // an emulator, a gateway
///     options.max_retries = 4;
///     anthropic::Client client(options);
struct ClientOptions {
  /// The API key. Unset: `$ANTHROPIC_API_KEY`. Sent as `authorization: Bearer ...` under API
  /// version 2026-10-21 (the default), as `x-api-key` under 2023-06-01.
  std::optional<std::string> api_key;
  /// An OAuth-style token, sent as `authorization: Bearer ...`. Unset: `$ANTHROPIC_AUTH_TOKEN`.
  /// With both set: under 2023-06-01 both headers are sent; under 2026-10-21 there is one
  /// `authorization` header and the API key wins. With neither, the `Client` constructor throws
  /// `AnthropicInvalidRequestException` before anything is sent.
  std::optional<std::string> auth_token;
  /// Unset: `$ANTHROPIC_BASE_URL`, else `https://api.anthropic.com`. Credentials are only ever
  /// sent to this origin.
  std::optional<std::string> base_url;
  /// Sent as `anthropic-version`; a `YYYY-MM-DD` date (see `<anthropic/api_version.hpp>`).
  /// `"2023-06-01"` keeps the earlier wire form and the sampling parameters.
  std::string anthropic_version{kDefaultApiVersion};
  /// Added to every request (after the SDK's own headers; they replace same-named ones).
  /// `$ANTHROPIC_CUSTOM_HEADERS` (newline-separated `Name: value`) is read when this is empty.
  http::Headers default_headers;

  /// Limit on one attempt (connect to last byte; for results, to the headers then per read).
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};
  /// Limit on establishing the connection (TCP and TLS) of one attempt.
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(60)};
  /// Retries after the first attempt (so up to 3 attempts by default). A results stream uses the
  /// same budget to reconnect after a broken transfer (counting failures without progress).
  int max_retries = 2;
  /// Longest server-requested `retry-after` honoured; beyond it the error is raised at once with
  /// `AnthropicServiceException::retry_after()` set.
  std::chrono::milliseconds max_retry_after{std::chrono::seconds(60)};
  /// Resend `create` when its outcome is unknown: the body was sent and no response came back
  /// (timeout, reset), or a 504 gateway timeout. Off by default: such a resend may create, and
  /// bill, a second batch.
  bool retry_create_on_unknown_outcome = false;
  /// Largest response body accepted for a non-streamed call (a batch, a list page, an error),
  /// enforced while receiving: a larger success ends in `AnthropicInvalidDataException`, and an
  /// error body is cut to 1 MiB without ever holding more. Results are streamed and not bounded.
  std::size_t max_response_bytes = std::size_t{8} << 20;
  /// Added to the query string of every request (after the operation's own parameters, before
  /// `RequestOptions::extra_query`).
  std::vector<std::pair<std::string, std::string>> default_query;

  /// TLS verification of the built-in libcurl transport; never turn it off against the real API.
  bool verify_tls = true;
  /// CA bundle file for the built-in transport (a private CA, a TLS-inspecting proxy); empty:
  /// `$SSL_CERT_FILE` if set, else the system's. (A caller's `http_client` ignores the variable.)
  std::string ca_bundle;
  /// Proxy URL for the built-in transport (`http://proxy:3128`, `socks5h://...`); empty:
  /// libcurl's default, which honours `https_proxy`, `http_proxy` and `no_proxy`.
  std::string proxy;

  /// Transport; null means the built-in libcurl client. The SDK wraps it in its retry logic.
  /// With one set, `verify_tls = false`, `ca_bundle` and `proxy` are errors (they would silently
  /// not apply): configure your transport instead.
  std::shared_ptr<http::HttpClient> http_client;
  /// The async services' pool: the most calls their I/O thread has on the wire at once, so the
  /// most connections it opens for them (further calls wait, in order; the wait does not count
  /// against their `timeout`). A results stream being read keeps its connection but not its
  /// place, so readers never hold other calls back. With a custom `http_client`, the number of
  /// worker threads running async calls instead (at most 8). At least 1.
  int max_async_connections = 16;

  /// Receives a line per attempt (method, URL, status, delay, request-id; never a credential).
  /// Unset: `$ANTHROPIC_LOG` (`debug`, `info`, `warn`, `error`) to stderr, else nothing.
  Logger logger;

  /// Test seam for the retry loop: waits between attempts. Unset: real sleeping. The async
  /// services call it on their I/O thread (blocking it) and then retry at once.
  std::function<void(std::chrono::milliseconds)> sleeper;
  /// Test seam for the retry loop: the wall clock, to read `retry-after` HTTP dates. Unset: real
  /// time.
  std::function<std::chrono::system_clock::time_point()> clock;
};

/// Per-call settings; each one set here overrides the client's for this call only.
struct RequestOptions {
  /// Overrides `ClientOptions::timeout` (the limit on one attempt) for this call.
  std::optional<std::chrono::milliseconds> timeout;
  /// Overrides `ClientOptions::max_retries` for this call (0: one attempt only).
  std::optional<int> max_retries;
  /// Added last: they replace the SDK's and the client's headers of the same name.
  http::Headers extra_headers;
  /// Appended to the query string (after the operation's own parameters and the client's
  /// `default_query`; under 2023-06-01 the beta resource starts it with `beta=true`).
  std::vector<std::pair<std::string, std::string>> extra_query;
  /// Overrides `ClientOptions::retry_create_on_unknown_outcome` for this call.
  std::optional<bool> retry_on_unknown_outcome;
  /// Cancels the call from another thread (`CancellationSource::token()`): the request, its retry
  /// waits and, for `results`, the whole stream stop with `AnthropicCancelledException`.
  CancellationToken cancellation;
  /// When set, receives the status, headers and request id of the successful response
  /// (`<anthropic/response_metadata.hpp>`); the caller keeps it alive during the call.
  ResponseMetadata* response_into = nullptr;
};

}  // namespace anthropic
