#pragma once

/// Umbrella header of anthropic-cpp.

#include <anthropic/api_version.hpp>
#include <anthropic/beta/beta_message.hpp>
#include <anthropic/beta/beta_message_param.hpp>
#include <anthropic/beta/messages/batch_create_body.hpp>
#include <anthropic/beta/messages/batch_list_page.hpp>
#include <anthropic/beta/messages/batch_params.hpp>
#include <anthropic/beta/messages/batch_results.hpp>
#include <anthropic/beta/messages/batch_service.hpp>
#include <anthropic/beta/messages/batch_service_async.hpp>
#include <anthropic/beta/messages/beta_message_batch.hpp>
#include <anthropic/box.hpp>
#include <anthropic/cancellation.hpp>
#include <anthropic/client.hpp>
#include <anthropic/client_options.hpp>
#include <anthropic/errors.hpp>
#include <anthropic/http/headers.hpp>
#include <anthropic/http/http_client.hpp>
#include <anthropic/json.hpp>
#include <anthropic/logging.hpp>
#include <anthropic/message.hpp>
#include <anthropic/message_param.hpp>
#include <anthropic/messages/batch_create_body.hpp>
#include <anthropic/messages/batch_job.hpp>
#include <anthropic/messages/batch_list_page.hpp>
#include <anthropic/messages/batch_params.hpp>
#include <anthropic/messages/batch_results.hpp>
#include <anthropic/messages/batch_service.hpp>
#include <anthropic/messages/batch_service_async.hpp>
#include <anthropic/messages/message_batch.hpp>
#include <anthropic/open_enum.hpp>
#include <anthropic/raw_json.hpp>
#include <anthropic/response_metadata.hpp>
#include <anthropic/timestamp.hpp>
#include <anthropic/version.hpp>
