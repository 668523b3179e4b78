#pragma once

#include <anthropic/beta/messages/batch_service.hpp>
#include <anthropic/client_options.hpp>
#include <anthropic/export.hpp>

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

  beta::BetaService& beta() const noexcept;

  /// The base URL in use (after environment fallback).
  const std::string& base_url() const noexcept;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace anthropic
