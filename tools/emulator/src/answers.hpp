// The answers the emulator gives beyond the plain echo: tool use, thinking, structured output.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "model.hpp"

namespace anthropic::internal::emulator {

/// A value satisfying the JSON Schema `schema` as far as its required parts go: `const`, else
/// the first `enum` value, else the first of `anyOf`/`oneOf`/`allOf`, else by `type` (the first
/// non-"null" one of a list): string "example" (or a sample of its `format`, padded to
/// `minLength`), number/integer 0 moved into `minimum`/`maximum`, boolean true, null, array of
/// max(minItems, 1) items (at most maxItems, 10), object with every `required` property
/// (recursively; a required name without a property schema gets "example"). An empty or
/// unreadable schema gives null. Nesting past 32 levels, or past 2,000 values or 64 KiB of
/// strings in all, gives null: no schema can make it recurse or grow without bound.
nlohmann::json example_value(const nlohmann::json& schema);

/// Text of a message `content` (a string, or the text blocks and tool_result contents of a list).
std::string content_text(const nlohmann::json& content);

/// The text of the last user message (text blocks and tool_result contents), unabridged.
std::string last_user_text(const nlohmann::json& params);

/// Decides the answer of a request whose params passed every check: fills `rec.content`,
/// `rec.stop_reason` and `rec.output_tokens` when the answer is more than the plain echo (a
/// tool_use, a thinking block, structured output); leaves them empty otherwise. `rec.text`,
/// `rec.max_tokens` and `rec.custom_id` must be set. `beta` selects the family's param names.
void decide_answer(const nlohmann::json& params, bool beta, RequestRecord& rec);

}  // namespace anthropic::internal::emulator
