#pragma once

// The beta names of the model of one results line (see <anthropic/models/batch_result.hpp>).

#include <anthropic/beta/beta_message.hpp>
#include <anthropic/beta/models/batch_params.hpp>
#include <anthropic/models/batch_result.hpp>

namespace anthropic::beta::messages {

/// `result.type` of a results line (the same type as the GA one).
using BetaMessageBatchResultType = ::anthropic::messages::MessageBatchResultType;
/// `message` is a `beta::BetaMessage`, `error` a `beta::BetaErrorResponse`.
using BetaMessageBatchResult = ::anthropic::messages::BasicMessageBatchResult<BetaFamily>;
/// One line of a beta batch's results: `custom_id` and `result`.
using BetaMessageBatchIndividualResponse =
    ::anthropic::messages::BasicMessageBatchIndividualResponse<BetaFamily>;
}  // namespace anthropic::beta::messages
