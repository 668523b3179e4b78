// The batch store: the emulator clock, id generation, lifecycle operations and persistence.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "model.hpp"
#include "persistence.hpp"

namespace anthropic::internal::emulator {

/// Durations a new batch is created with.
struct BatchTiming {
  Micros processing_time = 0;
  Micros expiry_after = kDay;
  bool manual_clock = false;  ///< time moves only by advance()
};

/// Thread-safe: one mutex guards everything; no I/O except persistence happens under it.
class Store {
 public:
  enum class Outcome { ok, not_found, conflict };

  struct Page {
    std::vector<Batch> data;
    bool has_more = false;
  };

  Store(BatchTiming timing, std::uint64_t seed);

  /// Enables persistence in `dir` and loads its state (once; later calls do nothing).
  void open(const std::string& dir);

  /// Emulator time: wall time at construction + steady time since (unless manual_clock) + the
  /// advanced offset.
  Micros now() const;
  /// Moves the clock forward and applies the transitions that became due.
  void advance(Micros by);

  /// Stores a new in-progress batch, created under `api_version`, and returns it as created
  /// (before any transition).
  Batch create(std::shared_ptr<const RequestSet> requests, std::string api_version);
  /// The batch, refreshed to now.
  Outcome get(const std::string& id, Batch* out);
  /// in_progress -> canceling (idempotent on canceling); conflict when already ended.
  Outcome cancel(const std::string& id, Batch* out);
  /// Removes an ended batch; conflict while in progress or canceling.
  Outcome remove(const std::string& id, Batch* out);
  /// Newest first. `after_id`: only batches older than it; `before_id`: only batches newer than
  /// it (the page nearest to it). Cursors are positions in id order and need not exist.
  Page list(std::size_t limit, const std::optional<std::string>& after_id,
            const std::optional<std::string>& before_id);

  std::size_t size() const;

 private:
  Micros now_locked() const;
  std::string next_id_locked();
  void refresh_locked(Batch& b, Micros now);
  void persist_state_locked();

  BatchTiming timing_;
  std::chrono::steady_clock::time_point steady_base_;
  Micros wall_base_;

  mutable std::mutex mu_;
  Micros offset_ = 0;
  std::map<std::string, Batch> batches_;  // id order == creation order
  std::mt19937_64 id_rng_;
  Micros last_id_time_ = 0;
  std::uint64_t last_id_seq_ = 0;
  std::unique_ptr<Persistence> persistence_;
};

}  // namespace anthropic::internal::emulator
