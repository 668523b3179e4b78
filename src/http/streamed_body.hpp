#pragma once

// A request body produced while it is sent (http::RequestBody's streamed form): the built-in
// transport reads it through a BodySource opened per attempt, so a retry encodes it again and the
// whole body exists in memory only if someone asks for its bytes.

#include <anthropic/http/http_client.hpp>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace anthropic::internal {

/// The bytes of one streamed body from the start, in pieces. Throws when it cannot produce them
/// (the caller's params changed while they were being sent, for instance).
class BodySource {
 public:
  virtual ~BodySource() = default;
  /// Copies the next bytes into `dst`, at most `max`; 0 only at the end.
  virtual std::size_t read(char* dst, std::size_t max) = 0;
};

/// Copies the bytes of `bytes` from `pos` into `dst`, at most `max`, and moves `pos` past them;
/// returns how many (0 at the end).
inline std::size_t copy_from(std::string_view bytes, std::size_t& pos, char* dst,
                             std::size_t max) noexcept {
  const std::size_t n = std::min(max, bytes.size() - pos);
  if (n > 0) std::memcpy(dst, bytes.data() + pos, n);
  pos += n;
  return n;
}

/// Reads `source` into `dst` until `n` bytes or its end; returns how many.
inline std::size_t read_up_to(BodySource& source, char* dst, std::size_t n) {
  std::size_t at = 0;
  while (at < n) {
    const std::size_t got = source.read(dst + at, n - at);
    if (got == 0) break;
    at += got;
  }
  return at;
}

/// What a streamed RequestBody shares between its copies. Thread-safe.
class StreamedBody {
 public:
  using Opener = std::function<std::unique_ptr<BodySource>()>;
  /// A body of exactly `size` bytes, produced by the sources `open` returns; `open` and what its
  /// sources read must stay valid until `release`.
  StreamedBody(std::size_t size, Opener open);

  std::size_t size() const noexcept { return size_; }
  /// A source from the first byte (over the encoded bytes once `bytes` ran). Until then, a
  /// source that `open` made, gated: once released, it throws instead of reading.
  std::unique_ptr<BodySource> open();
  /// The whole body, encoded once.
  const std::string& bytes();
  /// Whether `bytes` encoded the body (for tests: a streamed send must not).
  bool encoded();
  /// Called when what the sources read is about to go: encodes the body first if `self` has
  /// other owners (a copy of the request kept by a custom HttpClient reads the bytes), then
  /// forgets `open` and closes the gate of every source it made (waiting for a read in progress).
  /// Never throws: a body that could not be encoded then fails when read.
  static void release(const std::shared_ptr<StreamedBody>& self) noexcept;

  /// Shared by the body and its sources: closed on release.
  struct Gate {
    std::mutex mutex;
    bool open = true;
  };

 private:
  const std::string& bytes_locked();

  const std::size_t size_;
  std::mutex mutex_;
  Opener open_;  // empty once released
  std::shared_ptr<Gate> gate_;
  std::shared_ptr<const std::string> bytes_;
};

/// Builds and reads streamed RequestBody values (private members of a public type).
struct RequestBodyAccess {
  static http::RequestBody streamed(std::shared_ptr<StreamedBody> body) {
    http::RequestBody out;
    out.streamed_ = std::move(body);
    return out;
  }
  /// The streamed part of `body`; null for a body of bytes.
  static const std::shared_ptr<StreamedBody>& streamed(const http::RequestBody& body) noexcept {
    return body.streamed_;
  }
};

/// Releases a streamed body (StreamedBody::release) when it goes out of scope: the guard of a
/// call whose body reads the caller's params.
class StreamedBodyRelease {
 public:
  explicit StreamedBodyRelease(const http::RequestBody& body)
      : body_(RequestBodyAccess::streamed(body)) {}
  ~StreamedBodyRelease() {
    if (body_) StreamedBody::release(body_);
  }
  StreamedBodyRelease(const StreamedBodyRelease&) = delete;
  StreamedBodyRelease& operator=(const StreamedBodyRelease&) = delete;

 private:
  std::shared_ptr<StreamedBody> body_;
};

}  // namespace anthropic::internal
