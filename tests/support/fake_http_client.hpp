#pragma once

// Test doubles for the http layer: a scripted `HttpClient`, a sleeper and a logger that record
// what they were given. For unit tests of anything that sends requests (services, the retrying
// decorator) without a network.
//
//   auto fake = std::make_shared<anthropic::testing::FakeHttpClient>();
//   fake->respond(529, R"({"type":"error",...})", {{"retry-after", "1"}});
//   fake->respond(200, R"({"id":"msgbatch_1",...})");
//   fake->fail("connection reset", /*may_have_reached_server=*/true);
//   ... run the code under test with `fake` as its HttpClient ...
//   EXPECT_EQ(fake->request_count(), 2u);
//   EXPECT_EQ(fake->requests()[0].headers.get("x-api-key"), "sk-test");

#include <anthropic/http/http_client.hpp>
#include <anthropic/http/retrying_http_client.hpp>
#include <anthropic/logging.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace anthropic::testing {

/// What the fake does with one request: answer with a response, or throw `AnthropicIoException`.
struct FakeOutcome {
  /// A response (`status`, `headers`, `body`).
  static FakeOutcome response(int status, std::string body = {}, http::Headers headers = {});
  /// A transport failure: throws `AnthropicIoException(message, may_have_reached_server)`.
  static FakeOutcome io_error(std::string message, bool may_have_reached_server);

  bool is_error = false;
  http::HttpResponse http_response;
  std::string error_message;
  bool may_have_reached_server = true;
};

/// A scripted `HttpClient`. Each request (through `send` or `open`) is recorded, then answered with
/// the next queued outcome, first in first out. When the queue is empty the request is still
/// recorded, a GoogleTest failure is added and `std::logic_error` is thrown.
///
/// `open` serves the scripted body from memory (`HttpClient::open`'s default). Thread-safe: the
/// queue and the record may be used from several threads at once.
class FakeHttpClient final : public http::HttpClient {
 public:
  /// Queues a response; returns *this to chain calls.
  FakeHttpClient& respond(int status, std::string body = {}, http::Headers headers = {});
  /// Queues a transport failure; returns *this.
  FakeHttpClient& fail(std::string message, bool may_have_reached_server);
  /// Queues any outcome; returns *this.
  FakeHttpClient& enqueue(FakeOutcome outcome);

  http::HttpResponse send(const http::HttpRequest& request) override;

  /// Every request received so far, in order (copies).
  std::vector<http::HttpRequest> requests() const;
  /// The last request received; fails the test (and returns an empty request) when there is none.
  http::HttpRequest last_request() const;
  std::size_t request_count() const;
  /// Outcomes still queued.
  std::size_t remaining() const;

 private:
  mutable std::mutex mutex_;
  std::deque<FakeOutcome> outcomes_;
  std::vector<http::HttpRequest> requests_;
};

/// Records the delays a `RetryingHttpClient` asks for instead of sleeping. `sleeper()` returns a
/// function that shares this recorder's state, so it stays valid after the recorder is gone.
class RecordingSleeper {
 public:
  RecordingSleeper();
  http::Sleeper sleeper() const;
  std::vector<std::chrono::milliseconds> delays() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

/// Records log lines (thread-safe); `logger()` shares this recorder's state like
/// `RecordingSleeper`.
class RecordingLogger {
 public:
  struct Line {
    LogLevel level;
    std::string text;
  };
  RecordingLogger();
  Logger logger() const;
  std::vector<Line> lines() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace anthropic::testing
