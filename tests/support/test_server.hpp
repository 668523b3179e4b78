#pragma once

// A real HTTP server on 127.0.0.1 (cpp-httplib, OS-chosen port) for integration tests: it records
// every request exactly as it arrived and answers with handlers the test installs.

#include <httplib.h>

#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace anthropic::testing {

/// One request as the server saw it.
struct RecordedRequest {
  std::string method;
  std::string target;  ///< raw request target: path and query, as sent (percent-encoding kept)
  std::string path;    ///< decoded path
  httplib::Headers headers;
  std::string body;

  /// The value of header `name` (case-insensitive), or "" when absent.
  std::string header(const std::string& name) const;
  /// How many header lines called `name` arrived.
  std::size_t header_count(const std::string& name) const;
};

class TestServer {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  /// Starts listening at once; the default handler answers 404 with an API error body.
  TestServer();
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  /// `http://127.0.0.1:<port>`
  std::string base_url() const;
  int port() const { return port_; }

  /// Answers every request with `handler` (replacing the previous one).
  void handle(Handler handler);
  /// Answers every request with this status, JSON body and extra headers.
  void respond(int status, std::string body, httplib::Headers headers = {});

  std::vector<RecordedRequest> requests() const;
  RecordedRequest last_request() const;
  std::size_t request_count() const;
  /// Number of distinct TCP connections that carried requests.
  std::size_t connection_count() const;
  void clear();

  httplib::Server& raw() { return server_; }

 private:
  void dispatch(const httplib::Request& req, httplib::Response& res);

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mutex_;
  Handler handler_;
  std::vector<RecordedRequest> requests_;
  std::vector<std::string> connections_;
};

/// A `BetaMessageBatch` JSON object as the API sends it.
std::string batch_json(const std::string& id, const std::string& status = "in_progress",
                       int processing = 1);

}  // namespace anthropic::testing
