// anthropic-async-bench: the async services against anthropic-bench-server (which it does not
// start), through the public API only.
//
//   anthropic-async-bench --base-url URL [--calls N] [--max-connections C]
//   anthropic-async-bench --base-url URL --leak-calls N [--max-connections C]
//   anthropic-async-bench --base-url URL --results-batches K [--results-lines N]
//                         [--max-connections C]
//
// Throughput (the default): on one Client, N sequential blocking `retrieve` calls (default
// 1,000), then N concurrent async `retrieve` calls (all N futures started, then collected), and
// prints the calls per second of each, their ratio, the process's thread count while the async
// calls are in flight, and the TCP connections the server saw opened by each phase, warm-up
// included (from its /__stats, when it has one: for the async phase, at most C expected). Each
// phase starts with a warm-up of 10 calls outside the timed region (the async one starts the I/O
// thread), so that both time calls on open connections.
//
// Leak check (--leak-calls N): N async `retrieve` calls in waves of 1,000 (each wave started,
// then collected), and prints the thread count and VmRSS after the first wave and at the end.
// 100,000 calls should leave both flat.
//
// Results (--results-batches K): the results of K batches of N lines each (default 100,000: start
// the server with the same --results-lines), read on one Client first with blocking streams one
// after another on the caller's thread, then all K at once with for_each_result (pushed on the I/O
// thread). Prints the lines and MB per second of each, the thread count while the K are in flight,
// and VmRSS and VmHWM after each phase (the async phase second: its peak includes the first's).
//
// --max-connections sets ClientOptions::max_async_connections (default 4). The server must have
// more threads than that (anthropic-bench-server --threads T, default max(8, cores)): it gives
// each keep-alive connection a thread of its own, the blocking phase's connection keeps one, and
// a connection without a thread waits for another to idle out (60 s).
//
// Ends with one JSON line for scripts:
//   {"calls":...,"blocking_calls_per_s":...,"async_calls_per_s":...,"ratio":...,
//    "threads_in_flight":...,"connections_blocking":...,"connections_async":...}
// or, with --leak-calls, {"leak_calls":...,"threads_before":...,"threads_after":...,
//                         "rss_kb_before":...,"rss_kb_after":...}
// or, with --results-batches, {"batches":...,"lines":...,"blocking_lines_per_s":...,
//                              "async_lines_per_s":...,"threads_in_flight":...,...}

#include <anthropic/anthropic.hpp>
#include <anthropic/http/curl_http_client.hpp>

#include "bench_data.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <future>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace mb = anthropic::messages;
using Clock = std::chrono::steady_clock;

void usage() {
  std::cerr << "usage: anthropic-async-bench --base-url URL [--calls N] [--max-connections C]\n"
               "       anthropic-async-bench --base-url URL --leak-calls N [--max-connections C]\n"
               "       anthropic-async-bench --base-url URL --results-batches K "
               "[--results-lines N] [--max-connections C]\n";
  std::exit(2);
}

// A numeric field of /proc/self/status ("Threads", "VmRSS" in kB); -1 where unavailable.
long proc_status(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(in, line)) {
    if (line.compare(0, prefix.size(), prefix) == 0) return std::stol(line.substr(prefix.size()));
  }
  return -1;
}

// The server's count of client connections (distinct client ports seen by its API routes), or -1
// when it does not answer /__stats (another server). Through a transport of its own: its own
// connection is not counted.
long server_connections(anthropic::http::HttpClient& http, const std::string& base_url) {
  try {
    anthropic::http::HttpRequest request;
    request.method = "GET";
    request.url = base_url + "/__stats";
    request.headers.set("connection", "close");  // holds none of the server's threads
    anthropic::http::HttpResponse response = http.send(request);
    const std::string key = "\"connections\":";
    auto at = response.body.find(key);
    if (response.status != 200 || at == std::string::npos) return -1;
    return std::stol(response.body.substr(at + key.size()));
  } catch (const std::exception&) {
    return -1;
  }
}

std::string batch_id(std::size_t i) { return "msgbatch_async_" + std::to_string(i); }

// Starts `n` async retrieves (ids from `first`), then collects them; throws when an answer is not
// the batch asked for. `threads_in_flight`, when set, receives the thread count once all are
// started (before any is collected).
void async_wave(mb::BatchServiceAsync& batches, std::size_t first, std::size_t n,
                long* threads_in_flight = nullptr) {
  std::vector<std::future<mb::MessageBatch>> futures;
  futures.reserve(n);
  for (std::size_t i = 0; i < n; ++i) futures.push_back(batches.retrieve(batch_id(first + i)));
  if (threads_in_flight != nullptr) *threads_in_flight = proc_status("Threads");
  for (std::size_t i = 0; i < n; ++i) {
    mb::MessageBatch batch = futures[i].get();
    if (batch.id != batch_id(first + i)) {
      throw std::runtime_error("async retrieve " + std::to_string(first + i) + " answered " +
                               batch.id);
    }
  }
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The results of `batches` batches of `lines` lines: blocking streams one after another, then
// for_each_result for all of them at once.
int results_bench(anthropic::Client& client, std::size_t batches, std::size_t lines,
                  int max_connections) {
  mb::BatchService& blocking = client.messages().batches();
  mb::BatchServiceAsync& async = client.async().messages().batches();
  auto start = Clock::now();
  for (std::size_t i = 0; i < batches; ++i) {
    auto stream = blocking.results(batch_id(i));
    std::size_t n = 0;
    while (auto line = stream.next()) {  // decoded, as for_each_result does
      if (!line->custom_id.empty()) ++n;
    }
    if (n != lines) throw std::runtime_error("blocking: " + std::to_string(n) + " lines");
  }
  const double blocking_s = seconds_since(start);
  const long rss_blocking = proc_status("VmRSS");
  const long hwm_blocking = proc_status("VmHWM");

  std::vector<std::size_t> seen(batches, 0);
  std::vector<std::future<std::size_t>> done;
  done.reserve(batches);
  start = Clock::now();
  for (std::size_t i = 0; i < batches; ++i) {
    done.push_back(
        async.for_each_result(batch_id(i), [&seen, i](mb::MessageBatchIndividualResponse line) {
          if (!line.custom_id.empty()) ++seen[i];  // on the I/O thread: one writer per counter
        }));
  }
  const long threads_in_flight = proc_status("Threads");
  for (std::size_t i = 0; i < batches; ++i) {
    if (done[i].get() != lines || seen[i] != lines) {
      throw std::runtime_error("async: batch " + std::to_string(i) + " delivered " +
                               std::to_string(seen[i]) + " lines");
    }
  }
  const double async_s = seconds_since(start);
  const long rss_async = proc_status("VmRSS");
  const long hwm_async = proc_status("VmHWM");

  const double total = static_cast<double>(batches * lines);
  const double mb = static_cast<double>(batches * anthropic::bench::results_bytes(lines)) / 1e6;
  std::printf("results: %zu batches of %zu lines (%.1f MB in all), max %d connections\n", batches,
              lines, mb, max_connections);
  std::printf(
      "blocking streams, one after another: %.2f s, %.0f lines/s, %.1f MB/s; VmRSS %ld kB, "
      "VmHWM %ld kB\n",
      blocking_s, total / blocking_s, mb / blocking_s, rss_blocking, hwm_blocking);
  std::printf(
      "for_each_result, all at once:        %.2f s, %.0f lines/s, %.1f MB/s; VmRSS %ld kB, "
      "VmHWM %ld kB; %ld threads in flight\n",
      async_s, total / async_s, mb / async_s, rss_async, hwm_async, threads_in_flight);
  std::printf(
      "{\"batches\":%zu,\"lines\":%zu,\"blocking_lines_per_s\":%.0f,\"async_lines_per_s\":%.0f,"
      "\"threads_in_flight\":%ld,\"rss_kb_blocking\":%ld,\"rss_kb_async\":%ld,"
      "\"hwm_kb_blocking\":%ld,\"hwm_kb_async\":%ld}\n",
      batches, lines, total / blocking_s, total / async_s, threads_in_flight, rss_blocking,
      rss_async, hwm_blocking, hwm_async);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string base_url;
  std::size_t calls = 1000;
  std::size_t leak_calls = 0;
  std::size_t results_batches = 0;
  std::size_t results_lines = 100000;
  int max_connections = 4;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) usage();
    try {
      if (arg == "--base-url") {
        base_url = argv[++i];
      } else if (arg == "--calls") {
        calls = std::stoull(argv[++i]);
      } else if (arg == "--leak-calls") {
        leak_calls = std::stoull(argv[++i]);
      } else if (arg == "--results-batches") {
        results_batches = std::stoull(argv[++i]);
      } else if (arg == "--results-lines") {
        results_lines = std::stoull(argv[++i]);
      } else if (arg == "--max-connections") {
        max_connections = std::stoi(argv[++i]);
      } else {
        usage();
      }
    } catch (const std::logic_error&) {  // stoull / stoi: not a number
      usage();
    }
  }
  if (base_url.empty() || calls == 0 || max_connections < 1) usage();

  try {
    anthropic::ClientOptions options;
    options.api_key = "sk-ant-bench";
    options.base_url = base_url;
    options.max_async_connections = max_connections;
    anthropic::Client client(options);
    mb::BatchServiceAsync& async = client.async().messages().batches();

    if (results_batches > 0) {
      return results_bench(client, results_batches, results_lines, max_connections);
    }
    if (leak_calls > 0) {
      constexpr std::size_t kWave = 1000;
      std::size_t done = std::min(kWave, leak_calls);
      async_wave(async, 0, done);  // the first wave: the I/O thread, connections, buffers
      const long threads_before = proc_status("Threads");
      const long rss_before = proc_status("VmRSS");
      const auto start = Clock::now();
      while (done < leak_calls) {
        const std::size_t n = std::min(kWave, leak_calls - done);
        async_wave(async, done, n);
        done += n;
      }
      const double seconds = seconds_since(start);
      const long threads_after = proc_status("Threads");
      const long rss_after = proc_status("VmRSS");
      std::printf("leak check: %zu async retrieves in waves of %zu (%d connections)\n", leak_calls,
                  kWave, max_connections);
      std::printf("  after the first wave: %ld threads, VmRSS %ld kB\n", threads_before,
                  rss_before);
      std::printf("  after the last wave:  %ld threads, VmRSS %ld kB (%+ld kB; %.2f s)\n",
                  threads_after, rss_after, rss_after - rss_before, seconds);
      std::printf(
          "{\"leak_calls\":%zu,\"threads_before\":%ld,\"threads_after\":%ld,"
          "\"rss_kb_before\":%ld,\"rss_kb_after\":%ld,\"seconds\":%.3f}\n",
          leak_calls, threads_before, threads_after, rss_before, rss_after, seconds);
      return 0;
    }

    auto stats_http = anthropic::http::make_curl_http_client();
    mb::BatchService& blocking = client.messages().batches();

    // Blocking: N sequential calls.
    const long connections_0 = server_connections(*stats_http, base_url);
    for (std::size_t i = 0; i < 10; ++i) blocking.retrieve(batch_id(i));  // warm-up
    auto start = Clock::now();
    for (std::size_t i = 0; i < calls; ++i) {
      mb::MessageBatch batch = blocking.retrieve(batch_id(i));
      if (batch.id != batch_id(i))
        throw std::runtime_error("blocking retrieve answered " + batch.id);
    }
    const double blocking_s = seconds_since(start);
    const long connections_1 = server_connections(*stats_http, base_url);

    // Async: N concurrent calls, all started, then collected.
    const long threads_before_async = proc_status("Threads");
    async_wave(async, 0, 10);  // warm-up: starts the I/O thread, opens connections
    long threads_in_flight = -1;
    start = Clock::now();
    async_wave(async, 0, calls, &threads_in_flight);
    const double async_s = seconds_since(start);
    if (async_s > 30) {
      std::cerr << "anthropic-async-bench: the async phase took " << async_s
                << " s: does the server have more threads than --max-connections ("
                << max_connections << ")? See the top of bench/async_bench.cpp.\n";
    }
    const long connections_3 = server_connections(*stats_http, base_url);

    const double blocking_rate = static_cast<double>(calls) / blocking_s;
    const double async_rate = static_cast<double>(calls) / async_s;
    const bool have_stats = connections_0 >= 0 && connections_3 >= 0;
    const long conn_blocking = have_stats ? connections_1 - connections_0 : -1;
    const long conn_async = have_stats ? connections_3 - connections_1 : -1;
    std::printf("blocking: %zu sequential retrieves in %.3f s: %.0f calls/s\n", calls, blocking_s,
                blocking_rate);
    std::printf("async:    %zu concurrent retrieves in %.3f s: %.0f calls/s (max %d connections)\n",
                calls, async_s, async_rate, max_connections);
    std::printf("ratio async / blocking: %.2fx\n", async_rate / blocking_rate);
    std::printf("threads: %ld before the first async call, %ld while %zu async calls in flight\n",
                threads_before_async, threads_in_flight, calls);
    if (have_stats) {
      std::printf("connections opened (server's count): blocking %ld, async %ld\n", conn_blocking,
                  conn_async);
    } else {
      std::printf("connections opened: n/a (the server has no /__stats)\n");
    }
    std::printf(
        "{\"calls\":%zu,\"blocking_calls_per_s\":%.1f,\"async_calls_per_s\":%.1f,\"ratio\":%.3f,"
        "\"threads_in_flight\":%ld,\"connections_blocking\":%ld,\"connections_async\":%ld}\n",
        calls, blocking_rate, async_rate, async_rate / blocking_rate, threads_in_flight,
        conn_blocking, conn_async);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "anthropic-async-bench: " << e.what() << "\n";
    return 1;
  }
}
