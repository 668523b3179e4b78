#pragma once

#include <anthropic/beta/beta_message.hpp>
#include <anthropic/beta/messages/batch_params.hpp>
#include <anthropic/messages/batch_results.hpp>

namespace anthropic::beta::messages {

/// `result.type` of a results line (the same type as the GA one).
using BetaMessageBatchResultType = ::anthropic::messages::MessageBatchResultType;
/// `message` is a `beta::BetaMessage`, `error` a `beta::BetaErrorResponse`.
using BetaMessageBatchResult = ::anthropic::messages::BasicMessageBatchResult<BetaFamily>;
/// One line of a beta batch's results: `custom_id` and `result`.
using BetaMessageBatchIndividualResponse =
    ::anthropic::messages::BasicMessageBatchIndividualResponse<BetaFamily>;
/// The results of a beta batch (see `anthropic::messages::BasicBatchResultsStream`).
using BatchResultsStream = ::anthropic::messages::BasicBatchResultsStream<BetaFamily>;

}  // namespace anthropic::beta::messages

namespace anthropic::messages {
extern template class BasicBatchResultsStream<beta::messages::BetaFamily>;
}  // namespace anthropic::messages
