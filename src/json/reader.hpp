#pragma once

// Private: a validating pull reader over JSON text (RFC 8259), for the decoders on the hot path
// (results lines). It parses nothing ahead: the caller walks objects key by key, reads the
// scalars it wants straight into its own strings, and skips or captures (as compact text) the
// rest. Strings must be valid UTF-8 and escapes well formed, lone surrogates included; any
// syntax error throws AnthropicInvalidDataException("<document>: malformed JSON at byte N:
// ..."). No recursion: nesting depth is bounded only by memory.

#include "json/text.hpp"

#include <anthropic/errors.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace anthropic::internal::json {

class Reader {
 public:
  enum class Kind { object, array, string, number, boolean, null };

  Reader(std::string_view text, const char* document)
      : begin_(reinterpret_cast<const unsigned char*>(text.data())),
        p_(begin_),
        end_(begin_ + text.size()),
        document_(document) {
    // A UTF-8 byte order mark may start the text (RFC 8259 §8.1 lets parsers ignore it).
    if (text.size() >= 3 && std::memcmp(p_, "\xEF\xBB\xBF", 3) == 0) p_ += 3;
  }

  const char* document() const noexcept { return document_; }
  std::size_t position() const noexcept { return static_cast<std::size_t>(p_ - begin_); }
  void rewind(std::size_t position) noexcept { p_ = begin_ + position; }

  /// The kind of the next value (whitespace skipped); a byte that starts no value is an error.
  Kind peek() {
    ws();
    if (p_ == end_) syntax("unexpected end of input");
    switch (*p_) {
      case '{':
        return Kind::object;
      case '[':
        return Kind::array;
      case '"':
        return Kind::string;
      case 't':
      case 'f':
        return Kind::boolean;
      case 'n':
        return Kind::null;
      default:
        if (*p_ == '-' || (*p_ >= '0' && *p_ <= '9')) return Kind::number;
        syntax("unexpected character");
    }
  }

  /// After the top-level value: only whitespace may follow.
  void finish() {
    ws();
    if (p_ != end_) syntax("unexpected text after the JSON value");
  }

  // ----- containers

  /// Consumes `{` (the caller checked peek() == object). Then, with `bool first = true`:
  /// `while (reader.next_key(first, key)) { ...read or skip the value... }`.
  void begin_object() {
    ws();
    expect('{');
  }

  /// The next key of the current object (its value is next), or false after the closing `}`.
  /// The view is valid until the next call; a key with escapes is decoded into a scratch buffer.
  bool next_key(bool& first, std::string_view& key) {
    ws();
    if (p_ == end_) syntax("unexpected end of input in an object");
    if (*p_ == '}') {
      ++p_;
      return false;
    }
    if (!first) {
      expect(',');
      ws();
    }
    first = false;
    if (p_ == end_ || *p_ != '"') syntax("expected a member name");
    key = read_key();
    ws();
    expect(':');
    return true;
  }

  /// Consumes `[` (the caller checked peek() == array); then `while (next_element(first))`.
  void begin_array() {
    ws();
    expect('[');
  }

  /// True when another element follows (positioned on it), false after the closing `]`.
  bool next_element(bool& first) {
    ws();
    if (p_ == end_) syntax("unexpected end of input in an array");
    if (*p_ == ']') {
      ++p_;
      return false;
    }
    if (!first) expect(',');
    first = false;
    return true;
  }

  // ----- scalars

  /// Reads a string (peek() == string), escapes decoded, into `out` (replacing its content).
  void read_string(std::string& out) {
    out.clear();
    ++p_;  // opening quote
    scan_string(&out);
  }

  /// Reads a string (peek() == string) and tells whether it is `expected`, which has no byte
  /// that needs escaping. Without escapes in the text, nothing is copied.
  bool read_string_is(std::string_view expected) {
    const unsigned char* body = p_ + 1;
    if (static_cast<std::size_t>(end_ - body) > expected.size() &&
        std::memcmp(body, expected.data(), expected.size()) == 0 && body[expected.size()] == '"') {
      p_ = body + expected.size() + 1;
      return true;
    }
    read_string(scratch_);  // validates it, and decodes escapes that may spell `expected`
    return scratch_ == expected;
  }

  void read_null() { literal("null", 4); }

  bool read_bool() {
    if (*p_ == 't') {
      literal("true", 4);
      return true;
    }
    literal("false", 5);
    return false;
  }

  enum class IntStatus { ok, not_integer, out_of_range };

  /// Reads a number (peek() == number); `value` is set when it is an integer that fits.
  IntStatus read_int(std::int64_t& value) {
    const unsigned char* start = p_;
    bool integral = scan_number();
    if (!integral) return IntStatus::not_integer;
    const unsigned char* q = start;
    bool negative = *q == '-';
    if (negative) ++q;
    std::uint64_t magnitude = 0;
    constexpr std::uint64_t kLimit = std::numeric_limits<std::uint64_t>::max() / 10;
    for (; q < p_; ++q) {
      if (magnitude > kLimit) return IntStatus::out_of_range;
      magnitude = magnitude * 10 + static_cast<std::uint64_t>(*q - '0');
      if (magnitude < static_cast<std::uint64_t>(*q - '0')) return IntStatus::out_of_range;
    }
    constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (negative) {
      if (magnitude > kMax + 1) return IntStatus::out_of_range;
      value = magnitude == kMax + 1 ? std::numeric_limits<std::int64_t>::min()
                                    : -static_cast<std::int64_t>(magnitude);
    } else {
      if (magnitude > kMax) return IntStatus::out_of_range;
      value = static_cast<std::int64_t>(magnitude);
    }
    return IntStatus::ok;
  }

  /// Reads a number (peek() == number) and returns its text as written.
  std::string_view read_number_text() {
    const unsigned char* start = p_;
    scan_number();
    return std::string_view(reinterpret_cast<const char*>(start),
                            static_cast<std::size_t>(p_ - start));
  }

  // ----- whole values

  /// Validates and skips the next value.
  void skip() { walk(nullptr); }

  /// Validates the next value and appends it to `out` as compact JSON (insignificant whitespace
  /// removed; strings, escapes and numbers kept as written).
  void capture(std::string& out) { walk(&out); }

  [[noreturn]] void syntax(const char* problem) const {
    throw AnthropicInvalidDataException(std::string(document_) + ": malformed JSON at byte " +
                                        std::to_string(position()) + ": " + problem);
  }

 private:
  void ws() noexcept {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  void expect(unsigned char c) {
    if (p_ == end_ || *p_ != c) {
      syntax(c == ',' ? "expected ','" : c == ':' ? "expected ':'" : "unexpected character");
    }
    ++p_;
  }

  void literal(const char* word, std::size_t n) {
    if (static_cast<std::size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) {
      syntax("invalid literal");
    }
    p_ += n;
  }

  std::string_view read_key() {
    ++p_;  // opening quote
    const unsigned char* start = p_;
    if (!scan_string(nullptr)) {
      return std::string_view(reinterpret_cast<const char*>(start),
                              static_cast<std::size_t>(p_ - 1 - start));
    }
    p_ = start;  // rare: a key with escapes, decoded on a second pass
    scratch_.clear();
    scan_string(&scratch_);
    return scratch_;
  }

  // Scans a string body from after the opening quote to after the closing one, validating it,
  // and appends the decoded text to `out` when given. Returns whether it had an escape.
  bool scan_string(std::string* out) {
    const unsigned char* run = p_;
    bool had_escape = false;
    for (;;) {
      p_ = text::skip_plain(p_, end_);  // eight bytes at a time, to the first needing a look
      if (p_ == end_) syntax("unterminated string");
      const unsigned char c = *p_;
      if (text::kPlain.plain[c]) {
        ++p_;
      } else if (c == '"') {
        emit(out, run);
        ++p_;
        return had_escape;
      } else if (c >= 0x80) {
        const int n = text::utf8_sequence(p_, end_);
        if (n <= 0) syntax("invalid UTF-8 in a string");
        p_ += n;
      } else if (c == '\\') {
        had_escape = true;
        emit(out, run);
        ++p_;
        unescape(out);
        run = p_;
      } else {
        syntax("control character in a string");
      }
    }
  }

  // After a backslash: validates one escape, appending its decoded bytes to `out` if given.
  void unescape(std::string* out) {
    if (p_ == end_) syntax("unterminated string");
    const unsigned char e = *p_++;
    char simple = 0;
    switch (e) {
      case '"':
        simple = '"';
        break;
      case '\\':
        simple = '\\';
        break;
      case '/':
        simple = '/';
        break;
      case 'b':
        simple = '\b';
        break;
      case 'f':
        simple = '\f';
        break;
      case 'n':
        simple = '\n';
        break;
      case 'r':
        simple = '\r';
        break;
      case 't':
        simple = '\t';
        break;
      case 'u':
        break;
      default:
        syntax("invalid escape");
    }
    if (e != 'u') {
      if (out) out->push_back(simple);
      return;
    }
    std::uint32_t cp = hex4();
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') syntax("lone surrogate in \\u escape");
      p_ += 2;
      const std::uint32_t low = hex4();
      if (low < 0xDC00 || low > 0xDFFF) syntax("lone surrogate in \\u escape");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
      syntax("lone surrogate in \\u escape");
    }
    if (!out) return;
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  std::uint32_t hex4() {
    if (end_ - p_ < 4) syntax("truncated \\u escape");
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const unsigned char h = *p_++;
      v <<= 4;
      if (h >= '0' && h <= '9') {
        v |= static_cast<std::uint32_t>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        v |= static_cast<std::uint32_t>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        v |= static_cast<std::uint32_t>(h - 'A' + 10);
      } else {
        syntax("invalid \\u escape");
      }
    }
    return v;
  }

  static bool digit(unsigned char c) noexcept { return c >= '0' && c <= '9'; }

  // Validates a number at p_ and moves past it; true when it has no fraction or exponent.
  bool scan_number() {
    bool integral = true;
    if (p_ != end_ && *p_ == '-') ++p_;
    if (p_ == end_ || !digit(*p_)) syntax("invalid number");
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && digit(*p_)) ++p_;
    }
    if (p_ != end_ && *p_ == '.') {
      integral = false;
      ++p_;
      if (p_ == end_ || !digit(*p_)) syntax("invalid number");
      while (p_ != end_ && digit(*p_)) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      integral = false;
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !digit(*p_)) syntax("invalid number");
      while (p_ != end_ && digit(*p_)) ++p_;
    }
    return integral;
  }

  void emit(std::string* out, const unsigned char* from) {
    if (out) out->append(reinterpret_cast<const char*>(from), static_cast<std::size_t>(p_ - from));
  }

  // Skips (or captures) one whole value, iteratively.
  void walk(std::string* out) {
    std::vector<bool>& stack = stack_;  // open containers, true for an object
    stack.clear();
    for (;;) {
      // A value.
      ws();
      if (p_ == end_) syntax("unexpected end of input");
      const unsigned char* start = p_;
      bool opened = false;
      switch (*p_) {
        case '{':
        case '[': {
          const bool object = *p_ == '{';
          ++p_;
          ws();
          if (p_ != end_ && *p_ == (object ? '}' : ']')) {
            ++p_;
            if (out) out->append(object ? "{}" : "[]", 2);
            break;  // an empty container is a complete value
          }
          if (out) out->push_back(object ? '{' : '[');
          stack.push_back(object);
          opened = true;
          if (object) member_name(out);
          break;
        }
        case '"':
          ++p_;
          scan_string(nullptr);
          emit(out, start);
          break;
        case 't':
          literal("true", 4);
          emit(out, start);
          break;
        case 'f':
          literal("false", 5);
          emit(out, start);
          break;
        case 'n':
          literal("null", 4);
          emit(out, start);
          break;
        default:
          scan_number();
          emit(out, start);
      }
      if (opened) continue;  // its first element or member value comes next
      // After a complete value: close containers, or move to the next element.
      for (;;) {
        if (stack.empty()) return;
        ws();
        if (p_ == end_) syntax("unexpected end of input");
        const bool object = stack.back();
        if (*p_ == ',') {
          ++p_;
          if (out) out->push_back(',');
          if (object) {
            ws();
            member_name(out);
          }
          break;  // the next value
        }
        if (*p_ == (object ? '}' : ']')) {
          ++p_;
          if (out) out->push_back(object ? '}' : ']');
          stack.pop_back();
          continue;
        }
        syntax(object ? "expected ',' or '}'" : "expected ',' or ']'");
      }
    }
  }

  // `"name":` inside walk().
  void member_name(std::string* out) {
    if (p_ == end_ || *p_ != '"') syntax("expected a member name");
    const unsigned char* start = p_;
    ++p_;
    scan_string(nullptr);
    emit(out, start);
    ws();
    expect(':');
    if (out) out->push_back(':');
  }

  const unsigned char* begin_;
  const unsigned char* p_;
  const unsigned char* end_;
  const char* document_;
  std::string scratch_;      // a key with escapes, decoded (or read_string_is's string)
  std::vector<bool> stack_;  // walk()'s open containers, kept to reuse its storage
};

}  // namespace anthropic::internal::json
