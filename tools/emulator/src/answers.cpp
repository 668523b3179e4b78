#include "answers.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "util.hpp"

namespace anthropic::internal::emulator {

namespace {

using nlohmann::json;
using ojson = nlohmann::ordered_json;

constexpr int kMaxSchemaDepth = 32;
/// Values and string bytes one example may have: arrays repeat their items, so without a
/// budget a small nested schema could ask for an enormous value.
constexpr std::size_t kMaxExampleNodes = 2000;
constexpr std::size_t kMaxExampleBytes = 64 * 1024;
constexpr std::size_t kMaxExampleItems = 10;
constexpr std::size_t kMaxExampleStringBytes = 4096;
/// Bytes of the last user text quoted in a thinking block.
constexpr std::size_t kThinkingQuoteBytes = 200;

const json* member(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

bool is_string_member(const json& object, const char* key, const char* value) {
  const json* m = member(object, key);
  return m != nullptr && m->is_string() && *m == value;
}

/// A finite JSON number as a double, or nullopt.
bool number_of(const json* v, double* out) {
  if (v == nullptr || !v->is_number()) return false;
  double d = v->get<double>();
  if (!std::isfinite(d)) return false;
  *out = d;
  return true;
}

struct Budget {
  std::size_t nodes = kMaxExampleNodes;
  std::size_t bytes = kMaxExampleBytes;
};

std::string string_example(const json& schema, Budget& budget) {
  std::string s = "example";
  if (const json* format = member(schema, "format"); format != nullptr && format->is_string()) {
    const std::string& f = format->get_ref<const std::string&>();
    if (f == "date-time") s = "2024-01-01T00:00:00Z";
    if (f == "date") s = "2024-01-01";
    if (f == "time") s = "00:00:00";
    if (f == "email") s = "user@example.com";
    if (f == "uri" || f == "url") s = "https://example.com";
    if (f == "uuid") s = "00000000-0000-4000-8000-000000000000";
  }
  double min_length = 0;
  if (number_of(member(schema, "minLength"), &min_length) && min_length > 0) {
    const auto want = static_cast<std::size_t>(
        std::min<double>(min_length, static_cast<double>(kMaxExampleStringBytes)));
    if (s.size() < want) s.append(want - s.size(), 'x');
  }
  double max_length = 0;
  if (number_of(member(schema, "maxLength"), &max_length) && max_length >= 0 &&
      static_cast<double>(s.size()) > max_length) {
    s.resize(static_cast<std::size_t>(max_length));
  }
  if (s.size() > budget.bytes) s.resize(budget.bytes);
  budget.bytes -= s.size();
  return s;
}

json number_example(const json& schema, bool integer) {
  double v = 0;
  double bound = 0;
  if (number_of(member(schema, "minimum"), &bound))
    v = std::max(v, integer ? std::ceil(bound) : bound);
  if (number_of(member(schema, "exclusiveMinimum"), &bound) && v <= bound) {
    v = integer ? std::floor(bound) + 1 : bound + 1;
  }
  if (number_of(member(schema, "maximum"), &bound) && v > bound)
    v = integer ? std::floor(bound) : bound;
  if (number_of(member(schema, "exclusiveMaximum"), &bound) && v >= bound) {
    v = integer ? std::ceil(bound) - 1 : bound - 1;
  }
  if (integer) {
    if (v >= 9.0e18) return std::numeric_limits<std::int64_t>::max();
    if (v <= -9.0e18) return std::numeric_limits<std::int64_t>::min();
    return static_cast<std::int64_t>(v);
  }
  if (std::floor(v) == v && std::fabs(v) < 9.0e18) return static_cast<std::int64_t>(v);
  return v;
}

json example_at(const json& schema, int depth, Budget& budget) {
  if (depth > kMaxSchemaDepth || !schema.is_object() || budget.nodes == 0) return nullptr;
  --budget.nodes;
  if (const json* c = member(schema, "const")) return *c;
  if (const json* e = member(schema, "enum"); e != nullptr && e->is_array() && !e->empty()) {
    return e->front();
  }
  for (const char* combinator : {"anyOf", "oneOf", "allOf"}) {
    const json* options = member(schema, combinator);
    if (options != nullptr && options->is_array() && !options->empty()) {
      // Prefer a branch that is not plain null.
      for (const json& option : *options) {
        if (!is_string_member(option, "type", "null")) return example_at(option, depth + 1, budget);
      }
      return example_at(options->front(), depth + 1, budget);
    }
  }
  std::string type;
  if (const json* t = member(schema, "type")) {
    if (t->is_string()) {
      type = t->get<std::string>();
    } else if (t->is_array()) {
      for (const json& one : *t) {
        if (one.is_string() && one != "null") {
          type = one.get<std::string>();
          break;
        }
      }
      if (type.empty() && !t->empty()) return nullptr;
    }
  }
  if (type.empty()) {
    if (member(schema, "properties") != nullptr || member(schema, "required") != nullptr) {
      type = "object";
    } else if (member(schema, "items") != nullptr) {
      type = "array";
    }
  }
  if (type == "string") return string_example(schema, budget);
  if (type == "integer") return number_example(schema, true);
  if (type == "number") return number_example(schema, false);
  if (type == "boolean") return true;
  if (type == "array") {
    double min_items = 0;
    double max_items = static_cast<double>(kMaxExampleItems);
    number_of(member(schema, "minItems"), &min_items);
    number_of(member(schema, "maxItems"), &max_items);
    double n = std::max(1.0, min_items);
    if (max_items < n) n = std::max(0.0, max_items);
    if (const json* unique = member(schema, "uniqueItems");
        unique != nullptr && unique->is_boolean() && unique->get<bool>()) {
      n = std::min(n, 1.0);
    }
    n = std::min(n, static_cast<double>(kMaxExampleItems));
    json out = json::array();
    const json* items = member(schema, "items");
    for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
      out.push_back(items != nullptr ? example_at(*items, depth + 1, budget) : json("example"));
    }
    return out;
  }
  if (type == "object") {
    json out = json::object();
    const json* properties = member(schema, "properties");
    const json* required = member(schema, "required");
    if (required != nullptr && required->is_array()) {
      for (const json& name : *required) {
        if (!name.is_string()) continue;
        const std::string& key = name.get_ref<const std::string&>();
        const json* property = properties != nullptr ? member(*properties, key.c_str()) : nullptr;
        out[key] = property != nullptr ? example_at(*property, depth + 1, budget) : json("example");
      }
    }
    return out;
  }
  if (type == "null") return nullptr;
  return nullptr;
}

std::uint32_t tokens_for(std::size_t bytes) {
  return static_cast<std::uint32_t>(std::min<std::size_t>(
      std::max<std::size_t>(1, (bytes + 3) / 4), std::numeric_limits<std::uint32_t>::max()));
}

/// "toolu_01" + 22 base62 characters, derived from the custom_id and the tool name.
std::string tool_use_id(const std::string& custom_id, const std::string& name) {
  std::uint64_t a = splitmix64(fnv1a(custom_id) ^ (fnv1a(name) * 3 + 0x746f6f6c75ULL));
  std::uint64_t b = splitmix64(a);
  return "toolu_01" + base62(a, 11) + base62(b, 11);
}

/// An opaque, deterministic stand-in for a thinking signature (base64-like characters).
std::string thinking_signature(const std::string& custom_id, const std::string& thinking) {
  std::string out = "Emu";
  std::uint64_t x = fnv1a(custom_id) ^ splitmix64(fnv1a(thinking));
  for (int i = 0; i < 4; ++i) {
    x = splitmix64(x);
    out += base62(x, 11);
  }
  return out + "==";
}

bool is_custom_tool(const json& tool) {
  if (!tool.is_object()) return false;
  const json* name = member(tool, "name");
  if (name == nullptr || !name->is_string()) return false;
  const json* type = member(tool, "type");
  return type == nullptr || type->is_null() || *type == "custom";
}

/// The tool the answer calls, or nullptr.
const json* chosen_tool(const json& params) {
  const json* tools = member(params, "tools");
  if (tools == nullptr || !tools->is_array() || tools->empty()) return nullptr;
  std::string choice = "auto";
  const json* tool_choice = member(params, "tool_choice");
  if (tool_choice != nullptr && tool_choice->is_object()) {
    if (const json* t = member(*tool_choice, "type"); t != nullptr && t->is_string()) {
      choice = t->get<std::string>();
    }
  }
  if (choice == "none") return nullptr;
  if (choice == "tool") {
    const json* wanted = member(*tool_choice, "name");
    for (const json& tool : *tools) {
      const json* name = member(tool, "name");
      if (name != nullptr && wanted != nullptr && *name == *wanted) return &tool;
    }
    return nullptr;
  }
  if (choice == "any") {
    for (const json& tool : *tools) {
      if (is_custom_tool(tool)) return &tool;
    }
    for (const json& tool : *tools) {
      if (const json* name = member(tool, "name"); name != nullptr && name->is_string()) {
        return &tool;
      }
    }
    return nullptr;
  }
  // auto: a custom tool whose name the last user text mentions.
  const std::string text = last_user_text(params);
  for (const json& tool : *tools) {
    if (!is_custom_tool(tool)) continue;
    const std::string& name = tool.at("name").get_ref<const std::string&>();
    if (!name.empty() && text.find(name) != std::string::npos) return &tool;
  }
  return nullptr;
}

/// The JSON Schema of the requested structured output, or nullptr.
const json* output_schema(const json& params, bool beta) {
  if (const json* config = member(params, "output_config")) {
    if (const json* format = member(*config, "format"); format != nullptr && format->is_object()) {
      return member(*format, "schema");
    }
  }
  if (beta) {
    if (const json* format = member(params, "output_format");
        format != nullptr && format->is_object()) {
      return member(*format, "schema");
    }
  }
  return nullptr;
}

}  // namespace

std::string content_text(const json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (!content.is_array()) return out;
  for (const auto& block : content) {
    if (!block.is_object()) continue;
    auto type = block.find("type");
    auto text = block.find("text");
    if (type != block.end() && type->is_string() && *type == "text" && text != block.end() &&
        text->is_string()) {
      if (!out.empty()) out.push_back(' ');
      out += text->get_ref<const std::string&>();
    } else if (type != block.end() && type->is_string() && *type == "tool_result") {
      auto inner = block.find("content");
      if (inner != block.end()) {
        if (!out.empty()) out.push_back(' ');
        out += content_text(*inner);
      }
    }
  }
  return out;
}

json example_value(const json& schema) {
  Budget budget;
  return example_at(schema, 0, budget);
}

std::string last_user_text(const json& params) {
  std::string last;
  const json* messages = member(params, "messages");
  if (messages == nullptr || !messages->is_array()) return last;
  for (const json& m : *messages) {
    if (!is_string_member(m, "role", "user")) continue;
    if (const json* content = member(m, "content")) last = content_text(*content);
  }
  return last;
}

void decide_answer(const json& params, bool beta, RequestRecord& rec) {
  ojson blocks = ojson::array();
  std::string stop_reason = "end_turn";

  bool thinking = false;
  bool omitted = false;
  if (const json* t = member(params, "thinking"); t != nullptr && t->is_object()) {
    thinking = is_string_member(*t, "type", "enabled") || is_string_member(*t, "type", "adaptive");
    omitted = is_string_member(*t, "display", "omitted");
  }
  const json* tool = chosen_tool(params);
  const json* schema = tool == nullptr ? output_schema(params, beta) : nullptr;
  if (!thinking && tool == nullptr && schema == nullptr) return;  // the plain echo

  if (thinking) {
    std::string text;
    if (!omitted) {
      const std::string user = last_user_text(params);
      text = user.empty()
                 ? std::string("The user sent no text. I will answer briefly.")
                 : "The user wrote: \"" + std::string(utf8_prefix(user, kThinkingQuoteBytes)) +
                       "\". I will answer briefly.";
    }
    blocks.push_back({{"type", "thinking"},
                      {"thinking", text},
                      {"signature", thinking_signature(rec.custom_id, text)}});
  }
  if (tool != nullptr) {
    const std::string name = tool->at("name").get<std::string>();
    const json* choice = member(params, "tool_choice");
    const bool forced = choice != nullptr && (is_string_member(*choice, "type", "any") ||
                                              is_string_member(*choice, "type", "tool"));
    if (!forced) blocks.push_back({{"type", "text"}, {"text", "I'll use the " + name + " tool."}});
    json input = json::object();
    if (is_custom_tool(*tool)) {
      if (const json* input_schema = member(*tool, "input_schema")) {
        input = example_value(*input_schema);
        if (!input.is_object()) input = json::object();
      }
    }
    blocks.push_back({{"type", "tool_use"},
                      {"id", tool_use_id(rec.custom_id, name)},
                      {"name", name},
                      {"input", ojson::parse(input.dump())}});
    stop_reason = "tool_use";
  } else if (schema != nullptr) {
    blocks.push_back({{"type", "text"}, {"text", example_value(*schema).dump()}});
  } else {
    blocks.push_back({{"type", "text"}, {"text", rec.text}});
  }

  // Count tokens block by block; what passes max_tokens is cut (text) or dropped (tool_use).
  const auto budget = static_cast<std::uint64_t>(std::max<std::int64_t>(0, rec.max_tokens));
  std::uint64_t used = 0;
  ojson kept = ojson::array();
  for (auto& block : blocks) {
    const std::string type = block["type"];
    const char* field = type == "thinking" ? "thinking" : type == "text" ? "text" : nullptr;
    const std::size_t bytes = field != nullptr
                                  ? block[field].get_ref<const std::string&>().size()
                                  : block["input"].dump().size() + block["name"].dump().size();
    const std::uint32_t cost = tokens_for(bytes);
    if (used + cost <= budget) {
      used += cost;
      kept.push_back(std::move(block));
      continue;
    }
    stop_reason = "max_tokens";
    const std::uint64_t left = budget - used;
    if (field != nullptr && left > 0) {
      const std::string& s = block[field].get_ref<const std::string&>();
      block[field] = std::string(
          utf8_prefix(s, static_cast<std::size_t>(std::min<std::uint64_t>(left, 1 << 20)) * 4));
      kept.push_back(std::move(block));
    }
    used = budget;
    break;
  }
  rec.content = kept.dump(-1, ' ', false, ojson::error_handler_t::replace);
  rec.stop_reason = stop_reason;
  rec.output_tokens = static_cast<std::uint32_t>(
      std::min<std::uint64_t>(used, std::numeric_limits<std::uint32_t>::max()));
}

}  // namespace anthropic::internal::emulator
