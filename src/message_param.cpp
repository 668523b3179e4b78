// The hand-written factories of the GA Messages model (declared in the generated
// <anthropic/generated/models.gen.hpp> through EXTRA_MEMBERS in codegen/generate.py) and the
// error object helpers of <anthropic/message.hpp>. The logic is shared with the beta family
// (src/beta/beta_message_param.cpp) in src/model_factories.hpp.

#include <anthropic/message_param.hpp>

// After the model header: the templates call the generated to_json / from_json.
#include "model_factories.hpp"

#include <utility>

namespace anthropic {

namespace f = internal::model_factories;

ImageBlockParam ImageBlockParam::base64(std::string media_type, std::string data) {
  return f::base64_image<ImageBlockParam, Base64ImageSource>(std::move(media_type),
                                                             std::move(data));
}

ImageBlockParam ImageBlockParam::url(std::string url) {
  return f::with_source<ImageBlockParam>(&URLImageSource::url, std::move(url));
}

ImageBlockParam ImageBlockParam::file(std::string file_id) {
  return f::with_source<ImageBlockParam>(&FileImageSource::file_id, std::move(file_id));
}

DocumentBlockParam DocumentBlockParam::pdf_base64(std::string data) {
  return f::with_source<DocumentBlockParam>(&Base64PDFSource::data, std::move(data));
}

DocumentBlockParam DocumentBlockParam::plain_text(std::string text) {
  return f::with_source<DocumentBlockParam>(&PlainTextSource::data, std::move(text));
}

DocumentBlockParam DocumentBlockParam::pdf_url(std::string url) {
  return f::with_source<DocumentBlockParam>(&URLPDFSource::url, std::move(url));
}

DocumentBlockParam DocumentBlockParam::file(std::string file_id) {
  return f::with_source<DocumentBlockParam>(&FileDocumentSource::file_id, std::move(file_id));
}

TextBlockParam TextBlockParam::of(std::string text) {
  return f::text_block<TextBlockParam>(std::move(text));
}

MessageParam MessageParam::user(std::string text) {
  return f::message<MessageParam>(Role::user, std::move(text));
}

MessageParam MessageParam::user(std::vector<ContentBlockParam> blocks) {
  return f::message<MessageParam>(Role::user, std::move(blocks));
}

MessageParam MessageParam::assistant(std::string text) {
  return f::message<MessageParam>(Role::assistant, std::move(text));
}

MessageParam MessageParam::assistant(std::vector<ContentBlockParam> blocks) {
  return f::message<MessageParam>(Role::assistant, std::move(blocks));
}

Tool_InputSchema Tool_InputSchema::from_raw(const RawJson& schema) {
  return f::input_schema<Tool_InputSchema>(schema);
}

std::string error_type(const ErrorObject& error) { return f::error_member(error, "type"); }

std::string error_message(const ErrorObject& error) { return f::error_member(error, "message"); }

}  // namespace anthropic
