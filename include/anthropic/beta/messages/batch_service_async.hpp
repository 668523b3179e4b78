#pragma once

#include <anthropic/beta/messages/batch_service.hpp>
#include <anthropic/messages/batch_service_async.hpp>

namespace anthropic::beta::messages {

/// `client.async().beta().messages().batches()`: the beta async Message Batches service (see
/// `anthropic::messages::BasicBatchServiceAsync`).
using BatchServiceAsync = ::anthropic::messages::BasicBatchServiceAsync<BetaFamily>;
/// What the beta `BatchServiceAsync` forwards to (implement it to fake the service in tests).
using BatchServiceAsyncConnection =
    ::anthropic::messages::BasicBatchServiceAsyncConnection<BetaFamily>;

}  // namespace anthropic::beta::messages

namespace anthropic::messages {
extern template class BasicBatchServiceAsyncConnection<beta::messages::BetaFamily>;
extern template class BasicBatchServiceAsync<beta::messages::BetaFamily>;
}  // namespace anthropic::messages
