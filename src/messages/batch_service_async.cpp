#include <anthropic/beta/messages/batch_service_async.hpp>
#include <anthropic/errors.hpp>
#include <anthropic/messages/batch_service_async.hpp>

#include "http/io_loop.hpp"
#include "http/retry_state.hpp"
#include "http/thrown_by.hpp"
#include "messages/async_services.hpp"
#include "messages/batch_results_resume.hpp"
#include "messages/http_batch_service.hpp"
#include "messages/wait_plan.hpp"
#include "messages/with_id.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

#ifdef __linux__
#include <pthread.h>
#endif

namespace anthropic::messages {

using internal::thrown_by;
using internal::with_id;

namespace {

// Hands `result` to `done`; a callback that throws has nowhere to report to: ignored.
template <class T>
void deliver(const AsyncCallback<T>& done, std::future<T> result) noexcept {
  try {
    if (done) done(std::move(result));
  } catch (...) {
  }
}

template <class T>
void fail(const AsyncCallback<T>& done, std::exception_ptr error) noexcept {
  deliver(done, make_failed_future<T>(std::move(error)));
}

// A future and the callback that completes it.
template <class T>
std::pair<std::future<T>, AsyncCallback<T>> future_and_callback() {
  auto promise = std::make_shared<std::promise<T>>();
  std::future<T> future = promise->get_future();
  AsyncCallback<T> callback = [promise](std::future<T> result) {
    // set_value itself throws nothing here: the promise is completed once.
    std::exception_ptr error = thrown_by([&] { promise->set_value(result.get()); });
    if (error) promise->set_exception(std::move(error));  // after the catch block: thrown_by
  };
  return {std::move(future), std::move(callback)};
}

// Calls `start(callback)` and returns the future the callback completes; an exception thrown by
// `start` (a connection breaking its contract) completes it too.
template <class T, class Start>
std::future<T> as_future(Start&& start) {
  auto [future, callback] = future_and_callback<T>();
  try {
    start(callback);
  } catch (...) {
    fail(callback, std::current_exception());
  }
  return std::move(future);
}

template <class T>
void not_implemented(const char* operation, const AsyncCallback<T>& done) {
  fail(done,
       std::make_exception_ptr(AnthropicException(
           std::string(operation) + " is not implemented by this BatchServiceAsync connection")));
}

}  // namespace

// The connection's defaults.

template <class F>
BasicBatchServiceAsyncConnection<F>::~BasicBatchServiceAsyncConnection() = default;

template <class F>
void BasicBatchServiceAsyncConnection<F>::create(const BasicMessageBatchCreateParams<F>&,
                                                 const RequestOptions&,
                                                 AsyncCallback<MessageBatch> done) {
  not_implemented("create", done);
}
template <class F>
void BasicBatchServiceAsyncConnection<F>::create_encoded(const EncodedBatchCreateParams&,
                                                         const RequestOptions&,
                                                         AsyncCallback<MessageBatch> done) {
  not_implemented("create_encoded", done);
}
template <class F>
void BasicBatchServiceAsyncConnection<F>::retrieve(const MessageBatchRetrieveParams&,
                                                   const RequestOptions&,
                                                   AsyncCallback<MessageBatch> done) {
  not_implemented("retrieve", done);
}
template <class F>
void BasicBatchServiceAsyncConnection<F>::list(const MessageBatchListParams&, const RequestOptions&,
                                               AsyncCallback<BatchListPage> done) {
  not_implemented("list", done);
}
template <class F>
void BasicBatchServiceAsyncConnection<F>::cancel(const MessageBatchCancelParams&,
                                                 const RequestOptions&,
                                                 AsyncCallback<MessageBatch> done) {
  not_implemented("cancel", done);
}
template <class F>
void BasicBatchServiceAsyncConnection<F>::delete_(const MessageBatchDeleteParams&,
                                                  const RequestOptions&,
                                                  AsyncCallback<DeletedMessageBatch> done) {
  not_implemented("delete_", done);
}
template <class F>
void BasicBatchServiceAsyncConnection<F>::results(const MessageBatchResultsParams&,
                                                  const RequestOptions&,
                                                  AsyncCallback<BasicBatchResultsStream<F>> done) {
  not_implemented("results", done);
}
template <class F>
void BasicBatchServiceAsyncConnection<F>::wait_until_ended(const std::string&, const WaitOptions&,
                                                           AsyncCallback<MessageBatch> done) {
  not_implemented("wait_until_ended", done);
}
template <class F>
void BasicBatchServiceAsyncConnection<F>::for_each_result(const MessageBatchResultsParams&,
                                                          const RequestOptions&,
                                                          BatchResultHandler<F>,
                                                          AsyncCallback<std::size_t> done) {
  not_implemented("for_each_result", done);
}

// The façade.

template <class F>
BasicBatchServiceAsync<F>::BasicBatchServiceAsync(std::shared_ptr<Connection> connection)
    : connection_(std::move(connection)) {
  if (!connection_) throw AnthropicException("BatchServiceAsync needs a connection");
}

#define ANTHROPIC_ASYNC_FORWARD(T, name, Params)                                             \
  template <class F>                                                                         \
  std::future<T> BasicBatchServiceAsync<F>::name(const Params& params,                       \
                                                 const RequestOptions& options) {            \
    return as_future<T>([&](const AsyncCallback<T>& done) { name(params, options, done); }); \
  }                                                                                          \
  template <class F>                                                                         \
  void BasicBatchServiceAsync<F>::name(const Params& params, const RequestOptions& options,  \
                                       AsyncCallback<T> done) {                              \
    try {                                                                                    \
      connection_->name(params, options, done);                                              \
    } catch (...) {                                                                          \
      fail(done, std::current_exception());                                                  \
    }                                                                                        \
  }

#define ANTHROPIC_ASYNC_BY_ID(T, name, Params)                                                 \
  template <class F>                                                                           \
  std::future<T> BasicBatchServiceAsync<F>::name(const std::string& message_batch_id,          \
                                                 const RequestOptions& options) {              \
    return name(with_id<Params>(message_batch_id), options);                                   \
  }                                                                                            \
  template <class F>                                                                           \
  void BasicBatchServiceAsync<F>::name(const std::string& message_batch_id,                    \
                                       const RequestOptions& options, AsyncCallback<T> done) { \
    name(with_id<Params>(message_batch_id), options, std::move(done));                         \
  }

ANTHROPIC_ASYNC_FORWARD(MessageBatch, create, BasicMessageBatchCreateParams<F>)
ANTHROPIC_ASYNC_FORWARD(MessageBatch, create_encoded, EncodedBatchCreateParams)
ANTHROPIC_ASYNC_FORWARD(MessageBatch, retrieve, MessageBatchRetrieveParams)
ANTHROPIC_ASYNC_BY_ID(MessageBatch, retrieve, MessageBatchRetrieveParams)
ANTHROPIC_ASYNC_FORWARD(BatchListPage, list, MessageBatchListParams)
ANTHROPIC_ASYNC_FORWARD(MessageBatch, cancel, MessageBatchCancelParams)
ANTHROPIC_ASYNC_BY_ID(MessageBatch, cancel, MessageBatchCancelParams)
ANTHROPIC_ASYNC_FORWARD(DeletedMessageBatch, delete_, MessageBatchDeleteParams)
ANTHROPIC_ASYNC_BY_ID(DeletedMessageBatch, delete_, MessageBatchDeleteParams)
ANTHROPIC_ASYNC_FORWARD(BasicBatchResultsStream<F>, results, MessageBatchResultsParams)
ANTHROPIC_ASYNC_BY_ID(BasicBatchResultsStream<F>, results, MessageBatchResultsParams)

#undef ANTHROPIC_ASYNC_FORWARD
#undef ANTHROPIC_ASYNC_BY_ID

template <class F>
std::future<MessageBatch> BasicBatchServiceAsync<F>::wait_until_ended(
    const std::string& message_batch_id, const WaitOptions& options) {
  return as_future<MessageBatch>([&](const AsyncCallback<MessageBatch>& done) {
    wait_until_ended(message_batch_id, options, done);
  });
}

template <class F>
void BasicBatchServiceAsync<F>::wait_until_ended(const std::string& message_batch_id,
                                                 const WaitOptions& options,
                                                 AsyncCallback<MessageBatch> done) {
  try {
    connection_->wait_until_ended(message_batch_id, options, done);
  } catch (...) {
    fail(done, std::current_exception());
  }
}

template <class F>
std::future<std::size_t> BasicBatchServiceAsync<F>::for_each_result(
    const MessageBatchResultsParams& params, ResultHandler on_result,
    const RequestOptions& options) {
  return as_future<std::size_t>([&](const AsyncCallback<std::size_t>& done) {
    for_each_result(params, options, std::move(on_result), done);
  });
}

template <class F>
std::future<std::size_t> BasicBatchServiceAsync<F>::for_each_result(
    const std::string& message_batch_id, ResultHandler on_result, const RequestOptions& options) {
  return for_each_result(with_id<MessageBatchResultsParams>(message_batch_id), std::move(on_result),
                         options);
}

template <class F>
void BasicBatchServiceAsync<F>::for_each_result(const MessageBatchResultsParams& params,
                                                const RequestOptions& options,
                                                ResultHandler on_result,
                                                AsyncCallback<std::size_t> done) {
  try {
    connection_->for_each_result(params, options, std::move(on_result), done);
  } catch (...) {
    fail(done, std::current_exception());
  }
}

template <class F>
void BasicBatchServiceAsync<F>::for_each_result(const std::string& message_batch_id,
                                                const RequestOptions& options,
                                                ResultHandler on_result,
                                                AsyncCallback<std::size_t> done) {
  for_each_result(with_id<MessageBatchResultsParams>(message_batch_id), options,
                  std::move(on_result), std::move(done));
}

template class BasicBatchServiceAsyncConnection<GaFamily>;
template class BasicBatchServiceAsyncConnection<beta::messages::BetaFamily>;
template class BasicBatchServiceAsync<GaFamily>;
template class BasicBatchServiceAsync<beta::messages::BetaFamily>;

}  // namespace anthropic::messages

namespace anthropic::internal {

AsyncEngine::~AsyncEngine() = default;

namespace {

using messages::deliver;
using messages::fail;

AnthropicCancelledException destroyed_error(const std::string& what, bool reached) {
  return AnthropicCancelledException(what + " cancelled: client destroyed", reached);
}

// ---------------------------------------------------------------------------------------------
// The I/O-thread engine.

struct RetrySettings {
  http::RetryPolicy policy;
  http::Clock clock;
  http::Jitter jitter;
  Logger logger;
  http::Sleeper sleeper;
};

class LoopEngine final : public AsyncEngine {
 public:
  LoopEngine(IoLoop::Settings settings, RetrySettings retry_settings)
      : loop(std::make_shared<IoLoop>(std::move(settings))),
        retry(std::make_shared<const RetrySettings>(std::move(retry_settings))) {}
  void shutdown() override { loop->shutdown(); }

  std::shared_ptr<IoLoop> loop;
  std::shared_ptr<const RetrySettings> retry;
};

// One call on the loop: its attempts, the waits between them (timers), and its end.
template <class T, class Response>
class LoopCall final : public std::enable_shared_from_this<LoopCall<T, Response>> {
 public:
  /// `sink`: where a streamed 2xx body is pushed (null: it is read by a stream).
  LoopCall(PreparedCall<T, Response> call, AsyncCallback<T> done,
           std::shared_ptr<LoopEngine> engine, std::shared_ptr<IoLoop::Sink> sink = nullptr)
      : call_(std::move(call)),
        done_(std::move(done)),
        engine_(std::move(engine)),
        sink_(std::move(sink)),
        state_(call_.request, call_.retry, engine_->retry->policy, engine_->retry->clock,
               engine_->retry->jitter, engine_->retry->logger) {}

  void attempt() {
    std::optional<http::HttpRequest> sent;
    if (auto error = thrown_by([&] { sent.emplace(state_.next_attempt()); })) {
      finish(std::move(error), Response{});
      return;
    }
    auto self = this->shared_from_this();
    auto on_attempt = [self](std::exception_ptr error, Response response) {
      self->after_attempt(std::move(error), std::move(response));
    };
    if constexpr (std::is_same_v<Response, http::StreamedResponse>) {
      engine_->loop->open(std::move(*sent), std::move(on_attempt), sink_);
    } else {
      engine_->loop->send(std::move(*sent), std::move(on_attempt));
    }
  }

 private:
  void after_attempt(std::exception_ptr error, Response response) {
    std::chrono::milliseconds delay{0};
    bool done = false;
    std::exception_ptr failed = thrown_by([&] {
      if (error) {
        delay = state_.after_error(error);
      } else if (auto retry = state_.after_response(response.status, response.headers)) {
        delay = *retry;
      } else {
        done = true;
      }
    });
    if (failed) {
      finish(std::move(failed), Response{});
      return;
    }
    if (done) {
      finish(nullptr, std::move(response));
      return;
    }
    response = Response{};  // a streamed body is abandoned, which closes its connection
    if (engine_->retry->sleeper) {
      engine_->retry->sleeper(delay);  // a test's: on the I/O thread, then at once
      attempt();
      return;
    }
    auto self = this->shared_from_this();
    engine_->loop->after(delay, call_.request.cancellation, [self](bool stopping) {
      if (stopping) {
        self->finish(
            std::make_exception_ptr(destroyed_error(self->state_.target(), self->state_.reached())),
            Response{});
      } else {
        self->attempt();  // throws nothing: a cancel is reported by next_attempt
      }
    });
  }

  void finish(std::exception_ptr error, Response response) {
    std::promise<T> promise;
    std::exception_ptr failed =
        thrown_by([&] { promise.set_value(call_.finish(std::move(error), std::move(response))); });
    if (failed) promise.set_exception(std::move(failed));
    deliver(done_, promise.get_future());
  }

  PreparedCall<T, Response> call_;
  AsyncCallback<T> done_;
  std::shared_ptr<LoopEngine> engine_;
  std::shared_ptr<IoLoop::Sink> sink_;
  RetryState state_;
};

// for_each_result on the loop: the first response through a LoopCall (with its retries), then
// the body pushed here line by line; a broken transfer is reopened after the last whole line, as
// a pulled results stream does (ResumePlan), with timers for the waits.
template <class F>
class PushedResults final : public std::enable_shared_from_this<PushedResults<F>> {
 public:
  using Head = PreparedCall<http::StreamedResponse, http::StreamedResponse>;

  PushedResults(std::shared_ptr<LoopEngine> engine, const http::HttpRequest& request,
                int max_retries, messages::BatchResultHandler<F> on_result,
                AsyncCallback<std::size_t> done)
      : engine_(std::move(engine)),
        request_(request),
        on_result_(std::move(on_result)),
        done_(std::move(done)),
        lines_(true),
        plan_(max_retries, engine_->retry->jitter) {}

  void start(Head head) {
    auto self = this->shared_from_this();
    auto call = std::make_shared<LoopCall<http::StreamedResponse, http::StreamedResponse>>(
        std::move(head),
        [self](std::future<http::StreamedResponse> first) { self->first_head(std::move(first)); },
        engine_, std::make_shared<Leg>(self, 0));
    engine_->loop->post([call] { call->attempt(); });
  }

 private:
  // The sink of one transfer: bytes of an earlier, abandoned one are not this stream's any more.
  struct Leg final : IoLoop::Sink {
    Leg(std::shared_ptr<PushedResults> to, int of) : owner(std::move(to)), generation(of) {}
    bool data(const char* bytes, std::size_t size) override {
      return owner->data(generation, bytes, size);
    }
    void end(std::exception_ptr error) override { owner->end(generation, std::move(error)); }
    std::shared_ptr<PushedResults> owner;
    int generation;
  };

  void first_head(std::future<http::StreamedResponse> first) {
    std::exception_ptr error = thrown_by([&] {
      http::StreamedResponse response = first.get();
      plan_.first_response(response.headers);
      transfer_ = std::move(response.body);
    });
    if (error) finish(std::move(error));
  }

  // In libcurl's write callback: the outcome is reported from a task of its own.
  bool data(int generation, const char* bytes, std::size_t size) {
    if (ended_ || generation != generation_) return false;
    try {
      if (request_.cancellation.cancelled()) {
        throw AnthropicCancelledException("results: the stream was cancelled", false);
      }
      if (skip_left_ > 0) {  // a transfer from the start: the bytes delivered before, verified
        const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(skip_left_, size));
        again_.update(bytes, take);
        skip_left_ -= take;
        bytes += take;
        size -= take;
        if (skip_left_ == 0 && again_.digest() != lines_.consumed_digest()) {
          ResumePlan::throw_changed("the first " + std::to_string(lines_.consumed()) +
                                    " bytes differ from those already delivered");
        }
      }
      lines_.append(bytes, size);
      std::string_view line;
      while (lines_.next_line(line)) deliver_line(line);
      lines_.compact();
      return true;
    } catch (...) {
      ended_ = true;  // nothing more is taken; the transfer stops
      auto self = this->shared_from_this();
      engine_->loop->post([self, error = std::current_exception()] { self->finish(error); });
      return false;
    }
  }

  void deliver_line(std::string_view line) {
    if (!content_line(line, line_number_)) return;
    on_result_(decode_results_line<F>(line, line_number_));
    ++delivered_;
  }

  void end(int generation, std::exception_ptr error) {
    if (ended_ || generation != generation_) return;
    transfer_.reset();
    if (error) return broken(std::move(error));
    std::exception_ptr failed = thrown_by([&] {
      if (skip_left_ > 0) {
        ResumePlan::throw_changed("the body now ends before the " +
                                  std::to_string(lines_.consumed()) + " bytes already delivered");
      }
      if (plan_.ended_short(lines_.received())) {
        return resume(std::make_exception_ptr(plan_.cut_error(lines_.received())));
      }
      std::string_view line;
      if (lines_.last_line(line)) deliver_line(line);  // a last line without '\n'
      finish(nullptr);
    });
    if (failed) finish(std::move(failed));
  }

  // The transfer (or an attempt to reopen it) failed with `error`.
  void broken(std::exception_ptr error) {
    bool io = false;
    try {
      std::rethrow_exception(error);
    } catch (const AnthropicCancelledException&) {  // an I/O exception that is not retried
    } catch (const AnthropicIoException&) {
      io = true;
    } catch (...) {
    }
    if (io) {
      resume(std::move(error));
    } else {
      finish(std::move(error));
    }
  }

  // Drops the unfinished line and reopens the results after the last whole line, after the
  // backoff; or ends the call once the budget of reconnects without progress is spent.
  void resume(std::exception_ptr error) {
    transfer_.reset();
    ++generation_;  // whatever the broken transfer still delivers is ignored
    lines_.drop_unfinished();
    skip_left_ = 0;
    auto delay = plan_.failed_at(lines_.consumed());
    if (!delay) return finish(plan_.give_up(std::move(error), line_number_));
    if (engine_->retry->sleeper) {
      engine_->retry->sleeper(*delay);  // a test's: on the I/O thread, then at once
      return reopen();
    }
    auto self = this->shared_from_this();
    engine_->loop->after(*delay, request_.cancellation, [self](bool stopping) {
      if (stopping) {
        self->finish(std::make_exception_ptr(destroyed_error("results", false)));
      } else {
        self->reopen();
      }
    });
  }

  void reopen() {
    if (ended_) return;
    if (request_.cancellation.cancelled()) {
      return finish(std::make_exception_ptr(AnthropicCancelledException(
          "results: the stream was cancelled while waiting to reconnect", false)));
    }
    const std::uint64_t offset = lines_.consumed();
    const int generation = generation_;
    auto self = this->shared_from_this();
    engine_->loop->open(
        results_reopen_request(request_, plan_.range_start(offset)),
        [self, generation, offset](std::exception_ptr error, http::StreamedResponse response) {
          self->reopened(generation, offset, std::move(error), std::move(response));
        },
        std::make_shared<Leg>(self, generation));
  }

  void reopened(int generation, std::uint64_t offset, std::exception_ptr error,
                http::StreamedResponse response) {
    if (ended_ || generation != generation_) return;
    if (error) return broken(std::move(error));
    std::exception_ptr failed = thrown_by([&] {
      switch (plan_.reopened(response, offset)) {
        case ResumePlan::Reopened::kContinues:
          transfer_ = std::move(response.body);
          return;
        case ResumePlan::Reopened::kEnded:
          return finish(nullptr);
        case ResumePlan::Reopened::kFromStart:
          skip_left_ = offset;
          again_ = RunningChecksum();
          transfer_ = std::move(response.body);
          return;
        case ResumePlan::Reopened::kRetry:  // counted like a broken connection
          return resume(ResumePlan::status_exception(response));
      }
    });
    if (failed) finish(std::move(failed));
  }

  void finish(std::exception_ptr error) {
    if (finished_) return;
    finished_ = ended_ = true;
    ++generation_;
    transfer_.reset();  // stops a transfer still running
    lines_.release();
    AsyncCallback<std::size_t> done = std::move(done_);
    on_result_ = nullptr;
    if (error) {
      fail(done, std::move(error));
    } else {
      deliver(done, make_ready_future(delivered_));
    }
  }

  std::shared_ptr<LoopEngine> engine_;
  http::HttpRequest request_;
  messages::BatchResultHandler<F> on_result_;
  AsyncCallback<std::size_t> done_;
  LineBuffer lines_;
  ResumePlan plan_;
  std::unique_ptr<http::ResponseBody> transfer_;  // the current transfer: dropping it stops it
  int generation_ = 0;
  std::uint64_t skip_left_ = 0;
  RunningChecksum again_;
  std::size_t line_number_ = 0;
  std::size_t delivered_ = 0;
  bool ended_ = false;     // no more bytes are taken
  bool finished_ = false;  // `done` was called
};

template <class F>
class LoopConnection final : public messages::BasicBatchServiceAsyncConnection<F>,
                             public std::enable_shared_from_this<LoopConnection<F>> {
 public:
  LoopConnection(std::shared_ptr<HttpBatchService<F>> sync, std::shared_ptr<LoopEngine> engine)
      : sync_(std::move(sync)), engine_(std::move(engine)) {}

  void create(const messages::BasicMessageBatchCreateParams<F>& params,
              const RequestOptions& options, AsyncCallback<messages::MessageBatch> done) override {
    run(done, [&] { return sync_->prepare_create(params, options); });
  }
  void create_encoded(const messages::EncodedBatchCreateParams& params,
                      const RequestOptions& options,
                      AsyncCallback<messages::MessageBatch> done) override {
    run(done, [&] { return sync_->prepare_create_encoded(params, options); });
  }
  void retrieve(const messages::MessageBatchRetrieveParams& params, const RequestOptions& options,
                AsyncCallback<messages::MessageBatch> done) override {
    run(done, [&] { return sync_->prepare_retrieve(params, options); });
  }
  void list(const messages::MessageBatchListParams& params, const RequestOptions& options,
            AsyncCallback<messages::BatchListPage> done) override {
    run(done, [&] { return sync_->prepare_list(params, options); });
  }
  void cancel(const messages::MessageBatchCancelParams& params, const RequestOptions& options,
              AsyncCallback<messages::MessageBatch> done) override {
    run(done, [&] { return sync_->prepare_cancel(params, options); });
  }
  void delete_(const messages::MessageBatchDeleteParams& params, const RequestOptions& options,
               AsyncCallback<messages::DeletedMessageBatch> done) override {
    run(done, [&] { return sync_->prepare_delete(params, options); });
  }
  void results(const messages::MessageBatchResultsParams& params, const RequestOptions& options,
               AsyncCallback<messages::BasicBatchResultsStream<F>> done) override {
    run(done, [&] {
      return sync_->prepare_results(params, options,
                                    [loop = engine_->loop](const http::HttpRequest& request) {
                                      return loop->open_blocking(request);
                                    });
    });
  }
  void wait_until_ended(const std::string& message_batch_id, const messages::WaitOptions& options,
                        AsyncCallback<messages::MessageBatch> done) override;
  void for_each_result(const messages::MessageBatchResultsParams& params,
                       const RequestOptions& options, messages::BatchResultHandler<F> on_result,
                       AsyncCallback<std::size_t> done) override {
    std::shared_ptr<PushedResults<F>> push;
    std::optional<typename PushedResults<F>::Head> head;
    try {
      if (!on_result) throw AnthropicInvalidRequestException("for_each_result: on_result is empty");
      head.emplace(sync_->prepare_results_head(params, options));
      push = std::make_shared<PushedResults<F>>(
          engine_, head->request, sync_->results_max_retries(options), std::move(on_result), done);
    } catch (...) {
      return fail_on_loop(std::move(done), std::current_exception());
    }
    push->start(std::move(*head));
  }

 private:
  // Prepares the call on the caller's thread (params checked, body built), then runs it.
  template <class T, class Prepare>
  void run(AsyncCallback<T>& done, Prepare&& prepare) {
    using Call = decltype(prepare());
    std::optional<Call> call;
    try {
      call.emplace(prepare());
    } catch (...) {
      fail_on_loop(std::move(done), std::current_exception());
      return;
    }
    start_call(std::move(*call), std::move(done));
  }

  template <class T, class Response>
  void start_call(PreparedCall<T, Response> call, AsyncCallback<T> done) {
    auto c = std::make_shared<LoopCall<T, Response>>(std::move(call), std::move(done), engine_);
    // The first attempt on the loop as well: a callback never runs inside the call (an already
    // cancelled token fails it there).
    engine_->loop->post([c] { c->attempt(); });
  }

  // Invalid params, found on the caller's thread: reported on the I/O thread like every other
  // outcome, so that a callback never runs inside the call that started it.
  template <class T>
  void fail_on_loop(AsyncCallback<T> done, std::exception_ptr error) {
    engine_->loop->post([done = std::move(done), error] { fail(done, error); });
  }

  std::shared_ptr<HttpBatchService<F>> sync_;
  std::shared_ptr<LoopEngine> engine_;
};

// wait_until_ended on the loop: retrieve, then a timer, until the batch has ended.
template <class F>
class LoopWait final : public std::enable_shared_from_this<LoopWait<F>> {
 public:
  LoopWait(std::shared_ptr<LoopConnection<F>> connection, std::shared_ptr<IoLoop> loop,
           std::string id, messages::WaitOptions options,
           AsyncCallback<messages::MessageBatch> done)
      : connection_(std::move(connection)),
        loop_(std::move(loop)),
        id_(std::move(id)),
        options_(std::move(options)),
        plan_(id_, options_),
        done_(std::move(done)) {}

  void poll() {
    const CancellationToken& token = options_.request_options.cancellation;
    if (token.cancelled()) return fail(done_, std::make_exception_ptr(plan_.cancelled()));
    messages::MessageBatchRetrieveParams params;
    params.message_batch_id = id_;
    auto self = this->shared_from_this();
    connection_->retrieve(
        params, options_.request_options,
        [self](std::future<messages::MessageBatch> result) { self->polled(std::move(result)); });
  }

 private:
  void polled(std::future<messages::MessageBatch> result) {
    std::optional<std::chrono::milliseconds> wait;
    messages::MessageBatch batch;
    std::exception_ptr error = thrown_by([&] {
      batch = result.get();
      if (options_.on_progress) options_.on_progress(batch);
      wait = plan_.after_poll(batch);
    });
    if (error) return fail(done_, std::move(error));
    if (!wait) return deliver(done_, make_ready_future(std::move(batch)));
    auto self = this->shared_from_this();
    loop_->after(*wait, options_.request_options.cancellation, [self](bool stopping) {
      if (stopping) {
        fail(self->done_, std::make_exception_ptr(
                              destroyed_error("wait_until_ended of batch " + self->id_, false)));
      } else {
        self->poll();
      }
    });
  }

  std::shared_ptr<LoopConnection<F>> connection_;
  std::shared_ptr<IoLoop> loop_;
  std::string id_;
  messages::WaitOptions options_;
  WaitPlan plan_;  // refers to options_
  AsyncCallback<messages::MessageBatch> done_;
};

template <class F>
void LoopConnection<F>::wait_until_ended(const std::string& message_batch_id,
                                         const messages::WaitOptions& options,
                                         AsyncCallback<messages::MessageBatch> done) {
  std::shared_ptr<LoopWait<F>> wait;
  try {
    if (options.sleeper) {
      throw AnthropicInvalidRequestException(
          "wait_until_ended: WaitOptions::sleeper is not supported by the async service (its "
          "waits are timers on the I/O thread)");
    }
    wait = std::make_shared<LoopWait<F>>(this->shared_from_this(), engine_->loop, message_batch_id,
                                         options, done);
  } catch (...) {
    return fail_on_loop(std::move(done), std::current_exception());
  }
  engine_->loop->post([wait] { wait->poll(); });  // every poll, and the callback, on the loop
}

// ---------------------------------------------------------------------------------------------
// The worker-pool engine, for a caller-supplied blocking transport.

class PoolEngine final : public AsyncEngine, public std::enable_shared_from_this<PoolEngine> {
 public:
  explicit PoolEngine(int threads) : size_(std::clamp(threads, 1, 8)) {}
  ~PoolEngine() override { shutdown(); }

  /// Runs `task(false)` on a worker, or `task(true)` once shut down.
  void submit(std::function<void(bool stopping)> task) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (stopping_) {
      lock.unlock();
      task(true);
      return;
    }
    if (workers_.size() < size_ && queue_.size() + 1 > static_cast<std::size_t>(idle_)) {
      // A worker holds the engine: it may be the thread that destroys the last client. Created
      // before the task is queued: if it cannot be, the call fails and nothing runs it later.
      workers_.emplace_back([self = shared_from_this()] { self->work(); });
    }
    queue_.push_back(std::move(task));
    lock.unlock();
    cv_.notify_one();
  }

  /// Cancelled by `shutdown`: the token of every running call is tied to it.
  CancellationToken shutdown_token() const { return shutdown_source_.token(); }

  void shutdown() override {
    std::vector<std::thread> workers;
    std::deque<std::function<void(bool)>> queued;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
      workers.swap(workers_);
      queued.swap(queue_);
    }
    cv_.notify_all();
    shutdown_source_.cancel();  // running calls end now (AnthropicCancelledException)
    for (auto& task : queued) task(true);
    // Calls already running on a blocking transport end on their own (their timeouts apply).
    for (auto& worker : workers) {
      if (worker.get_id() == std::this_thread::get_id()) {
        worker.detach();
      } else {
        worker.join();
      }
    }
  }

 private:
  void work() {
#ifdef __linux__
    pthread_setname_np(pthread_self(), "anthropic-work");
#endif
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      ++idle_;
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      --idle_;
      if (queue_.empty()) return;  // stopping
      auto task = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      task(false);
      lock.lock();
    }
  }

  std::size_t size_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void(bool)>> queue_;
  std::vector<std::thread> workers_;
  int idle_ = 0;
  bool stopping_ = false;
  CancellationSource shutdown_source_;
};

template <class F>
class PoolConnection final : public messages::BasicBatchServiceAsyncConnection<F> {
 public:
  PoolConnection(std::shared_ptr<HttpBatchService<F>> sync, std::shared_ptr<PoolEngine> engine)
      : sync_(std::move(sync)), engine_(std::move(engine)) {}

  void create(const messages::BasicMessageBatchCreateParams<F>& params,
              const RequestOptions& options, AsyncCallback<messages::MessageBatch> done) override {
    run("create", std::move(done), options,
        [s = sync_, params](const RequestOptions& o) { return s->create(params, o); });
  }
  void create_encoded(const messages::EncodedBatchCreateParams& params,
                      const RequestOptions& options,
                      AsyncCallback<messages::MessageBatch> done) override {
    run("create", std::move(done), options,
        [s = sync_, params](const RequestOptions& o) { return s->create_encoded(params, o); });
  }
  void retrieve(const messages::MessageBatchRetrieveParams& params, const RequestOptions& options,
                AsyncCallback<messages::MessageBatch> done) override {
    run("retrieve", std::move(done), options,
        [s = sync_, params](const RequestOptions& o) { return s->retrieve(params, o); });
  }
  void list(const messages::MessageBatchListParams& params, const RequestOptions& options,
            AsyncCallback<messages::BatchListPage> done) override {
    run("list", std::move(done), options,
        [s = sync_, params](const RequestOptions& o) { return s->list(params, o); });
  }
  void cancel(const messages::MessageBatchCancelParams& params, const RequestOptions& options,
              AsyncCallback<messages::MessageBatch> done) override {
    run("cancel", std::move(done), options,
        [s = sync_, params](const RequestOptions& o) { return s->cancel(params, o); });
  }
  void delete_(const messages::MessageBatchDeleteParams& params, const RequestOptions& options,
               AsyncCallback<messages::DeletedMessageBatch> done) override {
    run("delete", std::move(done), options,
        [s = sync_, params](const RequestOptions& o) { return s->delete_(params, o); });
  }
  void results(const messages::MessageBatchResultsParams& params, const RequestOptions& options,
               AsyncCallback<messages::BasicBatchResultsStream<F>> done) override {
    run("results", std::move(done), options,
        [s = sync_, params](const RequestOptions& o) { return s->results(params, o); });
  }
  void wait_until_ended(const std::string& message_batch_id, const messages::WaitOptions& options,
                        AsyncCallback<messages::MessageBatch> done) override {
    const bool has_sleeper = static_cast<bool>(options.sleeper);
    run("wait_until_ended", std::move(done), options.request_options,
        [s = sync_, message_batch_id, options, has_sleeper](const RequestOptions& o) {
          if (has_sleeper) {
            throw AnthropicInvalidRequestException(
                "wait_until_ended: WaitOptions::sleeper is not supported by the async service");
          }
          messages::WaitOptions w = options;
          w.request_options = o;
          return messages::BasicBatchService<F>(s).wait_until_ended(message_batch_id, w);
        });
  }
  void for_each_result(const messages::MessageBatchResultsParams& params,
                       const RequestOptions& options, messages::BatchResultHandler<F> on_result,
                       AsyncCallback<std::size_t> done) override {
    run("results", std::move(done), options,
        [s = sync_, params, on_result = std::move(on_result)](const RequestOptions& o) {
          if (!on_result) {
            throw AnthropicInvalidRequestException("for_each_result: on_result is empty");
          }
          auto stream = s->results(params, o);
          std::size_t delivered = 0;
          while (auto line = stream.next()) {
            on_result(std::move(*line));
            ++delivered;
          }
          return delivered;
        });
  }

 private:
  // Runs `fn` on a worker with `options` whose token is cancelled by the caller's token or by
  // the client's destruction, so that destroying the client never waits for a long call (a
  // wait_until_ended) to end by itself.
  template <class T, class Fn>
  void run(const char* operation, AsyncCallback<T> done, const RequestOptions& options, Fn fn) {
    engine_->submit([operation, done = std::move(done), options, fn = std::move(fn),
                     destroyed = engine_->shutdown_token()](bool stopping) {
      std::promise<T> promise;
      if (stopping) {
        promise.set_exception(std::make_exception_ptr(destroyed_error(operation, false)));
      } else {
        CancellationSource source;
        auto by_caller = options.cancellation.on_cancel([source]() mutable { source.cancel(); });
        auto by_client = destroyed.on_cancel([source]() mutable { source.cancel(); });
        RequestOptions o = options;
        o.cancellation = source.token();
        try {
          promise.set_value(fn(o));
        } catch (const AnthropicCancelledException& e) {
          if (destroyed.cancelled() && !options.cancellation.cancelled()) {
            promise.set_exception(
                std::make_exception_ptr(destroyed_error(operation, e.may_have_reached_server())));
          } else {
            promise.set_exception(std::current_exception());
          }
        } catch (...) {
          promise.set_exception(std::current_exception());
        }
      }
      deliver(done, promise.get_future());
    });
  }

  std::shared_ptr<HttpBatchService<F>> sync_;
  std::shared_ptr<PoolEngine> engine_;
};

}  // namespace

AsyncServices make_async_services(
    const ClientOptions& options, const ClientConfig& config,
    const http::CurlHttpClientOptions& curl,
    std::shared_ptr<HttpBatchService<messages::GaFamily>> ga,
    std::shared_ptr<HttpBatchService<beta::messages::BetaFamily>> beta) {
  AsyncServices out;
  const int limit = std::max(1, options.max_async_connections);
  if (options.http_client) {
    auto engine = std::make_shared<PoolEngine>(limit);
    out.engine = engine;
    out.ga = std::make_shared<PoolConnection<messages::GaFamily>>(std::move(ga), engine);
    out.beta =
        std::make_shared<PoolConnection<beta::messages::BetaFamily>>(std::move(beta), engine);
    return out;
  }
  IoLoop::Settings settings;
  settings.curl = curl;
  settings.max_host_connections = limit;
  RetrySettings retry;
  retry.policy.max_retries = options.max_retries;
  retry.policy.max_retry_after = options.max_retry_after;
  retry.clock = options.clock ? options.clock : [] { return std::chrono::system_clock::now(); };
  retry.jitter = &random_jitter;
  retry.logger = config.logger;
  retry.sleeper = options.sleeper;
  auto engine = std::make_shared<LoopEngine>(std::move(settings), std::move(retry));
  out.engine = engine;
  out.ga = std::make_shared<LoopConnection<messages::GaFamily>>(std::move(ga), engine);
  out.beta = std::make_shared<LoopConnection<beta::messages::BetaFamily>>(std::move(beta), engine);
  return out;
}

}  // namespace anthropic::internal
