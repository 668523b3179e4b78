#include <anthropic/beta/messages/batch_service.hpp>
#include <anthropic/errors.hpp>

#include <algorithm>

namespace anthropic::beta::messages {

namespace {
template <class Params>
Params with_id(const std::string& id) {
  Params p;
  p.message_batch_id = id;
  return p;
}
}  // namespace

BatchService::~BatchService() = default;

BetaMessageBatch BatchService::create(const BetaMessageBatchCreateParams& params) {
  return create(params, RequestOptions{});
}
BetaMessageBatch BatchService::create_encoded(const EncodedBatchCreateParams& params) {
  return create_encoded(params, RequestOptions{});
}
BetaMessageBatch BatchService::retrieve(const BetaMessageBatchRetrieveParams& params) {
  return retrieve(params, RequestOptions{});
}
BetaMessageBatch BatchService::retrieve(const std::string& id, const RequestOptions& options) {
  return retrieve(with_id<BetaMessageBatchRetrieveParams>(id), options);
}
BatchListPage BatchService::list(const BetaMessageBatchListParams& params) {
  return list(params, RequestOptions{});
}
BetaMessageBatch BatchService::cancel(const BetaMessageBatchCancelParams& params) {
  return cancel(params, RequestOptions{});
}
BetaMessageBatch BatchService::cancel(const std::string& id, const RequestOptions& options) {
  return cancel(with_id<BetaMessageBatchCancelParams>(id), options);
}
BetaDeletedMessageBatch BatchService::delete_(const BetaMessageBatchDeleteParams& params) {
  return delete_(params, RequestOptions{});
}
BetaDeletedMessageBatch BatchService::delete_(const std::string& id,
                                              const RequestOptions& options) {
  return delete_(with_id<BetaMessageBatchDeleteParams>(id), options);
}
BatchResultsStream BatchService::results(const BetaMessageBatchResultsParams& params) {
  return results(params, RequestOptions{});
}
BatchResultsStream BatchService::results(const std::string& id, const RequestOptions& options) {
  return results(with_id<BetaMessageBatchResultsParams>(id), options);
}

BetaMessageBatch BatchService::wait_until_ended(const std::string& message_batch_id,
                                                const WaitOptions& options) {
  using std::chrono::milliseconds;
  if (options.initial_interval <= milliseconds::zero() ||
      options.max_interval < options.initial_interval || !(options.multiplier >= 1.0)) {
    throw AnthropicInvalidRequestException(
        "wait_until_ended: need 0 < initial_interval <= max_interval and multiplier >= 1");
  }
  auto now = options.clock ? options.clock : [] { return std::chrono::steady_clock::now(); };
  // The call's token stops each retrieve (through the transport) and the waits between them.
  // Nothing is in flight between polls, so a cancel there says the request never left.
  const CancellationToken& token = options.request_options.cancellation;
  auto stop_if_cancelled = [&] {
    if (token.cancelled()) {
      throw AnthropicCancelledException(
          "wait_until_ended: cancelled while waiting for batch " + message_batch_id, false);
    }
  };
  // Without an injected sleeper the wait is on the token, so that a cancel ends it at once; an
  // injected sleeper (a test's) is called as is and the token checked after it.
  auto sleep = [&](milliseconds d) {
    if (options.sleeper) {
      options.sleeper(d);
    } else {
      token.wait_for(d);
    }
    stop_if_cancelled();
  };

  const auto start = now();
  milliseconds interval = options.initial_interval;
  for (;;) {
    stop_if_cancelled();
    BetaMessageBatch batch = retrieve(message_batch_id, options.request_options);
    if (options.on_progress) options.on_progress(batch);
    if (batch.processing_status == ProcessingStatus::ended) return batch;

    milliseconds wait = interval;
    if (options.timeout) {
      auto elapsed = std::chrono::duration_cast<milliseconds>(now() - start);
      if (elapsed >= *options.timeout) {
        throw BatchWaitTimeoutException("batch " + message_batch_id + " did not end within " +
                                            std::to_string(options.timeout->count()) +
                                            " ms (last status: " + batch.processing_status.str() +
                                            ")",
                                        std::move(batch));
      }
      wait = std::min(wait, *options.timeout - elapsed);
    }
    sleep(wait);
    auto next = std::chrono::duration<double, std::milli>(interval) * options.multiplier;
    interval = next >= std::chrono::duration<double, std::milli>(options.max_interval)
                   ? options.max_interval
                   : std::chrono::duration_cast<milliseconds>(next);
  }
}

BatchWaitTimeoutException::BatchWaitTimeoutException(const std::string& message,
                                                     BetaMessageBatch last)
    : AnthropicException(message), last_(std::move(last)) {}
BatchWaitTimeoutException::~BatchWaitTimeoutException() = default;

}  // namespace anthropic::beta::messages
