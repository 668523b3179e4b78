// Fuzzes the results stream end to end: line splitting (\n, \r\n, blank lines, no final
// newline) and the decoding of each line. A malformed line raises AnthropicInvalidDataException
// and the stream continues after it; nothing else may escape or crash.

#include <anthropic/beta/messages/batch_results.hpp>
#include <anthropic/errors.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto stream = anthropic::beta::messages::BatchResultsStream::from_jsonl(
      std::string(reinterpret_cast<const char*>(data), size));
  for (int guard = 0; guard < 100000; ++guard) {
    try {
      auto line = stream.next();
      if (!line) break;
      if (line->result.message) (void)line->result.message->content.size();
    } catch (const anthropic::AnthropicInvalidDataException&) {
    }
  }
  return 0;
}
