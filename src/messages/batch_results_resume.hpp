#pragma once

// Private: how a results stream opened by HttpBatchService reconnects after its transfer broke.
// Kept out of the public header so that BatchResultsStream's public surface stays what it was.

#include <anthropic/cancellation.hpp>
#include <anthropic/http/http_client.hpp>
#include <anthropic/http/retrying_http_client.hpp>
#include <anthropic/messages/batch_results.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>

namespace anthropic::internal {

/// What a resumable results stream needs besides its first response.
struct ResultsResume {
  /// Sends the results request again, once (no retries of its own: the stream counts them).
  /// `range_start` > 0 asks for `Range: bytes=<range_start>-`; 0 asks for the whole body.
  std::function<http::StreamedResponse(std::uint64_t range_start)> reopen;
  /// Consecutive failures without progress that are retried (the call's or the client's
  /// `max_retries`); the delay before retry n is min(0.5 s * 2^n, 8 s) less up to 25 % jitter.
  int max_retries = 2;
  /// Waits between attempts (`ClientOptions::sleeper`); empty: waits on `cancellation`.
  http::Sleeper sleeper;
  /// A number in [0, 1) per delay; empty: random.
  http::Jitter jitter;
  /// Cancelling it stops the stream (reads, waits, reconnects) with AnthropicCancelledException.
  CancellationToken cancellation;
};

/// Builds streams with BatchResultsStream's private constructor.
struct ResultsStreamAccess {
  /// A stream over `first` (a 2xx response to the results request) that resumes through `resume`
  /// when the transfer breaks.
  template <class Family>
  static messages::BasicBatchResultsStream<Family> open(http::StreamedResponse first,
                                                        ResultsResume resume);
};

/// A 64-bit checksum of a byte sequence fed in pieces of any size: the digest depends only on the
/// bytes, not on how they were split. Mixes 32 bytes at a time in four independent lanes so that
/// it stays cheap beside the line splitter that feeds it; it detects changed content, it is not a
/// cryptographic hash.
class RunningChecksum {
 public:
  void update(const char* data, std::size_t size) noexcept;
  /// The checksum of every byte given so far (the length included).
  std::uint64_t digest() const noexcept;
  std::uint64_t length() const noexcept { return length_; }

 private:
  static std::uint64_t mix(std::uint64_t h, std::uint64_t word) noexcept {
    h = (h ^ word) * 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 29);
  }
  void mix_block(const void* block) noexcept;

  std::uint64_t lanes_[4] = {0x243F6A8885A308D3ull, 0x13198A2E03707344ull, 0xA4093822299F31D0ull,
                             0x082EFA98EC4E6C89ull};
  std::uint64_t length_ = 0;
  unsigned char pending_[32] = {};  // the bytes of an unfinished block
  std::size_t pending_size_ = 0;
};

}  // namespace anthropic::internal
