#pragma once

#include <anthropic/beta/beta_message_param.hpp>
#include <anthropic/beta/models/message_batch.hpp>
#include <anthropic/export.hpp>
#include <anthropic/models/batch_params.hpp>

namespace anthropic::beta::messages {

/// The beta family of Message Batches (`client.beta().messages().batches()`): requests are
/// `beta::BetaMessageCreateParams`, results carry `beta::BetaMessage`; under API version
/// 2023-06-01 its calls carry `?beta=true` and the batches beta header.
struct ANTHROPIC_EXPORT BetaFamily {
  ///@{
  /// This family's model type of that role (what the batch templates are written against).
  using MessageCreateParams = ::anthropic::beta::BetaMessageCreateParams;
  using MessageParam = ::anthropic::beta::BetaMessageParam;
  using ContentBlockParam = ::anthropic::beta::BetaContentBlockParam;
  using TextBlockParam = ::anthropic::beta::BetaTextBlockParam;
  using DocumentBlockParam = ::anthropic::beta::BetaRequestDocumentBlock;
  using SearchResultBlockParam = ::anthropic::beta::BetaSearchResultBlockParam;
  using Message = ::anthropic::beta::BetaMessage;
  using TextBlock = ::anthropic::beta::BetaTextBlock;
  using ErrorResponse = ::anthropic::beta::BetaErrorResponse;
  ///@}
  /// The beta resource: under API version 2023-06-01 it adds `?beta=true` and the batches beta.
  static constexpr bool kBeta = true;
};

/// Body and headers of `POST /v1/messages/batches` on the beta resource (see
/// `anthropic::messages::BasicMessageBatchCreateParams`).
using BetaMessageBatchCreateParams =
    ::anthropic::messages::BasicMessageBatchCreateParams<BetaFamily>;

///@{
/// The beta name of the params type of the same shape in both families.
using BetaMessageBatchIdParams = ::anthropic::messages::MessageBatchIdParams;
using BetaMessageBatchRetrieveParams = ::anthropic::messages::MessageBatchRetrieveParams;
using BetaMessageBatchCancelParams = ::anthropic::messages::MessageBatchCancelParams;
using BetaMessageBatchDeleteParams = ::anthropic::messages::MessageBatchDeleteParams;
using BetaMessageBatchResultsParams = ::anthropic::messages::MessageBatchResultsParams;
using BetaMessageBatchListParams = ::anthropic::messages::MessageBatchListParams;
///@}

}  // namespace anthropic::beta::messages
