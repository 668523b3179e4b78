#pragma once

// The Message Batches types that have the same shape in the GA family (`anthropic::messages`,
// `client.messages().batches()`) and the beta family (`anthropic::beta::messages`,
// `client.beta().messages().batches()`): the batch object, its request counts, the answer to a
// delete, and the params of the operations on one batch and of a listing. They are one C++ type
// each; the beta names (`BetaMessageBatch`, `BetaMessageBatchCancelParams`, ...) are aliases of
// these. The types that differ by family (a request's params, a results line) are templates on
// the family (batch_params.hpp, batch_result.hpp).

#include <anthropic/export.hpp>
#include <anthropic/open_enum.hpp>
#include <anthropic/raw_json.hpp>
#include <anthropic/timestamp.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace anthropic::messages {

/// `processing_status` of a batch (open enum): `in_progress`, `canceling`, `ended`, or any value a
/// newer API sends, kept verbatim.
class ProcessingStatus : public OpenEnum<ProcessingStatus> {
 public:
  using OpenEnum::OpenEnum;
  /// Requests are being processed (or queued); results are not available yet.
  static const ProcessingStatus in_progress;
  /// `cancel` was called; requests not yet started are being canceled. Becomes `ended`.
  static const ProcessingStatus canceling;
  /// Every request has an outcome; the results can be streamed.
  static const ProcessingStatus ended;
  /// The wire values named above.
  static constexpr std::array<std::string_view, 3> known_values() {
    return {"in_progress", "canceling", "ended"};
  }
};

/// How many requests of a batch are in each state. Until the whole batch ends, every request
/// counts as `processing`; the five always add up to the number of requests.
struct MessageBatchRequestCounts {
  /// Requests not finished yet (all of them until the batch ends).
  std::int64_t processing = 0;
  /// Requests that produced a message.
  std::int64_t succeeded = 0;
  /// Requests that failed with an error.
  std::int64_t errored = 0;
  /// Requests canceled before they ran.
  std::int64_t canceled = 0;
  /// Requests the batch's 24-hour window ran out on.
  std::int64_t expired = 0;
  /// Members the SDK does not model (a count a newer API adds), kept verbatim.
  std::optional<RawJson> extra_fields;

  /// The sum of the five counts: the number of requests in the batch.
  std::int64_t total() const noexcept {
    return processing + succeeded + errored + canceled + expired;
  }
  /// Equal when the five counts are (`extra_fields` is not compared).
  friend bool operator==(const MessageBatchRequestCounts& a, const MessageBatchRequestCounts& b) {
    return a.processing == b.processing && a.succeeded == b.succeeded && a.errored == b.errored &&
           a.canceled == b.canceled && a.expired == b.expired;
  }
};

/// A Message Batch (`"type":"message_batch"`) as returned by create, retrieve, cancel and list.
/// The four nullable timestamps and `results_url` are empty until they happen.
///
/// A plain value: copy it freely; it does not refer back to the service that returned it.
struct MessageBatch {
  /// The batch's id (`msgbatch_...`): what `retrieve`, `cancel`, `results` and `delete_` take.
  std::string id;
  /// Always `"message_batch"`.
  std::string type = "message_batch";
  /// Where the batch is: `in_progress`, `canceling` or `ended` (or a newer value, kept).
  ProcessingStatus processing_status;
  /// How many requests are in each state.
  MessageBatchRequestCounts request_counts;
  /// When the batch was created.
  Timestamp created_at;
  /// When the batch expires if it has not ended: 24 hours after creation.
  Timestamp expires_at;
  /// When processing ended (every request has an outcome); empty before.
  std::optional<Timestamp> ended_at;
  /// When `cancel` was first called; empty if it never was.
  std::optional<Timestamp> cancel_initiated_at;
  /// When the batch was archived and its results made unavailable; empty before.
  std::optional<Timestamp> archived_at;
  /// Where the results can be downloaded, once the batch has ended; empty before. The SDK's
  /// `results` builds the URL from the id and sends credentials only to the configured base URL.
  std::optional<std::string> results_url;
  /// Members the SDK does not model, kept verbatim (nothing the server sends is dropped).
  std::optional<RawJson> extra_fields;
};

/// Answer to delete: `{"id":...,"type":"message_batch_deleted"}`.
struct DeletedMessageBatch {
  /// The id of the deleted batch.
  std::string id;
  /// Always `"message_batch_deleted"`.
  std::string type = "message_batch_deleted";
  /// Members the SDK does not model, kept verbatim.
  std::optional<RawJson> extra_fields;
};

/// Names one batch; shared shape of the retrieve, cancel, delete and results params.
struct MessageBatchIdParams {
  /// The batch's id. Must not be empty (`AnthropicInvalidRequestException` before sending); it is
  /// percent-encoded as one path segment.
  std::string message_batch_id;
  /// Sent as `anthropic-beta`, de-duplicated. On the beta resource under API version 2023-06-01
  /// the batches beta follows; otherwise only these are sent, and no header when empty.
  std::vector<std::string> betas;
  /// Sent as `anthropic-workspace-id`.
  std::optional<std::string> workspace_id;
};

/// Params of `BatchService::retrieve`.
struct MessageBatchRetrieveParams : MessageBatchIdParams {};
/// Params of `BatchService::cancel`.
struct MessageBatchCancelParams : MessageBatchIdParams {};
/// Params of `BatchService::delete_`.
struct MessageBatchDeleteParams : MessageBatchIdParams {};
/// Params of `BatchService::results`.
struct MessageBatchResultsParams : MessageBatchIdParams {};

/// Query of `GET /v1/messages/batches`: one page, newest first.
struct MessageBatchListParams {
  std::optional<std::string> before_id;     ///< the page just before (newer than) this batch
  std::optional<std::string> after_id;      ///< the page just after (older than) this batch
  std::optional<std::int64_t> limit;        ///< 1 to 1000; the API's default is 20
  std::vector<std::string> betas;           ///< as in MessageBatchIdParams
  std::optional<std::string> workspace_id;  ///< sent as `anthropic-workspace-id`
};

/// `result.type` of a results line (open enum).
class MessageBatchResultType : public OpenEnum<MessageBatchResultType> {
 public:
  using OpenEnum::OpenEnum;
  /// The request produced a message (`result.message`).
  static const MessageBatchResultType succeeded;
  /// The request failed (`result.error`).
  static const MessageBatchResultType errored;
  /// The batch was canceled before the request ran.
  static const MessageBatchResultType canceled;
  /// The batch expired before the request ran.
  static const MessageBatchResultType expired;
  /// The wire values named above.
  static constexpr std::array<std::string_view, 4> known_values() {
    return {"succeeded", "errored", "canceled", "expired"};
  }
};

inline const ProcessingStatus ProcessingStatus::in_progress{"in_progress"};
inline const ProcessingStatus ProcessingStatus::canceling{"canceling"};
inline const ProcessingStatus ProcessingStatus::ended{"ended"};

inline const MessageBatchResultType MessageBatchResultType::succeeded{"succeeded"};
inline const MessageBatchResultType MessageBatchResultType::errored{"errored"};
inline const MessageBatchResultType MessageBatchResultType::canceled{"canceled"};
inline const MessageBatchResultType MessageBatchResultType::expired{"expired"};

///@{
/// Decoder behind `anthropic::from_json<MessageBatch>(text)` and `from_json<DeletedMessageBatch>`
/// (found by argument-dependent lookup; call those): members the SDK does not model land in
/// `extra_fields`; throws `AnthropicInvalidDataException`.
ANTHROPIC_EXPORT void anthropic_from_json(std::string_view text, MessageBatch& value);
ANTHROPIC_EXPORT void anthropic_from_json(std::string_view text, DeletedMessageBatch& value);
///@}

}  // namespace anthropic::messages

namespace anthropic {
///@{
/// The batch (or the answer to a delete) as JSON, as the API sends it (empty timestamps as
/// `null`, extra_fields merged).
ANTHROPIC_EXPORT std::string to_json(const messages::MessageBatch& value);
ANTHROPIC_EXPORT std::string to_json(const messages::DeletedMessageBatch& value);
///@}
}  // namespace anthropic
