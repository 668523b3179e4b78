#pragma once

// The async services' engine: one I/O thread driving every transfer of a client on one libcurl
// multi handle (one connection pool, at most `max_host_connections` per host), with timers for
// retry backoff and polling. Nothing here blocks the I/O thread except the completion functions
// it runs, which must be quick.

#include <anthropic/cancellation.hpp>
#include <anthropic/http/curl_http_client.hpp>
#include <anthropic/http/http_client.hpp>

#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>

namespace anthropic::internal {

class IoLoop {
 public:
  struct Settings {
    http::CurlHttpClientOptions curl;
    long max_host_connections = 16;
  };

  /// Called once with the response, or with the error the attempt ended with (then the response
  /// is empty).
  using SendDone = std::function<void(std::exception_ptr, http::HttpResponse)>;
  using OpenDone = std::function<void(std::exception_ptr, http::StreamedResponse)>;
  /// Called once: `stopping` when the loop shuts down before the time came.
  using TimerFn = std::function<void(bool stopping)>;

  /// Where the body of a streamed 2xx response goes when the I/O thread pushes it instead of a
  /// reader pulling it (`open` with a sink).
  class Sink {
   public:
    virtual ~Sink() = default;
    /// The next bytes of the body, on the I/O thread. False stops the transfer; `end` is then not
    /// called.
    virtual bool data(const char* bytes, std::size_t size) = 0;
    /// Called once after the last `data`: null when the body is complete, else the error the
    /// transfer ended with (a broken connection, a timeout, a cancel, "client destroyed").
    virtual void end(std::exception_ptr error) = 0;
  };

  explicit IoLoop(Settings settings);
  /// Completes every transfer in flight with AnthropicCancelledException ("client destroyed"),
  /// runs every timer with `stopping`, and joins the I/O thread (or, called on the I/O thread
  /// itself, lets it finish on its own).
  ~IoLoop();
  IoLoop(const IoLoop&) = delete;
  IoLoop& operator=(const IoLoop&) = delete;

  /// One attempt of `request` (no retries); `done` runs on the I/O thread. Errors are those of
  /// the blocking transport, with the same `may_have_reached_server`.
  void send(http::HttpRequest request, SendDone done);
  /// One attempt of a streamed request: `done` runs on the I/O thread once the headers arrived
  /// (an error status: once its body, at most 1 MiB, arrived). The body is then read from any
  /// other thread, blocking until bytes arrive; the transfer pauses while 1 MiB is unread.
  void open(http::HttpRequest request, OpenDone done);
  /// `open`, with a 2xx body pushed to `sink` on the I/O thread: `done` gets the head (its body
  /// cannot be read; destroying it stops the transfer), then the bytes follow through `sink`,
  /// as they arrive and without pausing, and the idle timeout applies to each wait for them. An
  /// error status is delivered as by `open` (its body in memory), and `sink` is not used.
  void open(http::HttpRequest request, OpenDone done, std::shared_ptr<Sink> sink);
  /// `open`, waiting for it: for a results stream reconnecting. Must not be called on the I/O
  /// thread (AnthropicException).
  http::StreamedResponse open_blocking(const http::HttpRequest& request);
  /// What the destructor does; later calls complete at once with that error. Idempotent.
  void shutdown();
  /// Runs `fn(false)` on the I/O thread after `delay`, or as soon as `token` is cancelled.
  void after(std::chrono::milliseconds delay, const CancellationToken& token, TimerFn fn);
  /// Runs `fn` on the I/O thread.
  void post(std::function<void()> fn);
  /// Whether the caller is the I/O thread.
  bool on_loop_thread() const noexcept;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace anthropic::internal
