#pragma once

#include <anthropic/export.hpp>
#include <anthropic/http/http_client.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace anthropic::http {

/// Settings of the libcurl transport.
struct CurlHttpClientOptions {
  /// Verify the server's TLS certificate and host name. Turning this off is for local test
  /// servers only; it is never turned off implicitly.
  bool verify_tls = true;
  /// Optional CA bundle file; empty means libcurl's default.
  std::string ca_bundle;
  /// Proxy URL (`http://host:port`, `socks5://...`) for every request; empty means libcurl's
  /// default, which reads `https_proxy`, `http_proxy` and `no_proxy` from the environment.
  std::string proxy;
  /// Connect timeout used when a request does not set one.
  std::chrono::milliseconds default_connect_timeout{std::chrono::seconds(60)};
  /// Idle connections kept for reuse across calls.
  long max_idle_connections = 16;
};

/// The default transport, on libcurl.
///
/// One connection pool per instance, shared by every call and every thread (keep-alive); HTTP/2
/// when a TLS server offers it; TLS verification on; proxies from the environment as libcurl reads
/// them (`https_proxy`, `no_proxy`, ...); gzip/deflate/br responses accepted. `curl_global_init`
/// runs once per process, thread-safely. Thread-safe; streamed bodies are single-reader.
///
/// A request body is never re-sent by libcurl itself (it would do so, silently, when a reused
/// keep-alive connection closes before the response): that attempt fails instead, as
/// `AnthropicIoException` with `may_have_reached_server()` true, and only a retrying decorator
/// decides whether to send again. `HttpRequest::cancellation` stops a transfer within
/// milliseconds (connecting, uploading, waiting, or between reads of a streamed body) and closes
/// its connection.
ANTHROPIC_EXPORT std::shared_ptr<HttpClient> make_curl_http_client(
    const CurlHttpClientOptions& options = {});

}  // namespace anthropic::http
