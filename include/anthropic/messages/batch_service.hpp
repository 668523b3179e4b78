#pragma once

#include <anthropic/client_options.hpp>
#include <anthropic/errors.hpp>
#include <anthropic/export.hpp>
#include <anthropic/messages/batch_create_body.hpp>
#include <anthropic/messages/batch_list_page.hpp>
#include <anthropic/messages/batch_results.hpp>
#include <anthropic/models/batch_params.hpp>
#include <anthropic/models/message_batch.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace anthropic::messages {

/// Settings of `BatchService::wait_until_ended`.
struct WaitOptions {
  /// First wait between two polls; each later wait is `multiplier` times longer, up to
  /// `max_interval`.
  std::chrono::milliseconds initial_interval{std::chrono::seconds(1)};
  /// Longest wait between two polls.
  std::chrono::milliseconds max_interval{std::chrono::seconds(60)};
  /// Growth of the wait from one poll to the next (at least 1).
  double multiplier = 1.5;
  /// Give up (with `BatchWaitTimeoutException`) once this much time has passed; unset: no limit.
  std::optional<std::chrono::milliseconds> timeout;
  /// Called with every batch retrieved, including the last (ended) one.
  std::function<void(const MessageBatch&)> on_progress;
  /// Options of each `retrieve`. Its `cancellation` token also stops the waits between polls:
  /// once cancelled, `wait_until_ended` throws `AnthropicCancelledException` (within about 100 ms
  /// when no `sleeper` is injected; with one, after it returns).
  RequestOptions request_options;
  /// Test seam: waits between polls. Unset: a real wait on the cancellation token.
  std::function<void(std::chrono::milliseconds)> sleeper;
  /// Test seam: the monotonic clock that `timeout` is measured on. Unset: real time.
  std::function<std::chrono::steady_clock::time_point()> clock;
};

/// `wait_until_ended` ran out of time; `last()` is the batch as last retrieved.
/// The batch itself is unaffected: it goes on processing, and a later wait can pick it up.
class ANTHROPIC_EXPORT BatchWaitTimeoutException : public AnthropicException {
 public:
  /// `last`: the batch as the final poll saw it.
  BatchWaitTimeoutException(const std::string& message, MessageBatch last);
  ~BatchWaitTimeoutException() override;
  /// The batch as last retrieved (its `request_counts` say how far it got).
  const MessageBatch& last() const noexcept { return last_; }

 private:
  MessageBatch last_;
};

/// The operations behind `BasicBatchService`, one virtual function each (params and options).
/// The SDK implements it over HTTP; implement it to fake the service in tests or to put your own
/// layer under it (caching, recording), and wrap it: `BatchService service(connection)`.
///
/// Every function has a default that throws `AnthropicException("... is not implemented by
/// this connection")`, so a fake overrides only what it uses, needs no `using` declarations, and a
/// later SDK version adding an operation breaks no subclass. The SDK's connection is thread-safe;
/// a user's need be so only if it is shared between threads.
///
///     class OneBatch : public anthropic::messages::BatchServiceConnection {
///      public:
///       anthropic::messages::MessageBatch retrieve(
///           const anthropic::messages::MessageBatchRetrieveParams& params,
///           const anthropic::RequestOptions&) override { ... }
///     };
///     anthropic::messages::BatchService batches(std::make_shared<OneBatch>());
///     my_code_under_test(batches);   // batches.retrieve("msgbatch_...") reaches OneBatch
template <class Family>
class ANTHROPIC_EXPORT BasicBatchServiceConnection {
 public:
  /// The connection's own type, by its family-neutral name (a page made with `this` of a
  /// subclass calls `list` through it, so the override may be private).
  using BatchServiceConnection = BasicBatchServiceConnection;

  virtual ~BasicBatchServiceConnection();

  /// `create`.
  virtual MessageBatch create(const BasicMessageBatchCreateParams<Family>& params,
                              const RequestOptions& options);
  /// `create_encoded`.
  virtual MessageBatch create_encoded(const EncodedBatchCreateParams& params,
                                      const RequestOptions& options);
  /// `retrieve`.
  virtual MessageBatch retrieve(const MessageBatchRetrieveParams& params,
                                const RequestOptions& options);
  /// `list`: a page whose `next_page()` should call back into this connection (see
  /// `BatchListPage`'s constructors).
  virtual BatchListPage list(const MessageBatchListParams& params, const RequestOptions& options);
  /// `cancel`.
  virtual MessageBatch cancel(const MessageBatchCancelParams& params,
                              const RequestOptions& options);
  /// `delete_`.
  virtual DeletedMessageBatch delete_(const MessageBatchDeleteParams& params,
                                      const RequestOptions& options);
  /// `results`.
  virtual BasicBatchResultsStream<Family> results(const MessageBatchResultsParams& params,
                                                  const RequestOptions& options);
};

/// The Message Batches service of a family: `anthropic::messages::BatchService`
/// (`client.messages().batches()`, GA) is `BasicBatchService<GaFamily>` and
/// `anthropic::beta::messages::BatchService` (`client.beta().messages().batches()`) is
/// `BasicBatchService<beta::messages::BetaFamily>`. One implementation serves both; they differ
/// in the request and result types and, under API version 2023-06-01, in the beta marks the beta
/// resource sends (`?beta=true`, `anthropic-beta: message-batches-2024-09-24`).
///
/// Each operation takes its params, with or without `RequestOptions`; operations on one batch
/// also take just its id. The service is a thin, copyable handle over a
/// `BasicBatchServiceConnection` that does the work: to test code that uses batches without a
/// server, give it a service made from your own connection, or use
/// `anthropic/testing/mock_batch_service.hpp`. The SDK's service is thread-safe; it is owned by
/// the `Client`, and the reference `client.messages().batches()` returns is valid while the
/// client (or a copy) lives (a copy of the service keeps the connection alive longer).
///
/// Every operation may throw: `AnthropicInvalidRequestException` for params rejected before
/// sending (an empty id, an invalid batch), `AnthropicServiceException` (a subclass per status)
/// once retries are spent, `AnthropicIoException` for a transport failure
/// (`AnthropicCancelledException` when cancelled), `AnthropicInvalidDataException` for a
/// response that does not decode.
///
///     namespace mb = anthropic::messages;
///     mb::BatchService& batches = client.messages().batches();
///     mb::MessageBatch batch = batches.create(params);
///     batch = batches.wait_until_ended(batch.id);
///     for (const mb::MessageBatchIndividualResponse& line : batches.results(batch.id)) {
///       if (line.result.type == mb::MessageBatchResultType::succeeded) use(*line.result.message);
///     }
template <class Family>
class ANTHROPIC_EXPORT BasicBatchService {
 public:
  /// `GaFamily` or `beta::messages::BetaFamily`.
  using family_type = Family;
  /// The service's own type, by its family-neutral name.
  using BatchService = BasicBatchService;
  /// What does the work.
  using Connection = BasicBatchServiceConnection<Family>;
  /// The params of `create` in this family.
  using CreateParams = BasicMessageBatchCreateParams<Family>;
  /// What `results` returns in this family.
  using ResultsStream = BasicBatchResultsStream<Family>;

  /// A service over `connection` (not null: `AnthropicInvalidRequestException` otherwise).
  explicit BasicBatchService(std::shared_ptr<Connection> connection);
  virtual ~BasicBatchService();
  ///@{
  /// Copies share the connection.
  BasicBatchService(const BasicBatchService&);
  BasicBatchService& operator=(const BasicBatchService&);
  ///@}

  /// The connection the operations go to.
  const std::shared_ptr<Connection>& connection() const noexcept { return connection_; }

  /// `POST /v1/messages/batches`: sends a batch of Messages requests; processing starts at once.
  /// The batch is checked first (1 to 100,000 requests, valid and unique `custom_id`s, at most
  /// 256 MB; `AnthropicInvalidRequestException` naming the request). Not retried when the
  /// outcome is unknown unless `RequestOptions::retry_on_unknown_outcome` (or the client's
  /// `retry_create_on_unknown_outcome`) says so: a resend could create a second batch. The body
  /// is encoded from `params` while it is sent (again for a retry), so `params` must not change
  /// until the call returns; a change is refused (`AnthropicInvalidRequestException`) before
  /// the body is sent whole.
  MessageBatch create(const BasicMessageBatchCreateParams<Family>& params,
                      const RequestOptions& options);
  /// `create(params, {})`.
  MessageBatch create(const BasicMessageBatchCreateParams<Family>& params);
  /// `create` with a body serialized ahead of time by `BatchCreateBodyBuilder` (for batches
  /// streamed from a file or a generator).
  MessageBatch create_encoded(const EncodedBatchCreateParams& params,
                              const RequestOptions& options);
  /// `create_encoded(params, {})`.
  MessageBatch create_encoded(const EncodedBatchCreateParams& params);
  /// `GET /v1/messages/batches/{id}`.
  MessageBatch retrieve(const MessageBatchRetrieveParams& params, const RequestOptions& options);
  /// `retrieve(params, {})`.
  MessageBatch retrieve(const MessageBatchRetrieveParams& params);
  /// `retrieve` of the batch `message_batch_id` (no betas, no workspace header).
  MessageBatch retrieve(const std::string& message_batch_id, const RequestOptions& options = {});
  /// `GET /v1/messages/batches`: one page, newest first.
  BatchListPage list(const MessageBatchListParams& params, const RequestOptions& options);
  /// `list(params, {})`: the first page by default.
  BatchListPage list(const MessageBatchListParams& params = {});
  /// `POST /v1/messages/batches/{id}/cancel`: the batch moves to `canceling`.
  MessageBatch cancel(const MessageBatchCancelParams& params, const RequestOptions& options);
  /// `cancel(params, {})`.
  MessageBatch cancel(const MessageBatchCancelParams& params);
  /// `cancel` of the batch `message_batch_id`.
  MessageBatch cancel(const std::string& message_batch_id, const RequestOptions& options = {});
  /// `DELETE /v1/messages/batches/{id}`: only once the batch has ended.
  DeletedMessageBatch delete_(const MessageBatchDeleteParams& params,
                              const RequestOptions& options);
  /// `delete_(params, {})`.
  DeletedMessageBatch delete_(const MessageBatchDeleteParams& params);
  /// `delete_` of the batch `message_batch_id`.
  DeletedMessageBatch delete_(const std::string& message_batch_id,
                              const RequestOptions& options = {});
  /// `GET /v1/messages/batches/{id}/results`: the results, streamed line by line.
  BasicBatchResultsStream<Family> results(const MessageBatchResultsParams& params,
                                          const RequestOptions& options);
  /// `results(params, {})`.
  BasicBatchResultsStream<Family> results(const MessageBatchResultsParams& params);
  /// `results` of the batch `message_batch_id`.
  BasicBatchResultsStream<Family> results(const std::string& message_batch_id,
                                          const RequestOptions& options = {});

  /// Polls `retrieve` until `processing_status` is `ended` and returns that batch. Waits between
  /// polls grow from `initial_interval` to `max_interval`; errors of `retrieve` propagate (the
  /// SDK's own retries apply to each poll). Cancelling `options.request_options.cancellation`
  /// stops it during a poll or a wait with `AnthropicCancelledException`
  /// (`may_have_reached_server()` false when it stopped between polls). Throws
  /// `BatchWaitTimeoutException` once `options.timeout` has passed, and
  /// `AnthropicInvalidRequestException` for intervals that make no sense (zero, or
  /// `initial_interval > max_interval`, or `multiplier < 1`).
  MessageBatch wait_until_ended(const std::string& message_batch_id,
                                const WaitOptions& options = {});

 private:
  std::shared_ptr<Connection> connection_;
};

/// `client.messages().batches()`: the GA Message Batches service.
using BatchService = BasicBatchService<GaFamily>;
/// What the GA service's operations go to (implement it to fake the service).
using BatchServiceConnection = BasicBatchServiceConnection<GaFamily>;

extern template class BasicBatchServiceConnection<GaFamily>;
extern template class BasicBatchService<GaFamily>;

}  // namespace anthropic::messages
