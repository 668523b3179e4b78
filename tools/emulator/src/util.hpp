// Small helpers shared by the emulator's implementation files.
#pragma once

#include "json/text.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace anthropic::internal::emulator {

/// Microseconds since the Unix epoch.
using Micros = std::int64_t;

inline constexpr Micros kMicrosPerSecond = 1'000'000;
inline constexpr Micros kDay = Micros{24} * 3600 * kMicrosPerSecond;

/// The 62 characters of ids, in ASCII order so that fixed-width encodings sort numerically.
inline constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `value` in base 62, left-padded with '0' to exactly `width` characters (high digits that do
/// not fit are dropped).
std::string base62(std::uint64_t value, std::size_t width);

/// SplitMix64 step: a good 64-bit mixer for deterministic pseudo-random ids.
std::uint64_t splitmix64(std::uint64_t x);

/// FNV-1a over a string.
std::uint64_t fnv1a(std::string_view s);

/// RFC 3339 UTC with microseconds, e.g. "2024-08-20T18:37:24.100435Z".
std::string format_rfc3339(Micros t);

/// Percent-decodes one path segment ('+' is kept literally). Malformed escapes stay as is.
std::string percent_decode(std::string_view s);

/// Appends `s` as a JSON string literal (quotes included), invalid UTF-8 repaired: the SDK's own
/// escaper (src/json/text.hpp, header-only), so that both sides of the wire escape alike.
using ::anthropic::internal::json::text::append_json_string;

/// The longest prefix of `s` of at most `max_bytes` bytes that ends on a UTF-8 boundary.
std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes);

/// True when `s` matches ^[a-zA-Z0-9_-]+$ (length is checked by the caller).
bool is_custom_id_charset(std::string_view s);

/// True for "msgbatch_" followed by 24 base62 characters.
bool is_batch_id(std::string_view s);

/// Case-insensitive ASCII comparison.
bool iequals(std::string_view a, std::string_view b);

}  // namespace anthropic::internal::emulator
