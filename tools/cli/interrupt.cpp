#include "interrupt.hpp"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <set>
#include <thread>

namespace anthropic_batch {

namespace {

std::atomic<int> g_signal{0};
std::atomic<bool> g_exit_at_once{false};

std::mutex g_files_mu;
std::set<std::string>& temporary_files() {
  static auto* files = new std::set<std::string>();  // never destroyed: the thread may outlive
  return *files;                                     // static destructors at exit
}

/// Ends the program with status 130 without unwinding, after removing the temporary files.
[[noreturn]] void exit_now() {
  static const char kMessage[] = "anthropic-batch: interrupted\n";
  [[maybe_unused]] auto ignored = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
  {
    std::lock_guard<std::mutex> lock(g_files_mu);
    for (const auto& path : temporary_files()) ::unlink(path.c_str());
  }
  std::_Exit(130);
}

}  // namespace

void start_interrupt_thread(const anthropic::CancellationSource& source) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // Detached: it spends its life in sigwait() and is ended by the process exit. It owns a copy
  // of the source (copies share one state), so it never touches an object main() destroys.
  std::thread([signals, source = anthropic::CancellationSource(source)]() mutable {
    for (;;) {
      int received = 0;
      if (sigwait(&signals, &received) != 0) continue;
      if (g_signal.exchange(received) != 0 || g_exit_at_once.load()) exit_now();
      source.cancel();
    }
  }).detach();
}

ExitOnInterrupt::ExitOnInterrupt() {
  g_exit_at_once = true;
  // A signal that came just before would otherwise go unnoticed until the blocking phase ends.
  if (g_signal.load() != 0) exit_now();
}
ExitOnInterrupt::~ExitOnInterrupt() { g_exit_at_once = false; }

int interrupt_signal() noexcept { return g_signal.load(); }

void register_temporary_file(const std::string& path) {
  std::lock_guard<std::mutex> lock(g_files_mu);
  temporary_files().insert(path);
}

void unregister_temporary_file(const std::string& path) {
  std::lock_guard<std::mutex> lock(g_files_mu);
  temporary_files().erase(path);
}

}  // namespace anthropic_batch
