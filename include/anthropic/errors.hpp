#pragma once

#include <anthropic/export.hpp>
#include <anthropic/http/headers.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>

namespace anthropic {

/// Root of every exception the SDK throws. No exception of nlohmann/json or libcurl escapes the
/// SDK, and no message ever contains a credential.
///
///     try {
///       batch = client.messages().batches().create(params);
///     } catch (const anthropic::RateLimitException& e) {          // 429, after the retries
///       wait(e.retry_after().value_or(std::chrono::seconds(30)));
///     } catch (const anthropic::AnthropicServiceException& e) {   // any other HTTP error
///       log(e.status_code(), e.error_type(), e.request_id());
///     } catch (const anthropic::AnthropicIoException& e) {        // no response
///       if (e.may_have_reached_server()) { /* the batch may exist: list before resending */ }
///     }
///
/// Exceptions are immutable once thrown; copying one copies its headers and body.
class ANTHROPIC_EXPORT AnthropicException : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  ~AnthropicException() override;
};

/// The server answered with an HTTP error status (>= 400).
///
/// `what()` reads "<status> <error.type>: <error.message> (request-id: <id>)"; when the body is not
/// the API's JSON error envelope (a 413 from a proxy, an HTML 502) it carries the start of the raw
/// text instead. Use `throw_service_exception` to throw the subclass that matches a status.
/// A non-empty `note` is appended to `what()` after "; " (what the status means for this call,
/// such as a 504 on a create: the batch may exist).
class ANTHROPIC_EXPORT AnthropicServiceException : public AnthropicException {
 public:
  /// Parses `body` as the API's error envelope (`error.type`, `error.message`, `request_id`)
  /// when it is one; keeps at most 1 MiB of it. Mostly for transports and tests: the SDK throws
  /// these itself, and `throw_service_exception` picks the subclass of a status.
  AnthropicServiceException(int status_code, http::Headers headers, std::string body,
                            std::string note = {});
  ~AnthropicServiceException() override;

  /// The HTTP status (400, 404, 429, 529, ...).
  int status_code() const noexcept { return status_code_; }
  /// The response headers (`request-id`, `retry-after`, rate-limit headers, ...).
  const http::Headers& headers() const noexcept { return headers_; }
  /// Raw response body (at most 1 MiB of it is kept).
  const std::string& body() const noexcept { return body_; }
  /// `error.type` of the JSON body (`rate_limit_error`, ...), or "" when the body has none.
  const std::string& error_type() const noexcept { return error_type_; }
  /// `error.message` of the JSON body, or "".
  const std::string& error_message() const noexcept { return error_message_; }
  /// The `request-id` header, else the body's `request_id`, else "".
  const std::string& request_id() const noexcept { return request_id_; }
  /// The wait the server asked for (`retry-after-ms` / `retry-after`), when it sent one.
  std::optional<std::chrono::milliseconds> retry_after() const noexcept { return retry_after_; }

 private:
  struct Parsed;
  explicit AnthropicServiceException(Parsed&& parsed);
  static Parsed parse(int status_code, http::Headers&& headers, std::string&& body,
                      std::string&& note);

  int status_code_;
  http::Headers headers_;
  std::string body_;
  std::string error_type_;
  std::string error_message_;
  std::string request_id_;
  std::optional<std::chrono::milliseconds> retry_after_;
};

// One subclass per status class, so that a caller catches what it handles: `catch (const
// RateLimitException&)`. `Base` is `AnthropicServiceException` except for 529.
#define ANTHROPIC_SERVICE_EXCEPTION(Name, Base)                                           \
  class ANTHROPIC_EXPORT Name : public Base {                                             \
   public:                                                                                \
    /** As `AnthropicServiceException`'s constructor. */                                  \
    Name(int status_code, http::Headers headers, std::string body, std::string note = {}) \
        : Base(status_code, std::move(headers), std::move(body), std::move(note)) {}      \
    ~Name() override;                                                                     \
  };

/// 400: the request is malformed or invalid (`invalid_request_error`).
ANTHROPIC_SERVICE_EXCEPTION(BadRequestException, AnthropicServiceException)
/// 401: the credential is missing, wrong or expired (`authentication_error`).
ANTHROPIC_SERVICE_EXCEPTION(AuthenticationException, AnthropicServiceException)
/// 402: a billing problem on the account (`billing_error`).
ANTHROPIC_SERVICE_EXCEPTION(BillingException, AnthropicServiceException)
/// 403: the credential may not use this resource (`permission_error`).
ANTHROPIC_SERVICE_EXCEPTION(PermissionDeniedException, AnthropicServiceException)
/// 404: no such batch (or resource) for this credential (`not_found_error`).
ANTHROPIC_SERVICE_EXCEPTION(NotFoundException, AnthropicServiceException)
/// 409: the request conflicts with the resource's state; retried before it is thrown.
ANTHROPIC_SERVICE_EXCEPTION(ConflictException, AnthropicServiceException)
/// 413: the body is too large (the API's limit, or a proxy's: then `body()` is not JSON).
ANTHROPIC_SERVICE_EXCEPTION(RequestTooLargeException, AnthropicServiceException)
/// 422: the request is well-formed but cannot be processed.
ANTHROPIC_SERVICE_EXCEPTION(UnprocessableEntityException, AnthropicServiceException)
/// 429: a rate limit was hit; `retry_after()` says how long the server asked to wait. Thrown
/// once the retries are spent, or at once when the wait exceeds `max_retry_after`.
ANTHROPIC_SERVICE_EXCEPTION(RateLimitException, AnthropicServiceException)
/// 5xx: the server failed (`api_error`); retried before it is thrown (a 504 on `create` only
/// with `retry_create_on_unknown_outcome`).
ANTHROPIC_SERVICE_EXCEPTION(InternalServerException, AnthropicServiceException)
/// 529: the API is overloaded (`overloaded_error`); a kind of `InternalServerException`,
/// retried like it.
ANTHROPIC_SERVICE_EXCEPTION(OverloadedException, InternalServerException)
/// Any other error status (a 3xx the transport did not follow, a 4xx the SDK does not name).
ANTHROPIC_SERVICE_EXCEPTION(UnexpectedStatusCodeException, AnthropicServiceException)

#undef ANTHROPIC_SERVICE_EXCEPTION

/// Throws the `AnthropicServiceException` subclass that matches `status_code`; `note`, when not
/// empty, is appended to its `what()`.
[[noreturn]] ANTHROPIC_EXPORT void throw_service_exception(int status_code, http::Headers headers,
                                                           std::string body, std::string note = {});

/// A transport failure: connect, TLS, reset, timeout, a body cut short.
class ANTHROPIC_EXPORT AnthropicIoException : public AnthropicException {
 public:
  /// `may_have_reached_server`: false only when the request certainly never left (refused
  /// connection, DNS failure); true when the outcome on the server is unknown.
  AnthropicIoException(const std::string& message, bool may_have_reached_server);
  ~AnthropicIoException() override;

  /// False only when the request certainly never reached the server: a resend cannot duplicate
  /// it. True when the outcome is unknown: a `create` may have made a batch.
  bool may_have_reached_server() const noexcept { return may_have_reached_server_; }

 private:
  bool may_have_reached_server_;
};

/// A call stopped because its `CancellationToken` was cancelled. A kind of `AnthropicIoException`:
/// `may_have_reached_server()` says whether the request may have been received (for a cancelled
/// `create`, whether the batch may exist).
class ANTHROPIC_EXPORT AnthropicCancelledException : public AnthropicIoException {
 public:
  using AnthropicIoException::AnthropicIoException;
  ~AnthropicCancelledException() override;
};

/// A response that does not decode as the API documents it (malformed JSON, wrong types, a
/// missing required field, a malformed results line).
class ANTHROPIC_EXPORT AnthropicInvalidDataException : public AnthropicException {
 public:
  using AnthropicException::AnthropicException;
  ~AnthropicInvalidDataException() override;
};

/// Parameters the SDK rejects before anything is sent (missing credentials, an empty id, an
/// invalid `custom_id`, ...). `request_index()` names the offending entry of a batch, if any.
class ANTHROPIC_EXPORT AnthropicInvalidRequestException : public AnthropicException {
 public:
  /// `request_index`: the position in `params.requests` of the entry at fault, if one is.
  explicit AnthropicInvalidRequestException(const std::string& message,
                                            std::optional<std::size_t> request_index = {});
  ~AnthropicInvalidRequestException() override;

  /// The position in `params.requests` of the offending request; empty when the fault is not
  /// one request's (credentials, an empty id, too many requests).
  std::optional<std::size_t> request_index() const noexcept { return request_index_; }

 private:
  std::optional<std::size_t> request_index_;
};

}  // namespace anthropic
