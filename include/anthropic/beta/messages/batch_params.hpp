#pragma once

#include <anthropic/beta/beta_message_param.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace anthropic::beta::messages {

/// Body and headers of `POST /v1/messages/batches`.
///
/// Before sending, the SDK checks what the API would reject anyway: 1 to 100,000 requests,
/// each `custom_id` matching `^[a-zA-Z0-9_-]{1,64}$` and unique, a body of at most 256 MB; the
/// `AnthropicInvalidRequestException` names the offending request index.
struct BetaMessageBatchCreateParams {
  /// One entry of the batch: the caller's id for it and a Messages create request.
  struct Request {
    using Params = BetaMessageCreateParams;
    std::string custom_id;
    Params params;
  };

  std::vector<Request> requests;
  /// Sent as `anthropic-beta`, de-duplicated (under API version 2023-06-01 followed by
  /// `message-batches-2024-09-24`; from 2026-10-21 only these, and no header when empty).
  std::vector<std::string> betas;
  /// Sent as `anthropic-user-profile-id` (needs a user-profiles beta).
  std::optional<std::string> user_profile_id;
  /// Sent as `anthropic-workspace-id`: the workspace the batch belongs to.
  std::optional<std::string> workspace_id;
};

/// Names one batch; shared shape of the retrieve, cancel, delete and results params.
struct BetaMessageBatchIdParams {
  std::string message_batch_id;
  std::vector<std::string> betas;
};

struct BetaMessageBatchRetrieveParams : BetaMessageBatchIdParams {};
struct BetaMessageBatchCancelParams : BetaMessageBatchIdParams {};
struct BetaMessageBatchDeleteParams : BetaMessageBatchIdParams {};
struct BetaMessageBatchResultsParams : BetaMessageBatchIdParams {};

/// Query of `GET /v1/messages/batches`: one page, newest first.
struct BetaMessageBatchListParams {
  std::optional<std::string> before_id;  ///< the page just before (newer than) this batch
  std::optional<std::string> after_id;   ///< the page just after (older than) this batch
  std::optional<std::int64_t> limit;     ///< 1 to 1000; the API's default is 20
  std::vector<std::string> betas;
};

}  // namespace anthropic::beta::messages
