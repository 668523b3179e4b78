#pragma once

// Private: what the Client builds for `client.async()`.

#include <anthropic/beta/messages/batch_service_async.hpp>
#include <anthropic/client_options.hpp>
#include <anthropic/http/curl_http_client.hpp>
#include <anthropic/messages/batch_service_async.hpp>

#include "client_config.hpp"
#include "messages/http_batch_service.hpp"

#include <memory>

namespace anthropic::internal {

/// What runs the async calls of one client: an I/O thread on libcurl's multi interface, or (with
/// a caller-supplied transport) a pool of worker threads. Threads start with the first call.
class AsyncEngine {
 public:
  virtual ~AsyncEngine();
  /// Completes every call in flight or queued with AnthropicCancelledException ("client
  /// destroyed") and joins the threads; later calls complete at once with that error.
  virtual void shutdown() = 0;
};

/// The connections behind both families' async services, and their engine.
struct AsyncServices {
  std::shared_ptr<AsyncEngine> engine;
  std::shared_ptr<messages::BasicBatchServiceAsyncConnection<messages::GaFamily>> ga;
  std::shared_ptr<messages::BasicBatchServiceAsyncConnection<beta::messages::BetaFamily>> beta;
};

/// The async services over the blocking ones (which build the requests and decode the answers).
/// `curl`: the libcurl settings, used unless `options.http_client` is set.
AsyncServices make_async_services(
    const ClientOptions& options, const ClientConfig& config,
    const http::CurlHttpClientOptions& curl,
    std::shared_ptr<HttpBatchService<messages::GaFamily>> ga,
    std::shared_ptr<HttpBatchService<beta::messages::BetaFamily>> beta);

}  // namespace anthropic::internal
