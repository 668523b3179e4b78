#pragma once

#include <anthropic/export.hpp>

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace anthropic {

/// A JSON value kept as its compact text: tool input schemas, tool inputs, extra request fields,
/// and whatever the server sends that the SDK does not model yet (kept verbatim, never dropped).
///
/// A value type: copies are independent strings; thread safety as a `std::string`.
///
/// Built from text (validated and made compact), or from any JSON object with a `dump()` member,
/// such as `nlohmann::json`, without this header depending on that library:
///
///     anthropic::RawJson schema(R"({"type":"object","properties":{}})");
///     anthropic::RawJson same(nlohmann::json{{"type", "object"}});
class ANTHROPIC_EXPORT RawJson {
 public:
  /// JSON `null`.
  RawJson() : text_("null") {}
  /// Parses `json`; throws `AnthropicInvalidRequestException` when it is not valid JSON.
  explicit RawJson(std::string_view json);
  /// As the `std::string_view` constructor.
  explicit RawJson(const char* json) : RawJson(std::string_view(json)) {}
  /// As the `std::string_view` constructor.
  explicit RawJson(const std::string& json) : RawJson(std::string_view(json)) {}

  /// From a JSON library value with `std::string dump() const` (e.g. `nlohmann::json`).
  template <class Json, class = std::enable_if_t<std::is_convertible_v<
                            decltype(std::declval<const Json&>().dump()), std::string>>>
  RawJson(const Json& value) : text_(value.dump()) {}  // NOLINT: implicit on purpose

  /// Wraps text the caller guarantees to be valid, compact JSON (used by the decoders).
  static RawJson unchecked(std::string compact_json) {
    RawJson r;
    r.text_ = std::move(compact_json);
    return r;
  }

  /// The compact JSON text.
  const std::string& str() const noexcept { return text_; }
  /// Whether the value is JSON `null`.
  bool is_null() const noexcept { return text_ == "null"; }
  /// Whether the value is a JSON object.
  bool is_object() const noexcept { return !text_.empty() && text_.front() == '{'; }

  ///@{
  /// Compares the compact text: objects with the same members in another order differ.
  friend bool operator==(const RawJson& a, const RawJson& b) { return a.text_ == b.text_; }
  friend bool operator!=(const RawJson& a, const RawJson& b) { return !(a == b); }
  ///@}

 private:
  std::string text_;
};

}  // namespace anthropic
