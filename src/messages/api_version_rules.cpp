#include "messages/api_version_rules.hpp"

#include <anthropic/beta/models/batch_params.hpp>
#include <anthropic/models/batch_params.hpp>

#include <anthropic/api_version.hpp>
#include <anthropic/errors.hpp>

#include "generated/beta_codecs.gen.hpp"
#include "generated/ga_codecs.gen.hpp"
#include "json/model_codec.hpp"
#include "json/reader.hpp"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace anthropic::internal {

namespace {

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

// A value given as RawJson, read as the typed `T` when it has that shape; nullopt otherwise (the
// API judges it: only what the typed form shows is checked here). An enum value newer than the
// SDK does not stop the reading, as for raw params (BatchCreateBodyBuilder::add_raw).
template <class T>
std::optional<T> typed(const RawJson& raw) {
  T value;
  try {
    json::model::decode_document(raw.str(), "RawJson", value, /*any_enum_value=*/true);
  } catch (const AnthropicException&) {
    return std::nullopt;
  }
  return value;
}

// Whether the JSON object `object` (RawJson text) has a member named `name`.
bool has_member(const std::string& object, std::string_view name) {
  try {
    json::Reader r(object, "extra_fields");
    if (r.peek() != json::Reader::Kind::object) return false;
    r.begin_object();
    bool first = true;
    std::string_view key;
    while (r.next_key(first, key)) {
      if (key == name) return true;
      r.skip();
    }
  } catch (const AnthropicException&) {
  }
  return false;
}

template <class F>
void check_block(const typename F::ContentBlockParam& block, std::string_view role, std::size_t m,
                 std::size_t b, std::string_view version) {
  if (const auto* raw = std::get_if<RawJson>(&block)) {
    // A block built by hand: checked as the typed block it spells, if it spells one.
    if (auto known = typed<typename F::ContentBlockParam>(*raw)) {
      if (!std::holds_alternative<RawJson>(*known)) check_block<F>(*known, role, m, b, version);
    }
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
    for (const char* field : kRemoved) {
      if (has_member(params.extra_fields->str(), field)) reject_removed(field, api_version);
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
      if (auto spelled = typed<std::vector<typename F::ContentBlockParam>>(*raw)) {
        for (std::size_t b = 0; b < spelled->size(); ++b) {
          check_block<F>((*spelled)[b], role, m, b, api_version);
        }
      }
    }
  }
}

template void check_api_version_rules<messages::GaFamily>(const MessageCreateParams&,
                                                          std::string_view);
template void check_api_version_rules<beta::messages::BetaFamily>(
    const beta::BetaMessageCreateParams&, std::string_view);

}  // namespace anthropic::internal
