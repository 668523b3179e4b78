#pragma once

// A bare TCP server on 127.0.0.1 for faults an HTTP library will not produce: a connection
// closed before or after the request arrived, a truncated body, a server that never answers.

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace anthropic::testing {

class RawServer {
 public:
  /// Called on the server thread with each accepted connection's socket; the server closes the
  /// socket when the handler returns.
  using Handler = std::function<void(int fd)>;

  explicit RawServer(Handler handler);
  ~RawServer();
  RawServer(const RawServer&) = delete;
  RawServer& operator=(const RawServer&) = delete;

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_.load(); }

  /// Reads one HTTP request (headers and Content-Length body) from `fd`; returns it, or the
  /// bytes read so far if the peer closed early.
  static std::string read_request(int fd);
  static void write_all(int fd, const std::string& bytes);

 private:
  void serve();

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
  std::vector<std::thread> workers_;
};

/// A port on 127.0.0.1 where nothing listens (bound, then closed).
int closed_port();

}  // namespace anthropic::testing
