// for_each_result over real sockets on 127.0.0.1: the results of a batch pushed line by line on
// the client's one I/O thread. Many batches read at once from that thread; every line once and
// in order when the transfer breaks (a 206 for the Range, a 200 from the start checked against
// what was delivered, changed results refused, a spent budget); a bad line, a throwing handler,
// an error status, a stall, a cancel and the client's destruction end the call with the blocking
// form's typed exceptions; a caller's http_client reads on a worker thread. CI also runs this
// under ThreadSanitizer.

#include <anthropic/anthropic.hpp>

#include <gtest/gtest.h>

#include "support/async_helpers.hpp"
#include "support/fake_http_client.hpp"
#include "support/raw_server.hpp"
#include "support/results_fixtures.hpp"
#include "support/test_server.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using anthropic::AnthropicCancelledException;
using anthropic::AnthropicInvalidDataException;
using anthropic::AnthropicIoException;
using anthropic::CancellationSource;
using anthropic::testing::Cut;
using anthropic::testing::cut_inside_a_line;
using anthropic::testing::eventually;
using anthropic::testing::get_within;
using anthropic::testing::header_of;
using anthropic::testing::ids;
using anthropic::testing::jsonl_head;
using anthropic::testing::kNoHang;
using anthropic::testing::Landing;
using anthropic::testing::RawServer;
using anthropic::testing::result_line;
using anthropic::testing::results_body;
using anthropic::testing::ResumeServer;
using anthropic::testing::stall_until_peer_closes;
using anthropic::testing::TestServer;
using anthropic::testing::Then;
using anthropic::testing::thread_count;
using std::chrono::milliseconds;
namespace mb = anthropic::messages;
namespace bm = anthropic::beta::messages;

constexpr const char* kKey = "sk-ant-api03-PUSH-SECRET-KEY";

// What a handler saw: the custom_ids in order and the threads it ran on.
struct Seen {
  std::mutex mutex;
  std::vector<std::string> custom_ids;
  std::set<std::thread::id> threads;

  template <class Line>
  void add(const Line& line) {
    std::lock_guard<std::mutex> lock(mutex);
    custom_ids.push_back(line.custom_id);
    threads.insert(std::this_thread::get_id());
  }
  std::vector<std::string> ids() {
    std::lock_guard<std::mutex> lock(mutex);
    return custom_ids;
  }
  template <class F = mb::GaFamily>
  mb::BatchResultHandler<F> handler() {
    return [this](mb::BasicMessageBatchIndividualResponse<F> line) { add(line); };
  }
};

anthropic::Client make_client(const std::string& base_url, anthropic::ClientOptions options = {}) {
  options.api_key = kKey;
  options.base_url = base_url;
  if (!options.sleeper) options.sleeper = [](milliseconds) {};  // reconnect at once
  return anthropic::Client(options);
}

// The exception a future completed with (null when it completed with a value).
template <class T>
std::exception_ptr error_of(std::future<T> f) {
  try {
    get_within(std::move(f));
  } catch (...) {
    return std::current_exception();
  }
  return nullptr;
}

std::string message_of(std::exception_ptr e) {
  try {
    if (e) std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  }
  return "";
}

// --- many batches from one thread ---

TEST(AsyncResultsPush, TwentyBatchesAreReadAtOnceOnTheOneIoThread) {
  constexpr int kBatches = 20;
  constexpr int kLines = 2000;  // ~560 KB each
  const std::string body = results_body(kLines);
  TestServer server;
  server.handle([&body](const httplib::Request&, httplib::Response& res) {
    res.set_content(body, "application/x-jsonl");
  });
  anthropic::ClientOptions options;
  options.max_async_connections = 4;  // cpp-httplib serves 8 connections at once
  auto client = make_client(server.base_url(), options);
  auto& batches = client.async().messages().batches();
  // One request served first: the server's own thread pool is then complete, so that what is
  // counted below is the SDK's (cpp-httplib starts its threads as it begins to listen).
  ASSERT_EQ(get_within(batches.for_each_result("msgbatch_warm_up", [](auto) {})),
            static_cast<std::size_t>(kLines));
  const int threads_before = thread_count() - 1;  // less the I/O thread the warm-up started
  std::vector<std::unique_ptr<Seen>> seen;
  std::vector<std::future<std::size_t>> done;
  for (int b = 0; b < kBatches; ++b) {
    seen.push_back(std::make_unique<Seen>());
    done.push_back(
        batches.for_each_result("msgbatch_" + std::to_string(b), seen.back()->handler()));
  }
  std::set<std::thread::id> threads;
  for (int b = 0; b < kBatches; ++b) {
    EXPECT_EQ(get_within(std::move(done[b])), static_cast<std::size_t>(kLines)) << b;
    EXPECT_EQ(seen[b]->ids(), ids(0, kLines)) << b;  // every line once, in order
    threads.insert(seen[b]->threads.begin(), seen[b]->threads.end());
  }
  EXPECT_EQ(threads.size(), 1u);  // every handler ran on the same thread...
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u);  // ...not the caller's
  EXPECT_LE(thread_count(), threads_before + 1);             // the I/O thread, nothing per batch
  EXPECT_EQ(server.requests().size(), static_cast<std::size_t>(kBatches + 1));
}

TEST(AsyncResultsPush, TheCallbackFormAndTheBetaServiceDeliverTheSameLines) {
  const std::string body = "\r\n" + result_line(0) + "\r\n\n  \n" + result_line(1);  // no last \n
  TestServer server;
  server.handle([&body](const httplib::Request&, httplib::Response& res) {
    res.set_content(body, "application/x-jsonl");
  });
  auto client = make_client(server.base_url());
  Seen seen;
  Landing<std::size_t> landing;  // records the calls of the callback
  anthropic::RequestOptions options;
  client.async().beta().messages().batches().for_each_result(
      "msgbatch_b", options, seen.handler<bm::BetaFamily>(), landing.callback());
  EXPECT_EQ(get_within(landing.future()), 2u);
  EXPECT_EQ(seen.ids(), ids(0, 2));
  EXPECT_EQ(landing.calls(), 1);
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].path, "/v1/messages/batches/msgbatch_b/results");
  EXPECT_EQ(server.requests()[0].header("accept"), "application/x-jsonl");
}

// An exception counting its live copies: whoever drops the last reference destroys it.
struct Counted : std::runtime_error {
  static std::atomic<int> live;
  explicit Counted(const std::string& what) : std::runtime_error(what) { ++live; }
  Counted(const Counted& other) : std::runtime_error(other) { ++live; }
  ~Counted() override { --live; }
};
std::atomic<int> Counted::live{0};

// The I/O thread hands a caller an error only after the catch block that caught it has ended:
// the caller's reference is then the last, and the exception dies where the caller drops it
// (not later on the I/O thread, ordered only by libstdc++'s reference counts, which
// ThreadSanitizer cannot see and reports as a race). The callback holds the I/O thread until
// the caller has dropped the error, so the check is exact.
TEST(AsyncResultsPush, AnErrorHandedOverIsTheCallersAloneWhileTheCallbackRuns) {
  const std::string body = result_line(0) + "\n" + result_line(1);  // the last line has no \n
  TestServer server;
  server.handle([&body](const httplib::Request&, httplib::Response& res) {
    res.set_content(body, "application/x-jsonl");
  });
  // Declared before the client: the callback may still be waking when the test body ends, and
  // the client's destruction joins the I/O thread.
  std::mutex mutex;
  std::condition_variable changed;
  std::exception_ptr handed;
  bool dropped = false;
  auto client = make_client(server.base_url());
  anthropic::RequestOptions options;
  client.async().messages().batches().for_each_result(
      "msgbatch_c", options,
      [](const mb::MessageBatchIndividualResponse& line) {
        if (line.custom_id == "r1") throw Counted("the handler refused r1");
      },
      [&](std::future<std::size_t> result) {
        std::exception_ptr error;
        try {
          result.get();
        } catch (...) {
          error = std::current_exception();
        }
        std::unique_lock<std::mutex> lock(mutex);
        handed = std::move(error);
        changed.notify_all();
        changed.wait_for(lock, kNoHang, [&] { return dropped; });
      });
  std::unique_lock<std::mutex> lock(mutex);
  ASSERT_TRUE(changed.wait_for(lock, kNoHang, [&] { return handed != nullptr; }));
  EXPECT_THROW(std::rethrow_exception(handed), Counted);
  EXPECT_EQ(Counted::live.load(), 1);
  handed = nullptr;
  EXPECT_EQ(Counted::live.load(), 0);  // destroyed here, while the I/O thread waits
  dropped = true;
  changed.notify_all();
}

// --- broken transfers ---

struct ResumeCase {
  Cut cut;
  Then then;
};

class AsyncResultsPushResume : public ::testing::TestWithParam<ResumeCase> {};

TEST_P(AsyncResultsPushResume, EveryLineOnceInOrderAfterTheBreak) {
  constexpr int kLines = 400;
  const std::string body = results_body(kLines);
  const std::size_t cut = cut_inside_a_line(body);
  const std::size_t line_end = body.rfind('\n', cut - 1) + 1;
  ResumeServer server(body, cut, GetParam().cut, GetParam().then);
  auto client = make_client(server.server.base_url());
  Seen seen;
  auto done = client.async().messages().batches().for_each_result("msgbatch_r", seen.handler());
  EXPECT_EQ(get_within(std::move(done)), static_cast<std::size_t>(kLines));
  EXPECT_EQ(seen.ids(), ids(0, kLines));
  auto requests = server.recorded();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(header_of(requests[0], "range"), "");
  EXPECT_EQ(header_of(requests[1], "range"), "bytes=" + std::to_string(line_end) + "-");
  EXPECT_EQ(header_of(requests[1], "x-api-key") + header_of(requests[1], "authorization"),
            "Bearer " + std::string(kKey));
}

INSTANTIATE_TEST_SUITE_P(Breaks, AsyncResultsPushResume,
                         ::testing::Values(ResumeCase{Cut::fin, Then::range_206},
                                           ResumeCase{Cut::rst, Then::range_206},
                                           ResumeCase{Cut::fin, Then::ignore_range_200}));

TEST(AsyncResultsPush, ChangedResultsStopAfterTheLinesOfTheFirstTransfer) {
  constexpr int kLines = 400;
  const std::string body = results_body(kLines);
  const std::size_t cut = cut_inside_a_line(body);
  const int whole = static_cast<int>(std::count(body.begin(), body.begin() + cut, '\n'));
  ResumeServer server(body, cut, Cut::fin, Then::different_200);
  auto client = make_client(server.server.base_url());
  Seen seen;
  auto error =
      error_of(client.async().messages().batches().for_each_result("msgbatch_r", seen.handler()));
  EXPECT_THROW(std::rethrow_exception(error), AnthropicInvalidDataException);
  EXPECT_NE(message_of(error).find("results changed between attempts"), std::string::npos)
      << message_of(error);
  EXPECT_EQ(seen.ids(), ids(0, whole));  // the first transfer's whole lines, none twice
  EXPECT_EQ(server.recorded().size(), 2u);
}

// Broken inside the first line: the reconnect asks for the whole body (no Range), and a 206 to
// that is refused as invalid data (its body, being pushed, is not read as an error body).
TEST(AsyncResultsPush, A206ToAReconnectWithoutARangeIsInvalidData) {
  const std::string body = results_body(50);
  ResumeServer server(body, 10, Cut::fin, Then::range_206);
  auto client = make_client(server.server.base_url());
  Seen seen;
  auto error =
      error_of(client.async().messages().batches().for_each_result("msgbatch_r", seen.handler()));
  EXPECT_THROW(std::rethrow_exception(error), AnthropicInvalidDataException);
  EXPECT_NE(message_of(error).find("asked for the whole body again and got a 206"),
            std::string::npos)
      << message_of(error);
  EXPECT_TRUE(seen.ids().empty());
  auto requests = server.recorded();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(header_of(requests[1], "range"), "");
}

TEST(AsyncResultsPush, ASpentBudgetEndsWithAnIoErrorSayingWhatWasTried) {
  constexpr int kLines = 400;
  const std::string body = results_body(kLines);
  const std::size_t cut = cut_inside_a_line(body);
  const int whole = static_cast<int>(std::count(body.begin(), body.begin() + cut, '\n'));
  ResumeServer server(body, cut, Cut::fin, Then::keep_failing);
  anthropic::ClientOptions options;
  options.max_retries = 3;
  std::mutex mutex;
  std::vector<milliseconds> delays;
  options.sleeper = [&](milliseconds d) {
    std::lock_guard<std::mutex> lock(mutex);
    delays.push_back(d);
  };
  auto client = make_client(server.server.base_url(), options);
  Seen seen;
  auto error =
      error_of(client.async().messages().batches().for_each_result("msgbatch_r", seen.handler()));
  EXPECT_THROW(std::rethrow_exception(error), AnthropicIoException);
  EXPECT_NE(message_of(error).find("3 reconnect attempt(s) without progress, max_retries 3"),
            std::string::npos)
      << message_of(error);
  EXPECT_EQ(seen.ids(), ids(0, whole));
  EXPECT_EQ(server.recorded().size(), 4u);  // the first transfer and 3 reconnects
  std::lock_guard<std::mutex> lock(mutex);
  ASSERT_EQ(delays.size(), 3u);  // growing backoff: 0.5 s, 1 s, 2 s less up to 25 % jitter
  EXPECT_GE(delays[0], milliseconds(375));
  EXPECT_LE(delays[0], milliseconds(500));
  EXPECT_GE(delays[2], milliseconds(1500));
  EXPECT_LE(delays[2], milliseconds(2000));
}

// --- the call's end ---

TEST(AsyncResultsPush, AMalformedLineStopsTheCallAfterTheLinesBeforeIt) {
  const std::string body =
      result_line(0) + "\n" + result_line(1) + "\n{\"custom_id\": 7}\n" + results_body(100);
  TestServer server;
  server.handle([&body](const httplib::Request&, httplib::Response& res) {
    res.set_content(body, "application/x-jsonl");
  });
  auto client = make_client(server.base_url());
  Seen seen;
  auto error =
      error_of(client.async().messages().batches().for_each_result("msgbatch_m", seen.handler()));
  EXPECT_THROW(std::rethrow_exception(error), AnthropicInvalidDataException);
  EXPECT_EQ(message_of(error).rfind("results line 3: ", 0), 0u) << message_of(error);
  EXPECT_EQ(seen.ids(), ids(0, 2));
}

TEST(AsyncResultsPush, AThrowingHandlerStopsTheCallWithItsException) {
  const std::string body = results_body(5000);  // more than one delivery from libcurl
  TestServer server;
  server.handle([&body](const httplib::Request&, httplib::Response& res) {
    res.set_content(body, "application/x-jsonl");
  });
  auto client = make_client(server.base_url());
  std::atomic<int> calls{0};
  auto done = client.async().messages().batches().for_each_result(
      "msgbatch_t", [&](const mb::MessageBatchIndividualResponse& line) {
        ++calls;
        if (line.custom_id == "r10") throw std::logic_error("the handler gave up at r10");
      });
  auto error = error_of(std::move(done));
  EXPECT_THROW(std::rethrow_exception(error), std::logic_error);
  EXPECT_EQ(message_of(error), "the handler gave up at r10");
  EXPECT_EQ(calls.load(), 11);  // no line after the throw
  // The client goes on: its connection was given back.
  EXPECT_EQ(get_within(client.async().messages().batches().for_each_result(
                "msgbatch_t", [](mb::MessageBatchIndividualResponse) {})),
            5000u);
}

TEST(AsyncResultsPush, AnErrorStatusIsTheServiceErrorAndNoLineIsDelivered) {
  TestServer server;
  server.handle([](const httplib::Request&, httplib::Response& res) {
    res.status = 404;
    res.set_content(
        R"({"type":"error","error":{"type":"not_found_error","message":"no such batch"},)"
        R"("request_id":"req_404"})",
        "application/json");
  });
  auto client = make_client(server.base_url());
  Seen seen;
  anthropic::ResponseMetadata meta;
  anthropic::RequestOptions options;
  options.response_into = &meta;
  auto error = error_of(
      client.async().messages().batches().for_each_result("msgbatch_404", seen.handler(), options));
  EXPECT_THROW(std::rethrow_exception(error), anthropic::NotFoundException);
  EXPECT_TRUE(seen.ids().empty());
  EXPECT_EQ(server.requests().size(), 1u);  // a 404 is not retried
}

TEST(AsyncResultsPush, ResponseMetadataIsFilledFromTheHead) {
  TestServer server;
  server.handle([](const httplib::Request&, httplib::Response& res) {
    res.set_header("request-id", "req_push_1");
    res.set_content(results_body(3), "application/x-jsonl");
  });
  auto client = make_client(server.base_url());
  anthropic::ResponseMetadata meta;
  anthropic::RequestOptions options;
  options.response_into = &meta;
  EXPECT_EQ(get_within(client.async().messages().batches().for_each_result(
                "msgbatch_h", [](mb::MessageBatchIndividualResponse) {}, options)),
            3u);
  EXPECT_EQ(meta.status_code, 200);
  EXPECT_EQ(meta.request_id(), "req_push_1");
}

TEST(AsyncResultsPush, AStallAfterSomeLinesTimesOutAndIsNotResumedWithoutRetries) {
  const std::string body = results_body(50);
  RawServer raw([&](int fd) {
    RawServer::read_request(fd);
    RawServer::write_all(fd, jsonl_head(200, "OK", body.size()) + body.substr(0, body.size() / 2));
    stall_until_peer_closes(fd);
  });
  anthropic::ClientOptions options;
  options.timeout = milliseconds(300);
  options.max_retries = 0;
  auto client = make_client(raw.base_url(), options);
  Seen seen;
  const auto start = std::chrono::steady_clock::now();
  auto error =
      error_of(client.async().messages().batches().for_each_result("msgbatch_s", seen.handler()));
  EXPECT_THROW(std::rethrow_exception(error), AnthropicIoException);
  EXPECT_NE(message_of(error).find("timeout"), std::string::npos) << message_of(error);
  EXPECT_LT(std::chrono::steady_clock::now() - start, kNoHang);
  const int whole =
      static_cast<int>(std::count(body.begin(), body.begin() + body.size() / 2, '\n'));
  EXPECT_EQ(seen.ids(), ids(0, whole));
  EXPECT_EQ(raw.connections(), 1);
}

TEST(AsyncResultsPush, CancellingAStalledTransferEndsTheCallWithCancelled) {
  const std::string body = results_body(50);
  RawServer raw([&](int fd) {
    RawServer::read_request(fd);
    RawServer::write_all(fd, jsonl_head(200, "OK", body.size()) + body.substr(0, 1000));
    stall_until_peer_closes(fd);
  });
  auto client = make_client(raw.base_url());
  CancellationSource source;
  anthropic::RequestOptions options;
  options.cancellation = source.token();
  std::atomic<int> lines{0};
  auto done = client.async().messages().batches().for_each_result(
      "msgbatch_c", [&](mb::MessageBatchIndividualResponse) { ++lines; }, options);
  ASSERT_TRUE(eventually([&] { return lines.load() > 0; }));
  source.cancel();
  auto error = error_of(std::move(done));
  EXPECT_THROW(std::rethrow_exception(error), AnthropicCancelledException);
  EXPECT_EQ(raw.connections(), 1);  // not resumed
}

TEST(AsyncResultsPush, DestroyingTheClientEndsTheCallInFlight) {
  const std::string body = results_body(50);
  RawServer raw([&](int fd) {
    RawServer::read_request(fd);
    RawServer::write_all(fd, jsonl_head(200, "OK", body.size()) + body.substr(0, 1000));
    stall_until_peer_closes(fd);
  });
  auto client = std::make_unique<anthropic::Client>(make_client(raw.base_url()));
  std::atomic<int> lines{0};
  auto done = client->async().messages().batches().for_each_result(
      "msgbatch_d", [&](mb::MessageBatchIndividualResponse) { ++lines; });
  ASSERT_TRUE(eventually([&] { return lines.load() > 0; }));
  anthropic::testing::returns_within_bound("~Client with for_each_result in flight",
                                           [&] { client.reset(); });
  auto error = error_of(std::move(done));
  EXPECT_THROW(std::rethrow_exception(error), AnthropicCancelledException);
  EXPECT_NE(message_of(error).find("client destroyed"), std::string::npos) << message_of(error);
}

TEST(AsyncResultsPush, AnEmptyHandlerFailsTheFutureAndSendsNothing) {
  TestServer server;
  auto client = make_client(server.base_url());
  auto error = error_of(client.async().messages().batches().for_each_result("msgbatch_e", {}));
  EXPECT_THROW(std::rethrow_exception(error), anthropic::AnthropicInvalidRequestException);
  EXPECT_TRUE(server.requests().empty());
}

// --- a caller's http_client ---

TEST(AsyncResultsPush, ACustomHttpClientReadsTheStreamOnAWorkerThread) {
  auto fake = std::make_shared<anthropic::testing::FakeHttpClient>();
  fake->respond(200, results_body(30));
  anthropic::ClientOptions options;
  options.api_key = kKey;
  options.http_client = fake;
  anthropic::Client client(options);
  Seen seen;
  EXPECT_EQ(
      get_within(client.async().messages().batches().for_each_result("msgbatch_w", seen.handler())),
      30u);
  EXPECT_EQ(seen.ids(), ids(0, 30));
  EXPECT_EQ(seen.threads.count(std::this_thread::get_id()), 0u);
}

// --- a fake connection ---

class RetrieveOnly : public mb::BatchServiceAsyncConnection {};

TEST(AsyncResultsPush, AConnectionWithoutItCompletesWithNotImplemented) {
  mb::BatchServiceAsync service(std::make_shared<RetrieveOnly>());
  auto error =
      error_of(service.for_each_result("msgbatch_f", [](mb::MessageBatchIndividualResponse) {}));
  EXPECT_THROW(std::rethrow_exception(error), anthropic::AnthropicException);
  EXPECT_NE(message_of(error).find("for_each_result is not implemented"), std::string::npos);
}

}  // namespace
