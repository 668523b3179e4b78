// results() over real sockets when the transfer breaks: a raw TCP server cuts the connection
// mid-line at about 80 % (FIN or RST), then answers the reconnect with a 206 for the Range, a 200
// with the same bytes, a 200 with different bytes, or keeps failing. Each test asserts the exact
// lines delivered (each once, in order), the Range header the server received and the number of
// connections. Also: a stream that cannot resume stays failed, and cancellation (a stalled read,
// a reconnect wait, a stalled wait_until_ended poll).

#include <anthropic/anthropic.hpp>
#include <anthropic/emulator/emulator.hpp>

#include <gtest/gtest.h>

#include "support/fake_http_client.hpp"
#include "support/raw_server.hpp"
#include "support/results_fixtures.hpp"

#include <arpa/inet.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using anthropic::testing::Cut;
using anthropic::testing::drain_send_queue;
using anthropic::testing::header_of;
using anthropic::testing::ids;
using anthropic::testing::jsonl_head;
using anthropic::testing::RawServer;
using anthropic::testing::reset_on_close;
using anthropic::testing::result_line;
using anthropic::testing::results_body;
using anthropic::testing::ResumeServer;
using anthropic::testing::stall_until_peer_closes;
using anthropic::testing::Then;
using std::chrono::milliseconds;
namespace bm = anthropic::beta::messages;

struct Outcome {
  std::vector<std::string> ids;  // custom_id of each line delivered, in order
  std::exception_ptr error;
};

Outcome read_all(bm::BatchResultsStream& stream) {
  Outcome out;
  try {
    while (auto r = stream.next()) out.ids.push_back(r->custom_id);
  } catch (...) {
    out.error = std::current_exception();
  }
  return out;
}

class ResultsResumeTest : public ::testing::TestWithParam<Cut> {
 protected:
  static constexpr int kLines = 400;

  anthropic::Client client_for(const std::string& base_url) {
    anthropic::ClientOptions options;
    options.api_key = "sk-ant-test";
    options.base_url = base_url;
    options.timeout = std::chrono::seconds(20);
    options.sleeper = sleeper.sleeper();  // backoffs recorded, not waited
    return anthropic::Client(options);
  }

  // About 80 % into the body, inside a line; `whole` gets the number of whole lines before it.
  static std::size_t cut_point(const std::string& body, int* whole, std::size_t* line_end) {
    std::size_t cut = body.size() * 8 / 10;
    if (body[cut - 1] == '\n') cut += 5;
    *line_end = body.rfind('\n', cut - 1) + 1;
    *whole = static_cast<int>(std::count(body.begin(), body.begin() + cut, '\n'));
    return cut;
  }

  anthropic::testing::RecordingSleeper sleeper;
};

TEST_P(ResultsResumeTest, A206ForTheRangeContinuesWithEveryLineOnceInOrder) {
  const std::string body = results_body(kLines);
  int whole = 0;
  std::size_t n = 0;
  const std::size_t cut = cut_point(body, &whole, &n);
  ResumeServer server(body, cut, GetParam(), Then::range_206);
  auto client = client_for(server.server.base_url());
  auto stream = client.beta().messages().batches().results("msgbatch_r");
  Outcome got = read_all(stream);

  EXPECT_FALSE(got.error);
  EXPECT_EQ(got.ids, ids(0, kLines));
  EXPECT_EQ(stream.line_number(), static_cast<std::size_t>(kLines));
  EXPECT_EQ(server.server.connections(), 2);
  auto requests = server.recorded();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(header_of(requests[0], "range"), "");
  EXPECT_EQ(header_of(requests[1], "range"), "bytes=" + std::to_string(n) + "-");
  EXPECT_EQ(header_of(requests[1], "authorization"), "Bearer sk-ant-test");
  EXPECT_EQ(requests[1].substr(0, requests[1].find("\r\n")),
            "GET /v1/messages/batches/msgbatch_r/results HTTP/1.1");
  EXPECT_EQ(sleeper.delays().size(), 1u);
  EXPECT_LE(sleeper.delays().at(0), milliseconds(500));
  EXPECT_GE(sleeper.delays().at(0), milliseconds(375));
}

TEST_P(ResultsResumeTest, A200FromTheStartIsSkippedToWhereItBrokeAfterTheBytesMatch) {
  const std::string body = results_body(kLines);
  int whole = 0;
  std::size_t n = 0;
  const std::size_t cut = cut_point(body, &whole, &n);
  ResumeServer server(body, cut, GetParam(), Then::ignore_range_200);
  auto client = client_for(server.server.base_url());
  auto stream = client.beta().messages().batches().results("msgbatch_r");
  Outcome got = read_all(stream);

  EXPECT_FALSE(got.error);
  EXPECT_EQ(got.ids, ids(0, kLines));
  EXPECT_EQ(server.server.connections(), 2);
  auto requests = server.recorded();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(header_of(requests[1], "range"), "bytes=" + std::to_string(n) + "-");
}

TEST_P(ResultsResumeTest, A200WithDifferentBytesIsAClearErrorAndNoLineIsMixed) {
  const std::string body = results_body(kLines);
  int whole = 0;
  std::size_t n = 0;
  const std::size_t cut = cut_point(body, &whole, &n);
  ResumeServer server(body, cut, GetParam(), Then::different_200);
  auto client = client_for(server.server.base_url());
  auto stream = client.beta().messages().batches().results("msgbatch_r");
  Outcome got = read_all(stream);

  EXPECT_EQ(got.ids, ids(0, whole));  // the first transfer's whole lines, nothing after
  ASSERT_TRUE(got.error);
  try {
    std::rethrow_exception(got.error);
  } catch (const anthropic::AnthropicInvalidDataException& e) {
    EXPECT_NE(std::string(e.what()).find("results changed between attempts"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(stream.next_raw(), anthropic::AnthropicInvalidDataException);
  EXPECT_THROW(stream.next(), anthropic::AnthropicInvalidDataException);
  EXPECT_EQ(server.server.connections(), 2);
}

TEST_P(ResultsResumeTest, KeepsFailingThenAnIoErrorAfterTheBudget) {
  const std::string body = results_body(kLines);
  int whole = 0;
  std::size_t n = 0;
  const std::size_t cut = cut_point(body, &whole, &n);
  ResumeServer server(body, cut, GetParam(), Then::keep_failing);
  auto client = client_for(server.server.base_url());
  anthropic::RequestOptions per_call;
  per_call.max_retries = 3;
  auto stream = client.beta().messages().batches().results("msgbatch_r", per_call);
  Outcome got = read_all(stream);

  EXPECT_EQ(got.ids, ids(0, whole));
  ASSERT_TRUE(got.error);
  EXPECT_THROW(std::rethrow_exception(got.error), anthropic::AnthropicIoException);
  try {
    std::rethrow_exception(got.error);
  } catch (const anthropic::AnthropicInvalidDataException&) {
    ADD_FAILURE() << "not an I/O error";
  } catch (const anthropic::AnthropicIoException& e) {
    EXPECT_NE(std::string(e.what()).find("not resumed"), std::string::npos) << e.what();
  }
  EXPECT_EQ(server.server.connections(), 4);  // the first, then max_retries = 3 reconnects
  auto requests = server.recorded();
  ASSERT_EQ(requests.size(), 4u);
  for (std::size_t i = 1; i < requests.size(); ++i) {
    EXPECT_EQ(header_of(requests[i], "range"), "bytes=" + std::to_string(n) + "-") << i;
  }
  auto delays = sleeper.delays();
  ASSERT_EQ(delays.size(), 3u);  // 0.5, 1, 2 s less up to 25 % jitter
  EXPECT_GE(delays[0], milliseconds(375));
  EXPECT_LE(delays[0], milliseconds(500));
  EXPECT_GE(delays[1], milliseconds(750));
  EXPECT_LE(delays[1], milliseconds(1000));
  EXPECT_GE(delays[2], milliseconds(1500));
  EXPECT_LE(delays[2], milliseconds(2000));
  EXPECT_THROW(stream.next(), anthropic::AnthropicIoException);
  EXPECT_EQ(server.server.connections(), 4);  // failed for good: no further attempt
}

// Item 6: with max_retries = 0 a reset mid-line is final; every later call throws again and the
// fragment of the cut line is never delivered.
TEST_P(ResultsResumeTest, WithoutRetriesTheStreamStaysFailedAndNeverDeliversTheFragment) {
  const std::string body = results_body(kLines);
  int whole = 0;
  std::size_t n = 0;
  const std::size_t cut = cut_point(body, &whole, &n);
  ResumeServer server(body, cut, GetParam(), Then::range_206);
  auto client = client_for(server.server.base_url());
  anthropic::RequestOptions per_call;
  per_call.max_retries = 0;
  auto stream = client.beta().messages().batches().results("msgbatch_r", per_call);

  std::vector<std::string> raw;
  std::exception_ptr error;
  try {
    while (auto line = stream.next_raw()) raw.push_back(*line);
  } catch (...) {
    error = std::current_exception();
  }
  ASSERT_TRUE(error);
  EXPECT_THROW(std::rethrow_exception(error), anthropic::AnthropicIoException);
  ASSERT_EQ(raw.size(), static_cast<std::size_t>(whole));
  EXPECT_EQ(raw.back(), result_line(whole - 1));
  for (int i = 0; i < 3; ++i) {
    EXPECT_THROW(stream.next_raw(), anthropic::AnthropicIoException);
    EXPECT_THROW(stream.next(), anthropic::AnthropicIoException);
  }
  EXPECT_EQ(server.server.connections(), 1);
  EXPECT_TRUE(sleeper.delays().empty());
}

INSTANTIATE_TEST_SUITE_P(FinAndRst, ResultsResumeTest, ::testing::Values(Cut::fin, Cut::rst),
                         [](const auto& param_info) {
                           return std::string(param_info.param == Cut::fin ? "Fin" : "Rst");
                         });

// --- cancellation (item 8) ---

anthropic::Client plain_client(const std::string& base_url) {
  anthropic::ClientOptions options;
  options.api_key = "sk-ant-test";
  options.base_url = base_url;
  options.timeout = std::chrono::seconds(20);
  return anthropic::Client(options);
}

TEST(ResultsCancel, ACancelWhileTheServerStallsMidBodyStopsTheStreamPromptly) {
  const std::string body = results_body(10);
  std::size_t cut = 0;
  for (int i = 0; i < 5; ++i) cut = body.find('\n', cut) + 1;
  cut += 20;  // 5 whole lines and part of the sixth, then a stall
  RawServer server([&](int fd) {
    RawServer::read_request(fd);
    RawServer::write_all(fd, jsonl_head(200, "OK", body.size()) + body.substr(0, cut));
    stall_until_peer_closes(fd);
  });
  auto client = plain_client(server.base_url());
  anthropic::CancellationSource source;
  anthropic::RequestOptions per_call;
  per_call.cancellation = source.token();
  auto stream = client.beta().messages().batches().results("msgbatch_r", per_call);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(stream.next()->custom_id, "r" + std::to_string(i));

  std::chrono::steady_clock::time_point cancelled_at;
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(100));
    cancelled_at = std::chrono::steady_clock::now();
    source.cancel();
  });
  EXPECT_THROW(stream.next(), anthropic::AnthropicCancelledException);  // blocked in a read
  const auto stopped_at = std::chrono::steady_clock::now();
  canceller.join();
  EXPECT_LT(stopped_at - cancelled_at, milliseconds(500));
  EXPECT_THROW(stream.next(), anthropic::AnthropicCancelledException);
  EXPECT_THROW(stream.next_raw(), anthropic::AnthropicCancelledException);
  EXPECT_EQ(server.connections(), 1);  // a cancel is never resumed
}

TEST(ResultsCancel, ACancelDuringTheReconnectWaitStopsPromptly) {
  const std::string body = results_body(50);
  std::promise<void> cut_done;
  std::atomic<bool> first{true};
  RawServer server([&](int fd) {
    RawServer::read_request(fd);
    RawServer::write_all(fd, jsonl_head(200, "OK", body.size()) + body.substr(0, body.size() / 2));
    drain_send_queue(fd);
    if (first.exchange(false)) cut_done.set_value();
  });
  auto client = plain_client(server.base_url());  // real waits: 0.5, 1, 2, 4, 8 s
  anthropic::CancellationSource source;
  anthropic::RequestOptions per_call;
  per_call.cancellation = source.token();
  per_call.max_retries = 5;
  auto stream = client.beta().messages().batches().results("msgbatch_r", per_call);

  std::chrono::steady_clock::time_point cancelled_at;
  std::thread canceller([&] {
    cut_done.get_future().wait();
    std::this_thread::sleep_for(milliseconds(100));
    cancelled_at = std::chrono::steady_clock::now();
    source.cancel();
  });
  Outcome got = read_all(stream);
  const auto stopped_at = std::chrono::steady_clock::now();
  canceller.join();
  ASSERT_TRUE(got.error);
  EXPECT_THROW(std::rethrow_exception(got.error), anthropic::AnthropicCancelledException);
  EXPECT_LT(stopped_at - cancelled_at, milliseconds(500));
  EXPECT_LE(server.connections(), 2);
  EXPECT_THROW(stream.next(), anthropic::AnthropicCancelledException);
}

TEST(WaitCancel, ACancelDuringAStalledPollStopsWaitUntilEnded) {
  RawServer server([](int fd) {
    RawServer::read_request(fd);
    stall_until_peer_closes(fd);  // never answers the retrieve
  });
  auto client = plain_client(server.base_url());
  anthropic::CancellationSource source;
  bm::WaitOptions options;
  options.request_options.cancellation = source.token();
  std::chrono::steady_clock::time_point cancelled_at;
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(100));
    cancelled_at = std::chrono::steady_clock::now();
    source.cancel();
  });
  EXPECT_THROW(client.beta().messages().batches().wait_until_ended("msgbatch_w", options),
               anthropic::AnthropicCancelledException);
  const auto stopped_at = std::chrono::steady_clock::now();
  canceller.join();
  EXPECT_LT(stopped_at - cancelled_at, milliseconds(500));
  EXPECT_EQ(server.connections(), 1);  // not retried
}

// --- against the real emulator and its Range support ---

// A TCP proxy in front of the emulator: relays every connection both ways, and resets the first
// one once `cut_after` bytes of the response went through. Records what each client sent.
class CuttingProxy {
 public:
  CuttingProxy(int upstream_port, std::size_t cut_after)
      : upstream_port_(upstream_port),
        cut_after_(cut_after),
        server_([this](int fd) { relay(fd); }) {}
  ~CuttingProxy() { stopping_ = true; }

  std::string base_url() const { return server_.base_url(); }
  int connections() const { return server_.connections(); }
  std::vector<std::string> sent() {
    std::lock_guard<std::mutex> lock(mutex_);
    return sent_;
  }
  /// The status line of each connection's first response.
  std::vector<std::string> statuses() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> out;
    for (const auto& r : received_) out.push_back(r.substr(0, r.find("\r\n")));
    return out;
  }

 private:
  void relay(int client) {
    std::size_t index = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      index = sent_.size();
      sent_.emplace_back();
      received_.emplace_back();
    }
    int up = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(upstream_port_));
    if (::connect(up, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(up);
      return;
    }
    std::size_t relayed = 0;
    char buf[16384];
    while (!stopping_) {
      pollfd p[2] = {{client, POLLIN, 0}, {up, POLLIN, 0}};
      if (::poll(p, 2, 50) <= 0) continue;
      if (p[0].revents != 0) {
        ssize_t n = ::recv(client, buf, sizeof buf, 0);
        if (n <= 0) break;
        {
          std::lock_guard<std::mutex> lock(mutex_);
          sent_[index].append(buf, static_cast<std::size_t>(n));
        }
        RawServer::write_all(up, std::string(buf, static_cast<std::size_t>(n)));
      }
      if (p[1].revents != 0) {
        std::size_t want = sizeof buf;
        if (index == 0) want = std::min(want, cut_after_ - relayed);
        ssize_t n = ::recv(up, buf, want, 0);
        if (n <= 0) break;
        {
          std::lock_guard<std::mutex> lock(mutex_);
          if (received_[index].size() < 256)
            received_[index].append(buf, static_cast<std::size_t>(n));
        }
        RawServer::write_all(client, std::string(buf, static_cast<std::size_t>(n)));
        relayed += static_cast<std::size_t>(n);
        if (index == 0 && relayed >= cut_after_) {
          drain_send_queue(client);
          reset_on_close(client);
          break;
        }
      }
    }
    ::close(up);
  }

  int upstream_port_;
  std::size_t cut_after_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::vector<std::string> sent_;      // bytes each connection's client sent
  std::vector<std::string> received_;  // the start of each connection's response
  RawServer server_;                   // last: its workers stop before the members they use
};

TEST(ResultsResumeEmulator, ACutTransferResumesThroughTheEmulatorsRangeAnswer) {
  anthropic::emulator::EmulatorOptions emulator_options;
  emulator_options.manual_clock = true;
  emulator_options.processing_time = std::chrono::seconds(10);
  anthropic::emulator::Emulator emulator(emulator_options);
  emulator.start();

  anthropic::ClientOptions direct_options;
  direct_options.api_key = "sk-ant-emulator";
  direct_options.base_url = emulator.base_url();
  anthropic::Client direct(direct_options);
  bm::BetaMessageBatchCreateParams params;
  for (int i = 0; i < 2000; ++i) {
    bm::BetaMessageBatchCreateParams::Request request;
    request.custom_id = "r" + std::to_string(i);
    request.params.model = "claude-sonnet-4-5";
    request.params.max_tokens = 16;
    request.params.messages.push_back(
        anthropic::beta::BetaMessageParam::user("question " + std::to_string(i)));
    params.requests.push_back(std::move(request));
  }
  const std::string id = direct.beta().messages().batches().create(params).id;
  emulator.advance(std::chrono::seconds(11));
  std::vector<std::string> expected;
  std::size_t total = 0;
  {
    auto stream = direct.beta().messages().batches().results(id);
    while (auto line = stream.next_raw()) {
      total += line->size() + 1;
      expected.push_back(std::move(*line));
    }
  }
  ASSERT_EQ(expected.size(), 2000u);

  {
    CuttingProxy proxy(emulator.port(), total * 8 / 10);
    anthropic::testing::RecordingSleeper sleeper;
    anthropic::ClientOptions options = direct_options;
    options.base_url = proxy.base_url();
    options.sleeper = sleeper.sleeper();
    std::vector<std::string> got;
    {
      anthropic::Client client(options);
      auto stream = client.beta().messages().batches().results(id);
      while (auto line = stream.next_raw()) got.push_back(std::move(*line));
      EXPECT_EQ(stream.line_number(), 2000u);
    }
    EXPECT_TRUE(got == expected) << got.size() << " lines";
    EXPECT_EQ(proxy.connections(), 2);
    auto sent = proxy.sent();
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(header_of(sent[0], "range"), "");
    const std::string range = header_of(sent[1], "range");
    ASSERT_EQ(range.rfind("bytes=", 0), 0u) << range;
    const std::size_t n = std::stoul(range.substr(6));
    EXPECT_GT(n, total / 2);
    EXPECT_LT(n, total * 8 / 10);
    EXPECT_EQ(sleeper.delays().size(), 1u);
    // The emulator honoured the Range (no re-read from the start).
    EXPECT_EQ(proxy.statuses(),
              (std::vector<std::string>{"HTTP/1.1 200 OK", "HTTP/1.1 206 Partial Content"}));
  }
  emulator.stop();
}

}  // namespace
