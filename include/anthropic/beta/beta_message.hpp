#pragma once

// The Messages API model of the beta family: every type is generated from the schema
// (codegen/schema/messages_beta.schema) into <anthropic/beta/generated/beta_models.gen.hpp>.
// This header adds the hand-written conveniences on top of the generated types.

#include <anthropic/beta/generated/beta_models.gen.hpp>
#include <anthropic/export.hpp>

#include <string>

namespace anthropic::beta {

/// The `type` of an error object (`"invalid_request_error"`, `"overloaded_error"`, ...), also for
/// one the SDK does not model (kept as RawJson); empty when it has none.
ANTHROPIC_EXPORT std::string error_type(const BetaErrorObject& error);

/// The human-readable `message` of an error object; empty when it has none.
ANTHROPIC_EXPORT std::string error_message(const BetaErrorObject& error);

}  // namespace anthropic::beta
