// Fuzzes error responses: the body parsing and message of AnthropicServiceException, the status
// mapping, and the retry-after headers. Only the expected exception class may come out.

#include <anthropic/errors.hpp>
#include <anthropic/http/retrying_http_client.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  int status = 400 + (data[0] % 200);
  std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  anthropic::http::Headers headers;
  std::string header_value = body.substr(0, 40);
  headers.set("retry-after", header_value);
  headers.set("retry-after-ms", header_value);
  headers.set("x-should-retry", header_value);
  (void)anthropic::http::RetryingHttpClient::retry_after(headers, std::chrono::system_clock::now());
  (void)anthropic::http::RetryingHttpClient::should_retry(status, headers);
  try {
    anthropic::throw_service_exception(status, headers, body);
  } catch (const anthropic::AnthropicServiceException& e) {
    if (e.status_code() != status) __builtin_trap();
    (void)e.what();
  }
  return 0;
}
