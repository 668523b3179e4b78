#pragma once

// Private: the params naming one batch, behind the overloads of the blocking and the async
// services that take a batch id.

#include <string>

namespace anthropic::internal {

template <class Params>
Params with_id(const std::string& message_batch_id) {
  Params params;
  params.message_batch_id = message_batch_id;
  return params;
}

}  // namespace anthropic::internal
