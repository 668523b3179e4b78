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
