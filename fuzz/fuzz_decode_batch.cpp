// Fuzzes the decoder of a BetaMessageBatch (create, retrieve and cancel responses): any input
// either decodes or raises AnthropicInvalidDataException; nothing else may escape or crash.

#include <anthropic/errors.hpp>

#include "json/codecs.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  try {
    auto batch = anthropic::internal::json::decode_batch(input);
    (void)batch.processing_status.is_known();
    if (batch.ended_at && batch.ended_at->valid()) (void)batch.ended_at->time_point();
    (void)anthropic::internal::json::decode_deleted_batch(input);
  } catch (const anthropic::AnthropicInvalidDataException&) {
  }
  return 0;
}
