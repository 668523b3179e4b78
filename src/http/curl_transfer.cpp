#include "http/curl_transfer.hpp"

#include "http/streamed_body.hpp"
#include "http/url_redact.hpp"
#include "trim.hpp"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <new>

namespace anthropic::internal {

namespace {

bool is_token_char(unsigned char c) noexcept {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != 0;
}

bool valid_header_name(std::string_view name) noexcept {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return is_token_char(static_cast<unsigned char>(c));
  });
}

bool valid_header_value(std::string_view value) noexcept {
  return std::none_of(value.begin(), value.end(),
                      [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

// A header line as libcurl hands it over ends in CRLF: trimmed with the blanks around it.
constexpr std::string_view kLineBlanks = " \t\r\n";

long to_long_ms(std::chrono::milliseconds ms) noexcept {
  auto count = ms.count();
  if (count <= 0) return 0;
  return count > 0x7fffffff ? 0x7fffffffL : static_cast<long>(count);
}

}  // namespace

void curl_global_init_once() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (result != CURLE_OK) {
    throw AnthropicIoException(
        std::string("libcurl initialisation failed: ") + curl_easy_strerror(result), false);
  }
}

CurlTransfer::CurlTransfer(const http::HttpRequest& request, bool streaming)
    : streaming_(streaming),
      method_(request.method.empty() ? std::string("GET") : request.method),
      url_(request.url),
      timeout_(request.timeout),
      connect_timeout_(request.connect_timeout),
      cancellation_(request.cancellation),
      body_limit_(streaming ? 0 : request.max_response_bytes),
      // The request may be gone before the transfer ends: keep (a share of) the bytes curl
      // reads. RequestBody is shared and immutable, so this is never a copy of the bytes.
      body_(request.body) {
  if (cancellation_.cancelled()) throw cancelled_before_start();
  build_header_list(request);
  // A streamed body is encoded again for every attempt, from a source of its own.
  if (body_.streamed() && !body_.empty()) source_ = RequestBodyAccess::streamed(body_)->open();
}

std::string CurlTransfer::describe() const { return method_ + " " + redact_url(url_, false); }

AnthropicCancelledException CurlTransfer::cancelled_error(CURL* easy) const {
  return AnthropicCancelledException(describe() + " cancelled",
                                     anything_sent(easy) || uploaded_ != 0);
}

AnthropicCancelledException CurlTransfer::cancelled_before_start() const {
  return AnthropicCancelledException(describe() + " cancelled", false);
}

void CurlTransfer::build_header_list(const http::HttpRequest& request) {
  bool has_content_type = false;
  bool has_expect = false;
  for (const auto& [name, value] : request.headers) {
    if (!valid_header_name(name)) {
      throw AnthropicInvalidRequestException("an HTTP header name is empty or not a token");
    }
    if (!valid_header_value(value)) {
      throw AnthropicInvalidRequestException("the value of HTTP header '" + name +
                                             "' contains a line break or NUL");
    }
    has_content_type = has_content_type || http::header_name_equals(name, "content-type");
    has_expect = has_expect || http::header_name_equals(name, "expect");
    append_header(value.empty() ? name + ";" : name + ": " + value);
  }
  if (!has_expect) append_header("Expect:");  // no 100-continue round trip
  if (sends_body() && !has_content_type) {
    append_header("Content-Type:");  // not libcurl's default form type
  }
}

void CurlTransfer::append_header(const std::string& line) {
  curl_slist* next = curl_slist_append(header_list_.get(), line.c_str());
  if (next == nullptr) throw std::bad_alloc();
  (void)header_list_.release();
  header_list_.reset(next);
}

bool CurlTransfer::sends_body() const {
  return !body_.empty() || method_ == "POST" || method_ == "PUT" || method_ == "PATCH";
}

void CurlTransfer::configure(CURL* e, const http::CurlHttpClientOptions& options, CURLSH* share) {
  if (share != nullptr) curl_easy_setopt(e, CURLOPT_SHARE, share);
  curl_easy_setopt(e, CURLOPT_URL, url_.c_str());
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);  // credentials never go to another host
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, options.verify_tls ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, options.verify_tls ? 2L : 0L);
  if (!options.ca_bundle.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, options.ca_bundle.c_str());
  if (!options.proxy.empty()) curl_easy_setopt(e, CURLOPT_PROXY, options.proxy.c_str());
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  auto connect_timeout =
      connect_timeout_.count() > 0 ? connect_timeout_ : options.default_connect_timeout;
  if (connect_timeout.count() > 0) {
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, to_long_ms(connect_timeout));
  }
  // A streamed body may legitimately take longer than `timeout`: there it bounds each wait for
  // bytes (the driver's business), not the whole transfer.
  if (!streaming_ && timeout_.count() > 0) {
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, to_long_ms(timeout_));
  }
  error_text_[0] = '\0';
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error_text_.data());
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &CurlTransfer::on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, this);
  // A streamed body (results) is received in 64 KiB pieces instead of libcurl's 16 KiB: each
  // piece costs a recv, a poll and a turn of the driver's loop (results of 100,000 lines on
  // loopback: 0.085 -> 0.079 s at best of 7; larger buffers did no better).
  curl_easy_setopt(e, CURLOPT_BUFFERSIZE,
                   streaming_ ? kStreamReceiveBuffer : static_cast<long>(CURL_MAX_WRITE_SIZE));
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &CurlTransfer::on_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, header_list_.get());

  if (method_ == "HEAD") {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else if (sends_body()) {
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_.size()));
    if (!body_.empty()) {
      // libcurl re-sends a request by itself when a reused keep-alive connection closes before
      // any response byte (Curl_retry_request), rewinding the body first. For a create that
      // hidden resend could create (and bill) a second batch, unseen by the retry logic and its
      // log. So a body is uploaded through a read callback whose seek callback refuses any
      // rewind once a byte was handed over: the resend fails with CURLE_SEND_FAIL_REWIND,
      // reported as an unknown outcome, and only the retry layer may re-send (when the request
      // allows it). No copy of a body of bytes: the callback reads the shared body; a streamed
      // body is read from this attempt's source.
      curl_easy_setopt(e, CURLOPT_POST, 1L);
      curl_easy_setopt(e, CURLOPT_READFUNCTION, &CurlTransfer::on_read);
      curl_easy_setopt(e, CURLOPT_READDATA, this);
      curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, &CurlTransfer::on_seek);
      curl_easy_setopt(e, CURLOPT_SEEKDATA, this);
    } else {
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, body_.data());  // not copied
    }
    if (method_ != "POST") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method_.c_str());
  } else {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    if (method_ != "GET") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method_.c_str());
  }
}

std::size_t CurlTransfer::on_read(char* dst, std::size_t size, std::size_t count, void* user) {
  auto* self = static_cast<CurlTransfer*>(user);
  if (!self->source_) return copy_from(self->body_.str(), self->uploaded_, dst, size * count);
  const std::size_t want = std::min(size * count, self->body_.size() - self->uploaded_);
  try {
    // libcurl asks for a buffer's worth; a source may hand over less per call.
    const std::size_t n = read_up_to(*self->source_, dst, want);
    if (n == 0 && want > 0) {
      throw AnthropicInvalidRequestException(
          "the request body ended " + std::to_string(self->body_.size() - self->uploaded_) +
          " bytes before its announced length of " + std::to_string(self->body_.size()));
    }
    self->uploaded_ += n;
    return n;
  } catch (...) {
    // Not an I/O error: the caller gets this exception itself (no retry; nothing complete was
    // sent). Nothing here may throw through libcurl's C frames.
    self->body_error_ = std::current_exception();
    return CURL_READFUNC_ABORT;
  }
}

int CurlTransfer::on_seek(void* user, curl_off_t offset, int origin) {
  auto* self = static_cast<CurlTransfer*>(user);
  // A "rewind" to where the upload has not started yet resends nothing: allowed.
  if (origin == SEEK_SET && offset == 0 && self->uploaded_ == 0) return CURL_SEEKFUNC_OK;
  self->rewind_refused_ = true;
  return CURL_SEEKFUNC_FAIL;
}

std::size_t CurlTransfer::on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* self = static_cast<CurlTransfer*>(user);
  std::size_t len = size * count;
  try {
    self->header_line(std::string_view(data, len));
    return len;
  } catch (...) {
    self->callback_failed_ = true;
    return 0;  // aborts the transfer
  }
}

void CurlTransfer::header_line(std::string_view line) {
  if (headers_complete_) return;  // trailers
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.substr(0, 5) == "HTTP/") {  // a new response: 1xx, then the final one
    fields_.clear();
    status_ = 0;
    std::size_t sp = line.find(' ');
    if (sp != std::string_view::npos) {
      for (std::size_t i = sp + 1; i < line.size() && i < sp + 4; ++i) {
        if (line[i] < '0' || line[i] > '9') break;
        status_ = status_ * 10 + (line[i] - '0');
      }
    }
    return;
  }
  if (line.empty()) {
    if (status_ >= 200 || status_ == 0) headers_complete_ = true;
    return;
  }
  if ((line.front() == ' ' || line.front() == '\t') && !fields_.empty()) {  // obsolete folding
    fields_.back().second += ' ';
    fields_.back().second += trim(line, kLineBlanks);
    return;
  }
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return;
  fields_.emplace_back(std::string(trim(line.substr(0, colon), kLineBlanks)),
                       std::string(trim(line.substr(colon + 1), kLineBlanks)));
}

std::size_t CurlTransfer::on_write(char* data, std::size_t size, std::size_t count, void* user) {
  auto* self = static_cast<CurlTransfer*>(user);
  std::size_t len = size * count;
  try {
    if (self->streaming_) {
      std::size_t taken = self->deliver(data, len);
      if (taken == len) self->received_ += len;
      return taken;
    }
    // Bounded while receiving, never after: an error body keeps its first kMaxErrorBodyBytes
    // (all the exception keeps), a success body may not exceed the request's limit. Either way
    // the transfer stops there (returning less than `len` aborts it), so an endless body costs
    // no more than the limit.
    const bool error_status = self->status_ < 200 || self->status_ > 299;
    const std::size_t limit = error_status ? http::kMaxErrorBodyBytes : self->body_limit_;
    std::string& buffer = self->body_buffer_;
    if (limit != 0 && buffer.size() + len > limit) {
      const std::size_t kept = limit - std::min(limit, buffer.size());
      if (error_status) {
        buffer.append(data, kept);
        self->error_body_truncated_ = true;
      } else {
        self->body_too_large_ = true;
      }
      self->received_ += kept;
      return kept;  // less than `len`: CURLE_WRITE_ERROR ends the transfer
    }
    buffer.append(data, len);
    self->received_ += len;
    return len;
  } catch (...) {
    self->callback_failed_ = true;
    return 0;  // aborts the transfer
  }
}

http::Headers CurlTransfer::take_headers() {
  http::Headers headers;
  for (auto& field : fields_) headers.add(std::move(field.first), std::move(field.second));
  fields_.clear();
  return headers;
}

// False only when not one byte of the request was written. CURLINFO_CONNECT_TIME_T cannot tell:
// it stays 0 for a transfer on a reused keep-alive connection, which may well have delivered the
// request. CURLINFO_REQUEST_SIZE counts the request bytes written (partial writes included) and
// PRETRANSFER is set once the request is out; both are reset per transfer.
bool CurlTransfer::anything_sent(CURL* easy) noexcept {
  if (easy == nullptr) return true;
  long request_size = 0;
  curl_off_t pretransfer = 0;
  if (curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &request_size) != CURLE_OK ||
      curl_easy_getinfo(easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer) != CURLE_OK) {
    return true;
  }
  return request_size != 0 || pretransfer != 0;
}

bool CurlTransfer::may_have_reached_server(CURLcode code, CURL* easy) const noexcept {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
      return false;
    default:
      // Connect-phase timeouts and TLS handshake failures included.
      return anything_sent(easy);
  }
}

bool CurlTransfer::succeeded(CURLcode code, CURL* easy) {
  // A body stopped at its limit ends in CURLE_WRITE_ERROR by design: the response is complete as
  // far as the SDK is concerned (an error cut to kMaxErrorBodyBytes; a success too large,
  // reported by `take_response`). The connection is closed, never reused with bytes left in it.
  const bool stopped_at_limit =
      code == CURLE_WRITE_ERROR && (error_body_truncated_ || body_too_large_);
  if ((code != CURLE_OK && !stopped_at_limit) || callback_failed_) return false;
  if (status_ == 0 && easy != nullptr) {
    long info = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &info);
    status_ = static_cast<int>(info);
  }
  return true;
}

std::exception_ptr CurlTransfer::failure(CURLcode code, CURL* easy) const {
  return body_error_ ? body_error_ : std::make_exception_ptr(error_for(code, easy));
}

AnthropicIoException CurlTransfer::error_for(CURLcode code, CURL* easy) const {
  if (code == CURLE_SEND_FAIL_REWIND && rewind_refused_) {
    return AnthropicIoException(
        describe() +
            " failed: the connection closed after the request was sent and before any response; "
            "libcurl's automatic resend on a new connection was refused (curl error " +
            std::to_string(static_cast<int>(code)) + ")",
        true);
  }
  std::string text = callback_failed_         ? std::string("out of memory while receiving")
                     : error_text_[0] != '\0' ? std::string(error_text_.data())
                                              : std::string(curl_easy_strerror(code));
  text += " (curl error " + std::to_string(static_cast<int>(code)) + ")";
  return AnthropicIoException(describe() + " failed: " + text, may_have_reached_server(code, easy));
}

AnthropicIoException CurlTransfer::stopped(const std::string& what, CURL* easy) const {
  return AnthropicIoException(describe() + " failed: " + what, anything_sent(easy));
}

http::HttpResponse CurlTransfer::take_response() {
  if (body_too_large_) {
    throw AnthropicInvalidDataException(
        describe() + ": the " + std::to_string(status_) +
        " response body is larger than the limit of " + std::to_string(body_limit_) +
        " bytes (ClientOptions::max_response_bytes); it was not read further");
  }
  http::HttpResponse response;
  response.status = status_;
  response.headers = take_headers();
  response.body = std::move(body_buffer_);
  return response;
}

}  // namespace anthropic::internal
