#include <anthropic/beta/messages/batch_results.hpp>
#include <anthropic/errors.hpp>

#include "json/codecs.hpp"

#include <cstring>

namespace anthropic::beta::messages {

/// Splits the body into lines as it arrives and decodes them one at a time. The buffer holds the
/// current line plus one read chunk (64 KiB), whatever the size of the body.
class BatchResultsStream::Impl {
 public:
  explicit Impl(std::unique_ptr<http::ResponseBody> body) : body_(std::move(body)) {}

  std::optional<BetaMessageBatchIndividualResponse> next() {
    std::string_view line;
    if (!next_content_line(line)) return std::nullopt;
    try {
      return json::decode_result_line(line);
    } catch (const AnthropicInvalidDataException& e) {
      throw AnthropicInvalidDataException("results line " + std::to_string(line_number_) + ": " +
                                          e.what());
    }
  }

  std::optional<std::string> next_raw() {
    std::string_view line;
    if (!next_content_line(line)) return std::nullopt;
    return std::string(line);
  }

  void close() noexcept {
    body_.reset();
    buffer_.clear();
    buffer_.shrink_to_fit();
    begin_ = 0;
    end_ = 0;
  }

  std::size_t line_number() const noexcept { return line_number_; }

 private:
  static bool is_blank(std::string_view line) {
    return line.find_first_not_of(" \t\r") == std::string_view::npos;
  }

  // Sets `line` to the next non-blank line, without its `\n` or `\r\n`, counting every line read;
  // false at the end of the body.
  bool next_content_line(std::string_view& line) {
    while (next_line(line)) {
      ++line_number_;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!is_blank(line)) return true;
    }
    return false;
  }

  // Sets `line` to the next line (without '\n'); false at the end of the body.
  bool next_line(std::string_view& line) {
    std::size_t scan_from = begin_;
    for (;;) {
      const char* base = buffer_.data();
      const void* nl =
          scan_from < end_ ? std::memchr(base + scan_from, '\n', end_ - scan_from) : nullptr;
      if (nl != nullptr) {
        auto at = static_cast<std::size_t>(static_cast<const char*>(nl) - base);
        line = std::string_view(base + begin_, at - begin_);
        begin_ = at + 1;
        return true;
      }
      if (!body_) {  // end of body: a last line without '\n'
        if (begin_ < end_) {
          line = std::string_view(base + begin_, end_ - begin_);
          begin_ = end_;
          return true;
        }
        return false;
      }
      // Move the unfinished line to the front, then read into the free room behind it.
      if (begin_ > 0) {
        std::memmove(buffer_.data(), base + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
      }
      scan_from = end_;
      // The buffer only grows (for a line longer than what is free): it is never zero-filled
      // again for a read, and holds the current line plus one read's worth.
      if (buffer_.size() - end_ < kChunk) buffer_.resize(end_ + kChunk);
      std::size_t n = 0;
      try {
        n = body_->read(buffer_.data() + end_, buffer_.size() - end_);
      } catch (...) {
        body_.reset();
        throw;
      }
      end_ += n;
      if (n == 0) body_.reset();  // releases the connection as soon as the body ends
    }
  }

  static constexpr std::size_t kChunk = 64 * 1024;
  std::unique_ptr<http::ResponseBody> body_;
  std::string buffer_;  // bytes [begin_, end_) are read and not yet consumed
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::size_t line_number_ = 0;
};

BatchResultsStream::BatchResultsStream(std::unique_ptr<http::ResponseBody> body)
    : impl_(std::make_unique<Impl>(std::move(body))) {}

BatchResultsStream BatchResultsStream::from_jsonl(std::string jsonl) {
  return BatchResultsStream(http::make_memory_body(std::move(jsonl)));
}

BatchResultsStream::BatchResultsStream(BatchResultsStream&&) noexcept = default;
BatchResultsStream& BatchResultsStream::operator=(BatchResultsStream&&) noexcept = default;
BatchResultsStream::~BatchResultsStream() = default;

std::optional<BetaMessageBatchIndividualResponse> BatchResultsStream::next() {
  if (!impl_) return std::nullopt;
  return impl_->next();
}

std::optional<std::string> BatchResultsStream::next_raw() {
  if (!impl_) return std::nullopt;
  return impl_->next_raw();
}

void BatchResultsStream::close() noexcept {
  if (impl_) impl_->close();
}

std::size_t BatchResultsStream::line_number() const noexcept {
  return impl_ ? impl_->line_number() : 0;
}

}  // namespace anthropic::beta::messages
