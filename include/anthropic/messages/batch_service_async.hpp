#pragma once

#include <anthropic/client_options.hpp>
#include <anthropic/errors.hpp>
#include <anthropic/export.hpp>
#include <anthropic/messages/batch_create_body.hpp>
#include <anthropic/messages/batch_list_page.hpp>
#include <anthropic/messages/batch_results.hpp>
#include <anthropic/messages/batch_service.hpp>
#include <anthropic/models/batch_params.hpp>
#include <anthropic/models/message_batch.hpp>

#include <cstddef>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <utility>

namespace anthropic {

/// What an asynchronous operation calls when it completes: with a ready `std::future` whose
/// `get()` returns the value or throws the operation's typed exception (the same exceptions as
/// the blocking form). Called exactly once.
///
/// The SDK's async services call it on the client's I/O thread: it must return quickly and must
/// not wait on another call of the same client (start it, with a callback of its own, instead).
template <class T>
using AsyncCallback = std::function<void(std::future<T>)>;

/// A `std::future` that is already complete with `value`.
template <class T>
std::future<T> make_ready_future(T value) {
  std::promise<T> p;
  p.set_value(std::move(value));
  return p.get_future();
}

/// A `std::future` that is already complete with `error`.
template <class T>
std::future<T> make_failed_future(std::exception_ptr error) {
  std::promise<T> p;
  p.set_exception(std::move(error));
  return p.get_future();
}

}  // namespace anthropic

namespace anthropic::messages {

/// What `BasicBatchServiceAsync::for_each_result` calls with each line of a batch's results.
template <class Family>
using BatchResultHandler = std::function<void(BasicMessageBatchIndividualResponse<Family>)>;

/// The operations behind `BasicBatchServiceAsync`, one virtual function each, in the callback
/// form. The SDK implements it on the client's I/O thread; implement it to fake or mock the async
/// service in tests: every function has a default that completes with
/// `AnthropicException("... is not implemented by this connection")`, so a fake overrides only
/// what it uses and a later SDK version adding an operation breaks no subclass.
///
/// Each function must call its callback exactly once, from any thread, and must not throw.
template <class Family>
class ANTHROPIC_EXPORT BasicBatchServiceAsyncConnection {
 public:
  virtual ~BasicBatchServiceAsyncConnection();

  /// `create`.
  virtual void create(const BasicMessageBatchCreateParams<Family>& params,
                      const RequestOptions& options, AsyncCallback<MessageBatch> done);
  /// `create_encoded`.
  virtual void create_encoded(const EncodedBatchCreateParams& params, const RequestOptions& options,
                              AsyncCallback<MessageBatch> done);
  /// `retrieve`.
  virtual void retrieve(const MessageBatchRetrieveParams& params, const RequestOptions& options,
                        AsyncCallback<MessageBatch> done);
  /// `list`.
  virtual void list(const MessageBatchListParams& params, const RequestOptions& options,
                    AsyncCallback<BatchListPage> done);
  /// `cancel`.
  virtual void cancel(const MessageBatchCancelParams& params, const RequestOptions& options,
                      AsyncCallback<MessageBatch> done);
  /// `delete_`.
  virtual void delete_(const MessageBatchDeleteParams& params, const RequestOptions& options,
                       AsyncCallback<DeletedMessageBatch> done);
  /// `results`.
  virtual void results(const MessageBatchResultsParams& params, const RequestOptions& options,
                       AsyncCallback<BasicBatchResultsStream<Family>> done);
  /// `wait_until_ended`.
  virtual void wait_until_ended(const std::string& message_batch_id, const WaitOptions& options,
                                AsyncCallback<MessageBatch> done);
  /// `for_each_result`.
  virtual void for_each_result(const MessageBatchResultsParams& params,
                               const RequestOptions& options, BatchResultHandler<Family> on_result,
                               AsyncCallback<std::size_t> done);
};

/// The asynchronous Message Batches service of a family:
/// `client.async().messages().batches()` (GA, `anthropic::messages::BatchServiceAsync`) and
/// `client.async().beta().messages().batches()` (`anthropic::beta::messages::BatchServiceAsync`).
///
/// The same operations, overloads, options and exceptions as `BasicBatchService`, each in two
/// forms: one returning a `std::future`, one taking an `AsyncCallback` (for an event loop such as
/// asio or libuv: nothing blocks). Errors never escape the call itself, not even for invalid
/// params: they complete the future (or reach the callback), so `get()` throws them.
///
/// How the SDK runs them: one I/O thread per `Client` (started by the first async call) drives
/// every async call of that client on libcurl's multi interface, at most
/// `ClientOptions::max_async_connections` of them on the wire at once (the others wait, in
/// order; a results stream being read is not counted); retries and the waits of
/// `wait_until_ended` are timers on that thread (no thread sleeps). Callbacks run on the I/O
/// thread. With a caller-supplied `ClientOptions::http_client`, the blocking service runs on a
/// small pool of worker threads instead (`max_async_connections` of them, at most 8), and
/// callbacks run there; destroying the client cancels the calls running there.
///
/// `RequestOptions` mean what they mean for the blocking form; its `response_into` must stay
/// valid until the call completes. Cancelling `RequestOptions::cancellation` completes an
/// in-flight call with `AnthropicCancelledException` within milliseconds. Destroying the last
/// copy of the `Client` completes every call still in flight with `AnthropicCancelledException`
/// ("client destroyed"; `may_have_reached_server()` says whether a create may have landed) and
/// then joins the I/O thread; a callback must therefore not hold the last copy of its client.
///
/// A results stream delivered by `results` is read with the blocking `next()`: its bytes are
/// received on the I/O thread (at most 1 MiB buffered ahead of the reader, then the transfer
/// pauses), so reads block only until bytes arrive, and a broken transfer resumes as in the
/// blocking form. A page delivered by `list` fetches further pages with the blocking service.
///
/// Thread-safe; cheap to copy (copies share the connection).
///
///     namespace mb = anthropic::messages;
///     mb::BatchServiceAsync& batches = client.async().messages().batches();
///     std::vector<std::future<mb::MessageBatch>> ended;
///     for (const std::string& id : ids) ended.push_back(batches.wait_until_ended(id));
///     for (auto& f : ended) report(f.get());   // one thread follows them all
template <class Family>
class ANTHROPIC_EXPORT BasicBatchServiceAsync {
 public:
  /// `GaFamily` or `beta::messages::BetaFamily`.
  using family_type = Family;
  /// The virtual operations this service forwards to.
  using Connection = BasicBatchServiceAsyncConnection<Family>;
  /// The params of `create` in this family.
  using CreateParams = BasicMessageBatchCreateParams<Family>;
  /// What `results` delivers in this family.
  using ResultsStream = BasicBatchResultsStream<Family>;
  /// What `for_each_result` calls with each line.
  using ResultHandler = BatchResultHandler<Family>;

  /// A service forwarding to `connection` (a fake or mock in tests; must not be null).
  explicit BasicBatchServiceAsync(std::shared_ptr<Connection> connection);

  /// The connection every call goes to.
  const std::shared_ptr<Connection>& connection() const noexcept { return connection_; }

  ///@{
  /// `POST /v1/messages/batches` (see `BasicBatchService::create`; the same "no duplicate
  /// create" rule).
  std::future<MessageBatch> create(const CreateParams& params, const RequestOptions& options = {});
  void create(const CreateParams& params, const RequestOptions& options,
              AsyncCallback<MessageBatch> done);
  ///@}
  ///@{
  /// `create` with a body serialized ahead of time by `BatchCreateBodyBuilder`.
  std::future<MessageBatch> create_encoded(const EncodedBatchCreateParams& params,
                                           const RequestOptions& options = {});
  void create_encoded(const EncodedBatchCreateParams& params, const RequestOptions& options,
                      AsyncCallback<MessageBatch> done);
  ///@}
  ///@{
  /// `GET /v1/messages/batches/{id}`.
  std::future<MessageBatch> retrieve(const MessageBatchRetrieveParams& params,
                                     const RequestOptions& options = {});
  std::future<MessageBatch> retrieve(const std::string& message_batch_id,
                                     const RequestOptions& options = {});
  void retrieve(const MessageBatchRetrieveParams& params, const RequestOptions& options,
                AsyncCallback<MessageBatch> done);
  void retrieve(const std::string& message_batch_id, const RequestOptions& options,
                AsyncCallback<MessageBatch> done);
  ///@}
  ///@{
  /// `GET /v1/messages/batches`: one page, newest first.
  std::future<BatchListPage> list(const MessageBatchListParams& params = {},
                                  const RequestOptions& options = {});
  void list(const MessageBatchListParams& params, const RequestOptions& options,
            AsyncCallback<BatchListPage> done);
  ///@}
  ///@{
  /// `POST /v1/messages/batches/{id}/cancel`.
  std::future<MessageBatch> cancel(const MessageBatchCancelParams& params,
                                   const RequestOptions& options = {});
  std::future<MessageBatch> cancel(const std::string& message_batch_id,
                                   const RequestOptions& options = {});
  void cancel(const MessageBatchCancelParams& params, const RequestOptions& options,
              AsyncCallback<MessageBatch> done);
  void cancel(const std::string& message_batch_id, const RequestOptions& options,
              AsyncCallback<MessageBatch> done);
  ///@}
  ///@{
  /// `DELETE /v1/messages/batches/{id}`.
  std::future<DeletedMessageBatch> delete_(const MessageBatchDeleteParams& params,
                                           const RequestOptions& options = {});
  std::future<DeletedMessageBatch> delete_(const std::string& message_batch_id,
                                           const RequestOptions& options = {});
  void delete_(const MessageBatchDeleteParams& params, const RequestOptions& options,
               AsyncCallback<DeletedMessageBatch> done);
  void delete_(const std::string& message_batch_id, const RequestOptions& options,
               AsyncCallback<DeletedMessageBatch> done);
  ///@}
  ///@{
  /// `GET /v1/messages/batches/{id}/results`: completes once the response headers arrived; the
  /// stream then reads as the blocking one does.
  std::future<ResultsStream> results(const MessageBatchResultsParams& params,
                                     const RequestOptions& options = {});
  std::future<ResultsStream> results(const std::string& message_batch_id,
                                     const RequestOptions& options = {});
  void results(const MessageBatchResultsParams& params, const RequestOptions& options,
               AsyncCallback<ResultsStream> done);
  void results(const std::string& message_batch_id, const RequestOptions& options,
               AsyncCallback<ResultsStream> done);
  ///@}
  ///@{
  /// The results of a batch pushed line by line: `on_result` is called with each decoded line of
  /// `GET /v1/messages/batches/{id}/results`, in the file's order, as its bytes arrive, and the
  /// call completes with the number of lines delivered once the file has ended.
  ///
  /// Nothing waits for a reader: the client's I/O thread, where `on_result` runs, reads the
  /// results of any number of batches at once, each holding only its unfinished line in memory
  /// and one of the `max_async_connections` places until its end (further calls wait in order).
  /// Keep `on_result` quick (hand heavy work to your own threads): the I/O thread serves every
  /// other async call of the client meanwhile.
  ///
  /// A broken transfer resumes as a `results` stream does: every line is delivered exactly once,
  /// in order, within `max_retries` reconnects without progress. A line that does not decode
  /// (`AnthropicInvalidDataException` naming it) or an exception thrown by `on_result` stops the
  /// transfer and completes the call with that exception, after every earlier line; cancelling
  /// `RequestOptions::cancellation` completes it with `AnthropicCancelledException`. With a
  /// caller-supplied `ClientOptions::http_client`, a worker thread reads the blocking stream and
  /// `on_result` runs there.
  ///
  ///     std::atomic<std::size_t> errored{0};
  ///     auto done = batches.for_each_result(id, [&](mb::MessageBatchIndividualResponse line) {
  ///       if (line.result.type == mb::MessageBatchResultType::errored) ++errored;
  ///     });
  ///     std::size_t lines = done.get();
  std::future<std::size_t> for_each_result(const MessageBatchResultsParams& params,
                                           ResultHandler on_result,
                                           const RequestOptions& options = {});
  std::future<std::size_t> for_each_result(const std::string& message_batch_id,
                                           ResultHandler on_result,
                                           const RequestOptions& options = {});
  void for_each_result(const MessageBatchResultsParams& params, const RequestOptions& options,
                       ResultHandler on_result, AsyncCallback<std::size_t> done);
  void for_each_result(const std::string& message_batch_id, const RequestOptions& options,
                       ResultHandler on_result, AsyncCallback<std::size_t> done);
  ///@}
  ///@{
  /// Polls `retrieve` until the batch has ended (see `BasicBatchService::wait_until_ended`: the
  /// same options, intervals and exceptions). The waits between polls are timers on the I/O
  /// thread, so one thread can follow any number of batches. `on_progress` runs on the I/O
  /// thread; an injected `sleeper` is not supported here (`AnthropicInvalidRequestException`).
  std::future<MessageBatch> wait_until_ended(const std::string& message_batch_id,
                                             const WaitOptions& options = {});
  void wait_until_ended(const std::string& message_batch_id, const WaitOptions& options,
                        AsyncCallback<MessageBatch> done);
  ///@}

 private:
  std::shared_ptr<Connection> connection_;
};

/// `client.async().messages().batches()`: the GA async Message Batches service.
using BatchServiceAsync = BasicBatchServiceAsync<GaFamily>;
/// What `BatchServiceAsync` forwards to (implement it to fake the service in tests).
using BatchServiceAsyncConnection = BasicBatchServiceAsyncConnection<GaFamily>;

extern template class BasicBatchServiceAsyncConnection<GaFamily>;
extern template class BasicBatchServiceAsync<GaFamily>;

}  // namespace anthropic::messages
