#include "render.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace anthropic::internal::emulator {

namespace {

using ojson = nlohmann::ordered_json;

ojson optional_time(const std::optional<Micros>& t) {
  return t ? ojson(format_rfc3339(*t)) : ojson(nullptr);
}

ojson batch_object(const Batch& b, const std::string& origin) {
  const Counts c = b.counts();
  ojson j;
  j["id"] = b.id;
  j["type"] = "message_batch";
  j["processing_status"] = to_string(b.status);
  j["request_counts"] = {{"processing", c.processing},
                         {"succeeded", c.succeeded},
                         {"errored", c.errored},
                         {"canceled", c.canceled},
                         {"expired", c.expired}};
  j["created_at"] = format_rfc3339(b.created_at);
  j["expires_at"] = format_rfc3339(b.expires_at);
  j["ended_at"] = optional_time(b.ended_at);
  j["cancel_initiated_at"] = optional_time(b.cancel_initiated_at);
  j["archived_at"] = nullptr;
  j["results_url"] = b.status == Status::ended
                         ? ojson(origin + "/v1/messages/batches/" + b.id + "/results")
                         : ojson(nullptr);
  return j;
}

}  // namespace

std::string batch_json(const Batch& batch, const std::string& origin) {
  return batch_object(batch, origin).dump();
}

std::string list_page_json(const std::vector<Batch>& page, bool has_more,
                           const std::string& origin) {
  ojson j;
  j["data"] = ojson::array();
  for (const auto& b : page) j["data"].push_back(batch_object(b, origin));
  j["has_more"] = has_more;
  j["first_id"] = page.empty() ? ojson(nullptr) : ojson(page.front().id);
  j["last_id"] = page.empty() ? ojson(nullptr) : ojson(page.back().id);
  return j.dump();
}

std::string deleted_json(const std::string& id) {
  ojson j;
  j["id"] = id;
  j["type"] = "message_batch_deleted";
  return j.dump();
}

std::string error_json(std::string_view type, std::string_view message,
                       std::string_view request_id) {
  ojson j;
  j["type"] = "error";
  j["error"] = {{"type", std::string(type)}, {"message", std::string(message)}};
  j["request_id"] = request_id.empty() ? ojson(nullptr) : ojson(std::string(request_id));
  return j.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

const char* error_type_for_status(int status) {
  switch (status) {
    case 400:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 402:
      return "billing_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 408:
    case 504:
      return "timeout_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 529:
      return "overloaded_error";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

std::vector<std::uint32_t> shuffled_result_order(const std::string& batch_id, std::size_t n) {
  std::vector<std::uint32_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<std::uint32_t>(i);
  // SplitMix64 as a counter-based generator; the modulo bias is irrelevant here.
  std::uint64_t state = fnv1a(batch_id) ^ 0x726573756c74730aULL;
  for (std::size_t i = n; i > 1; --i) {
    state = splitmix64(state);
    std::swap(order[i - 1], order[static_cast<std::size_t>(state % i)]);
  }
  return order;
}

std::string message_id(const std::string& batch_id, std::size_t index) {
  std::uint64_t a = splitmix64(fnv1a(batch_id) ^ (static_cast<std::uint64_t>(index) * 2 + 1));
  std::uint64_t b = splitmix64(a);
  return "msg_01" + base62(a, 11) + base62(b, 11);
}

void append_result_line(std::string& out, const Batch& batch, std::size_t index) {
  const RequestRecord& r = batch.requests->requests[index];
  out += "{\"custom_id\":";
  append_json_string(out, r.custom_id);
  out += ",\"result\":";
  if (index >= batch.completed) {
    out += batch.unprocessed == Unprocessed::expired ? "{\"type\":\"expired\"}}\n"
                                                     : "{\"type\":\"canceled\"}}\n";
    return;
  }
  if (!r.error.empty()) {
    out += "{\"type\":\"errored\",\"error\":{\"type\":\"error\",\"error\":{\"type\":";
    append_json_string(out, r.error_type.empty() ? "invalid_request_error" : r.error_type);
    out += ",\"message\":";
    append_json_string(out, r.error);
    out += "},\"request_id\":null}}}\n";
    return;
  }
  std::string_view text = r.text;
  std::int64_t output_tokens =
      std::max<std::int64_t>(1, (static_cast<std::int64_t>(text.size()) + 3) / 4);
  const char* stop_reason = "end_turn";
  if (r.content.empty() && output_tokens > r.max_tokens) {
    output_tokens = r.max_tokens;
    text = utf8_prefix(text,
                       static_cast<std::size_t>(std::min<std::int64_t>(r.max_tokens, 1 << 20)) * 4);
    stop_reason = "max_tokens";
  }
  out += "{\"type\":\"succeeded\",\"message\":{\"id\":\"";
  out += message_id(batch.id, index);
  out += "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":";
  append_json_string(out, batch.requests->models[r.model]);
  out += ",\"content\":";
  if (r.content.empty()) {
    out += "[{\"type\":\"text\",\"text\":";
    append_json_string(out, text);
    out += "}]";
  } else {
    // A rich answer: blocks, stop reason and token count were decided at create time.
    out += r.content;
    stop_reason = r.stop_reason.c_str();
    output_tokens = r.output_tokens;
  }
  out += ",\"stop_reason\":\"";
  out += stop_reason;
  out += "\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":";
  out += std::to_string(r.input_tokens);
  out += ",\"output_tokens\":";
  out += std::to_string(output_tokens);
  out +=
      ",\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"cache_creation\":{"
      "\"ephemeral_5m_input_tokens\":0,\"ephemeral_1h_input_tokens\":0},\"server_tool_use\":null,"
      "\"service_tier\":\"batch\"}}}}\n";
}

}  // namespace anthropic::internal::emulator
