// A local emulator of Anthropic's Message Batches API (beta), for tests and demos.
//
// The emulator is an HTTP server (cpp-httplib) that implements the six batch endpoints with the
// real API's paths, JSON shapes, error envelopes and lifecycle, on a clock that tests can move
// forward. It does not use the SDK, so it can serve as an independent conformance server.
//
//   anthropic::emulator::EmulatorOptions options;
//   options.processing_time = std::chrono::seconds(10);
//   anthropic::emulator::Emulator emulator(options);
//   emulator.start();                        // listening when it returns
//   // point a client at emulator.base_url() with x-api-key "sk-ant-emulator"
//   emulator.advance(std::chrono::seconds(10));  // every in-progress batch has now ended
//
// Simulated lifecycle (all times on the emulator clock, see `advance`):
//   - A batch of N requests is `in_progress` with every request counted in `processing`.
//     Request i (0-based) completes at created_at + processing_time * (i + 1) / N, so the batch
//     ends at created_at + processing_time. Counts leave `processing` only when the batch ends.
//   - `cancel` on an in-progress batch: `canceling`, `cancel_initiated_at` set; the batch ends
//     processing_time / 4 later. Requests completed at the moment of the cancel keep their
//     result, every other request ends `canceled`.
//   - Expiry: `expires_at` is always created_at + 24 h (as the real API reports it). The batch
//     actually expires `expiry_after` after creation (default 24 h): when processing_time is
//     longer than expiry_after, the batch ends at created_at + expiry_after and the requests not
//     completed by then end `expired`. Set a short expiry_after (or advance the clock by 24 h) to
//     test expiry.
//   - A request whose params lack a valid `model`, `max_tokens` (>= 1) or non-empty `messages`
//     is accepted at create time and ends `errored` with an invalid_request_error, as the real
//     API does; structural problems (custom_id, params not an object, ...) fail the create.
//   - Under `anthropic-version: 2026-10-21` (or a later date) on the create call, a request with
//     `temperature`/`top_p`/`top_k`, a `document` block in an assistant message, or a user text
//     block with non-empty `citations` (also inside a `search_result`) ends `errored` too.
//   - Other per-request checks end the request `errored` too, one error per request in a fixed
//     order: params keys of the family (beta with `?beta=true` or an anthropic-beta header),
//     content block tags, thinking, tools/tool_choice, output format, and last the model
//     (not_found_error unless it starts with "claude-" or is in `models`). See README.md.
//   - Answers are the echo of the last user text, or a tool_use / thinking / structured-output
//     answer derived from the request (README.md). usage reports service_tier "batch".
//   - Results come in a shuffled order seeded from the batch id (see ordered_results).
//
// Thread safety: all member functions may be called from any thread; the server itself serves
// requests on a thread pool. start() and stop() must not race each other.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace anthropic::emulator {

/// Configuration of an Emulator. Plain struct; every field has a usable default.
struct EmulatorOptions {
  /// Interface to bind. The base URL uses it as is (use 127.0.0.1 rather than 0.0.0.0 for a
  /// usable base_url(), or set public_base_url).
  std::string host = "127.0.0.1";
  /// TCP port; 0 lets the OS choose (read it back with Emulator::port()).
  int port = 0;
  /// Accepted credentials, as `x-api-key: K` or `Authorization: Bearer K`. An empty list accepts
  /// any non-empty credential. A missing or wrong credential gets 401 authentication_error.
  std::vector<std::string> api_keys = {"sk-ant-emulator"};
  /// Simulated time for a batch to end after creation (requests complete uniformly over it).
  std::chrono::milliseconds processing_time{2000};
  /// A batch not ended this long after creation expires; its unprocessed requests end
  /// `expired`. `expires_at` in the batch JSON stays created_at + 24 h regardless.
  std::chrono::milliseconds expiry_after{std::chrono::hours(24)};
  /// When true, the emulator clock stands still unless advance() moves it (it starts at the
  /// wall time of construction, or at the persisted time with data_dir). Tests use it so that
  /// slow machines and sanitizers cannot move a batch past a boundary behind their back.
  bool manual_clock = false;
  /// Fraction (0..1) of HTTP requests answered with an injected fault instead of being served.
  double fault_rate = 0.0;
  /// Statuses used for injected faults, in round-robin order: 429 (rate_limit_error, with
  /// `retry-after: 1`), 500 (api_error), 529 (overloaded_error), 408 and 504 (timeout_error);
  /// other statuses get the error type the API uses for them (api_error for other 5xx).
  std::vector<int> fault_statuses = {429, 500, 529, 408, 504};
  /// The next this many results downloads (200, or 206 for a Range) are cut: the connection is
  /// closed after half of the response body (always inside a line), as a network
  /// failure would leave it. Each is counted in EmulatorStats::faults. See queue_results_drop().
  std::size_t fault_drop_results = 0;
  /// Result lines in request order. By default they come in a shuffled order seeded from the
  /// batch id (the API promises no order): the same batch always gives the same bytes, so a
  /// `Range` resume is consistent, and different batches give different orders.
  bool ordered_results = false;
  /// When set, injected 429 faults also carry `retry-after-ms: <value>`.
  std::optional<std::chrono::milliseconds> fault_retry_after_ms;
  /// Added to every response (slept on the serving thread before answering).
  std::chrono::milliseconds latency{0};
  /// When set, state is persisted there (atomically, on every change) and loaded by start():
  /// batches, their requests (compactly) and the clock offset survive a restart.
  std::optional<std::string> data_dir;
  /// Seeds fault injection and generated ids, so a run is reproducible.
  std::uint64_t seed = 1;
  /// Request bodies over this size get 413 request_too_large (the real limit is 256 MB). A
  /// Content-Length over it is refused before any body byte is read; a chunked body as soon as
  /// it passes the limit. The 413 carries `Connection: close`.
  std::size_t max_body_bytes = std::size_t{256} * 1024 * 1024;
  /// Models a request may name. Empty (the default) accepts any name starting with "claude-".
  /// A request naming another model ends `errored` with not_found_error `model: <name>`, as the
  /// real API reports an unknown model.
  std::vector<std::string> models;
  /// Slow bodies: when non-zero, response bodies (results JSONL and JSON bodies alike) are sent
  /// at no more than this many bytes per second, in small slices, so that a download of N bytes
  /// takes at least N / rate seconds. Lets clients test their timeouts and progress reporting.
  /// stop() interrupts a body being trickled.
  std::size_t fault_slow_body_bytes_per_sec = 0;
  /// Requests without an `anthropic-version` header get 400, as from the real API.
  bool require_anthropic_version = true;
  /// Origin used in `results_url` (e.g. "http://emulator.test:8080"). When unset, the request's
  /// Host header is used, and base_url() when there is none.
  std::optional<std::string> public_base_url;
  /// How long an idle keep-alive connection is kept open. stop() waits up to this long for a
  /// client that holds an idle connection (cpp-httplib only notices a stop between requests).
  /// 0 disables keep-alive: one request per connection, and stop() never waits.
  std::chrono::seconds keep_alive_timeout{1};
  /// Connections served at once. cpp-httplib holds a thread for each open connection, idle or
  /// half-sent ones included (each read may wait 30 s), so threads are started on demand up to
  /// this many; further connections are accepted and wait for a free thread.
  std::size_t max_connections = 256;
};

/// Aggregate counters, for tests that assert on traffic (e.g. retries).
struct EmulatorStats {
  std::uint64_t requests = 0;  ///< HTTP requests answered by the emulator's handlers
  std::uint64_t faults = 0;    ///< of which answered with an injected fault (or cut short)
};

/// The emulator: owns an HTTP server and the batch store. Not copyable or movable.
class Emulator {
 public:
  explicit Emulator(EmulatorOptions options = {});
  ~Emulator();  ///< stops the server if running
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  /// Loads persisted state (if data_dir), binds, and serves on a background thread pool.
  /// Returns once the socket is listening. Throws std::runtime_error when it cannot bind or the
  /// data directory cannot be read. Calling start() on a running emulator throws.
  void start();
  /// Stops serving and joins the server threads. Idempotent. The store is kept (and persisted).
  void stop();
  /// The bound port (after start()).
  int port() const;
  /// "http://<host>:<port>" (after start()).
  std::string base_url() const;

  // --- test hooks ---------------------------------------------------------------------------
  /// Moves the emulator's clock forward (timestamps included); batches whose end time is now
  /// reached end at their scheduled time. Persisted with data_dir.
  void advance(std::chrono::milliseconds by);
  /// Changes the fault rate at run time.
  void set_fault_rate(double rate);
  /// The next `statuses.size()` requests are answered with these statuses, in order, before any
  /// random fault (deterministic scripting of retries).
  void queue_faults(std::vector<int> statuses);
  /// The next `count` results downloads are cut after about half of their body (see
  /// EmulatorOptions::fault_drop_results).
  void queue_results_drop(std::size_t count = 1);
  /// Counters since construction.
  EmulatorStats stats() const;
  /// Number of batches currently stored (deleted ones excluded).
  std::size_t batch_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace anthropic::emulator
