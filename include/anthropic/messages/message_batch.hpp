#pragma once

// The Message Batches types that have the same shape in the GA family (`anthropic::messages`,
// `client.messages().batches()`) and the beta family (`anthropic::beta::messages`,
// `client.beta().messages().batches()`): the batch object, its request counts, the answer to a
// delete, and the params of the operations on one batch and of a listing. They are one C++ type
// each; the beta names (`BetaMessageBatch`, `BetaMessageBatchCancelParams`, ...) are aliases of
// these. The types that differ by family (a request's params, a results line) are templates on
// the family (batch_params.hpp, batch_results.hpp).

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
  static const ProcessingStatus in_progress;
  static const ProcessingStatus canceling;
  static const ProcessingStatus ended;
  static constexpr std::array<std::string_view, 3> known_values() {
    return {"in_progress", "canceling", "ended"};
  }
};

/// How many requests of a batch are in each state. Until the whole batch ends, every request
/// counts as `processing`; the five always add up to the number of requests.
struct MessageBatchRequestCounts {
  std::int64_t processing = 0;
  std::int64_t succeeded = 0;
  std::int64_t errored = 0;
  std::int64_t canceled = 0;
  std::int64_t expired = 0;
  /// Members the SDK does not model (a count a newer API adds), kept verbatim.
  std::optional<RawJson> extra_fields;

  std::int64_t total() const noexcept {
    return processing + succeeded + errored + canceled + expired;
  }
  friend bool operator==(const MessageBatchRequestCounts& a, const MessageBatchRequestCounts& b) {
    return a.processing == b.processing && a.succeeded == b.succeeded && a.errored == b.errored &&
           a.canceled == b.canceled && a.expired == b.expired;
  }
};

/// A Message Batch (`"type":"message_batch"`) as returned by create, retrieve, cancel and list.
/// The four nullable timestamps and `results_url` are empty until they happen.
struct MessageBatch {
  std::string id;
  std::string type = "message_batch";
  ProcessingStatus processing_status;
  MessageBatchRequestCounts request_counts;
  Timestamp created_at;
  Timestamp expires_at;
  std::optional<Timestamp> ended_at;
  std::optional<Timestamp> cancel_initiated_at;
  std::optional<Timestamp> archived_at;
  std::optional<std::string> results_url;
  /// Members the SDK does not model, kept verbatim (nothing the server sends is dropped).
  std::optional<RawJson> extra_fields;
};

/// Answer to delete: `{"id":...,"type":"message_batch_deleted"}`.
struct DeletedMessageBatch {
  std::string id;
  std::string type = "message_batch_deleted";
  /// Members the SDK does not model, kept verbatim.
  std::optional<RawJson> extra_fields;
};

/// Names one batch; shared shape of the retrieve, cancel, delete and results params.
struct MessageBatchIdParams {
  std::string message_batch_id;
  /// Sent as `anthropic-beta`, de-duplicated. On the beta resource under API version 2023-06-01
  /// the batches beta follows; otherwise only these are sent, and no header when empty.
  std::vector<std::string> betas;
  /// Sent as `anthropic-workspace-id`.
  std::optional<std::string> workspace_id;
};

struct MessageBatchRetrieveParams : MessageBatchIdParams {};
struct MessageBatchCancelParams : MessageBatchIdParams {};
struct MessageBatchDeleteParams : MessageBatchIdParams {};
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
  static const MessageBatchResultType succeeded;
  static const MessageBatchResultType errored;
  static const MessageBatchResultType canceled;
  static const MessageBatchResultType expired;
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

/// `anthropic::from_json<MessageBatch>(text)` (members the SDK does not model land in
/// `extra_fields`) and the same for `DeletedMessageBatch`.
ANTHROPIC_EXPORT void anthropic_from_json(std::string_view text, MessageBatch& value);
ANTHROPIC_EXPORT void anthropic_from_json(std::string_view text, DeletedMessageBatch& value);

}  // namespace anthropic::messages

namespace anthropic {
/// The batch as JSON, as the API sends it (empty timestamps as `null`, extra_fields merged).
ANTHROPIC_EXPORT std::string to_json(const messages::MessageBatch& value);
ANTHROPIC_EXPORT std::string to_json(const messages::DeletedMessageBatch& value);
}  // namespace anthropic
