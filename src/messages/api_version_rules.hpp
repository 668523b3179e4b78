#pragma once

#include <string_view>

namespace anthropic::internal {

/// Throws `AnthropicInvalidRequestException` ("params.temperature ...", "params.messages[2]
/// .content[0] ...") when `params` uses something that `api_version` removed or rejects:
/// from 2026-10-21, `temperature`/`top_p`/`top_k` (typed or in `extra_fields`), a `document`
/// block directly in an assistant message, and a user `text` block with non-empty `citations`
/// (directly or inside a `search_result` block), typed or given as `RawJson` (read as the typed
/// block it spells; raw params are decoded to the typed form first, see add_raw). Nothing is
/// checked under earlier versions. Only what the API rejects today: a field it may accept
/// tomorrow is never refused here.
/// `Family` is `GaFamily` or `beta::messages::BetaFamily` (instantiated for both).
template <class Family>
void check_api_version_rules(const typename Family::MessageCreateParams& params,
                             std::string_view api_version);

}  // namespace anthropic::internal
