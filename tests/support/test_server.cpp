#include "support/test_server.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <stdexcept>

namespace anthropic::testing {

namespace {
bool iequals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}
}  // namespace

std::string RecordedRequest::header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return v;
  }
  return "";
}

std::size_t RecordedRequest::header_count(const std::string& name) const {
  return static_cast<std::size_t>(std::count_if(
      headers.begin(), headers.end(), [&](const auto& kv) { return iequals(kv.first, name); }));
}

TestServer::TestServer() {
  server_.set_keep_alive_timeout(1);
  server_.set_keep_alive_max_count(100000);
  server_.set_tcp_nodelay(true);  // else Nagle adds ~40 ms to small responses
  // Debian's compiled cpp-httplib does not suppress SIGPIPE when a client hangs up mid-body.
  std::signal(SIGPIPE, SIG_IGN);
  server_.set_read_timeout(std::chrono::seconds(5));
  auto route = [this](const httplib::Request& req, httplib::Response& res) { dispatch(req, res); };
  const char* any = ".*";
  server_.Get(any, route);
  server_.Post(any, route);
  server_.Delete(any, route);
  server_.Put(any, route);
  server_.Patch(any, route);
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("TestServer: cannot bind 127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  for (int i = 0; i < 500 && !server_.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

TestServer::~TestServer() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

std::string TestServer::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void TestServer::handle(Handler handler) {
  std::lock_guard<std::mutex> lock(mutex_);
  handler_ = std::move(handler);
}

void TestServer::respond(int status, std::string body, httplib::Headers headers) {
  handle([status, body = std::move(body), headers = std::move(headers)](const httplib::Request&,
                                                                        httplib::Response& res) {
    res.status = status;
    for (const auto& [k, v] : headers) res.set_header(k.c_str(), v);
    res.set_content(body, "application/json");
  });
}

void TestServer::dispatch(const httplib::Request& req, httplib::Response& res) {
  Handler handler;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    requests_.push_back(RecordedRequest{req.method, req.target, req.path, req.headers, req.body});
    std::string conn = req.remote_addr + ":" + std::to_string(req.remote_port);
    if (std::find(connections_.begin(), connections_.end(), conn) == connections_.end()) {
      connections_.push_back(conn);
    }
    handler = handler_;
  }
  if (handler) {
    handler(req, res);
  } else {
    res.status = 404;
    res.set_content(
        R"({"type":"error","error":{"type":"not_found_error","message":"no handler"},"request_id":null})",
        "application/json");
  }
  if (!res.has_header("request-id")) {
    res.set_header("request-id", "req_test_" + std::to_string(request_count()));
  }
}

std::vector<RecordedRequest> TestServer::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

RecordedRequest TestServer::last_request() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (requests_.empty()) throw std::runtime_error("TestServer: no request received");
  return requests_.back();
}

std::size_t TestServer::request_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_.size();
}

std::size_t TestServer::connection_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return connections_.size();
}

void TestServer::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  requests_.clear();
  connections_.clear();
}

std::string batch_json(const std::string& id, const std::string& status, int processing) {
  return R"({"id":")" + id + R"(","type":"message_batch","processing_status":")" + status +
         R"(","request_counts":{"processing":)" + std::to_string(processing) +
         R"(,"succeeded":0,"errored":0,"canceled":0,"expired":0},)"
         R"("created_at":"2026-08-20T10:00:00.000000Z","expires_at":"2026-08-21T10:00:00.000000Z",)"
         R"("ended_at":null,"cancel_initiated_at":null,"archived_at":null,"results_url":null})";
}

}  // namespace anthropic::testing
