#pragma once

#include <anthropic/cancellation.hpp>
#include <anthropic/export.hpp>
#include <anthropic/http/headers.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

namespace anthropic::internal {
class StreamedBody;
struct RequestBodyAccess;
}  // namespace anthropic::internal

namespace anthropic::http {

/// The bytes of a request body: immutable and shared, so that copying a request (a retry
/// numbering its attempts, a streamed transfer keeping its body alive) never copies a 256 MB
/// create body. Assign a `std::string` to set it.
///
/// A body may also be *streamed*: its size is known and its bytes are encoded while the built-in
/// transport uploads them, a piece at a time rather than whole (`create(params)` sends its body
/// this way, encoding it again for a retry). Reading such a body through `str()`, `data()` or a
/// comparison encodes it into memory once; a copy kept after the call that sent it holds those
/// bytes.
class ANTHROPIC_EXPORT RequestBody {
 public:
  /// No body.
  RequestBody() = default;
  /// Takes `bytes` (moved, not copied); an empty string means no body.
  RequestBody(std::string bytes)  // NOLINT: implicit, a body is its bytes
      : bytes_(bytes.empty() ? nullptr : std::make_shared<const std::string>(std::move(bytes))) {}
  /// A copy of the NUL-terminated `bytes`.
  RequestBody(const char* bytes) : RequestBody(std::string(bytes)) {}  // NOLINT

  /// The bytes; valid as long as this body or a copy of it lives. For a streamed body, encodes
  /// it on the first call: may throw `std::bad_alloc`, or `AnthropicInvalidRequestException` when
  /// the body cannot be produced (its params changed, or its call ended without keeping it).
  const std::string& str() const { return streamed_ ? streamed_bytes() : bytes(); }
  /// The first byte (as `str().data()`).
  const char* data() const { return str().data(); }
  /// The number of bytes (for a streamed body, without encoding it).
  std::size_t size() const noexcept {
    return streamed_ ? streamed_size() : bytes_ ? bytes_->size() : 0;
  }
  /// Whether there is no body.
  bool empty() const noexcept { return size() == 0; }
  /// Whether the bytes are encoded as they are sent (see the class comment).
  bool streamed() const noexcept { return streamed_ != nullptr; }
  /// The bytes, so that a body reads as the string it is.
  operator const std::string&() const { return str(); }  // NOLINT

  ///@{
  /// Compares the bytes.
  friend bool operator==(const RequestBody& a, const RequestBody& b) { return a.str() == b.str(); }
  friend bool operator!=(const RequestBody& a, const RequestBody& b) { return !(a == b); }
  friend bool operator==(const RequestBody& a, const std::string& b) { return a.str() == b; }
  friend bool operator==(const std::string& a, const RequestBody& b) { return a == b.str(); }
  friend bool operator==(const RequestBody& a, const char* b) { return a.str() == b; }
  ///@}
  /// Writes the bytes.
  friend std::ostream& operator<<(std::ostream& os, const RequestBody& b) { return os << b.str(); }

 private:
  friend struct internal::RequestBodyAccess;
  const std::string& bytes() const noexcept { return bytes_ ? *bytes_ : no_bytes(); }
  static const std::string& no_bytes() noexcept {
    static const std::string none;
    return none;
  }
  const std::string& streamed_bytes() const;
  std::size_t streamed_size() const noexcept;

  std::shared_ptr<const std::string> bytes_;
  std::shared_ptr<internal::StreamedBody> streamed_;  // set: the bytes are produced on demand
};

/// One HTTP request as the SDK hands it to an `HttpClient`: an absolute URL, its headers and a
/// body. The body is held here (shared, immutable, or streamed: see RequestBody) so that a retry
/// replays exactly the same bytes without copying them.
struct HttpRequest {
  std::string method;  ///< "GET", "POST", "DELETE"
  std::string url;     ///< absolute, query included
  /// Every header to send, credentials included (a transport must not log them).
  Headers headers;
  RequestBody body;  ///< empty: no body

  /// Limit on one attempt, from connect to the last byte of the response body (for a streamed
  /// response: to the response headers, then between reads). Zero means none.
  std::chrono::milliseconds timeout{0};
  /// Limit on establishing the connection (TCP + TLS). Zero means the transport's default.
  std::chrono::milliseconds connect_timeout{0};

  /// Cancelling it stops the request (and a retrying decorator's waits) with
  /// `AnthropicCancelledException`, also while a streamed body is being read. The libcurl
  /// transport notices within a few milliseconds, whether it is connecting, uploading or waiting.
  CancellationToken cancellation;
  /// Largest success body `send` accepts, enforced while receiving; zero means no limit. Beyond
  /// it, `send` ends in `AnthropicInvalidDataException` without reading further. An error status
  /// is returned with at most the first `kMaxErrorBodyBytes` of its body whatever this says (the
  /// transport stops receiving there). Not applied to `open` (streamed bodies).
  std::size_t max_response_bytes = 0;
};

/// The most of an error response's body that the SDK ever keeps (1 MiB).
inline constexpr std::size_t kMaxErrorBodyBytes = std::size_t{1} << 20;

/// A response whose body has been read completely.
struct HttpResponse {
  int status = 0;    ///< the HTTP status code
  Headers headers;   ///< the response headers, names as received
  std::string body;  ///< the whole body (an error body: at most `kMaxErrorBodyBytes`)
};

/// The body of a response, read incrementally. Destroying it before the end abandons the transfer
/// (the connection is closed, not drained). Not thread-safe: one reader at a time.
class ANTHROPIC_EXPORT ResponseBody {
 public:
  virtual ~ResponseBody();
  /// Reads up to `max` bytes into `dst`; returns 0 only at the end of the body. Blocks until at
  /// least one byte or the end is available. Throws `AnthropicIoException` on a transport failure.
  virtual std::size_t read(char* dst, std::size_t max) = 0;
};

/// A response whose status and headers have arrived and whose body is still to be read.
struct ANTHROPIC_EXPORT StreamedResponse {
  int status = 0;                      ///< the HTTP status code
  Headers headers;                     ///< the response headers, names as received
  std::unique_ptr<ResponseBody> body;  ///< never null for a response returned by `open`

  /// Reads what is left of the body, up to `limit` bytes, and stops there: a longer body is not
  /// read further (destroying `body` then abandons the transfer).
  std::string read_all(std::size_t limit = static_cast<std::size_t>(-1));
};

/// A `ResponseBody` over bytes already in memory.
ANTHROPIC_EXPORT std::unique_ptr<ResponseBody> make_memory_body(std::string bytes);

/// The transport seam. The SDK sends every request through one `HttpClient`; tests and users who
/// bring their own transport implement it (`ClientOptions::http_client`).
///
/// Implementations must be safe to call from several threads at once. They report transport
/// failures (connect, TLS, reset, timeout) as `AnthropicIoException`, saying whether the request
/// may have reached the server; an HTTP error status is a response, not an exception.
class ANTHROPIC_EXPORT HttpClient {
 public:
  virtual ~HttpClient();

  /// Sends the request and reads the whole response.
  virtual HttpResponse send(const HttpRequest& request) = 0;

  /// Sends the request and returns once the status and headers arrived; the body is read through
  /// the returned `ResponseBody`. The default implementation calls `send` and serves the body
  /// from memory; transports that can stream override it.
  virtual StreamedResponse open(const HttpRequest& request);
};

}  // namespace anthropic::http
