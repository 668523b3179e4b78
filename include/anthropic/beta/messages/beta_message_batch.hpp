#pragma once

#include <anthropic/open_enum.hpp>
#include <anthropic/timestamp.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace anthropic::beta::messages {

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
struct BetaMessageBatchRequestCounts {
  std::int64_t processing = 0;
  std::int64_t succeeded = 0;
  std::int64_t errored = 0;
  std::int64_t canceled = 0;
  std::int64_t expired = 0;

  std::int64_t total() const noexcept {
    return processing + succeeded + errored + canceled + expired;
  }
  friend bool operator==(const BetaMessageBatchRequestCounts& a,
                         const BetaMessageBatchRequestCounts& b) {
    return a.processing == b.processing && a.succeeded == b.succeeded && a.errored == b.errored &&
           a.canceled == b.canceled && a.expired == b.expired;
  }
};

/// A Message Batch (`"type":"message_batch"`) as returned by create, retrieve, cancel and list.
/// The four nullable timestamps and `results_url` are empty until they happen.
struct BetaMessageBatch {
  std::string id;
  std::string type = "message_batch";
  ProcessingStatus processing_status;
  BetaMessageBatchRequestCounts request_counts;
  Timestamp created_at;
  Timestamp expires_at;
  std::optional<Timestamp> ended_at;
  std::optional<Timestamp> cancel_initiated_at;
  std::optional<Timestamp> archived_at;
  std::optional<std::string> results_url;
};

/// Answer to delete: `{"id":...,"type":"message_batch_deleted"}`.
struct BetaDeletedMessageBatch {
  std::string id;
  std::string type = "message_batch_deleted";
};

inline const ProcessingStatus ProcessingStatus::in_progress{"in_progress"};
inline const ProcessingStatus ProcessingStatus::canceling{"canceling"};
inline const ProcessingStatus ProcessingStatus::ended{"ended"};

}  // namespace anthropic::beta::messages
