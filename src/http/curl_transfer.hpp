#pragma once

// One HTTP request on one libcurl easy handle: request setup (header list, options, the upload
// that refuses libcurl's hidden resend), the callbacks that collect the response (bounded), and
// the classification of how it ended (may the request have reached the server?). Shared by the
// blocking transport (curl_http_client.cpp, which drives a transfer on the caller's thread) and
// the async one (io_loop.cpp, which drives many on one I/O thread): what differs is only who
// calls curl_multi_perform, and where a streamed body's bytes go (`deliver`).

#include <anthropic/cancellation.hpp>
#include <anthropic/errors.hpp>
#include <anthropic/http/curl_http_client.hpp>
#include <anthropic/http/http_client.hpp>

#include "http/streamed_body.hpp"

#include <curl/curl.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace anthropic::internal {

/// curl_global_init, once per process; throws AnthropicIoException if it failed.
void curl_global_init_once();

/// A streamed body pauses its transfer when this many unread bytes are buffered.
inline constexpr std::size_t kMaxStreamBuffered = std::size_t{1} << 20;

/// libcurl's receive buffer for a streamed body (CURLOPT_BUFFERSIZE).
inline constexpr long kStreamReceiveBuffer = 64 * 1024;

/// The request side and the collected response of one transfer. Not thread-safe: libcurl calls
/// the callbacks on the thread that drives the transfer.
class CurlTransfer {
 public:
  /// Checks the headers and builds the header list; throws AnthropicInvalidRequestException for
  /// a header that would split the request, AnthropicCancelledException when already cancelled.
  CurlTransfer(const http::HttpRequest& request, bool streaming);
  virtual ~CurlTransfer() = default;
  CurlTransfer(const CurlTransfer&) = delete;
  CurlTransfer& operator=(const CurlTransfer&) = delete;

  /// Sets every option of `easy` for this request (callbacks pointing at this object).
  void configure(CURL* easy, const http::CurlHttpClientOptions& options, CURLSH* share);

  /// "METHOD url" with the query removed, for messages.
  std::string describe() const;

  /// The final response's status (0 until its status line arrived).
  int status() const noexcept { return status_; }
  /// Whether the final response's header block is complete.
  bool headers_complete() const noexcept { return headers_complete_; }
  /// The final response's headers (moved out).
  http::Headers take_headers();
  /// Body bytes received so far (for idle timeouts).
  std::size_t received() const noexcept { return received_; }
  /// Body bytes handed to libcurl for upload.
  std::size_t uploaded() const noexcept { return uploaded_; }
  const CancellationToken& cancellation() const noexcept { return cancellation_; }
  std::chrono::milliseconds timeout() const noexcept { return timeout_; }
  bool streaming() const noexcept { return streaming_; }

  /// Whether the transfer, ended with `code`, produced a response: a complete one, or one
  /// stopped at a body limit on purpose. Sets the status from libcurl when no line was parsed.
  bool succeeded(CURLcode code, CURL* easy);
  /// The error of a transfer stopped before its end (timeout, shutdown): `what` after
  /// "<describe()> failed: ".
  AnthropicIoException stopped(const std::string& what, CURL* easy) const;
  /// The error of a cancelled transfer, on `easy` (null: its handle is gone after a complete
  /// response, so the request did reach the server).
  AnthropicCancelledException cancelled_error(CURL* easy) const;
  /// The error of a transfer cancelled before it was started.
  AnthropicCancelledException cancelled_before_start() const;
  /// For `send`: the whole response, or AnthropicInvalidDataException when the body exceeded
  /// `max_response_bytes`.
  http::HttpResponse take_response();
  /// The error of a transfer that ended with `code` (not `succeeded`): what a streamed request
  /// body threw while being read (the transfer was aborted for it), else `error_for`'s.
  std::exception_ptr failure(CURLcode code, CURL* easy) const;
  /// False only when not one byte of the request was written (see the definition).
  static bool anything_sent(CURL* easy) noexcept;

 protected:
  /// Where a streamed body's bytes go: returns `len` when taken, or CURL_WRITEFUNC_PAUSE.
  virtual std::size_t deliver(const char* data, std::size_t len) = 0;

  /// A non-streamed body (`send`): the whole body.
  std::string body_buffer_;

 private:
  /// The transport's error of a transfer that ended with `code` (not `succeeded`).
  AnthropicIoException error_for(CURLcode code, CURL* easy) const;
  bool may_have_reached_server(CURLcode code, CURL* easy) const noexcept;
  void build_header_list(const http::HttpRequest& request);
  void append_header(const std::string& line);
  bool sends_body() const;
  void header_line(std::string_view line);

  static std::size_t on_read(char* dst, std::size_t size, std::size_t count, void* user);
  static int on_seek(void* user, curl_off_t offset, int origin);
  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user);
  static std::size_t on_write(char* data, std::size_t size, std::size_t count, void* user);

  bool streaming_;
  std::string method_;
  std::string url_;
  std::chrono::milliseconds timeout_;
  std::chrono::milliseconds connect_timeout_;
  CancellationToken cancellation_;
  std::size_t body_limit_;  // 0: none
  http::RequestBody body_;
  std::unique_ptr<BodySource> source_;  // a streamed body's bytes for this attempt
  std::exception_ptr body_error_;       // what stopped producing the body (then rethrown)
  std::size_t uploaded_ = 0;
  bool rewind_refused_ = false;
  struct SlistDeleter {
    void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
  };
  std::unique_ptr<curl_slist, SlistDeleter> header_list_;
  std::array<char, CURL_ERROR_SIZE + 1> error_text_{};

  int status_ = 0;
  std::vector<http::Headers::Field> fields_;
  bool headers_complete_ = false;
  std::size_t received_ = 0;
  bool callback_failed_ = false;
  bool error_body_truncated_ = false;
  bool body_too_large_ = false;
};

}  // namespace anthropic::internal
