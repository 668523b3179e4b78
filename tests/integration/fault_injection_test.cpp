// Fault injection against real loopback servers: for each fault, the number of attempts, the
// delays the retry logic chose (through the injected sleeper), the final result or exception,
// that no create was duplicated, and that the key never shows up in a message or a log line.

#include <anthropic/anthropic.hpp>
#include <anthropic/http/curl_http_client.hpp>

#include <gtest/gtest.h>

#include "http/streamed_body.hpp"
#include "messages/http_batch_service.hpp"
#include "support/raw_server.hpp"
#include "support/test_server.hpp"

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using anthropic::testing::batch_json;
using anthropic::testing::RawServer;
using anthropic::testing::TestServer;
using std::chrono::milliseconds;
namespace bm = anthropic::beta::messages;

constexpr const char* kKey = "sk-ant-api03-FAULT-SECRET-KEY";
constexpr const char* kToken = "FAULT-SECRET-TOKEN";

class FaultInjection : public ::testing::Test {
 protected:
  anthropic::Client client(const std::string& base_url, milliseconds timeout = milliseconds(5000),
                           int max_retries = 2) {
    anthropic::ClientOptions options;
    options.api_key = kKey;
    options.auth_token = kToken;
    options.base_url = base_url;
    options.timeout = timeout;
    options.max_retries = max_retries;
    options.sleeper = [this](milliseconds d) {
      std::lock_guard<std::mutex> lock(mutex_);
      delays_.push_back(d);
    };
    options.clock = [this] { return now_; };
    options.logger = [this](anthropic::LogLevel, std::string_view line) {
      std::lock_guard<std::mutex> lock(mutex_);
      log_.emplace_back(line);
    };
    return anthropic::Client(options);
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

  // Answers the scripted statuses in turn (with their headers), then 200 with a batch.
  void script(TestServer& server, std::vector<std::pair<int, httplib::Headers>> answers) {
    auto state = std::make_shared<std::pair<std::mutex, std::size_t>>();
    server.handle([answers, state](const httplib::Request&, httplib::Response& res) {
      std::size_t i;
      {
        std::lock_guard<std::mutex> lock(state->first);
        i = state->second++;
      }
      if (i < answers.size()) {
        res.status = answers[i].first;
        for (const auto& [k, v] : answers[i].second) res.set_header(k.c_str(), v);
        res.set_content(R"({"type":"error","error":{"type":"api_error","message":"fault )" +
                            std::to_string(i) + R"("},"request_id":null})",
                        "application/json");
      } else {
        res.set_content(batch_json("msgbatch_ok"), "application/json");
      }
    });
  }

  std::vector<milliseconds> delays() {
    std::lock_guard<std::mutex> lock(mutex_);
    return delays_;
  }

  void expect_no_secret(const std::string& text) {
    EXPECT_EQ(text.find(kKey), std::string::npos) << text;
    EXPECT_EQ(text.find(kToken), std::string::npos) << text;
  }

  void TearDown() override {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& line : log_) {
      EXPECT_EQ(line.find(kKey), std::string::npos) << line;
      EXPECT_EQ(line.find(kToken), std::string::npos) << line;
    }
  }

  std::mutex mutex_;
  std::vector<milliseconds> delays_;
  std::vector<std::string> log_;
  std::chrono::system_clock::time_point now_ = std::chrono::system_clock::from_time_t(1790000000);
};

// Backoff for retry n is min(0.5 s * 2^n, 8 s) less up to 25 % jitter.
void expect_backoff(const std::vector<milliseconds>& delays) {
  for (std::size_t n = 0; n < delays.size(); ++n) {
    long base = std::min(500L << n, 8000L);
    EXPECT_GE(delays[n].count(), base * 3 / 4) << "retry " << n;
    EXPECT_LE(delays[n].count(), base) << "retry " << n;
  }
}

TEST_F(FaultInjection, RetryableStatusesAreRetriedWithBackoffThenSucceed) {
  for (int status : {408, 409, 429, 500, 502, 503, 504, 529}) {
    SCOPED_TRACE(status);
    TestServer server;
    script(server, {{status, {}}, {status, {}}});
    delays_.clear();
    auto c = client(server.base_url());
    EXPECT_EQ(c.beta().messages().batches().retrieve("msgbatch_ok").id, "msgbatch_ok");
    EXPECT_EQ(server.request_count(), 3u);
    ASSERT_EQ(delays().size(), 2u);
    expect_backoff(delays());
    // Each attempt is the same request; only the retry counter moves.
    auto requests = server.requests();
    EXPECT_EQ(requests[0].target, requests[2].target);
    EXPECT_EQ(requests[0].header("x-stainless-retry-count"), "0");
    EXPECT_EQ(requests[2].header("x-stainless-retry-count"), "2");
  }
}

TEST_F(FaultInjection, RetriesRunOutIntoTheMatchingException) {
  TestServer server;
  script(server, {{529, {}}, {529, {}}, {529, {}}, {529, {}}});
  auto c = client(server.base_url());
  try {
    c.beta().messages().batches().retrieve("msgbatch_ok");
    FAIL();
  } catch (const anthropic::OverloadedException& e) {
    EXPECT_EQ(e.status_code(), 529);
    expect_no_secret(e.what());
  }
  EXPECT_EQ(server.request_count(), 3u);
}

TEST_F(FaultInjection, RetryAfterHeadersSetTheDelay) {
  struct Case {
    httplib::Headers headers;
    milliseconds expected;
  };
  char date[64];
  std::time_t in_3s = std::chrono::system_clock::to_time_t(now_) + 3;
  std::tm tm{};
  gmtime_r(&in_3s, &tm);
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  std::vector<Case> cases = {
      {{{"retry-after", "1"}}, milliseconds(1000)},
      {{{"retry-after-ms", "250"}, {"retry-after", "5"}}, milliseconds(250)},
      {{{"retry-after", date}}, milliseconds(3000)},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.expected.count());
    TestServer server;
    script(server, {{429, tc.headers}});
    delays_.clear();
    auto c = client(server.base_url());
    c.beta().messages().batches().retrieve("msgbatch_ok");
    EXPECT_EQ(server.request_count(), 2u);
    EXPECT_EQ(delays(), std::vector<milliseconds>{tc.expected});
  }
}

TEST_F(FaultInjection, RetryAfterAboveTheCeilingIsRaisedWithTheWait) {
  TestServer server;
  script(server, {{429, {{"retry-after", "120"}}}});
  auto c = client(server.base_url());
  try {
    c.beta().messages().batches().retrieve("msgbatch_ok");
    FAIL();
  } catch (const anthropic::RateLimitException& e) {
    ASSERT_TRUE(e.retry_after().has_value());
    EXPECT_EQ(*e.retry_after(), milliseconds(120000));
  }
  EXPECT_EQ(server.request_count(), 1u);
  EXPECT_TRUE(delays().empty());
}

TEST_F(FaultInjection, XShouldRetryOverridesTheStatus) {
  {
    TestServer server;
    script(server, {{400, {{"x-should-retry", "true"}}}});
    auto c = client(server.base_url());
    EXPECT_EQ(c.beta().messages().batches().retrieve("b").id, "msgbatch_ok");
    EXPECT_EQ(server.request_count(), 2u);
  }
  {
    TestServer server;
    script(server, {{500, {{"x-should-retry", "false"}}}});
    auto c = client(server.base_url());
    EXPECT_THROW(c.beta().messages().batches().retrieve("b"), anthropic::InternalServerException);
    EXPECT_EQ(server.request_count(), 1u);
  }
}

TEST_F(FaultInjection, CreateIsRetriedOnStatusesLikeAnyCall) {
  TestServer server;
  script(server, {{529, {}}, {503, {}}});
  auto c = client(server.base_url());
  EXPECT_EQ(c.beta().messages().batches().create(one_request()).id, "msgbatch_ok");
  EXPECT_EQ(server.request_count(), 3u);
  auto requests = server.requests();
  EXPECT_EQ(requests[0].body, requests[2].body);  // replayed byte-identical
}

TEST_F(FaultInjection, ALargeCreateIsEncodedAgainForEachAttemptByteForByte) {
  // create(params) encodes its body while sending it (a piece at a time, never whole): each
  // attempt encodes it again, and every attempt must carry the very bytes of the checked body.
  bm::BetaMessageBatchCreateParams p;
  for (int i = 0; i < 3000; ++i) {
    auto r = one_request().requests[0];
    r.custom_id = "req-" + std::to_string(i);
    r.params.messages[0] = anthropic::beta::BetaMessageParam::user(
        "text \"" + std::to_string(i) + "\" \xC3\xA9 " + std::string(i % 200, 'x'));
    p.requests.push_back(std::move(r));
  }
  const std::string expected = anthropic::internal::build_create_body(p).str();
  ASSERT_GT(expected.size(), std::size_t{4} * 65536);  // several pieces
  TestServer server;
  script(server, {{529, {}}, {500, {}}});
  auto c = client(server.base_url());
  EXPECT_EQ(c.beta().messages().batches().create(p).id, "msgbatch_ok");
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  for (const auto& r : requests) {
    EXPECT_EQ(r.header("Content-Length"), std::to_string(expected.size()));
    EXPECT_TRUE(r.body == expected) << r.body.size() << " bytes arrived";
  }
}

// Hands every request to the libcurl transport, noting what its body was while it was sent.
class BodyWatchingClient final : public anthropic::http::HttpClient {
 public:
  anthropic::http::HttpResponse send(const anthropic::http::HttpRequest& request) override {
    anthropic::http::HttpResponse response = curl_->send(request);
    const auto& streamed = anthropic::internal::RequestBodyAccess::streamed(request.body);
    std::lock_guard<std::mutex> lock(mutex);
    sends.push_back({request.body.streamed(), streamed && streamed->encoded()});
    return response;
  }
  struct Seen {
    bool streamed;
    bool encoded_whole;  // by the transport, during the send
  };
  std::mutex mutex;
  std::vector<Seen> sends;

 private:
  std::shared_ptr<anthropic::http::HttpClient> curl_ = anthropic::http::make_curl_http_client();
};

TEST_F(FaultInjection, CreateHandsTheTransportAStreamedBodyItNeverEncodesWhole) {
  TestServer server;
  script(server, {{529, {}}});
  auto watching = std::make_shared<BodyWatchingClient>();
  anthropic::ClientOptions options;
  options.api_key = kKey;
  options.base_url = server.base_url();
  options.sleeper = [](milliseconds) {};
  options.http_client = watching;
  anthropic::Client c(options);
  EXPECT_EQ(c.beta().messages().batches().create(one_request()).id, "msgbatch_ok");
  anthropic::messages::MessageBatchCreateParams ga;
  ga.requests.emplace_back();
  ga.requests[0].custom_id = "ga-one";
  ga.requests[0].params.model = "claude-x";
  ga.requests[0].params.max_tokens = 8;
  ga.requests[0].params.messages.push_back(anthropic::MessageParam::user("hi"));
  EXPECT_EQ(c.messages().batches().create(ga).id, "msgbatch_ok");
  std::lock_guard<std::mutex> lock(watching->mutex);
  ASSERT_EQ(watching->sends.size(), 3u);  // 529, then the retry, then the GA create
  for (const auto& seen : watching->sends) {
    EXPECT_TRUE(seen.streamed);
    EXPECT_FALSE(seen.encoded_whole);
  }
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].body, anthropic::internal::build_create_body(one_request()).str());
  EXPECT_EQ(requests[1].body, requests[0].body);
  EXPECT_EQ(requests[2].body, anthropic::internal::build_create_body(ga).str());
}

TEST_F(FaultInjection, ConnectionRefusedIsRetriedAndNeverReachedTheServer) {
  auto c = client("http://127.0.0.1:" + std::to_string(anthropic::testing::closed_port()));
  try {
    c.beta().messages().batches().create(one_request());  // safe to retry: nothing was sent
    FAIL();
  } catch (const anthropic::AnthropicIoException& e) {
    EXPECT_FALSE(e.may_have_reached_server());
    expect_no_secret(e.what());
  }
  EXPECT_EQ(delays().size(), 2u);
}

// Reads the request, then closes without answering: the outcome is unknown.
RawServer::Handler hang_up_after_request(std::atomic<int>& requests) {
  return [&requests](int fd) {
    RawServer::read_request(fd);
    ++requests;
  };
}

TEST_F(FaultInjection, CreateIsNotResentWhenTheOutcomeIsUnknown) {
  std::atomic<int> requests{0};
  RawServer server(hang_up_after_request(requests));
  auto c = client(server.base_url());
  try {
    c.beta().messages().batches().create(one_request());
    FAIL();
  } catch (const anthropic::AnthropicIoException& e) {
    EXPECT_TRUE(e.may_have_reached_server());
    EXPECT_NE(std::string(e.what()).find("may have been created"), std::string::npos) << e.what();
    expect_no_secret(e.what());
  }
  EXPECT_EQ(requests.load(), 1);  // never duplicated
  EXPECT_TRUE(delays().empty());
}

TEST_F(FaultInjection, CreateIsResentWhenTheCallerOptsIn) {
  std::atomic<int> requests{0};
  RawServer server(hang_up_after_request(requests));
  auto c = client(server.base_url());
  anthropic::RequestOptions opt_in;
  opt_in.retry_on_unknown_outcome = true;
  EXPECT_THROW(c.beta().messages().batches().create(one_request(), opt_in),
               anthropic::AnthropicIoException);
  EXPECT_EQ(requests.load(), 3);
}

TEST_F(FaultInjection, IdempotentCallsAreRetriedAfterAResetOrATruncatedBody) {
  std::atomic<int> calls{0};
  RawServer server([&calls](int fd) {
    RawServer::read_request(fd);
    int n = ++calls;
    if (n == 1) return;  // reset after the request: no answer
    if (n == 2) {        // truncated: promises 400 bytes, sends 10
      RawServer::write_all(fd,
                           "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                           "content-length: 400\r\n\r\n{\"id\":\"ms");
      return;
    }
    std::string body = batch_json("msgbatch_third");
    RawServer::write_all(fd,
                         "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                         "content-length: " +
                             std::to_string(body.size()) + "\r\nconnection: close\r\n\r\n" + body);
  });
  auto c = client(server.base_url());
  EXPECT_EQ(c.beta().messages().batches().retrieve("msgbatch_third").id, "msgbatch_third");
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(delays().size(), 2u);
}

TEST_F(FaultInjection, AResetBeforeTheRequestIsReadIsRetriedForIdempotentCalls) {
  // The server accepts and closes at once: the request never reaches an application.
  RawServer server([](int) {});
  auto c = client(server.base_url());
  try {
    c.beta().messages().batches().retrieve("msgbatch_1");
    FAIL();
  } catch (const anthropic::AnthropicIoException& e) {
    expect_no_secret(e.what());
  }
  EXPECT_EQ(server.connections(), 3);
  EXPECT_EQ(delays().size(), 2u);
}

TEST_F(FaultInjection, AStalledServerTimesOutInsteadOfHanging) {
  RawServer server([](int fd) {
    RawServer::read_request(fd);
    std::this_thread::sleep_for(std::chrono::seconds(3));
  });
  auto c = client(server.base_url(), milliseconds(300), 0);
  auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(c.beta().messages().batches().retrieve("b"), anthropic::AnthropicIoException);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, std::chrono::milliseconds(2500));
}

TEST_F(FaultInjection, BadSuccessBodiesAreInvalidDataAndNotRetried) {
  for (std::string body :
       {std::string("{\"id\": \"msgbatch_1\", "), std::string(R"({"id":1,"type":"message_batch"})"),
        batch_json("msgbatch_\xff\xfe"), std::string("\xef\xbb\xbf") + "[1,2]"}) {
    TestServer server;
    server.respond(200, body);
    auto c = client(server.base_url());
    try {
      c.beta().messages().batches().retrieve("b");
      ADD_FAILURE() << "decoded: " << body;
    } catch (const anthropic::AnthropicInvalidDataException& e) {
      expect_no_secret(e.what());
    }
    EXPECT_EQ(server.request_count(), 1u);
  }
}

TEST_F(FaultInjection, AFiftyMegabyteErrorBodyIsBoundedInTheException) {
  TestServer server;
  server.handle([](const httplib::Request&, httplib::Response& res) {
    res.status = 500;
    res.set_content(std::string(50u << 20, 'E'), "text/plain");
  });
  auto c = client(server.base_url(), milliseconds(20000), 1);
  try {
    c.beta().messages().batches().retrieve("b");
    FAIL();
  } catch (const anthropic::InternalServerException& e) {
    EXPECT_LE(e.body().size(), 1u << 20);
    EXPECT_LT(std::string(e.what()).size(), 2048u);
  }
  EXPECT_EQ(server.request_count(), 2u);
}

// --- a create on a reused keep-alive connection (issue 10, item 1) ---

std::string http_200(const std::string& body, bool close = false) {
  return "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: " +
         std::to_string(body.size()) + (close ? "\r\nconnection: close" : "") + "\r\n\r\n" + body;
}

// Connection 1 answers a GET with 200 keep-alive, then reads the whole POST that follows on the
// same connection and hangs up without a response byte: a FIN, or a RST when `reset`. Any later
// connection answers 200 with a second batch. Counts the POST bodies and where they arrived.
struct HangUpAfterPostOnReusedConnection {
  explicit HangUpAfterPostOnReusedConnection(bool reset)
      : server([this, reset](int fd) {
          const int index = ++accepted;
          for (;;) {
            std::string request = RawServer::read_request(fd);
            if (request.empty()) return;
            if (request.rfind("POST ", 0) == 0) {
              const bool has_body = request.find("\"custom_id\":\"only-one\"") != std::string::npos;
              if (has_body) {
                std::lock_guard<std::mutex> lock(mutex);
                post_connections.push_back(index);
              }
              if (index == 1) {
                if (reset) {
                  linger l{1, 0};  // close() then sends a RST
                  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
                }
                return;
              }
              RawServer::write_all(fd, http_200(batch_json("msgbatch_second"), true));
              return;
            }
            RawServer::write_all(fd, http_200(batch_json("msgbatch_first")));
          }
        }) {}

  std::vector<int> posts() {
    std::lock_guard<std::mutex> lock(mutex);
    return post_connections;
  }

  std::atomic<int> accepted{0};
  std::mutex mutex;
  std::vector<int> post_connections;  // the connection index of each POST body received
  RawServer server;
};

TEST_F(FaultInjection, CreateOnAReusedConnectionClosedAfterThePostIsNotResent) {
  for (bool reset : {false, true}) {
    SCOPED_TRACE(reset ? "RST" : "FIN");
    HangUpAfterPostOnReusedConnection fault(reset);
    auto c = client(fault.server.base_url());
    auto& batches = c.beta().messages().batches();
    EXPECT_EQ(batches.retrieve("msgbatch_first").id, "msgbatch_first");
    try {
      auto batch = batches.create(one_request());
      ADD_FAILURE() << "create returned " << batch.id;
    } catch (const anthropic::AnthropicIoException& e) {
      EXPECT_TRUE(e.may_have_reached_server());
      EXPECT_NE(std::string(e.what()).find("may have been created"), std::string::npos) << e.what();
      expect_no_secret(e.what());
    }
    // The POST went out on the connection the GET had used, and only once.
    EXPECT_EQ(fault.posts(), std::vector<int>{1});
    EXPECT_TRUE(delays().empty());
  }
}

TEST_F(FaultInjection, CreateOnAReusedConnectionIsResentByOurRetryWhenTheCallerOptsIn) {
  HangUpAfterPostOnReusedConnection fault(false);
  auto c = client(fault.server.base_url());
  auto& batches = c.beta().messages().batches();
  EXPECT_EQ(batches.retrieve("msgbatch_first").id, "msgbatch_first");
  {
    std::lock_guard<std::mutex> lock(mutex_);
    log_.clear();
  }
  anthropic::RequestOptions opt_in;
  opt_in.retry_on_unknown_outcome = true;
  EXPECT_EQ(batches.create(one_request(), opt_in).id, "msgbatch_second");
  // Twice, on two connections: libcurl's own resend (which opens a connection and stops at the
  // refused rewind) never delivers a body.
  auto posts = fault.posts();
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0], 1);
  EXPECT_GT(posts[1], 1);
  // The resend is the retry logic's, after a backoff, and logged as a second attempt.
  EXPECT_EQ(delays().size(), 1u);
  std::lock_guard<std::mutex> lock(mutex_);
  ASSERT_EQ(log_.size(), 2u);
  EXPECT_NE(log_[0].find("attempt 1 of 3"), std::string::npos) << log_[0];
  EXPECT_NE(log_[1].find("attempt 2 of 3"), std::string::npos) << log_[1];
}

TEST_F(FaultInjection, CreateAfterTheServerClosedAnIdleConnectionIsSentOnAFreshOne) {
  // The ordinary keep-alive case must not suffer from the refused rewind: a connection the server
  // closed while idle is noticed before the create is written, which goes out on a new one.
  std::atomic<int> accepted{0};
  std::atomic<int> posts{0};
  RawServer server([&](int fd) {
    ++accepted;
    std::string request = RawServer::read_request(fd);
    if (request.rfind("POST ", 0) == 0) {
      ++posts;
      RawServer::write_all(fd, http_200(batch_json("msgbatch_created"), true));
      return;
    }
    RawServer::write_all(fd, http_200(batch_json("msgbatch_first")));  // keep-alive, then FIN
  });
  auto c = client(server.base_url());
  auto& batches = c.beta().messages().batches();
  EXPECT_EQ(batches.retrieve("msgbatch_first").id, "msgbatch_first");
  std::this_thread::sleep_for(milliseconds(100));  // the FIN has arrived
  EXPECT_EQ(batches.create(one_request()).id, "msgbatch_created");
  EXPECT_EQ(posts.load(), 1);
  EXPECT_EQ(accepted.load(), 2);
  EXPECT_TRUE(delays().empty());
}

// --- a 2xx is a result (item 2) ---

TEST_F(FaultInjection, ASuccessfulCreateCarryingXShouldRetryIsNotResent) {
  TestServer server;
  server.handle([](const httplib::Request&, httplib::Response& res) {
    res.set_header("x-should-retry", "true");
    res.set_content(batch_json("msgbatch_real"), "application/json");
  });
  auto c = client(server.base_url());
  EXPECT_EQ(c.beta().messages().batches().create(one_request()).id, "msgbatch_real");
  EXPECT_EQ(server.request_count(), 1u);
  EXPECT_TRUE(delays().empty());
}

// --- a 504 on create (item 3) ---

TEST_F(FaultInjection, AGatewayTimeoutOnCreateIsNotResentAndSaysTheBatchMayExist) {
  TestServer server;
  script(server, {{504, {}}, {504, {}}});
  auto c = client(server.base_url());
  try {
    c.beta().messages().batches().create(one_request());
    FAIL();
  } catch (const anthropic::InternalServerException& e) {
    EXPECT_EQ(e.status_code(), 504);
    EXPECT_NE(std::string(e.what()).find("may have been"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("retry_on_unknown_outcome"), std::string::npos);
    expect_no_secret(e.what());
  }
  EXPECT_EQ(server.request_count(), 1u);
  EXPECT_TRUE(delays().empty());
}

TEST_F(FaultInjection, AGatewayTimeoutOnCreateIsResentWhenTheCallerOptsIn) {
  TestServer server;
  script(server, {{504, {}}, {504, {}}});
  auto c = client(server.base_url());
  anthropic::RequestOptions opt_in;
  opt_in.retry_on_unknown_outcome = true;
  EXPECT_EQ(c.beta().messages().batches().create(one_request(), opt_in).id, "msgbatch_ok");
  EXPECT_EQ(server.request_count(), 3u);
  EXPECT_EQ(delays().size(), 2u);
}

TEST_F(FaultInjection, AGatewayTimeoutOnOtherOperationsIsStillRetried) {
  for (const char* op : {"retrieve", "cancel", "list"}) {
    SCOPED_TRACE(op);
    TestServer server;
    script(server, {{504, {}}, {504, {}}});
    delays_.clear();
    auto c = client(server.base_url());
    auto& batches = c.beta().messages().batches();
    if (std::string(op) == "retrieve") {
      EXPECT_EQ(batches.retrieve("msgbatch_ok").id, "msgbatch_ok");
    } else if (std::string(op) == "cancel") {
      EXPECT_EQ(batches.cancel("msgbatch_ok").id, "msgbatch_ok");
    } else {
      server.handle([n = std::make_shared<std::atomic<int>>(0)](const httplib::Request&,
                                                                httplib::Response& res) {
        if (++*n <= 2) {
          res.status = 504;
          return;
        }
        res.set_content(R"({"data":[],"has_more":false,"first_id":null,"last_id":null})",
                        "application/json");
      });
      EXPECT_TRUE(batches.list().data.empty());
    }
    EXPECT_EQ(server.request_count(), 3u);
    EXPECT_EQ(delays().size(), 2u);
  }
}

// --- a custom response size limit (item 4) ---

TEST_F(FaultInjection, ACustomMaxResponseBytesBoundsSuccessBodiesButNotErrorsBelowOneMebibyte) {
  TestServer server;
  const std::string padded = batch_json("msgbatch_big");
  std::string big = padded;
  big.insert(big.size() - 1, ",\"padding\":\"" + std::string(4000, 'x') + "\"");
  std::atomic<int> status{200};
  server.handle([&](const httplib::Request&, httplib::Response& res) {
    res.status = status.load();
    res.set_content(status.load() == 200 ? big : std::string(3000, 'E'), "application/json");
  });
  anthropic::ClientOptions options;
  options.api_key = kKey;
  options.base_url = server.base_url();
  options.max_response_bytes = 2000;
  options.max_retries = 0;
  anthropic::Client c(options);
  auto& batches = c.beta().messages().batches();
  try {
    batches.retrieve("msgbatch_big");
    FAIL();
  } catch (const anthropic::AnthropicInvalidDataException& e) {
    EXPECT_NE(std::string(e.what()).find("2000 bytes"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("ClientOptions::max_response_bytes"), std::string::npos);
  }
  try {
    batches.create(one_request());
    FAIL();
  } catch (const anthropic::AnthropicInvalidDataException& e) {
    EXPECT_NE(std::string(e.what()).find("probably created"), std::string::npos) << e.what();
  }
  EXPECT_EQ(server.request_count(), 2u);
  status = 400;  // an error body is kept up to 1 MiB whatever the limit
  try {
    batches.retrieve("msgbatch_big");
    FAIL();
  } catch (const anthropic::BadRequestException& e) {
    EXPECT_EQ(e.body().size(), 3000u);
  }
  status = 200;
  options.max_response_bytes = 1 << 20;
  EXPECT_EQ(anthropic::Client(options).beta().messages().batches().retrieve("b").id,
            "msgbatch_big");
}

}  // namespace
