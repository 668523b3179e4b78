// A downstream program: links anthropic::anthropic, builds a request, and talks to a closed local
// port to prove the library works end to end without network access.

#include <anthropic/anthropic.hpp>

#include <cstring>
#include <iostream>

int main() {
  namespace bm = anthropic::beta::messages;
  if (std::strlen(anthropic::version) == 0) return 1;

  anthropic::ClientOptions options;
  options.api_key = "sk-ant-consumer";
  options.base_url = "http://127.0.0.1:9";  // discard port: nothing listens
  options.max_retries = 0;
  anthropic::Client client(options);

  bm::BetaMessageBatchCreateParams params;
  bm::BetaMessageBatchCreateParams::Request request;
  request.custom_id = "consumer-1";
  request.params.model = "claude-sonnet-4-5";
  request.params.max_tokens = 16;
  request.params.messages.push_back(anthropic::beta::BetaMessageParam::user("hi"));
  params.requests.push_back(request);

  // Touch the out-of-line parts of the public API (catches a symbol a shared build forgot).
  anthropic::beta::BetaToolChoiceTool choice;
  choice.name = "record";
  request.params.tool_choice = choice;
  anthropic::beta::BetaThinkingConfigEnabled thinking;
  thinking.budget_tokens = 2048;
  request.params.thinking = thinking;
  if (anthropic::to_json(request.params).empty()) return 1;
  if (anthropic::from_json<anthropic::beta::BetaMessageCreateParams>(
          anthropic::to_json(request.params))
          .max_tokens != 16) {
    return 1;
  }
  request.params.messages.push_back(anthropic::beta::BetaMessageParam::user(
      {anthropic::beta::BetaImageBlockParam::url("https://example.com/cat.png")}));
  request.params.extra_fields = anthropic::RawJson(R"({"speed":"fast"})");
  bm::BatchCreateBodyBuilder builder;
  builder.add(request);
  builder.add_raw("raw-1", R"({"model":"m","max_tokens":1,"messages":[]})");
  if (std::move(builder).finish().request_count != 2) return 1;
  anthropic::Timestamp ts("2026-08-20T10:00:00.5Z");
  if (!ts.valid()) return 1;
  int lines = 0;
  for (const auto& line :
       bm::BatchResultsStream::from_jsonl(R"({"custom_id":"a","result":{"type":"expired"}})"
                                          "\n")) {
    lines += line.result.type == bm::BetaMessageBatchResultType::expired ? 1 : 0;
  }
  if (lines != 1) return 1;

  // The GA family: the same templates, instantiated in the library for both families.
  namespace am = anthropic::messages;
  am::MessageBatchCreateParams ga;
  am::MessageBatchCreateParams::Request ga_request;
  ga_request.custom_id = "consumer-ga";
  ga_request.params.model = "claude-sonnet-4-5";
  ga_request.params.max_tokens = 16;
  ga_request.params.messages.push_back(anthropic::MessageParam::user("hi"));
  ga.requests.push_back(ga_request);
  am::BatchCreateBodyBuilder ga_builder;
  ga_builder.add(ga_request);
  if (std::move(ga_builder).finish().request_count != 1) return 1;
  for (const auto& line :
       am::BatchResultsStream::from_jsonl(R"({"custom_id":"g","result":{"type":"canceled"}})")) {
    lines += line.result.type == am::MessageBatchResultType::canceled ? 1 : 0;
  }
  if (lines != 2) return 1;
  if (anthropic::from_json<am::MessageBatchIndividualResponse>(
          R"({"custom_id":"g","result":{"type":"expired"}})")
          .custom_id != "g") {
    return 1;
  }
  try {
    client.messages().batches().create(ga);
    return 1;
  } catch (const anthropic::AnthropicIoException& e) {
    if (e.may_have_reached_server()) return 1;
  }

  try {
    client.beta().messages().batches().create(params);
  } catch (const anthropic::AnthropicIoException& e) {
    if (e.may_have_reached_server()) {
      std::cerr << "a refused connection must not count as reaching the server\n";
      return 1;
    }
    std::cout << "anthropic-cpp " << anthropic::version << " linked and working: " << e.what()
              << "\n";
    return 0;
  }
  std::cerr << "expected a connection error\n";
  return 1;
}
