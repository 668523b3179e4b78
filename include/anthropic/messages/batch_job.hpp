#pragma once

// A job of any size over the Message Batches API: split a JSONL file into batches, submit them
// with bounded concurrency, follow them, collect every result into one JSONL file, re-submit
// what expired (or errored), and survive the process being killed at any point.

#include <anthropic/api_version.hpp>
#include <anthropic/client_options.hpp>
#include <anthropic/errors.hpp>
#include <anthropic/export.hpp>
#include <anthropic/limits.hpp>
#include <anthropic/messages/batch_create_body.hpp>
#include <anthropic/messages/batch_list_page.hpp>
#include <anthropic/messages/batch_results.hpp>
#include <anthropic/messages/batch_service.hpp>
#include <anthropic/messages/batch_service_async.hpp>
#include <anthropic/models/message_batch.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace anthropic::messages {

/// A problem with the job itself rather than one call: the input changed since the job began, the
/// state directory is used by another run or is not a job's, or a create whose answer was lost
/// cannot be matched to exactly one batch. The message says what to check.
class ANTHROPIC_EXPORT BatchJobException : public AnthropicException {
 public:
  using AnthropicException::AnthropicException;
  ~BatchJobException() override;
};

/// What `BatchJob::run` does when its `cancellation` token fires.
enum class BatchJobInterrupt {
  leave,   ///< leave the batches running; a later run with the same state picks them up
  cancel,  ///< cancel the batches in flight first (their finished requests keep their results)
};

/// The job as a whole, reported to `on_progress`. Request counts are final outcomes: a request
/// waiting to be re-submitted is counted in `retrying` only.
struct BatchJobProgress {
  /// "validated", "created", "adopted", "disowned", "polled", "collected", "rate_limited",
  /// "poll_failed", "canceled", "assembled" (with `ordered`), "done", ...
  std::string event;
  std::string message;                ///< one line for people (ids, counts)
  std::size_t requests = 0;           ///< in the input
  std::size_t batches = 0;            ///< planned or created so far (re-submissions add batches)
  std::size_t batches_ended = 0;      ///< collected
  std::size_t batches_in_flight = 0;  ///< created and not yet collected
  /// Requests with that final outcome so far.
  std::size_t succeeded = 0;
  std::size_t errored = 0;               ///< requests with that final outcome so far
  std::size_t canceled = 0;              ///< requests with that final outcome so far
  std::size_t expired = 0;               ///< requests with that final outcome so far
  std::size_t retrying = 0;              ///< waiting for a re-submission
  std::size_t processing = 0;            ///< in batches not yet collected
  std::chrono::milliseconds elapsed{0};  ///< since this run began
};

/// Settings of a `BatchJob`. Only `input`, `output` and `state_dir` are required.
struct BatchJobOptions {
  /// JSONL, one `{"custom_id": ..., "params": {...}}` per line (blank lines are skipped). Read as a
  /// stream; it must not change while the job exists.
  std::filesystem::path input;
  /// Where the results go: one result line per `custom_id` (the API's results line, verbatim),
  /// appended as each batch is collected (or, with `ordered`, written once at the end).
  std::filesystem::path output;
  /// The job's journal (created if missing). The same directory resumes the job.
  std::filesystem::path state_dir;

  std::size_t max_requests_per_batch = kMaxBatchRequests;  ///< the API's limit, 100,000
  std::size_t max_bytes_per_batch = kMaxBatchBodyBytes;    ///< the API's limit, 256 MiB
  /// Batches created and not yet collected at once. The API queues an organization's batches;
  /// a few large ones in flight keep it busy without hitting the queue limit.
  std::size_t max_in_flight = 4;
  /// Results in the order of the input's lines. They are gathered per part of the input in
  /// `state_dir` as batches end, and `output` is written when the last one has: it stays empty
  /// until then, and the job needs about the results' size again in disk space while it runs.
  /// Fixed when the job begins; resuming with another value is refused.
  bool ordered = false;
  /// Result types re-submitted in a new batch, up to `max_attempts` per request. Expired requests
  /// usually succeed the next time; errored ones usually need a fix, so they are not by default.
  std::vector<MessageBatchResultType> retry{MessageBatchResultType::expired};
  /// Attempts per request, the first included; the last outcome is final.
  int max_attempts = 3;
  /// Wait between two polls of the batches in flight.
  std::chrono::milliseconds poll_interval{std::chrono::seconds(10)};
  /// Checks every request against this API version's rules before anything is created. Use the
  /// client's version (`ClientOptions::anthropic_version`).
  std::string api_version{kDefaultApiVersion};
  /// Sent with every call (`anthropic-beta`, `anthropic-workspace-id`).
  std::vector<std::string> betas;
  /// Sent as `anthropic-workspace-id` with every call.
  std::optional<std::string> workspace_id;
  /// Per-call options; `cancellation` stops the job (see `on_interrupt`).
  RequestOptions request_options;
  /// What a cancelled `run` does with the batches in flight.
  BatchJobInterrupt on_interrupt = BatchJobInterrupt::leave;
  /// Longest wait after a 429 on create before trying again (the server's `retry-after` is
  /// honoured up to this), and the cap of the backoff between attempts after other failures.
  std::chrono::milliseconds max_rate_limit_wait{std::chrono::seconds(60)};
  /// Created batches are matched to a lost create within this much clock skew.
  std::chrono::milliseconds clock_skew{std::chrono::minutes(5)};
  /// A create whose answer was lost (a gateway timeout, a 5xx, a dropped connection, a crash)
  /// counts as never made only when no matching batch has appeared this long after it was sent;
  /// until then the job keeps looking.
  std::chrono::milliseconds lost_create_settle{std::chrono::minutes(2)};

  /// Called after every step the journal records and on every poll (see `BatchJobProgress`).
  std::function<void(const BatchJobProgress&)> on_progress;
  /// Test seam: called at each named point of the job ("validated", "intent", "sent", "created",
  /// "polled", "collecting", "result", "collected", and with `ordered` "assembling", "assembled").
  /// A crash test kills the process here.
  std::function<void(std::string_view point)> on_checkpoint;
};

/// What `run` returns once every request has its final outcome in `output`.
struct BatchJobSummary {
  std::size_t requests = 0;            ///< requests in the input (one output line each)
  std::size_t succeeded = 0;           ///< requests whose final outcome is that
  std::size_t errored = 0;             ///< requests whose final outcome is that
  std::size_t canceled = 0;            ///< requests whose final outcome is that
  std::size_t expired = 0;             ///< requests whose final outcome is that
  std::size_t batches = 0;             ///< batches the job created (or adopted)
  std::size_t resubmitted = 0;         ///< request attempts after the first
  std::int64_t input_tokens = 0;       ///< sum of `usage.input_tokens` of succeeded results
  std::int64_t output_tokens = 0;      ///< sum of `usage.output_tokens` of succeeded results
  std::vector<std::string> batch_ids;  ///< every batch the job created (or adopted), in order
};

}  // namespace anthropic::messages

// Internal (not part of the API): declared here because BatchJob's constructor template uses it.
namespace anthropic::internal {
/// The operations a job needs, independent of the family (GA or beta).
struct BatchJobBackend {
  std::function<void(std::string_view custom_id, std::string_view params_json,
                     std::string_view api_version)>
      check;  ///< throws AnthropicInvalidRequestException as the create-body builder would
  std::function<messages::MessageBatch(const std::function<bool(std::string&, std::string&)>& next,
                                       std::size_t max_bytes,
                                       const messages::BatchJobOptions& options)>
      create;  ///< builds a body from (custom_id, params) pairs and creates the batch
  std::function<messages::MessageBatch(const std::string& id, const messages::BatchJobOptions&,
                                       const RequestOptions&)>
      retrieve;
  /// Starts a retrieve of every batch in `ids` at once (the async service: one round trip for
  /// all of them); empty: the job retrieves them one after another.
  std::function<std::vector<std::future<messages::MessageBatch>>(
      const std::vector<std::string>& ids, const messages::BatchJobOptions&, const RequestOptions&)>
      retrieve_all;
  std::function<messages::MessageBatch(const std::string& id, const messages::BatchJobOptions&,
                                       const RequestOptions&)>
      cancel;
  std::function<messages::BatchListPage(const messages::MessageBatchListParams&,
                                        const RequestOptions&)>
      list;
  /// Opens the results; the function returned gives the next raw line, or nothing at the end.
  std::function<std::function<std::optional<std::string>()>(const std::string& id,
                                                            const messages::BatchJobOptions&)>
      results;
};

/// The params naming batch `id`, with the job's betas and workspace.
template <class Params>
Params job_batch_params(const std::string& id, const messages::BatchJobOptions& o) {
  Params p;
  p.message_batch_id = id;
  p.betas = o.betas;
  p.workspace_id = o.workspace_id;
  return p;
}

template <class Family>
BatchJobBackend make_batch_job_backend(messages::BasicBatchService<Family>& service) {
  BatchJobBackend b;
  b.check = [](std::string_view custom_id, std::string_view params, std::string_view version) {
    messages::BasicBatchCreateBodyBuilder<Family> builder;
    builder.check_api_version(version);
    builder.add_raw(custom_id, params);
  };
  b.create = [&service](const std::function<bool(std::string&, std::string&)>& next,
                        std::size_t max_bytes, const messages::BatchJobOptions& o) {
    messages::BasicBatchCreateBodyBuilder<Family> builder(max_bytes);
    builder.check_api_version(o.api_version);
    std::string id, params;
    while (next(id, params)) builder.add_raw(id, params);
    // The job decides what to do after a failed create (wait, or look for the batch).
    RequestOptions once = o.request_options;
    once.max_retries = 0;
    return service.create_encoded(std::move(builder).finish(o.betas, {}, o.workspace_id), once);
  };
  b.retrieve = [&service](const std::string& id, const messages::BatchJobOptions& o,
                          const RequestOptions& call) {
    return service.retrieve(job_batch_params<messages::MessageBatchRetrieveParams>(id, o), call);
  };
  b.cancel = [&service](const std::string& id, const messages::BatchJobOptions& o,
                        const RequestOptions& call) {
    return service.cancel(job_batch_params<messages::MessageBatchCancelParams>(id, o), call);
  };
  b.list = [&service](const messages::MessageBatchListParams& p, const RequestOptions& call) {
    return service.list(p, call);
  };
  b.results = [&service](const std::string& id, const messages::BatchJobOptions& o) {
    auto stream = std::make_shared<messages::BasicBatchResultsStream<Family>>(service.results(
        job_batch_params<messages::MessageBatchResultsParams>(id, o), o.request_options));
    return std::function<std::optional<std::string>()>([stream] { return stream->next_raw(); });
  };
  return b;
}

/// The same, with the polls of the batches in flight made at once through `async_service`.
template <class Family>
BatchJobBackend make_batch_job_backend(messages::BasicBatchService<Family>& service,
                                       messages::BasicBatchServiceAsync<Family>& async_service) {
  BatchJobBackend b = make_batch_job_backend(service);
  b.retrieve_all = [&async_service](const std::vector<std::string>& ids,
                                    const messages::BatchJobOptions& o,
                                    const RequestOptions& call) {
    std::vector<std::future<messages::MessageBatch>> polls;
    polls.reserve(ids.size());
    for (const std::string& id : ids) {
      polls.push_back(async_service.retrieve(
          job_batch_params<messages::MessageBatchRetrieveParams>(id, o), call));
    }
    return polls;
  };
  return b;
}
}  // namespace anthropic::internal

namespace anthropic::messages {

/// Runs a job of any size on the GA or the beta batch service.
///
/// ```cpp
/// anthropic::messages::BatchJobOptions o;
/// o.input = "requests.jsonl"; o.output = "results.jsonl"; o.state_dir = ".batch-state";
/// auto summary = anthropic::messages::BatchJob(client.messages().batches(), o).run();
/// ```
///
/// Guarantees (the README's "Batch jobs" section states them in full):
/// - the whole input is checked before the first batch is created; a bad line creates nothing;
/// - every step with an effect is journalled in `state_dir` (fsync'd) before and after it, so a
///   run killed at any point and started again with the same options continues where it was: no
///   chunk is created twice, and `output` ends with each `custom_id` exactly once;
/// - a create whose answer was lost (killed after sending it, a gateway timeout, a 5xx) is
///   matched to the one batch created after the journalled intent with the same request count,
///   and that batch's results must hold exactly the part's custom ids (else it is disowned);
///   when none appears within `lost_create_settle` the part is sent again, and when several
///   match the job stops with `BatchJobException` naming them.
///
/// The service must outlive the job. `run` is not thread-safe; one run per state directory at a
/// time (a second one fails with `BatchJobException`).
class ANTHROPIC_EXPORT BatchJob {
 public:
  /// A job on `service` (GA or beta; it must outlive the job). Touches nothing yet: `run` reads
  /// the input and the state directory.
  template <class Family>
  BatchJob(BasicBatchService<Family>& service, BatchJobOptions options)
      : BatchJob(internal::make_batch_job_backend(service), std::move(options)) {}
  /// A job that polls its batches in flight all at once through `async_service` (the same
  /// client's `client.async()...batches()`; it must outlive the job too), rather than one after
  /// another: a round of polls then takes one round trip however many batches are in flight.
  template <class Family>
  BatchJob(BasicBatchService<Family>& service, BasicBatchServiceAsync<Family>& async_service,
           BatchJobOptions options)
      : BatchJob(internal::make_batch_job_backend(service, async_service), std::move(options)) {}
  /// What the constructor above calls. For the SDK's own use: `internal::BatchJobBackend` is not
  /// part of the API and may change in any release.
  BatchJob(internal::BatchJobBackend backend, BatchJobOptions options);
  /// Takes over `other`'s job; `other` may only be destroyed or assigned to.
  BatchJob(BatchJob&& other) noexcept;
  /// Takes over `other`'s job.
  BatchJob& operator=(BatchJob&& other) noexcept;
  /// Releases the state directory (its lock, if `run` took it); an unfinished job stays
  /// resumable by a later `BatchJob` with the same options.
  ~BatchJob();

  /// Runs (or resumes) the job until every request has its final outcome in `output`. Throws
  /// `AnthropicInvalidRequestException` for a bad input line (`FILE:LINE: ...`, before anything
  /// is created), `BatchJobException` for the job's own problems, `AnthropicCancelledException`
  /// when cancelled, and the API's errors that retrying cannot fix. After any failure the state
  /// stays resumable.
  BatchJobSummary run();

  /// After `run` stopped (cancelled, or failed), asks the API to cancel every batch of this job
  /// that was created and not yet collected, and returns their ids. The job stays resumable:
  /// a later `run` collects them (their unfinished requests end `canceled`). Calls are made
  /// without `request_options.cancellation`. Failures to cancel are reported to `on_progress`.
  std::vector<std::string> cancel_in_flight();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace anthropic::messages
