// Throughput of the JSON codecs on their hot paths: writing a create body of typical requests,
// and decoding typical results lines into typed objects.

#include "json/codecs.hpp"

#include <benchmark/benchmark.h>

#include <cstddef>
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
    std::string body;
    anthropic::json::write_create_body(body, params);
    bytes += body.size();
    benchmark::DoNotOptimize(body.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["bytes_per_request"] = static_cast<double>(bytes) /
                                        static_cast<double>(state.iterations()) /
                                        static_cast<double>(state.range(0));
}
BENCHMARK(BM_WriteCreateBody)->Arg(100000)->Unit(benchmark::kMillisecond);

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
      auto decoded = anthropic::json::decode_result_line(line);
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
    auto batch = anthropic::json::decode_batch(text);
    benchmark::DoNotOptimize(batch);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_DecodeBatch);

}  // namespace

BENCHMARK_MAIN();
