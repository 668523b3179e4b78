#include "generated/beta_codecs.gen.hpp"
#include "generated/ga_codecs.gen.hpp"
#include "json/codecs.hpp"
#include "json/model_codec.hpp"
#include "json/reader.hpp"

#include <anthropic/errors.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Batches, list pages and deleted batches (small, cold) are parsed once into a nlohmann DOM and
// the typed values taken out of it, strings moved rather than copied. Results lines (hot: a
// results file can hold 100,000 of them) go through the pull Reader straight into the typed
// values (see decode_result_line). Every failure, nlohmann's included, becomes an
// AnthropicInvalidDataException naming the document and the field:
// "message_batch: `request_counts.processing` is not an integer".

namespace anthropic::internal::json {

namespace {

using Json = nlohmann::json;  // key order does not matter: unknown members come from the text
using messages::BasicMessageBatchIndividualResponse;
using messages::BasicMessageBatchResult;
using messages::DeletedMessageBatch;
using messages::MessageBatch;
using messages::MessageBatchResultType;
using messages::ProcessingStatus;

using model::Path;

class DomDecoder {
 public:
  explicit DomDecoder(const char* document) : document_(document) {}

  Json parse(std::string_view text) const {
    try {
      return Json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::exception& e) {
      // nlohmann quotes the last token read: keep it short and printable.
      std::string reason = e.what();
      if (reason.size() > 200) reason.resize(200);
      for (char& c : reason) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x7f) c = '?';
      }
      throw AnthropicInvalidDataException(std::string(document_) + ": malformed JSON (" + reason +
                                          ")");
    }
  }

  [[noreturn]] void fail(const Path* path, const char* problem) const {
    std::string msg = document_;
    if (path) {
      msg += ": `" + path->str() + "` ";
    } else {
      msg += " ";
    }
    msg += problem;
    throw AnthropicInvalidDataException(msg);
  }

  void require_object(Json& v, const Path* path) const {
    if (!v.is_object()) fail(path, path ? "is not an object" : "is not a JSON object");
  }

  // The member `key` of `obj`, or null when absent.
  static Json* find(Json& obj, const char* key) {
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
  }

  Json& required(Json& obj, const Path& path) const {
    Json* v = find(obj, path.key);
    if (!v) fail(&path, "is missing");
    if (v->is_null()) fail(&path, "is null");
    return *v;
  }

  // Null or absent: nullptr.
  static Json* nullable(Json& obj, const char* key) {
    Json* v = find(obj, key);
    return v && !v->is_null() ? v : nullptr;
  }

  std::string take_string(Json& v, const Path& path) const {
    if (!v.is_string()) fail(&path, "is not a string");
    return std::move(v.get_ref<std::string&>());
  }

  std::int64_t to_int(const Json& v, const Path& path) const {
    if (v.is_number_unsigned()) {
      auto u = v.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        fail(&path, "is out of range");
      }
      return static_cast<std::int64_t>(u);
    }
    if (!v.is_number_integer()) fail(&path, "is not an integer");
    return v.get<std::int64_t>();
  }

  std::string req_string(Json& obj, const char* key, const Path* parent) const {
    Path path{parent, key};
    return take_string(required(obj, path), path);
  }

  std::optional<std::string> opt_string(Json& obj, const char* key, const Path* parent) const {
    Json* v = nullable(obj, key);
    if (!v) return std::nullopt;
    return take_string(*v, Path{parent, key});
  }

  std::int64_t req_int(Json& obj, const char* key, const Path* parent) const {
    Path path{parent, key};
    return to_int(required(obj, path), path);
  }

  Json& req_object(Json& obj, const Path& path) const {
    Json& v = required(obj, path);
    if (!v.is_object()) fail(&path, "is not an object");
    return v;
  }

  Json& req_array(Json& obj, const Path& path) const {
    Json& v = required(obj, path);
    if (!v.is_array()) fail(&path, "is not an array");
    return v;
  }

  // A `type` member that, when present, must equal `expected`.
  void check_type(Json& obj, const char* expected, const Path* parent) const {
    Json* v = find(obj, "type");
    if (!v) return;
    Path path{parent, "type"};
    if (!v->is_string()) fail(&path, "is not a string");
    if (v->get_ref<const std::string&>() != expected) {
      fail(&path, (std::string("is not \"") + expected + "\"").c_str());
    }
  }

  // ----- batches

  MessageBatch batch(Json& obj, const Path* self) const {
    require_object(obj, self);
    MessageBatch b;
    b.id = req_string(obj, "id", self);
    check_type(obj, "message_batch", self);
    b.processing_status = ProcessingStatus(req_string(obj, "processing_status", self));

    Path counts_path{self, "request_counts"};
    Json& counts = req_object(obj, counts_path);
    b.request_counts.processing = req_count(counts, "processing", &counts_path);
    b.request_counts.succeeded = req_count(counts, "succeeded", &counts_path);
    b.request_counts.errored = req_count(counts, "errored", &counts_path);
    b.request_counts.canceled = req_count(counts, "canceled", &counts_path);
    b.request_counts.expired = req_count(counts, "expired", &counts_path);

    b.created_at = req_timestamp(obj, "created_at", self);
    b.expires_at = req_timestamp(obj, "expires_at", self);
    b.ended_at = opt_timestamp(obj, "ended_at", self);
    b.cancel_initiated_at = opt_timestamp(obj, "cancel_initiated_at", self);
    b.archived_at = opt_timestamp(obj, "archived_at", self);
    b.results_url = opt_string(obj, "results_url", self);
    return b;
  }

  // A request count: a count of requests is never negative.
  std::int64_t req_count(Json& obj, const char* key, const Path* parent) const {
    Path path{parent, key};
    std::int64_t n = to_int(required(obj, path), path);
    if (n < 0) fail(&path, "is negative");
    return n;
  }

  // A timestamp must be valid RFC 3339 (any form the API sends: `Z` or an offset, with or
  // without a fraction): a value such as "yesterday" or "2024-02-30T25:61:61Z" is an error
  // naming the field, not a Timestamp whose time_point() throws later in the caller's code.
  Timestamp timestamp(std::string text, const Path& path) const {
    Timestamp t(std::move(text));
    if (!t.valid()) fail(&path, "is not an RFC 3339 timestamp");
    return t;
  }

  Timestamp req_timestamp(Json& obj, const char* key, const Path* parent) const {
    return timestamp(req_string(obj, key, parent), Path{parent, key});
  }

  std::optional<Timestamp> opt_timestamp(Json& obj, const char* key, const Path* parent) const {
    auto text = opt_string(obj, key, parent);
    if (!text) return std::nullopt;
    return timestamp(std::move(*text), Path{parent, key});
  }

 private:
  const char* document_;
};

// ---------------------------------------------------------------------------------------------
// Results lines: the hot path. The pull Reader straight into the generated model types
// (src/generated/beta_codecs_*.gen.cpp), no DOM; the flattened result itself is hand-written.

// The members a batch object does not model, verbatim. The DOM above checks and types the
// document but re-orders keys and re-prints numbers, so the unknown members are taken from the
// text by a second pass with the pull Reader (batches are small and cold).
bool is_one_of(std::string_view key, std::initializer_list<std::string_view> known) {
  return std::find(known.begin(), known.end(), key) != known.end();
}

void batch_extras(model::Decoder& d, MessageBatch& b) {
  d.r.begin_object();
  model::ExtraSink extra;
  bool first = true;
  std::string_view key;
  while (d.r.next_key(first, key)) {
    if (model::equals(key, "request_counts") && d.r.peek() == Reader::Kind::object) {
      d.r.begin_object();
      model::ExtraSink counts;
      bool first_count = true;
      std::string_view count;
      while (d.r.next_key(first_count, count)) {
        if (is_one_of(count, {"processing", "succeeded", "errored", "canceled", "expired"})) {
          d.r.skip();
        } else {
          counts.add(d, count);
        }
      }
      counts.finish(b.request_counts.extra_fields);
    } else if (is_one_of(key, {"id", "type", "processing_status", "request_counts", "created_at",
                               "expires_at", "ended_at", "cancel_initiated_at", "archived_at",
                               "results_url"})) {
      d.r.skip();
    } else {
      extra.add(d, key);
    }
  }
  extra.finish(b.extra_fields);
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

template <class T>
void decode_line_document(std::string_view text, const char* document, T& value) {
  Reader reader(text, document);
  Decoder d(reader);
  read_value(d, value, Path{});
  reader.finish();
}

}  // namespace model

namespace {

// Runs `f`, turning any stray nlohmann exception into AnthropicInvalidDataException (the
// decoders check types before every access, so none is expected).
template <class F>
auto guarded(const char* document, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const nlohmann::json::exception& e) {
    throw AnthropicInvalidDataException(std::string(document) + ": " + e.what());
  }
}

}  // namespace

MessageBatch decode_batch(std::string_view text) {
  MessageBatch b = guarded("message_batch", [&] {
    DomDecoder d("message_batch");
    Json doc = d.parse(text);
    return d.batch(doc, nullptr);
  });
  Reader reader(text, "message_batch");
  model::Decoder d(reader);
  batch_extras(d, b);
  return b;
}

DeletedMessageBatch decode_deleted_batch(std::string_view text) {
  DeletedMessageBatch deleted = guarded("deleted message_batch", [&] {
    DomDecoder d("deleted message_batch");
    Json doc = d.parse(text);
    d.require_object(doc, nullptr);
    DeletedMessageBatch b;
    b.id = d.req_string(doc, "id", nullptr);
    d.check_type(doc, "message_batch_deleted", nullptr);
    return b;
  });
  Reader reader(text, "deleted message_batch");
  model::Decoder d(reader);
  d.r.begin_object();
  model::ExtraSink extra;
  bool first = true;
  std::string_view key;
  while (d.r.next_key(first, key)) {
    if (model::equals(key, "id") || model::equals(key, "type")) {
      d.r.skip();
    } else {
      extra.add(d, key);
    }
  }
  extra.finish(deleted.extra_fields);
  return deleted;
}

ListPageData decode_list_page(std::string_view text) {
  ListPageData result = guarded("message_batch list page", [&] {
    DomDecoder d("message_batch list page");
    Json doc = d.parse(text);
    d.require_object(doc, nullptr);
    ListPageData page;
    Path data_path{nullptr, "data"};
    Json& data = d.req_array(doc, data_path);
    page.data.reserve(data.size());
    std::size_t i = 0;
    for (Json& item : data) {
      Path item_path{&data_path, nullptr, i++};
      page.data.push_back(d.batch(item, &item_path));
    }
    if (Json* has_more = DomDecoder::nullable(doc, "has_more")) {
      if (!has_more->is_boolean()) {
        Path has_more_path{nullptr, "has_more"};
        d.fail(&has_more_path, "is not a boolean");
      }
      page.has_more = has_more->get<bool>();
    }
    page.first_id = d.opt_string(doc, "first_id", nullptr);
    page.last_id = d.opt_string(doc, "last_id", nullptr);
    return page;
  });
  Reader reader(text, "message_batch list page");
  model::Decoder d(reader);
  d.r.begin_object();
  bool first = true;
  std::string_view key;
  while (d.r.next_key(first, key)) {
    if (key != "data") {
      d.r.skip();
      continue;
    }
    d.r.begin_array();
    bool first_item = true;
    for (std::size_t i = 0; d.r.next_element(first_item); ++i) {
      if (i < result.data.size()) {
        batch_extras(d, result.data[i]);
      } else {
        d.r.skip();
      }
    }
  }
  return result;
}

template <class F>
BasicMessageBatchIndividualResponse<F> decode_result_line(std::string_view text) {
  BasicMessageBatchIndividualResponse<F> line;
  model::decode_line_document(text, "results line", line);
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
  internal::json::model::decode_line_document(text, "MessageBatchResult", value);
}

template <class F>
void anthropic_from_json(std::string_view text, BasicMessageBatchIndividualResponse<F>& value) {
  internal::json::model::decode_line_document(text, "MessageBatchIndividualResponse", value);
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
