#pragma once

/// @file
/// The Message Batches API's limits on one batch, in one place: the create-body builder checks
/// them, the batch job splits by them by default, and the emulator enforces them.

#include <cstddef>

namespace anthropic {

/// The most requests the API accepts in one batch.
inline constexpr std::size_t kMaxBatchRequests = 100000;

/// The largest create body the API accepts: 256 MiB.
inline constexpr std::size_t kMaxBatchBodyBytes = std::size_t{256} * 1024 * 1024;

}  // namespace anthropic
