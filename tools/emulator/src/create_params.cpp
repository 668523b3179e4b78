#include "create_params.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <unordered_map>

#include <nlohmann/json.hpp>

namespace anthropic::emulator::detail {

namespace {

using nlohmann::json;

const char* const kNotAnObject =
    "Input should be a valid dictionary or object to extract fields from";

/// Text of a message `content` (string, or the text blocks of an array), for echo and counts.
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
  for (const char* removed : {"temperature", "top_p", "top_k"}) {
    if (params.contains(removed)) return std::string(removed) + ": Extra inputs are not permitted";
  }
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
  RequestCollector(RequestSet& set, bool rules_2026_10_21)
      : set_(set), rules_2026_10_21_(rules_2026_10_21) {}

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
    if (rec.error.empty() && rules_2026_10_21_) rec.error = check_2026_10_21_rules(*params);
    std::string model;
    auto m = params->find("model");
    if (m != params->end() && m->is_string()) model = m->get<std::string>();
    auto [mit, fresh] = model_index_.emplace(model, static_cast<std::uint32_t>(set_.models.size()));
    if (fresh) set_.models.push_back(model);
    rec.model = mit->second;
    if (rec.error.empty()) {
      rec.max_tokens = *as_integer(params->at("max_tokens"));
      rec.text = echo_text(*params);
      rec.input_tokens = estimate_input_tokens(*params);
    }
    set_.requests.push_back(std::move(rec));
    return "";
  }

 private:
  RequestSet& set_;
  bool rules_2026_10_21_;
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
  CreateSax(RequestSet& set, bool rules_2026_10_21) : collector_(set, rules_2026_10_21) {}

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

CreateParseResult parse_create_body(const std::string& body, bool rules_2026_10_21) {
  CreateParseResult result;
  auto set = std::make_shared<RequestSet>();
  CreateSax sax(*set, rules_2026_10_21);
  const bool ok = json::sax_parse(body, &sax);
  if (!ok) {
    result.error = !sax.error.empty() ? sax.error : sax.syntax_error;
    if (result.error.empty()) result.error = "Request body is not valid JSON";
    return result;
  }
  result.requests = std::move(set);
  return result;
}

}  // namespace anthropic::emulator::detail
