// A downstream test program: links anthropic::anthropic and anthropic::emulator, starts the
// emulator in-process on 127.0.0.1, and runs a batch through the SDK against it: create,
// retrieve, the emulator's clock moved to the end, results. Any difference from what the
// emulator promises is a failure (exit status 1, with the reason on stderr).

#include <anthropic/anthropic.hpp>
#include <anthropic/emulator/emulator.hpp>

#include <chrono>
#include <exception>
#include <iostream>
#include <map>
#include <string>
#include <variant>

namespace {

int failures = 0;

void expect(bool ok, const std::string& what) {
  if (!ok) {
    std::cerr << "emulator_consumer: FAILED: " << what << "\n";
    ++failures;
  }
}

}  // namespace

int main() {
  namespace am = anthropic::messages;
  try {
    anthropic::emulator::EmulatorOptions emulator_options;
    emulator_options.host = "127.0.0.1";
    emulator_options.manual_clock = true;  // the batch ends when advance() says so
    emulator_options.processing_time = std::chrono::seconds(10);
    anthropic::emulator::Emulator emulator(emulator_options);
    emulator.start();
    expect(emulator.port() > 0, "the emulator listens on a port chosen by the OS");

    anthropic::ClientOptions options;
    options.base_url = emulator.base_url();
    options.api_key = "sk-ant-emulator";
    options.max_retries = 0;
    anthropic::Client client(options);
    am::BatchService& batches = client.messages().batches();

    am::MessageBatchCreateParams params;
    for (const char* id : {"first", "second"}) {
      am::MessageBatchCreateParams::Request request;
      request.custom_id = id;
      request.params.model = "claude-sonnet-4-5";
      request.params.max_tokens = 32;
      request.params.messages.push_back(anthropic::MessageParam::user(std::string("Hello ") + id));
      params.requests.push_back(request);
    }
    am::MessageBatch created = batches.create(params);
    expect(created.id.rfind("msgbatch_", 0) == 0,
           "a batch id starts with msgbatch_: " + created.id);
    expect(created.processing_status == am::ProcessingStatus::in_progress,
           "a new batch is in_progress, not " + created.processing_status.str());
    expect(created.request_counts.processing == 2, "both requests are processing");

    am::MessageBatch retrieved = batches.retrieve(created.id);
    expect(retrieved.id == created.id, "retrieve returns the batch created");
    expect(retrieved.request_counts == created.request_counts, "and the same counts");

    emulator.advance(std::chrono::seconds(11));
    am::MessageBatch ended = batches.retrieve(created.id);
    expect(ended.processing_status == am::ProcessingStatus::ended,
           "after the processing time the batch has ended, not " + ended.processing_status.str());
    expect(ended.request_counts.succeeded == 2, "both requests succeeded");

    std::map<std::string, std::string> answers;
    for (const am::MessageBatchIndividualResponse& line : batches.results(created.id)) {
      if (line.result.type != am::MessageBatchResultType::succeeded || !line.result.message) {
        expect(false, line.custom_id + " did not succeed: " + line.result.type.str());
        continue;
      }
      const auto* text = std::get_if<anthropic::TextBlock>(&line.result.message->content.at(0));
      answers[line.custom_id] = text != nullptr ? text->text : "(not a text block)";
    }
    expect(answers.size() == 2, "two result lines, one per custom_id");
    for (const char* id : {"first", "second"}) {
      expect(answers[id].find(std::string("Hello ") + id) != std::string::npos,
             std::string("the emulator echoes the request of ") + id + ": " + answers[id]);
    }
    expect(emulator.stats().requests >= 4, "the emulator served the SDK's requests");
    emulator.stop();
  } catch (const std::exception& e) {
    std::cerr << "emulator_consumer: FAILED with an exception: " << e.what() << "\n";
    return 1;
  }
  if (failures != 0) return 1;
  std::cout << "anthropic-cpp " << anthropic::version
            << " and anthropic::emulator linked and working: a batch created, retrieved and read\n";
  return 0;
}
