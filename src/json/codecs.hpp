#pragma once

// Private: the JSON codecs between the wire and the public model types. Decoders throw
// AnthropicInvalidDataException (never a nlohmann exception) with a message naming the field.

#include <anthropic/beta/messages/batch_params.hpp>
#include <anthropic/beta/messages/batch_results.hpp>
#include <anthropic/beta/messages/beta_message_batch.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace anthropic::json {

/// Appends the compact JSON body of `POST /v1/messages/batches` (`{"requests":[...]}`) to `out`,
/// writing straight from the typed params (no intermediate JSON tree). Fields never set are
/// omitted. Throws AnthropicInvalidRequestException (with the request index) when a RawJson that
/// must be an object is not one.
void write_create_body(std::string& out,
                       const beta::messages::BetaMessageBatchCreateParams& params);

/// Appends one `{"custom_id":...,"params":{...}}` entry (the element of `requests`).
void write_create_request(std::string& out,
                          const beta::messages::BetaMessageBatchCreateParams::Request& request);

/// The size `write_create_request` will write, before escapes (numbers counted at their longest);
/// 0 for a request it would reject. Touches no string bytes: cheap next to writing.
std::size_t measure_create_request(
    const beta::messages::BetaMessageBatchCreateParams::Request& request) noexcept;

beta::messages::BetaMessageBatch decode_batch(std::string_view json);
beta::messages::BetaDeletedMessageBatch decode_deleted_batch(std::string_view json);

struct ListPageData {
  std::vector<beta::messages::BetaMessageBatch> data;
  bool has_more = true;  // absent on the wire: true
  std::optional<std::string> first_id;
  std::optional<std::string> last_id;
};
ListPageData decode_list_page(std::string_view json);

/// One results line (without its line terminator).
beta::messages::BetaMessageBatchIndividualResponse decode_result_line(std::string_view json);

/// Appends `s` as a JSON string literal (quotes included) to `out`. Invalid UTF-8 is replaced
/// with U+FFFD so that the output is always valid JSON.
void append_json_string(std::string& out, std::string_view s);

}  // namespace anthropic::json
