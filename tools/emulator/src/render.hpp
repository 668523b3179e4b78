// JSON shapes of the Message Batches API, as the emulator writes them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model.hpp"

namespace anthropic::internal::emulator {

/// A `message_batch` object. `origin` ("http://host:port") prefixes `results_url`.
std::string batch_json(const Batch& batch, const std::string& origin);

/// A list page: {"data":[...],"has_more":..,"first_id":..,"last_id":..}.
std::string list_page_json(const std::vector<Batch>& page, bool has_more,
                           const std::string& origin);

/// {"id":..,"type":"message_batch_deleted"}
std::string deleted_json(const std::string& id);

/// The API's error envelope: {"type":"error","error":{"type":..,"message":..},"request_id":..}.
std::string error_json(std::string_view type, std::string_view message,
                       std::string_view request_id);

/// The error type the API uses for an HTTP status (400 invalid_request_error, 408 and 504
/// timeout_error, 429 rate_limit_error, 529 overloaded_error, other 5xx api_error, ...).
const char* error_type_for_status(int status);

/// Appends the JSONL result line (with its trailing '\n') of request `index` of an ended batch.
void append_result_line(std::string& out, const Batch& batch, std::size_t index);

/// The order in which the result lines of a batch of `n` requests are written: a shuffle
/// (Fisher-Yates) seeded from the batch id, so one batch always gives the same order (and the
/// same bytes, which a `Range` resume relies on) while batches differ from one another.
std::vector<std::uint32_t> shuffled_result_order(const std::string& batch_id, std::size_t n);

/// Deterministic "msg_..." id of request `index` of batch `batch_id`.
std::string message_id(const std::string& batch_id, std::size_t index);

}  // namespace anthropic::internal::emulator
