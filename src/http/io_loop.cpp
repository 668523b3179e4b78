#include "http/io_loop.hpp"

#include <anthropic/errors.hpp>

#include "http/curl_transfer.hpp"
#include "http/thrown_by.hpp"

#include <curl/curl.h>

#ifdef __linux__
#include <pthread.h>
#endif

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace anthropic::internal {

namespace {

using SteadyClock = std::chrono::steady_clock;

// Upper bound of one wait in curl_multi_poll when nothing is due sooner.
constexpr std::chrono::milliseconds kMaxPoll{1000};
constexpr const char* kDestroyed = "client destroyed";
// What a pushed body buffers before its head is handed over (then the transfer pauses).
constexpr std::size_t kMaxPushedEarly = 64 * 1024;

// The bytes of a streamed body between the I/O thread (which appends them) and its reader.
struct Channel {
  std::mutex mutex;
  std::condition_variable cv;
  std::string buffer;
  std::size_t pos = 0;
  bool paused = false;     // the transfer is paused until the reader drains `buffer`
  bool done = false;       // no more bytes will come
  bool abandoned = false;  // the reader is gone
  std::exception_ptr error;

  void finish(std::exception_ptr e) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (done) return;
      done = true;
      error = std::move(e);
    }
    cv.notify_all();
  }
};

}  // namespace

struct IoLoop::State {
  class Transfer;
  class Body;

  explicit State(Settings s) : settings(std::move(s)) {
    curl_global_init_once();
    multi = curl_multi_init();
    if (multi == nullptr)
      throw AnthropicIoException("libcurl could not create a multi handle", false);
    // The calls in flight are limited by the loop's own queue (see `queued`), not by libcurl's
    // per-host cap, under which a results stream being read would hold back every other call.
    long limit = std::max(1L, settings.max_host_connections);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, limit);  // idle connections kept
  }
  ~State() { curl_multi_cleanup(multi); }

  // Any thread.
  void post(std::function<void()> fn);
  template <class Done>
  void submit(http::HttpRequest request, Done done, std::shared_ptr<Sink> sink = nullptr);
  bool is_stopping();
  void stop();
  bool on_loop_thread() const noexcept { return loop_id.load() == std::this_thread::get_id(); }

  // The I/O thread.
  void run();
  void start(std::unique_ptr<Transfer>& transfer);
  void attach(std::unique_ptr<Transfer>& transfer);
  void start_queued();
  // Transfers counted against the limit: attached and not yet handed over (a results stream
  // being read holds a connection but not a place: readers waiting on other calls would
  // otherwise starve them).
  std::size_t occupying = 0;
  std::size_t limit() const noexcept {
    return static_cast<std::size_t>(std::max(1L, settings.max_host_connections));
  }
  void add_timer(std::chrono::milliseconds delay, CancellationToken token, TimerFn fn);
  void complete(Transfer* t, std::exception_ptr error);
  void on_done(Transfer* t, CURLcode code);
  void sweep_cancelled();
  void deliver_headers();
  void hand_over(Transfer* t);
  void fire_timers(bool stopping);
  void shut_down_all();
  Transfer* find(std::uint64_t id) {
    auto it = by_id.find(id);
    return it == by_id.end() ? nullptr : it->second;
  }
  void remove(Transfer* t);
  void release_place(Transfer* t);

  Settings settings;
  CURLM* multi = nullptr;

  std::mutex mutex;  // guards the members up to `exited`
  std::vector<std::function<void()>> tasks;
  bool stopping = false;
  bool started = false;
  bool exited = false;
  std::thread thread;
  std::recursive_mutex after_exit;  // tasks posted once the thread is gone run under it
  std::atomic<std::thread::id> loop_id{};
  std::atomic<bool> cancel_pending{false};

  // Owned by the I/O thread.
  std::unordered_map<std::uint64_t, std::unique_ptr<Transfer>> transfers;
  std::unordered_map<std::uint64_t, Transfer*> by_id;
  std::vector<Transfer*> awaiting_headers;
  // Pushed bodies after their head, watched for the idle timeout (a pulled body's reader watches
  // its own).
  std::vector<Transfer*> pushing;
  // Transfers waiting for one of the `max_host_connections` places, in order. libcurl would queue
  // them itself, but every curl_multi_perform walks its queue: 1,000 queued calls made each
  // call several times slower.
  std::deque<std::unique_ptr<Transfer>> queued;
  struct Timer {
    TimerFn fn;
    CancellationToken token;
    CancellationToken::Registration registration;
  };
  std::map<std::pair<SteadyClock::time_point, std::uint64_t>, Timer> timers;
  std::uint64_t next_id = 1;
  std::weak_ptr<State> self;
  // A registration's callback: the loop looks for cancelled tokens on its next turn.
  std::function<void()> wake_on_cancel() {
    return [this] {
      cancel_pending.store(true);
      curl_multi_wakeup(multi);
    };
  }
};

// One attempt on the loop's multi handle.
class IoLoop::State::Transfer final : public CurlTransfer {
 public:
  Transfer(const http::HttpRequest& request, bool streaming) : CurlTransfer(request, streaming) {
    if (streaming) channel_ = std::make_shared<Channel>();
  }
  ~Transfer() override {
    registration_.reset();
    if (easy_ != nullptr) curl_easy_cleanup(easy_);
  }

  std::uint64_t id = 0;
  CURL* easy_ = nullptr;
  bool attached = false;
  bool occupying = false;
  bool headers_delivered = false;
  // When the current wait for bytes runs out: for the head (and an error status's body) while in
  // `awaiting_headers`, for a pushed body's bytes while in `pushing`.
  SteadyClock::time_point deadline = SteadyClock::time_point::max();
  bool head_seen = false;         // the head of an error status was complete at the last look
  std::size_t received_seen = 0;  // body bytes then
  CancellationToken::Registration registration_;
  SendDone send_done_;
  OpenDone open_done_;
  std::shared_ptr<Channel> channel_;
  std::shared_ptr<Sink> sink_;     // a pushed body: where its bytes go once handed over
  bool stop_after_flush_ = false;  // the sink refused the bytes buffered before the hand-over
  std::string error_body_;
  bool error_body_full_ = false;

  bool error_status() const noexcept { return status() < 200 || status() > 299; }

  void resume() {
    if (attached) curl_easy_pause(easy_, CURLPAUSE_CONT);  // may deliver bytes at once
  }

 private:
  std::size_t deliver(const char* data, std::size_t len) override {
    if (error_status()) {
      // An error status's body is collected here (at most kMaxErrorBodyBytes) and delivered
      // whole: reading it never waits for the I/O thread.
      std::size_t kept = std::min(len, http::kMaxErrorBodyBytes - error_body_.size());
      error_body_.append(data, kept);
      if (kept < len) error_body_full_ = true;
      return kept;  // less than `len` ends the transfer there
    }
    if (sink_ && headers_delivered) {
      if (len == 0 || sink_->data(data, len)) return len;
      sink_.reset();  // refused: the transfer ends here (a write error), without `end`
      return 0;
    }
    std::lock_guard<std::mutex> lock(channel_->mutex);
    Channel& c = *channel_;
    if (c.abandoned) return len;  // discarded: the transfer is being removed
    // A pushed body waits here only until its head is handed over, after this turn: a little
    // is enough (16 streams starting at once would otherwise hold 1 MiB each).
    const std::size_t limit = sink_ ? kMaxPushedEarly : kMaxStreamBuffered;
    if (len > 0 && c.buffer.size() - c.pos >= limit) {
      c.paused = true;  // libcurl keeps these bytes and stops reading the socket
      return CURL_WRITEFUNC_PAUSE;
    }
    if (c.pos >= kMaxStreamBuffered) {  // a reader keeping pace never empties it: compact
      c.buffer.erase(0, c.pos);
      c.pos = 0;
    }
    c.buffer.append(data, len);
    c.cv.notify_all();
    return len;
  }
};

// A streamed body read from another thread.
class IoLoop::State::Body final : public http::ResponseBody {
 public:
  Body(std::shared_ptr<State> loop, std::uint64_t id, std::shared_ptr<Channel> channel,
       std::string what, std::chrono::milliseconds timeout, CancellationToken token, bool pushed)
      : pushed_(pushed),
        loop_(std::move(loop)),
        id_(id),
        channel_(std::move(channel)),
        what_(std::move(what)),
        timeout_(timeout),
        token_(std::move(token)) {
    Channel* c = channel_.get();
    registration_ = token_.on_cancel([c] {
      std::lock_guard<std::mutex> lock(c->mutex);
      c->cv.notify_all();
    });
  }

  ~Body() override {
    registration_.reset();
    bool running;
    {
      std::lock_guard<std::mutex> lock(channel_->mutex);
      running = !channel_->done;
      channel_->abandoned = true;
    }
    if (running) {
      // The transfer stops (its connection is closed, not drained).
      loop_->post([loop = loop_.get(), id = id_] {
        if (Transfer* t = loop->find(id)) loop->remove(t);
      });
    }
  }

  std::size_t read(char* dst, std::size_t max) override {
    if (pushed_) throw AnthropicException("internal: a pushed body was read");
    if (loop_->on_loop_thread()) {
      throw AnthropicException(
          "a results stream of the async service was read on the client's I/O thread (in a "
          "callback); read it on another thread");
    }
    if (token_.cancelled()) fail(AnthropicCancelledException(what_ + " cancelled", true));
    std::unique_lock<std::mutex> lock(channel_->mutex);
    Channel& c = *channel_;
    auto ready = [&] { return c.pos < c.buffer.size() || c.done || token_.cancelled(); };
    if (timeout_.count() > 0) {
      if (!c.cv.wait_for(lock, timeout_, ready)) {
        lock.unlock();
        fail(AnthropicIoException(what_ + " failed: no response data for " +
                                      std::to_string(timeout_.count()) + " ms (timeout)",
                                  true));
      }
    } else {
      c.cv.wait(lock, ready);
    }
    if (token_.cancelled()) {
      lock.unlock();
      fail(AnthropicCancelledException(what_ + " cancelled", true));
    }
    if (c.pos == c.buffer.size()) {  // done
      if (c.error) std::rethrow_exception(c.error);
      return 0;
    }
    if (max == 0) return 0;
    std::size_t n = std::min(max, c.buffer.size() - c.pos);
    std::memcpy(dst, c.buffer.data() + c.pos, n);
    c.pos += n;
    bool resume = false;
    if (c.pos == c.buffer.size()) {
      c.buffer.clear();
      c.pos = 0;
      resume = c.paused;
      c.paused = false;
    }
    lock.unlock();
    if (resume) {
      loop_->post([loop = loop_.get(), id = id_] {
        if (Transfer* t = loop->find(id)) t->resume();
      });
    }
    return n;
  }

 private:
  // A failure seen by the reader: final for this body, and the transfer stops.
  template <class E>
  [[noreturn]] void fail(const E& error) {
    channel_->finish(std::make_exception_ptr(error));
    loop_->post([loop = loop_.get(), id = id_] {
      if (Transfer* t = loop->find(id)) loop->remove(t);
    });
    throw error;
  }

  bool pushed_;
  std::shared_ptr<State> loop_;
  std::uint64_t id_;
  std::shared_ptr<Channel> channel_;
  std::string what_;
  std::chrono::milliseconds timeout_;
  CancellationToken token_;
  CancellationToken::Registration registration_;
};

void IoLoop::State::post(std::function<void()> fn) {
  std::unique_lock<std::mutex> lock(mutex);
  if (exited) {
    lock.unlock();
    // Nothing runs on the I/O thread any more: run it here, one such task at a time.
    std::lock_guard<std::recursive_mutex> serial(after_exit);
    fn();
    return;
  }
  if (!started) {
    // The thread holds the state: it outlives an IoLoop destroyed on the I/O thread itself.
    // Created before anything changes: if it cannot be, the call fails and nothing is queued.
    thread = std::thread([keep = self.lock()] { keep->run(); });
    started = true;
    loop_id.store(thread.get_id());
  }
  tasks.push_back(std::move(fn));
  lock.unlock();
  curl_multi_wakeup(multi);
}

void IoLoop::State::stop() {
  std::thread joinable;
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (stopping) return;
    stopping = true;
    if (!started) {
      exited = true;
      return;
    }
    if (std::this_thread::get_id() != thread.get_id()) {
      joinable = std::move(thread);
    }
  }
  curl_multi_wakeup(multi);
  if (joinable.joinable()) {
    joinable.join();
  } else {
    // Stopped from a callback on the I/O thread: the loop ends after this turn on its own.
    thread.detach();
  }
}

void IoLoop::State::run() {
#ifdef __linux__
  pthread_setname_np(pthread_self(), "anthropic-io");  // as `top -H` and debuggers show it
#endif
  // Keeps the state alive until the loop ends, also when stopped from the I/O thread itself.
  for (;;) {
    std::vector<std::function<void()>> batch;
    bool stop_now;
    {
      std::lock_guard<std::mutex> lock(mutex);
      batch.swap(tasks);
      stop_now = stopping;
    }
    for (auto& task : batch) task();
    if (stop_now) {
      shut_down_all();
      std::lock_guard<std::mutex> lock(mutex);
      if (tasks.empty() && transfers.empty() && queued.empty() && timers.empty()) {
        exited = true;
        loop_id.store(std::thread::id());  // a later thread may get the same id
        return;
      }
      continue;
    }
    if (cancel_pending.exchange(false)) sweep_cancelled();
    int running = 0;
    curl_multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
      if (t != nullptr) on_done(t, msg->data.result);
    }
    deliver_headers();
    fire_timers(false);

    auto now = SteadyClock::now();
    auto until = now + kMaxPoll;
    if (!timers.empty()) until = std::min(until, timers.begin()->first.first);
    // Ends the first transfer of `watched` whose wait for bytes ran out (true: the list changed,
    // look again at once); `new_wait(t)` says whether a new wait begins now.
    auto expire = [&](std::vector<Transfer*>& watched, auto new_wait) {
      for (Transfer* t : watched) {
        if (new_wait(t)) {
          t->received_seen = t->received();
          t->deadline = now + t->timeout();
        }
        if (t->deadline <= now) {
          complete(t, std::make_exception_ptr(t->stopped("no response data for " +
                                                             std::to_string(t->timeout().count()) +
                                                             " ms (timeout)",
                                                         t->easy_)));
          return true;
        }
        until = std::min(until, t->deadline);
      }
      return false;
    };
    const bool changed =
        expire(awaiting_headers,
               [](Transfer* t) {
                 // An error status, whose body is collected before it is handed over: from its
                 // head on, the limit is on each wait for bytes, as when the blocking transport
                 // reads it.
                 if (!t->headers_complete() || t->timeout().count() <= 0 ||
                     (t->head_seen && t->received() == t->received_seen)) {
                   return false;
                 }
                 t->head_seen = true;
                 return true;
               }) ||
        expire(pushing, [](Transfer* t) { return t->received() != t->received_seen; });
    if (changed) until = now;
    auto wait = std::chrono::ceil<std::chrono::milliseconds>(until - now);
    wait = std::max(wait, std::chrono::milliseconds(0));
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (!tasks.empty() || stopping) continue;
    }
    curl_multi_poll(multi, nullptr, 0, static_cast<int>(wait.count()), nullptr);
  }
}

// Takes `t` over: on the multi handle when there is a place, else queued. On failure (a throw) `t`
// is left to the caller.
void IoLoop::State::start(std::unique_ptr<Transfer>& t) {
  t->id = next_id++;
  if (occupying >= limit()) {
    Transfer* raw = t.get();
    queued.push_back(std::move(t));
    raw->registration_ = raw->cancellation().on_cancel(wake_on_cancel());
    return;
  }
  attach(t);
}

// Starts queued transfers while there are places.
void IoLoop::State::start_queued() {
  while (!queued.empty() && occupying < limit()) {
    std::unique_ptr<Transfer> t = std::move(queued.front());
    queued.pop_front();
    t->registration_.reset();
    // The caller hears of a failure after the catch block has ended (thrown_by).
    std::exception_ptr error = thrown_by([&] { attach(t); });
    if (!error) continue;
    SendDone send_done = std::move(t->send_done_);
    OpenDone open_done = std::move(t->open_done_);
    t.reset();
    if (send_done) send_done(error, {});
    if (open_done) open_done(std::move(error), {});
  }
}

// Adds `t` to the multi handle and takes it over; on failure (a throw) `t` is left to the caller.
void IoLoop::State::attach(std::unique_ptr<Transfer>& t) {
  t->easy_ = curl_easy_init();
  if (t->easy_ == nullptr) throw AnthropicIoException("libcurl could not create a transfer", false);
  t->configure(t->easy_, settings.curl, nullptr);
  curl_easy_setopt(t->easy_, CURLOPT_PRIVATE, t.get());
  CURLMcode mc = curl_multi_add_handle(multi, t->easy_);
  if (mc != CURLM_OK) {
    throw AnthropicIoException(t->describe() + " failed: " + curl_multi_strerror(mc), false);
  }
  t->attached = true;
  t->occupying = true;
  ++occupying;
  if (t->streaming() && t->timeout().count() > 0) {
    t->deadline = SteadyClock::now() + t->timeout();
  }
  Transfer* raw = t.get();
  if (raw->streaming()) awaiting_headers.push_back(raw);
  by_id.emplace(raw->id, raw);
  transfers.emplace(raw->id, std::move(t));  // `t` is empty from here on
  raw->registration_ = raw->cancellation().on_cancel(wake_on_cancel());
}

void IoLoop::State::release_place(Transfer* t) {
  if (!t->occupying) return;
  t->occupying = false;
  --occupying;
  if (!is_stopping()) start_queued();  // not while shutting down: those are failed, not started
}

void IoLoop::State::remove(Transfer* t) {
  release_place(t);
  t->registration_.reset();
  if (t->attached) curl_multi_remove_handle(multi, t->easy_);
  t->attached = false;
  awaiting_headers.erase(std::remove(awaiting_headers.begin(), awaiting_headers.end(), t),
                         awaiting_headers.end());
  pushing.erase(std::remove(pushing.begin(), pushing.end(), t), pushing.end());
  if (t->channel_)
    t->channel_->finish(std::make_exception_ptr(
        AnthropicIoException(t->describe() + " failed: the transfer was stopped", true)));
  by_id.erase(t->id);
  transfers.erase(t->id);  // destroys it
}

// Ends `t` with `error` (null: success, only for a delivered stream); its callbacks run after it
// is gone from the multi handle.
void IoLoop::State::complete(Transfer* t, std::exception_ptr error) {
  SendDone send_done = std::move(t->send_done_);
  OpenDone open_done = t->headers_delivered ? OpenDone() : std::move(t->open_done_);
  std::shared_ptr<Channel> channel = t->headers_delivered ? t->channel_ : nullptr;
  std::shared_ptr<Sink> sink = t->headers_delivered ? std::move(t->sink_) : nullptr;
  if (channel) channel->finish(error);
  t->channel_.reset();
  remove(t);
  if (send_done) send_done(error, {});
  if (open_done) open_done(error, {});
  if (sink) sink->end(error);
}

void IoLoop::State::on_done(Transfer* t, CURLcode code) {
  const bool stopped_at_error_limit = code == CURLE_WRITE_ERROR && t->error_body_full_;
  if (!t->succeeded(code, t->easy_) && !stopped_at_error_limit) {
    std::exception_ptr error = t->failure(code, t->easy_);
    if (t->streaming() && !t->headers_delivered && t->headers_complete() && !t->error_status()) {
      // Broken after a complete 2xx head, within the turn that brought it: the response is handed
      // over first, so that its reader gets the bytes that did arrive and then this error (as
      // from the blocking transport), and a results stream resumes after them with a Range.
      hand_over(t);
    }
    complete(t, std::move(error));
    return;
  }
  if (!t->streaming()) {
    SendDone done = std::move(t->send_done_);
    std::exception_ptr error;
    http::HttpResponse response;
    try {
      response = t->take_response();
    } catch (...) {
      error = std::current_exception();
    }
    remove(t);
    done(error, std::move(response));
    return;
  }
  // A pushed 2xx body that ended before its head was handed over goes the same way as one that
  // was handed over: head, bytes, end.
  if (t->sink_ && !t->headers_delivered && !t->error_status()) hand_over(t);
  if (t->headers_delivered) {
    std::shared_ptr<Channel> channel = t->channel_;
    std::shared_ptr<Sink> sink = std::move(t->sink_);
    channel->finish(nullptr);
    t->channel_.reset();
    remove(t);
    if (sink) sink->end(nullptr);
    return;
  }
  // Ended before its headers were handed over (a small body, an error status): the whole body is
  // here.
  OpenDone done = std::move(t->open_done_);
  http::StreamedResponse response;
  response.status = t->status();
  response.headers = t->take_headers();
  if (t->error_status()) {
    response.body = http::make_memory_body(std::move(t->error_body_));
  } else {
    std::string bytes = std::move(t->channel_->buffer);
    response.body = http::make_memory_body(std::move(bytes));
  }
  t->channel_.reset();
  remove(t);
  done(nullptr, std::move(response));
}

void IoLoop::State::deliver_headers() {
  for (std::size_t i = 0; i < awaiting_headers.size();) {
    Transfer* t = awaiting_headers[i];
    // An error status is delivered with its whole body, at the end (on_done).
    if (!t->headers_complete() || t->error_status()) {
      ++i;
      continue;
    }
    hand_over(t);
    if (t->stop_after_flush_) remove(t);
  }
}

// Hands a streamed response whose 2xx head is complete to its caller; the body follows through
// the channel. `t` stays on the multi handle (the callback only posts, never removes).
void IoLoop::State::hand_over(Transfer* t) {
  awaiting_headers.erase(std::remove(awaiting_headers.begin(), awaiting_headers.end(), t),
                         awaiting_headers.end());
  t->headers_delivered = true;
  // A body being pulled gives its place up (its reader may be waiting on other calls); a pushed
  // one keeps it to its end, like any call in flight.
  const bool pushed = static_cast<bool>(t->sink_);
  if (!pushed) release_place(t);
  http::StreamedResponse response;
  response.status = t->status();
  response.headers = t->take_headers();
  response.body = std::make_unique<Body>(self.lock(), t->id, t->channel_, t->describe(),
                                         t->timeout(), t->cancellation(), pushed);
  OpenDone done = std::move(t->open_done_);
  done(nullptr, std::move(response));
  if (!pushed) return;
  // The bytes that arrived with the head go first; from here on `deliver` hands them over.
  std::string early;
  bool paused = false;
  {
    std::lock_guard<std::mutex> lock(t->channel_->mutex);
    early = std::move(t->channel_->buffer);  // nobody read from it: `pos` is 0
    t->channel_->buffer = std::string();
    t->channel_->pos = 0;
    paused = t->channel_->paused;
    t->channel_->paused = false;
  }
  if (!early.empty() && t->sink_ && !t->sink_->data(early.data(), early.size())) {
    t->sink_.reset();
    t->stop_after_flush_ = true;
    return;
  }
  if (t->timeout().count() > 0) {
    t->received_seen = t->received();
    t->deadline = SteadyClock::now() + t->timeout();
    pushing.push_back(t);
  }
  if (paused) t->resume();
}

void IoLoop::State::sweep_cancelled() {
  for (auto it = queued.begin(); it != queued.end();) {
    if ((*it)->cancellation().cancelled()) {
      std::unique_ptr<Transfer> t = std::move(*it);
      it = queued.erase(it);
      t->registration_.reset();
      std::exception_ptr error = std::make_exception_ptr(t->cancelled_before_start());
      if (t->send_done_) t->send_done_(error, {});
      if (t->open_done_) t->open_done_(error, {});
      it = queued.begin();  // the callbacks may have changed the queue: look again
    } else {
      ++it;
    }
  }
  std::vector<std::uint64_t> cancelled;
  for (auto& [id, t] : transfers) {
    if (t->cancellation().cancelled()) cancelled.push_back(id);
  }
  for (std::uint64_t id : cancelled) {
    if (Transfer* t = find(id)) complete(t, std::make_exception_ptr(t->cancelled_error(t->easy_)));
  }
  std::vector<TimerFn> due;
  for (auto it = timers.begin(); it != timers.end();) {
    if (it->second.token.cancelled()) {
      it->second.registration.reset();
      due.push_back(std::move(it->second.fn));
      it = timers.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& fn : due) fn(false);
}

void IoLoop::State::fire_timers(bool stopping_now) {
  auto now = SteadyClock::now();
  std::vector<TimerFn> due;
  while (!timers.empty() && (stopping_now || timers.begin()->first.first <= now)) {
    auto node = timers.extract(timers.begin());
    node.mapped().registration.reset();
    due.push_back(std::move(node.mapped().fn));
  }
  for (auto& fn : due) fn(stopping_now);
}

void IoLoop::State::add_timer(std::chrono::milliseconds delay, CancellationToken token,
                              TimerFn fn) {
  if (is_stopping()) {
    fn(true);
    return;
  }
  Timer timer{std::move(fn), token, {}};
  auto key = std::make_pair(SteadyClock::now() + delay, next_id++);
  auto it = timers.emplace(key, std::move(timer)).first;
  it->second.registration = token.on_cancel(wake_on_cancel());
}

void IoLoop::State::shut_down_all() {
  while (!queued.empty()) {  // never sent
    std::unique_ptr<Transfer> t = std::move(queued.front());
    queued.pop_front();
    t->registration_.reset();
    std::exception_ptr error = std::make_exception_ptr(
        AnthropicCancelledException(t->describe() + " cancelled: " + kDestroyed, false));
    if (t->send_done_) t->send_done_(error, {});
    if (t->open_done_) t->open_done_(error, {});
  }
  std::vector<std::uint64_t> all;
  for (auto& [id, t] : transfers) all.push_back(id);
  for (std::uint64_t id : all) {
    Transfer* t = find(id);  // a callback may have ended it meanwhile
    if (t == nullptr) continue;
    bool reached = CurlTransfer::anything_sent(t->easy_) || t->uploaded() != 0;
    complete(t, std::make_exception_ptr(AnthropicCancelledException(
                    t->describe() + " cancelled: " + kDestroyed, reached)));
  }
  fire_timers(true);
}

bool IoLoop::State::is_stopping() {
  std::lock_guard<std::mutex> lock(mutex);
  return stopping;
}

// One attempt of `request`, `done` being a SendDone (`send`) or an OpenDone (`open`): the
// transfer is built and started on the I/O thread, where a failure to do so reaches `done`.
template <class Done>
void IoLoop::State::submit(http::HttpRequest request, Done done, std::shared_ptr<Sink> sink) {
  post([this, request = std::move(request), done = std::move(done),
        sink = std::move(sink)]() mutable {
    constexpr bool kStreaming = std::is_same_v<Done, OpenDone>;
    std::unique_ptr<Transfer> t;
    auto callback = [&t]() -> Done& {
      if constexpr (std::is_same_v<Done, OpenDone>) {
        return t->open_done_;
      } else {
        return t->send_done_;
      }
    };
    std::exception_ptr error = thrown_by([&] {
      if (is_stopping()) {
        throw AnthropicCancelledException(request.method + " cancelled: " + kDestroyed, false);
      }
      t = std::make_unique<Transfer>(request, kStreaming);
      t->sink_ = std::move(sink);
      callback() = std::move(done);
      start(t);
    });
    if (error) {  // reported after the catch block (thrown_by)
      Done d = t ? std::move(callback()) : std::move(done);
      if (d) d(std::move(error), {});
    }
  });
}

IoLoop::IoLoop(Settings settings) : state_(std::make_shared<State>(std::move(settings))) {
  state_->self = state_;
}

IoLoop::~IoLoop() { shutdown(); }

void IoLoop::shutdown() { state_->stop(); }

bool IoLoop::on_loop_thread() const noexcept { return state_->on_loop_thread(); }

void IoLoop::post(std::function<void()> fn) { state_->post(std::move(fn)); }

void IoLoop::send(http::HttpRequest request, SendDone done) {
  state_->submit(std::move(request), std::move(done));
}

void IoLoop::open(http::HttpRequest request, OpenDone done) {
  state_->submit(std::move(request), std::move(done));
}

void IoLoop::open(http::HttpRequest request, OpenDone done, std::shared_ptr<Sink> sink) {
  state_->submit(std::move(request), std::move(done), std::move(sink));
}

http::StreamedResponse IoLoop::open_blocking(const http::HttpRequest& request) {
  if (on_loop_thread()) {
    throw AnthropicException(
        "a results stream of the async service reconnected on the client's I/O thread (in a "
        "callback); read it on another thread");
  }
  auto promise = std::make_shared<std::promise<http::StreamedResponse>>();
  std::future<http::StreamedResponse> result = promise->get_future();
  open(request, [promise](std::exception_ptr error, http::StreamedResponse response) {
    if (error) {
      promise->set_exception(error);
    } else {
      promise->set_value(std::move(response));
    }
  });
  return result.get();
}

void IoLoop::after(std::chrono::milliseconds delay, const CancellationToken& token, TimerFn fn) {
  State* s = state_.get();
  s->post([s, delay, token, fn = std::move(fn)]() mutable {
    s->add_timer(delay, token, std::move(fn));
  });
}

}  // namespace anthropic::internal
