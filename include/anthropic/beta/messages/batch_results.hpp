#pragma once

#include <anthropic/beta/beta_message.hpp>
#include <anthropic/export.hpp>
#include <anthropic/http/http_client.hpp>
#include <anthropic/open_enum.hpp>
#include <anthropic/raw_json.hpp>

#include <array>
#include <cstddef>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace anthropic::beta::messages {

namespace detail {
struct ResultsStreamAccess;
}

/// `result.type` of a results line (open enum).
class BetaMessageBatchResultType : public OpenEnum<BetaMessageBatchResultType> {
 public:
  using OpenEnum::OpenEnum;
  static const BetaMessageBatchResultType succeeded;
  static const BetaMessageBatchResultType errored;
  static const BetaMessageBatchResultType canceled;
  static const BetaMessageBatchResultType expired;
  static constexpr std::array<std::string_view, 4> known_values() {
    return {"succeeded", "errored", "canceled", "expired"};
  }
};

/// The outcome of one request (the wire's `result` union, flattened): `message` is set for
/// `succeeded`, `error` for `errored`; for a type the SDK does not know, `raw` holds the whole
/// `result` object. Members of `result` the SDK does not model are kept in `extra_fields`.
/// Hand-written on top of the generated `BetaMessage` and `BetaErrorResponse`.
struct BetaMessageBatchResult {
  BetaMessageBatchResultType type;
  std::optional<BetaMessage> message;
  std::optional<BetaErrorResponse> error;
  std::optional<RawJson> raw;
  std::optional<RawJson> extra_fields;
};

/// One line of a batch's results file.
struct BetaMessageBatchIndividualResponse {
  std::string custom_id;
  BetaMessageBatchResult result;
  /// Members of the line the SDK does not model, kept verbatim.
  std::optional<RawJson> extra_fields;
};

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
class ANTHROPIC_EXPORT BatchResultsStream {
 public:
  explicit BatchResultsStream(std::unique_ptr<http::ResponseBody> body);
  /// A stream over JSONL text already in memory (for tests and mocks of `BatchService`).
  static BatchResultsStream from_jsonl(std::string jsonl);

  BatchResultsStream(BatchResultsStream&&) noexcept;
  BatchResultsStream& operator=(BatchResultsStream&&) noexcept;
  ~BatchResultsStream();

  /// The next result, or nullopt at the end.
  std::optional<BetaMessageBatchIndividualResponse> next();
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
    using iterator_category = std::input_iterator_tag;
    using value_type = BetaMessageBatchIndividualResponse;
    using difference_type = std::ptrdiff_t;
    using pointer = const value_type*;
    using reference = const value_type&;

    iterator() = default;
    reference operator*() const { return *current_; }
    pointer operator->() const { return &*current_; }
    iterator& operator++() {
      current_ = stream_->next();
      if (!current_) stream_ = nullptr;
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator& a, const iterator& b) { return a.stream_ == b.stream_; }
    friend bool operator!=(const iterator& a, const iterator& b) { return !(a == b); }

   private:
    friend class BatchResultsStream;
    explicit iterator(BatchResultsStream* stream) : stream_(stream) { ++*this; }
    BatchResultsStream* stream_ = nullptr;
    std::optional<BetaMessageBatchIndividualResponse> current_;
  };

  iterator begin() { return iterator(this); }
  iterator end() { return iterator(); }

 private:
  friend struct detail::ResultsStreamAccess;  // builds resumable streams for the HTTP service
  class Impl;
  explicit BatchResultsStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

inline const BetaMessageBatchResultType BetaMessageBatchResultType::succeeded{"succeeded"};
inline const BetaMessageBatchResultType BetaMessageBatchResultType::errored{"errored"};
inline const BetaMessageBatchResultType BetaMessageBatchResultType::canceled{"canceled"};
inline const BetaMessageBatchResultType BetaMessageBatchResultType::expired{"expired"};

/// The decoder behind `anthropic::from_json<T>` for the results line types.
ANTHROPIC_EXPORT void anthropic_from_json(std::string_view text, BetaMessageBatchResult& value);
ANTHROPIC_EXPORT void anthropic_from_json(std::string_view text,
                                          BetaMessageBatchIndividualResponse& value);

}  // namespace anthropic::beta::messages

namespace anthropic {
ANTHROPIC_EXPORT std::string to_json(const beta::messages::BetaMessageBatchResult& value);
ANTHROPIC_EXPORT std::string to_json(
    const beta::messages::BetaMessageBatchIndividualResponse& value);
}  // namespace anthropic
