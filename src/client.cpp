#include <anthropic/client.hpp>
#include <anthropic/errors.hpp>
#include <anthropic/http/curl_http_client.hpp>
#include <anthropic/http/retrying_http_client.hpp>

#include "client_config.hpp"
#include "http/url_redact.hpp"
#include "messages/async_services.hpp"
#include "messages/http_batch_service.hpp"
#include "trim.hpp"

#include <cstdlib>

namespace anthropic {

namespace {

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

std::optional<std::string> non_empty(const std::optional<std::string>& v) {
  if (v && !v->empty()) return v;
  return std::nullopt;
}

bool is_api_version_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return false;
  }
  return true;
}

// At most 40 characters of `s`, control characters as '?', for an error message.
std::string printable(std::string_view s) {
  std::string out;
  for (char ch : s.substr(0, 40)) {
    out.push_back(static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f ? '?' : ch);
  }
  if (s.size() > 40) out += "...";
  return out;
}

bool has_line_break(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos ||
         s.find('\0') != std::string_view::npos;
}

// A base URL as it may appear in an error message: without user-info (`user:password@`), query
// or fragment. redact_url only recognises an authority after "://"; the text being reported is
// malformed by definition ("http:/user:pw@host", "user:pw@host", a '/' inside the password), so
// anything still up to a last '@' is cut as well rather than trusted.
std::string url_for_message(std::string_view url) {
  std::string out = internal::redact_url(url, /*keep_query=*/false);
  if (auto at = out.rfind('@'); at != std::string::npos) {
    auto scheme_end = out.find("://");
    std::size_t keep = scheme_end == std::string::npos || scheme_end > at ? 0 : scheme_end + 3;
    out = out.substr(0, keep) + "..." + out.substr(at + 1);
  }
  return out;
}

// ANTHROPIC_CUSTOM_HEADERS: newline-separated "Name: value" pairs, each side trimmed.
http::Headers parse_custom_headers(std::string_view text) {
  http::Headers headers;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    // A value set from a file with CRLF lines ends in '\r': trimmed with the blanks.
    std::string name(internal::trim(line.substr(0, colon), " \t\r"));
    if (!name.empty()) {
      headers.set(std::move(name), std::string(internal::trim(line.substr(colon + 1), " \t\r")));
    }
  }
  return headers;
}

}  // namespace

internal::ClientConfig internal::ClientConfig::resolve(const ClientOptions& options) {
  ClientConfig c;
  c.api_key = non_empty(options.api_key);
  if (!c.api_key) c.api_key = env("ANTHROPIC_API_KEY");
  c.auth_token = non_empty(options.auth_token);
  if (!c.auth_token) c.auth_token = env("ANTHROPIC_AUTH_TOKEN");
  if (!c.api_key && !c.auth_token) {
    throw AnthropicInvalidRequestException(
        "no credentials: set ClientOptions::api_key or ClientOptions::auth_token, or the "
        "ANTHROPIC_API_KEY or ANTHROPIC_AUTH_TOKEN environment variable");
  }
  // A line break in a header value would split the request; never echo the value itself.
  if ((c.api_key && has_line_break(*c.api_key)) ||
      (c.auth_token && has_line_break(*c.auth_token))) {
    throw AnthropicInvalidRequestException("the API key or auth token contains a line break");
  }

  c.base_url = non_empty(options.base_url)
                   .value_or(env("ANTHROPIC_BASE_URL").value_or("https://api.anthropic.com"));
  while (!c.base_url.empty() && c.base_url.back() == '/') c.base_url.pop_back();
  if ((c.base_url.rfind("http://", 0) != 0 && c.base_url.rfind("https://", 0) != 0) ||
      c.base_url.find_first_of("?# \r\n") != std::string::npos ||
      c.base_url.size() <= std::string_view("https://").size() - 1) {
    throw AnthropicInvalidRequestException(
        "base_url must be an http:// or https:// URL without "
        "query or fragment; got \"" +
        url_for_message(c.base_url) + "\"");
  }

  c.anthropic_version = options.anthropic_version;
  if (!is_api_version_date(c.anthropic_version)) {
    throw AnthropicInvalidRequestException(
        "anthropic_version must be a YYYY-MM-DD date such as \"2026-10-21\" or \"2023-06-01\"; "
        "got \"" +
        printable(c.anthropic_version) + "\"");
  }
  c.legacy_wire = is_legacy_api_version(c.anthropic_version);
  c.default_query = options.default_query;
  c.default_headers = options.default_headers;
  if (c.default_headers.empty()) {
    if (auto custom = env("ANTHROPIC_CUSTOM_HEADERS"))
      c.default_headers = parse_custom_headers(*custom);
  }
  for (const auto& [name, value] : c.default_headers) {
    if (has_line_break(name) || has_line_break(value)) {
      throw AnthropicInvalidRequestException("default header \"" + name +
                                             "\" contains a line break");
    }
  }
  if (options.timeout < std::chrono::milliseconds::zero() ||
      options.connect_timeout < std::chrono::milliseconds::zero() || options.max_retries < 0) {
    throw AnthropicInvalidRequestException("timeouts and max_retries must not be negative");
  }
  c.timeout = options.timeout;
  c.connect_timeout = options.connect_timeout;
  c.retry_create_on_unknown_outcome = options.retry_create_on_unknown_outcome;
  c.max_response_bytes = options.max_response_bytes;
  c.max_retries = options.max_retries;
  c.sleeper = options.sleeper;
  c.logger = options.logger ? options.logger : logger_from_env();
  return c;
}

struct Client::State {
  ClientOptions options;                    // as given, for with_options
  std::shared_ptr<http::HttpClient> inner;  // the transport under the retries (the pool)
  std::shared_ptr<const internal::ClientConfig> config;
  std::shared_ptr<http::RetryingHttpClient> http;
  // Shared, not a member value: list pages keep the service alive beyond the Client.
  std::shared_ptr<internal::HttpBatchService<::anthropic::messages::GaFamily>> ga_batch_service;
  std::shared_ptr<internal::HttpBatchService<beta::messages::BetaFamily>> batch_service;
  ::anthropic::messages::BatchService ga_batches;  // the services over them
  beta::messages::BatchService beta_batches;
  MessagesService messages_service;
  beta::BetaService beta_service;
  internal::AsyncServices async;
  ::anthropic::messages::BatchServiceAsync ga_batch_service_async;
  beta::messages::BatchServiceAsync batch_service_async;
  AsyncService async_service;

  State(ClientOptions opts, std::shared_ptr<http::HttpClient> inner_transport,
        std::shared_ptr<const internal::ClientConfig> cfg,
        std::shared_ptr<http::RetryingHttpClient> transport,
        const http::CurlHttpClientOptions& curl)
      : options(std::move(opts)),
        inner(std::move(inner_transport)),
        config(std::move(cfg)),
        http(std::move(transport)),
        ga_batch_service(
            std::make_shared<internal::HttpBatchService<::anthropic::messages::GaFamily>>(config,
                                                                                          http)),
        batch_service(
            std::make_shared<internal::HttpBatchService<beta::messages::BetaFamily>>(config, http)),
        ga_batches(ga_batch_service),
        beta_batches(batch_service),
        messages_service(ga_batches),
        beta_service(beta_batches),
        async(
            internal::make_async_services(options, *config, curl, ga_batch_service, batch_service)),
        ga_batch_service_async(async.ga),
        batch_service_async(async.beta),
        async_service(ga_batch_service_async, batch_service_async) {}

  // The last copy of the client: calls in flight end ("client destroyed"), threads are joined,
  // also when a copy of an async service outlives the client.
  ~State() { async.engine->shutdown(); }
};

namespace {

// The settings of the libcurl transports (blocking and async).
http::CurlHttpClientOptions curl_options(const ClientOptions& options) {
  http::CurlHttpClientOptions curl;
  curl.verify_tls = options.verify_tls;
  // As OpenSSL's own default, Python's httpx and Go do: a CA bundle named by $SSL_CERT_FILE is
  // trusted when the options name none (libcurl's compiled-in bundle path would hide it).
  curl.ca_bundle =
      !options.ca_bundle.empty() ? options.ca_bundle : env("SSL_CERT_FILE").value_or(std::string());
  curl.proxy = options.proxy;
  curl.default_connect_timeout = options.connect_timeout;
  return curl;
}

// The transport without the retry layer: the caller's, or a libcurl client (one pool).
std::shared_ptr<http::HttpClient> make_inner_transport(const ClientOptions& options) {
  if (options.http_client) {
    // These would silently not apply to a transport the caller built.
    const char* ignored = !options.verify_tls          ? "verify_tls = false"
                          : !options.ca_bundle.empty() ? "ca_bundle"
                          : !options.proxy.empty()     ? "proxy"
                                                       : nullptr;
    if (ignored != nullptr) {
      throw AnthropicInvalidRequestException(
          std::string("ClientOptions::") + ignored +
          " applies to the built-in transport only, and http_client is set: configure it on "
          "your transport (for libcurl, http::CurlHttpClientOptions)");
    }
    return options.http_client;
  }
  return http::make_curl_http_client(curl_options(options));
}

bool same_transport(const ClientOptions& a, const ClientOptions& b) {
  return a.http_client == b.http_client && a.verify_tls == b.verify_tls &&
         a.ca_bundle == b.ca_bundle && a.proxy == b.proxy;
}

std::shared_ptr<http::RetryingHttpClient> make_transport(const ClientOptions& options,
                                                         const internal::ClientConfig& config,
                                                         std::shared_ptr<http::HttpClient> inner) {
  http::RetryPolicy policy;
  policy.max_retries = options.max_retries;
  policy.max_retry_after = options.max_retry_after;
  return std::make_shared<http::RetryingHttpClient>(std::move(inner), policy, options.sleeper,
                                                    options.clock, http::Jitter{}, config.logger);
}
}  // namespace

Client::Client(ClientOptions options) : Client(std::move(options), nullptr) {}

Client::Client(ClientOptions options, std::shared_ptr<http::HttpClient> inner) {
  auto config =
      std::make_shared<const internal::ClientConfig>(internal::ClientConfig::resolve(options));
  if (!inner) inner = make_inner_transport(options);
  auto transport = make_transport(options, *config, inner);
  http::CurlHttpClientOptions curl = curl_options(options);
  state_ = std::make_shared<State>(std::move(options), std::move(inner), std::move(config),
                                   std::move(transport), curl);
}

Client Client::from_env() { return Client(ClientOptions{}); }

Client Client::with_options(const std::function<void(ClientOptions&)>& change) const {
  ClientOptions options = state_->options;
  if (change) change(options);
  return Client(options, same_transport(options, state_->options) ? state_->inner : nullptr);
}

beta::BetaService& Client::beta() const noexcept { return state_->beta_service; }

MessagesService& Client::messages() const noexcept { return state_->messages_service; }

AsyncService& Client::async() const noexcept { return state_->async_service; }

const std::string& Client::base_url() const noexcept { return state_->config->base_url; }

}  // namespace anthropic
