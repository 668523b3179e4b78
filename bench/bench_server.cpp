// anthropic-bench-server: a local Message Batches server with canned answers, for the end-to-end
// benchmarks of this SDK and of the official TypeScript SDK (bench/compare_official_sdk.sh).
//
//   anthropic-bench-server [--port P] [--results-lines N] [--threads T] [--latency-ms L]
//
// --latency-ms L: each retrieve is answered after L ms (a sleep, no CPU), as a real API answers
// after network and service time; without it the loopback answer takes microseconds and a
// benchmark measures CPU only (default 0).
// Prints "listening on http://127.0.0.1:PORT" once ready (port chosen by the OS unless --port).
//   POST /v1/messages/batches            reads the whole body (streamed, never stored) and answers
//                                        a batch whose request_counts.processing is the number of
//                                        "custom_id" keys in the body
//   GET  /v1/messages/batches/{id}       an ended batch whose results_url points back here
//   GET  /v1/messages/batches/{id}/results
//                                        N typical succeeded lines (~300 bytes), generated while
//                                        they are sent; N from ?count= or --results-lines
//                                        (default 100,000); application/x-jsonl, with a length
//   GET  /__stats                        {"connections":C,"requests":R}: C counts the distinct
//                                        client ports seen by the API routes above (so the TCP
//                                        connections the SDKs opened; /__stats itself is not
//                                        counted), R the API requests served
// Any x-api-key is accepted. Keep-alive is never cut by the server (no request count limit,
// 60 s idle timeout); TCP_NODELAY is on, as on production HTTP servers; answers are never
// compressed (identity encoding), so that the server's compressor is not what gets measured.

#include <httplib.h>

#include "bench_data.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

namespace {

struct Stats {
  std::mutex mutex;
  std::set<std::pair<std::string, int>> peers;  // (address, port) of each client connection
  std::atomic<long> requests{0};

  void seen(const httplib::Request& req) {
    ++requests;
    std::lock_guard<std::mutex> lock(mutex);
    peers.emplace(req.remote_addr, req.remote_port);
  }
  std::string json() {
    std::size_t connections = 0;
    {
      std::lock_guard<std::mutex> lock(mutex);
      connections = peers.size();
    }
    return R"({"connections":)" + std::to_string(connections) + R"(,"requests":)" +
           std::to_string(requests.load()) + "}";
  }
};

std::string batch_json(const std::string& id, std::size_t processing, std::size_t succeeded,
                       bool ended, const std::string& results_url) {
  std::string s = R"({"id":")" + id + R"(","type":"message_batch","processing_status":")";
  s += ended ? "ended" : "in_progress";
  s += R"(","request_counts":{"processing":)" + std::to_string(processing) + R"(,"succeeded":)" +
       std::to_string(succeeded) +
       R"(,"errored":0,"canceled":0,"expired":0},"created_at":"2026-08-20T10:00:00.000000Z",)"
       R"("expires_at":"2026-08-21T10:00:00.000000Z","ended_at":)";
  s += ended ? R"("2026-08-20T10:05:00.000000Z")" : "null";
  s += R"(,"cancel_initiated_at":null,"archived_at":null,"results_url":)";
  s += results_url.empty() ? "null" : "\"" + results_url + "\"";
  s += "}";
  return s;
}

// Counts occurrences of `"custom_id"` in a body that arrives in pieces.
class KeyCounter {
 public:
  void feed(const char* data, std::size_t n) {
    // Carry the last few bytes so that a key split between two pieces is still seen once.
    std::string_view piece(data, n);
    if (!carry_.empty()) {
      std::string joined = carry_ + std::string(piece.substr(0, kKey.size() - 1));
      count_in(joined, 0);
      // Keys wholly inside `joined` start within carry_, so are not counted again below.
    }
    count_in(piece, 0);
    std::size_t keep = std::min(piece.size(), kKey.size() - 1);
    carry_.assign(piece.data() + piece.size() - keep, keep);
  }
  std::size_t count() const noexcept { return count_; }

 private:
  void count_in(std::string_view s, std::size_t from) {
    for (;;) {
      auto at = s.find(kKey, from);
      if (at == std::string_view::npos) return;
      ++count_;
      from = at + kKey.size();
    }
  }
  static constexpr std::string_view kKey = "\"custom_id\"";
  std::string carry_;
  std::size_t count_ = 0;
};

std::size_t query_size(const httplib::Request& req, const char* name, std::size_t fallback) {
  if (!req.has_param(name)) return fallback;
  try {
    return static_cast<std::size_t>(std::stoull(req.get_param_value(name)));
  } catch (...) {
    return fallback;
  }
}

void usage() {
  std::cerr << "usage: anthropic-bench-server [--port P] [--results-lines N] [--threads T] "
               "[--latency-ms L]\n";
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  std::size_t default_lines = 100000;
  std::size_t threads = std::max(8u, std::thread::hardware_concurrency());
  std::chrono::milliseconds latency{0};
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage();
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--port") {
      port = std::stoi(value());
    } else if (arg == "--results-lines") {
      default_lines = std::stoull(value());
    } else if (arg == "--threads") {
      threads = std::stoull(value());
    } else if (arg == "--latency-ms") {
      latency = std::chrono::milliseconds(std::stoll(value()));
    } else {
      usage();
      return 2;
    }
  }

  Stats stats;
  std::atomic<long> next_id{1};
  httplib::Server server;
  server.set_keep_alive_max_count(static_cast<std::size_t>(-1) / 2);
  server.set_keep_alive_timeout(60);
  // Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm holds the
  // body until the client's (delayed, ~40 ms) ACK of the headers.
  server.set_tcp_nodelay(true);
  // No compression: cpp-httplib would brotli- or gzip-encode every JSON answer for a client that
  // accepts it (both SDKs do), and the benchmarks would time the server's compressor. The request
  // object handed to the handlers is the server's own (not const): dropping the header is safe.
  server.set_pre_routing_handler([](const httplib::Request& req, httplib::Response&) {
    const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server.set_read_timeout(60, 0);
  server.set_write_timeout(60, 0);
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };

  server.Post("/v1/messages/batches", [&](const httplib::Request& req, httplib::Response& res,
                                          const httplib::ContentReader& content_reader) {
    stats.seen(req);
    KeyCounter counter;
    content_reader([&](const char* data, std::size_t n) {
      counter.feed(data, n);
      return true;
    });
    std::string id = "msgbatch_bench_" + std::to_string(next_id++);
    res.set_content(batch_json(id, counter.count(), 0, false, ""), "application/json");
  });

  server.Get(R"(/v1/messages/batches/([^/]+)/results)", [&](const httplib::Request& req,
                                                            httplib::Response& res) {
    stats.seen(req);
    const std::size_t lines = query_size(req, "count", default_lines);
    const std::size_t length = anthropic::bench::results_bytes(lines);
    struct Cursor {
      std::size_t next = 0;  // next line to generate
      std::string pending;   // generated, not yet written
      std::size_t pending_at = 0;
    };
    auto cursor = std::make_shared<Cursor>();
    res.set_content_provider(length, "application/x-jsonl",
                             [cursor, lines](std::size_t, std::size_t, httplib::DataSink& sink) {
                               Cursor& c = *cursor;
                               if (c.pending_at == c.pending.size()) {
                                 c.pending.clear();
                                 c.pending_at = 0;
                                 // About 64 KiB per write: generated as it is sent, never held
                                 // whole.
                                 for (int k = 0; k < 200 && c.next < lines; ++k, ++c.next) {
                                   anthropic::bench::append_result_line(c.pending, c.next);
                                   c.pending.push_back('\n');
                                 }
                               }
                               if (c.pending_at == c.pending.size()) return false;  // nothing left
                               std::size_t n = c.pending.size() - c.pending_at;
                               if (!sink.write(c.pending.data() + c.pending_at, n)) return false;
                               c.pending_at += n;
                               return true;
                             });
  });

  server.Get(
      R"(/v1/messages/batches/([^/]+))", [&](const httplib::Request& req, httplib::Response& res) {
        stats.seen(req);
        if (latency.count() > 0) std::this_thread::sleep_for(latency);
        const std::string id = req.matches[1];
        const std::string host = req.get_header_value("Host");
        const std::size_t lines = default_lines;
        res.set_content(batch_json(id, 0, lines, true,
                                   "http://" + host + "/v1/messages/batches/" + id + "/results"),
                        "application/json");
      });

  server.Get("/__stats", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(stats.json(), "application/json");
  });

  int bound = port == 0 ? server.bind_to_any_port("127.0.0.1")
                        : (server.bind_to_port("127.0.0.1", port) ? port : -1);
  if (bound <= 0) {
    std::cerr << "anthropic-bench-server: cannot listen on 127.0.0.1:" << port << "\n";
    return 1;
  }
  std::cout << "listening on http://127.0.0.1:" << bound << std::endl;
  return server.listen_after_bind() ? 0 : 1;
}
