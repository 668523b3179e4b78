#pragma once

// Private: the HTTP-backed BatchService.

#include <anthropic/beta/messages/batch_service.hpp>
#include <anthropic/http/http_client.hpp>

#include "client_config.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace anthropic::beta::messages {

/// Builds each operation's request from its params (URL, headers, body), sends it through the
/// (retrying) HttpClient and decodes the answer or throws the matching exception. Stateless
/// beyond its configuration: thread-safe.
/// Always owned by a shared_ptr: a list page keeps its service alive through shared_from_this.
class HttpBatchService final : public BatchService,
                               public std::enable_shared_from_this<HttpBatchService> {
 public:
  HttpBatchService(std::shared_ptr<const ClientConfig> config,
                   std::shared_ptr<http::HttpClient> http);

  using BatchService::cancel;
  using BatchService::create;
  using BatchService::create_encoded;
  using BatchService::delete_;
  using BatchService::list;
  using BatchService::results;
  using BatchService::retrieve;

  BetaMessageBatch create(const BetaMessageBatchCreateParams& params,
                          const RequestOptions& options) override;
  BetaMessageBatch create_encoded(const EncodedBatchCreateParams& params,
                                  const RequestOptions& options) override;
  BetaMessageBatch retrieve(const BetaMessageBatchRetrieveParams& params,
                            const RequestOptions& options) override;
  BatchListPage list(const BetaMessageBatchListParams& params,
                     const RequestOptions& options) override;
  BetaMessageBatch cancel(const BetaMessageBatchCancelParams& params,
                          const RequestOptions& options) override;
  BetaDeletedMessageBatch delete_(const BetaMessageBatchDeleteParams& params,
                                  const RequestOptions& options) override;
  BatchResultsStream results(const BetaMessageBatchResultsParams& params,
                             const RequestOptions& options) override;

 private:
  using Query = std::vector<std::pair<std::string, std::string>>;
  /// The request for one operation. Headers, later ones replacing earlier ones of the same name:
  /// the SDK's, `operation_headers` (e.g. results' `accept`), the client's defaults, the call's.
  http::HttpRequest build(std::string method, std::string_view path, const Query& query,
                          const std::vector<std::string>& betas, const RequestOptions& options,
                          http::RequestBody body = {},
                          const http::Headers& operation_headers = {}) const;
  BetaMessageBatch send_create(http::RequestBody body, const std::vector<std::string>& betas,
                               const std::optional<std::string>& user_profile_id,
                               const std::optional<std::string>& workspace_id,
                               const RequestOptions& options);
  /// Sends a request whose response is a small JSON document; throws on an error status.
  /// A 2xx response's status and headers go to `into` (RequestOptions::response_into) if set.
  http::HttpResponse send(const http::HttpRequest& request, ResponseMetadata* into) const;

  std::shared_ptr<const ClientConfig> config_;
  std::shared_ptr<http::HttpClient> http_;
};

/// The body of a create call, checked as DESIGN §4.8 says (1-100,000 requests, custom_id pattern
/// and uniqueness, at most `max_body_bytes`) through BatchCreateBodyBuilder; throws
/// AnthropicInvalidRequestException naming the request index. Exposed for tests and benchmarks.
/// With `api_version` (2026-10-21 or later), also the rules of that version
/// (api_version_rules.hpp).
http::RequestBody build_create_body(const BetaMessageBatchCreateParams& params,
                                    std::size_t max_body_bytes = 256u * 1024u * 1024u,
                                    std::string_view api_version = {});

/// `/` + the id percent-encoded as one path segment; throws on an empty id.
std::string batch_path(std::string_view message_batch_id);

/// The anthropic-beta header value: user betas first, then (when `add_batches_beta`, under API
/// versions before 2026-10-21) the batches beta, de-duplicated; empty when there is none.
std::string merge_betas(const std::vector<std::string>& betas, bool add_batches_beta);

}  // namespace anthropic::beta::messages
