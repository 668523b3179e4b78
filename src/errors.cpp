#include <anthropic/errors.hpp>

#include "json/reader.hpp"
#include "retry_after.hpp"

#include <string>
#include <utility>

namespace anthropic {

namespace {

constexpr std::size_t kMaxKeptBody = 1 << 20;  // bytes of an error body kept in the exception
constexpr std::size_t kMaxQuotedBody = 512;    // bytes of a non-JSON body quoted in what()

// Printable, single-line excerpt of a raw body for a message.
std::string excerpt(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, kMaxQuotedBody)) {
    unsigned char u = static_cast<unsigned char>(c);
    out.push_back((u < 0x20 || u == 0x7f) ? ' ' : c);
  }
  if (body.size() > kMaxQuotedBody) out += "...";
  return out;
}

}  // namespace

struct AnthropicServiceException::Parsed {
  int status_code = 0;
  http::Headers headers;
  std::string body;
  std::string error_type;
  std::string error_message;
  std::string request_id;
  std::optional<std::chrono::milliseconds> retry_after;
  std::string what;
};

AnthropicServiceException::Parsed AnthropicServiceException::parse(int status_code,
                                                                   http::Headers&& headers,
                                                                   std::string&& body,
                                                                   std::string&& note) {
  Parsed p;
  p.status_code = status_code;
  if (body.size() > kMaxKeptBody) body.resize(kMaxKeptBody);
  p.retry_after = internal::retry_after(headers, std::chrono::system_clock::now());

  // The API's envelope: {"type":"error","error":{"type":..,"message":..},"request_id":..}, read
  // with the library's pull reader; a body that is not whole, valid JSON (a proxy's 413, an HTML
  // 502) is reported through its raw text below. Of repeated members the last counts, as with
  // any JSON parser.
  bool enveloped = false;
  try {
    internal::json::Reader r(body, "error body");
    std::string type, message, request_id;
    if (r.peek() == internal::json::Reader::Kind::object) {
      r.begin_object();
      bool first = true;
      std::string_view key;
      while (r.next_key(first, key)) {
        if (key == "error" && r.peek() == internal::json::Reader::Kind::object) {
          type.clear();
          message.clear();
          r.begin_object();
          bool first_inner = true;
          std::string_view inner;
          while (r.next_key(first_inner, inner)) {
            std::string* target = inner == "type" ? &type : inner == "message" ? &message : nullptr;
            if (target && r.peek() == internal::json::Reader::Kind::string) {
              r.read_string(*target);
            } else {
              if (target) target->clear();
              r.skip();
            }
          }
        } else if (key == "request_id" && r.peek() == internal::json::Reader::Kind::string) {
          r.read_string(request_id);
        } else {
          if (key == "error") {
            type.clear();
            message.clear();
          } else if (key == "request_id") {
            request_id.clear();
          }
          r.skip();
        }
      }
    } else {
      r.skip();
    }
    r.finish();
    p.error_type = std::move(type);
    p.error_message = std::move(message);
    p.request_id = std::move(request_id);
    enveloped = !p.error_type.empty() || !p.error_message.empty();
  } catch (const AnthropicInvalidDataException&) {
    // Not JSON: nothing taken from it.
  }
  if (const std::string* rid = headers.find("request-id"); rid && !rid->empty()) {
    p.request_id = *rid;
  }

  std::string what = std::to_string(status_code);
  if (enveloped) {
    if (!p.error_type.empty()) what += " " + p.error_type;
    what += ": " + (p.error_message.empty() ? std::string("(no message)") : p.error_message);
  } else if (body.empty()) {
    what += ": (empty body)";
  } else {
    what += ": " + excerpt(body);
  }
  if (!p.request_id.empty()) what += " (request-id: " + p.request_id + ")";
  if (p.retry_after) what += " (retry after " + std::to_string(p.retry_after->count()) + " ms)";
  if (!note.empty()) what += "; " + note;
  p.what = std::move(what);
  p.headers = std::move(headers);
  p.body = std::move(body);
  return p;
}

AnthropicServiceException::AnthropicServiceException(int status_code, http::Headers headers,
                                                     std::string body, std::string note)
    : AnthropicServiceException(
          parse(status_code, std::move(headers), std::move(body), std::move(note))) {}

AnthropicServiceException::AnthropicServiceException(Parsed&& p)
    : AnthropicException(p.what),
      status_code_(p.status_code),
      headers_(std::move(p.headers)),
      body_(std::move(p.body)),
      error_type_(std::move(p.error_type)),
      error_message_(std::move(p.error_message)),
      request_id_(std::move(p.request_id)),
      retry_after_(p.retry_after) {}

AnthropicException::~AnthropicException() = default;
AnthropicServiceException::~AnthropicServiceException() = default;
BadRequestException::~BadRequestException() = default;
AuthenticationException::~AuthenticationException() = default;
PermissionDeniedException::~PermissionDeniedException() = default;
BillingException::~BillingException() = default;
NotFoundException::~NotFoundException() = default;
ConflictException::~ConflictException() = default;
RequestTooLargeException::~RequestTooLargeException() = default;
UnprocessableEntityException::~UnprocessableEntityException() = default;
RateLimitException::~RateLimitException() = default;
InternalServerException::~InternalServerException() = default;
OverloadedException::~OverloadedException() = default;
UnexpectedStatusCodeException::~UnexpectedStatusCodeException() = default;

void throw_service_exception(int status, http::Headers headers, std::string body,
                             std::string note) {
  switch (status) {
    case 400:
      throw BadRequestException(status, std::move(headers), std::move(body), std::move(note));
    case 401:
      throw AuthenticationException(status, std::move(headers), std::move(body), std::move(note));
    case 402:
      throw BillingException(status, std::move(headers), std::move(body), std::move(note));
    case 403:
      throw PermissionDeniedException(status, std::move(headers), std::move(body), std::move(note));
    case 404:
      throw NotFoundException(status, std::move(headers), std::move(body), std::move(note));
    case 409:
      throw ConflictException(status, std::move(headers), std::move(body), std::move(note));
    case 413:
      throw RequestTooLargeException(status, std::move(headers), std::move(body), std::move(note));
    case 422:
      throw UnprocessableEntityException(status, std::move(headers), std::move(body),
                                         std::move(note));
    case 429:
      throw RateLimitException(status, std::move(headers), std::move(body), std::move(note));
    case 529:
      throw OverloadedException(status, std::move(headers), std::move(body), std::move(note));
    default:
      if (status >= 500 && status <= 599) {
        throw InternalServerException(status, std::move(headers), std::move(body), std::move(note));
      }
      throw UnexpectedStatusCodeException(status, std::move(headers), std::move(body),
                                          std::move(note));
  }
}

AnthropicIoException::AnthropicIoException(const std::string& message, bool may_have_reached_server)
    : AnthropicException(message), may_have_reached_server_(may_have_reached_server) {}
AnthropicIoException::~AnthropicIoException() = default;
AnthropicCancelledException::~AnthropicCancelledException() = default;

AnthropicInvalidDataException::~AnthropicInvalidDataException() = default;

AnthropicInvalidRequestException::AnthropicInvalidRequestException(
    const std::string& message, std::optional<std::size_t> request_index)
    : AnthropicException(message), request_index_(request_index) {}
AnthropicInvalidRequestException::~AnthropicInvalidRequestException() = default;

}  // namespace anthropic
