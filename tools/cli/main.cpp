// anthropic-batch: work with Message Batches from a shell, on the anthropic-cpp SDK.
//
// Exit status: 0 success, 1 API, I/O or input-file failure, 2 usage error, 130 interrupted.

#include <anthropic/anthropic.hpp>
#include <anthropic/emulator/emulator.hpp>

#include <nlohmann/json.hpp>

#include "atomic_file.hpp"
#include "interrupt.hpp"

#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace am = anthropic::messages;
using anthropic_batch::AtomicFile;

constexpr int kOk = 0;
constexpr int kFailure = 1;
constexpr int kUsage = 2;
constexpr int kNotFound = 3;        ///< the batch (or another resource) does not exist
constexpr int kAuthentication = 4;  ///< no, a wrong or an unauthorized credential
constexpr int kNetwork = 5;         ///< the API could not be reached or the transfer failed
/// 128 + SIGINT, what a shell reports for a program stopped by Ctrl-C; also used for SIGTERM,
/// since in both cases the program stopped cleanly at the user's request.
constexpr int kInterrupted = 130;

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
/// SIGINT or SIGTERM stopped the command; the message says what was left behind.
struct Interrupted : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const char* const kMainHelp = R"(usage: anthropic-batch [options] <command> [arguments]

Work with Anthropic Message Batches (the GA resource; --beta for the beta one).

commands:
  submit FILE      create a batch from a JSONL file of {"custom_id": ..., "params": {...}} lines
  status ID        show a batch
  watch ID         follow a batch until it ends, with its request counts
  cancel ID        cancel a batch
  results ID       print a batch's results (or save them with -o FILE)
  list             list batches, newest first
  delete ID        delete an ended batch
  run FILE -o OUT  run a job of any size: split FILE into batches, follow them, collect every
                   result into OUT, re-submit what expired; resumable after a crash (--state)

options:
  --api-key KEY    API key (default: $ANTHROPIC_API_KEY; $ANTHROPIC_AUTH_TOKEN is also read)
  --base-url URL   API base URL (default: $ANTHROPIC_BASE_URL or https://api.anthropic.com)
  --json           machine-readable output (one JSON document or JSON line per item)
  --max-retries N  retries of a failed request or results download (default 2)
  --api-version D  anthropic-version to speak (default 2026-10-21; 2023-06-01 sends the key as
                   x-api-key and allows temperature, top_p and top_k; with --beta, it also sends
                   the earlier beta marks, as this program did before it defaulted to GA)
  --beta           use the beta resource (client.beta().messages().batches()) instead of the
                   GA one; under API version 2023-06-01 it adds ?beta=true and the batches beta
  --emulator       run against an in-process local emulator (no key, no network; its state
                   lives only as long as this command)
  -h, --help       this help; `anthropic-batch help COMMAND` for a command
  --version        the program's version

exit status: 0 success, 1 API, I/O or input-file failure, 2 usage error, 3 not found,
4 authentication or permission, 5 network, 130 interrupted (SIGINT or SIGTERM: the command
stops within a second and leaves no partial output file)
)";

/// Shown under every command's help.
const char* const kGlobalHelp = R"(
global options (before or after the command):
  --api-key KEY  --base-url URL  --api-version D  --beta  --json  --max-retries N  --emulator
  (see anthropic-batch --help)
)";

const std::map<std::string, std::string> kCommandHelp = {
    {"submit", R"(usage: anthropic-batch submit FILE [--anthropic-beta NAME]... [--wait] [-o OUT]

Creates a batch from FILE ("-" for standard input): one JSON object per line with "custom_id"
and "params" (a Messages create request), for example
  {"custom_id": "q-1", "params": {"model": "claude-sonnet-4-5", "max_tokens": 256, "messages": [{"role": "user", "content": "Hi"}]}}
Blank lines are skipped. The file is read as a stream:
each line is checked (JSON, custom_id pattern and uniqueness, params an object) and appended to
the request body, so no line is kept as an object. An error names FILE:LINE.

  --anthropic-beta NAME
                add an anthropic-beta header value (repeatable)
  --wait        wait for the batch to end, then print (or save) its results; the new batch's id
                is printed on standard error as soon as it exists, so that an interrupted wait
                (which does not cancel the batch) can be resumed with `watch` and `results`.
                Exits 1 when every request ended errored (a fix is needed), unless
  --allow-errors  is given.
  -o OUT        with --wait: write the results JSONL to OUT. OUT is checked (a temporary file
                is created beside it) before the batch is created.
)"},
    {"status", "usage: anthropic-batch status ID\n\nShows a batch: status, counts, timestamps.\n"},
    {"watch", R"(usage: anthropic-batch watch ID [--interval-ms N]

Polls the batch until it ends. On a terminal, a progress bar of request_counts is redrawn in
place; otherwise a line is printed whenever the counts or the status change.
)"},
    {"cancel", "usage: anthropic-batch cancel ID\n\nCancels a batch that has not ended.\n"},
    {"results", R"(usage: anthropic-batch results ID [-o FILE]

Streams the results of an ended batch. Without -o: one line per request (custom_id, result
type, and the start of the text), or the raw JSONL lines with --json. With -o: the JSONL lines
are written to FILE exactly as received, and a summary is printed. FILE appears only once the
whole download succeeded (it is written under a temporary name beside it, then renamed); a
download that fails, is cut short or is interrupted exits non-zero and leaves no FILE.
A line that is not a JSON object is an incomplete or corrupt download: exit 1.
)"},
    {"list", R"(usage: anthropic-batch list [--limit N] [--all]

Lists batches, newest first: one page of N (default 20), or every batch with --all.
)"},
    {"delete", "usage: anthropic-batch delete ID\n\nDeletes a batch whose processing has ended.\n"},
    {"run", R"(usage: anthropic-batch run FILE -o OUT [--state DIR] [options]

Runs a job of any size. FILE holds one request per line, as for submit:
  {"custom_id": "q-1", "params": {"model": "claude-sonnet-4-5", "max_tokens": 256, "messages": [...]}}
The whole file is checked first (JSON, custom_id pattern and uniqueness across the whole file,
params, what the API version rejects, the size of each line): a bad line stops the job before
any batch exists, naming FILE:LINE. Then FILE is split into batches, at most --max-in-flight are
created at a time (a 429 waits and tries again), each is followed, and as each one ends its
results are appended to OUT: one line per custom_id, the API's results line as received (with
--ordered, OUT is written once at the end, in FILE's order). Requests whose result type is in
--retry go into a new batch, up to --max-attempts; OUT keeps the final outcome. A summary
(counts, tokens, batches) ends the run.

Every step is journalled in the state directory (default OUT.state) before and after it. Killed
at any point (kill -9 included), the same command continues the job: no part is created twice,
and OUT ends with every custom_id exactly once. See the README's "Batch jobs".

  -o OUT                       the results JSONL (required; a new job needs it absent or empty)
  --state DIR                  the job's journal (default: OUT.state)
  --max-requests-per-batch N   default 100000 (the API's limit)
  --max-bytes-per-batch N      default 268435456 (256 MB, the API's limit)
  --max-in-flight N            batches created and not yet collected at once (default 4)
  --ordered                    results in FILE's order: gathered per part in the state
                               directory, OUT written when the last batch has ended (needs
                               the results' size again in disk space while the job runs)
  --retry TYPES                result types to send again: expired, errored, canceled, a
                               comma-separated list, or none (default: expired)
  --max-attempts N             attempts per request (default 3)
  --poll-interval-ms N         default 10000
  --lost-create-wait-ms N      how long a create whose answer was lost is looked for before
                               the part is sent again (default 120000; see the README)
  --on-interrupt leave|cancel  on Ctrl-C or SIGTERM: leave the batches running or cancel
                               them (default: ask on a terminal, else leave); either way the
                               job resumes with the same command
  --anthropic-beta NAME        add an anthropic-beta header value (repeatable)

Progress goes to standard error (a line per step; --json: one JSON event per line on standard
output, then the summary as JSON).
)"},
};

// --- output helpers ---------------------------------------------------------------------------

nlohmann::json to_json(const am::MessageBatch& b) {
  auto ts = [](const std::optional<anthropic::Timestamp>& t) -> nlohmann::json {
    return t ? nlohmann::json(t->str()) : nlohmann::json(nullptr);
  };
  const auto& c = b.request_counts;
  return {{"id", b.id},
          {"type", b.type},
          {"processing_status", b.processing_status.str()},
          {"request_counts",
           {{"processing", c.processing},
            {"succeeded", c.succeeded},
            {"errored", c.errored},
            {"canceled", c.canceled},
            {"expired", c.expired}}},
          {"created_at", b.created_at.str()},
          {"expires_at", b.expires_at.str()},
          {"ended_at", ts(b.ended_at)},
          {"cancel_initiated_at", ts(b.cancel_initiated_at)},
          {"archived_at", ts(b.archived_at)},
          {"results_url", b.results_url ? nlohmann::json(*b.results_url) : nlohmann::json()}};
}

std::string counts_text(const am::MessageBatchRequestCounts& c) {
  std::ostringstream out;
  out << "processing=" << c.processing << " succeeded=" << c.succeeded << " errored=" << c.errored
      << " canceled=" << c.canceled << " expired=" << c.expired;
  return out.str();
}

/// `url` without `user:password@` in its authority: a URL shown to a person never carries a
/// credential (the --json output stays exactly what the server sent).
std::string without_userinfo(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const std::size_t authority = scheme_end + 3;
  const std::size_t authority_end = std::min(url.find_first_of("/?#", authority), url.size());
  const std::size_t at = url.rfind('@', authority_end == 0 ? 0 : authority_end - 1);
  if (at == std::string::npos || at < authority) return url;
  return url.substr(0, authority) + url.substr(at + 1);
}

void print_batch(const am::MessageBatch& b, bool json) {
  if (json) {
    std::cout << to_json(b).dump() << "\n";
    return;
  }
  std::cout << b.id << "\n"
            << "  status:     " << b.processing_status << "\n"
            << "  requests:   " << b.request_counts.total() << " (" << counts_text(b.request_counts)
            << ")\n"
            << "  created:    " << b.created_at.str() << "\n"
            << "  expires:    " << b.expires_at.str() << "\n";
  if (b.cancel_initiated_at) std::cout << "  canceled:   " << b.cancel_initiated_at->str() << "\n";
  if (b.ended_at) std::cout << "  ended:      " << b.ended_at->str() << "\n";
  if (b.archived_at) std::cout << "  archived:   " << b.archived_at->str() << "\n";
  if (b.results_url) std::cout << "  results:    " << without_userinfo(*b.results_url) << "\n";
}

template <class F>
std::string first_text(const am::BasicMessageBatchIndividualResponse<F>& r) {
  if (r.result.message) {
    for (const auto& block : r.result.message->content) {
      if (const auto* text = std::get_if<typename F::TextBlock>(&block)) {
        std::string t = text->text.substr(0, 60);
        for (char& ch : t) {
          if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
        }
        return text->text.size() > 60 ? t + "..." : t;
      }
    }
  }
  if (r.result.error) {
    // error_type/error_message of the family's error union, found beside it.
    return error_type(r.result.error->error) + ": " + error_message(r.result.error->error);
  }
  return "";
}

// --- arguments --------------------------------------------------------------------------------

struct Args {
  std::vector<std::string> items;
  std::size_t pos = 0;

  bool done() const { return pos >= items.size(); }
  const std::string& peek() const { return items[pos]; }
  std::string take(const std::string& what) {
    if (done()) throw UsageError("missing " + what);
    return items[pos++];
  }
};

struct Globals {
  std::optional<std::string> api_key;
  std::optional<std::string> base_url;
  bool json = false;
  bool emulator = false;
  std::optional<int> max_retries;
  std::optional<std::string> api_version;
  bool beta = false;  // the beta resource instead of the GA one
};

long parse_long(const std::string& text, const std::string& what, long min, long max);

/// Options of `run` (the job) and `submit --wait` (allow_errors).
struct JobArgs {
  std::optional<std::string> state;
  bool on_interrupt_given = false;  ///< else: ask on a terminal, leave otherwise
  am::BatchJobOptions options;
  bool allow_errors = false;
};

/// Whether errors are reported as JSON (`--json` anywhere on the command line).
bool g_json_errors = false;

/// The closest command to a mistyped one (at most two edits away), or "".
std::string closest_command(const std::string& typed, const std::vector<std::string>& commands) {
  std::string best;
  std::size_t best_distance = 3;
  for (const auto& c : commands) {
    std::vector<std::size_t> row(c.size() + 1);
    for (std::size_t j = 0; j <= c.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= typed.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= c.size(); ++j) {
        std::size_t up = row[j];
        row[j] =
            std::min({row[j] + 1, row[j - 1] + 1, diagonal + (typed[i - 1] == c[j - 1] ? 0 : 1)});
        diagonal = up;
      }
    }
    if (row[c.size()] < best_distance) {
      best_distance = row[c.size()];
      best = c;
    }
  }
  return best;
}

// A global option (accepted before and after the command): consumes it and its value, or
// returns false.
bool take_global(const std::string& a, Args& args, Globals& g) {
  if (a == "--api-key") {
    g.api_key = args.take("value of --api-key");
  } else if (a == "--base-url") {
    g.base_url = args.take("value of --base-url");
  } else if (a == "--api-version") {
    g.api_version = args.take("value of --api-version");
  } else if (a == "--json") {
    g.json = true;
  } else if (a == "--max-retries") {
    g.max_retries =
        static_cast<int>(parse_long(args.take("value of --max-retries"), "--max-retries", 0, 10));
  } else if (a == "--emulator") {
    g.emulator = true;
  } else if (a == "--beta") {
    g.beta = true;
  } else {
    return false;
  }
  return true;
}

long parse_long(const std::string& text, const std::string& what, long min, long max) {
  try {
    std::size_t used = 0;
    long v = std::stol(text, &used);
    if (used == text.size() && v >= min && v <= max) return v;
  } catch (const std::exception&) {
  }
  throw UsageError(what + " must be an integer from " + std::to_string(min) + " to " +
                   std::to_string(max) + "; got \"" + text + "\"");
}

// --- submit -----------------------------------------------------------------------------------

// Reads and checks every request of a JSONL file, including what `api_version` rejects (so a
// batch the API would fail is never created).
template <class F>
am::EncodedBatchCreateParams read_batch_file(const std::string& path, std::istream& in,
                                             std::vector<std::string> betas,
                                             std::string_view api_version) {
  am::BasicBatchCreateBodyBuilder<F> builder;
  builder.check_api_version(api_version);
  std::string line;
  std::size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    auto where = path + ":" + std::to_string(line_number) + ": ";
    nlohmann::json entry = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (entry.is_discarded()) throw InputError(where + "malformed JSON");
    if (!entry.is_object()) throw InputError(where + "expected a JSON object");
    for (const auto& item : entry.items()) {
      if (item.key() != "custom_id" && item.key() != "params") {
        throw InputError(where + item.key() +
                         ": Extra inputs are not permitted (a line holds "
                         "only \"custom_id\" and \"params\")");
      }
    }
    auto id = entry.find("custom_id");
    if (id == entry.end() || !id->is_string()) throw InputError(where + "missing \"custom_id\"");
    auto params = entry.find("params");
    if (params == entry.end() || !params->is_object()) {
      throw InputError(where + "\"params\" must be a JSON object");
    }
    try {
      builder.add_raw(id->get_ref<const std::string&>(), params->dump());
    } catch (const anthropic::AnthropicInvalidRequestException& e) {
      throw InputError(where + e.what());
    }
  }
  if (in.bad()) throw InputError(path + ": read error");
  if (builder.request_count() == 0) throw InputError(path + ": no requests in the file");
  return std::move(builder).finish(std::move(betas));
}

// --- commands ---------------------------------------------------------------------------------

/// Counts the result types of raw JSONL lines; a line that is not a JSON object is what a
/// download cut mid-line looks like when the connection closed cleanly, so it fails the command.
class ResultTally {
 public:
  void add(const std::string& raw) {
    ++lines_;
    auto parsed = nlohmann::json::parse(raw, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded() || !parsed.is_object()) {
      throw InputError("results line " + std::to_string(lines_) +
                       " is not a JSON object: the download is incomplete or corrupt");
    }
    auto result = parsed.find("result");
    if (result != parsed.end() && result->is_object() && result->contains("type") &&
        (*result)["type"].is_string()) {
      ++by_type_[(*result)["type"].get<std::string>()];
    } else {
      ++by_type_["malformed"];
    }
  }
  void add_type(const std::string& type) {
    ++lines_;
    ++by_type_[type];
  }
  std::size_t lines() const { return lines_; }
  const std::map<std::string, std::size_t>& by_type() const { return by_type_; }

 private:
  std::size_t lines_ = 0;
  std::map<std::string, std::size_t> by_type_;
};

// The commands, on the GA service (`client.messages().batches()`) or, with --beta, the beta one.
template <class F>
class Cli {
 public:
  Cli(am::BasicBatchService<F>& batches, am::BasicBatchServiceAsync<F>& async, const Globals& g,
      anthropic::CancellationToken interrupt)
      : batches_(batches), async_(async), g_(g), interrupt_(std::move(interrupt)) {
    call_.cancellation = interrupt_;
  }

  int status(const std::string& id) {
    print_batch(batches_.retrieve(id, call_), g_.json);
    return kOk;
  }

  int cancel(const std::string& id) {
    am::MessageBatch b = batches_.cancel(id, call_);
    if (g_.json) {
      print_batch(b, true);
    } else {
      std::cout << "cancel requested: " << b.id << " is " << b.processing_status << " ("
                << counts_text(b.request_counts) << ")\n";
    }
    return kOk;
  }

  int remove(const std::string& id) {
    am::DeletedMessageBatch d = batches_.delete_(id, call_);
    if (g_.json) {
      std::cout << nlohmann::json{{"id", d.id}, {"type", d.type}}.dump() << "\n";
    } else {
      std::cout << "deleted " << d.id << "\n";
    }
    return kOk;
  }

  int list(std::optional<long> limit, bool all) {
    am::MessageBatchListParams params;
    if (limit) params.limit = *limit;
    am::BatchListPage page = batches_.list(params, call_);  // later pages reuse these options
    auto show = [&](const am::MessageBatch& b) {
      if (g_.json) {
        std::cout << to_json(b).dump() << "\n";
      } else {
        std::cout << std::left << std::setw(40) << b.id << std::setw(12)
                  << b.processing_status.str() << std::setw(8) << b.request_counts.total()
                  << b.created_at.str() << "\n";
      }
    };
    if (!g_.json) {
      std::cout << std::left << std::setw(40) << "ID" << std::setw(12) << "STATUS" << std::setw(8)
                << "COUNT"
                << "CREATED\n";
    }
    if (all) {
      for (const auto& b : page.auto_paging()) show(b);
    } else {
      for (const auto& b : page.data) show(b);
      if (page.has_next_page()) std::cerr << "(more: use --all)\n";
    }
    return kOk;
  }

  int watch(const std::string& id, std::chrono::milliseconds interval) {
    const bool tty = ::isatty(STDOUT_FILENO) != 0 && !g_.json;
    std::string last;
    std::optional<std::chrono::steady_clock::time_point> first_poll;
    am::WaitOptions options;
    options.initial_interval = interval;
    options.max_interval = std::max(interval, std::chrono::milliseconds(30000));
    options.request_options = call_;  // the token stops a poll and the wait between polls
    options.on_progress = [&](const am::MessageBatch& b) {
      if (g_.json) {
        std::cout << to_json(b).dump() << std::endl;
        return;
      }
      const auto& c = b.request_counts;
      std::int64_t total = c.total(), done = total - c.processing;
      if (tty) {
        if (!first_poll) first_poll = std::chrono::steady_clock::now();
        const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::steady_clock::now() - *first_poll)
                                 .count();
        constexpr int width = 30;
        int filled = total > 0 ? static_cast<int>(width * done / total) : 0;
        std::cout << "\r[" << std::string(static_cast<std::size_t>(filled), '#')
                  << std::string(static_cast<std::size_t>(width - filled), '-') << "] "
                  << std::setw(3) << (total > 0 ? 100 * done / total : 0) << "% "
                  << b.processing_status << " " << counts_text(c) << " " << elapsed / 60 << "m"
                  << std::setw(2) << std::setfill('0') << elapsed % 60 << std::setfill(' ')
                  << "s   " << std::flush;
      } else {
        std::string text = b.processing_status.str() + " " + counts_text(c);
        if (text != last) std::cout << b.id << " " << text << std::endl;
        last = text;
      }
    };
    am::MessageBatch ended;
    try {
      ended = batches_.wait_until_ended(id, options);
    } catch (...) {
      if (tty) std::cout << "\n";  // leave the shell prompt off the progress bar
      throw;
    }
    if (tty) std::cout << "\n";
    if (!g_.json) {
      std::cout << ended.id << " ended: " << counts_text(ended.request_counts) << "\n";
    }
    return kOk;
  }

  /// Streams the results; with `out`, into that file, committed only after the last line.
  int results(const std::string& id, AtomicFile* out) {
    am::BasicBatchResultsStream<F> stream = batches_.results(id, call_);
    last_tally_ = ResultTally();
    ResultTally& tally = last_tally_;
    if (out != nullptr) {
      while (auto raw = stream.next_raw()) {
        check_interrupt();
        tally.add(*raw);
        out->write(*raw);
        out->write("\n");
      }
      check_interrupt();
      out->commit();
    } else if (g_.json) {
      while (auto raw = stream.next_raw()) {
        check_interrupt();
        tally.add(*raw);
        std::cout << *raw << '\n';
      }
      return kOk;
    } else {
      for (const auto& r : stream) {
        check_interrupt();
        tally.add_type(r.result.type.str());
        std::cout << r.custom_id << "\t" << r.result.type << "\t" << first_text(r) << "\n";
      }
    }
    if (g_.json) {  // only with -o: the raw lines went to the file, the summary is JSON too
      std::cout << nlohmann::json{{"results", tally.lines()},
                                  {"by_type", tally.by_type()},
                                  {"output", out->path()}}
                       .dump()
                << "\n";
      return kOk;
    }
    std::cout << tally.lines() << " results";
    for (const auto& [type, n] : tally.by_type()) std::cout << " " << type << "=" << n;
    if (out != nullptr) std::cout << " written to " << out->path();
    std::cout << "\n";
    return kOk;
  }

  int submit(const std::string& path, std::vector<std::string> betas, bool wait,
             const std::optional<std::string>& out_path, bool allow_errors) {
    am::EncodedBatchCreateParams encoded;
    // Reading may block on a terminal, where no token reaches, and nothing exists yet to clean
    // up or report: a signal here simply ends the program.
    std::optional<anthropic_batch::ExitOnInterrupt> exit_at_once(std::in_place);
    const std::string api_version =
        g_.api_version.value_or(std::string(anthropic::kDefaultApiVersion));
    if (path == "-") {
      encoded = read_batch_file<F>("<stdin>", std::cin, std::move(betas), api_version);
    } else {
      std::ifstream in(path, std::ios::binary);
      if (!in) throw InputError(path + ": cannot open: " + std::strerror(errno));
      encoded = read_batch_file<F>(path, in, std::move(betas), api_version);
    }
    exit_at_once.reset();
    // The output must be writable before a batch exists (and is billed): create its temporary
    // file now rather than discover a bad path after the whole wait.
    std::optional<AtomicFile> out;
    if (out_path) out.emplace(*out_path);
    check_interrupt();

    am::MessageBatch b;
    anthropic::ResponseMetadata created;
    anthropic::RequestOptions create_call = call_;
    create_call.response_into = &created;
    try {
      b = batches_.create_encoded(encoded, create_call);
    } catch (const anthropic::AnthropicCancelledException& e) {
      throw Interrupted(e.may_have_reached_server()
                            ? "interrupted while creating the batch; it may have been created "
                              "(see anthropic-batch list)"
                            : "interrupted before the batch was sent; no batch was created");
    }
    if (wait) {
      // On standard error and at once (standard output may be a buffered pipe): whoever
      // interrupts the wait must know which batch keeps running.
      std::cerr << "anthropic-batch: created " << b.id << "; waiting for it to end\n";
    }
    if (g_.json) {
      print_batch(b, true);
    } else {
      std::cout << "created " << b.id << " with " << encoded.request_count << " requests ("
                << b.processing_status << ")\n";
      // What support asks for first about this batch.
      if (!created.request_id().empty())
        std::cout << "request-id: " << created.request_id() << "\n";
    }
    if (!wait) return kOk;
    try {
      watch(b.id, std::chrono::milliseconds(1000));
      int status = results(b.id, out ? &*out : nullptr);
      const auto& by_type = last_tally_.by_type();
      auto errored = by_type.find("errored");
      if (status == kOk && !allow_errors && errored != by_type.end() &&
          errored->second == last_tally_.lines()) {
        std::cerr << "anthropic-batch: every request of " << b.id
                  << " ended errored (see the results; --allow-errors accepts this)\n";
        return kFailure;
      }
      return status;
    } catch (const anthropic::AnthropicCancelledException&) {
      throw Interrupted(interrupted_batch_message(b.id));
    } catch (const Interrupted&) {
      throw Interrupted(interrupted_batch_message(b.id));
    }
  }

  int run_job(const std::string& input, const std::string& output, JobArgs job,
              std::vector<std::string> betas) {
    am::BatchJobOptions& o = job.options;
    o.input = input;
    o.output = output;
    o.state_dir = job.state ? *job.state : output + ".state";
    o.betas = std::move(betas);
    o.request_options = call_;
    if (g_.api_version) o.api_version = *g_.api_version;
    const bool tty = ::isatty(STDERR_FILENO) != 0 && !g_.json;
    o.on_progress = [&](const am::BatchJobProgress& p) {
      const auto seconds = p.elapsed.count() / 1000;
      if (g_.json) {
        std::cout << nlohmann::json{{"event", p.event},
                                    {"message", p.message},
                                    {"elapsed_ms", p.elapsed.count()},
                                    {"requests", p.requests},
                                    {"batches", p.batches},
                                    {"batches_ended", p.batches_ended},
                                    {"batches_in_flight", p.batches_in_flight},
                                    {"succeeded", p.succeeded},
                                    {"errored", p.errored},
                                    {"canceled", p.canceled},
                                    {"expired", p.expired},
                                    {"processing", p.processing},
                                    {"retrying", p.retrying}}
                         .dump()
                  << std::endl;
        return;
      }
      std::ostringstream line;
      line << "[" << seconds / 60 << "m" << std::setw(2) << std::setfill('0') << seconds % 60
           << "s] batches " << p.batches_ended << "/" << p.batches << " done, "
           << p.batches_in_flight << " running; requests " << p.succeeded << " succeeded, "
           << p.errored << " errored, " << p.expired << " expired, " << p.canceled << " canceled, "
           << p.processing << " processing";
      if (p.retrying) line << ", " << p.retrying << " to retry";
      if (tty) {
        // A bar of the requests with a final outcome, and the time left at the pace so far.
        const std::size_t done = p.succeeded + p.errored + p.expired + p.canceled;
        constexpr std::size_t width = 20;
        const std::size_t filled = p.requests ? width * done / p.requests : 0;
        std::ostringstream bar;
        bar << "[" << std::string(filled, '#') << std::string(width - filled, '-') << "] ";
        if (done > 0 && done < p.requests) {
          const auto left = static_cast<long long>(seconds * (p.requests - done) / done);
          bar << "~" << left / 60 << "m" << std::setw(2) << std::setfill('0') << left % 60
              << "s left ";
        }
        line.str(bar.str() + line.str());
        if (p.event != "polled") std::cerr << "\r\033[K" << p.message << "\n";
        std::cerr << "\r\033[K" << line.str() << std::flush;
        if (p.event == "done") std::cerr << "\n";
      } else if (p.event != "polled") {
        std::cerr << p.message << "\n" << line.str() << "\n";
      }
    };
    // Test seam for the crash tests: ANTHROPIC_BATCH_TEST_KILL_AT=POINT:N kills this process
    // with SIGKILL the Nth time the job reaches POINT (see BatchJobOptions::on_checkpoint).
    if (const char* kill_at = std::getenv("ANTHROPIC_BATCH_TEST_KILL_AT")) {
      std::string spec(kill_at);
      auto colon = spec.rfind(':');
      std::string point = spec.substr(0, colon);
      long n = colon == std::string::npos ? 1 : std::atol(spec.c_str() + colon + 1);
      auto seen = std::make_shared<long>(0);
      o.on_checkpoint = [point, n, seen](std::string_view at) {
        if (at == point && ++*seen == n) ::raise(SIGKILL);
      };
    }
    const bool ask = !job.on_interrupt_given && ::isatty(STDIN_FILENO) != 0;
    const bool cancel_on_interrupt = o.on_interrupt == am::BatchJobInterrupt::cancel;
    const std::string resume = "run the same command to resume the job";
    am::BatchJob running(batches_, async_, std::move(o));
    am::BatchJobSummary sum;
    try {
      sum = running.run();
    } catch (const anthropic::AnthropicInvalidRequestException& e) {
      throw InputError(e.what());  // a bad line, before anything was created
    } catch (const anthropic::AnthropicCancelledException&) {
      if (tty) std::cerr << "\n";
      if (cancel_on_interrupt)
        throw Interrupted(
            "interrupted; the running batches were asked to "
            "cancel; " +
            resume);
      if (ask) {
        // A second signal while the question waits exits at once (the interrupt thread).
        std::cerr << "Cancel the job's running batches? They keep running (and billing) "
                     "otherwise. [y/N] "
                  << std::flush;
        std::string answer;
        std::getline(std::cin, answer);
        if (!answer.empty() && (answer[0] == 'y' || answer[0] == 'Y')) {
          auto ids = running.cancel_in_flight();
          throw Interrupted("interrupted; asked to cancel " + std::to_string(ids.size()) +
                            " batches; " + resume);
        }
      }
      throw Interrupted("interrupted; the job's batches keep running; " + resume);
    }
    if (g_.json) {
      std::cout << nlohmann::json{{"event", "summary"},
                                  {"requests", sum.requests},
                                  {"succeeded", sum.succeeded},
                                  {"errored", sum.errored},
                                  {"canceled", sum.canceled},
                                  {"expired", sum.expired},
                                  {"batches", sum.batches},
                                  {"batch_ids", sum.batch_ids},
                                  {"resubmitted", sum.resubmitted},
                                  {"input_tokens", sum.input_tokens},
                                  {"output_tokens", sum.output_tokens},
                                  {"output", output}}
                       .dump()
                << std::endl;
    } else {
      std::cout << sum.requests << " requests: " << sum.succeeded << " succeeded, " << sum.errored
                << " errored, " << sum.expired << " expired, " << sum.canceled << " canceled\n"
                << "batches: " << sum.batches << " (" << sum.resubmitted
                << " requests sent again)\n"
                << "tokens: " << sum.input_tokens << " input, " << sum.output_tokens << " output\n"
                << "results: " << output << "\n";
    }
    return kOk;
  }

 private:
  static std::string interrupted_batch_message(const std::string& id) {
    return "interrupted; batch " + id +
           " was created and keeps running (follow it with `anthropic-batch watch " + id +
           "`, stop it with `anthropic-batch cancel " + id + "`)";
  }

  void check_interrupt() const {
    if (interrupt_.cancelled()) throw Interrupted("interrupted");
  }

  am::BasicBatchService<F>& batches_;
  am::BasicBatchServiceAsync<F>& async_;  // run's polls, all batches in flight at once
  ResultTally last_tally_;                ///< of the last `results`
  const Globals& g_;
  anthropic::CancellationToken interrupt_;
  anthropic::RequestOptions call_;  ///< every call carries the interrupt token
};

// Runs `command` on the chosen service.
template <class F>
int run_command(Cli<F>& cli, const std::string& command, const std::vector<std::string>& positional,
                std::vector<std::string> betas, bool wait,
                const std::optional<std::string>& out_path, std::chrono::milliseconds interval,
                std::optional<long> limit, bool all, JobArgs job) {
  const std::string operand = positional.empty() ? "" : positional[0];
  if (command == "run") return cli.run_job(operand, *out_path, std::move(job), std::move(betas));
  if (command == "submit") {
    return cli.submit(operand, std::move(betas), wait, out_path, job.allow_errors);
  }
  if (command == "status") return cli.status(operand);
  if (command == "watch") return cli.watch(operand, interval);
  if (command == "cancel") return cli.cancel(operand);
  if (command == "results") {
    // Created before the request, so that an unwritable FILE fails before any download.
    std::optional<AtomicFile> out;
    if (out_path) out.emplace(*out_path);
    return cli.results(operand, out ? &*out : nullptr);
  }
  if (command == "list") return cli.list(limit, all);
  return cli.remove(operand);
}

int run(int argc, char** argv, const anthropic::CancellationToken& interrupt) {
  Args args;
  for (int i = 1; i < argc; ++i) args.items.emplace_back(argv[i]);
  Globals g;
  std::string command;
  while (!args.done()) {
    std::string a = args.take("argument");
    if (a == "-h" || a == "--help") {
      std::cout << kMainHelp;
      return kOk;
    }
    if (a == "--version") {
      std::cout << "anthropic-batch " << ANTHROPIC_VERSION_STRING << "\n";
      return kOk;
    }
    if (take_global(a, args, g)) {
      continue;
    } else if (command.empty() && a == "help") {
      if (args.done()) {
        std::cout << kMainHelp;
        return kOk;
      }
      const std::string topic = args.take("command");
      if (!kCommandHelp.count(topic)) throw UsageError("no help for \"" + topic + "\"");
      std::cout << kCommandHelp.at(topic) << kGlobalHelp;
      return kOk;
    } else if (command.empty() && !a.empty() && a[0] != '-') {
      command = a;
      if (!kCommandHelp.count(command)) {
        std::vector<std::string> known;
        for (const auto& [name, help] : kCommandHelp) known.push_back(name);
        const std::string guess = closest_command(command, known);
        throw UsageError("unknown command \"" + command + "\"" +
                         (guess.empty() ? std::string() : "; did you mean \"" + guess + "\"?"));
      }
      break;
    } else {
      throw UsageError("unknown option \"" + a + "\"");
    }
  }
  if (command.empty()) throw UsageError("no command given");

  // The command's own arguments.
  std::vector<std::string> positional;
  std::vector<std::string> betas;
  std::optional<std::string> out_path;
  std::optional<long> limit;
  bool all = false, wait = false;
  std::chrono::milliseconds interval(2000);
  JobArgs job;
  auto job_size = [&](const std::string& name, long max) {
    return static_cast<std::size_t>(parse_long(args.take("value of " + name), name, 1, max));
  };
  while (!args.done()) {
    std::string a = args.take("argument");
    if (a == "-h" || a == "--help") {
      std::cout << kCommandHelp.at(command) << kGlobalHelp;
      return kOk;
    } else if (take_global(a, args, g)) {
      continue;
    } else if (command == "run" && a == "--state") {
      job.state = args.take("value of --state");
    } else if (command == "run" && a == "--max-requests-per-batch") {
      job.options.max_requests_per_batch = job_size(a, 100000);
    } else if (command == "run" && a == "--max-bytes-per-batch") {
      job.options.max_bytes_per_batch =
          job_size(a, static_cast<long>(am::BatchCreateBodyBuilder::kMaxBodyBytes));
    } else if (command == "run" && a == "--max-in-flight") {
      job.options.max_in_flight = job_size(a, 1000);
    } else if (command == "run" && a == "--ordered") {
      job.options.ordered = true;
    } else if (command == "run" && a == "--max-attempts") {
      job.options.max_attempts = static_cast<int>(job_size(a, 100));
    } else if (command == "run" && a == "--lost-create-wait-ms") {
      job.options.lost_create_settle = std::chrono::milliseconds(job_size(a, 3600000));
    } else if (command == "run" && a == "--poll-interval-ms") {
      job.options.poll_interval = std::chrono::milliseconds(job_size(a, 3600000));
    } else if (command == "run" && a == "--retry") {
      job.options.retry.clear();
      std::string list = args.take("value of --retry") + ",";
      for (std::size_t start = 0, comma; (comma = list.find(',', start)) != std::string::npos;
           start = comma + 1) {
        std::string type = list.substr(start, comma - start);
        if (type == "none" || type.empty()) continue;
        if (type != "expired" && type != "errored" && type != "canceled") {
          throw UsageError("--retry takes expired, errored, canceled or none; got \"" + type +
                           "\"");
        }
        job.options.retry.emplace_back(type);
      }
    } else if (command == "run" && a == "--on-interrupt") {
      std::string v = args.take("value of --on-interrupt");
      if (v != "leave" && v != "cancel") {
        throw UsageError("--on-interrupt takes leave or cancel; got \"" + v + "\"");
      }
      job.options.on_interrupt =
          v == "cancel" ? am::BatchJobInterrupt::cancel : am::BatchJobInterrupt::leave;
      job.on_interrupt_given = true;
    } else if (a == "-o" && (command == "results" || command == "submit" || command == "run")) {
      out_path = args.take("value of -o");
    } else if (a == "--anthropic-beta" && (command == "submit" || command == "run")) {
      betas.push_back(args.take("value of --anthropic-beta"));
    } else if (a == "--allow-errors" && command == "submit") {
      job.allow_errors = true;
    } else if (a == "--wait" && command == "submit") {
      wait = true;
    } else if (a == "--limit" && command == "list") {
      limit = parse_long(args.take("value of --limit"), "--limit", 1, 1000);
    } else if (a == "--all" && command == "list") {
      all = true;
    } else if (a == "--interval-ms" && command == "watch") {
      interval = std::chrono::milliseconds(
          parse_long(args.take("value of --interval-ms"), "--interval-ms", 100, 3600000));
    } else if (a.size() > 1 && a[0] == '-') {
      throw UsageError("unknown option \"" + a + "\" for " + command);
    } else {
      positional.push_back(a);
    }
  }
  const bool needs_operand = command != "list";
  if (needs_operand && positional.size() != 1) {
    std::string hint;
    if (command == "submit" && g.beta && positional.size() > 1) {
      hint =
          " (--beta now selects the beta resource; send a beta header with --anthropic-beta NAME)";
    }
    throw UsageError(command + " takes exactly one " +
                     (command == "submit" || command == "run" ? "FILE" : "ID") + hint);
  }
  if (!needs_operand && !positional.empty()) throw UsageError("list takes no operand");
  if (needs_operand && positional[0].empty()) throw UsageError("the operand must not be empty");
  if (out_path && command == "submit" && !wait) throw UsageError("-o needs --wait for submit");
  if (command == "run" && !out_path) throw UsageError("run needs -o OUT");

  std::unique_ptr<anthropic::emulator::Emulator> emulator;
  anthropic::ClientOptions options;
  options.api_key = g.api_key;
  options.base_url = g.base_url;
  if (g.max_retries) options.max_retries = *g.max_retries;
  if (g.api_version) options.anthropic_version = *g.api_version;
  if (g.emulator) {
    anthropic::emulator::EmulatorOptions eo;
    eo.processing_time = std::chrono::seconds(3);
    emulator = std::make_unique<anthropic::emulator::Emulator>(eo);
    emulator->start();
    options.base_url = emulator->base_url();
    options.api_key = eo.api_keys.front();
    if (!g.json) std::cerr << "(using an in-process emulator at " << emulator->base_url() << ")\n";
  }
  anthropic::Client client(options);
  if (g.beta) {
    Cli<anthropic::beta::messages::BetaFamily> cli(client.beta().messages().batches(),
                                                   client.async().beta().messages().batches(), g,
                                                   interrupt);
    return run_command(cli, command, positional, std::move(betas), wait, out_path, interval, limit,
                       all, std::move(job));
  }
  Cli<am::GaFamily> cli(client.messages().batches(), client.async().messages().batches(), g,
                        interrupt);
  return run_command(cli, command, positional, std::move(betas), wait, out_path, interval, limit,
                     all, std::move(job));
}

/// Prints an error: a line for people, or `{"error": {...}}` on standard error under --json.
int report(int code, const std::string& type, const std::string& message,
           const std::string& hint = "", std::optional<int> status = std::nullopt) {
  if (g_json_errors) {
    nlohmann::json error = {{"type", type}, {"message", message}, {"exit_code", code}};
    if (status) error["status"] = *status;
    // A message may quote the caller's bytes: replace invalid UTF-8 rather than throw here.
    std::cerr << nlohmann::json{{"error", error}}.dump(-1, ' ', false,
                                                       nlohmann::json::error_handler_t::replace)
              << "\n";
  } else {
    std::cerr << "anthropic-batch: " << message << "\n" << hint;
  }
  return code;
}

/// The exit status and message of the exception being handled, a failure no signal caused.
int report_current_exception() {
  try {
    throw;
  } catch (const UsageError& e) {
    return report(kUsage, "usage_error", e.what(), "(see anthropic-batch --help)\n");
  } catch (const InputError& e) {
    return report(kFailure, "input_error", e.what());
  } catch (const anthropic::AnthropicInvalidRequestException& e) {
    return report(kUsage, "invalid_request", e.what());
  } catch (const anthropic::NotFoundException& e) {
    return report(kNotFound, "not_found", std::string("API error ") + e.what(), "",
                  e.status_code());
  } catch (const anthropic::AuthenticationException& e) {
    return report(kAuthentication, "authentication", std::string("API error ") + e.what(), "",
                  e.status_code());
  } catch (const anthropic::PermissionDeniedException& e) {
    return report(kAuthentication, "permission_denied", std::string("API error ") + e.what(), "",
                  e.status_code());
  } catch (const anthropic::AnthropicServiceException& e) {
    return report(kFailure, "api_error", std::string("API error ") + e.what(), "", e.status_code());
  } catch (const anthropic::AnthropicIoException& e) {
    return report(kNetwork, "network", e.what());
  } catch (const std::exception& e) {
    return report(kFailure, "error", e.what());
  }
}

}  // namespace

int main(int argc, char** argv) {
  // First, before any thread exists: see interrupt.hpp.
  anthropic::CancellationSource interrupt;
  anthropic_batch::start_interrupt_thread(interrupt);
  for (int i = 1; i < argc; ++i) g_json_errors = g_json_errors || std::string(argv[i]) == "--json";
  try {
    return run(argc, argv, interrupt.token());
  } catch (const Interrupted& e) {
    return report(kInterrupted, "interrupted", e.what());
  } catch (const anthropic::AnthropicCancelledException&) {
    std::cerr << "anthropic-batch: interrupted\n";
    return kInterrupted;
  } catch (const std::exception& e) {
    if (anthropic_batch::interrupt_signal() == 0) return report_current_exception();
    // A failure that follows a signal is the interrupt's doing (a call cut short).
    std::cerr << "anthropic-batch: interrupted (" << e.what() << ")\n";
    return kInterrupted;
  }
}
