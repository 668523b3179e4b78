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

#include "http/curl_transfer.hpp"

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

// Upper bound of one wait in curl_multi_poll when no deadline is closer.
constexpr std::chrono::milliseconds kMaxPoll{1000};

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

// One request on one slot: the whole of `send`, or the headers and then the body of `open`.
// Not thread-safe: used by one thread at a time.
class Transfer final : public internal::CurlTransfer, public ResponseBody {
 public:
  Transfer(std::shared_ptr<Pool> pool, const HttpRequest& request, bool streaming)
      : CurlTransfer(request, streaming), pool_(std::move(pool)) {
    slot_ = pool_->acquire();
    configure(slot_->easy, pool_->options(), pool_->share());
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
    cancel_registration_ = cancellation().on_cancel([multi] { curl_multi_wakeup(multi); });
  }

  ~Transfer() override { detach(); }

  // `send`: runs to the end of the response (bounded by CURLOPT_TIMEOUT_MS).
  HttpResponse run() {
    drive([] { return false; }, std::nullopt);
    finish_or_throw();
    return take_response();
  }

  // `open`: runs until the final response's status and headers have arrived.
  void wait_for_headers() {
    std::optional<SteadyClock::time_point> deadline;
    if (timeout().count() > 0) deadline = started_ + timeout();
    drive([this] { return headers_complete(); }, deadline);
    if (done_) {
      // Ended already: on success the slot goes back to the pool at once (the body is buffered);
      // a failure after complete headers (a body cut short) is reported by `read`, after the
      // bytes that did arrive.
      if (result_ == CURLE_OK || !headers_complete()) finish_or_throw();
    }
  }

  std::size_t read(char* dst, std::size_t max) override {
    if (error_) std::rethrow_exception(error_);
    if (cancellation().cancelled()) fail_cancelled();
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
      if (timeout().count() > 0) deadline = SteadyClock::now() + timeout();
      drive([this] { return pos_ < buffer_.size() || paused_; }, deadline, true);
      if (done_ && result_ == CURLE_OK && succeeded(result_, easy()))
        detach();  // the end is buffered
    }
    std::size_t n = std::min(max, buffer_.size() - pos_);
    std::memcpy(dst, buffer_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  CURL* easy() const noexcept { return slot_ ? slot_->easy : nullptr; }

  std::size_t deliver(const char* data, std::size_t len) override {
    if (len > 0 && buffer_.size() - pos_ >= internal::kMaxStreamBuffered) {
      paused_ = true;  // libcurl keeps these bytes and stops reading the socket
      return CURL_WRITEFUNC_PAUSE;
    }
    buffer_.append(data, len);
    return len;
  }

  // Lets libcurl work until `ready()`, the end of the transfer, or `deadline` (an
  // AnthropicIoException). With `idle`, bytes arriving push the deadline back by `timeout()`.
  template <class Ready>
  void drive(Ready ready, std::optional<SteadyClock::time_point> deadline, bool idle = false) {
    for (;;) {
      // Checked on every turn: a cancel wakes curl_multi_poll (see the constructor), so a
      // stalled server or a blocked upload stops within one turn of the loop.
      if (cancellation().cancelled()) fail_cancelled();
      std::size_t before = received();
      int running = 0;
      CURLMcode mc = curl_multi_perform(slot_->multi, &running);
      if (mc != CURLM_OK)
        fail(stopped(std::string("libcurl: ") + curl_multi_strerror(mc), nullptr));
      int left = 0;
      while (CURLMsg* msg = curl_multi_info_read(slot_->multi, &left)) {
        if (msg->msg == CURLMSG_DONE && msg->easy_handle == slot_->easy) {
          done_ = true;
          result_ = msg->data.result;
        }
      }
      if (done_ || ready()) return;
      auto now = SteadyClock::now();
      if (idle && received() != before && deadline) deadline = now + timeout();
      std::chrono::milliseconds wait = kMaxPoll;
      if (deadline) {
        if (now >= *deadline) {
          fail(
              stopped("no response data for " + std::to_string(timeout().count()) + " ms (timeout)",
                      easy()));
        }
        auto left_ms = std::chrono::ceil<std::chrono::milliseconds>(*deadline - now);
        wait = std::min(wait, std::max(left_ms, std::chrono::milliseconds(1)));
      }
      mc = curl_multi_poll(slot_->multi, nullptr, 0, static_cast<int>(wait.count()), nullptr);
      if (mc != CURLM_OK)
        fail(stopped(std::string("libcurl: ") + curl_multi_strerror(mc), nullptr));
    }
  }

  // At the end of the transfer: returns the slot to the pool, or throws its error.
  void finish_or_throw() {
    if (succeeded(result_, easy())) {
      detach();
      return;
    }
    fail_with(result_);
  }

  [[noreturn]] void fail_with(CURLcode code) { fail(failure(code, easy())); }

  [[noreturn]] void fail_cancelled() {
    AnthropicCancelledException error = cancelled_error(easy());
    detach();  // an unfinished transfer closes its connection
    error_ = std::make_exception_ptr(error);
    throw error;
  }

  [[noreturn]] void fail(const AnthropicIoException& error) {
    fail(std::make_exception_ptr(error));
  }

  [[noreturn]] void fail(std::exception_ptr error) {
    detach();  // an unfinished transfer closes its connection
    error_ = error;
    std::rethrow_exception(error);
  }

  void detach() noexcept {
    cancel_registration_.reset();  // first: the callback holds the slot's multi handle
    if (slot_) {
      if (attached_) curl_multi_remove_handle(slot_->multi, slot_->easy);
      attached_ = false;
      pool_->release(std::move(slot_));
    }
  }

  std::shared_ptr<Pool> pool_;
  std::unique_ptr<Slot> slot_;
  bool attached_ = false;
  CancellationToken::Registration cancel_registration_;
  SteadyClock::time_point started_;

  std::string buffer_;  // `open`: bytes not yet read
  std::size_t pos_ = 0;
  bool paused_ = false;
  bool done_ = false;
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
  internal::curl_global_init_once();
  return std::make_shared<CurlHttpClient>(options);
}

}  // namespace anthropic::http
