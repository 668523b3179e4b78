#include "json/codecs.hpp"
#include "json/reader.hpp"

#include <anthropic/errors.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Batches, list pages and deleted batches (small, cold) are parsed once into a nlohmann DOM and
// the typed values taken out of it, strings moved rather than copied. Results lines (hot: a
// results file can hold 100,000 of them) go through the pull Reader straight into the typed
// values (see LineDecoder). Every failure, nlohmann's included, becomes an
// AnthropicInvalidDataException naming the document and the field:
// "message_batch: `request_counts.processing` is not an integer".

namespace anthropic::json {

namespace {

using Json = nlohmann::json;  // key order does not matter here: nothing is kept raw
using beta::BetaContentBlock;
using beta::BetaErrorResponse;
using beta::BetaMessage;
using beta::BetaUsage;
using beta::messages::BetaDeletedMessageBatch;
using beta::messages::BetaMessageBatch;
using beta::messages::BetaMessageBatchIndividualResponse;
using beta::messages::BetaMessageBatchResult;
using beta::messages::BetaMessageBatchResultType;
using beta::messages::ProcessingStatus;

constexpr std::size_t kNoIndex = static_cast<std::size_t>(-1);

// Where a value sits in the document, built on the stack as the decoder descends; turned into
// text ("content[2].text") only when something fails.
struct Path {
  const Path* parent = nullptr;
  const char* key = nullptr;     // a member name, or null for an array element
  std::size_t index = kNoIndex;  // the element's index

  std::string str() const {
    std::string head = parent ? parent->str() : std::string();
    if (key) {
      if (!head.empty()) head.push_back('.');
      head += key;
    } else {
      head += "[" + std::to_string(index) + "]";
    }
    return head;
  }
};

class Decoder {
 public:
  explicit Decoder(const char* document) : document_(document) {}

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

  BetaMessageBatch batch(Json& obj, const Path* self) const {
    require_object(obj, self);
    BetaMessageBatch b;
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
// Results lines: the hot path. One pass of the pull Reader straight into the typed values, no
// DOM (nlohmann's DOM parse alone runs at about 95 MB/s on typical lines, below the budget).
// Member order does not matter: a union's `type` is looked up first when it is not the first
// member. Objects kept as RawJson are captured from the input as compact text.
class LineDecoder {
 public:
  using Kind = Reader::Kind;

  explicit LineDecoder(Reader& reader) : r_(reader) {}

  BetaMessageBatchIndividualResponse line() {
    BetaMessageBatchIndividualResponse out;
    if (r_.peek() != Kind::object) fail(nullptr, "is not a JSON object");
    r_.begin_object();
    bool first = true;
    bool have_id = false;
    bool have_result = false;
    std::string_view key;
    while (r_.next_key(first, key)) {
      if (key == "custom_id") {
        out.custom_id = req_string(Path{nullptr, "custom_id"});
        have_id = true;
      } else if (key == "result") {
        result(out.result, Path{nullptr, "result"});
        have_result = true;
      } else {
        r_.skip();
      }
    }
    if (!have_id) missing(nullptr, "custom_id");
    if (!have_result) missing(nullptr, "result");
    return out;
  }

 private:
  [[noreturn]] void fail(const Path* path, const char* problem) const {
    std::string msg = r_.document();
    if (path) {
      msg += ": `" + path->str() + "` ";
    } else {
      msg += " ";
    }
    msg += problem;
    throw AnthropicInvalidDataException(msg);
  }

  [[noreturn]] void missing(const Path* parent, const char* key) const {
    Path path{parent, key};
    fail(&path, "is missing");
  }

  std::string req_string(const Path& path) {
    const Kind k = r_.peek();
    if (k == Kind::null) fail(&path, "is null");
    if (k != Kind::string) fail(&path, "is not a string");
    std::string s;
    r_.read_string(s);
    return s;
  }

  std::optional<std::string> opt_string(const Path& path) {  // null: empty
    const Kind k = r_.peek();
    if (k == Kind::null) {
      r_.read_null();
      return std::nullopt;
    }
    if (k != Kind::string) fail(&path, "is not a string");
    std::string s;
    r_.read_string(s);
    return s;
  }

  std::int64_t req_int(const Path& path) {
    const Kind k = r_.peek();
    if (k == Kind::null) fail(&path, "is null");
    if (k != Kind::number) fail(&path, "is not an integer");
    std::int64_t v = 0;
    switch (r_.read_int(v)) {
      case Reader::IntStatus::ok:
        return v;
      case Reader::IntStatus::not_integer:
        fail(&path, "is not an integer");
      case Reader::IntStatus::out_of_range:
        break;
    }
    fail(&path, "is out of range");
  }

  std::optional<std::int64_t> opt_int(const Path& path) {  // null: empty
    if (r_.peek() == Kind::null) {
      r_.read_null();
      return std::nullopt;
    }
    return req_int(path);
  }

  void begin_object(const Path& path) {
    const Kind k = r_.peek();
    if (k == Kind::null) fail(&path, "is null");
    if (k != Kind::object) fail(&path, "is not an object");
    r_.begin_object();
  }

  std::string capture() {
    std::string raw;
    r_.capture(raw);
    return raw;
  }

  // The `type` of the object at the reader's position, which is left unchanged.
  std::string peek_type(const Path& self) {
    const std::size_t start = r_.position();
    r_.begin_object();
    bool first = true;
    std::string_view key;
    while (r_.next_key(first, key)) {
      if (key == "type") {
        std::string type = req_string(Path{&self, "type"});
        r_.rewind(start);
        return type;
      }
      r_.skip();
    }
    missing(&self, "type");
  }

  void result(BetaMessageBatchResult& res, const Path& self) {
    const Kind k = r_.peek();
    if (k == Kind::null) fail(&self, "is null");
    if (k != Kind::object) fail(&self, "is not an object");
    res.type = BetaMessageBatchResultType(peek_type(self));
    const bool succeeded = res.type == BetaMessageBatchResultType::succeeded;
    const bool errored = res.type == BetaMessageBatchResultType::errored;
    if (!succeeded && !errored) {
      if (res.type == BetaMessageBatchResultType::canceled ||
          res.type == BetaMessageBatchResultType::expired) {
        r_.skip();
      } else {
        res.raw = RawJson::unchecked(capture());  // a type the SDK does not know: kept whole
      }
      return;
    }
    r_.begin_object();
    bool first = true;
    bool have = false;
    std::string_view key;
    while (r_.next_key(first, key)) {
      if (succeeded && key == "message") {
        res.message = message(Path{&self, "message"});
        have = true;
      } else if (errored && key == "error") {
        res.error = error_response(Path{&self, "error"});
        have = true;
      } else {
        r_.skip();
      }
    }
    if (!have) missing(&self, succeeded ? "message" : "error");
  }

  BetaMessage message(const Path& self) {
    begin_object(self);
    BetaMessage m;
    bool have_id = false, have_model = false, have_content = false, have_usage = false;
    bool first = true;
    std::string_view key;
    while (r_.next_key(first, key)) {
      if (key == "id") {
        m.id = req_string(Path{&self, "id"});
        have_id = true;
      } else if (key == "type") {
        if (auto type = opt_string(Path{&self, "type"})) m.type = std::move(*type);
      } else if (key == "role") {
        if (auto role = opt_string(Path{&self, "role"})) m.role = std::move(*role);
      } else if (key == "model") {
        m.model = req_string(Path{&self, "model"});
        have_model = true;
      } else if (key == "content") {
        content(m.content, Path{&self, "content"});
        have_content = true;
      } else if (key == "stop_reason") {
        auto reason = opt_string(Path{&self, "stop_reason"});
        m.stop_reason.reset();
        if (reason) m.stop_reason = beta::BetaStopReason(std::move(*reason));
      } else if (key == "stop_sequence") {
        m.stop_sequence = opt_string(Path{&self, "stop_sequence"});
      } else if (key == "usage") {
        usage(m.usage, Path{&self, "usage"});
        have_usage = true;
      } else {
        r_.skip();
      }
    }
    if (!have_id) missing(&self, "id");
    if (!have_model) missing(&self, "model");
    if (!have_content) missing(&self, "content");
    if (!have_usage) missing(&self, "usage");
    return m;
  }

  void content(std::vector<BetaContentBlock>& blocks, const Path& self) {
    const Kind k = r_.peek();
    if (k == Kind::null) fail(&self, "is null");
    if (k != Kind::array) fail(&self, "is not an array");
    blocks.clear();
    r_.begin_array();
    bool first = true;
    std::size_t i = 0;
    while (r_.next_element(first)) {
      blocks.push_back(content_block(Path{&self, nullptr, i++}));
    }
  }

  BetaContentBlock content_block(const Path& self) {
    if (r_.peek() != Kind::object) fail(&self, "is not an object");
    const std::string type = peek_type(self);
    if (type == "text") {
      beta::BetaTextBlock t;
      bool have_text = false;
      for_each_member(self, [&](std::string_view key) {
        if (key == "text") {
          t.text = req_string(Path{&self, "text"});
          have_text = true;
        } else if (key == "citations") {
          t.citations.reset();
          if (r_.peek() == Kind::null) {
            r_.read_null();
          } else {
            t.citations = RawJson::unchecked(capture());
          }
        } else {
          r_.skip();
        }
      });
      if (!have_text) missing(&self, "text");
      return t;
    }
    if (type == "tool_use") {
      beta::BetaToolUseBlock t;
      bool have_id = false, have_name = false, have_input = false;
      for_each_member(self, [&](std::string_view key) {
        if (key == "id") {
          t.id = req_string(Path{&self, "id"});
          have_id = true;
        } else if (key == "name") {
          t.name = req_string(Path{&self, "name"});
          have_name = true;
        } else if (key == "input") {
          t.input = RawJson::unchecked(capture());
          have_input = true;
        } else {
          r_.skip();
        }
      });
      if (!have_id) missing(&self, "id");
      if (!have_name) missing(&self, "name");
      if (!have_input) missing(&self, "input");
      return t;
    }
    if (type == "thinking") {
      beta::BetaThinkingBlock t;
      bool have_thinking = false, have_signature = false;
      for_each_member(self, [&](std::string_view key) {
        if (key == "thinking") {
          t.thinking = req_string(Path{&self, "thinking"});
          have_thinking = true;
        } else if (key == "signature") {
          t.signature = req_string(Path{&self, "signature"});
          have_signature = true;
        } else {
          r_.skip();
        }
      });
      if (!have_thinking) missing(&self, "thinking");
      if (!have_signature) missing(&self, "signature");
      return t;
    }
    if (type == "redacted_thinking") {
      beta::BetaRedactedThinkingBlock t;
      bool have_data = false;
      for_each_member(self, [&](std::string_view key) {
        if (key == "data") {
          t.data = req_string(Path{&self, "data"});
          have_data = true;
        } else {
          r_.skip();
        }
      });
      if (!have_data) missing(&self, "data");
      return t;
    }
    return RawJson::unchecked(capture());  // a block type the SDK does not model
  }

  void usage(BetaUsage& u, const Path& self) {
    bool have_input = false, have_output = false;
    for_each_member(self, [&](std::string_view key) {
      if (key == "input_tokens") {
        u.input_tokens = req_int(Path{&self, "input_tokens"});
        have_input = true;
      } else if (key == "output_tokens") {
        u.output_tokens = req_int(Path{&self, "output_tokens"});
        have_output = true;
      } else if (key == "cache_creation_input_tokens") {
        u.cache_creation_input_tokens = opt_int(Path{&self, "cache_creation_input_tokens"});
      } else if (key == "cache_read_input_tokens") {
        u.cache_read_input_tokens = opt_int(Path{&self, "cache_read_input_tokens"});
      } else if (key == "service_tier") {
        auto tier = opt_string(Path{&self, "service_tier"});
        u.service_tier.reset();
        if (tier) u.service_tier = beta::BetaServiceTier(std::move(*tier));
      } else {
        r_.skip();
      }
    });
    if (!have_input) missing(&self, "input_tokens");
    if (!have_output) missing(&self, "output_tokens");
  }

  BetaErrorResponse error_response(const Path& self) {
    BetaErrorResponse e;
    bool have_error = false;
    for_each_member(self, [&](std::string_view key) {
      if (key == "type") {
        if (auto type = opt_string(Path{&self, "type"})) e.type = std::move(*type);
      } else if (key == "error") {
        const Path inner{&self, "error"};
        bool have_type = false;
        for_each_member(inner, [&](std::string_view inner_key) {
          if (inner_key == "type") {
            e.error_type = req_string(Path{&inner, "type"});
            have_type = true;
          } else if (inner_key == "message") {
            // Lenient on the human-readable part: a line without a message still decodes.
            e.error_message = opt_string(Path{&inner, "message"}).value_or(std::string());
          } else {
            r_.skip();
          }
        });
        if (!have_type) missing(&inner, "type");
        have_error = true;
      } else if (key == "request_id") {
        e.request_id = opt_string(Path{&self, "request_id"});
      } else {
        r_.skip();
      }
    });
    if (!have_error) missing(&self, "error");
    return e;
  }

  // Opens the object at `self` and calls `on_member(key)` for each member; the callback reads
  // or skips the value. (The key view is only valid until the callback reads further.)
  template <class F>
  void for_each_member(const Path& self, F&& on_member) {
    begin_object(self);
    bool first = true;
    std::string_view key;
    while (r_.next_key(first, key)) on_member(key);
  }

  Reader& r_;
};

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

BetaMessageBatch decode_batch(std::string_view text) {
  return guarded("message_batch", [&] {
    Decoder d("message_batch");
    Json doc = d.parse(text);
    return d.batch(doc, nullptr);
  });
}

BetaDeletedMessageBatch decode_deleted_batch(std::string_view text) {
  return guarded("deleted message_batch", [&] {
    Decoder d("deleted message_batch");
    Json doc = d.parse(text);
    d.require_object(doc, nullptr);
    BetaDeletedMessageBatch b;
    b.id = d.req_string(doc, "id", nullptr);
    d.check_type(doc, "message_batch_deleted", nullptr);
    return b;
  });
}

ListPageData decode_list_page(std::string_view text) {
  return guarded("message_batch list page", [&] {
    Decoder d("message_batch list page");
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
    if (Json* has_more = Decoder::nullable(doc, "has_more")) {
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
}

BetaMessageBatchIndividualResponse decode_result_line(std::string_view text) {
  return guarded("results line", [&] {
    Reader reader(text, "results line");
    LineDecoder d(reader);
    auto line = d.line();
    reader.finish();
    return line;
  });
}

}  // namespace anthropic::json
