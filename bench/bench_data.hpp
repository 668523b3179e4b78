#pragma once

// The "typical" data of the benchmarks, shared by the codec benchmarks, the local bench server and
// the end-to-end client so that every program measures the same bytes. official_sdk_e2e.mjs builds
// the same requests for the official TypeScript SDK (keep the two in step).
//
//   request i:      {"custom_id":"r000042","params":{"model":"claude-sonnet-4-5","max_tokens":1024,
//                    "messages":[{"role":"user","content":"Classify 000042"}]}}      ~137 bytes
//   results line i: a `succeeded` line with a one-block text message and usage      ~304 bytes

#include <anthropic/anthropic.hpp>

#include <cstddef>
#include <cstdio>
#include <fstream>
#include <string>

namespace anthropic::bench {

/// `i` zero-padded to at least six digits: every id of a 100,000-request batch has one length.
inline std::string padded(std::size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06zu", i);
  return buf;
}

/// Request `i` of a typical batch; `text_bytes` > 0 pads the user content to that length (for the
/// 256 MB batch).
inline beta::messages::BetaMessageBatchCreateParams::Request typical_request(
    std::size_t i, std::size_t text_bytes = 0) {
  beta::messages::BetaMessageBatchCreateParams::Request r;
  const std::string id = padded(i);
  r.custom_id = "r" + id;
  r.params.model = "claude-sonnet-4-5";
  r.params.max_tokens = 1024;
  std::string text = "Classify " + id;
  if (text.size() < text_bytes) text.append(text_bytes - text.size(), 'x');
  r.params.messages.push_back(beta::BetaMessageParam::user(std::move(text)));
  return r;
}

inline beta::messages::BetaMessageBatchCreateParams typical_params(std::size_t count,
                                                                   std::size_t text_bytes = 0) {
  beta::messages::BetaMessageBatchCreateParams params;
  params.requests.reserve(count);
  for (std::size_t i = 0; i < count; ++i) params.requests.push_back(typical_request(i, text_bytes));
  return params;
}

/// Results line `i` (no line terminator).
inline void append_result_line(std::string& out, std::size_t i) {
  const std::string id = padded(i);
  out += R"({"custom_id":"r)";
  out += id;
  out += R"(","result":{"type":"succeeded","message":{"id":"msg_)";
  out += id;
  out +=
      R"(","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Billing: wrong VAT number."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":42,"output_tokens":12}}}})";
}

inline std::string result_line(std::size_t i) {
  std::string s;
  append_result_line(s, i);
  return s;
}

/// Width of `padded(i)`.
inline std::size_t padded_width(std::size_t i) {
  std::size_t digits = 1;
  for (; i >= 10; i /= 10) ++digits;
  return digits < 6 ? 6 : digits;
}

/// Bytes of the JSONL file of `count` lines (each followed by '\n').
inline std::size_t results_bytes(std::size_t count) {
  // Lines differ only by the width of the two padded indexes.
  const std::size_t fixed = result_line(0).size() - 2 * 6;
  std::size_t total = 0;
  for (std::size_t i = 0; i < count; ++i) total += fixed + 2 * padded_width(i) + 1;
  return total;
}

/// A field of /proc/self/status in kB ("VmRSS", "VmHWM"); -1 where unavailable.
inline long proc_status_kb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(in, line)) {
    if (line.compare(0, prefix.size(), prefix) == 0) return std::stol(line.substr(prefix.size()));
  }
  return -1;
}

/// Resets VmHWM to the current VmRSS (Linux >= 4.0); false where not permitted.
inline bool reset_peak_rss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

}  // namespace anthropic::bench
