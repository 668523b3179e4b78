#pragma once

// The beta names of the Message Batches types whose shape is the same in both families: each is
// an alias of the GA type in <anthropic/messages/message_batch.hpp>.

#include <anthropic/messages/message_batch.hpp>

namespace anthropic::beta::messages {

using ProcessingStatus = ::anthropic::messages::ProcessingStatus;
using BetaMessageBatchRequestCounts = ::anthropic::messages::MessageBatchRequestCounts;
using BetaMessageBatch = ::anthropic::messages::MessageBatch;
using BetaDeletedMessageBatch = ::anthropic::messages::DeletedMessageBatch;

}  // namespace anthropic::beta::messages
