#pragma once

#include <anthropic/export.hpp>
#include <anthropic/open_enum.hpp>
#include <anthropic/raw_json.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

/// Request-side types of the Messages API, as used inside a batch request's `params`.
/// Every `std::optional` left empty is omitted from the JSON (never written as `null`).
namespace anthropic::beta {

/// `{"type":"ephemeral","ttl":"5m"|"1h"}`: a prompt-cache breakpoint.
struct BetaCacheControlEphemeral {
  std::optional<std::string> ttl;  ///< "5m" (API default) or "1h"
};

/// `{"type":"text","text":...}`
struct BetaTextBlockParam {
  std::string text;
  std::optional<BetaCacheControlEphemeral> cache_control;
  std::optional<RawJson> citations;  ///< passed through as given
};

/// `{"type":"image","source":{...}}` with a base64 or URL source.
struct ANTHROPIC_EXPORT BetaImageBlockParam {
  enum class SourceType { base64, url };
  SourceType source_type = SourceType::base64;
  std::string media_type;  ///< base64 only: image/jpeg, image/png, image/gif, image/webp
  std::string data;        ///< base64 payload, or the URL when `source_type == url`
  std::optional<BetaCacheControlEphemeral> cache_control;

  static BetaImageBlockParam base64(std::string media_type, std::string data);
  static BetaImageBlockParam url(std::string url);
};

/// `{"type":"document","source":{...}}`: a base64 PDF, plain text, or a PDF URL.
struct ANTHROPIC_EXPORT BetaRequestDocumentBlock {
  enum class SourceType { base64_pdf, plain_text, url };
  SourceType source_type = SourceType::base64_pdf;
  std::string data;  ///< base64 PDF bytes, the plain text, or the URL
  std::optional<std::string> title;
  std::optional<std::string> context;
  std::optional<bool> citations_enabled;  ///< `"citations":{"enabled":...}`
  std::optional<BetaCacheControlEphemeral> cache_control;

  static BetaRequestDocumentBlock pdf_base64(std::string data);
  static BetaRequestDocumentBlock plain_text(std::string text);
  static BetaRequestDocumentBlock pdf_url(std::string url);
};

/// `{"type":"tool_use","id":...,"name":...,"input":{...}}`
struct BetaToolUseBlockParam {
  std::string id;
  std::string name;
  RawJson input = RawJson::unchecked("{}");
  std::optional<BetaCacheControlEphemeral> cache_control;
};

/// A block inside a `tool_result`'s content: text, image, document, or anything else as raw JSON.
using BetaToolResultContentBlock =
    std::variant<BetaTextBlockParam, BetaImageBlockParam, BetaRequestDocumentBlock, RawJson>;

/// `{"type":"tool_result","tool_use_id":...,"content":...,"is_error":...}`
struct BetaToolResultBlockParam {
  std::string tool_use_id;
  /// Absent, a string, or blocks.
  std::optional<std::variant<std::string, std::vector<BetaToolResultContentBlock>>> content;
  std::optional<bool> is_error;
  std::optional<BetaCacheControlEphemeral> cache_control;
};

/// `{"type":"thinking","thinking":...,"signature":...}` (echoing an earlier assistant turn).
struct BetaThinkingBlockParam {
  std::string thinking;
  std::string signature;
};

/// `{"type":"redacted_thinking","data":...}`
struct BetaRedactedThinkingBlockParam {
  std::string data;
};

/// One content block of a message. `RawJson` carries any block type the SDK does not model
/// (it must be a JSON object with a `type`).
using BetaContentBlockParam =
    std::variant<BetaTextBlockParam, BetaImageBlockParam, BetaRequestDocumentBlock,
                 BetaToolUseBlockParam, BetaToolResultBlockParam, BetaThinkingBlockParam,
                 BetaRedactedThinkingBlockParam, RawJson>;

/// "user" or "assistant" (open: any other role string is sent as is).
class Role : public OpenEnum<Role> {
 public:
  using OpenEnum::OpenEnum;
  static const Role user;
  static const Role assistant;
  static constexpr std::array<std::string_view, 2> known_values() { return {"user", "assistant"}; }
};

/// One turn of the conversation: a role and either a string or content blocks.
struct ANTHROPIC_EXPORT BetaMessageParam {
  Role role;
  std::variant<std::string, std::vector<BetaContentBlockParam>> content;

  static BetaMessageParam user(std::string text);
  static BetaMessageParam user(std::vector<BetaContentBlockParam> blocks);
  static BetaMessageParam assistant(std::string text);
  static BetaMessageParam assistant(std::vector<BetaContentBlockParam> blocks);
};

/// `{"user_id": ...}`: an opaque id for the end user (a hash or uuid, never personal data).
struct BetaMetadata {
  std::optional<std::string> user_id;
};

/// A custom (client) tool with a JSON-schema input.
struct BetaTool {
  std::string name;
  std::optional<std::string> description;
  RawJson input_schema = RawJson::unchecked(R"({"type":"object"})");
  std::optional<BetaCacheControlEphemeral> cache_control;
  std::optional<bool> strict;
};

/// A tool entry: a custom tool, or any other tool (server tools such as `web_search_20250305`,
/// `bash_20250124`, ...) as its raw JSON object.
using BetaToolUnion = std::variant<BetaTool, RawJson>;

/// `tool_choice`: `auto`, `any`, `tool` (with `name`) or `none`.
struct ANTHROPIC_EXPORT BetaToolChoice {
  enum class Type { auto_, any, tool, none };
  Type type = Type::auto_;
  std::optional<std::string> name;                ///< for `tool`
  std::optional<bool> disable_parallel_tool_use;  ///< not for `none`

  static BetaToolChoice auto_choice(std::optional<bool> disable_parallel_tool_use = {});
  static BetaToolChoice any(std::optional<bool> disable_parallel_tool_use = {});
  static BetaToolChoice tool(std::string name, std::optional<bool> disable_parallel_tool_use = {});
  static BetaToolChoice none();
};

/// `thinking`: `enabled` with a token budget, `disabled`, or `adaptive`.
struct ANTHROPIC_EXPORT BetaThinkingConfigParam {
  enum class Type { enabled, disabled, adaptive };
  Type type = Type::disabled;
  std::optional<std::int64_t> budget_tokens;  ///< for `enabled` (>= 1024 and < max_tokens)
  std::optional<std::string> display;         ///< "summarized" or "omitted"

  static BetaThinkingConfigParam enabled(std::int64_t budget_tokens);
  static BetaThinkingConfigParam disabled();
  static BetaThinkingConfigParam adaptive();
};

/// The Messages create request carried by one batch entry (`params`).
struct BetaMessageCreateParams {
  std::string model;                       ///< required
  std::int64_t max_tokens = 0;             ///< required
  std::vector<BetaMessageParam> messages;  ///< required

  std::optional<std::variant<std::string, std::vector<BetaTextBlockParam>>> system;
  std::optional<BetaMetadata> metadata;
  std::optional<std::vector<std::string>> stop_sequences;
  std::optional<double> temperature;
  std::optional<std::int64_t> top_k;
  std::optional<double> top_p;
  std::optional<std::vector<BetaToolUnion>> tools;
  std::optional<BetaToolChoice> tool_choice;
  std::optional<BetaThinkingConfigParam> thinking;
  std::optional<BetaCacheControlEphemeral> cache_control;
  std::optional<std::string> service_tier;  ///< "auto" or "standard_only"

  /// A JSON object whose members are added to `params`, for fields the SDK does not model yet;
  /// a member named like a modelled field replaces it.
  std::optional<RawJson> extra_fields;
};

inline const Role Role::user{"user"};
inline const Role Role::assistant{"assistant"};

}  // namespace anthropic::beta
