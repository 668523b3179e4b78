#pragma once

// Private: the HTTP-backed BatchService connection.

#include <anthropic/http/http_client.hpp>
#include <anthropic/http/retrying_http_client.hpp>
#include <anthropic/messages/batch_service.hpp>

#include "client_config.hpp"

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace anthropic::internal {

/// One operation ready to send: its request, and what turns the outcome of sending it (through
/// the retry layer: the last response, or the error it ended with) into the operation's result or
/// exception. The blocking service runs `finish` on the caller's thread, the async one on its I/O
/// thread; `finish` holds copies of what it needs (never a reference to the params or options).
/// `retry` is what the retry layer may do with `request` (the transport sees only the request).
template <class T, class Response = http::HttpResponse>
struct PreparedCall {
  http::HttpRequest request;
  http::RetryOptions retry;
  std::function<T(std::exception_ptr error, Response response)> finish;
};

/// Sends one attempt of a results request (no retries: the stream counts its reconnects) and
/// returns once the headers arrived: a results stream reconnects with it.
using OpenOnce = std::function<http::StreamedResponse(const http::HttpRequest&)>;

/// Builds each operation's request from its params (URL, headers, body), sends it through the
/// retrying HttpClient and decodes the answer or throws the matching exception. Stateless
/// beyond its configuration: thread-safe.
/// Always owned by a shared_ptr: a list page keeps its service alive through shared_from_this.
template <class F>
class HttpBatchService final : public messages::BasicBatchServiceConnection<F>,
                               public std::enable_shared_from_this<HttpBatchService<F>> {
 public:
  HttpBatchService(std::shared_ptr<const ClientConfig> config,
                   std::shared_ptr<http::RetryingHttpClient> http);

  messages::MessageBatch create(const messages::BasicMessageBatchCreateParams<F>& params,
                                const RequestOptions& options) override;
  messages::MessageBatch create_encoded(const messages::EncodedBatchCreateParams& params,
                                        const RequestOptions& options) override;
  messages::MessageBatch retrieve(const messages::MessageBatchRetrieveParams& params,
                                  const RequestOptions& options) override;
  messages::BatchListPage list(const messages::MessageBatchListParams& params,
                               const RequestOptions& options) override;
  messages::MessageBatch cancel(const messages::MessageBatchCancelParams& params,
                                const RequestOptions& options) override;
  messages::DeletedMessageBatch delete_(const messages::MessageBatchDeleteParams& params,
                                        const RequestOptions& options) override;
  messages::BasicBatchResultsStream<F> results(const messages::MessageBatchResultsParams& params,
                                               const RequestOptions& options) override;

  /// The operations, prepared (params checked, body built): throws what the call would throw
  /// for invalid params. With `stream_body`, the create body is checked and sized but encoded
  /// only as it is sent (streamed_create_body): `params` must outlive the call, and the caller
  /// releases the body when the call ends (StreamedBodyRelease).
  PreparedCall<messages::MessageBatch> prepare_create(
      const messages::BasicMessageBatchCreateParams<F>& params, const RequestOptions& options,
      bool stream_body = false) const;
  PreparedCall<messages::MessageBatch> prepare_create_encoded(
      const messages::EncodedBatchCreateParams& params, const RequestOptions& options) const;
  PreparedCall<messages::MessageBatch> prepare_retrieve(
      const messages::MessageBatchRetrieveParams& params, const RequestOptions& options) const;
  PreparedCall<messages::BatchListPage> prepare_list(const messages::MessageBatchListParams& params,
                                                     const RequestOptions& options);
  PreparedCall<messages::MessageBatch> prepare_cancel(
      const messages::MessageBatchCancelParams& params, const RequestOptions& options) const;
  PreparedCall<messages::DeletedMessageBatch> prepare_delete(
      const messages::MessageBatchDeleteParams& params, const RequestOptions& options) const;
  /// `open_once` is what the stream reconnects with.
  PreparedCall<messages::BasicBatchResultsStream<F>, http::StreamedResponse> prepare_results(
      const messages::MessageBatchResultsParams& params, const RequestOptions& options,
      OpenOnce open_once) const;

  /// The results request alone: `finish` returns the 2xx response (its body unread) or throws
  /// the service error; what a results stream reconnects with is up to the caller.
  PreparedCall<http::StreamedResponse, http::StreamedResponse> prepare_results_head(
      const messages::MessageBatchResultsParams& params, const RequestOptions& options) const;
  /// How many consecutive reconnects without progress a results stream of this call may make.
  int results_max_retries(const RequestOptions& options) const {
    return options.max_retries.value_or(config_->max_retries);
  }

  const std::shared_ptr<const ClientConfig>& config() const noexcept { return config_; }

 private:
  using Query = std::vector<std::pair<std::string, std::string>>;
  /// The request for one operation. Headers, later ones replacing earlier ones of the same name:
  /// the SDK's, `operation_headers` (e.g. results' `accept`), the client's defaults, the call's.
  /// What every operation's params carry besides the batch id.
  struct IdParts {
    const std::vector<std::string>& betas;
    const std::optional<std::string>& workspace_id;
  };
  static IdParts ids_of(const messages::MessageBatchIdParams& p) {
    return IdParts{p.betas, p.workspace_id};
  }
  http::HttpRequest build(std::string method, std::string_view path, const Query& query,
                          const IdParts& ids, const RequestOptions& options,
                          http::RequestBody body = {},
                          const http::Headers& operation_headers = {}) const;
  PreparedCall<messages::MessageBatch> prepare_send_create(
      http::RequestBody body, const std::vector<std::string>& betas,
      const std::optional<std::string>& user_profile_id,
      const std::optional<std::string>& workspace_id, const RequestOptions& options) const;
  /// An operation whose response is a small JSON document decoded by `decode`.
  template <class T>
  PreparedCall<T> prepare_json(http::HttpRequest request, const char* operation,
                               const RequestOptions& options, T (*decode)(std::string_view)) const;
  /// Sends `call` through the blocking transport and finishes it.
  template <class T>
  T run(PreparedCall<T> call);

  std::shared_ptr<const ClientConfig> config_;
  std::shared_ptr<http::RetryingHttpClient> http_;
};

/// What the retry layer may do for a call made with `options`: the call's budget (unset: the
/// client's), and a resend after an unknown outcome (what every operation but create allows).
inline http::RetryOptions retry_options(const RequestOptions& options) {
  http::RetryOptions retry;
  retry.max_retries = options.max_retries;
  return retry;
}

/// The body of a create call, checked before anything is sent as the API would check it (1-100,000
/// requests, custom_id pattern and uniqueness, at most `max_body_bytes`) through
/// BatchCreateBodyBuilder; throws AnthropicInvalidRequestException naming the request index.
/// Declared here, not in the .cpp, for the tests and benchmarks that time and check it.
/// With `api_version` (2026-10-21 or later), also the rules of that version
/// (api_version_rules.hpp).
template <class F>
http::RequestBody build_create_body(
    const messages::BasicMessageBatchCreateParams<F>& params,
    std::size_t max_body_bytes = messages::BasicBatchCreateBodyBuilder<F>::kMaxBodyBytes,
    std::string_view api_version = {});

/// What check_create_body learns of a body it does not keep.
struct CheckedCreateBody {
  std::size_t size = 0;      ///< its exact size in bytes
  std::uint64_t digest = 0;  ///< RunningChecksum of its bytes
};

/// The checks of build_create_body, run without keeping the body (one request at a time).
template <class F>
CheckedCreateBody check_create_body(const messages::BasicMessageBatchCreateParams<F>& params,
                                    std::size_t max_body_bytes, std::string_view api_version);

/// The body build_create_body returns, byte for byte, as a streamed RequestBody: checked, sized
/// and summed now (throws as build_create_body does), encoded again while it is sent, a few
/// requests at a time (for each attempt). It reads `params`, which must stay unchanged until the
/// body is released (StreamedBodyRelease); a change is caught by the size, or at the latest by
/// the checksum before the last bytes go out, so a changed body is never sent whole.
template <class F>
http::RequestBody streamed_create_body(
    const messages::BasicMessageBatchCreateParams<F>& params,
    std::size_t max_body_bytes = messages::BasicBatchCreateBodyBuilder<F>::kMaxBodyBytes,
    std::string_view api_version = {});

/// The results request `first` sent again by a stream reconnecting (one attempt: the stream counts
/// them), with `Range: bytes=<range_start>-` unless `range_start` is 0.
http::HttpRequest results_reopen_request(const http::HttpRequest& first, std::uint64_t range_start);

/// `/` + the id percent-encoded as one path segment; throws on an empty id.
std::string batch_path(std::string_view message_batch_id);

/// The anthropic-beta header value: user betas first, then (when `add_batches_beta`, under API
/// versions before 2026-10-21) the batches beta, de-duplicated; empty when there is none.
std::string merge_betas(const std::vector<std::string>& betas, bool add_batches_beta);

}  // namespace anthropic::internal
