#pragma once

#include <anthropic/beta/messages/batch_service.hpp>
#include <anthropic/beta/messages/batch_service_async.hpp>
#include <anthropic/client_options.hpp>
#include <anthropic/export.hpp>
#include <anthropic/messages/batch_service.hpp>
#include <anthropic/messages/batch_service_async.hpp>

#include <functional>
#include <memory>

namespace anthropic {

namespace beta {

/// `client.beta().messages()`: the beta Messages resources. A view owned by the `Client`: valid
/// while the client (or a copy of it) lives.
class ANTHROPIC_EXPORT MessagesService {
 public:
  /// Made by the `Client`; `batches` must outlive this view.
  explicit MessagesService(messages::BatchService& batches) : batches_(&batches) {}
  /// `client.beta().messages().batches()`: the beta Message Batches service (thread-safe).
  messages::BatchService& batches() const noexcept { return *batches_; }

 private:
  messages::BatchService* batches_;
};

/// `client.beta()`: the beta resources. A view owned by the `Client`: valid while the client (or
/// a copy of it) lives.
class ANTHROPIC_EXPORT BetaService {
 public:
  /// Made by the `Client`; `batches` must outlive this view.
  explicit BetaService(messages::BatchService& batches) : messages_(batches) {}
  /// `client.beta().messages()`.
  MessagesService& messages() noexcept { return messages_; }

 private:
  MessagesService messages_;
};

/// `client.async().beta().messages()`: the beta Messages resources, asynchronous. A view owned
/// by the `Client`: valid while the client (or a copy of it) lives.
class ANTHROPIC_EXPORT AsyncMessagesService {
 public:
  /// Made by the `Client`; `batches` must outlive this view.
  explicit AsyncMessagesService(messages::BatchServiceAsync& batches) : batches_(&batches) {}
  /// `client.async().beta().messages().batches()`: the beta async Message Batches service.
  messages::BatchServiceAsync& batches() const noexcept { return *batches_; }

 private:
  messages::BatchServiceAsync* batches_;
};

/// `client.async().beta()`: the beta resources, asynchronous. A view owned by the `Client`.
class ANTHROPIC_EXPORT AsyncBetaService {
 public:
  /// Made by the `Client`; `batches` must outlive this view.
  explicit AsyncBetaService(messages::BatchServiceAsync& batches) : messages_(batches) {}
  /// `client.async().beta().messages()`.
  AsyncMessagesService& messages() noexcept { return messages_; }

 private:
  AsyncMessagesService messages_;
};

}  // namespace beta

/// `client.async().messages()`: the (GA) Messages resources, asynchronous. A view owned by the
/// `Client`: valid while the client (or a copy of it) lives.
class ANTHROPIC_EXPORT AsyncMessagesService {
 public:
  /// Made by the `Client`; `batches` must outlive this view.
  explicit AsyncMessagesService(::anthropic::messages::BatchServiceAsync& batches)
      : batches_(&batches) {}
  /// `client.async().messages().batches()`: the GA async Message Batches service.
  ::anthropic::messages::BatchServiceAsync& batches() const noexcept { return *batches_; }

 private:
  ::anthropic::messages::BatchServiceAsync* batches_;
};

/// `client.async()`: the same tree as the `Client`, each operation returning a `std::future` or
/// taking a callback (see `anthropic::messages::BasicBatchServiceAsync`). A view owned by the
/// `Client`: valid while the client (or a copy of it) lives.
class ANTHROPIC_EXPORT AsyncService {
 public:
  /// Made by the `Client`; the services must outlive this view.
  AsyncService(::anthropic::messages::BatchServiceAsync& ga,
               beta::messages::BatchServiceAsync& beta)
      : messages_(ga), beta_(beta) {}
  /// `client.async().messages()`.
  AsyncMessagesService& messages() noexcept { return messages_; }
  /// `client.async().beta()`.
  beta::AsyncBetaService& beta() noexcept { return beta_; }

 private:
  AsyncMessagesService messages_;
  beta::AsyncBetaService beta_;
};

/// `client.messages()`: the (GA) Messages resources. A view owned by the `Client`: valid while
/// the client (or a copy of it) lives.
class ANTHROPIC_EXPORT MessagesService {
 public:
  /// Made by the `Client`; `batches` must outlive this view.
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
///
/// The services it hands out (`client.messages().batches()`) are references into state shared
/// by the client and its copies: keep a client (or a copy) alive while you use them.
///
///     anthropic::Client client = anthropic::Client::from_env();
///     anthropic::messages::BatchService& batches = client.messages().batches();
///     anthropic::messages::MessageBatch batch = batches.retrieve("msgbatch_...");
class ANTHROPIC_EXPORT Client {
 public:
  /// Resolves `options` (unset fields from the environment, then the documented defaults) and
  /// builds the transport. Sends nothing. Throws `AnthropicInvalidRequestException` for options
  /// that cannot work: no credential, a line break in a credential or header, a `base_url` that
  /// is not an http(s) URL, an `anthropic_version` that is not a date, a negative timeout or
  /// retry count, TLS or proxy settings given together with a custom `http_client`.
  explicit Client(ClientOptions options = {});
  /// A client configured only from the environment (`ANTHROPIC_API_KEY`,
  /// `ANTHROPIC_AUTH_TOKEN`, `ANTHROPIC_BASE_URL`, `ANTHROPIC_CUSTOM_HEADERS`, `ANTHROPIC_LOG`).
  static Client from_env();

  /// The GA resources: `client.messages().batches()`.
  MessagesService& messages() const noexcept;
  /// The beta resources: `client.beta().messages().batches()`.
  beta::BetaService& beta() const noexcept;
  /// The asynchronous services: `client.async().messages().batches()` and
  /// `client.async().beta().messages().batches()`. The client's I/O thread starts with the
  /// first async call; destroying the last copy of the client completes the calls still in
  /// flight with `AnthropicCancelledException` and joins it.
  AsyncService& async() const noexcept;

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
