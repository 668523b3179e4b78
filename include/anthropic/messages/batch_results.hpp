#pragma once

#include <anthropic/export.hpp>
#include <anthropic/http/http_client.hpp>
#include <anthropic/models/batch_result.hpp>

#include <cstddef>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

// Internal (defined in src/, not part of the API): what a stream reads from, and who builds one.
namespace anthropic::internal {
class ResultsReader;
struct ResultsStreamAccess;
}  // namespace anthropic::internal

namespace anthropic::messages {

/// The results of a batch, decoded one JSONL line at a time as the body arrives: memory use does
/// not depend on the size of the file. Lines of any length, `\r\n` endings and a last line
/// without a newline are read; blank lines are skipped. A malformed line raises
/// `AnthropicInvalidDataException` naming its line number, after every line before it was
/// delivered. Destroying the stream (or `close()`) before the end abandons the transfer.
///
/// A stream returned by `BatchService::results` survives a broken connection: it reconnects
/// (within the call's or the client's `max_retries`, counting consecutive failures without a new
/// line, with the usual backoff) and continues after the last whole line it read, asking for the
/// rest with `Range: bytes=N-`, or re-reading from the start and skipping what was delivered once
/// a checksum shows those bytes are unchanged (otherwise `AnthropicInvalidDataException`
/// "results changed between attempts"). Every line is delivered exactly once, in order, and
/// `line_number()` keeps counting across reconnects. The `RequestOptions::cancellation` token of
/// that call stops the stream (reads and waits) with `AnthropicCancelledException`.
///
/// Once the transfer has failed for good (an I/O error that cannot be resumed, a spent retry
/// budget, a cancel), every later `next()` / `next_raw()` throws that error again: a partial
/// line is never delivered. A stream built from a body (the constructor, `from_jsonl`) cannot
/// reconnect; its first I/O error is final.
///
/// Move-only; one reader at a time. Use with range-for:
///
///     for (const auto& line : batches.results(id)) { ... }
template <class Family>
class ANTHROPIC_EXPORT BasicBatchResultsStream {
 public:
  /// One decoded line.
  using value_type = BasicMessageBatchIndividualResponse<Family>;

  /// A stream over `body` (owned from now on), without reconnection: its first I/O error is
  /// final.
  explicit BasicBatchResultsStream(std::unique_ptr<http::ResponseBody> body);
  /// A stream over JSONL text already in memory (for tests and mocks of `BatchService`).
  static BasicBatchResultsStream from_jsonl(std::string jsonl);

  /// Takes over `other`'s transfer and position; `other` is left at its end.
  BasicBatchResultsStream(BasicBatchResultsStream&& other) noexcept;
  /// Abandons this stream's transfer, then takes over `other`'s.
  BasicBatchResultsStream& operator=(BasicBatchResultsStream&& other) noexcept;
  /// Abandons the transfer if it is not finished (the connection is closed, not drained).
  ~BasicBatchResultsStream();

  /// The next result, or nullopt at the end. Throws `AnthropicInvalidDataException` for a line
  /// that does not decode, `AnthropicIoException` for a transfer that failed for good,
  /// `AnthropicCancelledException` once cancelled.
  std::optional<value_type> next();
  /// The next non-blank line as it arrived (without its line ending), not decoded: for archiving
  /// results verbatim. Mixing `next_raw()` and `next()` is allowed.
  std::optional<std::string> next_raw();
  /// Stops reading and releases the connection; further `next()` calls return nullopt (unless the
  /// stream had already failed: then they throw its error).
  void close() noexcept;
  /// Number of the last line read (1-based, blank lines included).
  std::size_t line_number() const noexcept;

  /// Single-pass input iterator over the remaining results.
  class iterator {
   public:
    ///@{
    /// Standard iterator trait.
    using iterator_category = std::input_iterator_tag;
    using value_type = BasicMessageBatchIndividualResponse<Family>;
    using difference_type = std::ptrdiff_t;
    using pointer = const value_type*;
    using reference = const value_type&;
    ///@}

    /// The end iterator.
    iterator() = default;
    /// The current line; valid until the iterator moves.
    reference operator*() const { return *current_; }
    /// The current line, as a pointer.
    pointer operator->() const { return &*current_; }
    /// Reads the next line (throwing what `next()` throws).
    iterator& operator++() {
      current_ = stream_->next();
      if (!current_) stream_ = nullptr;
      return *this;
    }
    /// As prefix `++`.
    void operator++(int) { ++*this; }
    ///@{
    /// Equal when both are at the end, or both read the same stream (single-pass).
    friend bool operator==(const iterator& a, const iterator& b) { return a.stream_ == b.stream_; }
    friend bool operator!=(const iterator& a, const iterator& b) { return !(a == b); }
    ///@}

   private:
    friend class BasicBatchResultsStream;
    explicit iterator(BasicBatchResultsStream* stream) : stream_(stream) { ++*this; }
    BasicBatchResultsStream* stream_ = nullptr;
    std::optional<value_type> current_;
  };

  /// Reads the first remaining line (so it may throw as `next()` does). The stream must outlive
  /// the iterator.
  iterator begin() { return iterator(this); }
  /// The end of the stream.
  iterator end() { return iterator(); }

 private:
  friend struct internal::ResultsStreamAccess;  // builds resumable streams for the HTTP service
  explicit BasicBatchResultsStream(std::unique_ptr<internal::ResultsReader> reader);
  std::unique_ptr<internal::ResultsReader> reader_;
};

/// The results of a GA batch.
using BatchResultsStream = BasicBatchResultsStream<GaFamily>;

extern template class BasicBatchResultsStream<GaFamily>;

}  // namespace anthropic::messages
