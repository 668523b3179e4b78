// The hand-written factories of the beta Messages model (declared in the generated
// <anthropic/beta/generated/beta_models.gen.hpp> through EXTRA_MEMBERS in codegen/generate.py)
// and the error object helpers of <anthropic/beta/beta_message.hpp>. The logic is shared with the
// GA family (src/message_param.cpp) in src/model_factories.hpp.

#include <anthropic/beta/beta_message_param.hpp>

// After the model header: the templates call the generated to_json / from_json.
#include "model_factories.hpp"

#include <utility>

namespace anthropic::beta {

namespace f = internal::model_factories;

BetaImageBlockParam BetaImageBlockParam::base64(std::string media_type, std::string data) {
  return f::base64_image<BetaImageBlockParam, BetaBase64ImageSource>(std::move(media_type),
                                                                     std::move(data));
}

BetaImageBlockParam BetaImageBlockParam::url(std::string url) {
  return f::with_source<BetaImageBlockParam>(&BetaURLImageSource::url, std::move(url));
}

BetaImageBlockParam BetaImageBlockParam::file(std::string file_id) {
  return f::with_source<BetaImageBlockParam>(&BetaFileImageSource::file_id, std::move(file_id));
}

BetaRequestDocumentBlock BetaRequestDocumentBlock::pdf_base64(std::string data) {
  return f::with_source<BetaRequestDocumentBlock>(&BetaBase64PDFSource::data, std::move(data));
}

BetaRequestDocumentBlock BetaRequestDocumentBlock::plain_text(std::string text) {
  return f::with_source<BetaRequestDocumentBlock>(&BetaPlainTextSource::data, std::move(text));
}

BetaRequestDocumentBlock BetaRequestDocumentBlock::pdf_url(std::string url) {
  return f::with_source<BetaRequestDocumentBlock>(&BetaURLPDFSource::url, std::move(url));
}

BetaRequestDocumentBlock BetaRequestDocumentBlock::file(std::string file_id) {
  return f::with_source<BetaRequestDocumentBlock>(&BetaFileDocumentSource::file_id,
                                                  std::move(file_id));
}

BetaTextBlockParam BetaTextBlockParam::of(std::string text) {
  return f::text_block<BetaTextBlockParam>(std::move(text));
}

BetaMessageParam BetaMessageParam::user(std::string text) {
  return f::message<BetaMessageParam>(Role::user, std::move(text));
}

BetaMessageParam BetaMessageParam::user(std::vector<BetaContentBlockParam> blocks) {
  return f::message<BetaMessageParam>(Role::user, std::move(blocks));
}

BetaMessageParam BetaMessageParam::assistant(std::string text) {
  return f::message<BetaMessageParam>(Role::assistant, std::move(text));
}

BetaMessageParam BetaMessageParam::assistant(std::vector<BetaContentBlockParam> blocks) {
  return f::message<BetaMessageParam>(Role::assistant, std::move(blocks));
}

BetaTool_InputSchema BetaTool_InputSchema::from_raw(const RawJson& schema) {
  return f::input_schema<BetaTool_InputSchema>(schema);
}

std::string error_type(const BetaErrorObject& error) { return f::error_member(error, "type"); }

std::string error_message(const BetaErrorObject& error) {
  return f::error_member(error, "message");
}

}  // namespace anthropic::beta
