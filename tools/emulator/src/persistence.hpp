// On-disk state of an emulator with a data directory.
//
// Layout of <data_dir>:
//   state.json
//     {"version":1,"clock_offset_us","clock_now_us","last_id_time","last_id_seq"}
//   batches/<id>.json
//     one batch's state (small; rewritten on every change), with the anthropic-version of its
//     create call ("api_version"; absent in files written before it was recorded)
//   batches/<id>.requests.jsonl
//     its requests, compact, written once at create: line 1 {"models":[...],"count":N}, then
//     one {"c":custom_id,"m":model index,"t":echo text,"i":input tokens,"x":max_tokens,
//     "e":error} per request
//
// Every file is written atomically: a temporary file in the same directory, fsync, rename over
// the target, fsync of the directory. A crash leaves either the old or the new file, never a
// torn one; stray temporaries are removed on load. A batch exists once its .json exists: the
// requests file is written first at create and removed last at delete.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "model.hpp"

namespace anthropic::internal::emulator {

struct PersistedState {
  Micros clock_offset = 0;
  Micros clock_now = 0;  ///< emulator time when the state was written
  Micros last_id_time = 0;
  std::uint64_t last_id_seq = 0;
  std::map<std::string, Batch> batches;
};

class Persistence {
 public:
  explicit Persistence(std::string dir);

  /// Creates the directories and reads everything back. Throws std::runtime_error on I/O
  /// failure; skips (with a note on stderr) batch files that do not parse.
  PersistedState load();

  void write_state(Micros clock_offset, Micros clock_now, Micros last_id_time,
                   std::uint64_t last_id_seq);
  void write_requests(const std::string& id, const RequestSet& requests);
  void write_batch(const Batch& batch);
  void remove_batch(const std::string& id);

 private:
  std::string dir_;
  std::string batches_dir_;
};

}  // namespace anthropic::internal::emulator
