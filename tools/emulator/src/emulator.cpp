#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

#include <sys/socket.h>

#include "emulator_impl.hpp"
#include "render.hpp"

namespace anthropic::emulator {

namespace {

internal::emulator::BatchTiming timing_from(const EmulatorOptions& o) {
  internal::emulator::BatchTiming t;
  t.processing_time =
      std::chrono::duration_cast<std::chrono::microseconds>(o.processing_time).count();
  t.expiry_after = std::chrono::duration_cast<std::chrono::microseconds>(o.expiry_after).count();
  if (t.processing_time < 0) t.processing_time = 0;
  if (t.expiry_after < 0) t.expiry_after = 0;
  t.manual_clock = o.manual_clock;
  return t;
}

/// cpp-httplib serves a connection on one task-queue thread for as long as it stays open: an idle
/// keep-alive connection, or one that sent half a request line and waits out the read timeout
/// (30 s per read), holds its thread all that time. A fixed pool (httplib's has max(8, cores - 1)
/// threads) is therefore starved by a handful of idle connections. This pool starts a thread
/// whenever a connection arrives and no thread is free, up to `max_threads`, and keeps every
/// thread it started for later connections; past the cap, connections wait for a free thread.
class GrowingThreadPool final : public httplib::TaskQueue {
 public:
  explicit GrowingThreadPool(std::size_t max_threads)
      : max_threads_(std::max<std::size_t>(1, max_threads)) {}
  ~GrowingThreadPool() override { shutdown(); }

  void enqueue(std::function<void()> fn) override {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(std::move(fn));
    if (idle_ + starting_ < jobs_.size() && threads_.size() < max_threads_) {
      ++starting_;
      threads_.emplace_back([this] { work(); });
    }
    cv_.notify_one();
  }

  /// As httplib's ThreadPool: jobs already queued still run, then every thread is joined.
  void shutdown() override {
    std::vector<std::thread> threads;
    {
      std::lock_guard<std::mutex> lock(mu_);
      shutdown_ = true;
      threads.swap(threads_);
    }
    cv_.notify_all();
    for (auto& t : threads) t.join();
  }

 private:
  void work() {
    std::unique_lock<std::mutex> lock(mu_);
    --starting_;
    for (;;) {
      ++idle_;
      cv_.wait(lock, [this] { return shutdown_ || !jobs_.empty(); });
      --idle_;
      if (jobs_.empty()) return;  // shut down, nothing left to serve
      std::function<void()> job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job();
      lock.lock();
    }
  }

  const std::size_t max_threads_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  std::size_t idle_ = 0;      ///< threads waiting for a job
  std::size_t starting_ = 0;  ///< threads started that have not yet taken the lock
  bool shutdown_ = false;
};

/// The request's Content-Length, when it has a valid one.
std::optional<std::uint64_t> content_length(const httplib::Request& req) {
  if (!req.has_header("Content-Length")) return std::nullopt;
  const std::string value = req.get_header_value("Content-Length");
  if (value.empty() || !std::all_of(value.begin(), value.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
      })) {
    return std::nullopt;
  }
  errno = 0;
  unsigned long long v = std::strtoull(value.c_str(), nullptr, 10);
  if (errno == ERANGE) return std::numeric_limits<std::uint64_t>::max();
  return static_cast<std::uint64_t>(v);
}

bool is_chunked(const httplib::Request& req) {
  std::string te = req.get_header_value("Transfer-Encoding");
  std::transform(te.begin(), te.end(), te.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return te.find("chunked") != std::string::npos;
}

}  // namespace

void Emulator::Impl::refuse_too_large(httplib::Response& res) {
  const std::string rid = new_request_id();
  res.status = 413;
  res.set_header("request-id", rid);
  // Tells the client to stop sending and drop the connection. cpp-httplib 0.11 itself ignores a
  // handler's "Connection: close": it goes on to parse what follows on the connection as new
  // requests, each a bounded read answered 400, until its keep-alive count (5) runs out and it
  // closes. So the unread body is never buffered, only a few more lines of it are read.
  res.set_header("Connection", "close");
  res.set_content(
      internal::emulator::error_json("request_too_large",
                                     "Request exceeds the maximum allowed size of " +
                                         std::to_string(options.max_body_bytes) + " bytes",
                                     rid),
      "application/json");
}

void Emulator::Impl::install_body_limits(httplib::Server& s) {
  // Runs once the headers are read and before any body byte is.
  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    auto length = content_length(req);
    if (length && *length > options.max_body_bytes) {
      refuse_too_large(res);
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // A client that asks first ("Expect: 100-continue") gets the 413 instead of the go-ahead.
  s.set_expect_100_continue_handler([this](const httplib::Request& req, httplib::Response& res) {
    auto length = content_length(req);
    if (length && *length > options.max_body_bytes) {
      refuse_too_large(res);
      return 413;
    }
    return 100;
  });
  auto with_body = [this](const httplib::Request& req, httplib::Response& res,
                          const httplib::ContentReader& reader) {
    handle_with_body(req, res, reader);
  };
  const char* any = ".*";
  s.Post(any, with_body);
  s.Put(any, with_body);
  s.Patch(any, with_body);
  s.Delete(any, with_body);
}

void Emulator::Impl::handle_with_body(const httplib::Request& req, httplib::Response& res,
                                      const httplib::ContentReader& reader) {
  std::string body;
  bool too_large = false;
  // Only a declared body is read: without Content-Length or chunking there is none (reading
  // "until the connection closes" would wait for a client that is waiting for us).
  const auto length = content_length(req);
  if (is_chunked(req) || (length && *length > 0)) {
    const bool complete = reader([&](const char* data, std::size_t size) {
      if (size > options.max_body_bytes - body.size()) {
        too_large = true;
        return false;  // stops reading here: the rest is never received
      }
      body.append(data, size);
      return true;
    });
    if (too_large) {
      refuse_too_large(res);
      return;
    }
    if (!complete) {
      // The body broke off (a malformed chunk, a client gone): answer, then close.
      const std::string rid = new_request_id();
      res.status = 400;
      res.set_header("request-id", rid);
      res.set_header("Connection", "close");
      res.set_content(internal::emulator::error_json("invalid_request_error",
                                                     "The request body could not be read", rid),
                      "application/json");
      return;
    }
  }
  httplib::Request with_body = req;
  with_body.body = std::move(body);
  handle(with_body, res);
  pace_body(res);
}

Emulator::Impl::Impl(EmulatorOptions o)
    : options(std::move(o)),
      store(timing_from(options), options.seed),
      fault_rng(internal::emulator::splitmix64(options.seed)),
      fault_rate(options.fault_rate),
      results_drops(options.fault_drop_results),
      id_rng(internal::emulator::splitmix64(options.seed ^ 0x7265717565737473ULL)) {}

std::string Emulator::Impl::base_url() const {
  const std::string& h = options.host;
  const bool v6 = h.find(':') != std::string::npos && h.front() != '[';
  return "http://" + (v6 ? "[" + h + "]" : h) + ":" + std::to_string(bound_port);
}

Emulator::Emulator(EmulatorOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Emulator::~Emulator() { stop(); }

void Emulator::start() {
  Impl& im = *impl_;
  if (im.server) throw std::runtime_error("emulator: already started");
  im.stopping = false;
  if (im.options.data_dir) im.store.open(*im.options.data_dir);

  auto server = std::make_unique<httplib::Server>();
  const std::size_t max_connections = im.options.max_connections;
  server->new_task_queue = [max_connections] { return new GrowingThreadPool(max_connections); };
  server->set_payload_max_length(im.options.max_body_bytes);
  if (im.options.keep_alive_timeout.count() > 0) {
    server->set_keep_alive_timeout(static_cast<time_t>(im.options.keep_alive_timeout.count()));
  } else {
    server->set_keep_alive_max_count(1);  // "Connection: close" after every response
  }
  server->set_read_timeout(std::chrono::seconds(30));
  server->set_write_timeout(std::chrono::seconds(30));
  im.install(*server);
  im.install_body_limits(*server);
  // cpp-httplib listens with a backlog of 5, compiled into the library: in a burst of connections
  // (a test opening many, a client pool warming up) the SYNs beyond it are dropped and retried a
  // second later. Its socket-options hook is the one place the listening socket is visible, so
  // keep the descriptor and listen() again with a deep backlog once it is bound.
  auto listen_fd = std::make_shared<int>(-1);
  server->set_socket_options([listen_fd](socket_t sock) {
    httplib::default_socket_options(sock);
    *listen_fd = static_cast<int>(sock);
  });

  int port = -1;
  if (im.options.port == 0) {
    port = server->bind_to_any_port(im.options.host);
  } else if (server->bind_to_port(im.options.host, im.options.port)) {
    port = im.options.port;
  }
  if (port <= 0) {
    throw std::runtime_error("emulator: cannot bind " + im.options.host + ":" +
                             std::to_string(im.options.port));
  }
  if (*listen_fd >= 0) ::listen(*listen_fd, SOMAXCONN);
  im.bound_port = port;
  im.thread_exited = false;
  httplib::Server* raw = server.get();
  im.server = std::move(server);
  im.thread = std::thread([raw, &im] {
    raw->listen_after_bind();
    im.thread_exited = true;
  });
  // The socket already listens (connections queue); wait until the accept loop runs so that
  // stop() cannot slip in before it and leave the loop running forever.
  while (!raw->is_running() && !im.thread_exited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (im.thread_exited) {
    im.thread.join();
    im.server.reset();
    throw std::runtime_error("emulator: the server failed to start");
  }
}

void Emulator::stop() {
  Impl& im = *impl_;
  if (!im.server) return;
  im.stopping = true;  // slow bodies being trickled stop at once
  im.server->stop();
  if (im.thread.joinable()) im.thread.join();
  im.server.reset();
}

int Emulator::port() const { return impl_->bound_port; }

std::string Emulator::base_url() const { return impl_->base_url(); }

void Emulator::advance(std::chrono::milliseconds by) {
  impl_->store.advance(std::chrono::duration_cast<std::chrono::microseconds>(by).count());
}

void Emulator::set_fault_rate(double rate) {
  std::lock_guard<std::mutex> lock(impl_->fault_mu);
  impl_->fault_rate = rate;
}

void Emulator::queue_faults(std::vector<int> statuses) {
  std::lock_guard<std::mutex> lock(impl_->fault_mu);
  impl_->queued_faults.insert(impl_->queued_faults.end(), statuses.begin(), statuses.end());
}

void Emulator::queue_results_drop(std::size_t count) {
  std::lock_guard<std::mutex> lock(impl_->fault_mu);
  impl_->results_drops += count;
}

EmulatorStats Emulator::stats() const {
  EmulatorStats s;
  s.requests = impl_->requests_served.load();
  s.faults = impl_->faults_injected.load();
  return s;
}

std::size_t Emulator::batch_count() const { return impl_->store.size(); }

}  // namespace anthropic::emulator
