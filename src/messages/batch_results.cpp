#include <anthropic/beta/messages/batch_results.hpp>
#include <anthropic/errors.hpp>
#include <anthropic/http/retrying_http_client.hpp>
#include <anthropic/messages/batch_results.hpp>

#include "http/retry_state.hpp"
#include "json/codecs.hpp"
#include "messages/batch_results_resume.hpp"
#include "trim.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <exception>

namespace anthropic::internal {

void RunningChecksum::update(const char* data, std::size_t size) noexcept {
  length_ += size;
  // The lanes are worked on in a local copy: through the member array each block waited for the
  // previous one's stores (6.5 GB/s); locals stay in registers and the multiplications overlap.
  std::uint64_t lanes[4];
  std::memcpy(lanes, lanes_, sizeof lanes);
  // Finish a block begun by the previous piece.
  if (pending_size_ != 0) {
    const std::size_t take = std::min(sizeof pending_ - pending_size_, size);
    std::memcpy(pending_ + pending_size_, data, take);
    pending_size_ += take;
    data += take;
    size -= take;
    if (pending_size_ < sizeof pending_) return;
    mix_block(lanes, pending_);
    pending_size_ = 0;
  }
  // Whole blocks straight from the data. Blocks sit at multiples of 32 bytes of the whole
  // sequence, and words are read with memcpy in both places, so the digest does not depend on
  // where the pieces were split, whatever the byte order of the machine.
  while (size >= sizeof pending_) {
    mix_block(lanes, data);
    data += sizeof pending_;
    size -= sizeof pending_;
  }
  std::memcpy(lanes_, lanes, sizeof lanes);
  std::memcpy(pending_, data, size);  // less than a block
  pending_size_ = size;
}

void RunningChecksum::mix_block(std::uint64_t (&lanes)[4], const void* block) noexcept {
  // Four independent lanes: the multiplications overlap instead of waiting for each other.
  std::uint64_t words[4];
  std::memcpy(words, block, sizeof words);
  for (int i = 0; i < 4; ++i) lanes[i] = mix(lanes[i], words[i]);
}

std::uint64_t RunningChecksum::digest() const noexcept {
  std::uint64_t h = 0x243F6A8885A308D3ull;
  for (std::uint64_t lane : lanes_) h = mix(h, lane);
  unsigned char tail[sizeof pending_] = {};
  std::memcpy(tail, pending_, pending_size_);
  for (std::size_t at = 0; at < pending_size_; at += 8) {
    std::uint64_t word;
    std::memcpy(&word, tail + at, sizeof word);
    h = mix(h, word);
  }
  // The length tells "abc" from "abc\0".
  h = mix(h, length_);
  return h ^ (h >> 32);
}

namespace {

// "bytes START-END/TOTAL" (TOTAL may be "*"), as a 206 response's Content-Range.
struct ContentRange {
  std::uint64_t start = 0;
  std::uint64_t end = 0;
  std::optional<std::uint64_t> total;
};

bool parse_number(std::string_view s, std::uint64_t& out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

std::optional<ContentRange> parse_content_range(std::string_view value) {
  value = trim(value);
  constexpr std::string_view kUnit = "bytes ";
  if (value.substr(0, kUnit.size()) != kUnit) return std::nullopt;
  value.remove_prefix(kUnit.size());
  auto dash = value.find('-');
  auto slash = value.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || slash < dash) {
    return std::nullopt;
  }
  ContentRange r;
  if (!parse_number(value.substr(0, dash), r.start) ||
      !parse_number(value.substr(dash + 1, slash - dash - 1), r.end) || r.end < r.start) {
    return std::nullopt;
  }
  std::string_view total = value.substr(slash + 1);
  if (total != "*") {
    std::uint64_t t = 0;
    if (!parse_number(total, t) || t <= r.end) return std::nullopt;
    r.total = t;
  }
  return r;
}

// "bytes */TOTAL", as a 416 response's Content-Range.
std::optional<std::uint64_t> parse_unsatisfied_range(std::string_view value) {
  value = trim(value);
  constexpr std::string_view kPrefix = "bytes */";
  if (value.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::uint64_t total = 0;
  if (!parse_number(value.substr(kPrefix.size()), total)) return std::nullopt;
  return total;
}

std::optional<std::uint64_t> content_length(const http::Headers& headers) {
  const std::string* value = headers.find("content-length");
  std::uint64_t n = 0;
  if (value == nullptr || !parse_number(trim(*value), n)) return std::nullopt;
  return n;
}

// Byte offsets are only meaningful on the body as sent: a compressed body (which the transport
// decodes) is resumed by re-reading it from the start instead.
bool identity_encoded(const http::Headers& headers) {
  const std::string* value = headers.find("content-encoding");
  return value == nullptr || trim(*value).empty() || trim(*value) == "identity";
}

}  // namespace

// LineBuffer

void LineBuffer::append(const char* data, std::size_t n) {
  if (n == 0) return;
  std::memcpy(reserve(n), data, n);
  commit(n);
}

bool LineBuffer::next_line(std::string_view& line) noexcept {
  const char* base = buffer_.data();
  std::size_t from = std::max(scanned_, begin_);
  const void* nl = from < end_ ? std::memchr(base + from, '\n', end_ - from) : nullptr;
  if (nl == nullptr) {
    scanned_ = end_;
    return false;
  }
  auto at = static_cast<std::size_t>(static_cast<const char*>(nl) - base);
  line = std::string_view(base + begin_, at - begin_);
  begin_ = at + 1;
  scanned_ = begin_;
  return true;
}

bool LineBuffer::last_line(std::string_view& line) noexcept {
  if (begin_ >= end_) return false;
  line = std::string_view(buffer_.data() + begin_, end_ - begin_);
  begin_ = scanned_ = end_;
  return true;
}

void LineBuffer::compact() {
  if (begin_ == 0) return;
  sum_consumed();
  std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
  consumed_ += begin_;
  end_ -= begin_;
  scanned_ = scanned_ > begin_ ? scanned_ - begin_ : 0;
  begin_ = 0;
  summed_ = 0;
}

void LineBuffer::drop_unfinished() noexcept {
  sum_consumed();
  consumed_ += begin_;
  begin_ = end_ = scanned_ = summed_ = 0;
}

void LineBuffer::release() noexcept {
  drop_unfinished();
  buffer_.clear();
  buffer_.shrink_to_fit();
}

// The checksum sees each consumed byte once, a block at a time.
void LineBuffer::sum_consumed() noexcept {
  if (!checksummed_) return;  // a stream that cannot resume never compares
  if (begin_ > summed_) {
    checksum_.update(buffer_.data() + summed_, begin_ - summed_);
    summed_ = begin_;
  }
}

template <class F>
messages::BasicMessageBatchIndividualResponse<F> decode_results_line(std::string_view line,
                                                                     std::size_t line_number) {
  try {
    return json::decode_result_line<F>(line);
  } catch (const AnthropicInvalidDataException& e) {
    throw AnthropicInvalidDataException("results line " + std::to_string(line_number) + ": " +
                                        e.what());
  }
}

template messages::MessageBatchIndividualResponse decode_results_line<messages::GaFamily>(
    std::string_view, std::size_t);
template beta::messages::BetaMessageBatchIndividualResponse
    decode_results_line<beta::messages::BetaFamily>(std::string_view, std::size_t);

// ResumePlan

void ResumePlan::first_response(const http::Headers& headers) {
  ranges_usable_ = identity_encoded(headers);
  if (ranges_usable_) total_ = content_length(headers);
}

AnthropicIoException ResumePlan::cut_error(std::uint64_t received) const {
  // A body that ends cleanly short of the size its response announced was cut (by a transport
  // that does not check Content-Length itself): a broken transfer.
  return AnthropicIoException("results: the body ended after " + std::to_string(received) + " of " +
                                  std::to_string(total_.value_or(0)) + " bytes",
                              true);
}

std::optional<std::chrono::milliseconds> ResumePlan::failed_at(std::uint64_t offset) {
  if (offset > failed_at_) failures_ = 0;  // progress since the last failure: a fresh budget
  failed_at_ = offset;
  if (failures_ >= std::max(0, max_retries_)) return std::nullopt;
  return backoff(failures_++);
}

std::chrono::milliseconds ResumePlan::backoff(int retry) const {
  double base = 500.0 * std::pow(2.0, static_cast<double>(std::min(retry, 30)));
  base = std::min(base, 8000.0);
  double j = jitter_ ? jitter_() : random_jitter();
  if (!(j >= 0.0)) j = 0.0;
  if (j >= 1.0) j = std::nextafter(1.0, 0.0);
  return std::chrono::milliseconds(static_cast<long long>(base * (1.0 - 0.25 * j)));
}

std::exception_ptr ResumePlan::give_up(std::exception_ptr error, std::size_t lines) const {
  try {
    std::rethrow_exception(error);
  } catch (const AnthropicCancelledException&) {
    return std::current_exception();
  } catch (const AnthropicIoException& e) {
    // Said once, with what was tried; the type (and may_have_reached_server) is kept.
    return std::make_exception_ptr(AnthropicIoException(
        std::string(e.what()) + "; the results transfer broke after " + std::to_string(lines) +
            " lines and was not resumed (" + std::to_string(failures_) +
            " reconnect attempt(s) without progress, max_retries " + std::to_string(max_retries_) +
            ")",
        e.may_have_reached_server()));
  } catch (...) {
    return std::current_exception();
  }
}

void ResumePlan::throw_changed(const std::string& why) {
  throw AnthropicInvalidDataException(
      "results changed between attempts: " + why +
      "; the lines delivered so far came from the earlier transfer, so the stream stops rather "
      "than mix two versions of the results");
}

ResumePlan::Reopened ResumePlan::reopened(http::StreamedResponse& response, std::uint64_t offset) {
  const int status = response.status;
  const http::Headers& headers = response.headers;
  if (status == 206 && offset > 0) {
    const std::string* value = headers.find("content-range");
    auto range = value != nullptr ? parse_content_range(*value) : std::nullopt;
    if (!range || range->start != offset || (range->total && range->end + 1 != *range->total)) {
      throw AnthropicInvalidDataException("results: asked for bytes " + std::to_string(offset) +
                                          "- and got a 206 with Content-Range \"" +
                                          (value ? *value : std::string()) + "\"");
    }
    if (range->total) {
      if (total_ && *total_ != *range->total) {
        throw_changed("the body was " + std::to_string(*total_) + " bytes, now " +
                      std::to_string(*range->total));
      }
      total_ = range->total;
    }
    return Reopened::kContinues;
  }
  if (status == 416 && offset > 0) {
    // Everything was consumed already (the transfer broke before its end was signalled).
    const std::string* value = headers.find("content-range");
    auto total = value != nullptr ? parse_unsatisfied_range(*value) : std::nullopt;
    if (total && *total == offset) return Reopened::kEnded;
  }
  if (status >= 200 && status <= 299 && status != 206) {
    if (ranges_usable_ && identity_encoded(headers)) {
      auto length = content_length(headers);
      if (total_ && length && *total_ != *length) {
        throw_changed("the body was " + std::to_string(*total_) + " bytes, now " +
                      std::to_string(*length));
      }
      if (!total_) total_ = length;
    }
    return offset > 0 ? Reopened::kFromStart : Reopened::kContinues;
  }
  if (status >= 200 && status <= 299) {  // a 206 to a request without a Range
    throw AnthropicInvalidDataException("results: asked for the whole body again and got a " +
                                        std::to_string(status));
  }
  if (http::RetryingHttpClient::should_retry(status, headers)) return Reopened::kRetry;
  std::rethrow_exception(status_exception(response));
}

std::exception_ptr ResumePlan::status_exception(http::StreamedResponse& response) {
  std::string body = response.body ? response.read_all(http::kMaxErrorBodyBytes) : std::string();
  try {
    throw_service_exception(response.status, std::move(response.headers), std::move(body));
  } catch (...) {
    return std::current_exception();
  }
}

/// Splits the body into lines as it arrives and decodes them one at a time. The buffer holds the
/// current line plus one read chunk (64 KiB), whatever the size of the body.
///
/// A stream opened by HttpBatchService also knows how to reopen the results: when a read fails
/// with an I/O error, it reconnects and continues after the last whole line it consumed (see
/// `resume`). Once the transfer has failed for good, the failure is kept and thrown again by
/// every later call: a partial line is never delivered.
class ResultsReader {
 public:
  explicit ResultsReader(std::unique_ptr<http::ResponseBody> body)
      : body_(std::move(body)), lines_(false), plan_(0, {}) {}

  ResultsReader(http::StreamedResponse first, ResultsResume resume)
      : body_(std::move(first.body)),
        resume_(std::move(resume)),
        lines_(static_cast<bool>(resume_.reopen)),
        plan_(resume_.max_retries, resume_.jitter) {
    plan_.first_response(first.headers);
  }

  template <class F>
  std::optional<messages::BasicMessageBatchIndividualResponse<F>> next() {
    std::string_view line;
    if (!next_content_line(line)) return std::nullopt;
    return decode_results_line<F>(line, line_number_);
  }

  std::optional<std::string> next_raw() {
    std::string_view line;
    if (!next_content_line(line)) return std::nullopt;
    return std::string(line);
  }

  void close() noexcept {
    closed_ = true;
    body_.reset();
    lines_.release();
  }

  std::size_t line_number() const noexcept { return line_number_; }

 private:
  // Sets `line` to the next non-blank line, without its `\n` or `\r\n`, counting every line read;
  // false at the end of the body. Throws the stream's failure again once it has failed.
  bool next_content_line(std::string_view& line) {
    if (failure_) std::rethrow_exception(failure_);
    if (closed_) return false;
    // One atomic load per line: a cancelled stream stops even while lines are still buffered.
    if (resume_.cancellation.cancelled()) {
      fail(std::make_exception_ptr(
          AnthropicCancelledException("results: the stream was cancelled", false)));
    }
    while (next_line(line)) {
      if (content_line(line, line_number_)) return true;
    }
    return false;
  }

  // Sets `line` to the next line (without '\n'); false at the end of the body.
  bool next_line(std::string_view& line) {
    for (;;) {
      if (lines_.next_line(line)) return true;
      if (!body_) return lines_.last_line(line);  // a last line without '\n'
      // Move the unfinished line to the front, then read into the free room behind it.
      lines_.compact();
      read_more();
    }
  }

  // Reads more of the body into the buffer. At the end of the body, releases it (and with it the
  // connection). After a resume the unfinished line was dropped (the new transfer repeats it).
  void read_more() {
    for (;;) {
      std::size_t n = 0;
      try {
        n = body_->read(lines_.reserve(kChunk), kChunk);
      } catch (const AnthropicCancelledException&) {
        fail(std::current_exception());
      } catch (const AnthropicIoException&) {
        if (!resume_.reopen) fail(std::current_exception());
        resume(std::current_exception());
        if (!body_) return;  // nothing was left to read
        continue;            // read again, from the new transfer
      } catch (...) {
        fail(std::current_exception());
      }
      if (n == 0 && resume_.reopen && plan_.ended_short(lines_.received())) {
        resume(std::make_exception_ptr(plan_.cut_error(lines_.received())));
        if (!body_) return;
        continue;
      }
      lines_.commit(n);
      if (n == 0) body_.reset();  // releases the connection as soon as the body ends
      return;
    }
  }

  // The transfer broke with `error`. Drops the unfinished line and opens the results again,
  // continuing after the last whole line consumed; returns once a new transfer is positioned
  // there, or fails the stream for good (budget spent, cancelled, results changed, an error
  // status).
  void resume(std::exception_ptr error) {
    body_.reset();
    lines_.drop_unfinished();
    const std::uint64_t offset = lines_.consumed();
    for (;;) {
      auto delay = plan_.failed_at(offset);
      if (!delay) fail(plan_.give_up(error, line_number_));
      wait(*delay);
      try {
        if (resume_.cancellation.cancelled()) throw_cancelled();
        http::StreamedResponse response = resume_.reopen(plan_.range_start(offset));
        switch (plan_.reopened(response, offset)) {
          case ResumePlan::Reopened::kContinues:
            body_ = std::move(response.body);
            return;
          case ResumePlan::Reopened::kEnded:
            return;  // body_ stays null: the end of the results
          case ResumePlan::Reopened::kFromStart:
            skip_verified(*response.body, offset);
            body_ = std::move(response.body);
            return;
          case ResumePlan::Reopened::kRetry:  // counted like a broken connection
            error = ResumePlan::status_exception(response);
            break;
        }
      } catch (const AnthropicCancelledException&) {
        fail(std::current_exception());
      } catch (const AnthropicIoException&) {
        error = std::current_exception();
      } catch (...) {
        fail(std::current_exception());
      }
    }
  }

  // Reads the first `count` bytes of a body that starts from the beginning again and checks that
  // they are the bytes already consumed. An I/O error on the way propagates (it is retried).
  void skip_verified(http::ResponseBody& body, std::uint64_t count) {
    RunningChecksum again;
    char* scratch = lines_.reserve(kChunk);  // behind the (empty) data: never committed
    std::uint64_t left = count;
    while (left > 0) {
      const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(left, kChunk));
      const std::size_t n = body.read(scratch, want);
      if (n == 0) {
        ResumePlan::throw_changed("the body now ends after " + std::to_string(count - left) +
                                  " bytes, before the " + std::to_string(count) +
                                  " already delivered");
      }
      again.update(scratch, n);
      left -= n;
    }
    if (again.digest() != lines_.consumed_digest()) {
      ResumePlan::throw_changed("the first " + std::to_string(count) +
                                " bytes differ from those already delivered");
    }
  }

  // Waits before a retry, through the client's sleeper when one was injected (then checks the
  // token), else on the token itself so that a cancel ends the wait at once.
  void wait(std::chrono::milliseconds delay) {
    if (resume_.sleeper) {
      resume_.sleeper(delay);
      if (resume_.cancellation.cancelled()) throw_cancelled_for_good();
    } else if (resume_.cancellation.wait_for(delay)) {
      throw_cancelled_for_good();
    }
  }

  [[noreturn]] static void throw_cancelled() {
    throw AnthropicCancelledException("results: the stream was cancelled while reconnecting",
                                      false);
  }
  [[noreturn]] void throw_cancelled_for_good() {
    fail(std::make_exception_ptr(AnthropicCancelledException(
        "results: the stream was cancelled while waiting to reconnect", false)));
  }

  // Ends the stream for good with `error`: releases the connection and the buffer, keeps the
  // error for every later call, and throws it.
  [[noreturn]] void fail(std::exception_ptr error) {
    failure_ = error;
    body_.reset();
    lines_.release();
    std::rethrow_exception(error);
  }

  static constexpr std::size_t kChunk = 64 * 1024;
  std::unique_ptr<http::ResponseBody> body_;
  ResultsResume resume_;
  LineBuffer lines_;
  ResumePlan plan_;
  std::size_t line_number_ = 0;
  bool closed_ = false;
  std::exception_ptr failure_;
};

}  // namespace anthropic::internal

namespace anthropic::messages {

template <class F>
BasicBatchResultsStream<F>::BasicBatchResultsStream(std::unique_ptr<http::ResponseBody> body)
    : reader_(std::make_unique<internal::ResultsReader>(std::move(body))) {}

template <class F>
BasicBatchResultsStream<F>::BasicBatchResultsStream(std::unique_ptr<internal::ResultsReader> reader)
    : reader_(std::move(reader)) {}

template <class F>
BasicBatchResultsStream<F> BasicBatchResultsStream<F>::from_jsonl(std::string jsonl) {
  return BasicBatchResultsStream(http::make_memory_body(std::move(jsonl)));
}

template <class F>
BasicBatchResultsStream<F>::BasicBatchResultsStream(BasicBatchResultsStream&&) noexcept = default;
template <class F>
BasicBatchResultsStream<F>& BasicBatchResultsStream<F>::operator=(
    BasicBatchResultsStream&&) noexcept = default;
template <class F>
BasicBatchResultsStream<F>::~BasicBatchResultsStream() = default;

template <class F>
std::optional<BasicMessageBatchIndividualResponse<F>> BasicBatchResultsStream<F>::next() {
  if (!reader_) return std::nullopt;
  return reader_->template next<F>();
}

template <class F>
std::optional<std::string> BasicBatchResultsStream<F>::next_raw() {
  if (!reader_) return std::nullopt;
  return reader_->next_raw();
}

template <class F>
void BasicBatchResultsStream<F>::close() noexcept {
  if (reader_) reader_->close();
}

template <class F>
std::size_t BasicBatchResultsStream<F>::line_number() const noexcept {
  return reader_ ? reader_->line_number() : 0;
}

template class BasicBatchResultsStream<GaFamily>;
template class BasicBatchResultsStream<beta::messages::BetaFamily>;

}  // namespace anthropic::messages

namespace anthropic::internal {

template <class F>
messages::BasicBatchResultsStream<F> ResultsStreamAccess::open(http::StreamedResponse first,
                                                               ResultsResume resume) {
  return messages::BasicBatchResultsStream<F>(
      std::make_unique<ResultsReader>(std::move(first), std::move(resume)));
}

template messages::BatchResultsStream ResultsStreamAccess::open<messages::GaFamily>(
    http::StreamedResponse, ResultsResume);
template beta::messages::BatchResultsStream ResultsStreamAccess::open<beta::messages::BetaFamily>(
    http::StreamedResponse, ResultsResume);

}  // namespace anthropic::internal
