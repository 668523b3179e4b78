#pragma once

#include <anthropic/beta/messages/batch_create_body.hpp>
#include <anthropic/beta/messages/batch_list_page.hpp>
#include <anthropic/beta/messages/batch_params.hpp>
#include <anthropic/beta/messages/batch_results.hpp>
#include <anthropic/beta/messages/beta_message_batch.hpp>
#include <anthropic/client_options.hpp>
#include <anthropic/errors.hpp>
#include <anthropic/export.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace anthropic::beta::messages {

/// Settings of `BatchService::wait_until_ended`.
struct WaitOptions {
  /// First wait between two polls; each later wait is `multiplier` times longer, up to
  /// `max_interval`.
  std::chrono::milliseconds initial_interval{std::chrono::seconds(1)};
  std::chrono::milliseconds max_interval{std::chrono::seconds(60)};
  double multiplier = 1.5;
  /// Give up (with `BatchWaitTimeoutException`) once this much time has passed; unset: no limit.
  std::optional<std::chrono::milliseconds> timeout;
  /// Called with every batch retrieved, including the last (ended) one.
  std::function<void(const BetaMessageBatch&)> on_progress;
  /// Options of each `retrieve`. Its `cancellation` token also stops the waits between polls:
  /// once cancelled, `wait_until_ended` throws `AnthropicCancelledException` (within about 100 ms
  /// when no `sleeper` is injected; with one, after it returns).
  RequestOptions request_options;
  /// Test seams: waiting and a monotonic clock. Unset: real time.
  std::function<void(std::chrono::milliseconds)> sleeper;
  std::function<std::chrono::steady_clock::time_point()> clock;
};

/// `wait_until_ended` ran out of time; `last()` is the batch as last retrieved.
class ANTHROPIC_EXPORT BatchWaitTimeoutException : public AnthropicException {
 public:
  BatchWaitTimeoutException(const std::string& message, BetaMessageBatch last);
  ~BatchWaitTimeoutException() override;
  const BetaMessageBatch& last() const noexcept { return last_; }

 private:
  BetaMessageBatch last_;
};

/// The Message Batches (beta) service: `client.beta().messages().batches()`.
///
/// Each operation has a pure virtual form taking `RequestOptions` and a non-virtual form without;
/// operations on one batch also take just its id. Implement it (or use
/// `anthropic/testing/mock_batch_service.hpp`) to test code that uses batches without a server;
/// a subclass should add `using BatchService::create;` (and so on) to keep the convenience
/// overloads visible. The SDK's implementation is thread-safe.
class ANTHROPIC_EXPORT BatchService {
 public:
  virtual ~BatchService();

  /// `POST /v1/messages/batches`: sends a batch of Messages requests; processing starts at once.
  virtual BetaMessageBatch create(const BetaMessageBatchCreateParams& params,
                                  const RequestOptions& options) = 0;
  /// `create` with a body serialized ahead of time by `BatchCreateBodyBuilder` (for batches
  /// streamed from a file or a generator).
  virtual BetaMessageBatch create_encoded(const EncodedBatchCreateParams& params,
                                          const RequestOptions& options) = 0;
  /// `GET /v1/messages/batches/{id}`.
  virtual BetaMessageBatch retrieve(const BetaMessageBatchRetrieveParams& params,
                                    const RequestOptions& options) = 0;
  /// `GET /v1/messages/batches`: one page, newest first.
  virtual BatchListPage list(const BetaMessageBatchListParams& params,
                             const RequestOptions& options) = 0;
  /// `POST /v1/messages/batches/{id}/cancel`: the batch moves to `canceling`.
  virtual BetaMessageBatch cancel(const BetaMessageBatchCancelParams& params,
                                  const RequestOptions& options) = 0;
  /// `DELETE /v1/messages/batches/{id}`: only once the batch has ended.
  virtual BetaDeletedMessageBatch delete_(const BetaMessageBatchDeleteParams& params,
                                          const RequestOptions& options) = 0;
  /// `GET /v1/messages/batches/{id}/results`: the results, streamed line by line.
  virtual BatchResultsStream results(const BetaMessageBatchResultsParams& params,
                                     const RequestOptions& options) = 0;

  BetaMessageBatch create(const BetaMessageBatchCreateParams& params);
  BetaMessageBatch create_encoded(const EncodedBatchCreateParams& params);
  BetaMessageBatch retrieve(const BetaMessageBatchRetrieveParams& params);
  BetaMessageBatch retrieve(const std::string& message_batch_id,
                            const RequestOptions& options = {});
  BatchListPage list(const BetaMessageBatchListParams& params = {});
  BetaMessageBatch cancel(const BetaMessageBatchCancelParams& params);
  BetaMessageBatch cancel(const std::string& message_batch_id, const RequestOptions& options = {});
  BetaDeletedMessageBatch delete_(const BetaMessageBatchDeleteParams& params);
  BetaDeletedMessageBatch delete_(const std::string& message_batch_id,
                                  const RequestOptions& options = {});
  BatchResultsStream results(const BetaMessageBatchResultsParams& params);
  BatchResultsStream results(const std::string& message_batch_id,
                             const RequestOptions& options = {});

  /// Polls `retrieve` until `processing_status` is `ended` and returns that batch. Waits between
  /// polls grow from `initial_interval` to `max_interval`; errors of `retrieve` propagate (the
  /// SDK's own retries apply to each poll). Cancelling `options.request_options.cancellation`
  /// stops it during a poll or a wait with `AnthropicCancelledException`
  /// (`may_have_reached_server()` false when it stopped between polls).
  BetaMessageBatch wait_until_ended(const std::string& message_batch_id,
                                    const WaitOptions& options = {});
};

}  // namespace anthropic::beta::messages
