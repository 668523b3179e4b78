#pragma once

// The Messages API model of the GA family: every type is generated from the schema
// (codegen/schema/messages_ga.schema, errors_ga.schema) into <anthropic/generated/models.gen.hpp>
// (namespace `anthropic`). This header adds the hand-written conveniences on top of the generated
// types. The beta family is the same under <anthropic/beta/beta_message.hpp>.

#include <anthropic/export.hpp>
#include <anthropic/generated/models.gen.hpp>

#include <string>

namespace anthropic {

/// The `type` of an error object (`"invalid_request_error"`, `"overloaded_error"`, ...), also for
/// one the SDK does not model (kept as RawJson); empty when it has none.
ANTHROPIC_EXPORT std::string error_type(const ErrorObject& error);

/// The human-readable `message` of an error object; empty when it has none.
ANTHROPIC_EXPORT std::string error_message(const ErrorObject& error);

}  // namespace anthropic
