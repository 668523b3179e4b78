#pragma once

#include <anthropic/export.hpp>
#include <anthropic/http/http_client.hpp>
#include <anthropic/limits.hpp>
#include <anthropic/models/batch_params.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Internal (defined in src/, not part of the API): the builder's state.
namespace anthropic::internal {
struct CreateBodyState;
}

namespace anthropic::messages {

/// The body of a create call, already serialized, with the headers that go with it.
/// Produced by `BatchCreateBodyBuilder`; sent with `BatchService::create_encoded`.
struct EncodedBatchCreateParams {
  http::RequestBody body;         ///< `{"requests":[...]}` (shared: copies of the params are cheap)
  std::size_t request_count = 0;  ///< the number of requests in `body`
  /// Sent as `anthropic-beta`, as `BasicMessageBatchCreateParams::betas`.
  std::vector<std::string> betas;
  std::optional<std::string> user_profile_id;  ///< sent as `anthropic-user-profile-id`
  std::optional<std::string> workspace_id;     ///< sent as `anthropic-workspace-id`
};

/// Serializes a batch request by request, checking each one as it comes (the `custom_id`
/// pattern and uniqueness, the body limit) so that a batch read from a file or produced by a
/// generator never exists as 100,000 typed objects at once. Typed requests and raw `params`
/// objects can be mixed. Errors are `AnthropicInvalidRequestException` naming the request index.
///
/// Not thread-safe; move-only.
///
///     anthropic::messages::BatchCreateBodyBuilder builder;
///     for (const auto& [id, params_json] : rows) builder.add_raw(id, params_json);
///     auto encoded = std::move(builder).finish();
///     auto batch = client.messages().batches().create_encoded(encoded);
template <class Family>
class ANTHROPIC_EXPORT BasicBatchCreateBodyBuilder {
 public:
  /// The most requests the API accepts in one batch (`anthropic::kMaxBatchRequests`).
  static constexpr std::size_t kMaxRequests = kMaxBatchRequests;
  /// The largest create body the API accepts, 256 MiB (`anthropic::kMaxBatchBodyBytes`).
  static constexpr std::size_t kMaxBodyBytes = kMaxBatchBodyBytes;

  /// An empty body that may grow to `max_body_bytes` (a smaller limit splits work earlier).
  explicit BasicBatchCreateBodyBuilder(std::size_t max_body_bytes = kMaxBodyBytes);
  /// Takes over `other`'s body; `other` may only be destroyed or assigned to.
  BasicBatchCreateBodyBuilder(BasicBatchCreateBodyBuilder&& other) noexcept;
  /// Takes over `other`'s body, dropping this one's.
  BasicBatchCreateBodyBuilder& operator=(BasicBatchCreateBodyBuilder&& other) noexcept;
  ~BasicBatchCreateBodyBuilder();

  /// From now on, also rejects what API version `api_version` rejects (from 2026-10-21:
  /// `temperature`, `top_p`, `top_k`, a document block directly in an assistant message, a user
  /// text block with citations), typed or raw, naming the request. `create` does this with the
  /// client's version; call it with the same version before `create_encoded`. Empty: no checks.
  void check_api_version(std::string_view api_version);
  /// Reserves room for the body (an estimate; it still grows past it).
  void reserve(std::size_t body_bytes);
  /// Appends a typed request. A request-side enum (`role`, `media_type`, `ttl`, ...) holding a
  /// value the API does not accept is refused (a newer value goes through `extra_fields`).
  void add(const typename BasicMessageBatchCreateParams<Family>::Request& request);
  /// Appends a request whose `params` is given as JSON text, written as given. It is read as the
  /// family's typed params first, so it must be a JSON object with the members the API requires
  /// (`model`, `max_tokens`, `messages`, each message's `role` and `content`, ...) and values of
  /// the right kinds; members, block types and enum values the SDK does not know pass (the API
  /// judges them). The error names the request and the member, as in "requests[3].params:
  /// `messages[0].role` is missing".
  void add_raw(std::string_view custom_id, std::string_view params_json);

  /// Requests added so far.
  std::size_t request_count() const noexcept;
  /// Bytes of the body written so far; `finish` adds two closing bytes.
  std::size_t body_bytes() const noexcept;

  /// Closes the body; throws when no request was added.
  EncodedBatchCreateParams finish(std::vector<std::string> betas = {},
                                  std::optional<std::string> user_profile_id = {},
                                  std::optional<std::string> workspace_id = {}) &&;

 private:
  std::unique_ptr<internal::CreateBodyState> state_;
};

/// Whether `custom_id` matches the API's `^[a-zA-Z0-9_-]{1,64}$`.
ANTHROPIC_EXPORT bool is_valid_custom_id(std::string_view custom_id) noexcept;

/// Builds the body of a GA create (`client.messages().batches().create_encoded`).
using BatchCreateBodyBuilder = BasicBatchCreateBodyBuilder<GaFamily>;

extern template class BasicBatchCreateBodyBuilder<GaFamily>;

}  // namespace anthropic::messages
