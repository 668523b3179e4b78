// The libcurl transport against a real cpp-httplib server on 127.0.0.1.

#include <anthropic/errors.hpp>
#include <anthropic/http/curl_http_client.hpp>

#include "http/streamed_body.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using anthropic::AnthropicInvalidRequestException;
using anthropic::AnthropicIoException;
using anthropic::http::HttpClient;
using anthropic::http::HttpRequest;
using anthropic::http::HttpResponse;
using anthropic::http::StreamedResponse;
using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kSecret = "sk-ant-SECRET";

// A test-controlled latch: handlers that must stall wait on it; the fixture opens it before the
// server stops so that no handler outlives the test.
class Gate {
 public:
  void wait(milliseconds max) {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait_for(lock, max, [this] { return open_; });
  }
  void open() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      open_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool open_ = false;
};

// cpp-httplib on an OS-chosen port, counting the distinct TCP connections that carried requests.
class LoopbackServer {
 public:
  LoopbackServer() {
    server_.new_task_queue = [] { return new httplib::ThreadPool(16); };
    server_.set_keep_alive_max_count(100000);
    server_.set_keep_alive_timeout(1);
    server_.set_tcp_nodelay(true);  // no Nagle + delayed-ACK stall between header and body writes
    server_.set_read_timeout(5);
    server_.set_write_timeout(5);
    server_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response&) {
      std::lock_guard<std::mutex> lock(mutex_);
      ports_.insert(req.remote_port);
      return httplib::Server::HandlerResponse::Unhandled;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("cannot bind a loopback port");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    auto deadline = SteadyClock::now() + std::chrono::seconds(5);
    while (!server_.is_running() && SteadyClock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(1));
    }
  }
  ~LoopbackServer() {
    server_.stop();
    thread_.join();
  }

  httplib::Server& raw() { return server_; }
  std::string url(const std::string& target) const {
    return "http://127.0.0.1:" + std::to_string(port_) + target;
  }
  std::size_t connection_count() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return ports_.size();
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::set<int> ports_;
};

// A one-shot server on raw sockets, for what cpp-httplib cannot be made to send: it reads one
// request's headers, writes `reply` verbatim, then closes the connection (with a TCP reset when
// `reset`).
class RawServer {
 public:
  RawServer(std::string reply, bool reset) : reply_(std::move(reply)), reset_(reset) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(fd_, 1) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("raw server: cannot listen");
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~RawServer() {
    ::shutdown(fd_, SHUT_RDWR);  // unblocks accept() if no client came
    thread_.join();
    ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/raw"; }

 private:
  void serve() {
    int c = ::accept(fd_, nullptr, nullptr);
    if (c < 0) return;
    std::string request;
    char buf[4096];
    while (request.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) break;
      request.append(buf, static_cast<std::size_t>(n));
    }
    (void)::send(c, reply_.data(), reply_.size(), MSG_NOSIGNAL);
    if (reset_) {
      linger l{1, 0};
      ::setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    } else {
      std::this_thread::sleep_for(milliseconds(50));
    }
    ::close(c);
  }

  std::string reply_;
  bool reset_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

// A port nothing listens on.
int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// Resident memory of this process, in bytes.
std::size_t rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      std::size_t kb = 0;
      status >> kb;
      return kb * 1024;
    }
    std::getline(status, key);
  }
  return 0;
}

char pattern_at(std::size_t offset) { return static_cast<char>(offset % 251); }

class CurlHttpClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::signal(SIGPIPE, SIG_IGN);  // the server writes to sockets the client closed
    ::setenv("no_proxy", "127.0.0.1,localhost", 1);
  }

  void TearDown() override {
    gate_.open();
    client_.reset();
    server_.reset();
  }

  HttpRequest get(const std::string& target) const {
    HttpRequest r;
    r.method = "GET";
    r.url = server_->url(target);
    return r;
  }

  std::unique_ptr<LoopbackServer> server_ = std::make_unique<LoopbackServer>();
  std::shared_ptr<HttpClient> client_ = anthropic::http::make_curl_http_client();
  Gate gate_;
};

// --- what goes out and what comes back ---

TEST_F(CurlHttpClientTest, RequestArrivesExactly) {
  std::mutex m;
  std::vector<httplib::Request> seen;
  auto record = [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(m);
    seen.push_back(req);
    res.set_content("{}", "application/json");
  };
  server_->raw().Post("/v1/messages/batches", record);
  server_->raw().Delete(R"(/v1/messages/batches/(.+))", record);
  server_->raw().Get("/v1/messages/batches", record);

  HttpRequest post;
  post.method = "POST";
  post.url = server_->url("/v1/messages/batches?beta=true&after_id=a%20b");
  post.headers.set("x-api-key", kSecret);
  post.headers.set("anthropic-beta", "message-batches-2024-09-24");
  post.headers.set("content-type", "application/json");
  post.body = std::string("{\"a\":\"\xC3\xA9\"}\n", 12) + std::string(1, '\0') + "tail";
  EXPECT_EQ(client_->send(post).status, 200);

  HttpRequest del;
  del.method = "DELETE";
  del.url = server_->url("/v1/messages/batches/msgbatch_1");
  EXPECT_EQ(client_->send(del).status, 200);

  HttpRequest empty_post;
  empty_post.method = "POST";
  empty_post.url = server_->url("/v1/messages/batches");
  EXPECT_EQ(client_->send(empty_post).status, 200);

  EXPECT_EQ(client_->send(get("/v1/messages/batches?limit=2")).status, 200);

  std::lock_guard<std::mutex> lock(m);
  ASSERT_EQ(seen.size(), 4u);
  const auto& p = seen[0];
  EXPECT_EQ(p.method, "POST");
  EXPECT_EQ(p.target, "/v1/messages/batches?beta=true&after_id=a%20b");
  EXPECT_EQ(p.get_param_value("after_id"), "a b");
  EXPECT_EQ(p.body, post.body);
  EXPECT_EQ(p.get_header_value("x-api-key"), kSecret);
  EXPECT_EQ(p.get_header_value("anthropic-beta"), "message-batches-2024-09-24");
  EXPECT_EQ(p.get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(p.get_header_value("Content-Length"), std::to_string(post.body.size()));
  EXPECT_FALSE(p.has_header("Expect"));
  EXPECT_NE(p.get_header_value("Accept-Encoding").find("gzip"), std::string::npos);

  const auto& d = seen[1];
  EXPECT_EQ(d.method, "DELETE");
  EXPECT_EQ(d.path, "/v1/messages/batches/msgbatch_1");
  EXPECT_TRUE(d.body.empty());
  EXPECT_FALSE(d.has_header("Content-Type"));

  const auto& e = seen[2];
  EXPECT_EQ(e.method, "POST");
  EXPECT_EQ(e.get_header_value("Content-Length"), "0");
  EXPECT_FALSE(e.has_header("Content-Type"));  // not libcurl's form default

  const auto& g = seen[3];
  EXPECT_EQ(g.method, "GET");
  EXPECT_EQ(g.target, "/v1/messages/batches?limit=2");
  EXPECT_FALSE(g.has_header("Content-Length"));
}

TEST_F(CurlHttpClientTest, LargeBodyIsSentWithoutExpectContinue) {
  // libcurl would add "Expect: 100-continue" to a body this size (and wait for the interim
  // response) unless told not to.
  std::string expect = "unset";
  std::string received;
  server_->raw().Post("/big", [&](const httplib::Request& req, httplib::Response& res) {
    expect = req.has_header("Expect") ? req.get_header_value("Expect") : "";
    received = req.body;
    res.set_content("{}", "application/json");
  });
  HttpRequest r;
  r.method = "POST";
  r.url = server_->url("/big");
  r.headers.set("content-type", "application/json");
  std::string big(3 << 20, 'x');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = pattern_at(i);
  r.body = std::move(big);
  EXPECT_EQ(client_->send(r).status, 200);
  EXPECT_EQ(expect, "");
  EXPECT_TRUE(received == r.body) << "body differs, " << received.size() << " bytes arrived";
}

// --- a streamed request body (create(params) sends its body this way) ---

// `size` bytes of pattern_at, handed out at most `piece` at a time; throws at `fail_at` (if set)
// or stops at `end_at` (if below `size`).
class PatternSource final : public anthropic::internal::BodySource {
 public:
  PatternSource(std::size_t size, std::size_t piece, std::size_t fail_at, std::size_t end_at)
      : size_(size), piece_(piece), fail_at_(fail_at), end_at_(end_at) {}
  std::size_t read(char* dst, std::size_t max) override {
    if (at_ >= fail_at_) throw std::runtime_error("encoder broke");
    std::size_t n = std::min({max, piece_, std::min(size_, end_at_) - at_});
    for (std::size_t i = 0; i < n; ++i) dst[i] = pattern_at(at_ + i);
    at_ += n;
    return n;
  }

 private:
  std::size_t size_, piece_, fail_at_, end_at_;
  std::size_t at_ = 0;
};

HttpRequest streamed_post(const std::string& url, std::size_t size, std::atomic<int>& opened,
                          std::size_t fail_at = SIZE_MAX, std::size_t end_at = SIZE_MAX) {
  HttpRequest r;
  r.method = "POST";
  r.url = url;
  r.headers.set("content-type", "application/json");
  r.body = anthropic::internal::RequestBodyAccess::streamed(
      std::make_shared<anthropic::internal::StreamedBody>(size, [&opened, size, fail_at, end_at] {
        ++opened;
        return std::make_unique<PatternSource>(size, 1000, fail_at, end_at);
      }));
  return r;
}

TEST_F(CurlHttpClientTest, AStreamedBodyArrivesExactlyAndIsProducedAgainForEachSend) {
  std::mutex m;
  std::vector<std::string> bodies;
  std::vector<std::string> lengths;
  server_->raw().Post("/create", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(m);
    bodies.push_back(req.body);
    lengths.push_back(req.get_header_value("Content-Length"));
    res.set_content("{}", "application/json");
  });
  std::atomic<int> opened{0};
  const std::size_t size = (3 << 20) + 17;
  HttpRequest r = streamed_post(server_->url("/create"), size, opened);
  EXPECT_EQ(client_->send(r).status, 200);
  EXPECT_EQ(client_->send(r).status, 200);  // as a retry would: the bytes are produced again
  EXPECT_EQ(opened.load(), 2);              // one source per send, never encoded whole
  std::string expected(size, '\0');
  for (std::size_t i = 0; i < size; ++i) expected[i] = pattern_at(i);
  std::lock_guard<std::mutex> lock(m);
  ASSERT_EQ(bodies.size(), 2u);
  for (std::size_t k = 0; k < 2; ++k) {
    EXPECT_EQ(lengths[k], std::to_string(size));
    EXPECT_TRUE(bodies[k] == expected) << "send " << k << ": " << bodies[k].size() << " bytes";
  }
}

TEST_F(CurlHttpClientTest, AStreamedBodyThatFailsEndsTheCallWithItsOwnErrorAndNoRequest) {
  std::atomic<int> handled{0};
  server_->raw().Post("/create", [&](const httplib::Request&, httplib::Response& res) {
    ++handled;
    res.set_content("{}", "application/json");
  });
  std::atomic<int> opened{0};
  const std::size_t size = 1 << 20;
  // The source's own exception comes out (not an I/O error, which a retry layer would retry or
  // call an unknown outcome), whether it broke before the first byte or midway.
  for (std::size_t fail_at : {std::size_t{0}, std::size_t{300000}}) {
    try {
      client_->send(streamed_post(server_->url("/create"), size, opened, fail_at));
      ADD_FAILURE() << "expected the source's exception";
    } catch (const AnthropicIoException& e) {
      ADD_FAILURE() << "an I/O error: " << e.what();
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "encoder broke");
    }
  }
  // A body shorter than it announced: the SDK's own error, naming what is missing.
  try {
    client_->send(streamed_post(server_->url("/create"), size, opened, SIZE_MAX, 500000));
    ADD_FAILURE() << "expected AnthropicInvalidRequestException";
  } catch (const anthropic::AnthropicInvalidRequestException& e) {
    EXPECT_NE(std::string(e.what()).find("548576 bytes before its announced length"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(handled.load(), 0);  // a body cut short is never a request the server acts on
  // The client is still usable afterwards.
  EXPECT_EQ(client_->send(streamed_post(server_->url("/create"), 10, opened)).status, 200);
  EXPECT_EQ(handled.load(), 1);
}

TEST_F(CurlHttpClientTest, ResponseHeadersAreCaseInsensitiveAndClean) {
  server_->raw().Get("/h", [](const httplib::Request&, httplib::Response& res) {
    res.status = 201;
    res.set_header("Request-Id", "req_123");
    res.set_header("X-Multi", "one");
    res.set_header("X-Multi", "two");
    res.set_header("X-Spaced", "  padded value");
    res.set_content("created", "text/plain");
  });
  HttpResponse r = client_->send(get("/h"));
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, "created");
  EXPECT_EQ(r.headers.get("request-id"), "req_123");
  EXPECT_EQ(r.headers.get("REQUEST-ID"), "req_123");
  EXPECT_EQ(r.headers.get("x-spaced"), "padded value");
  EXPECT_TRUE(r.headers.contains("Content-Type"));
  std::vector<std::string> multi;
  for (const auto& [name, value] : r.headers) {
    EXPECT_EQ(name.find_first_of("\r\n"), std::string::npos);
    EXPECT_EQ(value.find_first_of("\r\n"), std::string::npos);
    EXPECT_NE(name.rfind("HTTP/", 0), 0u) << "status line kept as a header";
    if (name == "X-Multi") multi.push_back(value);
  }
  EXPECT_EQ(multi, (std::vector<std::string>{"one", "two"}));
}

TEST_F(CurlHttpClientTest, CompressedResponseIsDecoded) {
  std::string json = "[";
  for (int i = 0; i < 2000; ++i) json += "{\"custom_id\":\"item-" + std::to_string(i) + "\"},";
  json += "{}]";
  server_->raw().Get("/json", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(json, "application/json");
  });
  HttpResponse r = client_->send(get("/json"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, json);
  std::string encoding = r.headers.get("content-encoding");
  EXPECT_TRUE(encoding == "gzip" || encoding == "br" || encoding == "deflate") << encoding;
}

TEST_F(CurlHttpClientTest, RedirectsAreNotFollowed) {
  std::atomic<int> target_hits{0};
  server_->raw().Get("/from", [&](const httplib::Request&, httplib::Response& res) {
    res.set_redirect(server_->url("/to"));
  });
  server_->raw().Get("/to", [&](const httplib::Request&, httplib::Response& res) {
    ++target_hits;
    res.set_content("moved", "text/plain");
  });
  HttpRequest r = get("/from");
  r.headers.set("x-api-key", kSecret);
  HttpResponse response = client_->send(r);
  EXPECT_EQ(response.status, 302);
  EXPECT_EQ(response.headers.get("location"), server_->url("/to"));
  EXPECT_EQ(target_hits.load(), 0);
}

TEST_F(CurlHttpClientTest, InvalidHeaderIsRejectedBeforeSending) {
  HttpRequest r = get("/x");
  r.headers.set("x-api-key", std::string(kSecret) + "\r\nX-Injected: 1");
  try {
    client_->send(r);
    FAIL() << "expected AnthropicInvalidRequestException";
  } catch (const AnthropicInvalidRequestException& e) {
    EXPECT_EQ(std::string(e.what()).find(kSecret), std::string::npos) << e.what();
  }
  EXPECT_EQ(server_->connection_count(), 0u);
}

TEST_F(CurlHttpClientTest, InterimResponseHeadersAreNotKept) {
  RawServer raw(
      "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\nX-Phase: interim\r\n\r\n"
      "HTTP/1.1 200 OK\r\nX-Phase: final\r\nContent-Length: 4\r\nConnection: close\r\n\r\n"
      "done",
      false);
  HttpRequest r;
  r.method = "GET";
  r.url = raw.url();
  HttpResponse response = client_->send(r);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "done");
  EXPECT_EQ(response.headers.get("x-phase"), "final");
  EXPECT_FALSE(response.headers.contains("link"));
  EXPECT_EQ(response.headers.size(), 3u);
}

// --- failures ---

TEST_F(CurlHttpClientTest, ConnectionRefusedHasNotReachedTheServer) {
  HttpRequest r;
  r.method = "POST";
  r.url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/v1/messages/batches?x=1";
  r.headers.set("x-api-key", kSecret);
  r.headers.set("authorization", std::string("Bearer ") + kSecret);
  r.body = "{}";
  try {
    client_->send(r);
    FAIL() << "expected AnthropicIoException";
  } catch (const AnthropicIoException& e) {
    std::string what = e.what();
    EXPECT_FALSE(e.may_have_reached_server()) << what;
    EXPECT_NE(what.find("POST http://127.0.0.1:"), std::string::npos) << what;
    EXPECT_NE(what.find("/v1/messages/batches"), std::string::npos) << what;
    EXPECT_EQ(what.find(kSecret), std::string::npos) << what;
  }
  EXPECT_THROW(client_->open(r), AnthropicIoException);
}

TEST_F(CurlHttpClientTest, StalledServerTimesOut) {
  server_->raw().Get("/stall", [&](const httplib::Request&, httplib::Response& res) {
    gate_.wait(std::chrono::seconds(10));
    res.set_content("late", "text/plain");
  });
  HttpRequest r = get("/stall");
  r.timeout = milliseconds(300);
  auto start = SteadyClock::now();
  try {
    client_->send(r);
    FAIL() << "expected AnthropicIoException";
  } catch (const AnthropicIoException& e) {
    EXPECT_TRUE(e.may_have_reached_server()) << e.what();
  }
  auto elapsed = SteadyClock::now() - start;
  EXPECT_GE(elapsed, milliseconds(250));
  EXPECT_LT(elapsed, milliseconds(1000));
}

TEST_F(CurlHttpClientTest, TimeoutOnAReusedConnectionMayHaveReachedTheServer) {
  server_->raw().Get("/ok", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  });
  server_->raw().Get("/stall", [&](const httplib::Request&, httplib::Response& res) {
    gate_.wait(std::chrono::seconds(10));
    res.set_content("late", "text/plain");
  });
  ASSERT_EQ(client_->send(get("/ok")).status, 200);
  HttpRequest r = get("/stall");
  r.timeout = milliseconds(300);
  try {
    client_->send(r);
    FAIL() << "expected AnthropicIoException";
  } catch (const AnthropicIoException& e) {
    EXPECT_TRUE(e.may_have_reached_server()) << e.what();
  }
  EXPECT_EQ(server_->connection_count(), 1u);
}

TEST_F(CurlHttpClientTest, StallMidBodyTimesOut) {
  server_->raw().Get("/half", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content_provider(1000, "text/plain",
                             [&](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                               if (offset == 0) return sink.write("0123456789", 10);
                               gate_.wait(std::chrono::seconds(10));
                               return false;
                             });
  });
  HttpRequest r = get("/half");
  r.timeout = milliseconds(300);
  auto start = SteadyClock::now();
  EXPECT_THROW(client_->send(r), AnthropicIoException);
  EXPECT_LT(SteadyClock::now() - start, milliseconds(1000));
}

TEST_F(CurlHttpClientTest, BodyCutShortIsAnError) {
  server_->raw().Get("/short", [](const httplib::Request&, httplib::Response& res) {
    res.set_content_provider(1000, "text/plain",
                             [](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                               if (offset == 0)
                                 return sink.write(std::string(100, 'x').data(), 100);
                               return false;  // closes the connection
                             });
  });
  try {
    client_->send(get("/short"));
    FAIL() << "expected AnthropicIoException";
  } catch (const AnthropicIoException& e) {
    EXPECT_TRUE(e.may_have_reached_server());
    EXPECT_NE(std::string(e.what()).find("GET http://127.0.0.1"), std::string::npos) << e.what();
  }

  StreamedResponse s = client_->open(get("/short"));
  EXPECT_EQ(s.status, 200);
  EXPECT_THROW(s.read_all(), AnthropicIoException);
  // The body stays failed.
  char c;
  EXPECT_THROW(s.body->read(&c, 1), AnthropicIoException);

  // The client is still usable afterwards.
  server_->raw().Get("/ok", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  });
  EXPECT_EQ(client_->send(get("/ok")).body, "ok");
}

TEST_F(CurlHttpClientTest, ResetMidBodyIsAnError) {
  const std::string reply =
      "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nRequest-Id: req_r\r\n\r\n" +
      std::string(1000, 'r');
  {
    RawServer raw(reply, true);
    HttpRequest r;
    r.method = "GET";
    r.url = raw.url();
    EXPECT_THROW(client_->send(r), AnthropicIoException);
  }
  {
    RawServer raw(reply, true);
    HttpRequest r;
    r.method = "GET";
    r.url = raw.url();
    StreamedResponse s;
    try {
      s = client_->open(r);
    } catch (const AnthropicIoException&) {
      return;  // the reset may win the race against the headers: also a correct report
    }
    EXPECT_EQ(s.status, 200);
    EXPECT_THROW(s.read_all(), AnthropicIoException);
  }
}

// --- connection reuse and threads ---

TEST_F(CurlHttpClientTest, SequentialRequestsReuseOneConnection) {
  server_->raw().Get("/ping", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(req.get_param_value("i"), "text/plain");
  });
  for (int i = 0; i < 1000; ++i) {
    HttpResponse r = client_->send(get("/ping?i=" + std::to_string(i)));
    ASSERT_EQ(r.status, 200);
    ASSERT_EQ(r.body, std::to_string(i));
  }
  EXPECT_EQ(server_->connection_count(), 1u);

  // A streamed response uses the same pool.
  StreamedResponse s = client_->open(get("/ping?i=x"));
  EXPECT_EQ(s.read_all(), "x");
  EXPECT_EQ(server_->connection_count(), 1u);
}

TEST_F(CurlHttpClientTest, ThreadsShareOneClient) {
  server_->raw().Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(req.get_param_value("t") + ":" + req.body, "text/plain");
  });
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        HttpRequest r;
        r.method = "POST";
        r.url = server_->url("/echo?t=" + std::to_string(t));
        r.headers.set("content-type", "text/plain");
        r.body = "body-" + std::to_string(i);
        try {
          HttpResponse response = client_->send(r);
          if (response.status == 200 && response.body == std::to_string(t) + ":" + r.body.str())
            ++ok;
        } catch (const std::exception& e) {
          ADD_FAILURE() << e.what();
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
  EXPECT_LE(server_->connection_count(), static_cast<std::size_t>(kThreads));
}

// --- streamed responses ---

TEST_F(CurlHttpClientTest, LargeStreamedBodyKeepsMemoryFlat) {
  constexpr std::size_t kTotal = std::size_t{64} << 20;
  static const std::string pattern = [] {
    std::string p(65536 + 251, '\0');
    for (std::size_t i = 0; i < p.size(); ++i) p[i] = pattern_at(i);
    return p;
  }();
  server_->raw().Get("/big", [](const httplib::Request&, httplib::Response& res) {
    res.set_content_provider(kTotal, "application/octet-stream",
                             [](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                               return sink.write(pattern.data() + offset % 251,
                                                 std::min<std::size_t>(length, 65536));
                             });
  });
  StreamedResponse s = client_->open(get("/big"));
  ASSERT_EQ(s.status, 200);
  EXPECT_EQ(s.headers.get("content-length"), std::to_string(kTotal));
  const std::size_t baseline = rss_bytes();
  std::size_t peak = baseline;
  std::size_t total = 0;
  std::size_t reads = 0;
  bool intact = true;
  std::vector<char> buf(16384);
  for (;;) {
    std::size_t n = s.body->read(buf.data(), buf.size());
    if (n == 0) break;
    for (std::size_t i = 0; i < n && intact; ++i) intact = buf[i] == pattern_at(total + i);
    total += n;
    if (++reads % 256 == 0) peak = std::max(peak, rss_bytes());
  }
  peak = std::max(peak, rss_bytes());
  EXPECT_EQ(total, kTotal);
  EXPECT_TRUE(intact);
  EXPECT_LT(peak - baseline, std::size_t{24} << 20)
      << "RSS grew from " << baseline << " to " << peak;
  EXPECT_EQ(s.body->read(buf.data(), buf.size()), 0u);  // stays at the end
}

TEST_F(CurlHttpClientTest, SmallReadsAndEmptyBodies) {
  server_->raw().Get("/small", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("abcdef", "text/plain");
  });
  server_->raw().Delete("/none",
                        [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
  StreamedResponse s = client_->open(get("/small"));
  std::string got;
  char c;
  while (s.body->read(&c, 1) == 1) got += c;
  EXPECT_EQ(got, "abcdef");

  HttpRequest del = get("/none");
  del.method = "DELETE";
  StreamedResponse empty = client_->open(del);
  EXPECT_EQ(empty.status, 204);
  EXPECT_EQ(empty.read_all(), "");
  EXPECT_EQ(server_->connection_count(), 1u);
}

TEST_F(CurlHttpClientTest, EarlyDestroyClosesTheConnection) {
  std::atomic<bool> write_failed{false};
  server_->raw().Get("/endless", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content_provider(std::size_t{1} << 34, "application/octet-stream",
                             [&](std::size_t, std::size_t, httplib::DataSink& sink) {
                               static const std::string chunk(65536, 'z');
                               if (!sink.write(chunk.data(), chunk.size())) {
                                 write_failed = true;
                                 return false;
                               }
                               return true;
                             });
  });
  server_->raw().Get("/ok", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  });
  {
    StreamedResponse s = client_->open(get("/endless"));
    ASSERT_EQ(s.status, 200);
    std::vector<char> buf(65536);
    std::size_t total = 0;
    while (total < (std::size_t{4} << 20)) total += s.body->read(buf.data(), buf.size());
  }  // abandoned here
  auto deadline = SteadyClock::now() + std::chrono::seconds(5);
  while (!write_failed && SteadyClock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_TRUE(write_failed) << "the server never saw the connection close";
  EXPECT_EQ(client_->send(get("/ok")).body, "ok");
  EXPECT_EQ(server_->connection_count(), 2u);  // the abandoned one was not reused
}

TEST_F(CurlHttpClientTest, StreamedHeadersStallTimesOut) {
  server_->raw().Get("/stall", [&](const httplib::Request&, httplib::Response& res) {
    gate_.wait(std::chrono::seconds(10));
    res.set_content("late", "text/plain");
  });
  HttpRequest r = get("/stall");
  r.timeout = milliseconds(300);
  auto start = SteadyClock::now();
  EXPECT_THROW(client_->open(r), AnthropicIoException);
  auto elapsed = SteadyClock::now() - start;
  EXPECT_GE(elapsed, milliseconds(250));
  EXPECT_LT(elapsed, milliseconds(1000));
}

TEST_F(CurlHttpClientTest, StreamedBodyStallTimesOutBetweenReads) {
  server_->raw().Get("/trickle", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content_provider(1 << 20, "application/octet-stream",
                             [&](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                               if (offset == 0) return sink.write("first", 5);
                               gate_.wait(std::chrono::seconds(10));
                               return false;
                             });
  });
  HttpRequest r = get("/trickle");
  r.timeout = milliseconds(300);
  StreamedResponse s = client_->open(r);
  ASSERT_EQ(s.status, 200);
  char buf[64];
  std::size_t n = s.body->read(buf, sizeof buf);
  EXPECT_EQ(std::string(buf, n), "first");
  auto start = SteadyClock::now();
  try {
    s.body->read(buf, sizeof buf);
    FAIL() << "expected AnthropicIoException";
  } catch (const AnthropicIoException& e) {
    EXPECT_TRUE(e.may_have_reached_server());
  }
  auto elapsed = SteadyClock::now() - start;
  EXPECT_GE(elapsed, milliseconds(250));
  EXPECT_LT(elapsed, milliseconds(1000));
}

TEST_F(CurlHttpClientTest, SlowButSteadyStreamOutlivesTheTimeout) {
  // 10 pieces 100 ms apart: 1 s in all, with a 300 ms timeout between reads.
  server_->raw().Get("/steady", [](const httplib::Request&, httplib::Response& res) {
    res.set_content_provider(10, "text/plain",
                             [](std::size_t, std::size_t, httplib::DataSink& sink) {
                               std::this_thread::sleep_for(milliseconds(100));
                               return sink.write("s", 1);
                             });
  });
  HttpRequest r = get("/steady");
  r.timeout = milliseconds(300);
  StreamedResponse s = client_->open(r);
  EXPECT_EQ(s.read_all(), "ssssssssss");
}

TEST_F(CurlHttpClientTest, StreamedBodyOutlivesTheClient) {
  server_->raw().Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(req.body, "text/plain");
  });
  HttpRequest r;
  r.method = "POST";
  r.url = server_->url("/echo");
  r.body = std::string(300000, 'q');
  StreamedResponse s = client_->open(r);
  r.body = std::string(300000, '!');  // the transport kept its own share of the old bytes
  client_.reset();
  EXPECT_EQ(s.read_all(), std::string(300000, 'q'));
}

// --- bounded bodies (issue 10, item 4) ---

TEST_F(CurlHttpClientTest, SendStopsReceivingAtTheLimits) {
  // 1.5 MiB. Each handler makes its own copy: a server thread reading the test thread's string
  // through the uninstrumented server library looks like a race to TSan, and reporting that for
  // every byte takes minutes.
  static constexpr std::size_t big_size = (3u << 20) / 2;
  const std::string big(big_size, 'b');
  server_->raw().Get("/big-ok", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(big_size, 'b'), "application/json");
  });
  server_->raw().Get("/big-error", [](const httplib::Request&, httplib::Response& res) {
    res.status = 404;
    res.set_content(std::string(big_size, 'b'), "application/json");
  });
  server_->raw().Get("/ok", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  });
  // Uncompressed: the limits apply to the bytes as delivered, and the test server's gzip of a
  // large body is slow under sanitizers.
  auto uncompressed = [this](const std::string& target) {
    HttpRequest r = get(target);
    r.headers.set("accept-encoding", "identity");
    return r;
  };
  HttpRequest request = uncompressed("/big-ok");
  request.max_response_bytes = std::size_t{1} << 20;
  try {
    client_->send(request);
    FAIL();
  } catch (const anthropic::AnthropicInvalidDataException& e) {
    EXPECT_NE(std::string(e.what()).find("1048576 bytes"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("max_response_bytes"), std::string::npos) << e.what();
  }
  request.max_response_bytes = std::size_t{4} << 20;  // room for it
  EXPECT_EQ(client_->send(request).body.size(), big.size());
  // An error body is cut at kMaxErrorBodyBytes whatever the limit says, and returned.
  request = uncompressed("/big-error");
  request.max_response_bytes = 0;
  HttpResponse error = client_->send(request);
  EXPECT_EQ(error.status, 404);
  EXPECT_EQ(error.body, big.substr(0, anthropic::http::kMaxErrorBodyBytes));
  // A cut transfer's connection is closed, never reused with bytes left in it.
  EXPECT_EQ(client_->send(get("/ok")).body, "ok");
  EXPECT_EQ(server_->connection_count(), 3u);
}

// An endless body counting the bytes asked of it.
class EndlessBody final : public anthropic::http::ResponseBody {
 public:
  std::size_t read(char* dst, std::size_t max) override {
    std::fill(dst, dst + max, 'e');
    served += max;
    return max;
  }
  std::size_t served = 0;
};

TEST_F(CurlHttpClientTest, ReadAllStopsAtItsLimit) {
  auto body = std::make_unique<EndlessBody>();
  EndlessBody* endless = body.get();
  StreamedResponse response{500, {}, std::move(body)};
  EXPECT_EQ(response.read_all(100000), std::string(100000, 'e'));
  EXPECT_EQ(endless->served, 100000u);
  EXPECT_EQ(response.read_all(0), "");
  EXPECT_EQ(endless->served, 100000u);
}

TEST_F(CurlHttpClientTest, ReadAllOfAnEndlessStreamedErrorBodyStopsAtTheLimit) {
  std::atomic<std::size_t> served{0};
  std::atomic<bool> write_failed{false};
  server_->raw().Get("/endless-error", [&](const httplib::Request&, httplib::Response& res) {
    res.status = 500;
    res.set_content_provider(std::size_t{256} << 20, "text/plain",
                             [&](std::size_t, std::size_t, httplib::DataSink& sink) {
                               static const std::string chunk(65536, 'z');
                               if (!sink.write(chunk.data(), chunk.size())) {
                                 write_failed = true;
                                 return false;
                               }
                               served += chunk.size();
                               return true;
                             });
  });
  auto start = SteadyClock::now();
  {
    StreamedResponse s = client_->open(get("/endless-error"));
    ASSERT_EQ(s.status, 500);
    EXPECT_EQ(s.read_all(anthropic::http::kMaxErrorBodyBytes),
              std::string(anthropic::http::kMaxErrorBodyBytes, 'z'));
  }  // abandoned: closes the connection
  EXPECT_LT(SteadyClock::now() - start, std::chrono::seconds(5));
  auto deadline = SteadyClock::now() + std::chrono::seconds(5);
  while (!write_failed && SteadyClock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_TRUE(write_failed) << "the server never saw the connection close";
  // Not drained: what was sent is the limit plus what the socket buffers and the transport's
  // pause threshold hold, far from the 256 MiB on offer.
  EXPECT_LT(served.load(), std::size_t{64} << 20);
}

}  // namespace
