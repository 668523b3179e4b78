#pragma once

#include <anthropic/beta/models/batch_params.hpp>
#include <anthropic/messages/batch_create_body.hpp>

namespace anthropic::beta::messages {

/// A serialized create body (the same type as the GA one).
using EncodedBatchCreateParams = ::anthropic::messages::EncodedBatchCreateParams;
/// Builds the body of a beta create (see `anthropic::messages::BasicBatchCreateBodyBuilder`).
using BatchCreateBodyBuilder = ::anthropic::messages::BasicBatchCreateBodyBuilder<BetaFamily>;
using ::anthropic::messages::is_valid_custom_id;

}  // namespace anthropic::beta::messages

namespace anthropic::messages {
extern template class BasicBatchCreateBodyBuilder<beta::messages::BetaFamily>;
}  // namespace anthropic::messages
