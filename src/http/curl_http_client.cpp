// The libcurl transport.
//
// Connection pool. libcurl documents a connection cache shared through a CURLSH
// (CURL_LOCK_DATA_CONNECT) as unsupported across concurrent threads (curl KNOWN_BUGS "A shared
// connection cache is not thread-safe", curl/curl#4915, #9404), so the pool is built from what
// libcurl does support:
//   - a CURLSH per client sharing DNS and TLS sessions, with one mutex per lock kind;
//   - a mutex-protected free-list of "slots", each an easy handle plus a multi handle that owns the
//     slot's connection cache. A slot is used by one transfer at a time and handed from thread to
//     thread through the free-list (LIFO), so sequential requests reuse the same slot and thus the
//     same keep-alive connection, and N concurrent threads use at most N connections.
// `send` and `open` both drive the slot's multi handle, so a connection opened by one is reused by
// the other. The free-list keeps at most `max_idle_connections` slots of one idle connection each.

#include <anthropic/errors.hpp>
#include <anthropic/http/curl_http_client.hpp>

#include "http/url_redact.hpp"
#include "trim.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace anthropic::http {

namespace {

using SteadyClock = std::chrono::steady_clock;

// A streamed body pauses the transfer when this many unread bytes are buffered.
constexpr std::size_t kMaxBuffered = std::size_t{1} << 20;
// Upper bound of one wait in curl_multi_poll when no deadline is closer.
constexpr std::chrono::milliseconds kMaxPoll{1000};

void global_init() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (result != CURLE_OK) {
    throw AnthropicIoException(
        std::string("libcurl initialisation failed: ") + curl_easy_strerror(result), false);
  }
}

// An easy handle and the multi handle that drives it and owns its connections.
struct Slot {
  CURL* easy = curl_easy_init();
  CURLM* multi = curl_multi_init();

  Slot() {
    if (easy == nullptr || multi == nullptr) {
      cleanup();
      throw AnthropicIoException("libcurl could not create a transfer handle", false);
    }
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, 1L);
  }
  ~Slot() { cleanup(); }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

 private:
  void cleanup() noexcept {
    if (multi != nullptr) curl_multi_cleanup(multi);  // closes the idle connection
    if (easy != nullptr) curl_easy_cleanup(easy);
    multi = nullptr;
    easy = nullptr;
  }
};

// One client's pool: the share handle (DNS, TLS sessions) and the free-list of slots.
class Pool {
 public:
  explicit Pool(const CurlHttpClientOptions& options) : options_(options) {
    share_ = curl_share_init();
    if (share_ == nullptr) throw AnthropicIoException("libcurl could not create a share", false);
    curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, &Pool::lock);
    curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, &Pool::unlock);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }

  ~Pool() {
    free_.clear();  // every easy handle is gone before the share goes
    curl_share_cleanup(share_);
  }

  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  const CurlHttpClientOptions& options() const noexcept { return options_; }
  CURLSH* share() const noexcept { return share_; }

  std::unique_ptr<Slot> acquire() {
    std::unique_ptr<Slot> slot;
    {
      std::lock_guard<std::mutex> lock(free_mutex_);
      if (!free_.empty()) {
        slot = std::move(free_.back());
        free_.pop_back();
      }
    }
    if (!slot) {
      slot = std::make_unique<Slot>();
    } else {
      curl_easy_reset(slot->easy);  // the connection lives on in the slot's multi handle
    }
    return slot;
  }

  void release(std::unique_ptr<Slot> slot) noexcept {
    if (!slot) return;
    {
      std::lock_guard<std::mutex> lock(free_mutex_);
      if (static_cast<long>(free_.size()) < options_.max_idle_connections) {
        try {
          free_.push_back(std::move(slot));
          return;
        } catch (...) {
          // fall through: the slot is destroyed below
        }
      }
    }
    slot.reset();  // outside the lock: closes its connection
  }

 private:
  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<Pool*>(user)->locks_[index(data)].lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<Pool*>(user)->locks_[index(data)].unlock();
  }
  static std::size_t index(curl_lock_data data) noexcept {
    auto i = static_cast<std::size_t>(data);
    return i < kLockKinds ? i : 0;
  }

  static constexpr std::size_t kLockKinds = static_cast<std::size_t>(CURL_LOCK_DATA_LAST);

  CurlHttpClientOptions options_;
  std::array<std::mutex, kLockKinds> locks_;
  CURLSH* share_ = nullptr;
  std::mutex free_mutex_;
  std::vector<std::unique_ptr<Slot>> free_;
};

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

// One request on one slot: the whole of `send`, or the headers and then the body of `open`.
// Not thread-safe: used by one thread at a time.
class Transfer final : public ResponseBody {
 public:
  Transfer(std::shared_ptr<Pool> pool, const HttpRequest& request, bool streaming)
      : pool_(std::move(pool)),
        streaming_(streaming),
        method_(request.method.empty() ? std::string("GET") : request.method),
        url_(request.url),
        timeout_(request.timeout),
        cancellation_(request.cancellation),
        body_limit_(streaming ? 0 : request.max_response_bytes) {
    if (cancellation_.cancelled()) throw cancelled_error(false);
    build_header_list(request);
    // `request` may be gone before a streamed transfer ends: keep (a share of) the bytes curl
    // reads. RequestBody is shared and immutable, so this is never a copy of the bytes.
    body_ = request.body;
    slot_ = pool_->acquire();
    configure(request);
    CURLMcode mc = curl_multi_add_handle(slot_->multi, slot_->easy);
    if (mc != CURLM_OK) {
      std::string text = curl_multi_strerror(mc);
      detach();
      throw AnthropicIoException(describe() + " failed: " + text, false);
    }
    attached_ = true;
    started_ = SteadyClock::now();
    // Wakes the thread blocked in curl_multi_poll (`drive`) when another thread cancels; the
    // registration is dropped in `detach`, before the slot and its multi handle go back to the
    // pool, so the callback never touches a multi handle another transfer owns.
    CURLM* multi = slot_->multi;
    cancel_registration_ = cancellation_.on_cancel([multi] { curl_multi_wakeup(multi); });
  }

  ~Transfer() override { detach(); }

  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  // `send`: runs to the end of the response (bounded by CURLOPT_TIMEOUT_MS).
  HttpResponse run() {
    drive([] { return false; }, std::nullopt);
    finish_or_throw();
    if (body_too_large_) {
      throw AnthropicInvalidDataException(
          describe() + ": the " + std::to_string(status_) +
          " response body is larger than the limit of " + std::to_string(body_limit_) +
          " bytes (ClientOptions::max_response_bytes); it was not read further");
    }
    HttpResponse response;
    response.status = status_;
    response.headers = take_headers();
    response.body = std::move(buffer_);
    return response;
  }

  // `open`: runs until the final response's status and headers have arrived.
  void wait_for_headers() {
    std::optional<SteadyClock::time_point> deadline;
    if (timeout_.count() > 0) deadline = started_ + timeout_;
    drive([this] { return headers_complete_; }, deadline);
    if (done_) {
      // Ended already: on success the slot goes back to the pool at once (the body is buffered);
      // a failure after complete headers (a body cut short) is reported by `read`, after the
      // bytes that did arrive.
      if (result_ == CURLE_OK || !headers_complete_) finish_or_throw();
      headers_complete_ = true;
    }
  }

  int status() const noexcept { return status_; }

  Headers take_headers() {
    Headers headers;
    for (auto& field : fields_) headers.add(std::move(field.first), std::move(field.second));
    fields_.clear();
    return headers;
  }

  std::size_t read(char* dst, std::size_t max) override {
    if (error_) std::rethrow_exception(error_);
    if (cancellation_.cancelled()) fail_cancelled();
    if (max == 0) return 0;
    while (pos_ == buffer_.size()) {
      buffer_.clear();
      pos_ = 0;
      if (paused_) {
        paused_ = false;
        CURLcode rc = curl_easy_pause(slot_->easy, CURLPAUSE_CONT);  // may deliver bytes now
        if (rc != CURLE_OK) fail_with(rc);
        continue;
      }
      if (done_) {
        finish_or_throw();
        return 0;
      }
      std::optional<SteadyClock::time_point> deadline;
      if (timeout_.count() > 0) deadline = SteadyClock::now() + timeout_;
      drive([this] { return pos_ < buffer_.size() || paused_; }, deadline, true);
      if (done_ && result_ == CURLE_OK && !callback_failed_) detach();  // the end is buffered
    }
    std::size_t n = std::min(max, buffer_.size() - pos_);
    std::memcpy(dst, buffer_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string describe() const { return method_ + " " + internal::redact_url(url_, false); }

  AnthropicCancelledException cancelled_error(bool reached) const {
    return AnthropicCancelledException(describe() + " cancelled", reached);
  }

  void build_header_list(const HttpRequest& request) {
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
      has_content_type = has_content_type || header_name_equals(name, "content-type");
      has_expect = has_expect || header_name_equals(name, "expect");
      append_header(value.empty() ? name + ";" : name + ": " + value);
    }
    if (!has_expect) append_header("Expect:");  // no 100-continue round trip
    if (sends_body(request) && !has_content_type) {
      append_header("Content-Type:");  // not libcurl's default form type
    }
  }

  void append_header(const std::string& line) {
    curl_slist* next = curl_slist_append(header_list_.get(), line.c_str());
    if (next == nullptr) throw std::bad_alloc();
    (void)header_list_.release();
    header_list_.reset(next);
  }

  bool sends_body(const HttpRequest& request) const {
    return !request.body.empty() || method_ == "POST" || method_ == "PUT" || method_ == "PATCH";
  }

  void configure(const HttpRequest& request) {
    CURL* e = slot_->easy;
    const CurlHttpClientOptions& options = pool_->options();
    curl_easy_setopt(e, CURLOPT_SHARE, pool_->share());
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
    auto connect_timeout = request.connect_timeout.count() > 0 ? request.connect_timeout
                                                               : options.default_connect_timeout;
    if (connect_timeout.count() > 0) {
      curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, to_long_ms(connect_timeout));
    }
    // A streamed body may legitimately take longer than `timeout`: there it bounds each wait
    // (see `drive`), not the whole transfer.
    if (!streaming_ && timeout_.count() > 0) {
      curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, to_long_ms(timeout_));
    }
    error_text_[0] = '\0';
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error_text_.data());
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Transfer::on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, this);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Transfer::on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, header_list_.get());

    if (method_ == "HEAD") {
      curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (sends_body(request)) {
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_.size()));
      if (!body_.empty()) {
        // libcurl re-sends a request by itself when a reused keep-alive connection closes before
        // any response byte (Curl_retry_request), rewinding the body first. For a create that
        // hidden resend could create (and bill) a second batch, unseen by the retry logic and its
        // log. So a body is uploaded through a read callback whose seek callback refuses any
        // rewind once a byte was handed over: the resend fails with CURLE_SEND_FAIL_REWIND,
        // reported as an unknown outcome, and only `RetryingHttpClient` may re-send (when the
        // request allows it). Still no copy: the callback reads the shared body.
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_READFUNCTION, &Transfer::on_read);
        curl_easy_setopt(e, CURLOPT_READDATA, this);
        curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, &Transfer::on_seek);
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

  static std::size_t on_read(char* dst, std::size_t size, std::size_t count, void* user) {
    auto* self = static_cast<Transfer*>(user);
    std::size_t n = std::min(size * count, self->body_.size() - self->uploaded_);
    if (n > 0) std::memcpy(dst, self->body_.data() + self->uploaded_, n);
    self->uploaded_ += n;
    return n;
  }

  static int on_seek(void* user, curl_off_t offset, int origin) {
    auto* self = static_cast<Transfer*>(user);
    // A "rewind" to where the upload has not started yet resends nothing: allowed.
    if (origin == SEEK_SET && offset == 0 && self->uploaded_ == 0) return CURL_SEEKFUNC_OK;
    self->rewind_refused_ = true;
    return CURL_SEEKFUNC_FAIL;
  }

  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto* self = static_cast<Transfer*>(user);
    std::size_t len = size * count;
    try {
      self->header_line(std::string_view(data, len));
      return len;
    } catch (...) {
      self->callback_failed_ = true;
      return 0;  // aborts the transfer
    }
  }

  void header_line(std::string_view line) {
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
      fields_.back().second += internal::trim(line, kLineBlanks);
      return;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return;
    fields_.emplace_back(std::string(internal::trim(line.substr(0, colon), kLineBlanks)),
                         std::string(internal::trim(line.substr(colon + 1), kLineBlanks)));
  }

  static std::size_t on_write(char* data, std::size_t size, std::size_t count, void* user) {
    auto* self = static_cast<Transfer*>(user);
    std::size_t len = size * count;
    try {
      if (self->streaming_ && len > 0 && self->buffer_.size() - self->pos_ >= kMaxBuffered) {
        self->paused_ = true;  // libcurl keeps these bytes and stops reading the socket
        return CURL_WRITEFUNC_PAUSE;
      }
      if (!self->streaming_) {
        // Bounded while receiving, never after: an error body keeps its first
        // kMaxErrorBodyBytes (all the exception keeps), a success body may not exceed the
        // request's limit. Either way the transfer stops there (returning less than `len`
        // aborts it), so an endless body costs no more than the limit.
        const bool error_status = self->status_ < 200 || self->status_ > 299;
        const std::size_t limit = error_status ? kMaxErrorBodyBytes : self->body_limit_;
        if (limit != 0 && self->buffer_.size() + len > limit) {
          const std::size_t kept = limit - std::min(limit, self->buffer_.size());
          if (error_status) {
            self->buffer_.append(data, kept);
            self->error_body_truncated_ = true;
          } else {
            self->body_too_large_ = true;
          }
          self->received_ += kept;
          return kept;  // less than `len`: CURLE_WRITE_ERROR ends the transfer
        }
      }
      self->buffer_.append(data, len);
      self->received_ += len;
      return len;
    } catch (...) {
      self->callback_failed_ = true;
      return 0;  // aborts the transfer
    }
  }

  // Lets libcurl work until `ready()`, the end of the transfer, or `deadline` (an
  // AnthropicIoException). With `idle`, bytes arriving push the deadline back by `timeout_`.
  template <class Ready>
  void drive(Ready ready, std::optional<SteadyClock::time_point> deadline, bool idle = false) {
    for (;;) {
      // Checked on every turn: a cancel wakes curl_multi_poll (see the constructor), so a
      // stalled server or a blocked upload stops within one turn of the loop.
      if (cancellation_.cancelled()) fail_cancelled();
      std::size_t before = received_;
      int running = 0;
      CURLMcode mc = curl_multi_perform(slot_->multi, &running);
      if (mc != CURLM_OK) fail(std::string("libcurl: ") + curl_multi_strerror(mc), true);
      int left = 0;
      while (CURLMsg* msg = curl_multi_info_read(slot_->multi, &left)) {
        if (msg->msg == CURLMSG_DONE && msg->easy_handle == slot_->easy) {
          done_ = true;
          result_ = msg->data.result;
        }
      }
      if (done_ || ready()) return;
      auto now = SteadyClock::now();
      if (idle && received_ != before && deadline) deadline = now + timeout_;
      std::chrono::milliseconds wait = kMaxPoll;
      if (deadline) {
        if (now >= *deadline) {
          fail("no response data for " + std::to_string(timeout_.count()) + " ms (timeout)",
               anything_sent());
        }
        auto left_ms = std::chrono::ceil<std::chrono::milliseconds>(*deadline - now);
        wait = std::min(wait, std::max(left_ms, std::chrono::milliseconds(1)));
      }
      mc = curl_multi_poll(slot_->multi, nullptr, 0, static_cast<int>(wait.count()), nullptr);
      if (mc != CURLM_OK) fail(std::string("libcurl: ") + curl_multi_strerror(mc), true);
    }
  }

  int info_status() const noexcept {
    long code = 0;
    if (slot_) curl_easy_getinfo(slot_->easy, CURLINFO_RESPONSE_CODE, &code);
    return static_cast<int>(code);
  }

  // False only when not one byte of the request was written. CURLINFO_CONNECT_TIME_T cannot
  // tell: it stays 0 for a transfer on a reused keep-alive connection, which may well have
  // delivered the request. CURLINFO_REQUEST_SIZE counts the request bytes written (partial writes
  // included) and PRETRANSFER is set once the request is out; both are reset per transfer.
  bool anything_sent() const noexcept {
    if (!slot_) return true;
    long request_size = 0;
    curl_off_t pretransfer = 0;
    if (curl_easy_getinfo(slot_->easy, CURLINFO_REQUEST_SIZE, &request_size) != CURLE_OK ||
        curl_easy_getinfo(slot_->easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer) != CURLE_OK) {
      return true;
    }
    return request_size != 0 || pretransfer != 0;
  }

  bool may_have_reached_server(CURLcode code) const noexcept {
    switch (code) {
      case CURLE_COULDNT_RESOLVE_PROXY:
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_CONNECT:
        return false;
      default:
        // Connect-phase timeouts and TLS handshake failures included.
        return anything_sent();
    }
  }

  // At the end of the transfer: returns the slot to the pool, or throws its error.
  void finish_or_throw() {
    // A body stopped at its limit ends in CURLE_WRITE_ERROR by design: the response is complete
    // as far as the SDK is concerned (an error cut to kMaxErrorBodyBytes; a success too large,
    // reported by `run`). The connection is closed, never reused with bytes left in it.
    const bool stopped_at_limit =
        result_ == CURLE_WRITE_ERROR && (error_body_truncated_ || body_too_large_);
    if ((result_ == CURLE_OK || stopped_at_limit) && !callback_failed_) {
      if (status_ == 0) status_ = info_status();
      detach();
      return;
    }
    fail_with(result_);
  }

  [[noreturn]] void fail_with(CURLcode code) {
    if (code == CURLE_SEND_FAIL_REWIND && rewind_refused_) {
      fail(
          "the connection closed after the request was sent and before any response; libcurl's "
          "automatic resend on a new connection was refused (curl error " +
              std::to_string(static_cast<int>(code)) + ")",
          true);
    }
    std::string text = callback_failed_         ? std::string("out of memory while receiving")
                       : error_text_[0] != '\0' ? std::string(error_text_.data())
                                                : std::string(curl_easy_strerror(code));
    text += " (curl error " + std::to_string(static_cast<int>(code)) + ")";
    fail(text, may_have_reached_server(code));
  }

  [[noreturn]] void fail_cancelled() {
    AnthropicCancelledException error = cancelled_error(anything_sent() || uploaded_ != 0);
    detach();  // an unfinished transfer closes its connection
    error_ = std::make_exception_ptr(error);
    throw error;
  }

  [[noreturn]] void fail(const std::string& what, bool reached) {
    AnthropicIoException error(describe() + " failed: " + what, reached);
    detach();  // an unfinished transfer closes its connection
    error_ = std::make_exception_ptr(error);
    throw error;
  }

  void detach() noexcept {
    cancel_registration_.reset();  // first: the callback holds the slot's multi handle
    if (slot_) {
      if (attached_) curl_multi_remove_handle(slot_->multi, slot_->easy);
      attached_ = false;
      pool_->release(std::move(slot_));
    }
    header_list_.reset();
  }

  std::shared_ptr<Pool> pool_;
  std::unique_ptr<Slot> slot_;
  bool streaming_;
  bool attached_ = false;
  std::string method_;
  std::string url_;
  std::chrono::milliseconds timeout_;
  CancellationToken cancellation_;
  CancellationToken::Registration cancel_registration_;
  std::size_t body_limit_;  // 0: none
  RequestBody body_;
  std::size_t uploaded_ = 0;  // body bytes handed to libcurl by `on_read`
  bool rewind_refused_ = false;
  struct SlistDeleter {
    void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
  };
  std::unique_ptr<curl_slist, SlistDeleter> header_list_;
  std::array<char, CURL_ERROR_SIZE + 1> error_text_{};
  SteadyClock::time_point started_;

  int status_ = 0;
  std::vector<Headers::Field> fields_;
  bool headers_complete_ = false;

  std::string buffer_;  // `send`: the body; `open`: bytes not yet read
  std::size_t pos_ = 0;
  std::size_t received_ = 0;
  bool paused_ = false;
  bool done_ = false;
  bool callback_failed_ = false;
  bool error_body_truncated_ = false;
  bool body_too_large_ = false;
  CURLcode result_ = CURLE_OK;
  std::exception_ptr error_;  // keeps its type: AnthropicCancelledException stays one
};

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(const CurlHttpClientOptions& options)
      : pool_(std::make_shared<Pool>(options)) {}

  HttpResponse send(const HttpRequest& request) override {
    Transfer transfer(pool_, request, false);
    return transfer.run();
  }

  StreamedResponse open(const HttpRequest& request) override {
    auto transfer = std::make_unique<Transfer>(pool_, request, true);
    transfer->wait_for_headers();
    StreamedResponse response;
    response.status = transfer->status();
    response.headers = transfer->take_headers();
    response.body = std::move(transfer);
    return response;
  }

 private:
  std::shared_ptr<Pool> pool_;
};

}  // namespace

std::shared_ptr<HttpClient> make_curl_http_client(const CurlHttpClientOptions& options) {
  global_init();
  return std::make_shared<CurlHttpClient>(options);
}

}  // namespace anthropic::http
