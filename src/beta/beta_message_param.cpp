#include <anthropic/beta/beta_message_param.hpp>

#include "json/reader.hpp"

#include <utility>

namespace anthropic::beta {

BetaImageBlockParam BetaImageBlockParam::base64(std::string media_type, std::string data) {
  BetaImageBlockParam b;
  BetaBase64ImageSource s;
  s.media_type = std::move(media_type);
  s.data = std::move(data);
  b.source = std::move(s);
  return b;
}

BetaImageBlockParam BetaImageBlockParam::url(std::string url) {
  BetaImageBlockParam b;
  BetaURLImageSource s;
  s.url = std::move(url);
  b.source = std::move(s);
  return b;
}

BetaImageBlockParam BetaImageBlockParam::file(std::string file_id) {
  BetaImageBlockParam b;
  BetaFileImageSource s;
  s.file_id = std::move(file_id);
  b.source = std::move(s);
  return b;
}

BetaRequestDocumentBlock BetaRequestDocumentBlock::pdf_base64(std::string data) {
  BetaRequestDocumentBlock b;
  BetaBase64PDFSource s;
  s.data = std::move(data);
  b.source = std::move(s);
  return b;
}

BetaRequestDocumentBlock BetaRequestDocumentBlock::plain_text(std::string text) {
  BetaRequestDocumentBlock b;
  BetaPlainTextSource s;
  s.data = std::move(text);
  b.source = std::move(s);
  return b;
}

BetaRequestDocumentBlock BetaRequestDocumentBlock::pdf_url(std::string url) {
  BetaRequestDocumentBlock b;
  BetaURLPDFSource s;
  s.url = std::move(url);
  b.source = std::move(s);
  return b;
}

BetaRequestDocumentBlock BetaRequestDocumentBlock::file(std::string file_id) {
  BetaRequestDocumentBlock b;
  BetaFileDocumentSource s;
  s.file_id = std::move(file_id);
  b.source = std::move(s);
  return b;
}

BetaTextBlockParam BetaTextBlockParam::of(std::string text) {
  BetaTextBlockParam b;
  b.text = std::move(text);
  return b;
}

namespace {

BetaMessageParam message(Role role, BetaMessageParam::Content content) {
  BetaMessageParam m;
  m.role = std::move(role);
  m.content = std::move(content);
  return m;
}

// `name` ("type" or "message") of an error object, read from its JSON.
std::string error_member(const BetaErrorObject& error, std::string_view name) {
  const std::string text = anthropic::to_json(error);
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

}  // namespace

BetaMessageParam BetaMessageParam::user(std::string text) {
  return message(Role::user, std::move(text));
}

BetaMessageParam BetaMessageParam::user(std::vector<BetaContentBlockParam> blocks) {
  return message(Role::user, std::move(blocks));
}

BetaMessageParam BetaMessageParam::assistant(std::string text) {
  return message(Role::assistant, std::move(text));
}

BetaMessageParam BetaMessageParam::assistant(std::vector<BetaContentBlockParam> blocks) {
  return message(Role::assistant, std::move(blocks));
}

std::string error_type(const BetaErrorObject& error) { return error_member(error, "type"); }

std::string error_message(const BetaErrorObject& error) { return error_member(error, "message"); }

}  // namespace anthropic::beta

namespace anthropic::beta {

BetaTool_InputSchema BetaTool_InputSchema::from_raw(const RawJson& schema) {
  return anthropic::from_json<BetaTool_InputSchema>(schema.str());
}

}  // namespace anthropic::beta
