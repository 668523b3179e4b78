#include <anthropic/beta/beta_message_param.hpp>

#include <utility>

namespace anthropic::beta {

BetaImageBlockParam BetaImageBlockParam::base64(std::string media_type, std::string data) {
  BetaImageBlockParam b;
  b.source_type = SourceType::base64;
  b.media_type = std::move(media_type);
  b.data = std::move(data);
  return b;
}

BetaImageBlockParam BetaImageBlockParam::url(std::string url) {
  BetaImageBlockParam b;
  b.source_type = SourceType::url;
  b.data = std::move(url);
  return b;
}

BetaRequestDocumentBlock BetaRequestDocumentBlock::pdf_base64(std::string data) {
  BetaRequestDocumentBlock b;
  b.source_type = SourceType::base64_pdf;
  b.data = std::move(data);
  return b;
}

BetaRequestDocumentBlock BetaRequestDocumentBlock::plain_text(std::string text) {
  BetaRequestDocumentBlock b;
  b.source_type = SourceType::plain_text;
  b.data = std::move(text);
  return b;
}

BetaRequestDocumentBlock BetaRequestDocumentBlock::pdf_url(std::string url) {
  BetaRequestDocumentBlock b;
  b.source_type = SourceType::url;
  b.data = std::move(url);
  return b;
}

BetaMessageParam BetaMessageParam::user(std::string text) {
  return BetaMessageParam{Role::user, std::move(text)};
}

BetaMessageParam BetaMessageParam::user(std::vector<BetaContentBlockParam> blocks) {
  return BetaMessageParam{Role::user, std::move(blocks)};
}

BetaMessageParam BetaMessageParam::assistant(std::string text) {
  return BetaMessageParam{Role::assistant, std::move(text)};
}

BetaMessageParam BetaMessageParam::assistant(std::vector<BetaContentBlockParam> blocks) {
  return BetaMessageParam{Role::assistant, std::move(blocks)};
}

BetaToolChoice BetaToolChoice::auto_choice(std::optional<bool> disable_parallel_tool_use) {
  BetaToolChoice c;
  c.type = Type::auto_;
  c.disable_parallel_tool_use = disable_parallel_tool_use;
  return c;
}

BetaToolChoice BetaToolChoice::any(std::optional<bool> disable_parallel_tool_use) {
  BetaToolChoice c;
  c.type = Type::any;
  c.disable_parallel_tool_use = disable_parallel_tool_use;
  return c;
}

BetaToolChoice BetaToolChoice::tool(std::string name,
                                    std::optional<bool> disable_parallel_tool_use) {
  BetaToolChoice c;
  c.type = Type::tool;
  c.name = std::move(name);
  c.disable_parallel_tool_use = disable_parallel_tool_use;
  return c;
}

BetaToolChoice BetaToolChoice::none() {
  BetaToolChoice c;
  c.type = Type::none;
  return c;
}

BetaThinkingConfigParam BetaThinkingConfigParam::enabled(std::int64_t budget_tokens) {
  BetaThinkingConfigParam t;
  t.type = Type::enabled;
  t.budget_tokens = budget_tokens;
  return t;
}

BetaThinkingConfigParam BetaThinkingConfigParam::disabled() {
  BetaThinkingConfigParam t;
  t.type = Type::disabled;
  return t;
}

BetaThinkingConfigParam BetaThinkingConfigParam::adaptive() {
  BetaThinkingConfigParam t;
  t.type = Type::adaptive;
  return t;
}

}  // namespace anthropic::beta
