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
  detail::Store store;

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

  // Request ids.
  std::mutex id_mu;
  std::mt19937_64 id_rng;

  std::atomic<std::uint64_t> requests_served{0};
  std::atomic<std::uint64_t> faults_injected{0};

  std::string base_url() const;

  // --- handlers.cpp ---
  /// Registers every route and the error/exception handlers on `s`.
  void install(httplib::Server& s);
  void handle(const httplib::Request& req, httplib::Response& res);
  std::string new_request_id();
  std::optional<int> next_fault();
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
