#pragma once

#include <string>
#include <string_view>

namespace anthropic {

/// Decodes `text` into the model type `T` (any generated model type: an object, a union or an
/// enum): `anthropic::from_json<anthropic::beta::BetaMessage>(line)`. Members the SDK does not
/// model land in `extra_fields`; a union member it does not know is kept whole as `RawJson`.
/// Throws `AnthropicInvalidDataException` naming the path of the offending value
/// (`BetaMessage: \`content[2].text\` is missing`). The encoder is the overload set
/// `anthropic::to_json(const T&)`, declared beside each type; `to_json(from_json<T>(s))` equals
/// `s` as JSON.
template <class T>
T from_json(std::string_view text) {
  T value;
  anthropic_from_json(text, value);  // found by argument-dependent lookup beside T
  return value;
}

}  // namespace anthropic
