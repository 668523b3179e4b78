// The whole batch lifecycle in one program.
//
// With ANTHROPIC_API_KEY set it talks to the real API (and is billed, at batch prices); without
// it, it starts the bundled emulator in-process on 127.0.0.1 and needs no key and no network.
//
//   1. create a batch of three questions and wait for it, with a live progress line;
//   2. print each result;
//   3. create a second batch, cancel it, and show `canceling` and the final request counts.

#include <anthropic/anthropic.hpp>
#include <anthropic/emulator/emulator.hpp>

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

// The GA Message Batches resource: `client.messages().batches()`. The beta resource
// (`client.beta().messages().batches()`, types with the Beta prefix) works the same way.
namespace am = anthropic::messages;
using anthropic::MessageParam;

namespace {

am::MessageBatchCreateParams make_batch(const std::string& prefix,
                                        const std::vector<std::string>& questions) {
  am::MessageBatchCreateParams params;
  for (const auto& q : questions) {
    am::MessageBatchCreateParams::Request r;
    r.custom_id = prefix + "-" + std::to_string(params.requests.size() + 1);
    r.params.model = "claude-haiku-4-5";
    r.params.max_tokens = 200;
    r.params.system = std::string("Answer in one short sentence.");
    r.params.messages.push_back(MessageParam::user(q));
    params.requests.push_back(std::move(r));
  }
  return params;
}

std::string counts(const am::MessageBatchRequestCounts& c) {
  return "processing=" + std::to_string(c.processing) +
         " succeeded=" + std::to_string(c.succeeded) + " errored=" + std::to_string(c.errored) +
         " canceled=" + std::to_string(c.canceled) + " expired=" + std::to_string(c.expired);
}

}  // namespace

int main() {
  try {
    std::unique_ptr<anthropic::emulator::Emulator> emulator;
    anthropic::ClientOptions options;
    const char* key = std::getenv("ANTHROPIC_API_KEY");
    if (key == nullptr || *key == '\0') {
      anthropic::emulator::EmulatorOptions eo;
      eo.processing_time = std::chrono::seconds(4);
      emulator = std::make_unique<anthropic::emulator::Emulator>(eo);
      emulator->start();
      options.base_url = emulator->base_url();
      options.api_key = eo.api_keys.front();
      std::cout << "No ANTHROPIC_API_KEY: using the local emulator at " << emulator->base_url()
                << "\n";
    }
    anthropic::Client client(options);
    am::BatchService& batches = client.messages().batches();

    // 1. Create and wait.
    am::MessageBatch batch = batches.create(
        make_batch("q", {"What is the capital of France?", "How many legs does a spider have?",
                         "What colour is the sky on a clear day?"}));
    std::cout << "Created " << batch.id << " (" << batch.request_counts.total() << " requests, "
              << batch.processing_status << ")\n";

    const bool tty = ::isatty(STDOUT_FILENO) != 0;
    am::WaitOptions wait;
    wait.initial_interval = std::chrono::milliseconds(emulator ? 250 : 5000);
    wait.max_interval = std::chrono::seconds(emulator ? 1 : 60);
    wait.on_progress = [&](const am::MessageBatch& b) {
      std::cout << (tty ? "\r" : "") << "  " << b.processing_status << ": "
                << counts(b.request_counts) << (tty ? "   " : "\n") << std::flush;
    };
    batch = batches.wait_until_ended(batch.id, wait);
    if (tty) std::cout << "\n";
    std::cout << "Ended at " << (batch.ended_at ? batch.ended_at->str() : "?") << "\n";

    // 2. Results (streamed; the order is not guaranteed: match by custom_id).
    for (const am::MessageBatchIndividualResponse& line : batches.results(batch.id)) {
      std::cout << "  " << line.custom_id << " [" << line.result.type << "] ";
      if (line.result.message) {
        for (const auto& block : line.result.message->content) {
          if (auto* text = std::get_if<anthropic::TextBlock>(&block)) {
            std::cout << text->text;
          }
        }
        std::cout << "  (" << line.result.message->usage.input_tokens << " in / "
                  << line.result.message->usage.output_tokens << " out tokens)";
      } else if (line.result.error) {
        std::cout << anthropic::error_type(line.result.error->error) << ": "
                  << anthropic::error_message(line.result.error->error);
      }
      std::cout << "\n";
    }

    // 3. Create another batch and cancel it.
    am::MessageBatch second = batches.create(
        make_batch("c", {"Write a haiku about autumn.", "Write a limerick about a cat.",
                         "Summarize the plot of Hamlet.", "List three prime numbers."}));
    std::cout << "Created " << second.id << "; cancelling it\n";
    // Against the emulator, let part of the batch finish first so the final counts show both
    // requests that completed before the cancel and requests it canceled.
    if (emulator) std::this_thread::sleep_for(std::chrono::seconds(2));
    am::MessageBatchCancelParams cancel;
    cancel.message_batch_id = second.id;
    am::MessageBatch canceling = batches.cancel(cancel);
    std::cout << "  " << canceling.processing_status << " since "
              << (canceling.cancel_initiated_at ? canceling.cancel_initiated_at->str() : "?")
              << "\n";
    wait.on_progress = nullptr;
    am::MessageBatch canceled = batches.wait_until_ended(second.id, wait);
    std::cout << "  final: " << canceled.processing_status << ", "
              << counts(canceled.request_counts) << "\n";
    return 0;
  } catch (const anthropic::AnthropicException& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
