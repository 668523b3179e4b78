#include "json/codecs.hpp"
#include "json/text.hpp"

#include <anthropic/errors.hpp>

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

// The create body is written straight from the typed params into one std::string: no JSON tree.
// write_create_body first walks the params with a counting sink (string lengths, no byte
// scanning) to reserve the output once, then walks them again with the writing sink; escaping
// that makes the body longer than the estimate is covered by a slack.

namespace anthropic::json {

namespace {

using beta::BetaCacheControlEphemeral;
using beta::BetaContentBlockParam;
using beta::BetaImageBlockParam;
using beta::BetaMessageCreateParams;
using beta::BetaMessageParam;
using beta::BetaRedactedThinkingBlockParam;
using beta::BetaRequestDocumentBlock;
using beta::BetaTextBlockParam;
using beta::BetaThinkingBlockParam;
using beta::BetaThinkingConfigParam;
using beta::BetaTool;
using beta::BetaToolChoice;
using beta::BetaToolResultBlockParam;
using beta::BetaToolResultContentBlock;
using beta::BetaToolUseBlockParam;
using beta::messages::BetaMessageBatchCreateParams;

// ---------------------------------------------------------------------------------------------
// String escaping

void append_escape(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out.append("\\\"", 2);
      return;
    case '\\':
      out.append("\\\\", 2);
      return;
    case '\n':
      out.append("\\n", 2);
      return;
    case '\r':
      out.append("\\r", 2);
      return;
    case '\t':
      out.append("\\t", 2);
      return;
    case '\b':
      out.append("\\b", 2);
      return;
    case '\f':
      out.append("\\f", 2);
      return;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out.append(esc, 6);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Sinks: the same walk either measures (CountSink) or writes (StringSink).

struct StringSink {
  static constexpr bool kCounting = false;
  std::string& out;

  void lit(std::string_view s) { out.append(s.data(), s.size()); }
  void ch(char c) { out.push_back(c); }
  void str(std::string_view s) { append_json_string(out, s); }
  void raw(std::string_view s) { out.append(s.data(), s.size()); }
  void boolean(bool b) { b ? out.append("true", 4) : out.append("false", 5); }
  void i64(std::int64_t v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, static_cast<std::size_t>(r.ptr - buf));
  }
  void dbl(double v) {  // finite (checked by the caller); shortest text that round-trips
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, static_cast<std::size_t>(r.ptr - buf));
  }
};

struct CountSink {
  static constexpr bool kCounting = true;
  std::size_t n = 0;

  void lit(std::string_view s) { n += s.size(); }
  void ch(char) { ++n; }
  void str(std::string_view s) { n += s.size() + 2; }
  void raw(std::string_view s) { n += s.size(); }
  void boolean(bool) { n += 5; }
  void i64(std::int64_t) { n += 20; }
  void dbl(double) { n += 24; }
};

// ---------------------------------------------------------------------------------------------
// The walk

template <class Sink>
class RequestWriter {
 public:
  RequestWriter(Sink& sink, std::optional<std::size_t> index) : s_(sink), index_(index) {}

  void request(const BetaMessageBatchCreateParams::Request& r) {
    s_.lit(R"({"custom_id":)");
    s_.str(r.custom_id);
    s_.lit(R"(,"params":)");
    params(r.params);
    s_.ch('}');
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    std::string msg = index_ ? "requests[" + std::to_string(*index_) + "]: " : std::string();
    throw AnthropicInvalidRequestException(msg + what, index_);
  }

  // A RawJson written where the API expects an object.
  void raw_object(const RawJson& v, const char* field) {
    if (!v.is_object()) fail(std::string("`") + field + "` must be a JSON object");
    s_.raw(v.str());
  }
  void raw_value(const RawJson& v, const char* field) {
    if (v.str().empty()) fail(std::string("`") + field + "` is empty (not JSON)");
    s_.raw(v.str());
  }
  void finite(double v, const char* field) {
    if (!std::isfinite(v)) fail(std::string("`") + field + "` is not a finite number");
    s_.dbl(v);
  }

  // ----- params, with extra_fields merged in

  // Writes `,"key":` then the value: the extra member named `key` when there is one, else the
  // modelled value when `present`. Returns without writing when neither.
  template <class F>
  void field(std::string_view key_with_comma, std::string_view key, bool present, F&& write) {
    if constexpr (!Sink::kCounting) {
      if (extras_) {
        auto it = extras_->begin();
        while (it != extras_->end() && it->first != key) ++it;
        if (it != extras_->end()) {
          s_.lit(key_with_comma);
          s_.raw(it->second.dump());
          used_[static_cast<std::size_t>(it - extras_->begin())] = true;
          return;
        }
      }
    }
    if (!present) return;
    s_.lit(key_with_comma);
    write();
  }

  void params(const BetaMessageCreateParams& p) {
    nlohmann::ordered_json extras;
    if (p.extra_fields) {
      if (!p.extra_fields->is_object()) fail("`params.extra_fields` must be a JSON object");
      if constexpr (Sink::kCounting) {
        s_.raw(p.extra_fields->str());
      } else {
        try {
          extras = nlohmann::ordered_json::parse(p.extra_fields->str());
        } catch (const nlohmann::json::exception& e) {
          fail(std::string("`params.extra_fields` is not valid JSON: ") + e.what());
        }
        if (!extras.is_object()) fail("`params.extra_fields` must be a JSON object");
        if (!extras.empty()) {
          extras_ = &extras.get_ref<const nlohmann::ordered_json::object_t&>();
          used_.assign(extras_->size(), false);
        }
      }
    }

    field(R"({"model":)", "model", true, [&] { s_.str(p.model); });
    field(R"(,"max_tokens":)", "max_tokens", true, [&] { s_.i64(p.max_tokens); });
    field(R"(,"messages":)", "messages", true, [&] {
      s_.ch('[');
      bool first = true;
      for (const BetaMessageParam& m : p.messages) {
        if (!first) s_.ch(',');
        first = false;
        message(m);
      }
      s_.ch(']');
    });
    field(R"(,"system":)", "system", p.system.has_value(), [&] {
      if (const auto* text = std::get_if<std::string>(&*p.system)) {
        s_.str(*text);
      } else {
        s_.ch('[');
        bool first = true;
        for (const BetaTextBlockParam& b : std::get<std::vector<BetaTextBlockParam>>(*p.system)) {
          if (!first) s_.ch(',');
          first = false;
          text_block(b);
        }
        s_.ch(']');
      }
    });
    field(R"(,"metadata":)", "metadata", p.metadata.has_value(), [&] {
      if (p.metadata->user_id) {
        s_.lit(R"({"user_id":)");
        s_.str(*p.metadata->user_id);
        s_.ch('}');
      } else {
        s_.lit("{}");
      }
    });
    field(R"(,"stop_sequences":)", "stop_sequences", p.stop_sequences.has_value(), [&] {
      s_.ch('[');
      bool first = true;
      for (const std::string& seq : *p.stop_sequences) {
        if (!first) s_.ch(',');
        first = false;
        s_.str(seq);
      }
      s_.ch(']');
    });
    field(R"(,"temperature":)", "temperature", p.temperature.has_value(),
          [&] { finite(*p.temperature, "params.temperature"); });
    field(R"(,"top_k":)", "top_k", p.top_k.has_value(), [&] { s_.i64(*p.top_k); });
    field(R"(,"top_p":)", "top_p", p.top_p.has_value(), [&] { finite(*p.top_p, "params.top_p"); });
    field(R"(,"tools":)", "tools", p.tools.has_value(), [&] {
      s_.ch('[');
      bool first = true;
      for (const beta::BetaToolUnion& t : *p.tools) {
        if (!first) s_.ch(',');
        first = false;
        if (const auto* tool = std::get_if<BetaTool>(&t)) {
          custom_tool(*tool);
        } else {
          raw_object(std::get<RawJson>(t), "params.tools[]");
        }
      }
      s_.ch(']');
    });
    field(R"(,"tool_choice":)", "tool_choice", p.tool_choice.has_value(),
          [&] { tool_choice(*p.tool_choice); });
    field(R"(,"thinking":)", "thinking", p.thinking.has_value(), [&] { thinking(*p.thinking); });
    field(R"(,"cache_control":)", "cache_control", p.cache_control.has_value(),
          [&] { cache_control(*p.cache_control); });
    field(R"(,"service_tier":)", "service_tier", p.service_tier.has_value(),
          [&] { s_.str(*p.service_tier); });

    if constexpr (!Sink::kCounting) {
      if (extras_) {  // the members that name no modelled field, in their order
        std::size_t i = 0;
        for (auto it = extras_->begin(); it != extras_->end(); ++it, ++i) {
          if (used_[i]) continue;
          s_.ch(',');
          s_.str(it->first);
          s_.ch(':');
          s_.raw(it->second.dump());
        }
        extras_ = nullptr;
      }
    }
    s_.ch('}');
  }

  // ----- messages and blocks

  void message(const BetaMessageParam& m) {
    s_.lit(R"({"role":)");
    s_.str(m.role.str());
    s_.lit(R"(,"content":)");
    if (const auto* text = std::get_if<std::string>(&m.content)) {
      s_.str(*text);
    } else {
      s_.ch('[');
      bool first = true;
      for (const BetaContentBlockParam& b :
           std::get<std::vector<BetaContentBlockParam>>(m.content)) {
        if (!first) s_.ch(',');
        first = false;
        content_block(b);
      }
      s_.ch(']');
    }
    s_.ch('}');
  }

  void content_block(const BetaContentBlockParam& b) {
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, BetaTextBlockParam>) {
            text_block(v);
          } else if constexpr (std::is_same_v<T, BetaImageBlockParam>) {
            image_block(v);
          } else if constexpr (std::is_same_v<T, BetaRequestDocumentBlock>) {
            document_block(v);
          } else if constexpr (std::is_same_v<T, BetaToolUseBlockParam>) {
            s_.lit(R"({"type":"tool_use","id":)");
            s_.str(v.id);
            s_.lit(R"(,"name":)");
            s_.str(v.name);
            s_.lit(R"(,"input":)");
            raw_object(v.input, "tool_use.input");
            optional_cache_control(v.cache_control);
            s_.ch('}');
          } else if constexpr (std::is_same_v<T, BetaToolResultBlockParam>) {
            tool_result_block(v);
          } else if constexpr (std::is_same_v<T, BetaThinkingBlockParam>) {
            s_.lit(R"({"type":"thinking","thinking":)");
            s_.str(v.thinking);
            s_.lit(R"(,"signature":)");
            s_.str(v.signature);
            s_.ch('}');
          } else if constexpr (std::is_same_v<T, BetaRedactedThinkingBlockParam>) {
            s_.lit(R"({"type":"redacted_thinking","data":)");
            s_.str(v.data);
            s_.ch('}');
          } else {
            static_assert(std::is_same_v<T, RawJson>);
            raw_object(v, "content[] (raw block)");
          }
        },
        b);
  }

  void text_block(const BetaTextBlockParam& b) {
    s_.lit(R"({"type":"text","text":)");
    s_.str(b.text);
    optional_cache_control(b.cache_control);
    if (b.citations) {
      s_.lit(R"(,"citations":)");
      raw_value(*b.citations, "text.citations");
    }
    s_.ch('}');
  }

  void image_block(const BetaImageBlockParam& b) {
    if (b.source_type == BetaImageBlockParam::SourceType::url) {
      s_.lit(R"({"type":"image","source":{"type":"url","url":)");
      s_.str(b.data);
    } else {
      s_.lit(R"({"type":"image","source":{"type":"base64","media_type":)");
      s_.str(b.media_type);
      s_.lit(R"(,"data":)");
      s_.str(b.data);
    }
    s_.ch('}');
    optional_cache_control(b.cache_control);
    s_.ch('}');
  }

  void document_block(const BetaRequestDocumentBlock& b) {
    switch (b.source_type) {
      case BetaRequestDocumentBlock::SourceType::base64_pdf:
        s_.lit(
            R"({"type":"document","source":{"type":"base64","media_type":"application/pdf","data":)");
        break;
      case BetaRequestDocumentBlock::SourceType::plain_text:
        s_.lit(R"({"type":"document","source":{"type":"text","media_type":"text/plain","data":)");
        break;
      case BetaRequestDocumentBlock::SourceType::url:
        s_.lit(R"({"type":"document","source":{"type":"url","url":)");
        break;
    }
    s_.str(b.data);
    s_.ch('}');
    if (b.title) {
      s_.lit(R"(,"title":)");
      s_.str(*b.title);
    }
    if (b.context) {
      s_.lit(R"(,"context":)");
      s_.str(*b.context);
    }
    if (b.citations_enabled) {
      s_.lit(R"(,"citations":{"enabled":)");
      s_.boolean(*b.citations_enabled);
      s_.ch('}');
    }
    optional_cache_control(b.cache_control);
    s_.ch('}');
  }

  void tool_result_block(const BetaToolResultBlockParam& b) {
    s_.lit(R"({"type":"tool_result","tool_use_id":)");
    s_.str(b.tool_use_id);
    if (b.content) {
      s_.lit(R"(,"content":)");
      if (const auto* text = std::get_if<std::string>(&*b.content)) {
        s_.str(*text);
      } else {
        s_.ch('[');
        bool first = true;
        for (const BetaToolResultContentBlock& c :
             std::get<std::vector<BetaToolResultContentBlock>>(*b.content)) {
          if (!first) s_.ch(',');
          first = false;
          if (const auto* t = std::get_if<BetaTextBlockParam>(&c)) {
            text_block(*t);
          } else if (const auto* i = std::get_if<BetaImageBlockParam>(&c)) {
            image_block(*i);
          } else if (const auto* d = std::get_if<BetaRequestDocumentBlock>(&c)) {
            document_block(*d);
          } else {
            raw_object(std::get<RawJson>(c), "tool_result.content[] (raw block)");
          }
        }
        s_.ch(']');
      }
    }
    if (b.is_error) {
      s_.lit(R"(,"is_error":)");
      s_.boolean(*b.is_error);
    }
    optional_cache_control(b.cache_control);
    s_.ch('}');
  }

  // ----- small shapes

  void cache_control(const BetaCacheControlEphemeral& c) {
    if (c.ttl) {
      s_.lit(R"({"type":"ephemeral","ttl":)");
      s_.str(*c.ttl);
      s_.ch('}');
    } else {
      s_.lit(R"({"type":"ephemeral"})");
    }
  }

  void optional_cache_control(const std::optional<BetaCacheControlEphemeral>& c) {
    if (!c) return;
    s_.lit(R"(,"cache_control":)");
    cache_control(*c);
  }

  void custom_tool(const BetaTool& t) {
    s_.lit(R"({"name":)");
    s_.str(t.name);
    if (t.description) {
      s_.lit(R"(,"description":)");
      s_.str(*t.description);
    }
    s_.lit(R"(,"input_schema":)");
    raw_object(t.input_schema, "tools[].input_schema");
    optional_cache_control(t.cache_control);
    if (t.strict) {
      s_.lit(R"(,"strict":)");
      s_.boolean(*t.strict);
    }
    s_.ch('}');
  }

  void tool_choice(const BetaToolChoice& c) {
    switch (c.type) {
      case BetaToolChoice::Type::auto_:
        s_.lit(R"({"type":"auto")");
        break;
      case BetaToolChoice::Type::any:
        s_.lit(R"({"type":"any")");
        break;
      case BetaToolChoice::Type::tool:
        s_.lit(R"({"type":"tool")");
        break;
      case BetaToolChoice::Type::none:
        s_.lit(R"({"type":"none")");
        break;
    }
    if (c.name) {
      s_.lit(R"(,"name":)");
      s_.str(*c.name);
    }
    if (c.disable_parallel_tool_use) {
      s_.lit(R"(,"disable_parallel_tool_use":)");
      s_.boolean(*c.disable_parallel_tool_use);
    }
    s_.ch('}');
  }

  void thinking(const BetaThinkingConfigParam& t) {
    switch (t.type) {
      case BetaThinkingConfigParam::Type::enabled:
        s_.lit(R"({"type":"enabled")");
        if (t.budget_tokens) {
          s_.lit(R"(,"budget_tokens":)");
          s_.i64(*t.budget_tokens);
        }
        break;
      case BetaThinkingConfigParam::Type::disabled:
        s_.lit(R"({"type":"disabled"})");  // takes no other member
        return;
      case BetaThinkingConfigParam::Type::adaptive:
        s_.lit(R"({"type":"adaptive")");
        break;
    }
    if (t.display) {
      s_.lit(R"(,"display":)");
      s_.str(*t.display);
    }
    s_.ch('}');
  }

  Sink& s_;
  std::optional<std::size_t> index_;
  const nlohmann::ordered_json::object_t* extras_ = nullptr;
  std::vector<bool> used_;
};

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* const end = p + s.size();
  const auto* run = p;  // start of the bytes not yet copied
  using text::all_plain8;
  using text::kPlain;
  using text::load8;
  auto flush = [&] {
    out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p - run));
  };
  while (p < end) {
    while (end - p >= 8) {
      if (!all_plain8(load8(p))) break;
      p += 8;
    }
    if (p == end) break;
    const unsigned char c = *p;
    if (kPlain.plain[c]) {
      ++p;
    } else if (c >= 0x80) {
      const int n = text::utf8_sequence(p, end);
      if (n > 0) {
        p += n;  // well-formed: stays in the run
      } else {
        flush();
        out.append("\xEF\xBF\xBD", 3);  // U+FFFD
        p += -n;
        run = p;
      }
    } else {
      flush();
      append_escape(out, c);
      ++p;
      run = p;
    }
  }
  flush();
  out.push_back('"');
}

void write_create_request(std::string& out,
                          const beta::messages::BetaMessageBatchCreateParams::Request& request) {
  StringSink sink{out};
  RequestWriter<StringSink>(sink, std::nullopt).request(request);
}

std::size_t measure_create_request(
    const beta::messages::BetaMessageBatchCreateParams::Request& request) noexcept {
  CountSink count;
  try {
    RequestWriter<CountSink>(count, std::nullopt).request(request);
  } catch (...) {
    return 0;  // invalid: writing it reports the error
  }
  return count.n;
}

void write_create_body(std::string& out,
                       const beta::messages::BetaMessageBatchCreateParams& params) {
  const auto& requests = params.requests;
  // Pass 1: measure (and validate) without touching string bytes.
  CountSink count;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    RequestWriter<CountSink>(count, i).request(requests[i]);
  }
  const std::size_t estimate = count.n + requests.size() + 16;
  out.reserve(out.size() + estimate + estimate / 16 + 4096);  // slack for escapes

  // Pass 2: write.
  StringSink sink{out};
  sink.lit(R"({"requests":[)");
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (i != 0) sink.ch(',');
    RequestWriter<StringSink>(sink, i).request(requests[i]);
  }
  sink.lit("]}");
}

}  // namespace anthropic::json
