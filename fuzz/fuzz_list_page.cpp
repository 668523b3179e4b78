// Fuzzes the decoder of a list page.

#include <anthropic/errors.hpp>

#include "json/codecs.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    auto page = anthropic::internal::json::decode_list_page(
        std::string_view(reinterpret_cast<const char*>(data), size));
    for (const auto& b : page.data) (void)b.request_counts.total();
  } catch (const anthropic::AnthropicInvalidDataException&) {
  }
  return 0;
}
