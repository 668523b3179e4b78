#pragma once

// Private: the container codecs of the generated models (lists, maps, unions' encoders). Included
// by the generated codec header *after* it has declared every generated `Codec<T>`
// specialisation, so that these templates see them (a specialisation must be declared before
// the first use of its type).

#include "json/model_codec.hpp"

#include <type_traits>

namespace anthropic::internal::json::model {

template <class T>
void write_value(Writer& w, const std::vector<T>& v) {
  w.ch('[');
  bool first = true;
  for (const T& item : v) {
    if (!first) w.ch(',');
    first = false;
    write_value(w, item);
  }
  w.ch(']');
}

template <class T>
void write_value(Writer& w, const std::map<std::string, T>& v) {
  w.ch('{');
  bool first = true;
  for (const auto& [key, item] : v) {
    if (!first) w.ch(',');
    first = false;
    w.str(key);
    w.ch(':');
    write_value(w, item);
  }
  w.ch('}');
}

// A union member the SDK does not model (RawJson, last) must be a JSON object: every union of
// the schema has object members (an unknown block, tool, source, ...).
template <class... T>
void write_value(Writer& w, const std::variant<T...>& v) {
  std::visit(
      [&](const auto& alt) {
        if constexpr (std::is_same_v<std::decay_t<decltype(alt)>, RawJson>) {
          if (!alt.is_object()) {
            throw AnthropicInvalidRequestException(
                "a union member given as RawJson must be a JSON object");
          }
        }
        write_value(w, alt);
      },
      v);
}

template <class T>
void read_value(Decoder& d, std::vector<T>& v, const Path& path) {
  const Reader::Kind k = d.r.peek();
  if (k != Reader::Kind::array) fail_kind(d, path, k, "is not an array");
  v.clear();
  d.r.begin_array();
  bool first = true;
  std::size_t i = 0;
  while (d.r.next_element(first)) {
    read_value(d, v.emplace_back(), Path{&path, nullptr, i++});
  }
}

template <class T>
void read_value(Decoder& d, std::map<std::string, T>& v, const Path& path) {
  d.begin_object(path);
  v.clear();
  bool first = true;
  std::string_view key;
  while (d.r.next_key(first, key)) {
    std::string name(key);
    read_value(d, v[name], path);
  }
}

// Reads `text` as one whole document into `value`; `document` names it in errors. With
// `any_enum_value`, a value of a closed enum the SDK does not know is kept (see Decoder).
template <class T>
void decode_document(std::string_view text, const char* document, T& value,
                     bool any_enum_value = false) {
  Reader reader(text, document);
  Decoder d(reader);
  d.any_enum_value = any_enum_value;
  read_value(d, value, Path{});
  reader.finish();
}

template <class T>
std::string encode_document(const T& value) {
  std::string out;
  Writer w{out};
  write_value(w, value);
  return out;
}

}  // namespace anthropic::internal::json::model
