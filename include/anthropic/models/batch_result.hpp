#pragma once

// The model of one line of a batch's results file (both families' templates and the GA names),
// and its JSON codec. The stream that reads a results file is in
// <anthropic/messages/batch_results.hpp>.

#include <anthropic/export.hpp>
#include <anthropic/models/batch_params.hpp>
#include <anthropic/models/message_batch.hpp>
#include <anthropic/raw_json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace anthropic::messages {

/// The outcome of one request (the wire's `result` union, flattened): `message` is set for
/// `succeeded`, `error` for `errored`; for a type the SDK does not know, `raw` holds the whole
/// `result` object. Members of `result` the SDK does not model are kept in `extra_fields`.
/// `Family` is `GaFamily` (`MessageBatchResult`: `anthropic::Message`, `anthropic::ErrorResponse`)
/// or `beta::messages::BetaFamily` (`BetaMessageBatchResult`: the `Beta` types).
template <class Family>
struct BasicMessageBatchResult {
  /// `succeeded`, `errored`, `canceled`, `expired`, or a newer value (then `raw` is set).
  MessageBatchResultType type;
  /// The model's reply, for `succeeded`.
  std::optional<typename Family::Message> message;
  /// The error envelope, for `errored`: what the same request sent directly would have thrown.
  std::optional<typename Family::ErrorResponse> error;
  /// The whole `result` object, for a `type` the SDK does not know.
  std::optional<RawJson> raw;
  /// Members of `result` the SDK does not model, kept verbatim.
  std::optional<RawJson> extra_fields;
};

/// One line of a batch's results file.
template <class Family>
struct BasicMessageBatchIndividualResponse {
  /// The `custom_id` the request was given in `create`: results come in no particular order,
  /// so this is how a line is matched to its request.
  std::string custom_id;
  /// What happened to the request.
  BasicMessageBatchResult<Family> result;
  /// Members of the line the SDK does not model, kept verbatim.
  std::optional<RawJson> extra_fields;
};

/// A results line of a GA batch: `result.message` is an `anthropic::Message`.
using MessageBatchResult = BasicMessageBatchResult<GaFamily>;
/// One line of a GA batch's results: `custom_id` and `result`.
using MessageBatchIndividualResponse = BasicMessageBatchIndividualResponse<GaFamily>;

}  // namespace anthropic::messages

namespace anthropic::messages {
///@{
/// Decoder behind `anthropic::from_json<MessageBatchResult>(text)` and the same for a results
/// line (both families; found by argument-dependent lookup, call `from_json`). Throws
/// `AnthropicInvalidDataException`.
template <class Family>
ANTHROPIC_EXPORT void anthropic_from_json(std::string_view text,
                                          BasicMessageBatchResult<Family>& value);
template <class Family>
ANTHROPIC_EXPORT void anthropic_from_json(std::string_view text,
                                          BasicMessageBatchIndividualResponse<Family>& value);
///@}
}  // namespace anthropic::messages

namespace anthropic {
///@{
/// A result, or a whole results line, as JSON in the wire's shape (`raw` written back whole).
template <class Family>
ANTHROPIC_EXPORT std::string to_json(const messages::BasicMessageBatchResult<Family>& value);
template <class Family>
ANTHROPIC_EXPORT std::string to_json(
    const messages::BasicMessageBatchIndividualResponse<Family>& value);
///@}
}  // namespace anthropic
