// Private state of anthropic::emulator::Emulator, shared by emulator.cpp and handlers.cpp.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include <httplib.h>

#include "anthropic/emulator/emulator.hpp"
#include "store.hpp"

namespace anthropic::emulator {

struct Emulator::Impl {
  explicit Impl(EmulatorOptions o);

  EmulatorOptions options;
  internal::emulator::Store store;

  // Server lifecycle (guarded by the caller: start/stop do not race).
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
  std::atomic<bool> thread_exited{false};
  int bound_port = 0;

  // Faults.
  std::mutex fault_mu;
  std::mt19937_64 fault_rng;
  double fault_rate;
  std::size_t fault_round_robin = 0;
  std::deque<int> queued_faults;
  std::size_t results_drops = 0;  ///< results downloads still to be cut (fault_drop_results)

  // Request ids.
  std::mutex id_mu;
  std::mt19937_64 id_rng;

  /// Set by stop() so that slow bodies being trickled give up at once.
  std::atomic<bool> stopping{false};

  std::atomic<std::uint64_t> requests_served{0};
  std::atomic<std::uint64_t> faults_injected{0};

  std::string base_url() const;

  // --- handlers.cpp ---
  /// Registers every route and the error/exception handlers on `s`.
  void install(httplib::Server& s);

  // --- emulator.cpp: request bodies ---
  /// Enforces max_body_bytes before and while a body is read (cpp-httplib's own limit reads a
  /// too-large Content-Length body to the end before refusing it, and does not limit a chunked
  /// one at all): an over-limit Content-Length is refused before any body byte is read, a body
  /// being received is refused as soon as it passes the limit. Registered after install(): for
  /// methods that carry a body, these routes take precedence over the plain ones.
  void install_body_limits(httplib::Server& s);
  /// Reads the body through `reader` with the limit, then serves the request as handle() does.
  void handle_with_body(const httplib::Request& req, httplib::Response& res,
                        const httplib::ContentReader& reader);
  /// 413 request_too_large, with "Connection: close" (see emulator.cpp for what httplib does next).
  void refuse_too_large(httplib::Response& res);
  void handle(const httplib::Request& req, httplib::Response& res);
  /// Slow bodies (fault_slow_body_bytes_per_sec): turns a plain body the handlers wrote into a
  /// paced content provider. Bodies that already have a provider (results) pace themselves.
  void pace_body(httplib::Response& res);
  std::string new_request_id();
  std::optional<int> next_fault();
  /// True (and one fewer pending) when this results download is to be cut.
  bool take_results_drop();
  /// Undoes take_results_drop() for a download that ended up sending no body.
  void give_back_results_drop();
  /// Origin for results_url: public_base_url, else the Host header, else base_url().
  std::string origin_for(const httplib::Request& req) const;

  void handle_create(const httplib::Request& req, httplib::Response& res, const std::string& rid);
  void handle_list(const httplib::Request& req, httplib::Response& res, const std::string& rid);
  void handle_retrieve(const httplib::Request& req, httplib::Response& res, const std::string& id,
                       const std::string& rid);
  void handle_delete(httplib::Response& res, const std::string& id, const std::string& rid);
  void handle_cancel(const httplib::Request& req, httplib::Response& res, const std::string& id,
                     const std::string& rid);
  /// Streams the results; honours `Range: bytes=N-` (206, or 416 past the end).
  void handle_results(const httplib::Request& req, httplib::Response& res, const std::string& id,
                      const std::string& rid);
};

}  // namespace anthropic::emulator
