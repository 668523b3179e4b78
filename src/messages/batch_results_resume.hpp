#pragma once

// Private: how a results stream opened by HttpBatchService reconnects after its transfer broke.
// Kept out of the public header so that BatchResultsStream's public surface stays what it was.

#include <anthropic/cancellation.hpp>
#include <anthropic/errors.hpp>
#include <anthropic/http/http_client.hpp>
#include <anthropic/http/retrying_http_client.hpp>
#include <anthropic/messages/batch_results.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

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
  static void mix_block(std::uint64_t (&lanes)[4], const void* block) noexcept;

  std::uint64_t lanes_[4] = {0x243F6A8885A308D3ull, 0x13198A2E03707344ull, 0xA4093822299F31D0ull,
                             0x082EFA98EC4E6C89ull};
  std::uint64_t length_ = 0;
  unsigned char pending_[32] = {};  // the bytes of an unfinished block
  std::size_t pending_size_ = 0;
};

/// The bytes of a results body between their arrival and their lines: the unfinished line plus
/// what arrived behind it. Shared by the pull reader (which reads into `reserve`) and the async
/// push reader (which `append`s what the I/O thread delivers). Keeps the checksum of the consumed
/// bytes when `checksummed`, so that a resumed transfer can be checked against them.
class LineBuffer {
 public:
  explicit LineBuffer(bool checksummed) : checksummed_(checksummed) {}

  /// Room for at least `n` more bytes behind the data; `commit` what was written there.
  char* reserve(std::size_t n) {
    if (buffer_.size() - end_ < n) buffer_.resize(end_ + n);  // never zero-filled again
    return buffer_.data() + end_;
  }
  void commit(std::size_t n) noexcept { end_ += n; }
  void append(const char* data, std::size_t n);

  /// The next complete line (without its '\n'), valid until the buffer changes; false when the
  /// bytes so far end inside a line.
  bool next_line(std::string_view& line) noexcept;
  /// At the end of the body: the bytes after the last '\n', as the last line; false if none.
  bool last_line(std::string_view& line) noexcept;
  /// Moves the unfinished line to the front (the consumed bytes go into the checksum).
  void compact();
  /// The transfer broke: forgets the unfinished line (the next transfer repeats it).
  void drop_unfinished() noexcept;
  /// Frees the memory; the offsets stay.
  void release() noexcept;

  /// The body offset of the first byte not consumed (after the last line taken).
  std::uint64_t consumed() const noexcept { return consumed_ + begin_; }
  /// The body offset after the last byte received.
  std::uint64_t received() const noexcept { return consumed_ + end_; }
  /// The checksum of the bytes [0, consumed()).
  std::uint64_t consumed_digest() noexcept {
    sum_consumed();
    return checksum_.digest();
  }

 private:
  void sum_consumed() noexcept;

  bool checksummed_;
  std::string buffer_;  // bytes [begin_, end_) are received and not yet consumed
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::size_t scanned_ = 0;  // [begin_, scanned_) holds no '\n'
  // `consumed_` is the body offset of buffer_[0]; buffer_[0, summed_) is already in `checksum_`.
  std::uint64_t consumed_ = 0;
  std::size_t summed_ = 0;
  RunningChecksum checksum_;
};

/// Counts `line` (a line as `LineBuffer` gives it) and strips its '\r': false for a blank line.
inline bool content_line(std::string_view& line, std::size_t& line_number) noexcept {
  ++line_number;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line.find_first_not_of(" \t\r") != std::string_view::npos;
}

/// Decodes results line number `line_number`; AnthropicInvalidDataException names the line.
template <class Family>
messages::BasicMessageBatchIndividualResponse<Family> decode_results_line(std::string_view line,
                                                                          std::size_t line_number);

/// The resume decisions shared by the pull and the push reader: what a reopened transfer means,
/// how long to wait, when to give up.
class ResumePlan {
 public:
  ResumePlan(int max_retries, http::Jitter jitter)
      : max_retries_(max_retries), jitter_(std::move(jitter)) {}

  /// The first response's headers: whether byte ranges may be used, and the announced size.
  void first_response(const http::Headers& headers);
  /// Whether `received` bytes ending the body cleanly are short of the announced size.
  bool ended_short(std::uint64_t received) const noexcept { return total_ && received != *total_; }
  /// The error for a body cut at `received` bytes.
  AnthropicIoException cut_error(std::uint64_t received) const;
  /// The offset to ask for when reopening at `offset` (0: the whole body).
  std::uint64_t range_start(std::uint64_t offset) const noexcept {
    return ranges_usable_ ? offset : 0;
  }

  /// A failure at `offset`: the delay before the next attempt, or nullopt once the budget of
  /// consecutive failures without progress is spent.
  std::optional<std::chrono::milliseconds> failed_at(std::uint64_t offset);
  /// The final error once the budget is spent (or `error` itself when it is not an I/O error).
  std::exception_ptr give_up(std::exception_ptr error, std::size_t lines) const;

  /// What a reopened transfer asked to continue at `offset` is.
  enum class Reopened {
    kContinues,  // its body starts at `offset` (a 206; a 2xx when `offset` is 0)
    kEnded,      // nothing is left (416 at the end)
    kFromStart,  // its body starts at 0: the first `offset` bytes must be skipped and verified
    kRetry,      // a retryable status: counted as a failure
  };
  /// Throws for anything else (a service error, read from the body; a changed body; a bad
  /// Content-Range).
  Reopened reopened(http::StreamedResponse& response, std::uint64_t offset);

  /// The service exception for an error response (its body cut to 1 MiB), not thrown.
  static std::exception_ptr status_exception(http::StreamedResponse& response);
  [[noreturn]] static void throw_changed(const std::string& why);

  int max_retries() const noexcept { return max_retries_; }

 private:
  std::chrono::milliseconds backoff(int retry) const;

  int max_retries_;
  http::Jitter jitter_;
  std::optional<std::uint64_t> total_;  // the body's size, when a response announced it
  bool ranges_usable_ = false;
  std::uint64_t failed_at_ = 0;  // the offset of the last failure
  int failures_ = 0;             // consecutive failures at `failed_at_`
};

}  // namespace anthropic::internal
