#pragma once

// The hand-written conveniences of the generated model types, written once for both families: the
// factories declared through EXTRA_MEMBERS in codegen/generate.py are defined in
// src/message_param.cpp (GA) and src/beta/beta_message_param.cpp (beta) on these templates.
// Private to the library.

#include <anthropic/json.hpp>
#include <anthropic/raw_json.hpp>

#include "json/reader.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace anthropic::internal::model_factories {

/// A block (image or document) whose `source` is a `Source` with the one member `member` set; the
/// source's tag and constant members (`media_type` of a PDF) are written by its encoder.
template <class Block, class Source>
Block with_source(std::string Source::*member, std::string value) {
  Source s;
  s.*member = std::move(value);
  Block b;
  b.source = std::move(s);
  return b;
}

/// An image block with base64 data of the given media type.
template <class Block, class Source>
Block base64_image(std::string media_type, std::string data) {
  Source s;
  s.media_type = std::move(media_type);
  s.data = std::move(data);
  Block b;
  b.source = std::move(s);
  return b;
}

/// A text block with just its text.
template <class TextBlock>
TextBlock text_block(std::string text) {
  TextBlock b;
  b.text = std::move(text);
  return b;
}

/// A `{role, content}` message; `content` is a string or a list of blocks.
template <class Param, class Content>
Param message(decltype(Param::role) role, Content content) {
  Param m;
  m.role = std::move(role);
  m.content = typename Param::Content(std::move(content));
  return m;
}

/// A tool's input schema from a whole JSON Schema object (decoded like one from the wire).
template <class InputSchema>
InputSchema input_schema(const RawJson& schema) {
  return anthropic::from_json<InputSchema>(schema.str());
}

/// The string member `name` ("type" or "message") of an error object, read from its JSON (so that
/// it works for a member the SDK does not model, kept as RawJson); empty when it has none, also
/// when the RawJson is not an object (which the encoder would refuse).
template <class ErrorObject>
std::string error_member(const ErrorObject& error, std::string_view name) {
  const RawJson* raw = std::get_if<RawJson>(&error);
  const std::string text = raw ? raw->str() : anthropic::to_json(error);
  json::Reader r(text, "error object");
  if (r.peek() != json::Reader::Kind::object) return {};
  r.begin_object();
  bool first = true;
  std::string_view key;
  while (r.next_key(first, key)) {
    if (key == name && r.peek() == json::Reader::Kind::string) {
      std::string out;
      r.read_string(out);
      return out;
    }
    r.skip();
  }
  return {};
}

}  // namespace anthropic::internal::model_factories
