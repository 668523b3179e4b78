// anthropic-bench-e2e: one end-to-end workload of this SDK against anthropic-bench-server, through
// the public API only. bench/official_sdk_e2e.mjs runs the same workloads with the official
// TypeScript SDK; bench/compare_official_sdk.sh runs both and compares them.
//
//   anthropic-bench-e2e --base-url URL --workload create|create-streamed|results|retrieve
//                       [--count N]
//                       [--text-bytes B]
//
// --text-bytes pads each request's user text to B bytes (create only): 100,000 requests of
// --text-bytes 2560 make a body of about 256 MB, the API's limit.
// Prints one JSON line:
//   {"workload":...,"seconds":...,"peak_rss_mb":...,"items":...,"connections":...}
//
// What `seconds` times (the same on the TypeScript side):
//   create    building the N typed requests (default 100,000) + `batches.create(params)`
//             (serialization, validation, the POST, decoding the answer)
//   create-streamed
//             the same batch built one typed request at a time into a BatchCreateBodyBuilder
//             (the SDK's way for large batches: 100,000 requests never exist at once) +
//             `batches.create_encoded(...)`. The official SDK has no such path: its side of the
//             comparison is its `create`.
//   results   `batches.results(id)` + iterating all N decoded lines (default 100,000)
//   retrieve  N sequential `batches.retrieve(id)` calls (default 1,000) on one Client
// Process start-up, the Client's construction and freeing the params are outside the timed region.
// `peak_rss_mb` is this process's VmHWM at the end; `connections` is the number of TCP connections
// the server saw opened during the workload (from its /__stats).

#include <anthropic/anthropic.hpp>
#include <anthropic/http/curl_http_client.hpp>

#include "bench_data.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <variant>

namespace {

namespace bm = anthropic::beta::messages;
using Clock = std::chrono::steady_clock;

void usage() {
  std::cerr << "usage: anthropic-bench-e2e --base-url URL --workload "
               "create|create-streamed|results|retrieve "
               "[--count N] [--text-bytes B]\n";
  std::exit(2);
}

// The server's count of client connections, through a transport of its own (its connection is
// not counted: the server counts API routes only).
long server_connections(anthropic::http::HttpClient& http, const std::string& base_url) {
  anthropic::http::HttpRequest request;
  request.method = "GET";
  request.url = base_url + "/__stats";
  anthropic::http::HttpResponse response = http.send(request);
  const std::string key = "\"connections\":";
  auto at = response.body.find(key);
  if (response.status != 200 || at == std::string::npos) {
    throw std::runtime_error("GET /__stats: unexpected answer " + std::to_string(response.status));
  }
  return std::stol(response.body.substr(at + key.size()));
}

}  // namespace

int main(int argc, char** argv) {
  std::string base_url;
  std::string workload;
  std::optional<std::size_t> count;
  std::size_t text_bytes = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) usage();
    if (arg == "--base-url") {
      base_url = argv[++i];
    } else if (arg == "--workload") {
      workload = argv[++i];
    } else if (arg == "--count") {
      count = std::stoull(argv[++i]);
    } else if (arg == "--text-bytes") {
      text_bytes = std::stoull(argv[++i]);
    } else {
      usage();
    }
  }
  if (base_url.empty() || (workload != "create" && workload != "create-streamed" &&
                           workload != "results" && workload != "retrieve"))
    usage();
  const std::size_t n = count.value_or(workload == "retrieve" ? 1000 : 100000);

  try {
    anthropic::ClientOptions options;
    options.api_key = "sk-ant-bench";
    options.base_url = base_url;
    anthropic::Client client(options);
    bm::BatchService& batches = client.beta().messages().batches();

    auto stats_http = anthropic::http::make_curl_http_client();
    const long connections_before = server_connections(*stats_http, base_url);

    std::size_t items = 0;
    std::size_t check = 0;                    // keeps the work observable
    bm::BetaMessageBatchCreateParams params;  // freed after the timed region, as in JavaScript
    const auto start = Clock::now();
    auto built = start;    // create: when the params are built
    auto created = start;  // create: when create() returned
    long rss_after_build_kb = 0;
    if (workload == "create") {
      params.requests.reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        params.requests.push_back(anthropic::bench::typical_request(i, text_bytes));
      }
      built = Clock::now();
      rss_after_build_kb = anthropic::bench::proc_status_kb("VmRSS");
      bm::BetaMessageBatch batch = batches.create(params);
      created = Clock::now();
      items = static_cast<std::size_t>(batch.request_counts.processing);
      check = batch.id.size();
    } else if (workload == "create-streamed") {
      bm::BatchCreateBodyBuilder builder;
      for (std::size_t i = 0; i < n; ++i)
        builder.add(anthropic::bench::typical_request(i, text_bytes));
      built = Clock::now();
      rss_after_build_kb = anthropic::bench::proc_status_kb("VmRSS");
      bm::BetaMessageBatch batch = batches.create_encoded(std::move(builder).finish());
      items = static_cast<std::size_t>(batch.request_counts.processing);
      check = batch.id.size();
    } else if (workload == "results") {
      anthropic::RequestOptions per_call;
      per_call.extra_query.emplace_back("count", std::to_string(n));
      for (const auto& line : batches.results("msgbatch_bench_results", per_call)) {
        ++items;
        const auto& block = line.result.message->content.at(0);
        check += std::get<anthropic::beta::BetaTextBlock>(block).text.size();
      }
    } else {
      for (std::size_t i = 0; i < n; ++i) {
        bm::BetaMessageBatch batch = batches.retrieve("msgbatch_bench_retrieve");
        check += batch.id.size();
        ++items;
      }
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const long connections = server_connections(*stats_http, base_url) - connections_before;
    const double peak_mb = static_cast<double>(anthropic::bench::proc_status_kb("VmHWM")) / 1024.0;
    // create: the first create() (above, in fresh memory) and a second one of the same params
    // (after the timed region, on a heap that has seen the first).
    double create_seconds = 0;
    double second_create_seconds = 0;
    if (workload == "create") {
      create_seconds = std::chrono::duration<double>(created - built).count();
      const auto again = Clock::now();
      check += batches.create(params).id.size();
      second_create_seconds = std::chrono::duration<double>(Clock::now() - again).count();
    }

    if (items != n) {
      std::cerr << "anthropic-bench-e2e: expected " << n << " items, got " << items << "\n";
      return 1;
    }
    const double build_seconds = std::chrono::duration<double>(built - start).count();
    std::printf(
        "{\"workload\":\"%s\",\"seconds\":%.4f,\"peak_rss_mb\":%.1f,\"items\":%zu,"
        "\"connections\":%ld,\"build_seconds\":%.4f,\"rss_after_build_mb\":%.1f,"
        "\"create_seconds\":%.4f,\"second_create_seconds\":%.4f,\"check\":%zu}\n",
        workload.c_str(), seconds, peak_mb, items, connections, build_seconds,
        static_cast<double>(rss_after_build_kb) / 1024.0, create_seconds, second_create_seconds,
        check);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "anthropic-bench-e2e: " << e.what() << "\n";
    return 1;
  }
}
