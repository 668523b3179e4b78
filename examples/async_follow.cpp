// Many batches followed from one thread, with the async service.
//
// With ANTHROPIC_API_KEY set it talks to the real API (and is billed, at batch prices); without
// it, it starts the bundled emulator in-process on 127.0.0.1 and needs no key and no network.
//
//   1. create 20 small batches at once (20 futures, no thread per call);
//   2. follow them all until they end: 20 `wait_until_ended` futures, whose polls and waits are
//      timers on the client's one I/O thread;
//   3. print each batch's final counts, and how many I/O threads the SDK ran meanwhile (one).
//
// Usage: async_follow [BATCHES]   (default 20)

#include <anthropic/anthropic.hpp>
#include <anthropic/emulator/emulator.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace am = anthropic::messages;
using anthropic::MessageParam;

namespace {

am::MessageBatchCreateParams make_batch(int n) {
  am::MessageBatchCreateParams params;
  for (int i = 0; i < 3; ++i) {
    am::MessageBatchCreateParams::Request r;
    r.custom_id = "b" + std::to_string(n) + "-q" + std::to_string(i);
    r.params.model = "claude-haiku-4-5";
    r.params.max_tokens = 50;
    r.params.messages.push_back(
        MessageParam::user("Name a prime number above " + std::to_string(n * 10 + i) + "."));
    params.requests.push_back(std::move(r));
  }
  return params;
}

// The SDK's I/O threads in this process (Linux: threads named "anthropic-io"), or -1.
int io_threads() {
  std::error_code ec;
  std::filesystem::directory_iterator tasks("/proc/self/task", ec);
  if (ec) return -1;
  int n = 0;
  for (const auto& task : tasks) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    if (std::getline(comm, name) && name == "anthropic-io") ++n;
  }
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const int count = argc > 1 ? std::max(1, std::atoi(argv[1])) : 20;
    std::unique_ptr<anthropic::emulator::Emulator> emulator;
    anthropic::ClientOptions options;
    const char* key = std::getenv("ANTHROPIC_API_KEY");
    if (key == nullptr || *key == '\0') {
      anthropic::emulator::EmulatorOptions eo;
      eo.processing_time = std::chrono::seconds(2);
      emulator = std::make_unique<anthropic::emulator::Emulator>(eo);
      emulator->start();
      options.base_url = emulator->base_url();
      options.api_key = eo.api_keys.front();
      std::cout << "No ANTHROPIC_API_KEY: using the local emulator at " << emulator->base_url()
                << "\n";
    }
    anthropic::Client client(options);
    am::BatchServiceAsync& batches = client.async().messages().batches();

    // 1. Create them all at once.
    std::vector<std::future<am::MessageBatch>> created;
    for (int i = 0; i < count; ++i) created.push_back(batches.create(make_batch(i)));
    std::vector<std::string> ids;
    for (auto& f : created) ids.push_back(f.get().id);
    std::cout << "Created " << ids.size() << " batches\n";

    // 2. Follow them all from this thread.
    am::WaitOptions wait;
    wait.initial_interval = std::chrono::milliseconds(emulator ? 200 : 5000);
    wait.max_interval = std::chrono::seconds(emulator ? 1 : 60);
    std::vector<std::future<am::MessageBatch>> ended;
    for (const auto& id : ids) ended.push_back(batches.wait_until_ended(id, wait));
    const int threads_during = io_threads();

    // 3. Report.
    int succeeded = 0;
    for (auto& f : ended) {
      am::MessageBatch b = f.get();
      succeeded += static_cast<int>(b.request_counts.succeeded);
      std::cout << "  " << b.id << ": " << b.processing_status
                << ", succeeded=" << b.request_counts.succeeded << "\n";
    }
    std::cout << "All " << ended.size() << " batches ended; " << succeeded
              << " requests succeeded; the SDK used " << threads_during
              << " I/O thread(s) to follow them\n";
    return 0;
  } catch (const anthropic::AnthropicException& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
