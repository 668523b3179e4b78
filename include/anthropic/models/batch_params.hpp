#pragma once

#include <anthropic/export.hpp>
#include <anthropic/message.hpp>
#include <anthropic/message_param.hpp>
#include <anthropic/models/message_batch.hpp>

#include <optional>
#include <string>
#include <vector>

namespace anthropic::messages {

/// The GA family of Message Batches (`client.messages().batches()`): its requests are
/// `anthropic::MessageCreateParams` and its results carry `anthropic::Message`. The batch
/// operations are templates on the family (`BasicBatchService<GaFamily>` is
/// `anthropic::messages::BatchService`); `beta::messages::BetaFamily` is the other one.
struct ANTHROPIC_EXPORT GaFamily {
  ///@{
  /// This family's model type of that role (what the batch templates are written against).
  using MessageCreateParams = ::anthropic::MessageCreateParams;
  using MessageParam = ::anthropic::MessageParam;
  using ContentBlockParam = ::anthropic::ContentBlockParam;
  using TextBlockParam = ::anthropic::TextBlockParam;
  using DocumentBlockParam = ::anthropic::DocumentBlockParam;
  using SearchResultBlockParam = ::anthropic::SearchResultBlockParam;
  using Message = ::anthropic::Message;
  using TextBlock = ::anthropic::TextBlock;
  using ErrorResponse = ::anthropic::ErrorResponse;
  ///@}
  /// The beta resource adds `?beta=true` and the batches beta under API version 2023-06-01.
  static constexpr bool kBeta = false;
};

/// Body and headers of `POST /v1/messages/batches`.
///
/// Before sending, the SDK checks what the API would reject anyway: 1 to 100,000 requests,
/// each `custom_id` matching `^[a-zA-Z0-9_-]{1,64}$` and unique, a body of at most 256 MB; the
/// `AnthropicInvalidRequestException` names the offending request index.
///
///     anthropic::messages::MessageBatchCreateParams params;
///     anthropic::messages::MessageBatchCreateParams::Request request;
///     request.custom_id = "ticket-0001";
///     request.params.model = "claude-sonnet-4-5";
///     request.params.max_tokens = 1024;
///     request.params.messages.push_back(anthropic::MessageParam::user("Hello"));
///     params.requests.push_back(std::move(request));
template <class Family>
struct BasicMessageBatchCreateParams {
  /// One entry of the batch: the caller's id for it and a Messages create request.
  struct Request {
    /// `MessageCreateParams` of the family.
    using Params = typename Family::MessageCreateParams;
    /// The caller's id for the request, unique in the batch, matching `^[a-zA-Z0-9_-]{1,64}$`:
    /// results come back in any order, keyed by it.
    std::string custom_id;
    /// The Messages request, as `POST /v1/messages` would take it, without streaming.
    Params params;
  };

  /// The requests: 1 to 100,000.
  std::vector<Request> requests;
  /// Sent as `anthropic-beta`, de-duplicated (on the beta resource under API version 2023-06-01
  /// followed by `message-batches-2024-09-24`; otherwise only these, and no header when empty).
  std::vector<std::string> betas;
  /// Sent as `anthropic-user-profile-id` (needs a user-profiles beta).
  std::optional<std::string> user_profile_id;
  /// Sent as `anthropic-workspace-id`: the workspace the batch belongs to.
  std::optional<std::string> workspace_id;
};

/// `client.messages().batches().create(params)`.
using MessageBatchCreateParams = BasicMessageBatchCreateParams<GaFamily>;

}  // namespace anthropic::messages
