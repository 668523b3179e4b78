// Cancellation of in-flight requests over real loopback sockets: another thread's cancel() stops
// a request waiting on a stalled server, a long upload to a server that does not read, a retry
// backoff, and a stalled streamed read, each well within a second; and a loop of cancels leaks no
// thread, no descriptor and no connection (the server sees each one closed).

#include <anthropic/anthropic.hpp>
#include <anthropic/http/curl_http_client.hpp>

#include <gtest/gtest.h>

#include "support/raw_server.hpp"
#include "support/test_server.hpp"

#include <dirent.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using anthropic::AnthropicCancelledException;
using anthropic::CancellationSource;
using anthropic::testing::batch_json;
using anthropic::testing::RawServer;
using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;
namespace bm = anthropic::beta::messages;

constexpr const char* kKey = "sk-ant-api03-CANCEL-SECRET-KEY";
// Generous: the transport reacts within milliseconds; this only has to tell "at once" from "after
// a server or a backoff gave up" (seconds) on a loaded machine.
constexpr milliseconds kPromptly{1000};

// Waits (up to 10 s) until the peer closes: recv returns 0 (FIN) or fails (RST). Reads and drops
// whatever arrives first. Returns whether the close was seen.
bool wait_for_close(int fd) {
  char buf[65536];
  auto deadline = SteadyClock::now() + std::chrono::seconds(10);
  while (SteadyClock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, 100);
    if (r < 0) return true;
    if (r == 0) continue;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return true;
  }
  return false;
}

int count_entries(const char* dir) {
  int n = 0;
  if (DIR* d = ::opendir(dir)) {
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] != '.') ++n;
    }
    ::closedir(d);
  }
  return n;
}

struct Counts {
  int threads = 0;
  int fds = 0;
  bool operator==(const Counts& o) const { return threads == o.threads && fds == o.fds; }
};

Counts counts() {
  Counts c;
  c.threads = count_entries("/proc/self/task");
  c.fds = count_entries("/proc/self/fd") - 1;  // not the one opendir holds
  return c;
}

// A server that reads each request, tells the test, then stalls until the client hangs up.
struct StallingServer {
  StallingServer()
      : server([this](int fd) {
          RawServer::read_request(fd);
          ++requests;
          if (wait_for_close(fd)) ++closed;
        }) {}
  std::atomic<int> requests{0};
  std::atomic<int> closed{0};
  RawServer server;
};

// Runs `call` (which must throw AnthropicCancelledException) while another thread cancels `source`
// once `ready()` holds. Returns the time from cancel() to the exception reaching the caller.
template <class Call>
milliseconds cancel_during(CancellationSource& source, const std::function<bool()>& ready,
                           Call&& call, bool* reached = nullptr) {
  std::atomic<bool> cancelled{false};
  SteadyClock::time_point cancelled_at;
  std::thread canceller([&] {
    auto deadline = SteadyClock::now() + std::chrono::seconds(10);
    while (!ready() && SteadyClock::now() < deadline) std::this_thread::sleep_for(milliseconds(1));
    cancelled_at = SteadyClock::now();
    cancelled = true;
    source.cancel();
  });
  SteadyClock::time_point ended;
  try {
    call();
    ended = SteadyClock::now();
    ADD_FAILURE() << "the call was not cancelled";
  } catch (const AnthropicCancelledException& e) {
    ended = SteadyClock::now();
    if (reached != nullptr) *reached = e.may_have_reached_server();
    EXPECT_EQ(std::string(e.what()).find(kKey), std::string::npos) << e.what();
  } catch (const std::exception& e) {
    ended = SteadyClock::now();
    ADD_FAILURE() << "not a cancel: " << e.what();
  }
  canceller.join();
  EXPECT_TRUE(cancelled.load());
  return std::chrono::duration_cast<milliseconds>(ended - cancelled_at);
}

class TransportCancellation : public ::testing::Test {
 protected:
  anthropic::Client client(const std::string& base_url, int max_retries = 0) {
    anthropic::ClientOptions options;
    options.api_key = kKey;
    options.base_url = base_url;
    options.timeout = std::chrono::seconds(30);  // far beyond any cancel here
    options.max_retries = max_retries;
    options.logger = [this](anthropic::LogLevel, std::string_view line) {
      std::lock_guard<std::mutex> lock(mutex_);
      log_.emplace_back(line);
    };
    return anthropic::Client(options);
  }

  bool logged(const std::string& text) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& line : log_) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }

  static bm::BetaMessageBatchCreateParams one_request() {
    bm::BetaMessageBatchCreateParams p;
    bm::BetaMessageBatchCreateParams::Request r;
    r.custom_id = "only-one";
    r.params.model = "claude-x";
    r.params.max_tokens = 8;
    r.params.messages.push_back(anthropic::beta::BetaMessageParam::user("hi"));
    p.requests.push_back(r);
    return p;
  }

  static void report(const char* what, milliseconds latency) {
    std::cout << "[ latency  ] " << what << ": " << latency.count() << " ms\n";
  }

  void TearDown() override {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& line : log_) EXPECT_EQ(line.find(kKey), std::string::npos) << line;
  }

  std::mutex mutex_;
  std::vector<std::string> log_;
};

TEST_F(TransportCancellation, AnAlreadyCancelledTokenSendsNothing) {
  StallingServer stall;
  auto c = client(stall.server.base_url());
  CancellationSource source;
  source.cancel();
  anthropic::RequestOptions options;
  options.cancellation = source.token();
  try {
    c.beta().messages().batches().create(one_request(), options);
    FAIL();
  } catch (const AnthropicCancelledException& e) {
    EXPECT_FALSE(e.may_have_reached_server());
  }
  EXPECT_EQ(stall.server.connections(), 0);
}

TEST_F(TransportCancellation, ACancelStopsARequestWaitingOnAStalledServer) {
  StallingServer stall;
  auto c = client(stall.server.base_url());
  CancellationSource source;
  anthropic::RequestOptions options;
  options.cancellation = source.token();
  auto latency = cancel_during(
      source, [&] { return stall.requests.load() == 1; },
      [&] { c.beta().messages().batches().retrieve("msgbatch_1", options); });
  report("stalled retrieve", latency);
  EXPECT_LT(latency, kPromptly);
  EXPECT_EQ(stall.requests.load(), 1);
}

TEST_F(TransportCancellation, ACancelledCreateSaysTheBatchMayExist) {
  StallingServer stall;
  auto c = client(stall.server.base_url(), 2);
  CancellationSource source;
  anthropic::RequestOptions options;
  options.cancellation = source.token();
  std::string what;
  bool reached = false;
  auto latency = cancel_during(
      source, [&] { return stall.requests.load() == 1; },
      [&] {
        try {
          c.beta().messages().batches().create(one_request(), options);
        } catch (const AnthropicCancelledException& e) {
          what = e.what();
          throw;
        }
      },
      &reached);
  report("stalled create", latency);
  EXPECT_LT(latency, kPromptly);
  EXPECT_TRUE(reached);
  EXPECT_NE(what.find("may have been created"), std::string::npos) << what;
  EXPECT_EQ(stall.requests.load(), 1);  // cancelled, not retried
}

TEST_F(TransportCancellation, ACancelStopsALongUploadToAServerThatDoesNotRead) {
  std::atomic<int> accepted{0};
  std::atomic<bool> release{false};
  std::atomic<int> closed{0};
  RawServer server([&](int fd) {
    ++accepted;
    while (!release) std::this_thread::sleep_for(milliseconds(5));
    if (wait_for_close(fd)) ++closed;
  });
  auto http = anthropic::http::make_curl_http_client();
  anthropic::http::HttpRequest request;
  request.method = "POST";
  request.url = server.base_url() + "/v1/messages/batches";
  request.headers.set("content-type", "application/json");
  request.body = std::string(std::size_t{64} << 20, 'x');  // far beyond the socket buffers
  CancellationSource source;
  request.cancellation = source.token();
  bool reached = false;
  auto latency = cancel_during(
      source,
      [&] {
        if (accepted.load() == 0) return false;
        std::this_thread::sleep_for(milliseconds(200));  // the upload fills the buffers, blocks
        return true;
      },
      [&] { http->send(request); }, &reached);
  release = true;
  report("blocked upload", latency);
  EXPECT_LT(latency, kPromptly);
  EXPECT_TRUE(reached);  // bytes of the body were sent
  auto deadline = SteadyClock::now() + std::chrono::seconds(10);
  while (closed.load() == 0 && SteadyClock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_EQ(closed.load(), 1);
  EXPECT_EQ(server.connections(), 1);
}

TEST_F(TransportCancellation, ACancelInterruptsTheRetryBackoff) {
  std::atomic<int> requests{0};
  RawServer server([&](int fd) {
    RawServer::read_request(fd);
    ++requests;
    RawServer::write_all(fd,
                         "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
                         "retry-after: 30\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}");
  });
  auto c = client(server.base_url(), 2);  // no injected sleeper: the real, cancellable wait
  CancellationSource source;
  anthropic::RequestOptions options;
  options.cancellation = source.token();
  auto latency = cancel_during(
      source, [&] { return logged("retrying in 30000 ms"); },
      [&] { c.beta().messages().batches().retrieve("msgbatch_1", options); });
  report("retry backoff", latency);
  EXPECT_LT(latency, kPromptly);
  EXPECT_EQ(requests.load(), 1);
}

TEST_F(TransportCancellation, ACancelStopsAStalledStreamedRead) {
  std::atomic<int> closed{0};
  std::atomic<int> requests{0};
  RawServer server([&](int fd) {
    RawServer::read_request(fd);
    ++requests;
    RawServer::write_all(fd,
                         "HTTP/1.1 200 OK\r\ncontent-type: application/x-jsonl\r\n"
                         "transfer-encoding: chunked\r\n\r\n"
                         "c\r\n{\"a\":1}\n{\"b\"\r\n");
    if (wait_for_close(fd)) ++closed;  // then stalls mid-line
  });
  auto http = anthropic::http::make_curl_http_client();
  anthropic::http::HttpRequest request;
  request.method = "GET";
  request.url = server.base_url() + "/v1/messages/batches/b/results";
  request.timeout = std::chrono::seconds(30);
  CancellationSource source;
  request.cancellation = source.token();
  auto response = http->open(request);
  ASSERT_EQ(response.status, 200);
  char buf[64];
  std::size_t got = 0;
  while (got < 12) got += response.body->read(buf + got, sizeof buf - got);
  EXPECT_EQ(std::string(buf, got), "{\"a\":1}\n{\"b\"");
  std::atomic<bool> reading{false};
  auto latency = cancel_during(
      source,
      [&] {
        if (!reading) return false;
        std::this_thread::sleep_for(milliseconds(100));  // let read() block
        return true;
      },
      [&] {
        reading = true;
        response.body->read(buf, sizeof buf);
      });
  report("stalled streamed read", latency);
  EXPECT_LT(latency, kPromptly);
  // The body stays failed with the same exception.
  EXPECT_THROW(response.body->read(buf, sizeof buf), AnthropicCancelledException);
  response.body.reset();
  auto deadline = SteadyClock::now() + std::chrono::seconds(10);
  while (closed.load() == 0 && SteadyClock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_EQ(closed.load(), 1);
}

TEST_F(TransportCancellation, ACancelStopsAStreamedRequestWaitingForItsHeaders) {
  StallingServer stall;
  auto http = anthropic::http::make_curl_http_client();
  anthropic::http::HttpRequest request;
  request.method = "GET";
  request.url = stall.server.base_url() + "/v1/messages/batches/b/results";
  request.timeout = std::chrono::seconds(30);
  CancellationSource source;
  request.cancellation = source.token();
  auto latency = cancel_during(
      source, [&] { return stall.requests.load() == 1; }, [&] { http->open(request); });
  report("stalled open", latency);
  EXPECT_LT(latency, kPromptly);
  auto deadline = SteadyClock::now() + std::chrono::seconds(10);
  while (stall.closed.load() == 0 && SteadyClock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_EQ(stall.closed.load(), 1);
}

TEST_F(TransportCancellation, ALoopOfCancelsLeaksNoThreadDescriptorOrConnection) {
  StallingServer stall;
  auto c = client(stall.server.base_url());
  auto& batches = c.beta().messages().batches();
  auto cancel_one = [&](int expected_requests) {
    CancellationSource source;
    anthropic::RequestOptions options;
    options.cancellation = source.token();
    return cancel_during(
        source, [&] { return stall.requests.load() == expected_requests; },
        [&] { batches.retrieve("msgbatch_1", options); });
  };
  auto wait_closed = [&](int n) {
    auto deadline = SteadyClock::now() + std::chrono::seconds(10);
    while (stall.closed.load() < n && SteadyClock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(5));
    }
    return stall.closed.load();
  };
  // Warm up: the pool's slot (an easy and a multi handle, with its wakeup pipe) stays for reuse.
  cancel_one(1);
  ASSERT_EQ(wait_closed(1), 1);
  std::this_thread::sleep_for(milliseconds(50));  // the server's worker thread has ended
  const Counts before = counts();

  constexpr int kLoops = 25;
  milliseconds worst{0};
  for (int i = 0; i < kLoops; ++i) worst = std::max(worst, cancel_one(i + 2));
  report("worst of 25 stalled retrieves", worst);
  EXPECT_LT(worst, kPromptly);
  // Every cancelled connection was closed, as the server saw it.
  EXPECT_EQ(wait_closed(kLoops + 1), kLoops + 1);
  EXPECT_EQ(stall.server.connections(), kLoops + 1);

  Counts after = counts();
  auto deadline = SteadyClock::now() + std::chrono::seconds(5);
  while (!(after == before) && SteadyClock::now() < deadline) {  // worker threads winding down
    std::this_thread::sleep_for(milliseconds(10));
    after = counts();
  }
  EXPECT_EQ(after.threads, before.threads);
  EXPECT_EQ(after.fds, before.fds);
}

}  // namespace
