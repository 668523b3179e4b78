// Creates a Message Batch of two requests, then cancels it.
//
//   ANTHROPIC_API_KEY=sk-ant-... ./create_and_cancel
//   ANTHROPIC_BASE_URL=http://127.0.0.1:8080 ANTHROPIC_API_KEY=sk-ant-emulator ./create_and_cancel
//
// Warning: against the real API this creates (and bills up to the moment of cancellation) a batch.

#include <anthropic/anthropic.hpp>

#include <iostream>

int main() {
  namespace am = anthropic::messages;  // GA; the beta resource is anthropic::beta::messages
  using anthropic::MessageParam;

  try {
    anthropic::Client client = anthropic::Client::from_env();
    am::BatchService& batches = client.messages().batches();

    am::MessageBatchCreateParams params;
    for (const char* question : {"What is the capital of France?", "Name a prime above 100."}) {
      am::MessageBatchCreateParams::Request request;
      request.custom_id = "question-" + std::to_string(params.requests.size() + 1);
      request.params.model = "claude-sonnet-4-5";
      request.params.max_tokens = 256;
      request.params.messages.push_back(MessageParam::user(question));
      params.requests.push_back(std::move(request));
    }

    am::MessageBatch batch = batches.create(params);
    std::cout << "created " << batch.id << ": " << batch.processing_status << ", "
              << batch.request_counts.processing << " requests processing\n";

    am::MessageBatchCancelParams cancel;
    cancel.message_batch_id = batch.id;
    am::MessageBatch canceling = batches.cancel(cancel);
    std::cout << "cancel requested: " << canceling.processing_status;
    if (canceling.cancel_initiated_at) std::cout << " at " << canceling.cancel_initiated_at->str();
    std::cout << "\n";
    return 0;
  } catch (const anthropic::AnthropicServiceException& e) {
    std::cerr << "API error " << e.status_code() << " (" << e.error_type() << "): " << e.what()
              << "\n";
  } catch (const anthropic::AnthropicException& e) {
    std::cerr << "error: " << e.what() << "\n";
  }
  return 1;
}
