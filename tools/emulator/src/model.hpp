// The emulator's data model: compact per-request records and the batch state machine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util.hpp"

namespace anthropic::internal::emulator {

/// What the emulator keeps of one request: enough to produce its result line, nothing more.
struct RequestRecord {
  std::string custom_id;
  std::uint32_t model = 0;         ///< index into RequestSet::models
  std::string text;                ///< the short echo the assistant "answers" ("Echo: ...")
  std::uint32_t input_tokens = 0;  ///< plausible count derived from the request's text length
  std::int64_t max_tokens = 0;
  std::string error;       ///< non-empty: the request ends `errored` with this message
  std::string error_type;  ///< the error's type; empty means invalid_request_error
  /// A "rich" answer (tool use, thinking, structured output), decided at create time: the JSON
  /// array of the message's content blocks, verbatim. Empty for a plain answer, which is rendered
  /// from `text` (the echo, cut to max_tokens) as before.
  std::string content;
  std::string stop_reason;          ///< of a rich answer
  std::uint32_t output_tokens = 0;  ///< of a rich answer
};

/// The immutable requests of a batch, shared between the store and result streams.
struct RequestSet {
  std::vector<std::string> models;  ///< interned model names (most batches use one or two)
  std::vector<RequestRecord> requests;
};

enum class Status { in_progress, canceling, ended };
enum class Unprocessed { none, canceled, expired };

const char* to_string(Status s);

struct Counts {
  std::int64_t processing = 0;
  std::int64_t succeeded = 0;
  std::int64_t errored = 0;
  std::int64_t canceled = 0;
  std::int64_t expired = 0;
};

/// One batch. Times are emulator-clock microseconds since the Unix epoch.
struct Batch {
  std::string id;
  /// The create call's `anthropic-version` header. It decided the rules the requests were
  /// checked against (see uses_2026_10_21_rules); kept for the record and persisted.
  std::string api_version;
  Micros created_at = 0;
  Micros expires_at = 0;       ///< created_at + 24 h, as reported
  Micros processing_time = 0;  ///< requests complete uniformly over [created_at, +this]
  Micros expiry_after = 0;     ///< the batch expires at created_at + this
  Micros cancel_delay = 0;     ///< a cancel takes this long to end the batch
  Status status = Status::in_progress;
  std::optional<Micros> cancel_initiated_at;
  std::optional<Micros> ended_at;
  /// When ended: requests [0, completed) were processed, the rest ended `unprocessed`.
  std::size_t completed = 0;
  Unprocessed unprocessed = Unprocessed::none;
  Counts final_counts;  ///< meaningful once ended
  std::shared_ptr<const RequestSet> requests;

  std::size_t size() const { return requests ? requests->requests.size() : 0; }
  /// Counts as the API reports them: all `processing` until the batch ends.
  Counts counts() const;
  /// Number of requests completed by emulator time `t` (uniform progress).
  std::size_t completed_by(Micros t) const;
  /// Applies every transition due at or before `now`. Returns true when the state changed.
  bool refresh(Micros now);
  /// Moves to `ended` at `when`, with the first `done` requests processed.
  void end(Micros when, std::size_t done, Unprocessed rest);
};

}  // namespace anthropic::internal::emulator
