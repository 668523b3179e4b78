#pragma once

// The beta names of the Message Batches types whose shape is the same in both families: each is
// an alias of the GA type in <anthropic/models/message_batch.hpp>.

#include <anthropic/models/message_batch.hpp>

namespace anthropic::beta::messages {

/// `processing_status` of a batch.
using ProcessingStatus = ::anthropic::messages::ProcessingStatus;
/// How many requests of a batch are in each state.
using BetaMessageBatchRequestCounts = ::anthropic::messages::MessageBatchRequestCounts;
/// A Message Batch of the beta resource.
using BetaMessageBatch = ::anthropic::messages::MessageBatch;
/// Answer to a beta delete.
using BetaDeletedMessageBatch = ::anthropic::messages::DeletedMessageBatch;

}  // namespace anthropic::beta::messages
