#pragma once

#include <anthropic/export.hpp>
#include <anthropic/http/headers.hpp>

#include <string>

namespace anthropic {

/// What arrived with a successful response: set `RequestOptions::response_into` to receive it
/// (as the Go SDK's `option.WithResponseInto`). Useful first for `request_id()`, which support
/// asks for, for example about the `create` that made a batch.
///
/// It is filled when the response's headers have arrived with a 2xx status, before the body is
/// decoded (for `results`, when the stream opens; a reconnect after a broken transfer does not
/// change it); a failed call leaves it untouched (the exception carries the same data). For an
/// auto-paging list it describes the page fetched last. Plain data: the caller owns it and must
/// keep it alive during the call, and not read it from another thread meanwhile.
struct ResponseMetadata {
  /// The HTTP status (200); 0 until filled.
  int status_code = 0;
  http::Headers headers;  ///< every response header, names as received

  /// The `request-id` header, or "" when there was none.
  std::string request_id() const {
    const std::string* id = headers.find("request-id");
    return id != nullptr ? *id : std::string();
  }
};

}  // namespace anthropic
