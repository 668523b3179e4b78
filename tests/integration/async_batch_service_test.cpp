// The async services (client.async()...) over real HTTP on 127.0.0.1: every operation, GA and
// beta, sends what the blocking form sends; errors (statuses, invalid params, transport) complete
// the future with the blocking form's typed exceptions and never escape the call; the callback
// form runs once, on the client's one I/O thread; a create whose outcome is unknown is not resent
// while a retrieve is retried; a cancel and the destruction of the last Client complete calls in
// flight; 200 concurrent calls share max_async_connections connections; wait_until_ended polls on
// timers; results streams read (and resume) as the blocking ones; a custom http_client runs the
// calls on worker threads; a BatchServiceAsyncConnection subclass fakes the service. CI also runs
// this under ThreadSanitizer.

#include <anthropic/anthropic.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/async_helpers.hpp"
#include "support/fake_http_client.hpp"
#include "support/raw_server.hpp"
#include "support/results_fixtures.hpp"
#include "support/sanitizers.hpp"
#include "support/test_server.hpp"

#include <dirent.h>
#include <linux/sockios.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <future>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

using anthropic::AnthropicCancelledException;
using anthropic::AnthropicIoException;
using anthropic::CancellationSource;
using anthropic::testing::batch_json;
using anthropic::testing::drain_send_queue;
using anthropic::testing::eventually;
using anthropic::testing::get_within;
using anthropic::testing::header_of;
using anthropic::testing::ids;
using anthropic::testing::jsonl_head;
using anthropic::testing::kNoHang;
using anthropic::testing::Landing;
using anthropic::testing::open_fd_count;
using anthropic::testing::proc_status_kb;
using anthropic::testing::RawServer;
using anthropic::testing::RecordedRequest;
using anthropic::testing::results_body;
using anthropic::testing::returns_within_bound;
using anthropic::testing::TestServer;
using anthropic::testing::thread_count;
using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;
namespace mb = anthropic::messages;
namespace bm = anthropic::beta::messages;

constexpr const char* kKey = "sk-ant-api03-ASYNC-SECRET-KEY";

// --- helpers ---

template <class F = mb::GaFamily>
mb::BasicMessageBatchCreateParams<F> one_request(const std::string& custom_id = "req-1") {
  mb::BasicMessageBatchCreateParams<F> params;
  typename mb::BasicMessageBatchCreateParams<F>::Request r;
  r.custom_id = custom_id;
  r.params.model = "claude-sonnet-4-5";
  r.params.max_tokens = 64;
  r.params.messages.push_back(F::MessageParam::user("Hello"));
  params.requests.push_back(r);
  return params;
}

template <class Stream>
std::vector<std::string> read_ids(Stream& stream) {
  std::vector<std::string> out;
  while (auto line = stream.next()) out.push_back(line->custom_id);
  return out;
}

constexpr const char* kPrefix = "/v1/messages/batches/";

// A Message Batches server with canned answers: create, list (two batches, more to come),
// retrieve (ended), cancel (canceling), delete, and results (three lines).
void serve_api(TestServer& server) {
  server.handle([](const httplib::Request& req, httplib::Response& res) {
    const std::string prefix = kPrefix;
    if (req.path == "/v1/messages/batches") {
      if (req.method == "POST") {
        res.set_content(batch_json("msgbatch_created"), "application/json");
      } else {
        res.set_content(
            R"({"data":[)" + batch_json("msgbatch_03") + "," + batch_json("msgbatch_02") +
                R"(],"has_more":true,"first_id":"msgbatch_03","last_id":"msgbatch_02"})",
            "application/json");
      }
      return;
    }
    std::string rest = req.path.substr(prefix.size());
    auto ends_with = [&](const std::string& suffix) {
      return rest.size() > suffix.size() &&
             rest.compare(rest.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (req.method == "POST" && ends_with("/cancel")) {
      res.set_content(batch_json(rest.substr(0, rest.size() - 7), "canceling"), "application/json");
    } else if (req.method == "GET" && ends_with("/results")) {
      res.set_content(results_body(3), "application/x-jsonl");
    } else if (req.method == "DELETE") {
      res.set_content(R"({"id":")" + rest + R"(","type":"message_batch_deleted"})",
                      "application/json");
    } else {
      res.set_content(batch_json(rest, "ended", 0), "application/json");
    }
  });
}

std::string not_found_body() {
  return R"({"type":"error","error":{"type":"not_found_error","message":"no such batch"},)"
         R"("request_id":"req_404"})";
}

// A server that reads each request, counts it, then stalls until the client hangs up (at most
// 10 s), counting the hang-ups.
bool wait_for_close(int fd) {
  char buf[65536];
  const auto deadline = SteadyClock::now() + std::chrono::seconds(10);
  while (SteadyClock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, 100);
    if (r < 0) return true;
    if (r == 0) continue;
    if (::recv(fd, buf, sizeof buf, 0) <= 0) return true;
  }
  return false;
}

struct StallingServer {
  StallingServer()
      : server([this](int fd) {
          RawServer::read_request(fd);
          ++requests;
          if (wait_for_close(fd)) ++closed;
        }) {}
  std::atomic<int> requests{0};
  std::atomic<int> closed{0};
  RawServer server;  // last: stopped (joined) before the counters its handler uses
};

class AsyncBatchServiceTest : public ::testing::Test {
 protected:
  // A client of `base_url` with a recording sleeper (retries at once) and a logger. Unless the
  // test asks for another value, max_async_connections is 4 rather than 16: cpp-httplib gives each
  // keep-alive connection one of its 8 pool threads until the connection idles out, so more
  // connections than threads would wait a second for a thread.
  anthropic::Client make_client(const std::string& base_url,
                                anthropic::ClientOptions options = {}) {
    options.api_key = kKey;
    options.base_url = base_url;
    if (options.max_async_connections == 16) options.max_async_connections = 4;
    if (!options.sleeper) {
      options.sleeper = [this](milliseconds d) {
        std::lock_guard<std::mutex> lock(mutex_);
        delays_.push_back(d);
        sleeper_threads_.insert(std::this_thread::get_id());
      };
    }
    options.logger = [this](anthropic::LogLevel, std::string_view line) {
      std::lock_guard<std::mutex> lock(mutex_);
      log_.emplace_back(line);
    };
    return anthropic::Client(options);
  }
  anthropic::Client make_client(anthropic::ClientOptions options = {}) {
    return make_client(server.base_url(), std::move(options));
  }

  std::vector<milliseconds> delays() {
    std::lock_guard<std::mutex> lock(mutex_);
    return delays_;
  }
  std::set<std::thread::id> sleeper_threads() {
    std::lock_guard<std::mutex> lock(mutex_);
    return sleeper_threads_;
  }

  void TearDown() override {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& line : log_) EXPECT_EQ(line.find(kKey), std::string::npos) << line;
  }

  std::mutex mutex_;
  std::vector<milliseconds> delays_;
  std::set<std::thread::id> sleeper_threads_;
  std::vector<std::string> log_;
  TestServer server;
};

// --- the wire: every operation, GA and beta, under both API versions ---

struct WireCase {
  bool ga;
  const char* version;
  bool legacy;
};

// Header lines as sent, names in lower case, sorted; without the ones that differ by connection
// (Host is the same; cpp-httplib adds the peer's address as pseudo headers).
std::vector<std::pair<std::string, std::string>> wire_headers(const RecordedRequest& r) {
  static const std::set<std::string> skip = {"remote_addr", "remote_port", "local_addr",
                                             "local_port"};
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [k, v] : r.headers) {
    std::string name = k;
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (skip.count(name) == 0) out.emplace_back(name, v);
  }
  std::sort(out.begin(), out.end());
  return out;
}

class AsyncWireTest : public AsyncBatchServiceTest, public ::testing::WithParamInterface<WireCase> {
 protected:
  anthropic::Client make_versioned_client() {
    anthropic::ClientOptions options;
    options.anthropic_version = GetParam().version;
    return make_client(options);
  }

  // Runs `fn(blocking, async)` on the services of the family under test.
  template <class Fn>
  void on_services(anthropic::Client& client, Fn fn) {
    if (GetParam().ga) {
      fn(client.messages().batches(), client.async().messages().batches());
    } else {
      fn(client.beta().messages().batches(), client.async().beta().messages().batches());
    }
  }

  bool beta_marks() const { return GetParam().legacy && !GetParam().ga; }

  std::string target(const std::string& path, const std::string& query = "") const {
    std::string t = path;
    if (beta_marks()) t += "?beta=true";
    if (!query.empty()) t += (beta_marks() ? "&" : "?") + query;
    return t;
  }

  void expect_headers(const RecordedRequest& r, const std::string& betas = "") const {
    EXPECT_EQ(r.header_count("anthropic-version"), 1u);
    EXPECT_EQ(r.header("anthropic-version"), GetParam().version);
    if (GetParam().legacy) {
      EXPECT_EQ(r.header("x-api-key"), kKey);
      EXPECT_EQ(r.header_count("authorization"), 0u);
    } else {
      EXPECT_EQ(r.header_count("x-api-key"), 0u);
      EXPECT_EQ(r.header("authorization"), std::string("Bearer ") + kKey);
    }
    const std::string expected_beta =
        beta_marks() ? (betas.empty() ? std::string("message-batches-2024-09-24")
                                      : betas + ",message-batches-2024-09-24")
                     : betas;
    EXPECT_EQ(r.header_count("anthropic-beta"), expected_beta.empty() ? 0u : 1u);
    EXPECT_EQ(r.header("anthropic-beta"), expected_beta);
    EXPECT_EQ(r.header("user-agent"), std::string("anthropic-cpp/") + anthropic::version);
  }

  // Runs the blocking form, then the async form of one operation; each must send exactly one
  // request, and the two requests must be the same (method, target, body, headers). Returns the
  // async one.
  template <class Blocking, class Async>
  RecordedRequest same_wire(const char* what, Blocking&& blocking, Async&& async) {
    SCOPED_TRACE(what);
    const std::size_t before = server.request_count();
    blocking();
    EXPECT_EQ(server.request_count(), before + 1);
    RecordedRequest b = server.last_request();
    async();
    EXPECT_EQ(server.request_count(), before + 2);
    RecordedRequest a = server.last_request();
    EXPECT_EQ(a.method, b.method);
    EXPECT_EQ(a.target, b.target);
    EXPECT_EQ(a.body, b.body);
    EXPECT_EQ(wire_headers(a), wire_headers(b));
    return a;
  }
};

TEST_P(AsyncWireTest, EveryOperationSendsWhatTheBlockingFormSends) {
  serve_api(server);
  auto client = make_versioned_client();
  on_services(client, [&](auto& blocking, auto& async) {
    using F = typename std::decay_t<decltype(blocking)>::family_type;
    static_assert(std::is_same_v<typename std::decay_t<decltype(async)>::family_type, F>);

    {  // create, with betas, workspace, user profile and per-call options
      auto params = one_request<F>();
      params.betas = {"files-api-2025-04-14"};
      params.workspace_id = "wrkspc_01";
      params.user_profile_id = "uprof_01";
      anthropic::RequestOptions per_call;
      per_call.extra_headers.set("x-trace", "t1");
      per_call.extra_query = {{"trace", "a b"}};
      RecordedRequest r = same_wire(
          "create", [&] { blocking.create(params, per_call); },
          [&] { EXPECT_EQ(get_within(async.create(params, per_call)).id, "msgbatch_created"); });
      EXPECT_EQ(r.method, "POST");
      EXPECT_EQ(r.target, target("/v1/messages/batches", "trace=a%20b"));
      expect_headers(r, "files-api-2025-04-14");
      EXPECT_EQ(r.header("anthropic-workspace-id"), "wrkspc_01");
      EXPECT_EQ(r.header("anthropic-user-profile-id"), "uprof_01");
      EXPECT_EQ(r.header("x-trace"), "t1");
      EXPECT_EQ(r.header("content-type"), "application/json");
      EXPECT_EQ(r.header("accept"), "application/json");
      EXPECT_EQ(r.header("content-length"), std::to_string(r.body.size()));
      EXPECT_EQ(nlohmann::json::parse(r.body),
                nlohmann::json::parse(
                    R"({"requests":[{"custom_id":"req-1","params":{"model":"claude-sonnet-4-5",)"
                    R"("max_tokens":64,"messages":[{"role":"user","content":"Hello"}]}}]})"));
    }
    {  // create_encoded
      auto encoded = [] {
        mb::BasicBatchCreateBodyBuilder<F> builder;
        builder.add(one_request<F>("req-enc").requests.at(0));
        return std::move(builder).finish({}, {}, std::string("wrkspc_02"));
      }();
      RecordedRequest r = same_wire(
          "create_encoded", [&] { blocking.create_encoded(encoded); },
          [&] { EXPECT_EQ(get_within(async.create_encoded(encoded)).id, "msgbatch_created"); });
      EXPECT_EQ(r.method, "POST");
      EXPECT_EQ(r.target, target("/v1/messages/batches"));
      expect_headers(r);
      EXPECT_EQ(r.header("anthropic-workspace-id"), "wrkspc_02");
      EXPECT_EQ(r.body, encoded.body.str());
    }
    {  // retrieve by params (betas), and the response metadata
      mb::MessageBatchRetrieveParams rp;
      rp.message_batch_id = "msgbatch_7";
      rp.betas = {"files-api-2025-04-14"};
      anthropic::ResponseMetadata meta;
      anthropic::RequestOptions per_call;
      per_call.response_into = &meta;
      RecordedRequest r = same_wire(
          "retrieve(params)", [&] { blocking.retrieve(rp); },
          [&] {
            mb::MessageBatch b = get_within(async.retrieve(rp, per_call));
            EXPECT_EQ(b.id, "msgbatch_7");
            EXPECT_EQ(b.processing_status, mb::ProcessingStatus::ended);
          });
      EXPECT_EQ(r.method, "GET");
      EXPECT_EQ(r.target, target("/v1/messages/batches/msgbatch_7"));
      expect_headers(r, "files-api-2025-04-14");
      EXPECT_TRUE(r.body.empty());
      EXPECT_EQ(meta.status_code, 200);
      EXPECT_EQ(meta.request_id(), "req_test_" + std::to_string(server.request_count()));
    }
    {  // retrieve by id, percent-encoded as one path segment, with per-call query and header
      anthropic::RequestOptions per_call;
      per_call.extra_query = {{"trace", "a b"}};
      per_call.extra_headers.set("anthropic-workspace-id", "wrkspc_03");
      RecordedRequest r = same_wire(
          "retrieve(id)", [&] { blocking.retrieve("a/b c", per_call); },
          [&] { EXPECT_EQ(get_within(async.retrieve("a/b c", per_call)).id, "a/b c"); });
      EXPECT_EQ(r.target, target("/v1/messages/batches/a%2Fb%20c", "trace=a%20b"));
      EXPECT_EQ(r.header("anthropic-workspace-id"), "wrkspc_03");
      expect_headers(r);
    }
    {  // list, and its page fetching the next one
      mb::MessageBatchListParams lp;
      lp.limit = 2;
      lp.after_id = "msgbatch_04";
      mb::BatchListPage page;
      RecordedRequest r = same_wire(
          "list", [&] { blocking.list(lp); }, [&] { page = get_within(async.list(lp)); });
      EXPECT_EQ(r.method, "GET");
      EXPECT_EQ(r.target, target("/v1/messages/batches", "limit=2&after_id=msgbatch_04"));
      expect_headers(r);
      ASSERT_EQ(page.data.size(), 2u);
      EXPECT_EQ(page.data[0].id, "msgbatch_03");
      EXPECT_TRUE(page.has_more);
      EXPECT_EQ(page.last_id, "msgbatch_02");
      ASSERT_TRUE(page.has_next_page());
      mb::BatchListPage next = page.next_page();
      EXPECT_EQ(server.last_request().target,
                target("/v1/messages/batches", "limit=2&after_id=msgbatch_02"));
      EXPECT_EQ(next.data.size(), 2u);
      // The default params too.
      same_wire(
          "list()", [&] { blocking.list(); },
          [&] { EXPECT_EQ(get_within(async.list()).data.size(), 2u); });
      EXPECT_EQ(server.last_request().target, target("/v1/messages/batches"));
    }
    {  // cancel by id and by params
      RecordedRequest r = same_wire(
          "cancel(id)", [&] { blocking.cancel("msgbatch_7"); },
          [&] {
            EXPECT_EQ(get_within(async.cancel("msgbatch_7")).processing_status,
                      mb::ProcessingStatus::canceling);
          });
      EXPECT_EQ(r.method, "POST");
      EXPECT_EQ(r.target, target("/v1/messages/batches/msgbatch_7/cancel"));
      expect_headers(r);
      EXPECT_TRUE(r.body.empty());
      EXPECT_EQ(r.header("content-type"), "");
      mb::MessageBatchCancelParams cp;
      cp.message_batch_id = "msgbatch_8";
      cp.workspace_id = "wrkspc_04";
      r = same_wire(
          "cancel(params)", [&] { blocking.cancel(cp); },
          [&] { EXPECT_EQ(get_within(async.cancel(cp)).id, "msgbatch_8"); });
      EXPECT_EQ(r.target, target("/v1/messages/batches/msgbatch_8/cancel"));
      EXPECT_EQ(r.header("anthropic-workspace-id"), "wrkspc_04");
    }
    {  // delete_ by params and by id
      mb::MessageBatchDeleteParams dp;
      dp.message_batch_id = "msgbatch_7";
      dp.betas = {"files-api-2025-04-14"};
      RecordedRequest r = same_wire(
          "delete_(params)", [&] { blocking.delete_(dp); },
          [&] {
            mb::DeletedMessageBatch d = get_within(async.delete_(dp));
            EXPECT_EQ(d.id, "msgbatch_7");
            EXPECT_EQ(d.type, "message_batch_deleted");
          });
      EXPECT_EQ(r.method, "DELETE");
      EXPECT_EQ(r.target, target("/v1/messages/batches/msgbatch_7"));
      expect_headers(r, "files-api-2025-04-14");
      EXPECT_TRUE(r.body.empty());
      r = same_wire(
          "delete_(id)", [&] { blocking.delete_("msgbatch_9"); },
          [&] { EXPECT_EQ(get_within(async.delete_("msgbatch_9")).id, "msgbatch_9"); });
      EXPECT_EQ(r.target, target("/v1/messages/batches/msgbatch_9"));
    }
    {  // results by params and by id, read through the stream the future delivers
      mb::MessageBatchResultsParams rp;
      rp.message_batch_id = "msgbatch_7";
      rp.betas = {"files-api-2025-04-14"};
      RecordedRequest r = same_wire(
          "results(params)",
          [&] {
            auto stream = blocking.results(rp);
            EXPECT_EQ(read_ids(stream), ids(0, 3));
          },
          [&] {
            auto stream = get_within(async.results(rp));
            EXPECT_EQ(read_ids(stream), ids(0, 3));
            EXPECT_EQ(stream.line_number(), 3u);
          });
      EXPECT_EQ(r.method, "GET");
      EXPECT_EQ(r.target, target("/v1/messages/batches/msgbatch_7/results"));
      expect_headers(r, "files-api-2025-04-14");
      EXPECT_EQ(r.header("accept"), "application/x-jsonl");
      r = same_wire(
          "results(id)",
          [&] {
            auto stream = blocking.results("msgbatch_8");
            EXPECT_EQ(read_ids(stream), ids(0, 3));
          },
          [&] {
            auto stream = get_within(async.results("msgbatch_8"));
            EXPECT_EQ(read_ids(stream), ids(0, 3));
          });
      EXPECT_EQ(r.target, target("/v1/messages/batches/msgbatch_8/results"));
    }
    {  // wait_until_ended: one poll of an ended batch
      RecordedRequest r = same_wire(
          "wait_until_ended", [&] { blocking.wait_until_ended("msgbatch_7"); },
          [&] {
            EXPECT_EQ(get_within(async.wait_until_ended("msgbatch_7")).processing_status,
                      mb::ProcessingStatus::ended);
          });
      EXPECT_EQ(r.target, target("/v1/messages/batches/msgbatch_7"));
    }
  });
}

INSTANTIATE_TEST_SUITE_P(
    Versions, AsyncWireTest,
    ::testing::Values(WireCase{true, "2026-10-21", false}, WireCase{false, "2026-10-21", false},
                      WireCase{true, "2023-06-01", true}, WireCase{false, "2023-06-01", true}),
    [](const ::testing::TestParamInfo<WireCase>& tc) {
      return std::string(tc.param.ga ? "Ga" : "Beta") + (tc.param.legacy ? "20230601" : "20261021");
    });

// --- errors complete the future ---

TEST_F(AsyncBatchServiceTest, A404CompletesTheFutureWithNotFound) {
  server.respond(404, not_found_body());
  auto client = make_client();
  auto& batches = client.async().messages().batches();
  try {
    get_within(batches.retrieve("msgbatch_missing"));
    FAIL() << "no exception";
  } catch (const anthropic::NotFoundException& e) {
    EXPECT_EQ(e.status_code(), 404);
    EXPECT_EQ(e.error_type(), "not_found_error");
    EXPECT_EQ(e.error_message(), "no such batch");
    EXPECT_EQ(e.request_id(), "req_test_1");
  }
  EXPECT_THROW(get_within(batches.cancel("msgbatch_missing")), anthropic::NotFoundException);
  EXPECT_THROW(get_within(batches.delete_("msgbatch_missing")), anthropic::NotFoundException);
  EXPECT_THROW(get_within(batches.results("msgbatch_missing")), anthropic::NotFoundException);
  EXPECT_THROW(get_within(client.async().beta().messages().batches().list()),
               anthropic::NotFoundException);
  EXPECT_THROW(get_within(batches.wait_until_ended("msgbatch_missing")),
               anthropic::NotFoundException);
  EXPECT_EQ(server.request_count(), 6u);  // a 404 is not retried
}

TEST_F(AsyncBatchServiceTest, StatusesMapToTheBlockingFormsExceptions) {
  auto client = make_client();
  auto& batches = client.async().beta().messages().batches();
  server.respond(400, R"({"type":"error","error":{"type":"invalid_request_error","message":"x"}})");
  EXPECT_THROW(get_within(batches.retrieve("b")), anthropic::BadRequestException);
  server.respond(401, R"({"type":"error","error":{"type":"authentication_error","message":"x"}})");
  EXPECT_THROW(get_within(batches.retrieve("b")), anthropic::AuthenticationException);
  server.respond(200, "{\"id\": ");
  EXPECT_THROW(get_within(batches.retrieve("b")), anthropic::AnthropicInvalidDataException);
  EXPECT_EQ(server.request_count(), 3u);
}

TEST_F(AsyncBatchServiceTest, InvalidParamsFailTheFutureNotTheCallAndSendNothing) {
  auto client = make_client();
  auto& ga = client.async().messages().batches();
  auto& beta = client.async().beta().messages().batches();
  using anthropic::AnthropicInvalidRequestException;
  std::vector<std::future<mb::MessageBatch>> batches;
  std::future<mb::DeletedMessageBatch> deleted;
  std::future<mb::BatchResultsStream> results;
  std::future<bm::BatchResultsStream> beta_results;
  std::future<mb::BatchListPage> page;
  EXPECT_NO_THROW({
    batches.push_back(ga.retrieve(""));
    batches.push_back(ga.cancel(""));
    batches.push_back(beta.retrieve(mb::MessageBatchRetrieveParams{}));
    batches.push_back(ga.create(mb::MessageBatchCreateParams{}));  // no request
    batches.push_back(beta.create(one_request<bm::BetaFamily>("not a valid custom id!")));
    batches.push_back(ga.create_encoded(mb::EncodedBatchCreateParams{}));
    deleted = ga.delete_("");
    results = ga.results("");
    beta_results = beta.results("");
    mb::MessageBatchListParams lp;
    lp.limit = 0;
    page = ga.list(lp);
  });
  for (auto& f : batches) EXPECT_THROW(get_within(std::move(f)), AnthropicInvalidRequestException);
  EXPECT_THROW(get_within(std::move(deleted)), AnthropicInvalidRequestException);
  EXPECT_THROW(get_within(std::move(results)), AnthropicInvalidRequestException);
  EXPECT_THROW(get_within(std::move(beta_results)), AnthropicInvalidRequestException);
  EXPECT_THROW(get_within(std::move(page)), AnthropicInvalidRequestException);

  // The index of the request at fault, as in the blocking form.
  try {
    get_within(beta.create(one_request<bm::BetaFamily>("not a valid custom id!")));
    FAIL() << "no exception";
  } catch (const AnthropicInvalidRequestException& e) {
    EXPECT_EQ(e.request_index(), std::optional<std::size_t>(0));
  }

  // The callback form: called once, with the failed future; the call itself does not throw.
  Landing<mb::MessageBatch> landing;
  EXPECT_NO_THROW(ga.retrieve("", {}, landing.callback()));
  EXPECT_THROW(get_within(landing.future()), AnthropicInvalidRequestException);
  EXPECT_EQ(landing.calls(), 1);
  EXPECT_EQ(server.request_count(), 0u);
}

TEST_F(AsyncBatchServiceTest, WaitUntilEndedRejectsAnInjectedSleeperAndBadIntervals) {
  serve_api(server);
  auto client = make_client();
  auto& batches = client.async().messages().batches();
  mb::WaitOptions with_sleeper;
  with_sleeper.sleeper = [](milliseconds) {};
  EXPECT_THROW(get_within(batches.wait_until_ended("msgbatch_1", with_sleeper)),
               anthropic::AnthropicInvalidRequestException);
  mb::WaitOptions zero;
  zero.initial_interval = milliseconds(0);
  EXPECT_THROW(get_within(batches.wait_until_ended("msgbatch_1", zero)),
               anthropic::AnthropicInvalidRequestException);
  mb::WaitOptions inverted;
  inverted.initial_interval = milliseconds(20);
  inverted.max_interval = milliseconds(10);
  EXPECT_THROW(get_within(batches.wait_until_ended("msgbatch_1", inverted)),
               anthropic::AnthropicInvalidRequestException);
  mb::WaitOptions shrinking;
  shrinking.multiplier = 0.5;
  EXPECT_THROW(get_within(batches.wait_until_ended("msgbatch_1", shrinking)),
               anthropic::AnthropicInvalidRequestException);
  EXPECT_THROW(get_within(batches.wait_until_ended("")),
               anthropic::AnthropicInvalidRequestException);
  EXPECT_EQ(server.request_count(), 0u);
}

TEST_F(AsyncBatchServiceTest, RetriesCallTheClientsSleeperOnTheIoThread) {
  auto attempts = std::make_shared<std::atomic<int>>(0);
  server.handle([attempts](const httplib::Request&, httplib::Response& res) {
    int n = ++*attempts;
    if (n <= 2) {
      res.status = n == 1 ? 529 : 503;
      res.set_content(R"({"type":"error","error":{"type":"overloaded_error","message":"x"}})",
                      "application/json");
    } else {
      res.set_content(batch_json("msgbatch_ok"), "application/json");
    }
  });
  auto client = make_client();
  EXPECT_EQ(get_within(client.async().messages().batches().retrieve("msgbatch_ok")).id,
            "msgbatch_ok");
  EXPECT_EQ(server.request_count(), 3u);
  auto requests = server.requests();
  EXPECT_EQ(requests[2].header("x-stainless-retry-count"), "2");
  auto d = delays();
  ASSERT_EQ(d.size(), 2u);
  // Backoff for retry n is min(0.5 s * 2^n, 8 s) less up to 25 % jitter, as in the blocking form.
  EXPECT_GE(d[0], milliseconds(375));
  EXPECT_LE(d[0], milliseconds(500));
  EXPECT_GE(d[1], milliseconds(750));
  EXPECT_LE(d[1], milliseconds(1000));
  auto threads = sleeper_threads();
  ASSERT_EQ(threads.size(), 1u);
  EXPECT_NE(*threads.begin(), std::this_thread::get_id());
}

TEST_F(AsyncBatchServiceTest, AStalledServerTimesOutWithAnIoError) {
  StallingServer stall;
  anthropic::ClientOptions options;
  options.timeout = milliseconds(300);
  options.max_retries = 0;
  auto client = make_client(stall.server.base_url(), options);
  try {
    get_within(client.async().messages().batches().retrieve("b"));
    ADD_FAILURE() << "no exception";
  } catch (const AnthropicCancelledException& e) {
    ADD_FAILURE() << "a timeout is not a cancel: " << e.what();
  } catch (const AnthropicIoException& e) {
    EXPECT_TRUE(e.may_have_reached_server());
  }
  EXPECT_EQ(stall.requests.load(), 1);
}

// --- the callback form ---

TEST_F(AsyncBatchServiceTest, EachCallbackRunsOnceOnTheClientsIoThread) {
  serve_api(server);
  std::vector<std::thread::id> seen;
  int calls = 0;
  {
    auto client = make_client();
    auto& ga = client.async().messages().batches();
    auto& beta = client.async().beta().messages().batches();
    Landing<mb::MessageBatch> create, create_encoded, retrieve_params, retrieve_id, cancel_params,
        cancel_id, waited, beta_retrieve, not_found;
    Landing<mb::BatchListPage> list;
    Landing<mb::DeletedMessageBatch> delete_params, delete_id;
    Landing<mb::BatchResultsStream> results_params, results_id;
    Landing<bm::BatchResultsStream> beta_results;

    mb::BatchCreateBodyBuilder builder;
    builder.add(one_request().requests.at(0));
    mb::EncodedBatchCreateParams encoded = std::move(builder).finish();
    mb::MessageBatchRetrieveParams rp;
    rp.message_batch_id = "msgbatch_r";
    mb::MessageBatchCancelParams cp;
    cp.message_batch_id = "msgbatch_c";
    mb::MessageBatchDeleteParams dp;
    dp.message_batch_id = "msgbatch_d";
    mb::MessageBatchResultsParams resp;
    resp.message_batch_id = "msgbatch_s";

    ga.create(one_request(), {}, create.callback());
    ga.create_encoded(encoded, {}, create_encoded.callback());
    ga.retrieve(rp, {}, retrieve_params.callback());
    ga.retrieve("msgbatch_i", {}, retrieve_id.callback());
    ga.list({}, {}, list.callback());
    ga.cancel(cp, {}, cancel_params.callback());
    ga.cancel("msgbatch_ci", {}, cancel_id.callback());
    ga.delete_(dp, {}, delete_params.callback());
    ga.delete_("msgbatch_di", {}, delete_id.callback());
    ga.results(resp, {}, results_params.callback());
    ga.results("msgbatch_si", {}, results_id.callback());
    ga.wait_until_ended("msgbatch_w", {}, waited.callback());
    beta.retrieve("msgbatch_b", {}, beta_retrieve.callback());
    beta.results("msgbatch_bs", {}, beta_results.callback());

    EXPECT_EQ(get_within(create.future()).id, "msgbatch_created");
    EXPECT_EQ(get_within(create_encoded.future()).id, "msgbatch_created");
    EXPECT_EQ(get_within(retrieve_params.future()).id, "msgbatch_r");
    EXPECT_EQ(get_within(retrieve_id.future()).id, "msgbatch_i");
    EXPECT_EQ(get_within(list.future()).data.size(), 2u);
    EXPECT_EQ(get_within(cancel_params.future()).id, "msgbatch_c");
    EXPECT_EQ(get_within(cancel_id.future()).id, "msgbatch_ci");
    EXPECT_EQ(get_within(delete_params.future()).id, "msgbatch_d");
    EXPECT_EQ(get_within(delete_id.future()).id, "msgbatch_di");
    {
      auto stream = get_within(results_params.future());  // read here, not on the I/O thread
      EXPECT_EQ(read_ids(stream), ids(0, 3));
    }
    {
      auto stream = get_within(results_id.future());
      EXPECT_EQ(read_ids(stream), ids(0, 3));
    }
    EXPECT_EQ(get_within(waited.future()).id, "msgbatch_w");
    EXPECT_EQ(get_within(beta_retrieve.future()).id, "msgbatch_b");
    {
      auto stream = get_within(beta_results.future());
      EXPECT_EQ(read_ids(stream), ids(0, 3));
    }
    // An error reaches the callback too, once.
    server.respond(404, not_found_body());
    ga.retrieve("msgbatch_missing", {}, not_found.callback());
    EXPECT_THROW(get_within(not_found.future()), anthropic::NotFoundException);

    auto collect = [&](const auto& landing) {
      for (auto id : landing.threads()) seen.push_back(id);
      calls += landing.calls();
    };
    // The client (and its I/O thread) is gone below: any second call would have happened.
    client = make_client();
    for (const auto* l : {&create, &create_encoded, &retrieve_params, &retrieve_id, &cancel_params,
                          &cancel_id, &waited, &beta_retrieve, &not_found}) {
      collect(*l);
    }
    collect(list);
    collect(delete_params);
    collect(delete_id);
    collect(results_params);
    collect(results_id);
    collect(beta_results);
  }
  EXPECT_EQ(calls, 15);  // 15 calls, each called back once
  ASSERT_EQ(seen.size(), 15u);
  // One I/O thread for the whole client, and not the caller's.
  EXPECT_EQ(std::set<std::thread::id>(seen.begin(), seen.end()).size(), 1u);
  EXPECT_NE(seen.front(), std::this_thread::get_id());
}

TEST_F(AsyncBatchServiceTest, ACallbackStartsTheNextCallWithoutWaiting) {
  serve_api(server);
  auto client = make_client();
  auto& batches = client.async().messages().batches();
  std::promise<std::string> chained;
  // Retrieve, then (from the I/O thread, with a callback of its own) cancel the batch it got.
  batches.retrieve("msgbatch_chain", {}, [&](std::future<mb::MessageBatch> f) {
    try {
      mb::MessageBatch b = f.get();
      batches.cancel(b.id, {}, [&](std::future<mb::MessageBatch> g) {
        try {
          chained.set_value(g.get().processing_status.str());
        } catch (...) {
          chained.set_exception(std::current_exception());
        }
      });
    } catch (...) {
      chained.set_exception(std::current_exception());
    }
  });
  EXPECT_EQ(get_within(chained.get_future()), "canceling");
  ASSERT_EQ(server.request_count(), 2u);
  EXPECT_EQ(server.requests()[1].target, "/v1/messages/batches/msgbatch_chain/cancel");
}

// --- one I/O thread per client, started by the first async call, joined by the last copy ---

TEST_F(AsyncBatchServiceTest, OneIoThreadStartedByTheFirstAsyncCallAndJoinedWithTheClient) {
  serve_api(server);
  auto client = std::make_unique<anthropic::Client>(make_client());
  client->messages().batches().retrieve("msgbatch_warm");  // the server's pool is up
  const int before = thread_count();  // a client and a blocking call started no thread

  EXPECT_EQ(get_within(client->async().messages().batches().retrieve("msgbatch_1")).id,
            "msgbatch_1");
  EXPECT_EQ(thread_count(), before + 1);
  std::vector<std::future<mb::MessageBatch>> futures;
  for (int i = 0; i < 50; ++i) {
    futures.push_back(
        client->async().messages().batches().retrieve("msgbatch_" + std::to_string(i)));
    futures.push_back(
        client->async().beta().messages().batches().retrieve("b_" + std::to_string(i)));
  }
  for (auto& f : futures) get_within(std::move(f));
  EXPECT_EQ(thread_count(), before + 1);  // GA and beta share it
  {
    auto copy = *client;  // copies share it too
    get_within(copy.async().messages().batches().retrieve("msgbatch_copy"));
    EXPECT_EQ(thread_count(), before + 1);
  }
  returns_within_bound("~Client", [&] { client.reset(); });
  EXPECT_TRUE(eventually([&] { return thread_count() == before; }));
  EXPECT_EQ(thread_count(), before);
}

// --- no duplicate create ---

TEST_F(AsyncBatchServiceTest, ACreateWhoseOutcomeIsUnknownIsNotResentButARetrieveIsRetried) {
  std::atomic<int> requests{0};
  RawServer hang_up([&requests](int fd) {  // reads the request, closes without an answer
    if (!RawServer::read_request(fd).empty()) ++requests;
  });
  auto client = make_client(hang_up.base_url());
  auto& batches = client.async().beta().messages().batches();
  try {
    get_within(batches.create(one_request<bm::BetaFamily>()));
    ADD_FAILURE() << "no exception";
  } catch (const AnthropicCancelledException& e) {
    ADD_FAILURE() << "not a cancel: " << e.what();
  } catch (const AnthropicIoException& e) {
    EXPECT_TRUE(e.may_have_reached_server());
    EXPECT_NE(std::string(e.what()).find("may have been created"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find(kKey), std::string::npos) << e.what();
  }
  EXPECT_EQ(requests.load(), 1);  // exactly one request reached the server
  EXPECT_TRUE(delays().empty());

  // The same fault on a retrieve: retried (max_retries = 2), then the I/O error.
  requests = 0;
  try {
    get_within(batches.retrieve("msgbatch_1"));
    ADD_FAILURE() << "no exception";
  } catch (const AnthropicIoException& e) {
    EXPECT_EQ(std::string(e.what()).find(kKey), std::string::npos) << e.what();
  }
  EXPECT_EQ(requests.load(), 3);
  EXPECT_EQ(delays().size(), 2u);

  // A create whose caller opted in is resent.
  requests = 0;
  anthropic::RequestOptions opt_in;
  opt_in.retry_on_unknown_outcome = true;
  EXPECT_THROW(get_within(batches.create(one_request<bm::BetaFamily>(), opt_in)),
               AnthropicIoException);
  EXPECT_EQ(requests.load(), 3);
}

TEST_F(AsyncBatchServiceTest, ARefusedConnectionIsRetriedAndNeverReachedTheServer) {
  auto client =
      make_client("http://127.0.0.1:" + std::to_string(anthropic::testing::closed_port()));
  try {
    get_within(client.async().messages().batches().create(one_request()));
    ADD_FAILURE() << "no exception";
  } catch (const AnthropicIoException& e) {
    EXPECT_FALSE(e.may_have_reached_server());
  }
  EXPECT_EQ(delays().size(), 2u);  // nothing was sent: safe to retry even a create
}

// --- cancellation ---

TEST_F(AsyncBatchServiceTest, CancellingTheTokenCompletesACallToAStalledServer) {
  StallingServer stall;
  anthropic::ClientOptions options;
  options.timeout = std::chrono::seconds(30);  // far beyond the cancel
  auto client = make_client(stall.server.base_url(), options);
  CancellationSource source;
  anthropic::RequestOptions per_call;
  per_call.cancellation = source.token();
  auto f = client.async().messages().batches().retrieve("msgbatch_1", per_call);
  ASSERT_TRUE(eventually([&] { return stall.requests.load() == 1; }));
  EXPECT_EQ(f.wait_for(milliseconds(0)), std::future_status::timeout);  // the server stalls
  source.cancel();
  EXPECT_THROW(get_within(std::move(f)), AnthropicCancelledException);
  EXPECT_TRUE(eventually([&] { return stall.closed.load() == 1; }));  // the connection is closed
  EXPECT_EQ(stall.requests.load(), 1);
}

TEST_F(AsyncBatchServiceTest, ACancelledCreateSaysTheBatchMayExist) {
  StallingServer stall;
  anthropic::ClientOptions options;
  options.timeout = std::chrono::seconds(30);
  auto client = make_client(stall.server.base_url(), options);
  CancellationSource source;
  anthropic::RequestOptions per_call;
  per_call.cancellation = source.token();
  Landing<mb::MessageBatch> landing;
  client.async().messages().batches().create(one_request(), per_call, landing.callback());
  ASSERT_TRUE(eventually([&] { return stall.requests.load() == 1; }));
  source.cancel();
  try {
    get_within(landing.future());
    ADD_FAILURE() << "no exception";
  } catch (const AnthropicCancelledException& e) {
    EXPECT_TRUE(e.may_have_reached_server());
    EXPECT_NE(std::string(e.what()).find("may have been created"), std::string::npos) << e.what();
  }
  EXPECT_EQ(landing.calls(), 1);
  EXPECT_EQ(stall.requests.load(), 1);  // cancelled, not retried
}

TEST_F(AsyncBatchServiceTest, AnAlreadyCancelledTokenSendsNothing) {
  StallingServer stall;
  auto client = make_client(stall.server.base_url());
  CancellationSource source;
  source.cancel();
  anthropic::RequestOptions per_call;
  per_call.cancellation = source.token();
  try {
    get_within(client.async().messages().batches().create(one_request(), per_call));
    ADD_FAILURE() << "no exception";
  } catch (const AnthropicCancelledException& e) {
    EXPECT_FALSE(e.may_have_reached_server());
  }
  EXPECT_EQ(stall.server.connections(), 0);
}

TEST_F(AsyncBatchServiceTest, ACancelInterruptsTheRetryBackoffTimer) {
  std::atomic<int> requests{0};
  RawServer server503([&requests](int fd) {
    RawServer::read_request(fd);
    ++requests;
    RawServer::write_all(fd,
                         "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
                         "retry-after: 30\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}");
  });
  anthropic::ClientOptions options;  // no sleeper: the real wait, a 30 s timer on the I/O thread
  options.api_key = kKey;
  options.base_url = server503.base_url();
  options.timeout = std::chrono::seconds(30);
  anthropic::Client client(options);
  CancellationSource source;
  anthropic::RequestOptions per_call;
  per_call.cancellation = source.token();
  auto f = client.async().messages().batches().retrieve("msgbatch_1", per_call);
  ASSERT_TRUE(eventually([&] { return requests.load() == 1; }));
  std::this_thread::sleep_for(milliseconds(50));  // into the 30 s wait (not asserted)
  source.cancel();
  EXPECT_THROW(get_within(std::move(f)), AnthropicCancelledException);  // not after 30 s
  EXPECT_EQ(requests.load(), 1);
}

// --- destroying the last client ---

TEST_F(AsyncBatchServiceTest, DestroyingTheLastClientCompletesEveryCallInFlight) {
  StallingServer stall;
  anthropic::ClientOptions options;  // max_async_connections 16: 16 of the 20 calls reach it
  options.api_key = kKey;
  options.base_url = stall.server.base_url();
  options.timeout = std::chrono::seconds(30);
  options.max_retries = 0;
  std::vector<std::future<mb::MessageBatch>> futures;
  Landing<mb::MessageBatch> landing;
  auto client = std::make_unique<anthropic::Client>(options);
  {
    auto copy = std::make_unique<anthropic::Client>(*client);
    auto& batches = copy->async().messages().batches();
    futures.push_back(batches.create(one_request()));  // first: reaches the server
    for (int i = 1; i < 19; ++i)
      futures.push_back(batches.retrieve("msgbatch_" + std::to_string(i)));
    batches.retrieve("msgbatch_cb", {}, landing.callback());  // the 20th call
    ASSERT_TRUE(eventually([&] { return stall.requests.load() == 16; }));
    copy.reset();  // not the last copy: nothing is cancelled
  }
  EXPECT_EQ(futures.front().wait_for(milliseconds(50)), std::future_status::timeout);
  EXPECT_EQ(stall.requests.load(), 16);  // never more than max_async_connections at once

  returns_within_bound("~Client with 20 calls in flight", [&] { client.reset(); });
  int cancelled = 0;
  for (std::size_t i = 0; i < futures.size(); ++i) {
    SCOPED_TRACE(i);
    ASSERT_EQ(futures[i].wait_for(kNoHang), std::future_status::ready);
    try {
      futures[i].get();
      ADD_FAILURE() << "completed without an error";
    } catch (const AnthropicCancelledException& e) {
      ++cancelled;
      EXPECT_NE(std::string(e.what()).find("client destroyed"), std::string::npos) << e.what();
      if (i == 0) {
        EXPECT_TRUE(e.may_have_reached_server());  // the create's body was sent
      }
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not a cancel: " << e.what();
    }
  }
  EXPECT_EQ(cancelled, 19);
  try {
    get_within(landing.future());
    ADD_FAILURE() << "completed without an error";
  } catch (const AnthropicCancelledException& e) {
    EXPECT_NE(std::string(e.what()).find("client destroyed"), std::string::npos) << e.what();
  }
  EXPECT_EQ(landing.calls(), 1);
  EXPECT_NE(landing.threads().at(0), std::this_thread::get_id());
  // Every connection was closed; the 4 queued calls never connected.
  EXPECT_TRUE(eventually([&] { return stall.closed.load() == 16; }));
  EXPECT_EQ(stall.server.connections(), 16);
}

// --- concurrency and the connection limit ---

TEST_F(AsyncBatchServiceTest, TwoHundredConcurrentRetrievesShareFourConnections) {
  constexpr int kCalls = 200;
  auto in_flight = std::make_shared<std::atomic<int>>(0);
  auto peak = std::make_shared<std::atomic<int>>(0);
  server.handle([in_flight, peak](const httplib::Request& req, httplib::Response& res) {
    int now = ++*in_flight;
    int seen = peak->load();
    while (now > seen && !peak->compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(milliseconds(2));  // so that calls overlap
    res.set_content(batch_json(req.path.substr(std::string(kPrefix).size())), "application/json");
    --*in_flight;
  });
  anthropic::ClientOptions options;
  options.max_async_connections = 4;
  auto client = make_client(options);
  auto& ga = client.async().messages().batches();
  auto& beta = client.async().beta().messages().batches();
  std::vector<std::future<mb::MessageBatch>> futures;
  for (int i = 0; i < kCalls; ++i) {
    const std::string id = "msgbatch_" + std::to_string(i);
    futures.push_back(i % 2 == 0 ? ga.retrieve(id) : beta.retrieve(id));
  }
  for (int i = 0; i < kCalls; ++i) {
    EXPECT_EQ(get_within(std::move(futures[static_cast<std::size_t>(i)])).id,
              "msgbatch_" + std::to_string(i));
  }
  EXPECT_EQ(server.request_count(), static_cast<std::size_t>(kCalls));
  EXPECT_LE(server.connection_count(), 4u);
  EXPECT_LE(peak->load(), 4);
  EXPECT_GE(peak->load(), 2);  // the calls did overlap
}

// 100,000 async calls leave nothing behind: after the first wave of 1,000, the threads stay the
// same, the sockets do not grow with the calls (one leaked per call would be thousands), and
// VmRSS grows by less than 32 MB (330 bytes leaked per call would pass that; not checked under
// AddressSanitizer, whose LeakSanitizer checks the memory at exit instead). A tenth of the calls
// under ThreadSanitizer and in unoptimized builds, where they take minutes.
TEST_F(AsyncBatchServiceTest, AHundredThousandCallsLeaveNoThreadSocketOrMemoryBehind) {
#if defined(ANTHROPIC_UNDER_TSAN) || !defined(__OPTIMIZE__)
  constexpr int kCalls = 10000;
#else
  constexpr int kCalls = 100000;
#endif
  constexpr int kWave = 1000;
  server.handle([](const httplib::Request& req, httplib::Response& res) {
    res.set_content(batch_json(req.path.substr(std::string(kPrefix).size())), "application/json");
  });
  anthropic::ClientOptions options;
  options.max_async_connections = 4;
  auto client = make_client(options);
  auto& batches = client.async().messages().batches();
  auto wave = [&](int first) {
    std::vector<std::future<mb::MessageBatch>> futures;
    futures.reserve(kWave);
    for (int i = 0; i < kWave; ++i) {
      futures.push_back(batches.retrieve("msgbatch_" + std::to_string(first + i)));
    }
    for (int i = 0; i < kWave; ++i) {
      ASSERT_EQ(get_within(std::move(futures[static_cast<std::size_t>(i)])).id,
                "msgbatch_" + std::to_string(first + i));
    }
    server.clear();  // the recording server's own memory
  };
  wave(0);
  ASSERT_FALSE(HasFatalFailure());
  const int threads = thread_count();
  const int sockets = open_fd_count();
  const long rss_kb = proc_status_kb("VmRSS");
  for (int first = kWave; first < kCalls; first += kWave) {
    wave(first);
    ASSERT_FALSE(HasFatalFailure());
  }
  EXPECT_EQ(thread_count(), threads);
  EXPECT_LE(open_fd_count(), sockets + 16);
#ifndef ANTHROPIC_UNDER_SANITIZER
  EXPECT_LT(proc_status_kb("VmRSS") - rss_kb, 32 * 1024);
#else
  (void)rss_kb;
#endif
}

// --- wait_until_ended ---

TEST_F(AsyncBatchServiceTest, WaitUntilEndedPollsOnTimersUntilTheBatchEnds) {
  constexpr int kPollsToEnd = 4;
  auto polls = std::make_shared<std::mutex>();
  auto counts = std::make_shared<std::map<std::string, int>>();
  server.handle([polls, counts](const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.path.substr(std::string(kPrefix).size());
    int n;
    {
      std::lock_guard<std::mutex> lock(*polls);
      n = ++(*counts)[id];
    }
    res.set_content(batch_json(id, n >= kPollsToEnd ? "ended" : "in_progress"), "application/json");
  });
  auto client = make_client();
  auto& batches = client.async().messages().batches();

  std::mutex mutex;
  std::vector<std::string> statuses;
  std::set<std::thread::id> progress_threads;
  mb::WaitOptions wait;
  wait.initial_interval = milliseconds(1);
  wait.max_interval = milliseconds(4);
  wait.multiplier = 2;
  wait.on_progress = [&](const mb::MessageBatch& b) {
    std::lock_guard<std::mutex> lock(mutex);
    statuses.push_back(b.processing_status.str());
    progress_threads.insert(std::this_thread::get_id());
  };
  mb::MessageBatch ended = get_within(batches.wait_until_ended("msgbatch_w", wait));
  EXPECT_EQ(ended.id, "msgbatch_w");
  EXPECT_EQ(ended.processing_status, mb::ProcessingStatus::ended);
  EXPECT_EQ(server.request_count(), static_cast<std::size_t>(kPollsToEnd));
  {
    std::lock_guard<std::mutex> lock(mutex);
    EXPECT_EQ(statuses,
              (std::vector<std::string>{"in_progress", "in_progress", "in_progress", "ended"}));
    ASSERT_EQ(progress_threads.size(), 1u);
    EXPECT_NE(*progress_threads.begin(), std::this_thread::get_id());  // on the I/O thread
  }

  // One thread follows 25 batches at once.
  wait.on_progress = nullptr;
  std::vector<std::future<mb::MessageBatch>> futures;
  for (int i = 0; i < 25; ++i) {
    futures.push_back(batches.wait_until_ended("msgbatch_" + std::to_string(i), wait));
  }
  for (int i = 0; i < 25; ++i) {
    mb::MessageBatch b = get_within(std::move(futures[static_cast<std::size_t>(i)]));
    EXPECT_EQ(b.id, "msgbatch_" + std::to_string(i));
    EXPECT_EQ(b.processing_status, mb::ProcessingStatus::ended);
  }
  EXPECT_EQ(server.request_count(), static_cast<std::size_t>(kPollsToEnd * 26));
}

TEST_F(AsyncBatchServiceTest, WaitUntilEndedTimesOutWithTheLastBatch) {
  server.respond(200, batch_json("msgbatch_slow", "in_progress"));
  auto client = make_client();
  mb::WaitOptions wait;
  wait.initial_interval = milliseconds(5);
  wait.max_interval = milliseconds(5);
  wait.timeout = milliseconds(50);
  try {
    get_within(client.async().beta().messages().batches().wait_until_ended("msgbatch_slow", wait));
    ADD_FAILURE() << "no exception";
  } catch (const bm::BatchWaitTimeoutException& e) {
    EXPECT_EQ(e.last().id, "msgbatch_slow");
    EXPECT_EQ(e.last().processing_status, mb::ProcessingStatus::in_progress);
  }
  EXPECT_GE(server.request_count(), 2u);
}

TEST_F(AsyncBatchServiceTest, WaitUntilEndedIsCancelledDuringTheWaitBetweenPolls) {
  server.respond(200, batch_json("msgbatch_slow", "in_progress"));
  auto client = make_client();
  CancellationSource source;
  mb::WaitOptions wait;
  wait.initial_interval = std::chrono::seconds(60);  // a long timer after the first poll
  wait.max_interval = std::chrono::seconds(60);
  wait.request_options.cancellation = source.token();
  auto f = client.async().messages().batches().wait_until_ended("msgbatch_slow", wait);
  ASSERT_TRUE(eventually([&] { return server.request_count() == 1; }));
  source.cancel();
  // Between polls (or, on a slow machine, in the first poll's last moments): no second poll.
  EXPECT_THROW(get_within(std::move(f)), AnthropicCancelledException);
  EXPECT_EQ(server.request_count(), 1u);
}

// --- results ---

TEST_F(AsyncBatchServiceTest, ALargeResultsStreamReadsThroughTheFuture) {
  constexpr int kLines = 10000;  // ~3 MB: more than the 1 MiB buffered ahead of the reader
  const std::string body = results_body(kLines);
  server.handle([&body](const httplib::Request&, httplib::Response& res) {
    res.set_content(body, "application/x-jsonl");
  });
  auto client = make_client();
  auto stream = get_within(client.async().messages().batches().results("msgbatch_big"));
  std::size_t count = 0;
  bool in_order = true;
  while (auto line = stream.next()) {
    in_order = in_order && line->custom_id == "r" + std::to_string(count);
    ++count;
  }
  EXPECT_EQ(count, static_cast<std::size_t>(kLines));
  EXPECT_TRUE(in_order);
  EXPECT_EQ(stream.line_number(), static_cast<std::size_t>(kLines));
}

TEST_F(AsyncBatchServiceTest, ADroppedStreamGivesBackItsConnection) {
  const std::string body = results_body(10000);
  server.handle([&body](const httplib::Request& req, httplib::Response& res) {
    if (req.path.size() > 8 && req.path.compare(req.path.size() - 8, 8, "/results") == 0) {
      res.set_content(body, "application/x-jsonl");
    } else {
      res.set_content(batch_json("msgbatch_after"), "application/json");
    }
  });
  anthropic::ClientOptions options;
  options.max_async_connections = 1;
  auto client = make_client(options);
  auto& batches = client.async().messages().batches();
  {
    auto stream = get_within(batches.results("msgbatch_big"));
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(stream.next().has_value());
  }  // dropped with most of the body unread
  EXPECT_EQ(get_within(batches.retrieve("msgbatch_after")).id, "msgbatch_after");
  {
    auto stream = get_within(batches.results("msgbatch_big"));
    ASSERT_TRUE(stream.next().has_value());
    stream.close();
  }
  EXPECT_EQ(get_within(batches.retrieve("msgbatch_after")).id, "msgbatch_after");
}

TEST_F(AsyncBatchServiceTest, AStreamOutlivingItsClientEndsWithoutHanging) {
  const std::string body = results_body(10000);
  server.handle([&body](const httplib::Request&, httplib::Response& res) {
    res.set_content(body, "application/x-jsonl");
  });
  auto client = std::make_unique<anthropic::Client>(make_client());
  auto stream = get_within(client->async().messages().batches().results("msgbatch_big"));
  ASSERT_TRUE(stream.next().has_value());
  returns_within_bound("~Client with an open results stream", [&] { client.reset(); });
  returns_within_bound("reading a stream after ~Client", [&] {
    try {
      while (stream.next()) {
      }
    } catch (const AnthropicIoException&) {
      // Ended by the client's destruction: acceptable, as long as it does not hang.
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not an I/O error: " << e.what();
    }
  });
}

// As results_resume_test.cpp: connection 1 sends the head (the full length) and the body up to a
// cut inside a line about 80 % in, then closes; connection 2 answers the Range with a 206.
TEST_F(AsyncBatchServiceTest, AResultsStreamResumesAfterADroppedConnection) {
  constexpr int kLines = 400;
  const std::string body = results_body(kLines);
  std::size_t cut = body.size() * 8 / 10;
  if (body[cut - 1] == '\n') cut += 5;
  const std::size_t line_end = body.rfind('\n', cut - 1) + 1;
  std::mutex mutex;
  std::vector<std::string> requests;
  RawServer resume([&](int fd) {
    std::string request = RawServer::read_request(fd);
    std::size_t index;
    {
      std::lock_guard<std::mutex> lock(mutex);
      requests.push_back(request);
      index = requests.size();
    }
    if (index == 1) {
      RawServer::write_all(fd, jsonl_head(200, "OK", body.size()) + body.substr(0, cut));
      drain_send_queue(fd);
      return;  // FIN mid-line
    }
    std::string range = header_of(request, "range");
    std::size_t start = range.rfind("bytes=", 0) == 0 ? std::stoul(range.substr(6)) : 0;
    RawServer::write_all(fd, jsonl_head(206, "Partial Content", body.size() - start,
                                        "Content-Range: bytes " + std::to_string(start) + "-" +
                                            std::to_string(body.size() - 1) + "/" +
                                            std::to_string(body.size()) + "\r\n") +
                                 body.substr(start));
  });
  anthropic::ClientOptions options;
  options.timeout = std::chrono::seconds(20);
  auto client = make_client(resume.base_url(), options);
  auto stream = get_within(client.async().beta().messages().batches().results("msgbatch_r"));
  std::vector<std::string> got;
  std::exception_ptr error;
  try {
    got = read_ids(stream);
  } catch (...) {
    error = std::current_exception();
  }
  EXPECT_FALSE(error);
  EXPECT_EQ(got, ids(0, kLines));  // every line once, in order
  EXPECT_EQ(resume.connections(), 2);
  std::lock_guard<std::mutex> lock(mutex);
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(header_of(requests[0], "range"), "");
  EXPECT_EQ(header_of(requests[1], "range"), "bytes=" + std::to_string(line_end) + "-");
  EXPECT_EQ(requests[1].substr(0, requests[1].find("\r\n")),
            "GET /v1/messages/batches/msgbatch_r/results HTTP/1.1");
}

// The same break, but the head, the bytes up to the cut and the close all reach the client while
// its I/O thread is busy (in the sleeper of another call's retry), so that libcurl sees the
// transfer end (a partial body) before the headers were handed over. The future still delivers
// the stream from that first transfer, and the stream resumes with a Range, as when the break
// comes later.
TEST_F(AsyncBatchServiceTest, AStreamBrokenBeforeItsHeadersWereHandedOverResumesWithARange) {
  constexpr int kLines = 400;
  const std::string body = results_body(kLines);
  std::size_t cut = body.size() * 8 / 10;
  if (body[cut - 1] == '\n') cut += 5;
  const std::size_t line_end = body.rfind('\n', cut - 1) + 1;
  std::mutex mutex;
  std::vector<std::string> results_requests;
  std::atomic<bool> go{false};
  std::atomic<bool> written{false};
  std::atomic<int> retrieves{0};
  RawServer raw([&](int fd) {
    std::string request = RawServer::read_request(fd);
    if (request.find("/results") == std::string::npos) {  // a retrieve: 503 once, then 200
      const std::string batch = batch_json("msgbatch_x");
      RawServer::write_all(
          fd, ++retrieves == 1
                  ? std::string("HTTP/1.1 503 Service Unavailable\r\ncontent-type: "
                                "application/json\r\ncontent-length: 2\r\nconnection: "
                                "close\r\n\r\n{}")
                  : "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: " +
                        std::to_string(batch.size()) + "\r\nconnection: close\r\n\r\n" + batch);
      return;
    }
    std::size_t index;
    {
      std::lock_guard<std::mutex> lock(mutex);
      results_requests.push_back(request);
      index = results_requests.size();
    }
    if (index == 1) {
      eventually([&] { return go.load(); });
      RawServer::write_all(fd, jsonl_head(200, "OK", body.size()) + body.substr(0, cut));
      drain_send_queue(fd);
      written = true;
      return;  // FIN mid-line
    }
    std::string range = header_of(request, "range");
    std::size_t start = range.rfind("bytes=", 0) == 0 ? std::stoul(range.substr(6)) : 0;
    RawServer::write_all(fd, jsonl_head(206, "Partial Content", body.size() - start,
                                        "Content-Range: bytes " + std::to_string(start) + "-" +
                                            std::to_string(body.size() - 1) + "/" +
                                            std::to_string(body.size()) + "\r\n") +
                                 body.substr(start));
  });
  std::atomic<bool> block_once{true};
  anthropic::ClientOptions options;
  options.timeout = std::chrono::seconds(20);
  options.sleeper = [&](milliseconds) {
    if (!block_once.exchange(false)) return;
    go = true;  // the results arrive and the connection closes while the I/O thread is here
    eventually([&] { return written.load(); });
    std::this_thread::sleep_for(milliseconds(50));  // the close reaches the client's socket
  };
  auto client = make_client(raw.base_url(), options);
  auto& batches = client.async().messages().batches();
  auto results = batches.results("msgbatch_r");
  ASSERT_TRUE(eventually([&] {
    std::lock_guard<std::mutex> lock(mutex);
    return results_requests.size() == 1;
  }));
  EXPECT_EQ(get_within(batches.retrieve("msgbatch_x")).id, "msgbatch_x");
  auto stream = get_within(std::move(results));
  std::vector<std::string> got;
  std::exception_ptr error;
  try {
    got = read_ids(stream);
  } catch (...) {
    error = std::current_exception();
  }
  EXPECT_FALSE(error);
  EXPECT_EQ(got, ids(0, kLines));
  std::lock_guard<std::mutex> lock(mutex);
  ASSERT_EQ(results_requests.size(), 2u);
  EXPECT_EQ(header_of(results_requests[1], "range"), "bytes=" + std::to_string(line_end) + "-");
}

// --- a caller's http_client: the blocking service on worker threads ---

TEST_F(AsyncBatchServiceTest, ACustomHttpClientRunsTheCallsOnWorkerThreads) {
  auto fake = std::make_shared<anthropic::testing::FakeHttpClient>();
  anthropic::ClientOptions options;
  options.http_client = fake;
  auto client = make_client("https://api.example.test", options);
  auto& batches = client.async().messages().batches();

  fake->respond(200, batch_json("msgbatch_fake"));
  EXPECT_EQ(get_within(batches.retrieve("msgbatch_fake")).id, "msgbatch_fake");
  anthropic::http::HttpRequest sent = fake->last_request();
  EXPECT_EQ(sent.method, "GET");
  EXPECT_EQ(sent.url, "https://api.example.test/v1/messages/batches/msgbatch_fake");
  EXPECT_EQ(sent.headers.get("authorization"), std::string("Bearer ") + kKey);

  // The callback runs on a worker, once.
  fake->respond(200, batch_json("msgbatch_cb"));
  Landing<mb::MessageBatch> landing;
  batches.retrieve("msgbatch_cb", {}, landing.callback());
  EXPECT_EQ(get_within(landing.future()).id, "msgbatch_cb");
  EXPECT_EQ(landing.calls(), 1);
  EXPECT_NE(landing.threads().at(0), std::this_thread::get_id());

  // Errors keep their types.
  fake->respond(404, not_found_body());
  EXPECT_THROW(get_within(batches.retrieve("msgbatch_missing")), anthropic::NotFoundException);
  EXPECT_THROW(get_within(batches.retrieve("")), anthropic::AnthropicInvalidRequestException);

  // No duplicate create on this path either.
  const std::size_t before = fake->request_count();
  fake->fail("connection reset after the body", /*may_have_reached_server=*/true);
  try {
    get_within(batches.create(one_request()));
    ADD_FAILURE() << "no exception";
  } catch (const AnthropicIoException& e) {
    EXPECT_TRUE(e.may_have_reached_server());
  }
  EXPECT_EQ(fake->request_count(), before + 1);

  // Results, served from memory by the fake.
  fake->respond(200, results_body(5), {{"content-type", "application/x-jsonl"}});
  auto stream = get_within(batches.results("msgbatch_fake"));
  EXPECT_EQ(read_ids(stream), ids(0, 5));

  // Concurrent calls.
  constexpr int kCalls = 20;
  for (int i = 0; i < kCalls; ++i) fake->respond(200, batch_json("msgbatch_same"));
  std::vector<std::future<mb::MessageBatch>> futures;
  for (int i = 0; i < kCalls; ++i) futures.push_back(batches.retrieve("msgbatch_same"));
  for (auto& f : futures) EXPECT_EQ(get_within(std::move(f)).id, "msgbatch_same");
  EXPECT_EQ(fake->remaining(), 0u);
}

// --- a fake connection ---

class RetrieveOnly : public mb::BatchServiceAsyncConnection {
 public:
  void retrieve(const mb::MessageBatchRetrieveParams& params, const anthropic::RequestOptions&,
                anthropic::AsyncCallback<mb::MessageBatch> done) override {
    ++calls;
    mb::MessageBatch b;
    b.id = params.message_batch_id;
    b.processing_status = mb::ProcessingStatus::ended;
    done(anthropic::make_ready_future(std::move(b)));
  }
  std::atomic<int> calls{0};
};

class BetaRetrieveOnly : public bm::BatchServiceAsyncConnection {
 public:
  void retrieve(const mb::MessageBatchRetrieveParams& params, const anthropic::RequestOptions&,
                anthropic::AsyncCallback<mb::MessageBatch> done) override {
    if (params.message_batch_id == "missing") {
      done(anthropic::make_failed_future<mb::MessageBatch>(
          std::make_exception_ptr(anthropic::NotFoundException(404, {}, not_found_body()))));
      return;
    }
    mb::MessageBatch b;
    b.id = params.message_batch_id;
    done(anthropic::make_ready_future(std::move(b)));
  }
};

template <class T>
void expect_not_implemented(std::future<T> f) {
  try {
    get_within(std::move(f));
    ADD_FAILURE() << "no exception";
  } catch (const anthropic::AnthropicException& e) {
    EXPECT_NE(std::string(e.what()).find("not implemented"), std::string::npos) << e.what();
  }
}

TEST(AsyncBatchServiceFake, AConnectionOverridingOnlyRetrieveFakesTheService) {
  auto connection = std::make_shared<RetrieveOnly>();
  mb::BatchServiceAsync batches(connection);
  EXPECT_EQ(batches.connection().get(), connection.get());

  EXPECT_EQ(get_within(batches.retrieve("msgbatch_1")).id, "msgbatch_1");
  mb::MessageBatchRetrieveParams rp;
  rp.message_batch_id = "msgbatch_2";
  EXPECT_EQ(get_within(batches.retrieve(rp)).processing_status, mb::ProcessingStatus::ended);
  Landing<mb::MessageBatch> landing;
  batches.retrieve("msgbatch_3", {}, landing.callback());
  EXPECT_EQ(get_within(landing.future()).id, "msgbatch_3");
  EXPECT_EQ(landing.calls(), 1);
  EXPECT_EQ(connection->calls.load(), 3);

  // Everything else completes with "not implemented", never throws from the call.
  mb::BatchCreateBodyBuilder builder;
  builder.add(one_request().requests.at(0));
  expect_not_implemented(batches.create(one_request()));
  expect_not_implemented(batches.create_encoded(std::move(builder).finish()));
  expect_not_implemented(batches.list());
  expect_not_implemented(batches.cancel("msgbatch_1"));
  expect_not_implemented(batches.delete_("msgbatch_1"));
  expect_not_implemented(batches.results("msgbatch_1"));
  expect_not_implemented(batches.wait_until_ended("msgbatch_1"));
  Landing<mb::DeletedMessageBatch> deleted;
  batches.delete_("msgbatch_1", {}, deleted.callback());
  expect_not_implemented(deleted.future());
  EXPECT_EQ(deleted.calls(), 1);
}

TEST(AsyncBatchServiceFake, ABetaConnectionCanFailWithATypedException) {
  bm::BatchServiceAsync batches(std::make_shared<BetaRetrieveOnly>());
  EXPECT_EQ(get_within(batches.retrieve("msgbatch_1")).id, "msgbatch_1");
  EXPECT_THROW(get_within(batches.retrieve("missing")), anthropic::NotFoundException);
  expect_not_implemented(batches.create(one_request<bm::BetaFamily>()));
}

}  // namespace

namespace {

// A transport whose every answer is a batch still in progress.
class NeverEndingBatch final : public anthropic::http::HttpClient {
 public:
  anthropic::http::HttpResponse send(const anthropic::http::HttpRequest&) override {
    ++requests;
    anthropic::http::HttpResponse response;
    response.status = 200;
    response.body = batch_json("msgbatch_forever", "in_progress");
    return response;
  }
  std::atomic<int> requests{0};
};

}  // namespace

// On the worker pool, a wait_until_ended sleeps on a worker between polls: destroying the client
// ends it at once (its token is tied to the client), instead of waiting for the batch to end.
TEST(AsyncBatchServiceWorkers, DestroyingTheClientEndsAWaitRunningOnAWorker) {
  auto transport = std::make_shared<NeverEndingBatch>();
  anthropic::ClientOptions options;
  options.api_key = kKey;
  options.base_url = "https://api.example.test";
  options.http_client = transport;
  std::optional<anthropic::Client> client(std::in_place, options);
  mb::WaitOptions wait;
  wait.initial_interval = std::chrono::minutes(10);
  wait.max_interval = std::chrono::minutes(10);
  std::future<mb::MessageBatch> waited =
      client->async().messages().batches().wait_until_ended("msgbatch_forever", wait);
  ASSERT_TRUE(eventually([&] { return transport->requests.load() == 1; }));  // now between polls
  returns_within_bound("destroying the client", [&] { client.reset(); });
  try {
    get_within(std::move(waited));
    ADD_FAILURE() << "the wait ended without an error";
  } catch (const AnthropicCancelledException& e) {
    EXPECT_NE(std::string(e.what()).find("client destroyed"), std::string::npos) << e.what();
    EXPECT_FALSE(e.may_have_reached_server());  // stopped between polls
  }
  EXPECT_EQ(transport->requests.load(), 1);
}

// A results stream being read (paused: more than 1 MiB unread) holds its connection but not one
// of the max_async_connections places: with a single place, other calls still run meanwhile.
TEST_F(AsyncBatchServiceTest, AResultsStreamBeingReadLeavesThePlaceToOtherCalls) {
  const std::string body = results_body(10000);  // ~3 MB: the transfer pauses
  server.handle([&body](const httplib::Request& req, httplib::Response& res) {
    if (req.path.size() > 8 && req.path.compare(req.path.size() - 8, 8, "/results") == 0) {
      res.set_content(body, "application/x-jsonl");
    } else {
      res.set_content(batch_json("msgbatch_meanwhile"), "application/json");
    }
  });
  anthropic::ClientOptions options;
  options.max_async_connections = 1;
  auto client = make_client(options);
  auto& batches = client.async().messages().batches();
  auto stream = get_within(batches.results("msgbatch_big"));
  ASSERT_TRUE(stream.next().has_value());
  // The stream is open and unread; a retrieve completes (before the fix it waited for it).
  EXPECT_EQ(get_within(batches.retrieve("msgbatch_meanwhile")).id, "msgbatch_meanwhile");
  std::size_t lines = 1;
  while (stream.next()) ++lines;
  EXPECT_EQ(lines, 10000u);
}

namespace {

// CPU time (user + system, in clock ticks) of this process's thread named `name`, or -1.
long thread_cpu_ticks(const std::string& name) {
  DIR* d = ::opendir("/proc/self/task");
  if (d == nullptr) return -1;
  long ticks = -1;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    const std::string dir = std::string("/proc/self/task/") + e->d_name;
    std::ifstream comm(dir + "/comm");
    std::string comm_name;
    if (!std::getline(comm, comm_name) || comm_name != name) continue;
    std::ifstream stat(dir + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    // After "pid (comm) ": state is field 3; utime and stime are fields 14 and 15.
    std::size_t close = text.rfind(')');
    if (close == std::string::npos) break;
    std::istringstream rest(text.substr(close + 2));
    std::string field;
    long utime = 0;
    long stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::atol(field.c_str());
      if (i == 15) stime = std::atol(field.c_str());
    }
    ticks = utime + stime;
    break;
  }
  ::closedir(d);
  return ticks;
}

}  // namespace

// A paused transfer (1 MiB unread) costs the I/O thread nothing while its reader is away: the
// loop sleeps in curl_multi_poll instead of spinning on the paused socket. A spinning loop would
// use about the whole second measured here; the bound is a third of it.
TEST_F(AsyncBatchServiceTest, APausedStreamLeavesTheIoThreadIdle) {
  const std::string body = results_body(10000);  // ~3 MB: the transfer pauses at 1 MiB
  server.handle([&body](const httplib::Request&, httplib::Response& res) {
    res.set_content(body, "application/x-jsonl");
  });
  auto client = make_client();
  auto stream = get_within(client.async().messages().batches().results("msgbatch_big"));
  ASSERT_TRUE(stream.next().has_value());
  std::this_thread::sleep_for(milliseconds(300));  // the buffer fills, the transfer pauses
  const long before = thread_cpu_ticks("anthropic-io");
  ASSERT_GE(before, 0) << "no thread named anthropic-io";
  std::this_thread::sleep_for(milliseconds(1000));
  const long used = thread_cpu_ticks("anthropic-io") - before;
  EXPECT_LT(used, ::sysconf(_SC_CLK_TCK) / 3) << "the I/O thread used " << used << " ticks";
  std::size_t lines = 1;
  while (stream.next()) ++lines;
  EXPECT_EQ(lines, 10000u);
}

// An error status whose body arrives slowly, each piece within the timeout, is the service error
// it says, not a timeout: once its head is complete, `timeout` limits each wait for bytes (as the
// blocking form reads an error body), not the whole body.
TEST(AsyncBatchServiceRaw, ASlowErrorBodyOfAResultsCallIsTheServiceErrorNotATimeout) {
  const std::string body =
      R"({"type":"error","error":{"type":"api_error","message":"slow failure"},"request_id":"req_slow"})";
  RawServer raw([&body](int fd) {
    if (RawServer::read_request(fd).empty()) return;
    RawServer::write_all(fd,
                         "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
                         "Content-Length: " +
                             std::to_string(body.size()) + "\r\n\r\n");
    // Ten pieces, 100 ms apart: one second in all, each wait well under the 400 ms timeout.
    const std::size_t piece = body.size() / 10 + 1;
    for (std::size_t at = 0; at < body.size(); at += piece) {
      std::this_thread::sleep_for(milliseconds(100));
      RawServer::write_all(fd, body.substr(at, piece));
    }
  });
  anthropic::ClientOptions options;
  options.api_key = kKey;
  options.base_url = raw.base_url();
  options.timeout = milliseconds(400);
  options.max_retries = 0;
  anthropic::Client client(options);
  try {
    get_within(client.async().messages().batches().results("msgbatch_slow"));
    ADD_FAILURE() << "no exception";
  } catch (const anthropic::InternalServerException& e) {
    EXPECT_EQ(e.error_message(), "slow failure");
    EXPECT_EQ(e.request_id(), "req_slow");
  }
}
