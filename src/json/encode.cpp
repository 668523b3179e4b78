#include "generated/beta_codecs.gen.hpp"
#include "generated/ga_codecs.gen.hpp"
#include "json/codecs.hpp"
#include "json/model_codec.hpp"
#include "json/text.hpp"

#include <anthropic/errors.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

// The create body is written straight from the typed params into one std::string: no JSON tree.
// The params are written by the generated encoder (src/generated/beta_codecs_*.gen.cpp); this file
// adds the create request envelope and the results line types (hand-written, flattened); string
// escaping is json/text.hpp.

namespace anthropic::internal::json {

namespace {

using messages::BasicMessageBatchCreateParams;
using messages::BasicMessageBatchIndividualResponse;
using messages::BasicMessageBatchResult;

// The size of a request's JSON for reserving the body: exact for the common shapes (string or
// text-block messages), an allowance for the rest; numbers at their longest. Reads no string
// bytes, only their sizes.
template <class F>
std::size_t estimate_params(const typename F::MessageCreateParams& p) {
  std::size_t n = 58 + p.model.str().size();
  for (const typename F::MessageParam& m : p.messages) {
    n += 28;
    if (const auto* text = std::get_if<std::string>(&m.content)) {
      n += text->size();
    } else if (const auto* blocks =
                   std::get_if<std::vector<typename F::ContentBlockParam>>(&m.content)) {
      for (const auto& b : *blocks) {
        n += 32;
        if (const auto* t = std::get_if<typename F::TextBlockParam>(&b)) n += t->text.size();
      }
    }
  }
  if (p.system) {
    if (const auto* text = std::get_if<std::string>(&*p.system)) n += text->size() + 12;
  }
  if (p.tools) n += 256 * p.tools->size();
  if (p.extra_fields) n += p.extra_fields->str().size();
  return n;
}

}  // namespace

namespace model {

std::string not_accepted_text(std::string_view value, const std::string_view* known,
                              std::size_t count) {
  std::string out;
  text::append_excerpt(out, value, 80);  // printable, valid UTF-8, whatever the caller gave
  out += ", not one of the values the API accepts (";
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) out += ", ";
    out.push_back('"');
    out.append(known[i].data(), known[i].size());
    out.push_back('"');
  }
  return out + ")";
}

template <class F>
void write_value(Writer& w, const BasicMessageBatchResult<F>& r) {
  if (r.raw) {
    write_value(w, *r.raw);
    return;
  }
  ObjectOut o(w, r.extra_fields);
  if (o.key(R"(,"type":)")) w.str(r.type.str());
  if (o.key(R"(,"message":)", r.message.has_value())) write_value(w, *r.message);
  if (o.key(R"(,"error":)", r.error.has_value())) write_value(w, *r.error);
  o.finish();
}

template <class F>
void write_value(Writer& w, const BasicMessageBatchIndividualResponse<F>& r) {
  ObjectOut o(w, r.extra_fields);
  if (o.key(R"(,"custom_id":)")) w.str(r.custom_id);
  if (o.key(R"(,"result":)")) write_value(w, r.result);
  o.finish();
}

void write_value(Writer& w, const messages::MessageBatchRequestCounts& c) {
  ObjectOut o(w, c.extra_fields);
  if (o.key(R"(,"processing":)")) write_value(w, c.processing);
  if (o.key(R"(,"succeeded":)")) write_value(w, c.succeeded);
  if (o.key(R"(,"errored":)")) write_value(w, c.errored);
  if (o.key(R"(,"canceled":)")) write_value(w, c.canceled);
  if (o.key(R"(,"expired":)")) write_value(w, c.expired);
  o.finish();
}

// A required nullable member: written as null when empty.
template <class T>
void write_nullable(Writer& w, const std::optional<T>& v) {
  if (v) {
    write_value(w, *v);
  } else {
    w.lit("null");
  }
}

void write_value(Writer& w, const messages::MessageBatch& b) {
  ObjectOut o(w, b.extra_fields);
  if (o.key(R"(,"id":)")) w.str(b.id);
  if (o.key(R"(,"type":)")) w.str(b.type);
  if (o.key(R"(,"processing_status":)")) w.str(b.processing_status.str());
  if (o.key(R"(,"request_counts":)")) write_value(w, b.request_counts);
  if (o.key(R"(,"ended_at":)")) write_nullable(w, b.ended_at);
  if (o.key(R"(,"created_at":)")) write_value(w, b.created_at);
  if (o.key(R"(,"expires_at":)")) write_value(w, b.expires_at);
  if (o.key(R"(,"archived_at":)")) write_nullable(w, b.archived_at);
  if (o.key(R"(,"cancel_initiated_at":)")) write_nullable(w, b.cancel_initiated_at);
  if (o.key(R"(,"results_url":)")) write_nullable(w, b.results_url);
  o.finish();
}

void write_value(Writer& w, const messages::DeletedMessageBatch& b) {
  ObjectOut o(w, b.extra_fields);
  if (o.key(R"(,"id":)")) w.str(b.id);
  if (o.key(R"(,"type":)")) w.str(b.type);
  o.finish();
}

}  // namespace model

template <class F>
void write_create_request(std::string& out,
                          const typename BasicMessageBatchCreateParams<F>::Request& request) {
  const std::size_t before = out.size();
  try {
    model::Writer w{out};
    w.lit(R"({"custom_id":)");
    w.str(request.custom_id);
    w.lit(R"(,"params":)");
    model::write_value(w, request.params);
    w.ch('}');
  } catch (...) {
    out.resize(before);
    throw;
  }
}

template <class F>
std::size_t measure_create_request(
    const typename BasicMessageBatchCreateParams<F>::Request& request) noexcept {
  return 26 + request.custom_id.size() + estimate_params<F>(request.params);
}

#define ANTHROPIC_INSTANTIATE_CREATE(F)                                                    \
  template void write_create_request<F>(std::string&,                                      \
                                        const BasicMessageBatchCreateParams<F>::Request&); \
  template std::size_t measure_create_request<F>(                                          \
      const BasicMessageBatchCreateParams<F>::Request&) noexcept;
ANTHROPIC_INSTANTIATE_CREATE(messages::GaFamily)
ANTHROPIC_INSTANTIATE_CREATE(beta::messages::BetaFamily)
#undef ANTHROPIC_INSTANTIATE_CREATE

}  // namespace anthropic::internal::json

namespace anthropic {

namespace {
template <class T>
std::string encode(const T& value) {
  std::string out;
  internal::json::model::Writer w{out};
  internal::json::model::write_value(w, value);
  return out;
}
}  // namespace

template <class F>
std::string to_json(const messages::BasicMessageBatchResult<F>& value) {
  return encode(value);
}

template <class F>
std::string to_json(const messages::BasicMessageBatchIndividualResponse<F>& value) {
  return encode(value);
}

template std::string to_json(const messages::MessageBatchResult&);
template std::string to_json(const messages::MessageBatchIndividualResponse&);
template std::string to_json(const beta::messages::BetaMessageBatchResult&);
template std::string to_json(const beta::messages::BetaMessageBatchIndividualResponse&);

std::string to_json(const messages::MessageBatch& value) { return encode(value); }
std::string to_json(const messages::DeletedMessageBatch& value) { return encode(value); }

}  // namespace anthropic
