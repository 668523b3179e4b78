#include <anthropic/beta/messages/batch_create_body.hpp>
#include <anthropic/errors.hpp>

#include <nlohmann/json.hpp>

#include "json/codecs.hpp"

#include <algorithm>
#include <unordered_set>

namespace anthropic::beta::messages {

namespace {

// Printable excerpt of a caller-supplied string for an error message.
std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s.substr(0, 80)) out.push_back(static_cast<unsigned char>(c) < 0x20 ? '?' : c);
  if (s.size() > 80) out += "...";
  return out + "\"";
}

std::string at(std::size_t index) { return "requests[" + std::to_string(index) + "]"; }

}  // namespace

bool is_valid_custom_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

struct BatchCreateBodyBuilder::State {
  std::size_t max_body_bytes;
  std::string body = R"({"requests":[)";
  std::size_t count = 0;
  std::unordered_set<std::string> ids;

  // Checks the id and the count before anything of the request is written.
  void begin(std::string_view custom_id) {
    if (count >= kMaxRequests) {
      throw AnthropicInvalidRequestException(
          "a batch holds at most 100,000 requests; " + at(count) + " is one too many", count);
    }
    if (!is_valid_custom_id(custom_id)) {
      throw AnthropicInvalidRequestException(at(count) + ".custom_id " + quoted(custom_id) +
                                                 " must be 1 to 64 characters of [a-zA-Z0-9_-]",
                                             count);
    }
    if (!ids.emplace(custom_id).second) {
      throw AnthropicInvalidRequestException(
          at(count) + ".custom_id " + quoted(custom_id) +
              " is used by an earlier request; custom_id must be unique within a batch",
          count);
    }
    if (count > 0) body.push_back(',');
  }

  void end(std::size_t size_before) {
    if (body.size() + 2 > max_body_bytes) {
      body.resize(size_before);
      throw AnthropicInvalidRequestException("the batch body would exceed the API's limit of " +
                                                 std::to_string(max_body_bytes) + " bytes at " +
                                                 at(count) + "; split the batch",
                                             count);
    }
    ++count;
  }
};

BatchCreateBodyBuilder::BatchCreateBodyBuilder(std::size_t max_body_bytes)
    : state_(std::make_unique<State>()) {
  state_->max_body_bytes = max_body_bytes;
}
BatchCreateBodyBuilder::BatchCreateBodyBuilder(BatchCreateBodyBuilder&&) noexcept = default;
BatchCreateBodyBuilder& BatchCreateBodyBuilder::operator=(BatchCreateBodyBuilder&&) noexcept =
    default;
BatchCreateBodyBuilder::~BatchCreateBodyBuilder() = default;

void BatchCreateBodyBuilder::reserve(std::size_t body_bytes) {
  state_->body.reserve(std::min(body_bytes, state_->max_body_bytes));
}

void BatchCreateBodyBuilder::add(const BetaMessageBatchCreateParams::Request& request) {
  State& s = *state_;
  std::size_t before = s.body.size();
  s.begin(request.custom_id);
  try {
    json::write_create_request(s.body, request);
  } catch (const AnthropicInvalidRequestException& e) {
    s.body.resize(before);
    s.ids.erase(request.custom_id);
    throw AnthropicInvalidRequestException(at(s.count) + ": " + e.what(), s.count);
  }
  s.end(before);
}

void BatchCreateBodyBuilder::add_raw(std::string_view custom_id, std::string_view params_json) {
  State& s = *state_;
  auto first = params_json.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || params_json[first] != '{' ||
      !nlohmann::json::accept(params_json)) {
    throw AnthropicInvalidRequestException(at(s.count) + ".params must be a JSON object", s.count);
  }
  std::size_t before = s.body.size();
  s.begin(custom_id);
  s.body += R"({"custom_id":)";
  json::append_json_string(s.body, custom_id);
  s.body += R"(,"params":)";
  s.body.append(params_json);
  s.body.push_back('}');
  s.end(before);
}

std::size_t BatchCreateBodyBuilder::request_count() const noexcept { return state_->count; }
std::size_t BatchCreateBodyBuilder::body_bytes() const noexcept { return state_->body.size(); }

EncodedBatchCreateParams BatchCreateBodyBuilder::finish(
    std::vector<std::string> betas, std::optional<std::string> user_profile_id) && {
  if (state_->count == 0) {
    throw AnthropicInvalidRequestException("a batch needs at least one request");
  }
  state_->body += "]}";
  EncodedBatchCreateParams out;
  out.body = std::move(state_->body);
  out.request_count = state_->count;
  out.betas = std::move(betas);
  out.user_profile_id = std::move(user_profile_id);
  state_.reset();
  return out;
}

}  // namespace anthropic::beta::messages
