#pragma once

// Private: byte-level helpers shared by the JSON writer and reader (UTF-8 validation, the
// 8-bytes-at-a-time scan for bytes that need attention inside a JSON string, the string escaper).
// Header-only and standard library only: the emulator (tools/emulator), which does not link the
// SDK, escapes its JSON strings with the same code.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace anthropic::internal::json::text {

// True for a byte copied as is inside a JSON string: printable ASCII other than '"' and '\\'.
struct PlainTable {
  bool plain[256] = {};
  constexpr PlainTable() {
    for (int c = 0x20; c < 0x80; ++c) plain[c] = c != '"' && c != '\\';
  }
};
inline constexpr PlainTable kPlain;

inline constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
inline constexpr std::uint64_t kHigh = 0x8080808080808080ULL;

// The 8 bytes at p as one word (native byte order: see first_special).
inline std::uint64_t load8(const unsigned char* p) noexcept {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

// The bytes of `w` that are not plain, each marked by its high bit (0: all 8 are plain). The
// lowest marked byte is exact (a borrow only ever marks bytes above a true one), so on a
// little-endian machine `first_special(w)` is the offset of the first byte needing attention.
inline std::uint64_t special8(std::uint64_t w) noexcept {
  const std::uint64_t control = (w - kOnes * 0x20) & ~w & kHigh;
  const std::uint64_t q = w ^ (kOnes * '"');
  const std::uint64_t quote = (q - kOnes) & ~q & kHigh;
  const std::uint64_t b = w ^ (kOnes * '\\');
  const std::uint64_t backslash = (b - kOnes) & ~b & kHigh;
  return (w & kHigh) | control | quote | backslash;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
    (defined(__GNUC__) || defined(__clang__))
#define ANTHROPIC_JSON_FIRST_SPECIAL 1
/// For special8(w) != 0 on a little-endian machine: the offset of the first non-plain byte.
inline std::size_t first_special(std::uint64_t mask) noexcept {
  return static_cast<std::size_t>(__builtin_ctzll(mask)) / 8;
}
#endif

/// Skips plain bytes (see kPlain) eight at a time from `p`: returns the first byte that needs a
/// look (where `first_special` exists; elsewhere the start of the 8-byte word holding it), or a
/// point fewer than 8 bytes before `end`. The string reader and the escaper both start here.
inline const unsigned char* skip_plain(const unsigned char* p, const unsigned char* end) noexcept {
  while (end - p >= 8) {
    const std::uint64_t special = special8(load8(p));
    if (special != 0) {
#ifdef ANTHROPIC_JSON_FIRST_SPECIAL
      return p + first_special(special);
#else
      return p;
#endif
    }
    p += 8;
  }
  return p;
}

inline bool is_continuation(unsigned char c) noexcept { return (c & 0xC0) == 0x80; }

// For p[0] >= 0x80: the length of the UTF-8 sequence starting at p when it is well formed (> 0);
// otherwise minus the length of its maximal ill-formed subpart (Unicode's "substitution of
// maximal subparts": each such subpart stands for one U+FFFD). Rejects overlong forms,
// surrogates and code points above U+10FFFF.
inline int utf8_sequence(const unsigned char* p, const unsigned char* end) noexcept {
  const unsigned char c = p[0];
  const std::ptrdiff_t avail = end - p;
  if (c >= 0xC2 && c <= 0xDF) {
    return avail >= 2 && is_continuation(p[1]) ? 2 : -1;
  }
  if (c >= 0xE0 && c <= 0xEF) {
    const unsigned char lo = c == 0xE0 ? 0xA0 : 0x80;
    const unsigned char hi = c == 0xED ? 0x9F : 0xBF;
    if (avail < 2 || p[1] < lo || p[1] > hi) return -1;
    if (avail < 3 || !is_continuation(p[2])) return -2;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    const unsigned char lo = c == 0xF0 ? 0x90 : 0x80;
    const unsigned char hi = c == 0xF4 ? 0x8F : 0xBF;
    if (avail < 2 || p[1] < lo || p[1] > hi) return -1;
    if (avail < 3 || !is_continuation(p[2])) return -2;
    if (avail < 4 || !is_continuation(p[3])) return -3;
    return 4;
  }
  return -1;  // a stray continuation byte, C0/C1, F5..FF
}

// Appends the JSON escape of `c`, a byte that is not plain and below 0x80.
inline void append_escape(std::string& out, unsigned char c) {
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

/// Appends `s` as a JSON string literal (quotes included). Invalid UTF-8 is repaired, each
/// maximal ill-formed subpart becoming U+FFFD, so that the output is always valid JSON.
inline void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* const end = p + s.size();
  const auto* run = p;  // start of the bytes not yet copied
  auto flush = [&] {
    out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p - run));
  };
  while (p < end) {
    p = skip_plain(p, end);
    if (p == end) break;
    const unsigned char c = *p;
    if (kPlain.plain[c]) {
      ++p;
    } else if (c >= 0x80) {
      const int n = utf8_sequence(p, end);
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

/// Appends `s` shortened to at most `max_bytes` (never inside a UTF-8 sequence; "..." marks the
/// cut) as a JSON string literal, so a caller's value quoted in a message is printable and valid
/// UTF-8 whatever it held (see append_json_string).
inline void append_excerpt(std::string& out, std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) {
    append_json_string(out, s);
    return;
  }
  std::size_t cut = max_bytes;
  while (cut > 0 && is_continuation(static_cast<unsigned char>(s[cut]))) --cut;
  std::string shortened(s.substr(0, cut));
  shortened += "...";
  append_json_string(out, shortened);
}

}  // namespace anthropic::internal::json::text
