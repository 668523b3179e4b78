#pragma once

#include <anthropic/open_enum.hpp>
#include <anthropic/raw_json.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

/// Response-side types of the Messages API, as found in batch results.
namespace anthropic::beta {

/// `{"type":"text","text":...}`; `citations` kept as raw JSON when present.
struct BetaTextBlock {
  std::string text;
  std::optional<RawJson> citations;
};

/// `{"type":"tool_use","id":...,"name":...,"input":{...}}`
struct BetaToolUseBlock {
  std::string id;
  std::string name;
  RawJson input;
};

/// `{"type":"thinking","thinking":...,"signature":...}`
struct BetaThinkingBlock {
  std::string thinking;
  std::string signature;
};

/// `{"type":"redacted_thinking","data":...}`
struct BetaRedactedThinkingBlock {
  std::string data;
};

/// A content block of an assistant message; any block type the SDK does not model (server tool
/// results, ...) is kept whole as `RawJson`.
using BetaContentBlock = std::variant<BetaTextBlock, BetaToolUseBlock, BetaThinkingBlock,
                                      BetaRedactedThinkingBlock, RawJson>;

/// Why the model stopped (open enum).
class BetaStopReason : public OpenEnum<BetaStopReason> {
 public:
  using OpenEnum::OpenEnum;
  static const BetaStopReason end_turn;
  static const BetaStopReason max_tokens;
  static const BetaStopReason stop_sequence;
  static const BetaStopReason tool_use;
  static const BetaStopReason pause_turn;
  static const BetaStopReason refusal;
  static const BetaStopReason model_context_window_exceeded;
  static constexpr std::array<std::string_view, 8> known_values() {
    return {"end_turn",   "max_tokens", "stop_sequence", "tool_use",
            "pause_turn", "compaction", "refusal",       "model_context_window_exceeded"};
  }
};

/// Service tier that served the request (open enum): `standard`, `priority`, `batch`.
class BetaServiceTier : public OpenEnum<BetaServiceTier> {
 public:
  using OpenEnum::OpenEnum;
  static const BetaServiceTier standard;
  static const BetaServiceTier priority;
  static const BetaServiceTier batch;
  static constexpr std::array<std::string_view, 3> known_values() {
    return {"standard", "priority", "batch"};
  }
};

/// Token usage of one message.
struct BetaUsage {
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::optional<std::int64_t> cache_creation_input_tokens;
  std::optional<std::int64_t> cache_read_input_tokens;
  std::optional<BetaServiceTier> service_tier;
};

/// An assistant message (`"type":"message"`).
struct BetaMessage {
  std::string id;
  std::string type = "message";
  std::string role = "assistant";
  std::string model;
  std::vector<BetaContentBlock> content;
  std::optional<BetaStopReason> stop_reason;
  std::optional<std::string> stop_sequence;
  BetaUsage usage;
};

/// The API's error envelope:
/// `{"type":"error","error":{"type":...,"message":...},"request_id":...}`.
struct BetaErrorResponse {
  std::string type = "error";
  std::string error_type;     ///< `error.type`: `invalid_request_error`, `overloaded_error`, ...
  std::string error_message;  ///< `error.message`
  std::optional<std::string> request_id;
};

inline const BetaStopReason BetaStopReason::end_turn{"end_turn"};
inline const BetaStopReason BetaStopReason::max_tokens{"max_tokens"};
inline const BetaStopReason BetaStopReason::stop_sequence{"stop_sequence"};
inline const BetaStopReason BetaStopReason::tool_use{"tool_use"};
inline const BetaStopReason BetaStopReason::pause_turn{"pause_turn"};
inline const BetaStopReason BetaStopReason::refusal{"refusal"};
inline const BetaStopReason BetaStopReason::model_context_window_exceeded{
    "model_context_window_exceeded"};
inline const BetaServiceTier BetaServiceTier::standard{"standard"};
inline const BetaServiceTier BetaServiceTier::priority{"priority"};
inline const BetaServiceTier BetaServiceTier::batch{"batch"};

}  // namespace anthropic::beta
