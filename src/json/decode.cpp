#include "generated/beta_codecs.gen.hpp"
#include "generated/ga_codecs.gen.hpp"
#include "json/codecs.hpp"
#include "json/model_codec.hpp"
#include "json/model_codec_templates.hpp"
#include "json/reader.hpp"

#include <anthropic/errors.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Every document is read once by the pull Reader straight into the typed values, no DOM:
// batches, list pages and deleted batches (small, cold) by the hand-written decoders below,
// results lines (hot: a results file can hold 100,000 of them) by the generated model codecs
// (src/generated/*.gen.cpp) under a hand-written flattened result. Every failure is an
// AnthropicInvalidDataException naming the document and the field:
// "message_batch: `request_counts.processing` is not an integer".

namespace anthropic::internal::json {

namespace {

using messages::BasicMessageBatchIndividualResponse;
using messages::BasicMessageBatchResult;
using messages::DeletedMessageBatch;
using messages::MessageBatch;
using messages::MessageBatchResultType;
using messages::ProcessingStatus;

using model::Decoder;
using model::Path;

// Opens the object of a batch document (or of a list page's element, which names its place).
void begin_document_object(Decoder& d, const Path* path) {
  if (d.r.peek() != Reader::Kind::object) {
    if (path) d.fail(*path, "is not an object");
    d.fail(Path{}, "is not a JSON object");
  }
  d.r.begin_object();
}

// Batches, pages and deleted batches are small: the whole text is checked for syntax first, so
// that malformed JSON is reported as such even after a member with a problem of its own.
void check_syntax(Reader& r) {
  const std::size_t start = r.position();
  r.skip();
  r.finish();
  r.rewind(start);
}

// A required member's value: null is its own error.
void not_null(Decoder& d, const Path& path) {
  if (d.peek_null()) d.fail(path, "is null");
}

// The member `key` of `self` (just read), which must be a string (an id), into `value`.
void read_id(Decoder& d, const Path& self, const char* key, std::string& value) {
  const Path at{&self, key};
  not_null(d, at);
  model::read_value(d, value, at);
}

// A nullable member: true when it holds a value (null is consumed).
bool has_value(Decoder& d) {
  if (!d.peek_null()) return true;
  d.r.read_null();
  return false;
}

// A timestamp must be valid RFC 3339 (any form the API sends: `Z` or an offset, with or
// without a fraction): a value such as "yesterday" or "2024-02-30T25:61:61Z" is an error
// naming the field, not a Timestamp whose time_point() throws later in the caller's code.
void read_timestamp(Decoder& d, Timestamp& t, const Path& path) {
  std::string text;
  model::read_value(d, text, path);
  t = Timestamp(std::move(text));
  if (!t.valid()) d.fail(path, "is not an RFC 3339 timestamp");
}

void read_optional_timestamp(Decoder& d, std::optional<Timestamp>& t, const Path& path) {
  if (has_value(d)) {
    read_timestamp(d, t.emplace(), path);
  } else {
    t.reset();
  }
}

void read_optional_string(Decoder& d, std::optional<std::string>& v, const Path& path) {
  if (has_value(d)) {
    model::read_value(d, v.emplace(), path);
  } else {
    v.reset();
  }
}

// The `type` member, checked when present: it must be the string `expected`.
template <std::size_t N>
void check_type(Decoder& d, const Path& parent, const char (&expected)[N]) {
  const Path path{&parent, "type"};
  if (d.r.peek() != Reader::Kind::string) d.fail(path, "is not a string");
  d.check_const(path, expected);
}

// A request count: a count of requests is never negative.
void read_count(Decoder& d, std::int64_t& n, const Path& path) {
  not_null(d, path);
  model::read_value(d, n, path);
  if (n < 0) d.fail(path, "is negative");
}

void read_counts(Decoder& d, messages::MessageBatchRequestCounts& c, const Path& self) {
  not_null(d, self);
  if (d.r.peek() != Reader::Kind::object) d.fail(self, "is not an object");
  d.r.begin_object();
  model::ExtraSink extra;
  unsigned seen = 0;
  bool first = true;
  std::string_view key;
  static constexpr const char* kNames[] = {"processing", "succeeded", "errored", "canceled",
                                           "expired"};
  std::int64_t* const fields[] = {&c.processing, &c.succeeded, &c.errored, &c.canceled, &c.expired};
  while (d.r.next_key(first, key)) {
    std::size_t i = 0;
    while (i < 5 && key != kNames[i]) ++i;
    if (i == 5) {
      extra.add(d, key);
      continue;
    }
    read_count(d, *fields[i], Path{&self, kNames[i]});
    seen |= 1u << i;
  }
  extra.finish(c.extra_fields);
  for (std::size_t i = 0; i < 5; ++i) {
    if (!(seen & (1u << i))) d.missing(self, kNames[i]);
  }
}

// One batch object, from its opening brace on. `path` is null for a whole document.
void read_batch(Decoder& d, MessageBatch& b, const Path* path) {
  const Path self = path ? *path : Path{};
  begin_document_object(d, path);
  model::ExtraSink extra;
  bool id = false, status = false, counts = false, created = false, expires = false;
  bool first = true;
  std::string_view key;
  while (d.r.next_key(first, key)) {
    if (model::equals(key, "id")) {
      read_id(d, self, "id", b.id);
      id = true;
    } else if (model::equals(key, "type")) {
      check_type(d, self, "message_batch");
    } else if (model::equals(key, "processing_status")) {
      const Path at{&self, "processing_status"};
      not_null(d, at);
      std::string text;
      model::read_value(d, text, at);
      b.processing_status = ProcessingStatus(std::move(text));
      status = true;
    } else if (model::equals(key, "request_counts")) {
      read_counts(d, b.request_counts, Path{&self, "request_counts"});
      counts = true;
    } else if (model::equals(key, "created_at")) {
      const Path at{&self, "created_at"};
      not_null(d, at);
      read_timestamp(d, b.created_at, at);
      created = true;
    } else if (model::equals(key, "expires_at")) {
      const Path at{&self, "expires_at"};
      not_null(d, at);
      read_timestamp(d, b.expires_at, at);
      expires = true;
    } else if (model::equals(key, "ended_at")) {
      read_optional_timestamp(d, b.ended_at, Path{&self, "ended_at"});
    } else if (model::equals(key, "cancel_initiated_at")) {
      read_optional_timestamp(d, b.cancel_initiated_at, Path{&self, "cancel_initiated_at"});
    } else if (model::equals(key, "archived_at")) {
      read_optional_timestamp(d, b.archived_at, Path{&self, "archived_at"});
    } else if (model::equals(key, "results_url")) {
      read_optional_string(d, b.results_url, Path{&self, "results_url"});
    } else {
      extra.add(d, key);
    }
  }
  extra.finish(b.extra_fields);
  if (!id) d.missing(self, "id");
  if (!status) d.missing(self, "processing_status");
  if (!counts) d.missing(self, "request_counts");
  if (!created) d.missing(self, "created_at");
  if (!expires) d.missing(self, "expires_at");
}

}  // namespace

namespace model {

template <class F>
void read_value(Decoder& d, BasicMessageBatchResult<F>& res, const Path& self) {
  std::string tag;
  switch (d.peek_tag(self, "type", tag)) {
    case Decoder::Tag::found:
      break;
    case Decoder::Tag::absent:
      d.missing(self, "type");
    case Decoder::Tag::not_string:
      d.fail(Path{&self, "type"}, "is not a string");
  }
  res.type = MessageBatchResultType(tag);
  const bool succeeded = res.type == MessageBatchResultType::succeeded;
  const bool errored = res.type == MessageBatchResultType::errored;
  if (!succeeded && !errored && res.type != MessageBatchResultType::canceled &&
      res.type != MessageBatchResultType::expired) {
    read_value(d, res.raw.emplace(), self);  // a type the SDK does not know: kept whole
    return;
  }
  d.begin_object(self);
  ExtraSink extra;
  bool have = !succeeded && !errored;
  bool first = true;
  std::string_view key;
  while (d.r.next_key(first, key)) {
    if (model::equals(key, "type")) {
      d.r.skip();
    } else if (succeeded && model::equals(key, "message")) {
      read_value(d, res.message.emplace(), Path{&self, "message"});
      have = true;
    } else if (errored && model::equals(key, "error")) {
      read_value(d, res.error.emplace(), Path{&self, "error"});
      have = true;
    } else {
      extra.add(d, key);
    }
  }
  extra.finish(res.extra_fields);
  if (!have) d.missing(self, succeeded ? "message" : "error");
}

template <class F>
void read_value(Decoder& d, BasicMessageBatchIndividualResponse<F>& line, const Path& self) {
  d.begin_object(self);
  ExtraSink extra;
  bool have_id = false;
  bool have_result = false;
  bool first = true;
  std::string_view key;
  while (d.r.next_key(first, key)) {
    if (model::equals(key, "custom_id")) {
      read_value(d, line.custom_id, Path{&self, "custom_id"});
      have_id = true;
    } else if (model::equals(key, "result")) {
      read_value(d, line.result, Path{&self, "result"});
      have_result = true;
    } else {
      extra.add(d, key);
    }
  }
  extra.finish(line.extra_fields);
  if (!have_id) d.missing(self, "custom_id");
  if (!have_result) d.missing(self, "result");
}

}  // namespace model

MessageBatch decode_batch(std::string_view text) {
  Reader reader(text, "message_batch");
  check_syntax(reader);
  Decoder d(reader);
  MessageBatch b;
  read_batch(d, b, nullptr);
  reader.finish();
  return b;
}

DeletedMessageBatch decode_deleted_batch(std::string_view text) {
  Reader reader(text, "deleted message_batch");
  check_syntax(reader);
  Decoder d(reader);
  DeletedMessageBatch deleted;
  const Path self;
  begin_document_object(d, nullptr);
  model::ExtraSink extra;
  bool id = false;
  bool first = true;
  std::string_view key;
  while (d.r.next_key(first, key)) {
    if (model::equals(key, "id")) {
      read_id(d, self, "id", deleted.id);
      id = true;
    } else if (model::equals(key, "type")) {
      check_type(d, self, "message_batch_deleted");
    } else {
      extra.add(d, key);
    }
  }
  extra.finish(deleted.extra_fields);
  reader.finish();
  if (!id) d.missing(self, "id");
  return deleted;
}

ListPageData decode_list_page(std::string_view text) {
  Reader reader(text, "message_batch list page");
  check_syntax(reader);
  Decoder d(reader);
  ListPageData page;
  const Path self;
  begin_document_object(d, nullptr);
  bool data = false;
  bool first = true;
  std::string_view key;
  while (d.r.next_key(first, key)) {
    if (model::equals(key, "data")) {
      const Path at{&self, "data"};
      not_null(d, at);
      if (d.r.peek() != Reader::Kind::array) d.fail(at, "is not an array");
      page.data.clear();
      d.r.begin_array();
      bool first_item = true;
      for (std::size_t i = 0; d.r.next_element(first_item); ++i) {
        const Path item{&at, nullptr, i};
        read_batch(d, page.data.emplace_back(), &item);
      }
      data = true;
    } else if (model::equals(key, "has_more")) {
      if (has_value(d)) {
        const Path at{&self, "has_more"};
        if (d.r.peek() != Reader::Kind::boolean) d.fail(at, "is not a boolean");
        page.has_more = d.r.read_bool();
      } else {
        page.has_more = true;  // null: as if absent
      }
    } else if (model::equals(key, "first_id")) {
      read_optional_string(d, page.first_id, Path{&self, "first_id"});
    } else if (model::equals(key, "last_id")) {
      read_optional_string(d, page.last_id, Path{&self, "last_id"});
    } else {
      d.r.skip();  // a page has no extra_fields (its batches keep theirs)
    }
  }
  reader.finish();
  if (!data) d.missing(self, "data");
  return page;
}

template <class F>
BasicMessageBatchIndividualResponse<F> decode_result_line(std::string_view text) {
  BasicMessageBatchIndividualResponse<F> line;
  model::decode_document(text, "results line", line);
  return line;
}

template messages::MessageBatchIndividualResponse decode_result_line<messages::GaFamily>(
    std::string_view);
template beta::messages::BetaMessageBatchIndividualResponse
    decode_result_line<beta::messages::BetaFamily>(std::string_view);

}  // namespace anthropic::internal::json

namespace anthropic::messages {

template <class F>
void anthropic_from_json(std::string_view text, BasicMessageBatchResult<F>& value) {
  internal::json::model::decode_document(text, "MessageBatchResult", value);
}

template <class F>
void anthropic_from_json(std::string_view text, BasicMessageBatchIndividualResponse<F>& value) {
  internal::json::model::decode_document(text, "MessageBatchIndividualResponse", value);
}

template void anthropic_from_json(std::string_view, MessageBatchResult&);
template void anthropic_from_json(std::string_view, MessageBatchIndividualResponse&);
template void anthropic_from_json(std::string_view, beta::messages::BetaMessageBatchResult&);
template void anthropic_from_json(std::string_view,
                                  beta::messages::BetaMessageBatchIndividualResponse&);

void anthropic_from_json(std::string_view text, MessageBatch& value) {
  value = internal::json::decode_batch(text);
}

void anthropic_from_json(std::string_view text, DeletedMessageBatch& value) {
  value = internal::json::decode_deleted_batch(text);
}

}  // namespace anthropic::messages
