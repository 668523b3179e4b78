// A non-streamed call whose response body is enormous (400 MB with a Content-Length, or an
// endless chunked body), with a success status and with error statuses: peak memory must barely
// move (the body is cut while it is received, never buffered whole) and the call must end in its
// typed error within seconds. Its own program, so that its peak RSS measures only these bodies.

#include <anthropic/anthropic.hpp>

#include <gtest/gtest.h>

#include "support/raw_server.hpp"
#include "support/sanitizers.hpp"
#include "support/test_server.hpp"

#include <sys/resource.h>
#include <sys/socket.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>

namespace {

using anthropic::testing::RawServer;
using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t kHugeBody = std::size_t{400} << 20;  // 400 MB
constexpr std::size_t kEndlessCap = std::size_t{2} << 30;  // "endless": stops at 2 GiB
[[maybe_unused]] constexpr long kMaxRiseKb = 100 * 1024;   // peak RSS may rise < 100 MB
constexpr std::chrono::seconds kWithinSeconds{20};         // the call ends well before

// Peak resident memory in kB: VmHWM, which `reset_peak_rss` can lower to the current RSS so that
// each case measures its own peak; getrusage's ru_maxrss (the whole process's peak) when
// /proc/self/status is not readable.
long peak_rss_kb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// Linux >= 4.0: writing 5 to clear_refs resets the peak RSS to the current RSS.
void reset_peak_rss() { std::ofstream("/proc/self/clear_refs") << "5"; }

const char* reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    default:
      return "Internal Server Error";
  }
}

// Sends `status` and a body of `kHugeBody` bytes (Content-Length) or an endless chunked body, from
// one reused 1 MiB buffer, until the client hangs up.
RawServer::Handler huge_body(int status, bool chunked) {
  return [status, chunked](int fd) {
    RawServer::read_request(fd);
    std::string head = "HTTP/1.1 " + std::to_string(status) + " " + reason(status) +
                       "\r\ncontent-type: application/json\r\n";
    head += chunked ? "transfer-encoding: chunked\r\n\r\n"
                    : "content-length: " + std::to_string(kHugeBody) + "\r\n\r\n";
    RawServer::write_all(fd, head);
    const std::size_t piece = std::size_t{1} << 20;
    std::string block =
        chunked ? "100000\r\n" + std::string(piece, 'x') + "\r\n" : std::string(piece, 'x');
    block[chunked ? 8 : 0] = '{';  // not JSON either way
    const std::size_t total = chunked ? kEndlessCap : kHugeBody;
    for (std::size_t sent = 0; sent < total; sent += piece) {
      std::size_t off = 0;
      while (off < block.size()) {
        ssize_t n = ::send(fd, block.data() + off, block.size() - off, MSG_NOSIGNAL);
        if (n <= 0) return;  // the client hung up: what this test wants
        off += static_cast<std::size_t>(n);
      }
    }
  };
}

anthropic::Client client(const std::string& base_url) {
  anthropic::ClientOptions options;
  options.api_key = "sk-ant-api03-MEMORY-SECRET";
  options.base_url = base_url;
  options.max_retries = 0;
  options.timeout = std::chrono::seconds(120);  // the cut, not the timeout, must end the call
  return anthropic::Client(options);
}

class ResponseMemory : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    // Warm up the allocator, libcurl and a connection, so that the baseline is steady.
    anthropic::testing::TestServer server;
    server.respond(200, anthropic::testing::batch_json("msgbatch_warm"));
    ASSERT_EQ(client(server.base_url()).beta().messages().batches().retrieve("w").id,
              "msgbatch_warm");
    reset_peak_rss();
    baseline_kb_ = peak_rss_kb();
  }

  // Runs `call` against a server sending `status` and a huge body; checks it throws `Expected`
  // within seconds and that the peak RSS rose by less than 100 MB.
  template <class Expected>
  void expect_bounded(int status, const std::function<void(const Expected&)>& check) {
    const bool chunked = GetParam();
    SCOPED_TRACE(std::to_string(status) + (chunked ? " chunked, endless" : " 400 MB"));
    RawServer server(huge_body(status, chunked));
    auto c = client(server.base_url());
    auto start = SteadyClock::now();
    try {
      c.beta().messages().batches().retrieve("msgbatch_huge");
      ADD_FAILURE() << "no error";
    } catch (const Expected& e) {
      check(e);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "wrong exception: " << e.what();
    }
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start);
    const long rise_kb = peak_rss_kb() - baseline_kb_;
    std::cout << "[ measured ] status " << status << (chunked ? " chunked" : " content-length")
              << ": peak RSS +" << rise_kb / 1024 << " MB, " << took.count() << " ms\n";
    EXPECT_LT(took, kWithinSeconds);
#ifndef ANTHROPIC_UNDER_SANITIZER
    EXPECT_LT(rise_kb, kMaxRiseKb);
#endif
  }

  long baseline_kb_ = 0;
};

TEST_P(ResponseMemory, ASuccessBodyBeyondTheLimitIsInvalidDataWithoutBufferingIt) {
  expect_bounded<anthropic::AnthropicInvalidDataException>(
      200, [](const anthropic::AnthropicInvalidDataException& e) {
        EXPECT_NE(std::string(e.what()).find("max_response_bytes"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(std::to_string(std::size_t{8} << 20)),
                  std::string::npos)
            << e.what();
      });
}

TEST_P(ResponseMemory, A400BodyIsCutAtOneMebibyteWhileReceiving) {
  expect_bounded<anthropic::BadRequestException>(400, [](const anthropic::BadRequestException& e) {
    EXPECT_EQ(e.status_code(), 400);
    EXPECT_EQ(e.body().size(), anthropic::http::kMaxErrorBodyBytes);
    EXPECT_LT(std::string(e.what()).size(), 2048u);
  });
}

TEST_P(ResponseMemory, A500BodyIsCutAtOneMebibyteWhileReceiving) {
  expect_bounded<anthropic::InternalServerException>(
      500, [](const anthropic::InternalServerException& e) {
        EXPECT_EQ(e.status_code(), 500);
        EXPECT_EQ(e.body().size(), anthropic::http::kMaxErrorBodyBytes);
      });
}

INSTANTIATE_TEST_SUITE_P(Bodies, ResponseMemory, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "EndlessChunked" : "ContentLength400MB";
                         });

}  // namespace
