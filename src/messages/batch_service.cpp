#include <anthropic/beta/messages/batch_service.hpp>
#include <anthropic/errors.hpp>
#include <anthropic/messages/batch_service.hpp>

#include "messages/wait_plan.hpp"
#include "messages/with_id.hpp"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

namespace anthropic::messages {

using internal::with_id;

namespace {

[[noreturn]] void not_implemented(const char* operation) {
  throw AnthropicException(std::string("BatchServiceConnection::") + operation +
                           " is not implemented by this connection");
}

}  // namespace

template <class F>
BasicBatchServiceConnection<F>::~BasicBatchServiceConnection() = default;
template <class F>
MessageBatch BasicBatchServiceConnection<F>::create(const BasicMessageBatchCreateParams<F>&,
                                                    const RequestOptions&) {
  not_implemented("create");
}
template <class F>
MessageBatch BasicBatchServiceConnection<F>::create_encoded(const EncodedBatchCreateParams&,
                                                            const RequestOptions&) {
  not_implemented("create_encoded");
}
template <class F>
MessageBatch BasicBatchServiceConnection<F>::retrieve(const MessageBatchRetrieveParams&,
                                                      const RequestOptions&) {
  not_implemented("retrieve");
}
template <class F>
BatchListPage BasicBatchServiceConnection<F>::list(const MessageBatchListParams&,
                                                   const RequestOptions&) {
  not_implemented("list");
}
template <class F>
MessageBatch BasicBatchServiceConnection<F>::cancel(const MessageBatchCancelParams&,
                                                    const RequestOptions&) {
  not_implemented("cancel");
}
template <class F>
DeletedMessageBatch BasicBatchServiceConnection<F>::delete_(const MessageBatchDeleteParams&,
                                                            const RequestOptions&) {
  not_implemented("delete_");
}
template <class F>
BasicBatchResultsStream<F> BasicBatchServiceConnection<F>::results(const MessageBatchResultsParams&,
                                                                   const RequestOptions&) {
  not_implemented("results");
}

template <class F>
BasicBatchService<F>::BasicBatchService(std::shared_ptr<Connection> connection)
    : connection_(std::move(connection)) {
  if (!connection_) throw AnthropicInvalidRequestException("BatchService: no connection");
}
template <class F>
BasicBatchService<F>::~BasicBatchService() = default;
template <class F>
BasicBatchService<F>::BasicBatchService(const BasicBatchService&) = default;
template <class F>
BasicBatchService<F>& BasicBatchService<F>::operator=(const BasicBatchService&) = default;

template <class F>
MessageBatch BasicBatchService<F>::create(const BasicMessageBatchCreateParams<F>& params,
                                          const RequestOptions& options) {
  return connection_->create(params, options);
}
template <class F>
MessageBatch BasicBatchService<F>::create(const BasicMessageBatchCreateParams<F>& params) {
  return connection_->create(params, RequestOptions{});
}
template <class F>
MessageBatch BasicBatchService<F>::create_encoded(const EncodedBatchCreateParams& params,
                                                  const RequestOptions& options) {
  return connection_->create_encoded(params, options);
}
template <class F>
MessageBatch BasicBatchService<F>::create_encoded(const EncodedBatchCreateParams& params) {
  return connection_->create_encoded(params, RequestOptions{});
}
template <class F>
MessageBatch BasicBatchService<F>::retrieve(const MessageBatchRetrieveParams& params,
                                            const RequestOptions& options) {
  return connection_->retrieve(params, options);
}
template <class F>
MessageBatch BasicBatchService<F>::retrieve(const MessageBatchRetrieveParams& params) {
  return connection_->retrieve(params, RequestOptions{});
}
template <class F>
MessageBatch BasicBatchService<F>::retrieve(const std::string& id, const RequestOptions& options) {
  return connection_->retrieve(with_id<MessageBatchRetrieveParams>(id), options);
}
template <class F>
BatchListPage BasicBatchService<F>::list(const MessageBatchListParams& params,
                                         const RequestOptions& options) {
  return connection_->list(params, options);
}
template <class F>
BatchListPage BasicBatchService<F>::list(const MessageBatchListParams& params) {
  return connection_->list(params, RequestOptions{});
}
template <class F>
MessageBatch BasicBatchService<F>::cancel(const MessageBatchCancelParams& params,
                                          const RequestOptions& options) {
  return connection_->cancel(params, options);
}
template <class F>
MessageBatch BasicBatchService<F>::cancel(const MessageBatchCancelParams& params) {
  return connection_->cancel(params, RequestOptions{});
}
template <class F>
MessageBatch BasicBatchService<F>::cancel(const std::string& id, const RequestOptions& options) {
  return connection_->cancel(with_id<MessageBatchCancelParams>(id), options);
}
template <class F>
DeletedMessageBatch BasicBatchService<F>::delete_(const MessageBatchDeleteParams& params,
                                                  const RequestOptions& options) {
  return connection_->delete_(params, options);
}
template <class F>
DeletedMessageBatch BasicBatchService<F>::delete_(const MessageBatchDeleteParams& params) {
  return connection_->delete_(params, RequestOptions{});
}
template <class F>
DeletedMessageBatch BasicBatchService<F>::delete_(const std::string& id,
                                                  const RequestOptions& options) {
  return connection_->delete_(with_id<MessageBatchDeleteParams>(id), options);
}
template <class F>
BasicBatchResultsStream<F> BasicBatchService<F>::results(const MessageBatchResultsParams& params,
                                                         const RequestOptions& options) {
  return connection_->results(params, options);
}
template <class F>
BasicBatchResultsStream<F> BasicBatchService<F>::results(const MessageBatchResultsParams& params) {
  return connection_->results(params, RequestOptions{});
}
template <class F>
BasicBatchResultsStream<F> BasicBatchService<F>::results(const std::string& id,
                                                         const RequestOptions& options) {
  return connection_->results(with_id<MessageBatchResultsParams>(id), options);
}

template <class F>
MessageBatch BasicBatchService<F>::wait_until_ended(const std::string& message_batch_id,
                                                    const WaitOptions& options) {
  internal::WaitPlan plan(message_batch_id, options);
  // The call's token stops each retrieve (through the transport) and the waits between them.
  const CancellationToken& token = options.request_options.cancellation;
  for (;;) {
    if (token.cancelled()) throw plan.cancelled();
    MessageBatch batch = retrieve(message_batch_id, options.request_options);
    if (options.on_progress) options.on_progress(batch);
    std::optional<std::chrono::milliseconds> wait = plan.after_poll(batch);
    if (!wait) return batch;
    // Without an injected sleeper the wait is on the token, so that a cancel ends it at once; an
    // injected sleeper (a test's) is called as is and the token checked after it.
    if (options.sleeper) {
      options.sleeper(*wait);
    } else {
      token.wait_for(*wait);
    }
    if (token.cancelled()) throw plan.cancelled();
  }
}

BatchWaitTimeoutException::BatchWaitTimeoutException(const std::string& message, MessageBatch last)
    : AnthropicException(message), last_(std::move(last)) {}
BatchWaitTimeoutException::~BatchWaitTimeoutException() = default;

}  // namespace anthropic::messages

namespace anthropic::internal {

WaitPlan::WaitPlan(std::string message_batch_id, const messages::WaitOptions& options)
    : id_(std::move(message_batch_id)),
      options_(options),
      now_(options.clock ? options.clock : [] { return std::chrono::steady_clock::now(); }),
      interval_(options.initial_interval) {
  using std::chrono::milliseconds;
  if (options.initial_interval <= milliseconds::zero() ||
      options.max_interval < options.initial_interval || !(options.multiplier >= 1.0)) {
    throw AnthropicInvalidRequestException(
        "wait_until_ended: need 0 < initial_interval <= max_interval and multiplier >= 1");
  }
  start_ = now_();
}

AnthropicCancelledException WaitPlan::cancelled() const {
  // Nothing is in flight between polls, so a cancel there says the request never left.
  return AnthropicCancelledException("wait_until_ended: cancelled while waiting for batch " + id_,
                                     false);
}

std::optional<std::chrono::milliseconds> WaitPlan::after_poll(messages::MessageBatch& batch) {
  using std::chrono::milliseconds;
  if (batch.processing_status == messages::ProcessingStatus::ended) return std::nullopt;
  milliseconds wait = interval_;
  if (options_.timeout) {
    auto elapsed = std::chrono::duration_cast<milliseconds>(now_() - start_);
    if (elapsed >= *options_.timeout) {
      throw messages::BatchWaitTimeoutException(
          "batch " + id_ + " did not end within " + std::to_string(options_.timeout->count()) +
              " ms (last status: " + batch.processing_status.str() + ")",
          std::move(batch));
    }
    wait = std::min(wait, *options_.timeout - elapsed);
  }
  auto next = std::chrono::duration<double, std::milli>(interval_) * options_.multiplier;
  interval_ = next >= std::chrono::duration<double, std::milli>(options_.max_interval)
                  ? options_.max_interval
                  : std::chrono::duration_cast<milliseconds>(next);
  return wait;
}

}  // namespace anthropic::internal

namespace anthropic::messages {

template class BasicBatchServiceConnection<GaFamily>;
template class BasicBatchServiceConnection<beta::messages::BetaFamily>;
template class BasicBatchService<GaFamily>;
template class BasicBatchService<beta::messages::BetaFamily>;

}  // namespace anthropic::messages
