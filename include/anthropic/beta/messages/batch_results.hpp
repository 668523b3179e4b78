#pragma once

#include <anthropic/beta/models/batch_result.hpp>
#include <anthropic/messages/batch_results.hpp>

namespace anthropic::beta::messages {

/// The results of a beta batch (see `anthropic::messages::BasicBatchResultsStream`).
using BatchResultsStream = ::anthropic::messages::BasicBatchResultsStream<BetaFamily>;

}  // namespace anthropic::beta::messages

namespace anthropic::messages {
extern template class BasicBatchResultsStream<beta::messages::BetaFamily>;
}  // namespace anthropic::messages
