#include "model.hpp"

#include <algorithm>

namespace anthropic::internal::emulator {

const char* to_string(Status s) {
  switch (s) {
    case Status::in_progress:
      return "in_progress";
    case Status::canceling:
      return "canceling";
    case Status::ended:
      return "ended";
  }
  return "in_progress";
}

Counts Batch::counts() const {
  if (status == Status::ended) return final_counts;
  Counts c;
  c.processing = static_cast<std::int64_t>(size());
  return c;
}

std::size_t Batch::completed_by(Micros t) const {
  const std::size_t n = size();
  const Micros elapsed = t - created_at;
  if (processing_time <= 0 || elapsed >= processing_time) return n;
  if (elapsed <= 0) return 0;
  // floor(elapsed * n / processing_time) without overflow for any realistic sizes.
  long double k = static_cast<long double>(elapsed) * static_cast<long double>(n) /
                  static_cast<long double>(processing_time);
  return std::min(n, static_cast<std::size_t>(k));
}

void Batch::end(Micros when, std::size_t done, Unprocessed rest) {
  const std::size_t n = size();
  done = std::min(done, n);
  status = Status::ended;
  ended_at = when;
  completed = done;
  unprocessed = done == n ? Unprocessed::none : rest;
  Counts c;
  if (requests) {
    for (std::size_t i = 0; i < done; ++i) {
      if (requests->requests[i].error.empty()) {
        ++c.succeeded;
      } else {
        ++c.errored;
      }
    }
  }
  const auto left = static_cast<std::int64_t>(n - done);
  if (unprocessed == Unprocessed::canceled) c.canceled = left;
  if (unprocessed == Unprocessed::expired) c.expired = left;
  final_counts = c;
}

bool Batch::refresh(Micros now) {
  const Micros deadline = created_at + expiry_after;
  if (status == Status::in_progress) {
    const Micros natural_end = created_at + processing_time;
    if (natural_end <= deadline) {
      if (now >= natural_end) {
        end(natural_end, size(), Unprocessed::none);
        return true;
      }
    } else if (now >= deadline) {
      end(deadline, completed_by(deadline), Unprocessed::expired);
      return true;
    }
    return false;
  }
  if (status == Status::canceling && cancel_initiated_at) {
    // Progress stops at the cancel; the batch ends cancel_delay later (or at its expiry, if
    // that comes first). Requests not completed at the cancel end `canceled`.
    const Micros cancel_end = std::min(*cancel_initiated_at + cancel_delay, deadline);
    if (now >= cancel_end) {
      end(std::max(cancel_end, *cancel_initiated_at), completed_by(*cancel_initiated_at),
          Unprocessed::canceled);
      return true;
    }
  }
  return false;
}

}  // namespace anthropic::internal::emulator
