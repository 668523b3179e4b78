#include <chrono>
#include <stdexcept>

#include "emulator_impl.hpp"

namespace anthropic::emulator {

namespace {

detail::BatchTiming timing_from(const EmulatorOptions& o) {
  detail::BatchTiming t;
  t.processing_time =
      std::chrono::duration_cast<std::chrono::microseconds>(o.processing_time).count();
  t.expiry_after = std::chrono::duration_cast<std::chrono::microseconds>(o.expiry_after).count();
  if (t.processing_time < 0) t.processing_time = 0;
  if (t.expiry_after < 0) t.expiry_after = 0;
  t.manual_clock = o.manual_clock;
  return t;
}

/// httplib's default pool has max(8, cores - 1) threads; keep-alive clients each hold one.
constexpr std::size_t kServerThreads = 16;

}  // namespace

Emulator::Impl::Impl(EmulatorOptions o)
    : options(std::move(o)),
      store(timing_from(options), options.seed),
      fault_rng(detail::splitmix64(options.seed)),
      fault_rate(options.fault_rate),
      id_rng(detail::splitmix64(options.seed ^ 0x7265717565737473ULL)) {}

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
  if (im.options.data_dir) im.store.open(*im.options.data_dir);

  auto server = std::make_unique<httplib::Server>();
  server->new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
  server->set_payload_max_length(im.options.max_body_bytes);
  if (im.options.keep_alive_timeout.count() > 0) {
    server->set_keep_alive_timeout(static_cast<time_t>(im.options.keep_alive_timeout.count()));
  } else {
    server->set_keep_alive_max_count(1);  // "Connection: close" after every response
  }
  server->set_read_timeout(std::chrono::seconds(30));
  server->set_write_timeout(std::chrono::seconds(30));
  im.install(*server);

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

EmulatorStats Emulator::stats() const {
  EmulatorStats s;
  s.requests = impl_->requests_served.load();
  s.faults = impl_->faults_injected.load();
  return s;
}

std::size_t Emulator::batch_count() const { return impl_->store.size(); }

}  // namespace anthropic::emulator
