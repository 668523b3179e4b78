// anthropic-batch: work with Message Batches from a shell, on the anthropic-cpp SDK.
//
// Exit status: 0 success, 1 API, I/O or input-file failure, 2 usage error, 130 interrupted.

#include <anthropic/anthropic.hpp>
#include <anthropic/emulator/emulator.hpp>

#include <nlohmann/json.hpp>

#include "atomic_file.hpp"
#include "interrupt.hpp"

#include <unistd.h>

#include <cstdio>
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
  -h, --help       this help; `anthropic-batch <command> --help` for a command

exit status: 0 success, 1 API, I/O or input-file failure, 2 usage error, 130 interrupted
(SIGINT or SIGTERM: the command stops within a second and leaves no partial output file)
)";

const std::map<std::string, std::string> kCommandHelp = {
    {"submit", R"(usage: anthropic-batch submit FILE [--anthropic-beta NAME]... [--wait] [-o OUT]

Creates a batch from FILE ("-" for standard input): one JSON object per line with "custom_id"
and "params" (a Messages create request). Blank lines are skipped. The file is read as a stream:
each line is checked (JSON, custom_id pattern and uniqueness, params an object) and appended to
the request body, so no line is kept as an object. An error names FILE:LINE.

  --anthropic-beta NAME
                add an anthropic-beta header value (repeatable)
  --wait        wait for the batch to end, then print (or save) its results; the new batch's id
                is printed on standard error as soon as it exists, so that an interrupted wait
                (which does not cancel the batch) can be resumed with `watch` and `results`
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
  Cli(am::BasicBatchService<F>& batches, const Globals& g, anthropic::CancellationToken interrupt)
      : batches_(batches), g_(g), interrupt_(std::move(interrupt)) {
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
      if (!g_.json && page.has_next_page()) std::cout << "(more: use --all)\n";
    }
    return kOk;
  }

  int watch(const std::string& id, std::chrono::milliseconds interval) {
    const bool tty = ::isatty(STDOUT_FILENO) != 0 && !g_.json;
    std::string last;
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
        constexpr int width = 30;
        int filled = total > 0 ? static_cast<int>(width * done / total) : 0;
        std::cout << "\r[" << std::string(static_cast<std::size_t>(filled), '#')
                  << std::string(static_cast<std::size_t>(width - filled), '-') << "] "
                  << std::setw(3) << (total > 0 ? 100 * done / total : 0) << "% "
                  << b.processing_status << " " << counts_text(c) << "   " << std::flush;
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
    ResultTally tally;
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
             const std::optional<std::string>& out_path) {
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
      if (!in) throw InputError(path + ": cannot open");
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
      return results(b.id, out ? &*out : nullptr);
    } catch (const anthropic::AnthropicCancelledException&) {
      throw Interrupted(interrupted_batch_message(b.id));
    } catch (const Interrupted&) {
      throw Interrupted(interrupted_batch_message(b.id));
    }
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
  const Globals& g_;
  anthropic::CancellationToken interrupt_;
  anthropic::RequestOptions call_;  ///< every call carries the interrupt token
};

// Runs `command` on the chosen service.
template <class F>
int run_command(Cli<F>& cli, const std::string& command, const std::vector<std::string>& positional,
                std::vector<std::string> betas, bool wait,
                const std::optional<std::string>& out_path, std::chrono::milliseconds interval,
                std::optional<long> limit, bool all) {
  const std::string operand = positional.empty() ? "" : positional[0];
  if (command == "submit") return cli.submit(operand, std::move(betas), wait, out_path);
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
      if (!command.empty() && kCommandHelp.count(command)) {
        std::cout << kCommandHelp.at(command);
      } else {
        std::cout << kMainHelp;
      }
      return kOk;
    }
    if (take_global(a, args, g)) {
      continue;
    } else if (command.empty() && !a.empty() && a[0] != '-') {
      command = a;
      if (!kCommandHelp.count(command)) throw UsageError("unknown command \"" + command + "\"");
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
  while (!args.done()) {
    std::string a = args.take("argument");
    if (a == "-h" || a == "--help") {
      std::cout << kCommandHelp.at(command);
      return kOk;
    } else if (take_global(a, args, g)) {
      continue;
    } else if (a == "-o" && (command == "results" || command == "submit")) {
      out_path = args.take("value of -o");
    } else if (a == "--anthropic-beta" && command == "submit") {
      betas.push_back(args.take("value of --anthropic-beta"));
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
    throw UsageError(command + " takes exactly one " + (command == "submit" ? "FILE" : "ID") +
                     hint);
  }
  if (!needs_operand && !positional.empty()) throw UsageError("list takes no operand");
  if (needs_operand && positional[0].empty()) throw UsageError("the operand must not be empty");
  if (out_path && command == "submit" && !wait) throw UsageError("-o needs --wait for submit");

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
    Cli<anthropic::beta::messages::BetaFamily> cli(client.beta().messages().batches(), g,
                                                   interrupt);
    return run_command(cli, command, positional, std::move(betas), wait, out_path, interval, limit,
                       all);
  }
  Cli<am::GaFamily> cli(client.messages().batches(), g, interrupt);
  return run_command(cli, command, positional, std::move(betas), wait, out_path, interval, limit,
                     all);
}

/// The exit status and message of the exception being handled, a failure no signal caused.
int report_current_exception() {
  try {
    throw;
  } catch (const UsageError& e) {
    std::cerr << "anthropic-batch: " << e.what() << "\n(see anthropic-batch --help)\n";
    return kUsage;
  } catch (const InputError& e) {
    std::cerr << "anthropic-batch: " << e.what() << "\n";
    return kFailure;
  } catch (const anthropic::AnthropicInvalidRequestException& e) {
    std::cerr << "anthropic-batch: " << e.what() << "\n";
    return kUsage;
  } catch (const anthropic::AnthropicServiceException& e) {
    std::cerr << "anthropic-batch: API error " << e.what() << "\n";
    return kFailure;
  } catch (const std::exception& e) {
    std::cerr << "anthropic-batch: " << e.what() << "\n";
    return kFailure;
  }
}

}  // namespace

int main(int argc, char** argv) {
  // First, before any thread exists: see interrupt.hpp.
  anthropic::CancellationSource interrupt;
  anthropic_batch::start_interrupt_thread(interrupt);
  try {
    return run(argc, argv, interrupt.token());
  } catch (const Interrupted& e) {
    std::cerr << "anthropic-batch: " << e.what() << "\n";
    return kInterrupted;
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
