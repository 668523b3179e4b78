#pragma once

// Private: the primitives the generated model codecs (src/generated/*.gen.cpp) are written in.
// Encoding appends compact JSON straight to a std::string (no tree); decoding walks the pull
// Reader (no DOM). Hand-written; the generator only calls these.
//
// Contract of the generated codecs:
// - members the SDK does not model are captured verbatim into `extra_fields` (a compact JSON
//   object); on encode they are merged in: a member named like a modelled field replaces it in
//   place, the others follow the modelled ones in their order;
// - an *optional* field that arrives as explicit `null` is kept as `"name":null` in
//   `extra_fields` (the typed field stays empty), so that it round-trips;
// - a required nullable field is written as `null` when empty; an optional one is omitted.

#include "json/codecs.hpp"
#include "json/reader.hpp"

#include <anthropic/box.hpp>
#include <anthropic/errors.hpp>
#include <anthropic/raw_json.hpp>
#include <anthropic/timestamp.hpp>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace anthropic::internal::json::model {

constexpr std::size_t kNoIndex = static_cast<std::size_t>(-1);

/// Where a value sits in the document, built on the stack while descending; text only on error.
struct Path {
  const Path* parent = nullptr;
  const char* key = nullptr;     // a member name, or null for an array element
  std::size_t index = kNoIndex;  // the element's index

  std::string str() const {
    std::string head = parent ? parent->str() : std::string();
    if (key) {
      if (!head.empty()) head.push_back('.');
      head += key;
    } else if (index != kNoIndex) {
      head += "[" + std::to_string(index) + "]";
    }
    return head;
  }
};

// ---------------------------------------------------------------------------------------------
// Encoding

struct Writer {
  std::string& out;

  void lit(std::string_view s) { out.append(s.data(), s.size()); }
  void ch(char c) { out.push_back(c); }
  void str(std::string_view s) { append_json_string(out, s); }
};

/// `extra_fields` parsed for a merge: its members as (name, compact value).
class Extras {
 public:
  explicit Extras(const std::optional<RawJson>& extra) {
    if (!extra) return;
    const std::string& text = extra->str();
    if (text == "{}") return;
    if (!extra->is_object()) {
      throw AnthropicInvalidRequestException("`extra_fields` must be a JSON object");
    }
    try {
      Reader r(text, "extra_fields");
      r.begin_object();
      bool first = true;
      std::string_view key;
      while (r.next_key(first, key)) {
        Member m;
        m.name.assign(key.data(), key.size());
        r.capture(m.value);
        members_.push_back(std::move(m));
      }
    } catch (const AnthropicInvalidDataException& e) {
      throw AnthropicInvalidRequestException(std::string("`extra_fields` is not valid JSON: ") +
                                             e.what());
    }
  }

  bool empty() const noexcept { return members_.empty(); }

  // The value of the member `name` (marked used), or null.
  const std::string* take(std::string_view name) {
    for (Member& m : members_) {
      if (!m.used && m.name == name) {
        m.used = true;
        return &m.value;
      }
    }
    return nullptr;
  }

  template <class F>
  void for_each_unused(F&& f) const {
    for (const Member& m : members_) {
      if (!m.used) f(m.name, m.value);
    }
  }

 private:
  struct Member {
    std::string name;
    std::string value;
    bool used = false;
  };
  std::vector<Member> members_;
};

/// Writes one object: `key(name)` opens a member (and returns false when an extra member of
/// that name was written in its place); `finish()` adds the remaining extras and `}`.
class ObjectOut {
 public:
  ObjectOut(Writer& w, const std::optional<RawJson>& extra) : w_(w) {
    w_.ch('{');
    if (extra) extras_.emplace(extra);
  }

  /// Opens a member when `present`; `member` is its pre-quoted `,"name":`. Returns whether the
  /// caller writes its value. An extra member of that name is written here instead (also when
  /// the modelled one is absent, so that a member keeps its place whatever held it: re-encoding
  /// a decoded value is stable).
  bool key(std::string_view member, bool present = true) {
    if (extras_ && !extras_->empty()) {
      if (const std::string* v = extras_->take(member.substr(2, member.size() - 4))) {
        open(member);
        w_.lit(*v);
        return false;
      }
    }
    if (!present) return false;
    open(member);
    return true;
  }

  void finish() {
    if (extras_) {
      extras_->for_each_unused([&](const std::string& name, const std::string& value) {
        if (!first_) w_.ch(',');
        first_ = false;
        w_.str(name);
        w_.ch(':');
        w_.lit(value);
      });
    }
    w_.ch('}');
  }

 private:
  void open(std::string_view member) {
    if (first_) {
      first_ = false;
      w_.out.append(member.data() + 1, member.size() - 1);
    } else {
      w_.out.append(member.data(), member.size());
    }
  }

  Writer& w_;
  bool first_ = true;
  std::optional<Extras> extras_;
};

/// `ObjectOut` for a value without extra_fields: every member literal is written with its
/// leading comma, and `finish()` turns the first one into the `{` (or writes `{}`), so a member
/// costs one presence test and one append.
class PlainObjectOut {
 public:
  explicit PlainObjectOut(Writer& w) : w_(w), start_(w.out.size()) {}

  bool key(std::string_view member, bool present = true) {
    if (present) w_.out.append(member.data(), member.size());
    return present;
  }

  void finish() {
    if (w_.out.size() == start_) {
      w_.out.append("{}", 2);
    } else {
      w_.out[start_] = '{';
      w_.out.push_back('}');
    }
  }

 private:
  Writer& w_;
  std::size_t start_;
};

inline void write_value(Writer& w, const std::string& v) { w.str(v); }
inline void write_value(Writer& w, bool v) { v ? w.lit("true") : w.lit("false"); }
inline void write_value(Writer& w, std::int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  w.out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}
inline void write_value(Writer& w, double v) {
  if (!std::isfinite(v)) throw AnthropicInvalidRequestException("a number is not finite");
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  w.out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}
inline void write_value(Writer& w, const Timestamp& v) { w.str(v.str()); }
inline void write_value(Writer& w, const RawJson& v) {
  if (v.str().empty()) throw AnthropicInvalidRequestException("a RawJson value is empty");
  w.lit(v.str());
}

// A modelled type's encoder and decoder: `Codec<T>::write` and `Codec<T>::read`, one explicit
// specialisation per generated type (declared in the generated codec headers). The calls go
// through the two function templates below, so a call finds its codec by the argument's exact
// type. One overload of write_value/read_value per type (about two thousand of them) made every
// call try every overload, and the generated codecs took minutes to compile.
template <class T>
struct Codec;

template <class T>
void write_value(Writer& w, const T& v) {
  Codec<T>::write(w, v);
}

template <class T>
void write_value(Writer& w, const std::vector<T>& v);
template <class T>
void write_value(Writer& w, const std::map<std::string, T>& v);
template <class... T>
void write_value(Writer& w, const std::variant<T...>& v);

// ---------------------------------------------------------------------------------------------
// Decoding

/// "\"24h\", not one of the values the API accepts (\"5m\", \"1h\")": a caller's value, shortened
/// and made printable, against the values of a request-side enum.
std::string not_accepted_text(std::string_view value, const std::string_view* known,
                              std::size_t count);

/// Encoding a request-side enum (closed in the schema: the API refuses other values): throws
/// AnthropicInvalidRequestException unless `v` is one of its values. An empty value is refused
/// too: it is a required value left unset. A newer value goes through `extra_fields`.
template <class E>
void check_request_enum(const E& v, const char* what) {
  if (v.is_known()) return;
  const auto known = E::known_values();
  throw AnthropicInvalidRequestException(
      std::string("`") + what + "` " +
      (v.str().empty() ? std::string("is empty, not one of the values the API accepts")
                       : "is " + not_accepted_text(v.str(), known.data(), known.size())) +
      "; to send a value the SDK does not know yet, set it through `extra_fields`");
}

/// For a key already known to be N - 1 bytes long (the generated decoders switch on the length
/// first): whether it is `name`. A compare of a constant length, which compilers inline.
template <std::size_t N>
inline bool key_is(std::string_view key, const char (&name)[N]) noexcept {
  return std::memcmp(key.data(), name, N - 1) == 0;
}

/// Whether `text` is `literal`: a length test, then a compare of a constant length.
template <std::size_t N>
inline bool equals(std::string_view text, const char (&literal)[N]) noexcept {
  return text.size() == N - 1 && std::memcmp(text.data(), literal, N - 1) == 0;
}

class Decoder {
 public:
  using Kind = Reader::Kind;

  explicit Decoder(Reader& reader) : r(reader) {}

  [[noreturn]] void fail(const Path& path, const char* problem) const {
    std::string where = path.str();
    std::string msg = r.document();
    if (!where.empty()) {
      msg += ": `" + where + "` ";
    } else {
      msg += " ";
    }
    msg += problem;
    throw AnthropicInvalidDataException(msg);
  }

  [[noreturn]] void missing(const Path& parent, const char* key) const {
    fail(Path{&parent, key}, "is missing");
  }

  /// A request-side enum holding a value the API refuses.
  template <std::size_t N>
  [[noreturn]] void not_accepted(const Path& path, std::string_view value,
                                 const std::array<std::string_view, N>& known) const {
    fail(path, ("is " + not_accepted_text(value, known.data(), N)).c_str());
  }

  /// Opens an object (fails on anything else).
  void begin_object(const Path& path) {
    const Kind k = r.peek();
    if (k != Kind::object) {
      const bool root = !path.parent && !path.key && path.index == kNoIndex;
      fail(path, k == Kind::null ? "is null" : root ? "is not a JSON object" : "is not an object");
    }
    r.begin_object();
  }

  bool peek_null() { return r.peek() == Kind::null; }

  enum class Tag { absent, found, not_string };

  /// The string value of member `name` of the object ahead (reader position unchanged): absent
  /// (or null), found (in `tag`), or not a string.
  template <std::size_t N>
  Tag peek_tag(const Path& path, const char (&name)[N], std::string& out) {
    if (r.peek() != Kind::object)
      fail(path, r.peek() == Kind::null ? "is null" : "is not an object");
    const std::size_t start = r.position();
    r.begin_object();
    bool first = true;
    std::string_view key;
    Tag result = Tag::absent;
    while (r.next_key(first, key)) {
      if (equals(key, name)) {
        const Kind k = r.peek();
        if (k == Kind::string) {
          r.read_string(out);
          result = Tag::found;
        } else if (k != Kind::null) {
          result = Tag::not_string;
        }
        break;
      }
      r.skip();
    }
    r.rewind(start);
    return result;
  }

  /// A member whose value is fixed (`"type": "message"`): fails unless the next value is the
  /// string `expected`.
  template <std::size_t N>
  void check_const(const Path& path, const char (&expected)[N]) {
    if (r.peek() != Kind::string) fail(path, "is not a string");
    if (r.read_string_is(std::string_view(expected, N - 1))) return;
    fail(path, ("is not \"" + std::string(expected) + "\"").c_str());
  }
  /// A member fixed to `true` or `false`. A template taking exactly `bool`, so that a runtime
  /// `const char*` matches nothing rather than converting to it.
  template <class B, std::enable_if_t<std::is_same_v<B, bool>, int> = 0>
  void check_const(const Path& path, B expected) {
    if (r.peek() != Kind::boolean || r.read_bool() != expected) {
      fail(path, expected ? "is not true" : "is not false");
    }
  }

  Reader& r;
  std::string tag;  // a union's discriminator, read by the generated union decoders
  /// Accept any value of a request-side enum (raw params: JSON text has no `extra_fields`
  /// escape for a value newer than the SDK, so it is left to the API).
  bool any_enum_value = false;
};

[[noreturn]] inline void fail_kind(Decoder& d, const Path& path, Reader::Kind k,
                                   const char* problem) {
  d.fail(path, k == Reader::Kind::null ? "is null" : problem);
}

/// Unknown members (and optional members that arrived as null), captured as compact JSON.
class ExtraSink {
 public:
  void add(Decoder& d, std::string_view key) {
    open(key);
    d.r.capture(buf_);
  }
  void add_null(Decoder& d, std::string_view key) {
    open(key);
    d.r.read_null();
    buf_.append("null", 4);
  }
  void finish(std::optional<RawJson>& out) {
    if (buf_.empty()) {
      out.reset();
      return;
    }
    buf_.push_back('}');
    out = RawJson::unchecked(std::move(buf_));
  }

 private:
  void open(std::string_view key) {
    buf_.push_back(buf_.empty() ? '{' : ',');
    append_json_string(buf_, key);
    buf_.push_back(':');
  }
  std::string buf_;
};

inline void read_value(Decoder& d, std::string& v, const Path& path) {
  const Reader::Kind k = d.r.peek();
  if (k != Reader::Kind::string) fail_kind(d, path, k, "is not a string");
  d.r.read_string(v);
}
inline void read_value(Decoder& d, bool& v, const Path& path) {
  const Reader::Kind k = d.r.peek();
  if (k != Reader::Kind::boolean) fail_kind(d, path, k, "is not a boolean");
  v = d.r.read_bool();
}
inline void read_value(Decoder& d, std::int64_t& v, const Path& path) {
  const Reader::Kind k = d.r.peek();
  if (k != Reader::Kind::number) fail_kind(d, path, k, "is not an integer");
  switch (d.r.read_int(v)) {
    case Reader::IntStatus::ok:
      return;
    case Reader::IntStatus::not_integer:
      d.fail(path, "is not an integer");
    case Reader::IntStatus::out_of_range:
      break;
  }
  d.fail(path, "is out of range");
}
inline void read_value(Decoder& d, double& v, const Path& path) {
  const Reader::Kind k = d.r.peek();
  if (k != Reader::Kind::number) fail_kind(d, path, k, "is not a number");
  const std::string_view text = d.r.read_number_text();
  const std::string copy(text);
  char* end = nullptr;
  v = std::strtod(copy.c_str(), &end);
  if (!std::isfinite(v)) d.fail(path, "is out of range");
}
inline void read_value(Decoder& d, Timestamp& v, const Path& path) {
  std::string text;
  read_value(d, text, path);
  v = Timestamp(std::move(text));
}
inline void read_value(Decoder& d, RawJson& v, const Path&) {
  std::string text;
  d.r.capture(text);
  v = RawJson::unchecked(std::move(text));
}

template <class T>
void read_value(Decoder& d, T& v, const Path& path) {
  Codec<T>::read(d, v, path);
}

template <class T>
void read_value(Decoder& d, std::vector<T>& v, const Path& path);
template <class T>
void read_value(Decoder& d, std::map<std::string, T>& v, const Path& path);

}  // namespace anthropic::internal::json::model
