#include "create_params.hpp"

#include <initializer_list>
#include <set>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "answers.hpp"

namespace anthropic::internal::emulator {

namespace {

using nlohmann::json;

const char* const kNotAnObject =
    "Input should be a valid dictionary or object to extract fields from";

/// A JSON integer (or a float with no fraction, as the API's lax validation accepts), clamped to
/// the int64 range; nullopt for anything else.
std::optional<std::int64_t> as_integer(const json& v) {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  if (v.is_number_unsigned()) {
    auto u = v.get<std::uint64_t>();
    return u > static_cast<std::uint64_t>(kMax) ? kMax : static_cast<std::int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (!std::isfinite(d) || std::floor(d) != d) return std::nullopt;
    if (d >= 9.0e18) return kMax;
    if (d <= -9.0e18) return -kMax;
    return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

/// The message a request's params earn as an `errored` result, or "" when they look valid.
std::string check_params(const json& params) {
  auto model = params.find("model");
  if (model == params.end()) return "model: Field required";
  if (!model->is_string()) return "model: Input should be a valid string";
  if (model->get_ref<const std::string&>().empty()) {
    return "model: String should have at least 1 character";
  }

  auto max_tokens = params.find("max_tokens");
  if (max_tokens == params.end()) return "max_tokens: Field required";
  auto value = as_integer(*max_tokens);
  if (!value) return "max_tokens: Input should be a valid integer";
  if (*value < 1) return "max_tokens: Input should be greater than or equal to 1";

  auto messages = params.find("messages");
  if (messages == params.end()) return "messages: Field required";
  if (!messages->is_array()) return "messages: Input should be a valid list";
  if (messages->empty())
    return "messages: List should have at least 1 item after validation, not 0";
  for (std::size_t i = 0; i < messages->size(); ++i) {
    const json& m = (*messages)[i];
    const std::string loc = "messages." + std::to_string(i);
    if (!m.is_object()) return loc + ": " + kNotAnObject;
    auto role = m.find("role");
    if (role == m.end()) return loc + ".role: Field required";
    if (!role->is_string() || (*role != "user" && *role != "assistant")) {
      return loc + ".role: Input should be 'user' or 'assistant'";
    }
    auto content = m.find("content");
    if (content == m.end()) return loc + ".content: Field required";
    if (!content->is_string() && !content->is_array()) {
      return loc + ".content: Input should be a valid string or a valid list";
    }
  }
  return "";
}

bool non_empty_array(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_array() && !it->empty();
}

bool block_type_is(const json& block, const char* type) {
  if (!block.is_object()) return false;
  auto it = block.find("type");
  return it != block.end() && it->is_string() && *it == type;
}

/// What anthropic-version 2026-10-21 rejects in params that otherwise look valid (see
/// check_params for the shape this relies on), or "". Paths name the offending field the way the
/// API's pydantic errors do.
std::string check_2026_10_21_rules(const json& params) {
  // temperature, top_p and top_k are not params keys under this version: check_keys has
  // already rejected them.
  const json& messages = params.at("messages");
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const json& m = messages[i];
    const json& content = m.at("content");
    if (!content.is_array()) continue;
    const std::string loc = "messages." + std::to_string(i) + ".content.";
    const bool assistant = m.at("role") == "assistant";
    for (std::size_t j = 0; j < content.size(); ++j) {
      const json& block = content[j];
      const std::string at = loc + std::to_string(j);
      if (assistant) {
        if (block_type_is(block, "document")) {
          return at + ": document blocks are not allowed in assistant messages";
        }
        continue;
      }
      if (block_type_is(block, "text") && non_empty_array(block, "citations")) {
        return at + ".citations: citations are not allowed in user messages";
      }
      if (block_type_is(block, "search_result")) {
        auto inner = block.find("content");
        if (inner == block.end() || !inner->is_array()) continue;
        for (std::size_t k = 0; k < inner->size(); ++k) {
          const json& text = (*inner)[k];
          if (text.is_object() && non_empty_array(text, "citations")) {
            return at + ".content." + std::to_string(k) +
                   ".citations: citations are not allowed in user messages";
          }
        }
      }
    }
  }
  return "";
}

// --- the family's request params and content block tags (codegen/schema/messages_*.schema) ---

/// Keys of MessageCreateParams in both families (temperature, top_p, top_k only before
/// 2026-10-21; see check_keys).
const std::set<std::string>& ga_param_keys() {
  static const std::set<std::string> keys = {
      "max_tokens",  "messages",       "model",    "cache_control", "container",
      "diagnostics", "inference_geo",  "metadata", "output_config", "service_tier",
      "speed",       "stop_sequences", "stream",   "system",        "temperature",
      "top_k",       "top_p",          "thinking", "tool_choice",   "tools"};
  return keys;
}

/// Keys only BetaMessageCreateParams has.
const std::set<std::string>& beta_only_param_keys() {
  static const std::set<std::string> keys = {
      "billing_policy", "compaction",  "context_management", "fallback_credit_token",
      "fallbacks",      "mcp_servers", "output_format",      "thread"};
  return keys;
}

/// Tags of ContentBlockParam / BetaContentBlockParam, in the schema's order.
const std::vector<std::string>& block_tags(bool beta) {
  static const std::vector<std::string> ga = {"text",
                                              "image",
                                              "document",
                                              "search_result",
                                              "thinking",
                                              "redacted_thinking",
                                              "tool_use",
                                              "tool_result",
                                              "server_tool_use",
                                              "web_search_tool_result",
                                              "web_fetch_tool_result",
                                              "code_execution_tool_result",
                                              "bash_code_execution_tool_result",
                                              "text_editor_code_execution_tool_result",
                                              "tool_search_tool_result",
                                              "container_upload"};
  static const std::vector<std::string> beta_tags = {"text",
                                                     "image",
                                                     "document",
                                                     "search_result",
                                                     "thinking",
                                                     "redacted_thinking",
                                                     "tool_use",
                                                     "tool_result",
                                                     "server_tool_use",
                                                     "web_search_tool_result",
                                                     "web_fetch_tool_result",
                                                     "advisor_tool_result",
                                                     "code_execution_tool_result",
                                                     "bash_code_execution_tool_result",
                                                     "text_editor_code_execution_tool_result",
                                                     "tool_search_tool_result",
                                                     "mcp_tool_use",
                                                     "mcp_tool_result",
                                                     "container_upload",
                                                     "compaction",
                                                     "tool_addition",
                                                     "tool_removal",
                                                     "mcp_tool_listing",
                                                     "fallback"};
  return beta ? beta_tags : ga;
}

/// How pydantic names a tag value in its message: strings as they are, other JSON as written.
std::string tag_text(const json& tag) {
  return tag.is_string() ? tag.get<std::string>()
                         : tag.dump(-1, ' ', false, json::error_handler_t::replace);
}

/// pydantic's message for a discriminated union whose `type` is missing or unknown, or "".
std::string check_tag(const json& value, const std::string& loc,
                      const std::vector<std::string>& tags) {
  if (!value.is_object()) return loc + ": " + kNotAnObject;
  auto type = value.find("type");
  if (type == value.end()) return loc + ": Unable to extract tag using discriminator 'type'";
  if (type->is_string() &&
      std::find(tags.begin(), tags.end(), type->get_ref<const std::string&>()) != tags.end()) {
    return "";
  }
  std::string expected;
  for (const auto& t : tags) {
    if (!expected.empty()) expected += ", ";
    expected += "'" + t + "'";
  }
  return loc + ": Input tag '" + tag_text(*type) +
         "' found using 'type' does not match any of the expected tags: " + expected;
}

/// Top-level params keys the family does not have.
std::string check_keys(const json& params, const CreateRules& rules) {
  for (const auto& item : params.items()) {
    const std::string& key = item.key();
    const bool sampling = key == "temperature" || key == "top_p" || key == "top_k";
    const bool known = (ga_param_keys().count(key) != 0 && !(sampling && rules.rules_2026_10_21)) ||
                       (rules.beta && beta_only_param_keys().count(key) != 0);
    if (!known) return key + ": Extra inputs are not permitted";
  }
  return "";
}

/// The `type` of each block of each message's content list.
std::string check_content_blocks(const json& params, bool beta) {
  const json& messages = params.at("messages");
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const json& content = messages[i].at("content");
    if (!content.is_array()) continue;
    for (std::size_t j = 0; j < content.size(); ++j) {
      std::string e =
          check_tag(content[j], "messages." + std::to_string(i) + ".content." + std::to_string(j),
                    block_tags(beta));
      if (!e.empty()) return e;
    }
  }
  return "";
}

std::string check_thinking(const json& params, std::int64_t max_tokens) {
  auto thinking = params.find("thinking");
  if (thinking == params.end()) return "";
  static const std::vector<std::string> kTags = {"enabled", "disabled", "between_tools",
                                                 "adaptive"};
  std::string e = check_tag(*thinking, "thinking", kTags);
  if (!e.empty()) return e;
  if (thinking->at("type") != "enabled") return "";
  auto budget = thinking->find("budget_tokens");
  if (budget == thinking->end()) return "thinking.enabled.budget_tokens: Field required";
  auto value = as_integer(*budget);
  if (!value) return "thinking.enabled.budget_tokens: Input should be a valid integer";
  if (*value < 1024) {
    return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024";
  }
  if (max_tokens <= *value) {
    return "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our "
           "documentation at "
           "https://docs.claude.com/en/docs/build-with-claude/"
           "extended-thinking#max-tokens-and-context-window-size";
  }
  return "";
}

std::string check_tools(const json& params) {
  auto tools = params.find("tools");
  std::set<std::string> names;
  if (tools != params.end()) {
    if (!tools->is_array()) return "tools: Input should be a valid list";
    for (std::size_t i = 0; i < tools->size(); ++i) {
      const json& tool = (*tools)[i];
      const std::string loc = "tools." + std::to_string(i);
      if (!tool.is_object()) return loc + ": " + kNotAnObject;
      // Only custom tools are checked in depth; server tools and toolsets (some without a
      // `name`, e.g. mcp_toolset) pass as they are.
      auto type = tool.find("type");
      const bool custom = type == tool.end() || type->is_null() || *type == "custom";
      auto name = tool.find("name");
      if (custom) {
        if (name == tool.end()) return loc + ".custom.name: Field required";
        if (!name->is_string()) return loc + ".custom.name: Input should be a valid string";
        auto schema = tool.find("input_schema");
        if (schema == tool.end()) return loc + ".custom.input_schema: Field required";
        if (!schema->is_object()) {
          return loc + ".custom.input_schema: Input should be a valid dictionary";
        }
      }
      if (name != tool.end() && name->is_string() &&
          !names.insert(name->get<std::string>()).second) {
        return "tools: Tool names must be unique.";
      }
    }
  }
  auto choice = params.find("tool_choice");
  if (choice == params.end()) return "";
  static const std::vector<std::string> kTags = {"auto", "any", "tool", "none"};
  std::string e = check_tag(*choice, "tool_choice", kTags);
  if (!e.empty()) return e;
  const json& type = choice->at("type");
  if (type == "tool") {
    auto name = choice->find("name");
    if (name == choice->end()) return "tool_choice.tool.name: Field required";
    if (!name->is_string()) return "tool_choice.tool.name: Input should be a valid string";
  }
  const bool have_tools = tools != params.end() && !tools->empty();
  if ((type == "any" || type == "tool") && !have_tools) {
    return "tool_choice: tool_choice may only be specified while providing tools.";
  }
  if (type == "tool" && names.count(choice->at("name").get<std::string>()) == 0) {
    return "tool_choice.tool.name: Tool '" + choice->at("name").get<std::string>() +
           "' not found in provided tools";
  }
  return "";
}

/// A JSONOutputFormat at `loc` (null allowed).
std::string check_output_format(const json& format, const std::string& loc) {
  if (format.is_null()) return "";
  if (!format.is_object()) return loc + ": " + kNotAnObject;
  auto type = format.find("type");
  if (type == format.end()) return loc + ".type: Field required";
  if (*type != "json_schema") return loc + ".type: Input should be 'json_schema'";
  auto schema = format.find("schema");
  if (schema == format.end()) return loc + ".schema: Field required";
  if (!schema->is_object()) return loc + ".schema: Input should be a valid dictionary";
  return "";
}

std::string check_structured_output(const json& params, bool beta) {
  auto config = params.find("output_config");
  if (config != params.end()) {
    if (!config->is_object()) return std::string("output_config: ") + kNotAnObject;
    auto format = config->find("format");
    if (format != config->end()) {
      std::string e = check_output_format(*format, "output_config.format");
      if (!e.empty()) return e;
    }
  }
  if (beta) {
    auto format = params.find("output_format");
    if (format != params.end()) return check_output_format(*format, "output_format");
  }
  return "";
}

bool model_known(const std::string& model, const std::vector<std::string>& models) {
  if (models.empty()) return model.rfind("claude-", 0) == 0;
  return std::find(models.begin(), models.end(), model) != models.end();
}

std::uint32_t estimate_input_tokens(const json& params) {
  std::size_t bytes = 0;
  std::size_t message_count = 0;
  auto messages = params.find("messages");
  if (messages != params.end() && messages->is_array()) {
    for (const auto& m : *messages) {
      ++message_count;
      if (m.is_object()) {
        auto content = m.find("content");
        if (content != m.end()) bytes += content_text(*content).size();
      }
    }
  }
  auto system = params.find("system");
  if (system != params.end()) bytes += content_text(*system).size();
  std::size_t tokens = std::max<std::size_t>(1, (bytes + 3) / 4) + 4 * message_count;
  return static_cast<std::uint32_t>(
      std::min<std::size_t>(tokens, std::numeric_limits<std::uint32_t>::max()));
}

std::string echo_text(const json& params) {
  std::string last_user;
  bool found = false;
  auto messages = params.find("messages");
  if (messages != params.end() && messages->is_array()) {
    for (const auto& m : *messages) {
      if (!m.is_object()) continue;
      auto role = m.find("role");
      auto content = m.find("content");
      if (role != m.end() && *role == "user" && content != m.end()) {
        last_user = content_text(*content);
        found = true;
      }
    }
  }
  if (!found || last_user.empty()) return "Echo: (no text)";
  std::string out = "Echo: ";
  out += utf8_prefix(last_user, kEchoBytes);
  return out;
}

/// Checks one element of `requests` and appends its compact record; returns the create error.
class RequestCollector {
 public:
  RequestCollector(RequestSet& set, const CreateRules& rules) : set_(set), rules_(rules) {}

  void reset() {
    set_.models.clear();
    set_.requests.clear();
    seen_.clear();
    model_index_.clear();
  }

  std::string add(const json& r, std::size_t i) {
    const std::string loc = "requests." + std::to_string(i);
    if (!r.is_object()) return loc + ": " + kNotAnObject;
    for (const auto& item : r.items()) {
      if (item.key() != "custom_id" && item.key() != "params") {
        return loc + "." + item.key() + ": Extra inputs are not permitted";
      }
    }
    auto cid = r.find("custom_id");
    if (cid == r.end()) return loc + ".custom_id: Field required";
    if (!cid->is_string()) return loc + ".custom_id: Input should be a valid string";
    const auto& custom_id = cid->get_ref<const std::string&>();
    if (custom_id.empty()) return loc + ".custom_id: String should have at least 1 character";
    if (custom_id.size() > kMaxCustomIdLength) {
      return loc + ".custom_id: String should have at most 64 characters";
    }
    if (!is_custom_id_charset(custom_id)) {
      return loc + ".custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'";
    }
    auto [it, inserted] = seen_.emplace(custom_id, i);
    if (!inserted) {
      return loc + ".custom_id: Duplicate custom_id '" + custom_id +
             "': each custom_id must be unique within a batch (first used by requests." +
             std::to_string(it->second) + ")";
    }
    auto params = r.find("params");
    if (params == r.end()) return loc + ".params: Field required";
    if (!params->is_object()) return loc + ".params: Input should be a valid dictionary";

    RequestRecord rec;
    rec.custom_id = custom_id;
    rec.error = check_params(*params);
    if (rec.error.empty()) rec.error = check_request(*params);
    std::string model;
    auto m = params->find("model");
    if (m != params->end() && m->is_string()) model = m->get<std::string>();
    if (rec.error.empty() && !model_known(model, rules_.models)) {
      rec.error = "model: " + model;
      rec.error_type = "not_found_error";
    }
    auto [mit, fresh] = model_index_.emplace(model, static_cast<std::uint32_t>(set_.models.size()));
    if (fresh) set_.models.push_back(model);
    rec.model = mit->second;
    if (rec.error.empty()) {
      rec.max_tokens = *as_integer(params->at("max_tokens"));
      rec.text = echo_text(*params);
      rec.input_tokens = estimate_input_tokens(*params);
      decide_answer(*params, rules_.beta, rec);
    }
    set_.requests.push_back(std::move(rec));
    return "";
  }

 private:
  /// Steps 2-7 of the documented order (check_params did step 1), or "".
  std::string check_request(const json& params) const {
    std::string e = check_keys(params, rules_);
    if (e.empty()) e = check_content_blocks(params, rules_.beta);
    if (e.empty() && rules_.rules_2026_10_21) e = check_2026_10_21_rules(params);
    if (e.empty()) e = check_thinking(params, *as_integer(params.at("max_tokens")));
    if (e.empty()) e = check_tools(params);
    if (e.empty()) e = check_structured_output(params, rules_.beta);
    return e;
  }

  RequestSet& set_;
  const CreateRules& rules_;
  std::unordered_map<std::string, std::size_t> seen_;
  std::unordered_map<std::string, std::uint32_t> model_index_;
};

/// Builds a json value from SAX events (one element of `requests` at a time).
class DomBuilder {
 public:
  bool active() const { return !stack_.empty(); }
  json take() { return std::move(root_); }

  template <typename V>
  void value(V&& v) {
    json* top = stack_.back();
    if (top->is_array()) {
      top->push_back(json(std::forward<V>(v)));
    } else {
      (*top)[key_] = json(std::forward<V>(v));
    }
  }
  void start(json container) {
    if (stack_.empty()) {
      root_ = std::move(container);
      stack_.push_back(&root_);
      return;
    }
    // Pointers on the stack are ancestors of the new child: growing this container cannot
    // move them.
    json* top = stack_.back();
    if (top->is_array()) {
      top->push_back(std::move(container));
      stack_.push_back(&top->back());
    } else {
      json& slot = (*top)[key_];
      slot = std::move(container);
      stack_.push_back(&slot);
    }
  }
  void key(const std::string& k) { key_ = k; }
  /// Returns true when the root closed.
  bool end() {
    stack_.pop_back();
    return stack_.empty();
  }

 private:
  json root_;
  std::vector<json*> stack_;
  std::string key_;
};

/// Streams the create body: only one request's JSON exists at a time, so a 256 MB body costs
/// its compact records, not a full DOM.
class CreateSax {
 public:
  CreateSax(RequestSet& set, const CreateRules& rules) : collector_(set, rules) {}

  std::string error;  // set when parsing stopped on a validation error
  bool saw_requests = false;
  std::size_t count = 0;

  // --- nlohmann SAX interface ---
  bool null() { return scalar(nullptr); }
  bool boolean(bool v) { return scalar(v); }
  bool number_integer(json::number_integer_t v) { return scalar(v); }
  bool number_unsigned(json::number_unsigned_t v) { return scalar(v); }
  bool number_float(json::number_float_t v, const std::string&) { return scalar(v); }
  bool string(std::string& v) { return scalar(v); }
  bool binary(json::binary_t&) { return scalar(nullptr); }

  bool start_object(std::size_t) { return start(json::object()); }
  bool start_array(std::size_t) { return start(json::array()); }
  bool end_object() { return end(); }
  bool end_array() { return end(); }

  bool key(std::string& k) {
    if (dom_.active()) {
      dom_.key(k);
      return true;
    }
    if (skip_depth_ > 0) return true;
    // depth_ == 1: a top-level key.
    if (k != "requests") return fail(k + ": Extra inputs are not permitted");
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    std::string what = e.what();
    auto bracket = what.find("] ");
    if (what.rfind("[json.exception", 0) == 0 && bracket != std::string::npos) {
      what = what.substr(bracket + 2);
    }
    syntax_error = "Request body is not valid JSON: " + what;
    return false;
  }

  std::string syntax_error;

 private:
  enum class Where { top, body, requests };

  bool fail(std::string message) {
    error = std::move(message);
    return false;
  }

  // A value (scalar or container start) in the position `depth_`.
  bool value_position_ok(bool is_object, bool is_array) {
    if (depth_ == 0 && !is_object) return fail(kNotAnObject);
    if (depth_ == 1 && !is_array) return fail("requests: Input should be a valid list");
    if (depth_ == 2 && !is_object) {
      if (count >= kMaxRequestsPerBatch) return true;  // counted below; the size error wins
      return fail("requests." + std::to_string(count) + ": " + kNotAnObject);
    }
    return true;
  }

  template <typename V>
  bool scalar(V&& v) {
    if (dom_.active()) {
      dom_.value(std::forward<V>(v));
      return true;
    }
    if (skip_depth_ > 0) return true;
    if (!value_position_ok(false, false)) return false;
    if (depth_ == 2) ++count;  // only reachable past the size limit
    return true;
  }

  bool start(json container) {
    const bool is_object = container.is_object();
    if (dom_.active()) {
      dom_.start(std::move(container));
      return true;
    }
    if (skip_depth_ > 0) {
      ++skip_depth_;
      return true;
    }
    if (!value_position_ok(is_object, !is_object)) return false;
    if (depth_ == 1) {
      // A repeated "requests" key replaces the earlier one, as with a DOM parser.
      saw_requests = true;
      count = 0;
      collector_.reset();
    }
    if (depth_ == 2) {
      if (count >= kMaxRequestsPerBatch) {
        ++count;
        skip_depth_ = 1;  // count the element, do not build it
        return true;
      }
      dom_.start(std::move(container));
      return true;
    }
    ++depth_;
    return true;
  }

  bool end() {
    if (dom_.active()) {
      if (dom_.end()) {
        json element = dom_.take();
        std::string e = collector_.add(element, count);
        ++count;
        if (!e.empty()) return fail(e);
      }
      return true;
    }
    if (skip_depth_ > 0) {
      --skip_depth_;
      return true;
    }
    --depth_;
    if (depth_ == 1) {  // end of the requests array
      if (count == 0) {
        return fail("requests: List should have at least 1 item after validation, not 0");
      }
      if (count > kMaxRequestsPerBatch) {
        return fail("requests: List should have at most " + std::to_string(kMaxRequestsPerBatch) +
                    " items after validation, not " + std::to_string(count));
      }
    }
    if (depth_ == 0 && !saw_requests) return fail("requests: Field required");
    return true;
  }

  RequestCollector collector_;
  DomBuilder dom_;
  int depth_ = 0;  // open containers outside the element being built
  std::size_t skip_depth_ = 0;
};

}  // namespace

bool uses_2026_10_21_rules(const std::string& anthropic_version) {
  const std::string& v = anthropic_version;
  if (v.size() != 10 || v[4] != '-' || v[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (v[i] < '0' || v[i] > '9') return false;
  }
  return v >= "2026-10-21";  // fixed-width dates compare as strings
}

CreateParseResult parse_create_body(const std::string& body, const CreateRules& rules) {
  CreateParseResult result;
  auto set = std::make_shared<RequestSet>();
  CreateSax sax(*set, rules);
  const bool ok = json::sax_parse(body, &sax);
  if (!ok) {
    result.error = !sax.error.empty() ? sax.error : sax.syntax_error;
    if (result.error.empty()) result.error = "Request body is not valid JSON";
    return result;
  }
  result.requests = std::move(set);
  return result;
}

}  // namespace anthropic::internal::emulator
