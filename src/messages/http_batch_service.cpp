#include "messages/http_batch_service.hpp"

#include <anthropic/beta/messages/batch_service.hpp>

#include <anthropic/errors.hpp>
#include <anthropic/version.hpp>

#include "http/streamed_body.hpp"
#include "json/codecs.hpp"
#include "messages/batch_results_resume.hpp"

#include <algorithm>

namespace anthropic::internal {

namespace {

constexpr std::string_view kBatchesPath = "/v1/messages/batches";
constexpr std::string_view kBatchesBeta = "message-batches-2024-09-24";

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

void append_percent_encoded(std::string& out, std::string_view s, bool encode_dots) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c) && !(encode_dots && c == '.')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xF]);
    }
  }
}

template <class Decode>
auto decode(std::string_view operation, const http::HttpResponse& response, Decode&& fn) {
  try {
    return fn(std::string_view(response.body));
  } catch (const AnthropicInvalidDataException& e) {
    std::string what = std::string(operation) + ": invalid response";
    if (const std::string* rid = response.headers.find("request-id")) {
      what += " (request-id: " + *rid + ")";
    }
    throw AnthropicInvalidDataException(what + ": " + e.what());
  }
}

void record(ResponseMetadata* into, int status, const http::Headers& headers) {
  if (into == nullptr) return;
  into->status_code = status;
  into->headers = headers;
}

}  // namespace

std::string batch_path(std::string_view message_batch_id) {
  if (message_batch_id.empty()) {
    throw AnthropicInvalidRequestException("message_batch_id must not be empty");
  }
  std::string out(kBatchesPath);
  out.push_back('/');
  // "." and ".." would be dot segments that HTTP stacks collapse: encode their dots.
  bool dot_segment = message_batch_id == "." || message_batch_id == "..";
  append_percent_encoded(out, message_batch_id, dot_segment);
  return out;
}

std::string merge_betas(const std::vector<std::string>& betas, bool add_batches_beta) {
  std::vector<std::string_view> seen;
  std::string out;
  auto add = [&](std::string_view beta) {
    if (beta.empty() || std::find(seen.begin(), seen.end(), beta) != seen.end()) return;
    seen.push_back(beta);
    if (!out.empty()) out.push_back(',');
    out.append(beta);
  };
  for (const auto& b : betas) add(b);
  if (add_batches_beta) add(kBatchesBeta);
  return out;
}

namespace {
// Before anything is checked or written: the count the API accepts, named in full.
template <class F>
void check_request_count(const messages::BasicMessageBatchCreateParams<F>& params) {
  if (params.requests.size() > messages::BasicBatchCreateBodyBuilder<F>::kMaxRequests) {
    throw AnthropicInvalidRequestException("a batch holds at most 100,000 requests; got " +
                                           std::to_string(params.requests.size()));
  }
}
}  // namespace

template <class F>
http::RequestBody build_create_body(const messages::BasicMessageBatchCreateParams<F>& params,
                                    std::size_t max_body_bytes, std::string_view api_version) {
  check_request_count(params);
  messages::BasicBatchCreateBodyBuilder<F> builder(max_body_bytes);
  builder.check_api_version(api_version);
  // Reserve the whole body once, from a measuring pass (no string bytes touched), so that a large
  // body is never regrown: a regrowth near 256 MB would briefly need twice its size.
  std::size_t estimate = 64;
  for (const auto& request : params.requests)
    estimate += json::measure_create_request<F>(request) + 1;
  builder.reserve(estimate + estimate / 16);  // slack for escapes; capped at max_body_bytes
  for (const auto& request : params.requests) builder.add(request);
  return std::move(builder).finish().body;
}

template http::RequestBody build_create_body(const messages::MessageBatchCreateParams&, std::size_t,
                                             std::string_view);
template http::RequestBody build_create_body(const beta::messages::BetaMessageBatchCreateParams&,
                                             std::size_t, std::string_view);

namespace {

// The bytes of a checked create body, encoded a few requests at a time into a reused buffer.
// The encoder is deterministic, so they are the bytes build_create_body would have built; the
// size and the checksum taken by the check refuse params changed in between (the last piece,
// which closes the JSON, is handed over only once the checksum matched).
template <class F>
class CreateBodySource final : public BodySource {
 public:
  CreateBodySource(const messages::BasicMessageBatchCreateParams<F>& params,
                   const CheckedCreateBody& checked)
      : params_(params), checked_(checked) {}

  std::size_t read(char* dst, std::size_t max) override {
    std::size_t n = 0;
    while (n < max) {
      if (at_ == chunk_.size() && !refill()) break;
      n += copy_from(chunk_, at_, dst + n, max - n);
    }
    return n;
  }

 private:
  // About one libcurl upload buffer per refill (a request is encoded whole, however large).
  static constexpr std::size_t kChunk = 64 * 1024;

  bool refill() {
    if (done_) return false;
    chunk_.clear();
    at_ = 0;
    if (next_ == 0) chunk_ += R"({"requests":[)";
    const auto& requests = params_.requests;
    if (next_ > requests.size()) changed();  // requests removed behind the ones sent
    while (chunk_.size() < kChunk && next_ < requests.size()) {
      if (next_ > 0) chunk_.push_back(',');
      json::write_create_request<F>(chunk_, requests[next_++]);
    }
    if (next_ == requests.size()) {
      chunk_ += "]}";
      done_ = true;
    }
    produced_.update(chunk_.data(), chunk_.size());
    // Before the last piece, the announced size must not be reached (libcurl would send no
    // more: a body of the right length without its end); with it, size and digest must match.
    const bool ok =
        done_ ? produced_.length() == checked_.size && produced_.digest() == checked_.digest
              : produced_.length() < checked_.size;
    if (!ok) changed();
    return true;
  }

  [[noreturn]] void changed() const {
    throw AnthropicInvalidRequestException(
        "the create body no longer matches the one checked (" + std::to_string(checked_.size) +
        " bytes): were the params changed while they were being sent?");
  }

  const messages::BasicMessageBatchCreateParams<F>& params_;
  const CheckedCreateBody checked_;
  std::string chunk_;
  std::size_t at_ = 0;
  std::size_t next_ = 0;  // the next request to encode
  RunningChecksum produced_;
  bool done_ = false;
};

}  // namespace

template <class F>
http::RequestBody streamed_create_body(const messages::BasicMessageBatchCreateParams<F>& params,
                                       std::size_t max_body_bytes, std::string_view api_version) {
  check_request_count(params);
  const CheckedCreateBody checked = check_create_body(params, max_body_bytes, api_version);
  const auto* held = &params;
  return RequestBodyAccess::streamed(std::make_shared<StreamedBody>(checked.size, [held, checked] {
    return std::make_unique<CreateBodySource<F>>(*held, checked);
  }));
}

template http::RequestBody streamed_create_body(const messages::MessageBatchCreateParams&,
                                                std::size_t, std::string_view);
template http::RequestBody streamed_create_body(const beta::messages::BetaMessageBatchCreateParams&,
                                                std::size_t, std::string_view);

template <class F>
HttpBatchService<F>::HttpBatchService(std::shared_ptr<const ClientConfig> config,
                                      std::shared_ptr<http::RetryingHttpClient> http)
    : config_(std::move(config)), http_(std::move(http)) {}

template <class F>
http::HttpRequest HttpBatchService<F>::build(std::string method, std::string_view path,
                                             const Query& query, const IdParts& ids,
                                             const RequestOptions& options, http::RequestBody body,
                                             const http::Headers& operation_headers) const {
  const ClientConfig& c = *config_;
  http::HttpRequest r;
  r.method = std::move(method);

  r.url.reserve(c.base_url.size() + path.size() + 64);
  r.url += c.base_url;
  r.url += path;
  // Under 2023-06-01 the beta resource is marked in the query and a header; from 2026-10-21
  // neither is sent (as the official SDKs 1.x): the path is the same for GA and beta. The GA
  // resource never sends them.
  const bool legacy = c.legacy_wire;
  const bool beta_marks = legacy && F::kBeta;
  char separator = '?';
  if (beta_marks) {
    r.url += "?beta=true";
    separator = '&';
  }
  auto append_query = [&](const std::string& k, const std::string& v) {
    r.url.push_back(separator);
    separator = '&';
    append_percent_encoded(r.url, k, false);
    r.url.push_back('=');
    append_percent_encoded(r.url, v, false);
  };
  for (const auto& [k, v] : query) append_query(k, v);
  for (const auto& [k, v] : c.default_query) append_query(k, v);
  for (const auto& [k, v] : options.extra_query) append_query(k, v);

  if (legacy) {
    if (c.api_key) r.headers.add("x-api-key", *c.api_key);
    if (c.auth_token) r.headers.add("authorization", "Bearer " + *c.auth_token);
  } else {
    // One credential header: the API key when there is one (the API prefers it when both
    // arrive), else the token. ClientConfig::resolve guarantees one of them.
    r.headers.add("authorization", "Bearer " + (c.api_key ? *c.api_key : c.auth_token.value()));
  }
  r.headers.add("anthropic-version", c.anthropic_version);
  std::string beta_header = merge_betas(ids.betas, beta_marks);
  if (!beta_header.empty()) r.headers.add("anthropic-beta", std::move(beta_header));
  if (!body.empty()) r.headers.add("content-type", "application/json");
  r.headers.add("accept", "application/json");
  r.headers.add("user-agent", std::string("anthropic-cpp/") + anthropic::version);
  for (const auto& [k, v] : operation_headers) r.headers.set(k, v);
  if (ids.workspace_id) r.headers.set("anthropic-workspace-id", *ids.workspace_id);
  for (const auto& [k, v] : c.default_headers) r.headers.set(k, v);
  for (const auto& [k, v] : options.extra_headers) r.headers.set(k, v);

  r.body = std::move(body);
  r.timeout = options.timeout.value_or(c.timeout);
  r.connect_timeout = c.connect_timeout;
  r.cancellation = options.cancellation;
  r.max_response_bytes = c.max_response_bytes;
  return r;
}

namespace {

// The response of a call that ended with an error status, or the call's error: thrown.
// Otherwise the 2xx response is returned and its status and headers recorded in `into`.
http::HttpResponse checked(std::exception_ptr error, http::HttpResponse response,
                           ResponseMetadata* into) {
  if (error) std::rethrow_exception(error);
  if (response.status < 200 || response.status > 299) {
    // The exception keeps at most 1 MiB of the body.
    throw_service_exception(response.status, std::move(response.headers), std::move(response.body));
  }
  record(into, response.status, response.headers);
  return response;
}

}  // namespace

template <class F>
template <class T>
PreparedCall<T> HttpBatchService<F>::prepare_json(http::HttpRequest request, const char* operation,
                                                  const RequestOptions& options,
                                                  T (*decode_fn)(std::string_view)) const {
  PreparedCall<T> call;
  call.request = std::move(request);
  call.retry = retry_options(options);
  call.finish = [operation, into = options.response_into, decode_fn](std::exception_ptr error,
                                                                     http::HttpResponse response) {
    response = checked(error, std::move(response), into);
    return decode(operation, response, decode_fn);
  };
  return call;
}

template <class F>
template <class T>
T HttpBatchService<F>::run(PreparedCall<T> call) {
  http::HttpResponse response;
  try {
    response = http_->send(call.request, call.retry);
  } catch (...) {
    return call.finish(std::current_exception(), {});
  }
  return call.finish(nullptr, std::move(response));
}

template <class F>
PreparedCall<messages::MessageBatch> HttpBatchService<F>::prepare_create(
    const messages::BasicMessageBatchCreateParams<F>& params, const RequestOptions& options,
    bool stream_body) const {
  constexpr std::size_t kMax = messages::BasicBatchCreateBodyBuilder<F>::kMaxBodyBytes;
  return prepare_send_create(stream_body
                                 ? streamed_create_body(params, kMax, config_->anthropic_version)
                                 : build_create_body(params, kMax, config_->anthropic_version),
                             params.betas, params.user_profile_id, params.workspace_id, options);
}

template <class F>
PreparedCall<messages::MessageBatch> HttpBatchService<F>::prepare_create_encoded(
    const messages::EncodedBatchCreateParams& params, const RequestOptions& options) const {
  if (params.request_count == 0 || params.body.empty()) {
    throw AnthropicInvalidRequestException("create_encoded: the body holds no request");
  }
  return prepare_send_create(params.body, params.betas, params.user_profile_id, params.workspace_id,
                             options);
}

template <class F>
PreparedCall<messages::MessageBatch> HttpBatchService<F>::prepare_send_create(
    http::RequestBody body, const std::vector<std::string>& betas,
    const std::optional<std::string>& user_profile_id,
    const std::optional<std::string>& workspace_id, const RequestOptions& options) const {
  http::Headers operation_headers;
  if (user_profile_id) operation_headers.set("anthropic-user-profile-id", *user_profile_id);
  PreparedCall<messages::MessageBatch> call;
  call.request = build("POST", kBatchesPath, {}, IdParts{betas, workspace_id}, options,
                       std::move(body), operation_headers);
  call.retry = retry_options(options);
  call.retry.retry_on_unknown_outcome =
      options.retry_on_unknown_outcome.value_or(config_->retry_create_on_unknown_outcome);
  call.finish = [opted_in = call.retry.retry_on_unknown_outcome, into = options.response_into](
                    std::exception_ptr error, http::HttpResponse response) {
    const char* const not_retried =
        " This call was not retried to avoid a duplicate batch "
        "(RequestOptions::retry_on_unknown_outcome opts in)";
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const AnthropicCancelledException& e) {
        // Keeps its type: the caller asked for the stop and catches it as such.
        if (!e.may_have_reached_server()) throw;
        throw AnthropicCancelledException(
            std::string(e.what()) +
                "; the request body was sent before the cancel, so the batch may have been "
                "created: list batches (newest first) before creating it again",
            true);
      } catch (const AnthropicIoException& e) {
        if (!e.may_have_reached_server() || opted_in) throw;
        throw AnthropicIoException(
            std::string(e.what()) +
                "; the request body was sent and no response came back, so the batch may have "
                "been created: list batches (newest first) before creating it again." +
                not_retried,
            true);
      } catch (const AnthropicInvalidDataException& e) {
        // Only the transport's size limit ends a send this way: the server answered with
        // success.
        throw AnthropicInvalidDataException(
            std::string(e.what()) +
            "; the server answered with success, so the batch was probably created: list "
            "batches (newest first) before creating it again");
      }
    }
    if (response.status == 504) {
      // A gateway timeout leaves the outcome unknown, as a dropped connection does.
      std::string note =
          "a gateway timeout says nothing about whether the batch was created, so it may have "
          "been: list batches (newest first) before creating it again.";
      if (!opted_in) note += not_retried;
      throw_service_exception(response.status, std::move(response.headers),
                              std::move(response.body), std::move(note));
    }
    response = checked(nullptr, std::move(response), into);
    return decode("create", response, json::decode_batch);
  };
  return call;
}

template <class F>
PreparedCall<messages::MessageBatch> HttpBatchService<F>::prepare_retrieve(
    const messages::MessageBatchRetrieveParams& params, const RequestOptions& options) const {
  return prepare_json(
      build("GET", batch_path(params.message_batch_id), {}, ids_of(params), options), "retrieve",
      options, &json::decode_batch);
}

template <class F>
PreparedCall<messages::BatchListPage> HttpBatchService<F>::prepare_list(
    const messages::MessageBatchListParams& params, const RequestOptions& options) {
  Query query;
  if (params.limit) {
    if (*params.limit < 1 || *params.limit > 1000) {
      throw AnthropicInvalidRequestException("list: limit must be between 1 and 1000; got " +
                                             std::to_string(*params.limit));
    }
    query.emplace_back("limit", std::to_string(*params.limit));
  }
  if (params.before_id) query.emplace_back("before_id", *params.before_id);
  if (params.after_id) query.emplace_back("after_id", *params.after_id);
  PreparedCall<messages::BatchListPage> call;
  call.request =
      build("GET", kBatchesPath, query, IdParts{params.betas, params.workspace_id}, options);
  call.retry = retry_options(options);
  call.finish = [self = this->shared_from_this(), params, options](std::exception_ptr error,
                                                                   http::HttpResponse response) {
    response = checked(error, std::move(response), options.response_into);
    json::ListPageData page = decode("list", response, json::decode_list_page);
    return messages::BatchListPage(std::move(page.data), page.has_more, std::move(page.first_id),
                                   std::move(page.last_id), self, params, options);
  };
  return call;
}

template <class F>
PreparedCall<messages::MessageBatch> HttpBatchService<F>::prepare_cancel(
    const messages::MessageBatchCancelParams& params, const RequestOptions& options) const {
  return prepare_json(
      build("POST", batch_path(params.message_batch_id) + "/cancel", {}, ids_of(params), options),
      "cancel", options, &json::decode_batch);
}

template <class F>
PreparedCall<messages::DeletedMessageBatch> HttpBatchService<F>::prepare_delete(
    const messages::MessageBatchDeleteParams& params, const RequestOptions& options) const {
  return prepare_json(
      build("DELETE", batch_path(params.message_batch_id), {}, ids_of(params), options), "delete",
      options, &json::decode_deleted_batch);
}

template <class F>
PreparedCall<http::StreamedResponse, http::StreamedResponse>
HttpBatchService<F>::prepare_results_head(const messages::MessageBatchResultsParams& params,
                                          const RequestOptions& options) const {
  PreparedCall<http::StreamedResponse, http::StreamedResponse> call;
  call.request = build("GET", batch_path(params.message_batch_id) + "/results", {}, ids_of(params),
                       options, {}, http::Headers{{"accept", "application/x-jsonl"}});
  call.retry = retry_options(options);
  call.finish = [into = options.response_into](std::exception_ptr error,
                                               http::StreamedResponse response) {
    if (error) std::rethrow_exception(error);
    if (response.status < 200 || response.status > 299) {
      std::string body =
          response.body ? response.read_all(http::kMaxErrorBodyBytes) : std::string();
      throw_service_exception(response.status, std::move(response.headers), std::move(body));
    }
    record(into, response.status, response.headers);
    return response;
  };
  return call;
}

http::HttpRequest results_reopen_request(const http::HttpRequest& first,
                                         std::uint64_t range_start) {
  http::HttpRequest again = first;
  if (range_start > 0) again.headers.set("range", "bytes=" + std::to_string(range_start) + "-");
  return again;
}

template <class F>
PreparedCall<messages::BasicBatchResultsStream<F>, http::StreamedResponse>
HttpBatchService<F>::prepare_results(const messages::MessageBatchResultsParams& params,
                                     const RequestOptions& options, OpenOnce open_once) const {
  auto head = prepare_results_head(params, options);
  PreparedCall<messages::BasicBatchResultsStream<F>, http::StreamedResponse> call;
  call.request = std::move(head.request);
  call.retry = head.retry;
  // A broken transfer is resumed by the stream: it reopens the same request, once per attempt
  // (it counts the attempts itself), asking for the bytes after the last whole line it read. The
  // transport is shared into the stream, which may outlive the Client.
  ResultsResume resume;
  resume.max_retries = results_max_retries(options);
  resume.sleeper = config_->sleeper;
  resume.cancellation = options.cancellation;
  resume.reopen = [open_once = std::move(open_once),
                   request = call.request](std::uint64_t range_start) {
    return open_once(results_reopen_request(request, range_start));
  };
  call.finish = [head = std::move(head.finish), resume = std::move(resume)](
                    std::exception_ptr error, http::StreamedResponse response) mutable {
    return ResultsStreamAccess::open<F>(head(std::move(error), std::move(response)),
                                        std::move(resume));
  };
  return call;
}

template <class F>
messages::MessageBatch HttpBatchService<F>::create(
    const messages::BasicMessageBatchCreateParams<F>& params, const RequestOptions& options) {
  // The body is encoded while it is sent, from `params`, which live until this returns; a copy
  // of the request kept past that (by a custom HttpClient) gets the bytes on release.
  PreparedCall<messages::MessageBatch> call = prepare_create(params, options, true);
  StreamedBodyRelease release(call.request.body);
  return run(std::move(call));
}

template <class F>
messages::MessageBatch HttpBatchService<F>::create_encoded(
    const messages::EncodedBatchCreateParams& params, const RequestOptions& options) {
  return run(prepare_create_encoded(params, options));
}

template <class F>
messages::MessageBatch HttpBatchService<F>::retrieve(
    const messages::MessageBatchRetrieveParams& params, const RequestOptions& options) {
  return run(prepare_retrieve(params, options));
}

template <class F>
messages::BatchListPage HttpBatchService<F>::list(const messages::MessageBatchListParams& params,
                                                  const RequestOptions& options) {
  return run(prepare_list(params, options));
}

template <class F>
messages::MessageBatch HttpBatchService<F>::cancel(const messages::MessageBatchCancelParams& params,
                                                   const RequestOptions& options) {
  return run(prepare_cancel(params, options));
}

template <class F>
messages::DeletedMessageBatch HttpBatchService<F>::delete_(
    const messages::MessageBatchDeleteParams& params, const RequestOptions& options) {
  return run(prepare_delete(params, options));
}

template <class F>
messages::BasicBatchResultsStream<F> HttpBatchService<F>::results(
    const messages::MessageBatchResultsParams& params, const RequestOptions& options) {
  auto call = prepare_results(params, options, [http = http_](const http::HttpRequest& request) {
    http::RetryOptions once;
    once.max_retries = 0;
    return http->open(request, once);
  });
  http::StreamedResponse response;
  try {
    response = http_->open(call.request, call.retry);
  } catch (...) {
    return call.finish(std::current_exception(), {});
  }
  return call.finish(nullptr, std::move(response));
}

template class HttpBatchService<messages::GaFamily>;
template class HttpBatchService<beta::messages::BetaFamily>;

}  // namespace anthropic::internal
