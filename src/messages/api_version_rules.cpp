#include "messages/api_version_rules.hpp"

#include <anthropic/beta/messages/batch_params.hpp>
#include <anthropic/messages/batch_params.hpp>

#include <anthropic/api_version.hpp>
#include <anthropic/errors.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <variant>

namespace anthropic::internal {

namespace {

using Json = nlohmann::json;

constexpr const char* kRemoved[] = {"temperature", "top_p", "top_k"};

std::string stay_hint() {
  return "; to send it, set ClientOptions::anthropic_version = \"2023-06-01\"";
}

[[noreturn]] void reject(const std::string& where, const std::string& problem,
                         std::string_view version, bool can_stay) {
  throw AnthropicInvalidRequestException(where + " " + problem + " under anthropic-version " +
                                         std::string(version) + " (the API answers 400)" +
                                         (can_stay ? stay_hint() : std::string()));
}

[[noreturn]] void reject_removed(const char* field, std::string_view version) {
  reject(std::string("params.") + field, "was removed in API version 2026-10-21 and is rejected",
         version, true);
}

std::string at(std::size_t message, std::size_t block) {
  return "params.messages[" + std::to_string(message) + "].content[" + std::to_string(block) + "]";
}

bool non_empty_array(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_array() && !it->empty();
}

// A content block given as JSON (a RawJson block, or raw params).
void check_block_json(const Json& block, std::string_view role, std::size_t m, std::size_t b,
                      std::string_view version) {
  if (!block.is_object()) return;
  auto type_it = block.find("type");
  if (type_it == block.end() || !type_it->is_string()) return;
  const std::string& type = type_it->get_ref<const std::string&>();
  if (role == "assistant" && type == "document") {
    reject(at(m, b), "is a document block directly in an assistant message, which is rejected",
           version, false);
  }
  if (role != "user") return;
  if (type == "text" && non_empty_array(block, "citations")) {
    reject(at(m, b), "is a text block with citations in a user message, which is rejected", version,
           false);
  }
  if (type == "search_result") {
    auto content = block.find("content");
    if (content == block.end() || !content->is_array()) return;
    for (std::size_t k = 0; k < content->size(); ++k) {
      const Json& text = (*content)[k];
      if (text.is_object() && non_empty_array(text, "citations")) {
        reject(at(m, b) + ".content[" + std::to_string(k) + "]",
               "is a text block with citations (in a search_result of a user message), which is "
               "rejected",
               version, false);
      }
    }
  }
}

void check_content_json(const Json& content, std::string_view role, std::size_t m,
                        std::string_view version) {
  if (!content.is_array()) return;
  for (std::size_t b = 0; b < content.size(); ++b)
    check_block_json(content[b], role, m, b, version);
}

Json parse_or_null(const RawJson& raw) {
  return Json::parse(raw.str(), nullptr, /*allow_exceptions=*/false);
}

template <class F>
void check_block(const typename F::ContentBlockParam& block, std::string_view role, std::size_t m,
                 std::size_t b, std::string_view version) {
  if (const auto* raw = std::get_if<RawJson>(&block)) {
    check_block_json(parse_or_null(*raw), role, m, b, version);
    return;
  }
  if (role == "assistant" && std::holds_alternative<typename F::DocumentBlockParam>(block)) {
    reject(at(m, b), "is a document block directly in an assistant message, which is rejected",
           version, false);
  }
  if (role != "user") return;
  if (const auto* text = std::get_if<typename F::TextBlockParam>(&block)) {
    if (text->citations.has_value() && !text->citations->empty()) {
      reject(at(m, b), "is a text block with citations in a user message, which is rejected",
             version, false);
    }
  } else if (const auto* search = std::get_if<typename F::SearchResultBlockParam>(&block)) {
    for (std::size_t k = 0; k < search->content.size(); ++k) {
      const auto& citations = search->content[k].citations;
      if (citations.has_value() && !citations->empty()) {
        reject(at(m, b) + ".content[" + std::to_string(k) + "]",
               "is a text block with citations (in a search_result of a user message), which is "
               "rejected",
               version, false);
      }
    }
  }
}

}  // namespace

template <class F>
void check_api_version_rules(const typename F::MessageCreateParams& params,
                             std::string_view api_version) {
  if (is_legacy_api_version(api_version)) return;
  if (params.temperature) reject_removed("temperature", api_version);
  if (params.top_p) reject_removed("top_p", api_version);
  if (params.top_k) reject_removed("top_k", api_version);
  if (params.extra_fields) {
    const Json extra = parse_or_null(*params.extra_fields);
    if (extra.is_object()) {
      for (const char* field : kRemoved) {
        if (extra.contains(field)) reject_removed(field, api_version);
      }
    }
  }
  for (std::size_t m = 0; m < params.messages.size(); ++m) {
    const typename F::MessageParam& message = params.messages[m];
    const std::string& role = message.role.str();
    if (const auto* blocks =
            std::get_if<std::vector<typename F::ContentBlockParam>>(&message.content)) {
      for (std::size_t b = 0; b < blocks->size(); ++b) {
        check_block<F>((*blocks)[b], role, m, b, api_version);
      }
    } else if (const auto* raw = std::get_if<RawJson>(&message.content)) {
      check_content_json(parse_or_null(*raw), role, m, api_version);
    }
  }
}

template void check_api_version_rules<messages::GaFamily>(const MessageCreateParams&,
                                                          std::string_view);
template void check_api_version_rules<beta::messages::BetaFamily>(
    const beta::BetaMessageCreateParams&, std::string_view);

bool check_api_version_rules_raw(std::string_view params_json, std::string_view api_version) {
  const Json params = Json::parse(params_json, nullptr, /*allow_exceptions=*/false);
  if (!params.is_object()) return false;
  for (const char* field : kRemoved) {
    if (params.contains(field)) reject_removed(field, api_version);
  }
  auto messages = params.find("messages");
  if (messages == params.end() || !messages->is_array()) return true;
  for (std::size_t m = 0; m < messages->size(); ++m) {
    const Json& message = (*messages)[m];
    if (!message.is_object()) continue;
    auto role = message.find("role");
    auto content = message.find("content");
    if (role == message.end() || !role->is_string() || content == message.end()) continue;
    check_content_json(*content, role->get_ref<const std::string&>(), m, api_version);
  }
  return true;
}

}  // namespace anthropic::internal
