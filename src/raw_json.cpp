#include <anthropic/errors.hpp>
#include <anthropic/raw_json.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace anthropic {

namespace {

constexpr std::size_t kMaxQuoted = 100;  // characters of the input quoted in an error message

// A short, printable, single-line excerpt of `text` for an error message.
std::string quote(std::string_view text) {
  std::string out;
  std::string_view head = text.substr(0, kMaxQuoted);
  out.reserve(head.size() + 5);
  out.push_back('`');
  for (char c : head) {
    unsigned char u = static_cast<unsigned char>(c);
    out.push_back((u < 0x20 || u >= 0x7f) ? '?' : c);
  }
  if (text.size() > kMaxQuoted) out += "...";
  out.push_back('`');
  return out;
}

}  // namespace

// Key order is kept (ordered_json): a tool's input schema is sent as the caller wrote it.
RawJson::RawJson(std::string_view json) {
  try {
    text_ = nlohmann::ordered_json::parse(json.begin(), json.end()).dump();
  } catch (const nlohmann::json::exception& e) {
    // e.what() names the byte position ("parse error at line 1, column 7: ..."), not the input.
    std::string reason = e.what();
    if (reason.size() > 200) reason.resize(200);
    throw AnthropicInvalidRequestException("invalid JSON: " + reason + " in " + quote(json));
  }
}

}  // namespace anthropic
