#pragma once

// Private: the JSON codecs between the wire and the public model types. Decoders throw
// AnthropicInvalidDataException with a message naming the field.

#include <anthropic/beta/models/batch_params.hpp>
#include <anthropic/beta/models/batch_result.hpp>
#include <anthropic/models/batch_params.hpp>
#include <anthropic/models/batch_result.hpp>
#include <anthropic/models/message_batch.hpp>

#include "json/text.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace anthropic::internal::json {

// The templates on the family are instantiated for messages::GaFamily and
// beta::messages::BetaFamily (encode.cpp, decode.cpp).

/// Appends one `{"custom_id":...,"params":{...}}`; on an exception nothing is appended.
template <class Family>
void write_create_request(
    std::string& out,
    const typename messages::BasicMessageBatchCreateParams<Family>::Request& request);

/// An estimate of the bytes `write_create_request` appends (for reserving).
template <class Family>
std::size_t measure_create_request(
    const typename messages::BasicMessageBatchCreateParams<Family>::Request& request) noexcept;

messages::MessageBatch decode_batch(std::string_view json);
messages::DeletedMessageBatch decode_deleted_batch(std::string_view json);

struct ListPageData {
  std::vector<messages::MessageBatch> data;
  bool has_more = true;  // absent on the wire: true
  std::optional<std::string> first_id;
  std::optional<std::string> last_id;
};
ListPageData decode_list_page(std::string_view json);

template <class Family>
messages::BasicMessageBatchIndividualResponse<Family> decode_result_line(std::string_view json);

using text::append_json_string;

}  // namespace anthropic::internal::json
