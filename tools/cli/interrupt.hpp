// Ctrl-C for anthropic-batch: SIGINT and SIGTERM become a cancellation, never work in a handler.
#pragma once

#include <anthropic/cancellation.hpp>

#include <string>

namespace anthropic_batch {

/// Blocks SIGINT and SIGTERM in the calling thread and starts a detached thread that receives
/// them with sigwait() and cancels `source`. Call it first thing in main(), before any other
/// thread exists (the in-process emulator, libcurl's resolver): threads inherit the signal mask,
/// so the waiting thread is then the only one a signal can be delivered to, and no signal
/// handler ever runs (nothing has to be async-signal-safe). Every call the program makes carries
/// `source.token()`, so a signal stops the call in progress with AnthropicCancelledException and
/// the program unwinds normally: destructors remove partial output.
///
/// A second signal means the program did not stop: the thread removes the temporary files
/// registered below and exits at once with status 130.
void start_interrupt_thread(const anthropic::CancellationSource& source);

/// The first signal received (SIGINT or SIGTERM), or 0.
int interrupt_signal() noexcept;

/// While one exists, a signal ends the program at once (status 130) instead of cancelling: for
/// phases that block where no token reaches (reading a batch file from a terminal) and have
/// nothing to clean up. Not nestable.
class ExitOnInterrupt {
 public:
  ExitOnInterrupt();
  ~ExitOnInterrupt();
  ExitOnInterrupt(const ExitOnInterrupt&) = delete;
  ExitOnInterrupt& operator=(const ExitOnInterrupt&) = delete;
};

/// Temporary files to remove if the program has to exit on a second signal without unwinding.
void register_temporary_file(const std::string& path);
void unregister_temporary_file(const std::string& path);

}  // namespace anthropic_batch
