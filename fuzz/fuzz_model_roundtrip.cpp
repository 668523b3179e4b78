// Fuzzes the generated model codecs: any input that decodes (as a results line, a batch request's
// params or a content block, of the beta family; as a message, params or a content block of the GA
// family) encodes to JSON that decodes again to the same encoding, byte for byte:
// decode -> encode -> decode is stable. A decode failure must be AnthropicInvalidDataException;
// nothing else may escape, crash, or change on the second pass.

#include <anthropic/beta/beta_message.hpp>
#include <anthropic/beta/messages/batch_results.hpp>
#include <anthropic/errors.hpp>
#include <anthropic/json.hpp>
#include <anthropic/message.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

template <class T>
void stable(std::string_view text) {
  T first;
  try {
    first = anthropic::from_json<T>(text);
  } catch (const anthropic::AnthropicInvalidDataException&) {
    return;
  }
  std::string once;
  try {
    once = anthropic::to_json(first);
  } catch (const anthropic::AnthropicInvalidRequestException&) {
    return;  // e.g. a non-finite number that decoded from an overlong literal
  }
  const std::string twice = anthropic::to_json(anthropic::from_json<T>(once));
  if (once != twice) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  stable<anthropic::beta::messages::BetaMessageBatchIndividualResponse>(text);
  stable<anthropic::beta::BetaMessageCreateParams>(text);
  stable<anthropic::beta::BetaContentBlockParam>(text);
  stable<anthropic::Message>(text);
  stable<anthropic::MessageCreateParams>(text);
  stable<anthropic::ContentBlockParam>(text);
  return 0;
}
