#pragma once

#include <anthropic/beta/messages/batch_create_body.hpp>
#include <anthropic/beta/messages/batch_list_page.hpp>
#include <anthropic/beta/messages/batch_results.hpp>
#include <anthropic/beta/models/batch_params.hpp>
#include <anthropic/beta/models/message_batch.hpp>
#include <anthropic/messages/batch_service.hpp>

namespace anthropic::beta::messages {

/// Settings of `wait_until_ended` (the same type as the GA one).
using WaitOptions = ::anthropic::messages::WaitOptions;
/// `wait_until_ended` ran out of time (the same type as the GA one).
using BatchWaitTimeoutException = ::anthropic::messages::BatchWaitTimeoutException;

/// The Message Batches (beta) service: `client.beta().messages().batches()` (see
/// `anthropic::messages::BasicBatchService`).
using BatchService = ::anthropic::messages::BasicBatchService<BetaFamily>;
/// What the beta service's operations go to (implement it to fake the service).
using BatchServiceConnection = ::anthropic::messages::BasicBatchServiceConnection<BetaFamily>;

}  // namespace anthropic::beta::messages

namespace anthropic::messages {
extern template class BasicBatchServiceConnection<beta::messages::BetaFamily>;
extern template class BasicBatchService<beta::messages::BetaFamily>;
}  // namespace anthropic::messages
