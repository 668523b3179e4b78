// Throughput of the JSON codecs on their hot paths: writing a create body of typical requests,
// and decoding typical results lines into typed objects; peak memory of a 256 MB create body and
// of a streamed results file.
//
// Budgets (issue #7), read from this program's output, never asserted in unit tests:
//   create body (BM_CreateBody_*)        >= 400 MB/s; the 256 MB batch needs at most 1.5x its
//                                          body in extra memory (counter extra_per_body_byte)
//   results (BM_ResultsStream_*)         >= 150 MB/s; peak memory independent of the file size
//                                          (counter peak_extra_kib, 100,000 vs 1,000,000 lines)

#include "json/codecs.hpp"
#include "messages/http_batch_service.hpp"

#include <benchmark/benchmark.h>

#include "bench_data.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

namespace bm = anthropic::beta::messages;

bm::BetaMessageBatchCreateParams typical_params(int count) {
  bm::BetaMessageBatchCreateParams params;
  params.requests.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    bm::BetaMessageBatchCreateParams::Request r;
    r.custom_id = "ticket-" + std::to_string(i);
    r.params.model = "claude-sonnet-4-5";
    r.params.max_tokens = 1024;
    r.params.messages.push_back(anthropic::beta::BetaMessageParam::user(
        "Classify ticket " + std::to_string(i) + ": wrong VAT number on invoice."));
    params.requests.push_back(std::move(r));
  }
  return params;
}

void BM_WriteCreateBody(benchmark::State& state) {
  const auto params = typical_params(static_cast<int>(state.range(0)));
  std::size_t bytes = 0;
  for (auto _ : state) {
    // The request codec alone, as the create-body builder calls it (without its checks).
    std::string body = R"({"requests":[)";
    bool first = true;
    for (const auto& request : params.requests) {
      if (!first) body.push_back(',');
      first = false;
      anthropic::internal::json::write_create_request<anthropic::beta::messages::BetaFamily>(
          body, request);
    }
    body += "]}";
    bytes += body.size();
    benchmark::DoNotOptimize(body.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["bytes_per_request"] = static_cast<double>(bytes) /
                                        static_cast<double>(state.iterations()) /
                                        static_cast<double>(state.range(0));
}
BENCHMARK(BM_WriteCreateBody)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

std::vector<std::string> succeeded_lines(int count) {
  std::vector<std::string> lines;
  for (int i = 0; i < count; ++i) {
    lines.push_back(
        R"({"custom_id":"ticket-)" + std::to_string(i) +
        R"(","result":{"type":"succeeded","message":{"id":"msg_01AbC)" + std::to_string(i) +
        R"(","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Category: billing"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":42,"output_tokens":6,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"service_tier":"batch"}}}})");
  }
  return lines;
}

void BM_DecodeResultLine(benchmark::State& state) {
  const auto lines = succeeded_lines(10000);
  std::size_t bytes = 0;
  for (auto _ : state) {
    for (const std::string& line : lines) {
      auto decoded =
          anthropic::internal::json::decode_result_line<anthropic::beta::messages::BetaFamily>(
              line);
      benchmark::DoNotOptimize(decoded);
      bytes += line.size();
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_DecodeResultLine)->Unit(benchmark::kMillisecond);

void BM_DecodeBatch(benchmark::State& state) {
  const std::string text =
      R"({"id":"msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d","type":"message_batch","processing_status":"in_progress","request_counts":{"processing":2,"succeeded":0,"errored":0,"canceled":0,"expired":0},"created_at":"2026-08-20T10:00:00.000000Z","expires_at":"2026-08-21T10:00:00.000000Z","ended_at":null,"cancel_initiated_at":null,"archived_at":null,"results_url":null})";
  for (auto _ : state) {
    auto batch = anthropic::internal::json::decode_batch(text);
    benchmark::DoNotOptimize(batch);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_DecodeBatch);

// ---------------------------------------------------------------------------------------------
// The create body on the path `BatchService::create` takes (build_create_body: custom_id checks,
// size limit, BatchCreateBodyBuilder), for the typical ~137-byte requests of bench_data.hpp.

namespace ab = anthropic::bench;

void BM_CreateBody_Typical(benchmark::State& state) {
  const auto params = ab::typical_params(static_cast<std::size_t>(state.range(0)));
  std::size_t bytes = 0;
  for (auto _ : state) {
    anthropic::http::RequestBody body = anthropic::internal::build_create_body(params);
    bytes += body.size();
    benchmark::DoNotOptimize(body.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["bytes_per_request"] = static_cast<double>(bytes) /
                                        static_cast<double>(state.iterations()) /
                                        static_cast<double>(state.range(0));
}
BENCHMARK(BM_CreateBody_Typical)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

// A batch at the API's size limit: 100,000 requests of ~2.6 KB (a body just under 256 MiB).
// Peak RSS: VmHWM is reset before each body is built (/proc/self/clear_refs), so
// `extra_per_body_byte` = (VmHWM after - VmRSS before) / body size: the memory the serialization
// needed beyond the typed params, per byte of body (budget: <= 1.5); `peak_extra_mib` is that
// memory. Both are the largest of the runs.
void BM_CreateBody_256MB(benchmark::State& state) {
  constexpr std::size_t kRequests = 100000;
  constexpr std::size_t kLimit = 256u * 1024u * 1024u;
  const std::size_t per_request = (kLimit - 64 * 1024) / kRequests;
  // Bytes of one request beyond its user text, its separating comma included.
  std::string probe;
  anthropic::internal::json::write_create_request<anthropic::beta::messages::BetaFamily>(
      probe, ab::typical_request(0));
  const std::size_t overhead = probe.size() + 1 - std::string("Classify 000000").size();
  const auto params = ab::typical_params(kRequests, per_request - overhead);
  std::size_t bytes = 0;
  double worst_ratio = 0;
  double worst_extra = 0;
  double body_size = 0;
  bool hwm_reset = true;
  for (auto _ : state) {
    state.PauseTiming();
    hwm_reset = ab::reset_peak_rss() && hwm_reset;
    const long before_kb = ab::proc_status_kb("VmRSS");
    state.ResumeTiming();
    {
      anthropic::http::RequestBody body = anthropic::internal::build_create_body(params);
      bytes += body.size();
      benchmark::DoNotOptimize(body.data());
      state.PauseTiming();
      const long peak_kb = ab::proc_status_kb("VmHWM");
      const double extra = static_cast<double>(peak_kb - before_kb) * 1024.0;
      body_size = static_cast<double>(body.size());
      worst_extra = std::max(worst_extra, extra);
      worst_ratio = std::max(worst_ratio, extra / body_size);
    }
    state.ResumeTiming();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["body_mib"] = body_size / 1048576.0;
  state.counters["peak_extra_mib"] = worst_extra / 1048576.0;
  state.counters["extra_per_body_byte"] = worst_ratio;
  if (!hwm_reset) state.SkipWithError("cannot reset VmHWM (/proc/self/clear_refs): no peak figure");
}
BENCHMARK(BM_CreateBody_256MB)->Iterations(3)->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------------------------------------
// Results: typical ~300-byte succeeded lines decoded into typed objects.

std::string typical_jsonl(std::size_t count) {
  std::string text;
  text.reserve(ab::results_bytes(count));
  for (std::size_t i = 0; i < count; ++i) {
    ab::append_result_line(text, i);
    text.push_back('\n');
  }
  return text;
}

// The private decoder alone, line by line (no splitting).
void BM_DecodeResultLine_Typical(benchmark::State& state) {
  const std::string text = typical_jsonl(static_cast<std::size_t>(state.range(0)));
  std::vector<std::string_view> lines;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t nl = text.find('\n', at);
    lines.emplace_back(text.data() + at, nl - at);
    at = nl + 1;
  }
  for (auto _ : state) {
    for (std::string_view line : lines) {
      auto decoded =
          anthropic::internal::json::decode_result_line<anthropic::beta::messages::BetaFamily>(
              line);
      benchmark::DoNotOptimize(decoded);
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
  state.counters["bytes_per_line"] =
      static_cast<double>(text.size()) / static_cast<double>(lines.size());
}
BENCHMARK(BM_DecodeResultLine_Typical)->Arg(100000)->Unit(benchmark::kMillisecond);

// The public path: BatchResultsStream::from_jsonl + range-for (line splitting + decoding). The
// copy of the text handed to from_jsonl is not timed.
void BM_ResultsFromJsonl(benchmark::State& state) {
  const std::string text = typical_jsonl(static_cast<std::size_t>(state.range(0)));
  std::size_t lines = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::string copy = text;
    state.ResumeTiming();
    auto stream = bm::BatchResultsStream::from_jsonl(std::move(copy));
    for (const auto& line : stream) {
      benchmark::DoNotOptimize(line.custom_id.data());
      ++lines;
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
  state.counters["lines"] = static_cast<double>(lines) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ResultsFromJsonl)->Arg(100000)->Unit(benchmark::kMillisecond);

// A response body that produces the typical JSONL as it is read (as a transport would deliver
// it, in reads of up to `max` bytes), so that nothing holds the whole file.
class GeneratedBody final : public anthropic::http::ResponseBody {
 public:
  explicit GeneratedBody(std::size_t lines) : lines_(lines) {}
  std::size_t read(char* dst, std::size_t max) override {
    if (at_ == pending_.size()) {
      pending_.clear();
      at_ = 0;
      for (int k = 0; k < 256 && next_ < lines_; ++k, ++next_) {
        ab::append_result_line(pending_, next_);
        pending_.push_back('\n');
      }
      if (pending_.empty()) return 0;
    }
    std::size_t n = std::min(max, pending_.size() - at_);
    std::memcpy(dst, pending_.data() + at_, n);
    at_ += n;
    return n;
  }

 private:
  std::size_t lines_;
  std::size_t next_ = 0;
  std::string pending_;
  std::size_t at_ = 0;
};

// The streaming path with peak memory: `peak_extra_kib` (VmHWM - VmRSS before, in KiB; the
// largest of the runs) must not grow with the number of lines. Generating the lines is timed too,
// so MB/s is a lower bound.
void BM_ResultsStream_Generated(benchmark::State& state) {
  const auto count = static_cast<std::size_t>(state.range(0));
  const std::size_t total = ab::results_bytes(count);
  double peak_extra = 0;
  for (auto _ : state) {
    state.PauseTiming();
    ab::reset_peak_rss();
    const long before_kb = ab::proc_status_kb("VmRSS");
    state.ResumeTiming();
    bm::BatchResultsStream stream(std::make_unique<GeneratedBody>(count));
    std::size_t lines = 0;
    for (const auto& line : stream) {
      benchmark::DoNotOptimize(line.custom_id.data());
      ++lines;
    }
    state.PauseTiming();
    peak_extra = std::max(peak_extra, static_cast<double>(ab::proc_status_kb("VmHWM") - before_kb));
    if (lines != count) state.SkipWithError("wrong line count");
    state.ResumeTiming();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * total));
  state.counters["file_mib"] = static_cast<double>(total) / 1048576.0;
  state.counters["peak_extra_kib"] = peak_extra;
}
BENCHMARK(BM_ResultsStream_Generated)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
