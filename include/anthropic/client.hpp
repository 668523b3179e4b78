#pragma once

#include <anthropic/beta/messages/batch_service.hpp>
#include <anthropic/client_options.hpp>
#include <anthropic/export.hpp>
#include <anthropic/messages/batch_service.hpp>

#include <functional>
#include <memory>

namespace anthropic {

namespace beta {

/// `client.beta().messages()`: the beta Messages resources.
class ANTHROPIC_EXPORT MessagesService {
 public:
  explicit MessagesService(messages::BatchService& batches) : batches_(&batches) {}
  messages::BatchService& batches() const noexcept { return *batches_; }

 private:
  messages::BatchService* batches_;
};

/// `client.beta()`: the beta resources.
class ANTHROPIC_EXPORT BetaService {
 public:
  explicit BetaService(messages::BatchService& batches) : messages_(batches) {}
  MessagesService& messages() noexcept { return messages_; }

 private:
  MessagesService messages_;
};

}  // namespace beta

/// `client.messages()`: the (GA) Messages resources.
class ANTHROPIC_EXPORT MessagesService {
 public:
  explicit MessagesService(::anthropic::messages::BatchService& batches) : batches_(&batches) {}
  /// `client.messages().batches()`: the GA Message Batches service.
  ::anthropic::messages::BatchService& batches() const noexcept { return *batches_; }

 private:
  ::anthropic::messages::BatchService* batches_;
};

/// Entry point of the SDK.
///
/// Resolves its options once (environment fallbacks, credentials, transport) and throws
/// `AnthropicInvalidRequestException` when no credential is configured. Cheap to copy: copies
/// share one connection pool and one set of services. Thread-safe: one `Client` may serve any
/// number of threads.
class ANTHROPIC_EXPORT Client {
 public:
  explicit Client(ClientOptions options = {});
  /// A client configured only from the environment (`ANTHROPIC_API_KEY`,
  /// `ANTHROPIC_AUTH_TOKEN`, `ANTHROPIC_BASE_URL`, `ANTHROPIC_CUSTOM_HEADERS`, `ANTHROPIC_LOG`).
  static Client from_env();

  /// The GA resources: `client.messages().batches()`.
  MessagesService& messages() const noexcept;
  /// The beta resources: `client.beta().messages().batches()`.
  beta::BetaService& beta() const noexcept;

  /// A new client with this one's options changed by `change`, sharing this client's connection
  /// pool (unless `change` alters the transport: `http_client`, `verify_tls`, `ca_bundle`,
  /// `proxy`). For a part of a program that needs another timeout, retry budget, headers or API
  /// version:
  ///
  ///     auto patient = client.with_options([](anthropic::ClientOptions& o) {
  ///       o.timeout = std::chrono::minutes(30);
  ///       o.max_retries = 5;
  ///     });
  ///
  /// The options passed to `change` are the ones this client was made with (before environment
  /// fallbacks, which are resolved again). This client is not changed.
  Client with_options(const std::function<void(ClientOptions&)>& change) const;

  /// The base URL in use (after environment fallback).
  const std::string& base_url() const noexcept;

 private:
  // `inner`: a transport to share (with_options), else one is made from `options`.
  Client(ClientOptions options, std::shared_ptr<http::HttpClient> inner);

  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace anthropic
