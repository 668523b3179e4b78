// HTTP surface of the emulator: routing, auth, fault injection and the six batch endpoints.
#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "create_params.hpp"
#include "emulator_impl.hpp"
#include "render.hpp"

namespace anthropic::emulator {

namespace {

using internal::emulator::error_json;
using internal::emulator::error_type_for_status;

constexpr const char* kJson = "application/json";
constexpr std::string_view kCollection = "/v1/messages/batches";
/// Result bytes produced per content-provider call.
constexpr std::size_t kResultChunkBytes = 64 * 1024;

void send_error(httplib::Response& res, int status, std::string_view type, std::string_view message,
                const std::string& rid) {
  res.status = status;
  res.set_content(error_json(type, message, rid), kJson);
}

void send_json(httplib::Response& res, std::string body) {
  res.status = 200;
  res.set_content(std::move(body), kJson);
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

bool is_get(const httplib::Request& req) { return req.method == "GET" || req.method == "HEAD"; }

// The N of `Range: bytes=N-`, the one form the results endpoint honours (the form the SDK sends
// to resume); any other Range (a closed or suffix range, several ranges, another unit) is
// ignored and the whole body is sent, as RFC 9110 allows.
std::optional<std::uint64_t> parse_open_range(const httplib::Request& req) {
  if (!req.has_header("Range")) return std::nullopt;
  const std::string header = req.get_header_value("Range");  // a copy: keep it alive
  std::string_view value = header;
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  constexpr std::string_view kPrefix = "bytes=";
  if (value.substr(0, kPrefix.size()) != kPrefix || value.back() != '-') return std::nullopt;
  std::string_view digits = value.substr(kPrefix.size(), value.size() - kPrefix.size() - 1);
  if (digits.empty() || digits.size() > 19) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

void method_not_allowed(httplib::Response& res, const std::string& method, const char* allow,
                        const std::string& rid) {
  res.set_header("allow", allow);
  send_error(res, 405, "invalid_request_error",
             "Method " + method + " is not allowed on this endpoint (allowed: " + allow + ")", rid);
}

void not_found_batch(httplib::Response& res, const std::string& id, const std::string& rid) {
  send_error(res, 404, "not_found_error", "Message batch " + id + " not found", rid);
}

/// A Host header value safe to echo into a URL.
bool plausible_host(std::string_view h) {
  if (h.empty() || h.size() > 255) return false;
  return std::all_of(h.begin(), h.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
           c == '[' || c == ']' || c == '_';
  });
}

/// Parses an optional query parameter as a non-empty string.
std::optional<std::string> query(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return std::nullopt;
  std::string v = req.get_param_value(name);
  if (v.empty()) return std::nullopt;
  return v;
}

/// Writes a response body at no more than `rate` bytes per second (slow bodies): in slices of
/// about 50 ms each, byte k leaving no earlier than k / rate seconds after the first write. So a
/// body of N bytes takes at least N / rate seconds. Gives up (false) when the sink fails or the
/// emulator stops. With rate 0 it writes at once.
class SlowWriter {
 public:
  SlowWriter(std::size_t rate, const std::atomic<bool>& stopping)
      : rate_(rate), stopping_(stopping) {}

  bool write(httplib::DataSink& sink, const char* data, std::size_t size) {
    if (rate_ == 0) return sink.write(data, size);
    using Clock = std::chrono::steady_clock;
    if (!started_) {
      start_ = Clock::now();
      started_ = true;
    }
    const std::size_t slice = std::clamp<std::size_t>(rate_ / 20, 1, 64 * 1024);
    for (std::size_t off = 0; off < size;) {
      const std::size_t n = std::min(slice, size - off);
      const auto due =
          start_ +
          std::chrono::microseconds(static_cast<std::int64_t>(
              static_cast<long double>(sent_ + n) * 1e6L / static_cast<long double>(rate_)));
      for (;;) {
        if (stopping_.load()) return false;
        const auto now = Clock::now();
        if (now >= due) break;
        std::this_thread::sleep_for(
            std::min<Clock::duration>(due - now, std::chrono::milliseconds(50)));
      }
      if (!sink.write(data + off, n)) return false;
      off += n;
      sent_ += n;
    }
    return true;
  }

 private:
  const std::size_t rate_;
  const std::atomic<bool>& stopping_;
  bool started_ = false;
  std::chrono::steady_clock::time_point start_;
  std::uint64_t sent_ = 0;
};

const char* status_text(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 414:
      return "URI Too Long";
    case 416:
      return "Range Not Satisfiable";
    case 500:
      return "Internal Server Error";
    case 504:
      return "Gateway Timeout";
    default:
      return "Request failed";
  }
}

}  // namespace

std::string Emulator::Impl::new_request_id() {
  std::lock_guard<std::mutex> lock(id_mu);
  return "req_01" + internal::emulator::base62(id_rng(), 11) +
         internal::emulator::base62(id_rng(), 11);
}

std::optional<int> Emulator::Impl::next_fault() {
  std::lock_guard<std::mutex> lock(fault_mu);
  if (!queued_faults.empty()) {
    int s = queued_faults.front();
    queued_faults.pop_front();
    return s;
  }
  if (fault_rate <= 0 || options.fault_statuses.empty()) return std::nullopt;
  // Uniform in [0, 1) from the top 53 bits: identical on every standard library.
  const double u = static_cast<double>(fault_rng() >> 11) * (1.0 / 9007199254740992.0);
  if (u >= fault_rate) return std::nullopt;
  return options.fault_statuses[fault_round_robin++ % options.fault_statuses.size()];
}

bool Emulator::Impl::take_results_drop() {
  std::lock_guard<std::mutex> lock(fault_mu);
  if (results_drops == 0) return false;
  --results_drops;
  return true;
}

void Emulator::Impl::give_back_results_drop() {
  std::lock_guard<std::mutex> lock(fault_mu);
  ++results_drops;
}

std::string Emulator::Impl::origin_for(const httplib::Request& req) const {
  if (options.public_base_url) {
    std::string o = *options.public_base_url;
    while (!o.empty() && o.back() == '/') o.pop_back();
    return o;
  }
  std::string host = req.get_header_value("Host");
  if (plausible_host(host)) return "http://" + host;
  return base_url();
}

void Emulator::Impl::install(httplib::Server& s) {
  auto route = [this](const httplib::Request& req, httplib::Response& res) {
    handle(req, res);
    pace_body(res);
  };
  const char* any = ".*";
  s.Get(any, route);
  s.Post(any, route);
  s.Delete(any, route);
  s.Put(any, route);
  s.Patch(any, route);
  s.Options(any, route);

  // Errors raised by httplib itself (413 over max_body_bytes, malformed requests, unknown
  // methods) get the API's error envelope and a request id too.
  s.set_error_handler(
      httplib::Server::HandlerWithResponse([this](const httplib::Request&, httplib::Response& res) {
        if (!res.has_header("request-id")) res.set_header("request-id", new_request_id());
        if (res.body.empty()) {
          std::string message;
          if (res.status == 413) {
            message = "Request exceeds the maximum allowed size of " +
                      std::to_string(options.max_body_bytes) + " bytes";
          } else {
            message = status_text(res.status);
          }
          res.set_content(error_json(error_type_for_status(res.status), message,
                                     res.get_header_value("request-id")),
                          kJson);
        }
        return httplib::Server::HandlerResponse::Handled;
      }));
  s.set_exception_handler(
      [this](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown error";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        if (!res.has_header("request-id")) res.set_header("request-id", new_request_id());
        send_error(res, 500, "api_error", "Internal server error: " + what,
                   res.get_header_value("request-id"));
      });
}

void Emulator::Impl::pace_body(httplib::Response& res) {
  if (options.fault_slow_body_bytes_per_sec == 0 || res.body.empty() || res.content_provider_) {
    return;
  }
  auto body = std::make_shared<std::string>(std::move(res.body));
  res.body.clear();
  std::string type = res.get_header_value("Content-Type");
  res.headers.erase("Content-Type");  // set_content_provider sets it again
  auto writer = std::make_shared<SlowWriter>(options.fault_slow_body_bytes_per_sec, stopping);
  res.set_content_provider(
      body->size(), type,
      [body, writer](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
        return writer->write(sink, body->data() + offset, length);
      });
}

void Emulator::Impl::handle(const httplib::Request& req, httplib::Response& res) {
  ++requests_served;
  const std::string rid = new_request_id();
  res.set_header("request-id", rid);
  if (options.latency.count() > 0) std::this_thread::sleep_for(options.latency);

  if (auto fault = next_fault()) {
    ++faults_injected;
    const int status = *fault;
    std::string message;
    if (status == 429) {
      res.set_header("retry-after", "1");
      if (options.fault_retry_after_ms) {
        res.set_header("retry-after-ms", std::to_string(options.fault_retry_after_ms->count()));
      }
      message = "Number of requests has exceeded your rate limit (fault injected by the emulator)";
    } else if (status == 529) {
      message = "Overloaded (fault injected by the emulator)";
    } else if (status == 408) {
      message = "Request timed out (fault injected by the emulator)";
    } else if (status == 504) {
      message = "Gateway timed out (fault injected by the emulator)";
    } else if (status >= 500) {
      message = "Internal server error (fault injected by the emulator)";
    } else {
      message = "Fault injected by the emulator";
    }
    send_error(res, status, error_type_for_status(status), message, rid);
    return;
  }

  // Bodies are limited while they are read (install_body_limits); this is a last line of defence.
  if (req.body.size() > options.max_body_bytes) {
    send_error(res, 413, "request_too_large",
               "Request exceeds the maximum allowed size of " +
                   std::to_string(options.max_body_bytes) + " bytes",
               rid);
    return;
  }

  // Authentication: x-api-key, or Authorization: Bearer.
  {
    const bool has_key = req.has_header("x-api-key");
    const std::string key = req.get_header_value("x-api-key");
    const std::string authorization = req.get_header_value("Authorization");
    std::string bearer;
    if (authorization.size() > 7 &&
        internal::emulator::iequals(authorization.substr(0, 7), "Bearer ")) {
      bearer = authorization.substr(7);
      while (!bearer.empty() && bearer.front() == ' ') bearer.erase(bearer.begin());
    }
    if (key.empty() && bearer.empty()) {
      send_error(res, 401, "authentication_error", "x-api-key header is required", rid);
      return;
    }
    auto accepted = [&](const std::string& credential) {
      if (credential.empty()) return false;
      if (options.api_keys.empty()) return true;
      return std::find(options.api_keys.begin(), options.api_keys.end(), credential) !=
             options.api_keys.end();
    };
    if (!accepted(key) && !accepted(bearer)) {
      send_error(res, 401, "authentication_error",
                 has_key && !key.empty() ? "invalid x-api-key" : "invalid bearer token", rid);
      return;
    }
  }

  if (options.require_anthropic_version && req.get_header_value("anthropic-version").empty()) {
    send_error(res, 400, "invalid_request_error", "anthropic-version: header is required", rid);
    return;
  }

  std::string_view target = req.target;
  std::string_view path = target.substr(0, target.find('?'));
  std::vector<std::string_view> segments = split_path(path);
  const std::vector<std::string_view> base = split_path(kCollection);
  const bool under_collection =
      segments.size() >= base.size() && std::equal(base.begin(), base.end(), segments.begin());
  if (!under_collection || segments.size() > base.size() + 2) {
    send_error(res, 404, "not_found_error", "Not Found", rid);
    return;
  }

  if (segments.size() == base.size()) {
    if (is_get(req)) return handle_list(req, res, rid);
    if (req.method == "POST") return handle_create(req, res, rid);
    return method_not_allowed(res, req.method, "GET, POST", rid);
  }

  const std::string id = internal::emulator::percent_decode(segments[base.size()]);
  if (segments.size() == base.size() + 1) {
    if (is_get(req)) return handle_retrieve(req, res, id, rid);
    if (req.method == "DELETE") return handle_delete(res, id, rid);
    return method_not_allowed(res, req.method, "GET, DELETE", rid);
  }

  const std::string_view action = segments[base.size() + 1];
  if (action == "cancel") {
    if (req.method == "POST") return handle_cancel(req, res, id, rid);
    return method_not_allowed(res, req.method, "POST", rid);
  }
  if (action == "results") {
    if (is_get(req)) return handle_results(req, res, id, rid);
    return method_not_allowed(res, req.method, "GET", rid);
  }
  send_error(res, 404, "not_found_error", "Not Found", rid);
}

void Emulator::Impl::handle_create(const httplib::Request& req, httplib::Response& res,
                                   const std::string& rid) {
  // The version of the create call decides the rules every request in the batch is held to.
  std::string version = req.get_header_value("anthropic-version");
  internal::emulator::CreateRules rules;
  rules.rules_2026_10_21 = internal::emulator::uses_2026_10_21_rules(version);
  // The beta family: `?beta=true` (the beta resource under 2023-06-01) or any anthropic-beta
  // header (under 2026-10-21 the beta resource sends no query, only the betas asked for).
  rules.beta = (req.has_param("beta") && req.get_param_value("beta") == "true") ||
               !req.get_header_value("anthropic-beta").empty();
  rules.models = options.models;
  internal::emulator::CreateParseResult parsed =
      internal::emulator::parse_create_body(req.body, rules);
  if (!parsed.error.empty()) {
    send_error(res, 400, "invalid_request_error", parsed.error, rid);
    return;
  }
  internal::emulator::Batch batch = store.create(std::move(parsed.requests), std::move(version));
  send_json(res, internal::emulator::batch_json(batch, origin_for(req)));
}

void Emulator::Impl::handle_list(const httplib::Request& req, httplib::Response& res,
                                 const std::string& rid) {
  std::size_t limit = 20;
  if (req.has_param("limit")) {
    const std::string raw = req.get_param_value("limit");
    std::string_view digits = raw;
    const bool negative = !digits.empty() && digits.front() == '-';
    if (negative || (!digits.empty() && digits.front() == '+')) digits.remove_prefix(1);
    const bool numeric =
        !digits.empty() && digits.size() <= 18 &&
        std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
    const bool long_numeric =
        !digits.empty() && digits.size() > 18 &&
        std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!numeric && !long_numeric) {
      send_error(res, 400, "invalid_request_error",
                 "limit: Input should be a valid integer, unable to parse string as an integer",
                 rid);
      return;
    }
    long long value =
        long_numeric ? std::numeric_limits<long long>::max() : std::stoll(std::string(digits));
    if (negative) value = -value;
    if (value < 1) {
      send_error(res, 400, "invalid_request_error",
                 "limit: Input should be greater than or equal to 1", rid);
      return;
    }
    if (value > 1000) {
      send_error(res, 400, "invalid_request_error",
                 "limit: Input should be less than or equal to 1000", rid);
      return;
    }
    limit = static_cast<std::size_t>(value);
  }
  internal::emulator::Store::Page page =
      store.list(limit, query(req, "after_id"), query(req, "before_id"));
  send_json(res, internal::emulator::list_page_json(page.data, page.has_more, origin_for(req)));
}

void Emulator::Impl::handle_retrieve(const httplib::Request& req, httplib::Response& res,
                                     const std::string& id, const std::string& rid) {
  internal::emulator::Batch batch;
  if (store.get(id, &batch) != internal::emulator::Store::Outcome::ok)
    return not_found_batch(res, id, rid);
  send_json(res, internal::emulator::batch_json(batch, origin_for(req)));
}

void Emulator::Impl::handle_delete(httplib::Response& res, const std::string& id,
                                   const std::string& rid) {
  internal::emulator::Batch batch;
  switch (store.remove(id, &batch)) {
    case internal::emulator::Store::Outcome::not_found:
      return not_found_batch(res, id, rid);
    case internal::emulator::Store::Outcome::conflict:
      return send_error(res, 400, "invalid_request_error",
                        "Message batch " + id + " cannot be deleted while it is " +
                            internal::emulator::to_string(batch.status) +
                            "; only ended batches can be deleted (cancel it first)",
                        rid);
    case internal::emulator::Store::Outcome::ok:
      break;
  }
  send_json(res, internal::emulator::deleted_json(id));
}

void Emulator::Impl::handle_cancel(const httplib::Request& req, httplib::Response& res,
                                   const std::string& id, const std::string& rid) {
  internal::emulator::Batch batch;
  switch (store.cancel(id, &batch)) {
    case internal::emulator::Store::Outcome::not_found:
      return not_found_batch(res, id, rid);
    case internal::emulator::Store::Outcome::conflict:
      return send_error(res, 400, "invalid_request_error",
                        "Message batch " + id + " has already ended and cannot be canceled", rid);
    case internal::emulator::Store::Outcome::ok:
      break;
  }
  send_json(res, internal::emulator::batch_json(batch, origin_for(req)));
}

void Emulator::Impl::handle_results(const httplib::Request& req, httplib::Response& res,
                                    const std::string& id, const std::string& rid) {
  // Range is handled here, not by httplib: left in `req.ranges`, httplib would cut this
  // response's body a second time (and an error's JSON too). The Request is httplib's own
  // non-const object, handed to handlers as const, so clearing it is well defined.
  const std::optional<std::uint64_t> range_start = parse_open_range(req);
  const_cast<httplib::Request&>(req).ranges.clear();

  auto batch = std::make_shared<internal::emulator::Batch>();
  if (store.get(id, batch.get()) != internal::emulator::Store::Outcome::ok) {
    return not_found_batch(res, id, rid);
  }
  if (batch->status != internal::emulator::Status::ended) {
    return send_error(res, 400, "invalid_request_error",
                      "Message batch " + id +
                          " has not yet ended; results are available once processing_status "
                          "is \"ended\"",
                      rid);
  }
  // Lines are written in a shuffled order seeded from the batch id (the API promises no order),
  // or in request order with ordered_results. Either way the file is the same on every
  // download, so a Range request gets exactly the bytes a full download has at those offsets.
  auto order = std::make_shared<std::vector<std::uint32_t>>(
      options.ordered_results
          ? std::vector<std::uint32_t>()
          : internal::emulator::shuffled_result_order(batch->id, batch->size()));
  auto line_at = [batch, order](std::string& out, std::size_t position) {
    internal::emulator::append_result_line(out, *batch,
                                           order->empty() ? position : (*order)[position]);
  };
  // Streamed from an immutable snapshot, without the store lock: lines are generated a chunk
  // at a time, so even 100,000 results never sit in memory at once.
  struct Cursor {
    std::size_t next = 0;  // the position of the next line to render
    std::size_t skip = 0;  // bytes of that line already sent (a range starting inside it)
    // A dropped connection: bytes still to send before closing (unlimited when not dropping).
    std::uint64_t budget = std::numeric_limits<std::uint64_t>::max();
  };
  auto cursor = std::make_shared<Cursor>();
  // Returns false when the connection is to be closed: the sink failed, or the budget of a
  // dropped download is spent.
  auto writer = std::make_shared<SlowWriter>(options.fault_slow_body_bytes_per_sec, stopping);
  auto produce = [batch, cursor, line_at, writer](httplib::DataSink& sink) {
    const std::size_t n = batch->size();
    std::string chunk;
    chunk.reserve(kResultChunkBytes + 1024);
    while (cursor->next < n && chunk.size() < kResultChunkBytes) {
      line_at(chunk, cursor->next);
      ++cursor->next;
      if (cursor->skip > 0) {
        chunk.erase(0, cursor->skip);
        cursor->skip = 0;
      }
    }
    const bool cut = chunk.size() >= cursor->budget;
    if (cut) chunk.resize(static_cast<std::size_t>(cursor->budget));
    cursor->budget -= chunk.size();
    if (!chunk.empty() && !writer->write(sink, chunk.data(), chunk.size())) return false;
    return !cut;
  };

  // Measures the file a line at a time (no more than one line in memory) and, with
  // `range_start`, places the cursor on the line holding that byte.
  auto measure = [&]() {
    std::uint64_t total = 0;
    std::string line;
    for (std::size_t i = 0; i < batch->size(); ++i) {
      line.clear();
      line_at(line, i);
      if (range_start) {
        if (total + line.size() <= *range_start) {
          cursor->next = i + 1;
          cursor->skip = 0;
        } else if (total <= *range_start) {
          cursor->next = i;
          cursor->skip = static_cast<std::size_t>(*range_start - total);
        }
      }
      total += line.size();
    }
    return total;
  };

  // The drop-the-connection fault: this response stops halfway through the bytes from `from` to
  // `total` (one byte further when that falls between two lines, so that the cut is inside a
  // line) and the connection is closed, as a network failure would leave it. Returns the bytes
  // to send.
  auto drop_budget = [&](std::uint64_t from, std::uint64_t total) {
    std::uint64_t cut = from + (total - from) / 2;
    std::uint64_t end = 0;
    std::string line;
    for (std::size_t i = 0; i < batch->size() && end < cut; ++i) {
      line.clear();
      line_at(line, i);
      end += line.size();
    }
    if (end == cut && cut + 1 < total) ++cut;
    return cut - from;
  };
  const bool drop = take_results_drop();
  if (!range_start) {
    if (drop) {
      ++faults_injected;
      cursor->budget = drop_budget(0, measure());
    }
    res.status = 200;
    res.set_chunked_content_provider(
        "application/x-jsonl", [batch, cursor, produce](std::size_t, httplib::DataSink& sink) {
          if (!produce(sink)) return false;
          if (cursor->next >= batch->size()) sink.done();
          return true;
        });
    return;
  }

  // `Range: bytes=N-`: send the rest of the file from byte N, with its length.
  const std::uint64_t total = measure();
  if (*range_start >= total) {
    if (drop) give_back_results_drop();
    res.set_header("Content-Range", "bytes */" + std::to_string(total));
    return send_error(res, 416, "invalid_request_error",
                      "Range start " + std::to_string(*range_start) +
                          " is not below the size of the results (" + std::to_string(total) +
                          " bytes)",
                      rid);
  }
  if (drop) {
    ++faults_injected;
    cursor->budget = drop_budget(*range_start, total);
  }
  res.status = 206;
  res.set_header("Content-Range", "bytes " + std::to_string(*range_start) + "-" +
                                      std::to_string(total - 1) + "/" + std::to_string(total));
  res.set_content_provider(
      static_cast<std::size_t>(total - *range_start), "application/x-jsonl",
      [produce](std::size_t, std::size_t, httplib::DataSink& sink) { return produce(sink); });
}

}  // namespace anthropic::emulator
