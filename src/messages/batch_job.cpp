#include <anthropic/messages/batch_job.hpp>

#include <nlohmann/json.hpp>

#include "json/reader.hpp"
#include "messages/batch_job_files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <future>
#include <map>
#include <queue>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace anthropic::messages {

BatchJobException::~BatchJobException() = default;

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using internal::errno_text;
using internal::File;
using internal::HashRuns;

constexpr const char* kJournal = "journal.jsonl";
constexpr std::size_t kBodyOverhead = 64;     // `{"requests":[` ... `]}` and slack
constexpr std::size_t kRequestOverhead = 32;  // `{"custom_id":"","params":}` and a comma
// With the backoff (0.5 s doubling to max_rate_limit_wait), about 15 minutes of failures in a row.
constexpr int kMaxConsecutiveFailures = 20;
// A batch still not ended this long after its expires_at is stuck: the job stops rather than poll
// it for ever.
constexpr std::chrono::hours kPastExpiry{1};

std::uint64_t hash64(std::string_view s) {  // FNV-1a
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::int64_t unix_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

void sync_dir(const fs::path& dir) {
  File d(dir, O_RDONLY | O_DIRECTORY, "open directory");
  ::fsync(d.fd());  // best effort: some file systems refuse a directory fsync
}

/// One part of the job: a byte range of the input (first attempt) or of a re-submission file.
struct Chunk {
  std::string file;  // empty: the input; else a file name in the state directory
  std::uint64_t offset = 0, end = 0;
  std::size_t count = 0;
  int attempt = 1;
  std::size_t origin = 0;  // the part of the input it comes from (itself on the first attempt)
  std::optional<std::int64_t> intent_at_ms;  // a create was sent (or about to be) at this time
  std::optional<std::string> batch_id;
  bool adopted = false;  // found by reconciliation, not answered to this job's create
  bool collecting = false;
  bool collected = false;
};

/// Reads the lines of a byte range; `next` skips blank lines and strips a CR.
class LineReader {
 public:
  LineReader(const fs::path& path, std::uint64_t offset, std::uint64_t end)
      : in_(path, std::ios::binary), end_(end), pos_(offset) {
    if (!in_) throw BatchJobException(errno_text("cannot open", path));
    in_.seekg(static_cast<std::streamoff>(offset));
  }
  bool next(std::string& line) {
    while (pos_ < end_ && std::getline(in_, line)) {
      pos_ += line.size() + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") != std::string::npos) return true;
    }
    return false;
  }

 private:
  std::ifstream in_;
  std::uint64_t end_, pos_;
};

struct ParsedLine {
  std::string custom_id;
  std::string params;  // compact JSON text
};

/// Checks the shape of one input line as the API checks one element of `requests`. One pass of
/// the pull reader: `params` is taken as compact JSON text, its strings and numbers as written.
ParsedLine parse_input_line(const std::string& line) {
  ParsedLine out;
  bool have_id = false;
  bool have_params = false;
  std::optional<std::string> extra;  // the first member that is neither custom_id nor params
  try {
    internal::json::Reader r(line, "input line");
    if (r.peek() != internal::json::Reader::Kind::object) {
      r.skip();
      r.finish();
      throw AnthropicInvalidRequestException("expected a JSON object");
    }
    r.begin_object();
    bool first = true;
    std::string_view key;
    while (r.next_key(first, key)) {
      if (key == "custom_id") {  // as a JSON parser would, the last of repeated members wins
        have_id = r.peek() == internal::json::Reader::Kind::string;
        if (have_id) {
          r.read_string(out.custom_id);
        } else {
          r.skip();
        }
      } else if (key == "params") {
        have_params = r.peek() == internal::json::Reader::Kind::object;
        if (have_params) {
          out.params.clear();
          r.capture(out.params);
        } else {
          r.skip();
        }
      } else {
        if (!extra) extra.emplace(key);
        r.skip();
      }
    }
    r.finish();  // malformed JSON anywhere wins over a shape problem, as with a full parse
  } catch (const AnthropicInvalidDataException&) {
    throw AnthropicInvalidRequestException("malformed JSON");
  }
  if (extra) {
    throw AnthropicInvalidRequestException(*extra + ": Extra inputs are not permitted");
  }
  if (!have_id) throw AnthropicInvalidRequestException("custom_id: Field required (a string)");
  if (!have_params) {
    throw AnthropicInvalidRequestException("params: Field required (a JSON object)");
  }
  return out;
}

// An answer that says nothing was done and that a later attempt may succeed.
bool is_transient(const AnthropicServiceException& e) {
  return e.status_code() == 408 || e.status_code() == 429 || e.status_code() >= 500;
}

}  // namespace

struct BatchJob::Impl {
  internal::BatchJobBackend backend;
  BatchJobOptions o;
  std::vector<Chunk> chunks;
  std::size_t requests = 0;
  BatchJobSummary totals;  // final outcomes so far (from the journal)
  std::optional<File> journal;
  std::optional<File> output;
  std::uint64_t output_good = 0;  // bytes of output covered by the journal
  // With `ordered`: each part's results file (see sink), the bytes of each the journal covers,
  // the parts planned (the first chunks), and whether the output has been written.
  std::optional<File> part;
  std::size_t part_of = 0;
  std::map<std::size_t, std::uint64_t> part_good;
  std::size_t planned_parts = 0;
  bool assembling = false;  // the output may hold part of an assembly
  bool assembled = false;
  File lock;
  Clock::time_point started = Clock::now();
  int failures = 0;                          // consecutive transient failures
  Json identity;                             // of the input, as recorded in the plan
  std::unordered_set<std::string> disowned;  // adopted by mistake: another job's batches

  // --- journal ---------------------------------------------------------------------------------

  void append(const Json& record) {
    journal->write_all(record.dump() + "\n");
    journal->sync();
  }

  void checkpoint(std::string_view point) {
    if (o.on_checkpoint) o.on_checkpoint(point);
  }

  void report(const std::string& event, const std::string& message) {
    if (!o.on_progress) return;
    BatchJobProgress p;
    p.event = event;
    p.message = message;
    p.requests = requests;
    p.batches = chunks.size();
    for (const auto& c : chunks) {
      if (c.attempt > 1 && !c.batch_id) p.retrying += c.count;
      if (c.collected) {
        ++p.batches_ended;
      } else if (c.batch_id) {
        ++p.batches_in_flight;
        p.processing += c.count;
      }
    }
    p.succeeded = totals.succeeded;
    p.errored = totals.errored;
    p.canceled = totals.canceled;
    p.expired = totals.expired;
    p.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    o.on_progress(p);
  }

  fs::path chunk_path(const Chunk& c) const {
    return c.file.empty() ? o.input : o.state_dir / c.file;
  }

  // Replays the journal; returns whether the job was planned before.
  bool load() {
    const fs::path path = o.state_dir / kJournal;
    std::ifstream in(path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // A record cut by a crash mid-write has no newline: it never happened.
    std::size_t whole = text.rfind('\n');
    whole = whole == std::string::npos ? 0 : whole + 1;
    journal.emplace(path, O_WRONLY | O_CREAT | O_APPEND, "open the journal");
    if (whole < text.size()) {
      journal->truncate(whole);
      text.resize(whole);
    }
    bool planned = false;
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t nl = text.find('\n', start);
      Json r = Json::parse(text.substr(start, nl - start), nullptr, false);
      start = nl + 1;
      if (r.is_discarded() || !r.is_object() || !r.contains("e")) {
        throw BatchJobException("the journal " + path.string() + " is corrupt");
      }
      try {
        apply(r, planned);
      } catch (const Json::exception& e) {
        throw BatchJobException("the journal " + path.string() + " is corrupt: " + e.what());
      } catch (const std::out_of_range& e) {
        throw BatchJobException("the journal " + path.string() + " is corrupt: " + e.what());
      }
    }
    return planned;
  }

  void apply(const Json& r, bool& planned) {
    const std::string e = r.at("e").get<std::string>();
    if (e == "job") {
      planned = true;
      requests = r.at("requests").get<std::size_t>();
      identity = r.at("input_identity");
      check_same_job(r);
      for (const auto& c : r.at("chunks")) {
        Chunk chunk;
        chunk.offset = c.at(0).get<std::uint64_t>();
        chunk.end = c.at(1).get<std::uint64_t>();
        chunk.count = c.at(2).get<std::size_t>();
        chunk.origin = chunks.size();
        chunks.push_back(chunk);
      }
      planned_parts = chunks.size();
      totals.requests = requests;
      return;
    }
    if (e == "assembling") {
      assembling = true;
      return;
    }
    if (e == "assembled") {
      assembled = true;
      output_good = r.at("output_bytes").get<std::uint64_t>();
      return;
    }
    Chunk& c = chunks.at(r.at("chunk").get<std::size_t>());
    if (e == "intent") {
      c.intent_at_ms = r.at("at").get<std::int64_t>();
    } else if (e == "no_batch") {
      c.intent_at_ms.reset();
    } else if (e == "created") {
      c.batch_id = r.at("batch").get<std::string>();
      c.adopted = r.value("adopted", false);
      totals.batch_ids.push_back(*c.batch_id);
      ++totals.batches;
    } else if (e == "disowned") {
      disowned.insert(*c.batch_id);
      totals.batch_ids.erase(
          std::find(totals.batch_ids.begin(), totals.batch_ids.end(), *c.batch_id));
      --totals.batches;
      c.batch_id.reset();
      c.intent_at_ms.reset();
      c.adopted = false;
      c.collecting = false;
    } else if (e == "collecting") {
      c.collecting = true;
      good_of(c) = r.at("output_bytes").get<std::uint64_t>();
    } else if (e == "collected") {
      c.collecting = false;
      c.collected = true;
      good_of(c) = r.at("output_bytes").get<std::uint64_t>();
      totals.succeeded += r.at("succeeded").get<std::size_t>();
      totals.errored += r.at("errored").get<std::size_t>();
      totals.canceled += r.at("canceled").get<std::size_t>();
      totals.expired += r.at("expired").get<std::size_t>();
      totals.input_tokens += r.at("input_tokens").get<std::int64_t>();
      totals.output_tokens += r.at("output_tokens").get<std::int64_t>();
      const Json& retry = r.at("retry");
      if (!retry.is_null()) {
        Chunk next;
        next.file = retry.at("file").get<std::string>();
        next.end = retry.at("bytes").get<std::uint64_t>();
        next.count = retry.at("count").get<std::size_t>();
        next.attempt = c.attempt + 1;
        next.origin = c.origin;
        totals.resubmitted += next.count;
        chunks.push_back(next);
      }
    } else {
      throw BatchJobException("the journal has an unknown record \"" + e + "\"");
    }
  }

  Json input_identity() const {
    struct stat st {};
    if (::stat(o.input.c_str(), &st) != 0) {
      throw BatchJobException(errno_text("cannot open", o.input));
    }
    return {{"bytes", static_cast<std::uint64_t>(st.st_size)},
            {"mtime_ns",
             static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec}};
  }

  // Before every read of the input after the plan: a changed file would send other requests.
  void check_input() const {
    if (identity != input_identity()) {
      throw BatchJobException("the input " + o.input.string() +
                              " changed since this job began (size or modification time); "
                              "restore it, or start a new job with another state directory");
    }
  }

  // `identity` is the record's.
  void check_same_job(const Json& r) const {
    check_input();
    if (r.value("ordered", false) != o.ordered) {
      throw BatchJobException(std::string("this job was started ") +
                              (o.ordered ? "without" : "with") +
                              " ordered output (--ordered): resume it the same way");
    }
    if (r.at("max_requests_per_batch").get<std::size_t>() != o.max_requests_per_batch ||
        r.at("max_bytes_per_batch").get<std::size_t>() != o.max_bytes_per_batch) {
      throw BatchJobException(
          "this job was split with other batch limits (max_requests_per_batch " +
          r.at("max_requests_per_batch").dump() + ", max_bytes_per_batch " +
          r.at("max_bytes_per_batch").dump() + "): resume it with the same ones");
    }
  }

  // --- validation and the plan -----------------------------------------------------------------

  [[noreturn]] void bad_line(std::size_t line, const std::string& what) const {
    throw AnthropicInvalidRequestException(o.input.string() + ":" + std::to_string(line) + ": " +
                                           what);
  }

  // Reads the whole input once: checks every line, splits it, and finds duplicate custom ids by
  // their 64-bit hashes in bounded memory (see HashRuns; a second pass confirms a clash).
  Json plan() {
    const Json before = input_identity();  // a file still being written is refused
    std::ifstream in(o.input, std::ios::binary);
    if (!in) throw BatchJobException(errno_text("cannot open", o.input));
    const std::size_t max_request_bytes =
        o.max_bytes_per_batch > kBodyOverhead ? o.max_bytes_per_batch - kBodyOverhead : 0;
    HashRuns ids(o.state_dir / "custom-ids.tmp");
    std::size_t count = 0;
    Json planned = Json::array();
    std::uint64_t offset = 0, chunk_start = 0, chunk_bytes = 0;
    std::size_t chunk_count = 0, line_number = 0;
    std::string line;
    while (std::getline(in, line)) {
      if (++line_number % 4096 == 0 && o.request_options.cancellation.cancelled()) interrupted();
      const std::uint64_t line_start = offset;
      offset += line.size() + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      ParsedLine parsed;
      try {
        parsed = parse_input_line(line);
        backend.check(parsed.custom_id, parsed.params, o.api_version);
      } catch (const AnthropicInvalidRequestException& e) {
        bad_line(line_number, e.what());
      }
      const std::size_t bytes = parsed.custom_id.size() + parsed.params.size() + kRequestOverhead;
      if (bytes > max_request_bytes) {
        bad_line(line_number, "the request is " + std::to_string(bytes) +
                                  " bytes; a batch holds at most " +
                                  std::to_string(o.max_bytes_per_batch));
      }
      if (chunk_count == o.max_requests_per_batch || chunk_bytes + bytes > max_request_bytes) {
        planned.push_back({chunk_start, line_start, chunk_count});
        chunk_start = line_start;
        chunk_bytes = 0;
        chunk_count = 0;
      }
      chunk_bytes += bytes;
      ++chunk_count;
      ids.add(hash64(parsed.custom_id));
      ++count;
    }
    if (in.bad()) throw BatchJobException(errno_text("cannot read", o.input));
    if (count == 0) throw AnthropicInvalidRequestException(o.input.string() + ": no requests");
    planned.push_back({chunk_start, offset, chunk_count});
    check_unique(ids.clashes());
    if (input_identity() != before) {
      throw BatchJobException("the input " + o.input.string() +
                              " changed while it was being read; start the job once it is "
                              "complete");
    }
    return {{"e", "job"},
            {"input", fs::absolute(o.input).string()},
            {"input_identity", before},
            {"requests", count},
            {"max_requests_per_batch", o.max_requests_per_batch},
            {"max_bytes_per_batch", o.max_bytes_per_batch},
            {"ordered", o.ordered},
            {"chunks", planned}};
  }

  // A second pass over the input names the first repeated custom_id among the clashing hashes.
  void check_unique(const std::unordered_set<std::uint64_t>& clashes) const {
    if (clashes.empty()) return;
    std::unordered_map<std::string, std::size_t> first_line;
    std::ifstream in(o.input, std::ios::binary);
    std::string line;
    std::size_t line_number = 0;
    while (std::getline(in, line)) {
      ++line_number;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      std::string id = parse_input_line(line).custom_id;
      if (!clashes.count(hash64(id))) continue;
      auto [it, inserted] = first_line.emplace(id, line_number);
      if (!inserted) {
        bad_line(line_number, "duplicate custom_id \"" + id + "\" (first used on line " +
                                  std::to_string(it->second) +
                                  "); results are matched by custom_id, so each must be unique "
                                  "in the whole job");
      }
    }
  }

  // --- the output ------------------------------------------------------------------------------

  void open_output(bool fresh) {
    output.emplace(o.output, O_WRONLY | O_CREAT, "open the output");
    if (::flock(output->fd(), LOCK_EX | LOCK_NB) != 0) {
      throw BatchJobException("the output " + o.output.string() + " is in use by another job");
    }
    const std::uint64_t size = output->size();
    // An ordered job writes its output only at the end: before that, any content is not its own
    // (another job's, or the wrong -o on resume) and is not cut off.
    if (size > 0 && (fresh || (o.ordered && !assembling && !assembled))) {
      throw BatchJobException(
          "the output " + o.output.string() + " already exists and is not empty; " +
          (fresh ? "a new job starts an empty one"
                 : "this ordered job writes it only at the end, so what is in it is not the "
                   "job's: move it away, or check that -o names this job's output"));
    }
    if (size < output_good) {
      throw BatchJobException("the output " + o.output.string() + " is shorter (" +
                              std::to_string(size) + " bytes) than the journal says (" +
                              std::to_string(output_good) +
                              "); it was changed outside the job, so results would be lost");
    }
    // Lines past what the journal covers come from a collection that did not finish: it runs again.
    if (size > output_good) output->truncate(output_good);
    ::lseek(output->fd(), 0, SEEK_END);
  }

  // Where chunk `c`'s results are written, and how many bytes of it the journal covers: the
  // output, or with `ordered` the results file of the part of the input `c` comes from. A part
  // file is cut back to what the journal covers when it is opened, as the output is.
  std::uint64_t& good_of(const Chunk& c) { return o.ordered ? part_good[c.origin] : output_good; }

  fs::path part_path(std::size_t origin) const {
    return o.state_dir / "parts" / ("part-" + std::to_string(origin) + ".jsonl");
  }

  File& sink(const Chunk& c) {
    if (!o.ordered) return *output;
    if (!part || part_of != c.origin) {
      part.reset();
      std::error_code ec;
      if (fs::create_directories(o.state_dir / "parts", ec)) sync_dir(o.state_dir);
      if (ec) throw BatchJobException("cannot create " + (o.state_dir / "parts").string());
      File f(part_path(c.origin), O_WRONLY | O_CREAT, "open");
      sync_dir(o.state_dir / "parts");  // the journal will count on the file being there
      const std::uint64_t good = good_of(c), size = f.size();
      if (size < good) {
        throw BatchJobException(f.path().string() + " is shorter (" + std::to_string(size) +
                                " bytes) than the journal says (" + std::to_string(good) +
                                "); it was changed outside the job, so results would be lost");
      }
      if (size > good) f.truncate(good);
      part = std::move(f);
      part_of = c.origin;
    }
    return *part;
  }

  // Writes the output in the input's order from the parts' results files (`ordered`): per part,
  // a map from custom_id to where its line is (at most max_requests_per_batch entries), then
  // the part's input lines in order. Run again from the start if interrupted.
  void assemble() {
    checkpoint("assembling");
    check_input();
    part.reset();
    // From here on the output is the job's to rewrite (see open_output).
    if (!assembling) {
      const Json record = {{"e", "assembling"}};
      append(record);
      bool planned = true;
      apply(record, planned);
    }
    output->truncate(0);
    ::lseek(output->fd(), 0, SEEK_SET);
    std::string buffer, line, text;
    std::size_t written = 0;
    for (std::size_t k = 0; k < planned_parts; ++k) {
      if (o.request_options.cancellation.cancelled()) interrupted();
      const fs::path path = part_path(k);
      std::ifstream in(path, std::ios::binary);
      if (!in) throw BatchJobException(errno_text("cannot open", path));
      std::unordered_map<std::string, std::pair<std::uint64_t, std::size_t>> where;
      const std::uint64_t good = part_good[k];
      std::uint64_t at = 0;
      while (at < good && std::getline(in, line)) {
        const Json j = Json::parse(line, nullptr, false);
        const auto id = j.is_object() ? j.find("custom_id") : j.end();
        if (id == j.end() || !id->is_string()) {
          throw BatchJobException(path.string() + " has a line that is not a result");
        }
        if (!where.emplace(id->get<std::string>(), std::make_pair(at, line.size())).second) {
          throw BatchJobException(path.string() + " has two results for custom_id \"" +
                                  id->get<std::string>() + "\"");
        }
        at += line.size() + 1;
      }
      in.clear();
      LineReader reader(o.input, chunks[k].offset, chunks[k].end);
      std::size_t found = 0;
      while (reader.next(line)) {
        const std::string id = parse_input_line(line).custom_id;
        const auto it = where.find(id);
        if (it == where.end()) {
          throw BatchJobException(path.string() + " has no result for custom_id \"" + id +
                                  "\"; it was changed outside the job");
        }
        text.resize(it->second.second);
        in.seekg(static_cast<std::streamoff>(it->second.first));
        if (!in.read(text.data(), static_cast<std::streamsize>(text.size()))) {
          throw BatchJobException("cannot read " + path.string() +
                                  ": it is shorter than the "
                                  "journal says");
        }
        buffer += text;
        buffer += '\n';
        ++found;
        if (buffer.size() >= (1u << 20)) {
          output->write_all(buffer);
          buffer.clear();
        }
      }
      if (found != where.size()) {
        throw BatchJobException(path.string() + " has results for custom ids not in its part");
      }
      written += found;
    }
    output->write_all(buffer);
    output->sync();
    const Json record = {{"e", "assembled"}, {"output_bytes", output->size()}};
    append(record);
    bool planned = true;
    apply(record, planned);
    checkpoint("assembled");
    report("assembled",
           "wrote " + std::to_string(written) + " results in input order to " + o.output.string());
  }

  // --- submitting ------------------------------------------------------------------------------

  RequestOptions call() const { return o.request_options; }

  void wait(std::chrono::milliseconds d) {
    if (o.request_options.cancellation.wait_for(d)) interrupted();
  }

  std::chrono::milliseconds backoff() const {
    auto d = std::chrono::milliseconds(500) * (1 << std::min(failures, 7));
    return std::min<std::chrono::milliseconds>(d, o.max_rate_limit_wait);
  }

  void transient_failure(const std::string& what) {
    if (++failures > kMaxConsecutiveFailures) {
      throw BatchJobException("giving up after " + std::to_string(kMaxConsecutiveFailures) +
                              " failures in a row; the job can be resumed: " + what);
    }
  }

  void submit(std::size_t index) {
    Chunk& c = chunks[index];
    if (c.file.empty()) check_input();
    c.intent_at_ms = unix_ms(std::chrono::system_clock::now());
    append({{"e", "intent"}, {"chunk", index}, {"at", *c.intent_at_ms}});
    checkpoint("intent");
    LineReader reader(chunk_path(c), c.offset, c.end);
    std::string line;
    auto next = [&](std::string& id, std::string& params) {
      if (!reader.next(line)) return false;
      ParsedLine parsed = parse_input_line(line);
      id = std::move(parsed.custom_id);
      params = std::move(parsed.params);
      return true;
    };
    MessageBatch batch;
    try {
      batch = backend.create(next, o.max_bytes_per_batch, o);
    } catch (const AnthropicServiceException& e) {
      // A gateway timeout or a server error may come after the batch was stored: look for it.
      // An overload (529), a rate limit or a refusal means no batch was created.
      if (e.status_code() >= 500 && e.status_code() != 529) return lost_create(index, e.what());
      append({{"e", "no_batch"}, {"chunk", index}});
      c.intent_at_ms.reset();
      if (!is_transient(e)) throw;
      transient_failure(e.what());
      const auto wait_for = std::min(e.retry_after().value_or(backoff()), o.max_rate_limit_wait);
      report("rate_limited", std::string("create refused (") + std::to_string(e.status_code()) +
                                 "); trying again in " + std::to_string(wait_for.count()) + " ms");
      wait(wait_for);
      return;
    } catch (const AnthropicIoException& e) {
      if (e.may_have_reached_server()) {
        if (o.request_options.cancellation.cancelled()) interrupted();  // resolved on restart
        return lost_create(index, e.what());
      }
      append({{"e", "no_batch"}, {"chunk", index}});
      c.intent_at_ms.reset();
      if (o.request_options.cancellation.cancelled()) interrupted();
      transient_failure(e.what());
      wait(backoff());
      return;
    }
    checkpoint("sent");
    record_created(index, batch.id, false);
  }

  void record_created(std::size_t index, const std::string& id, bool adopted) {
    Chunk& c = chunks[index];
    append({{"e", "created"}, {"chunk", index}, {"batch", id}, {"adopted", adopted}});
    c.batch_id = id;
    c.adopted = adopted;
    totals.batch_ids.push_back(id);
    ++totals.batches;
    failures = 0;
    checkpoint("created");
    report(adopted ? "adopted" : "created",
           (adopted ? "adopted " : "created ") + id + " (" + std::to_string(c.count) + " requests" +
               (c.attempt > 1 ? ", attempt " + std::to_string(c.attempt) : "") + ")");
  }

  void lost_create(std::size_t index, const std::string& what) {
    transient_failure(what);  // a create that keeps failing this way ends the job
    report("reconciling", "the answer to a create was lost (" + what + "); looking for the batch");
    reconcile(index);
  }

  // The batches that may be the answer to the lost create of chunk `index`: created since its
  // intent (less the clock skew), of its size, and not already this job's or disowned by it.
  std::vector<MessageBatch> candidates(std::size_t index) {
    const Chunk& c = chunks[index];
    const std::int64_t since = *c.intent_at_ms - o.clock_skew.count();
    std::unordered_set<std::string> known(totals.batch_ids.begin(), totals.batch_ids.end());
    std::vector<MessageBatch> found;
    MessageBatchListParams params;
    params.limit = 100;
    params.betas = o.betas;
    params.workspace_id = o.workspace_id;
    BatchListPage page = backend.list(params, call());
    for (bool more = true; more;) {
      for (const auto& b : page.data) {
        if (!b.created_at.valid() || unix_ms(b.created_at.time_point()) < since) {
          more = false;  // newest first: the rest are older still
          break;
        }
        if (known.count(b.id) || disowned.count(b.id) ||
            b.request_counts.total() != static_cast<std::int64_t>(c.count)) {
          continue;
        }
        found.push_back(b);
      }
      if (more && page.has_next_page()) {
        page = page.next_page();
      } else {
        more = false;
      }
    }
    return found;
  }

  // The create of chunk `index` was (perhaps) sent and its answer is unknown: find the batch.
  // None is taken to mean "never created" only once `lost_create_settle` has passed since the
  // intent (a gateway timeout may come before the API stored the batch). An adopted batch is
  // checked against the chunk's custom ids when it is collected (see collect).
  void reconcile(std::size_t index) {
    for (;;) {
      std::vector<MessageBatch> found;
      try {
        found = candidates(index);
      } catch (const AnthropicCancelledException&) {
        interrupted();
      } catch (const AnthropicServiceException& e) {
        if (!is_transient(e)) throw;
        transient_failure(e.what());
        wait(backoff());
        continue;
      } catch (const AnthropicIoException& e) {
        if (o.request_options.cancellation.cancelled()) interrupted();
        transient_failure(e.what());
        wait(backoff());
        continue;
      }
      Chunk& c = chunks[index];
      if (found.size() == 1) return record_created(index, found.front().id, true);
      if (found.size() > 1) {
        std::string ids;
        for (const auto& b : found) ids += " " + b.id + " (created " + b.created_at.str() + ")";
        throw BatchJobException(
            "a create of " + std::to_string(c.count) +
            " requests was sent and its answer lost, "
            "and " +
            std::to_string(found.size()) + " batches of that size were created since:" + ids +
            ". Look at their results (anthropic-batch results ID) to see which one holds "
            "this job's custom ids; delete the others once they end (a canceled batch is still "
            "listed), or start the job again with a new state directory");
      }
      const std::int64_t settled_at = *c.intent_at_ms + o.lost_create_settle.count();
      const std::int64_t now = unix_ms(std::chrono::system_clock::now());
      if (now < settled_at) {
        wait(std::min(std::max(o.poll_interval, std::chrono::milliseconds(100)),
                      std::chrono::milliseconds(settled_at - now)));
        continue;
      }
      // Nothing appeared: the create never reached the API.
      append({{"e", "no_batch"}, {"chunk", index}});
      c.intent_at_ms.reset();
      report("reconciled",
             "no batch was created for part " + std::to_string(index) + "; it will be sent again");
      return;
    }
  }

  // --- following and collecting ------------------------------------------------------------------

  // Polls the in-flight batches; collects the ended ones. Returns whether one was collected.
  // A round with failures counts once toward giving up; any success resets the count.
  bool poll() {
    bool collected = false;
    std::optional<std::string> failed;
    // With an async service, every batch in flight is retrieved at once; the answers are then
    // taken in the chunks' order, as the blocking retrieves would have been.
    std::map<std::size_t, std::future<MessageBatch>> polls;
    // When the round's answers were asked for: an answer read after earlier chunks were
    // collected (which can take long) is judged by that time, not by the time it is read.
    const auto asked_at = std::chrono::system_clock::now();
    if (backend.retrieve_all) {
      std::vector<std::string> ids;
      std::vector<std::size_t> of;
      for (std::size_t i = 0; i < chunks.size(); ++i) {
        if (!chunks[i].batch_id || chunks[i].collected || chunks[i].collecting) continue;
        ids.push_back(*chunks[i].batch_id);
        of.push_back(i);
      }
      if (ids.size() > 1) {
        // Not recorded into `response_into`: these complete on the client's I/O thread, and
        // may do so after this round (an error ends it early) while the caller reads it.
        RequestOptions quiet = call();
        quiet.response_into = nullptr;
        auto futures = backend.retrieve_all(ids, o, quiet);
        for (std::size_t k = 0; k < of.size() && k < futures.size(); ++k) {
          polls.emplace(of[k], std::move(futures[k]));
        }
      }
    }
    for (std::size_t i = 0; i < chunks.size(); ++i) {
      if (!chunks[i].batch_id || chunks[i].collected) continue;
      try {
        if (!chunks[i].collecting) {
          auto polled = polls.find(i);
          const bool asked_before = polled != polls.end();
          MessageBatch b = asked_before ? polled->second.get()
                                        : backend.retrieve(*chunks[i].batch_id, o, call());
          failures = 0;
          checkpoint("polled");
          if (b.processing_status != ProcessingStatus::ended) {
            check_not_stuck(b, asked_before ? asked_at : std::chrono::system_clock::now());
            continue;
          }
        }
        collected = collect(i) || collected;
        failures = 0;
      } catch (const AnthropicCancelledException&) {
        interrupted();
      } catch (const AnthropicServiceException& e) {
        if (!is_transient(e)) throw;
        sink(chunks[i]).truncate(good_of(chunks[i]));
        failed = e.what();
      } catch (const AnthropicIoException& e) {
        if (o.request_options.cancellation.cancelled()) interrupted();
        sink(chunks[i]).truncate(good_of(chunks[i]));
        failed = e.what();
      }
    }
    if (failed) {
      transient_failure(*failed);
      report("poll_failed", *failed);
    }
    return collected;
  }

  // `b` was asked for at `asked_at`.
  void check_not_stuck(const MessageBatch& b,
                       std::chrono::system_clock::time_point asked_at) const {
    if (!b.expires_at.valid()) return;
    if (asked_at > b.expires_at.time_point() + kPastExpiry) {
      throw BatchJobException("batch " + b.id + " is still " + b.processing_status.str() +
                              " more than an hour after it expired (" + b.expires_at.str() +
                              "); the job stops rather than wait for ever. Check it with "
                              "anthropic-batch status " +
                              b.id + ", then run the job again");
    }
  }

  // Appends the final results of chunk `index` to the output; false when the chunk's adopted
  // batch turned out to be another job's (it is disowned and the chunk will be sent).
  bool collect(std::size_t index) {
    Chunk& c = chunks[index];
    const std::string batch_id = *c.batch_id;  // `c` moves when a re-submission is planned
    // An adopted batch must hold exactly this chunk's custom ids (8 bytes each are kept).
    std::unordered_set<std::uint64_t> expected;
    if (c.adopted) {
      if (c.file.empty()) check_input();
      LineReader reader(chunk_path(c), c.offset, c.end);
      std::string l;
      while (reader.next(l)) expected.insert(hash64(parse_input_line(l).custom_id));
    }
    File& sink_file = sink(c);
    const std::uint64_t good = good_of(c);
    append({{"e", "collecting"}, {"chunk", index}, {"output_bytes", good}});
    c.collecting = true;
    checkpoint("collecting");
    ::lseek(sink_file.fd(), static_cast<off_t>(good), SEEK_SET);
    std::unordered_set<std::string> retry_ids;
    std::unordered_set<std::uint64_t> seen;
    std::size_t succeeded = 0, errored = 0, canceled = 0, expired = 0, lines = 0;
    std::int64_t input_tokens = 0, output_tokens = 0;
    std::string buffer;
    auto next = backend.results(*c.batch_id, o);
    while (auto raw = next()) {
      ++lines;
      Json line = Json::parse(*raw, nullptr, false);
      const Json* id = line.is_object() ? &line["custom_id"] : nullptr;
      const Json* result = line.is_object() ? &line["result"] : nullptr;
      if (!id || !id->is_string() || !result->is_object() || !(*result)["type"].is_string()) {
        throw AnthropicInvalidDataException("results line " + std::to_string(lines) + " of " +
                                            *c.batch_id + " is not a result");
      }
      const std::string& custom_id = id->get_ref<const std::string&>();
      if (c.adopted && !expected.count(hash64(custom_id))) {
        sink_file.truncate(good);
        append({{"e", "disowned"}, {"chunk", index}, {"batch", batch_id}});
        bool planned = true;
        apply({{"e", "disowned"}, {"chunk", index}}, planned);
        report("disowned", "batch " + batch_id + " (adopted for part " + std::to_string(index) +
                               ") holds custom id \"" + custom_id +
                               "\", which is not in that part: it is another job's; the part "
                               "will be sent");
        return false;
      }
      if (!seen.insert(hash64(custom_id)).second) {
        throw AnthropicInvalidDataException("batch " + *c.batch_id + " returned custom_id \"" +
                                            custom_id + "\" twice");
      }
      const std::string type = (*result)["type"].get<std::string>();
      const bool retry =
          c.attempt < o.max_attempts &&
          std::any_of(o.retry.begin(), o.retry.end(),
                      [&](const MessageBatchResultType& t) { return t.str() == type; });
      if (retry) {
        retry_ids.insert(custom_id);
      } else {
        if (type == "succeeded") {
          ++succeeded;
          const Json& usage = (*result)["message"]["usage"];
          if (usage.is_object()) {
            if (usage["input_tokens"].is_number_integer()) {
              input_tokens += usage["input_tokens"].get<std::int64_t>();
            }
            if (usage["output_tokens"].is_number_integer()) {
              output_tokens += usage["output_tokens"].get<std::int64_t>();
            }
          }
        } else if (type == "errored") {
          ++errored;
        } else if (type == "canceled") {
          ++canceled;
        } else {
          ++expired;  // "expired", and any later type: final, kept verbatim
        }
        buffer += *raw;
        buffer += '\n';
        if (buffer.size() >= (1u << 20)) {
          sink_file.write_all(buffer);
          buffer.clear();
        }
      }
      checkpoint("result");
    }
    if (lines != c.count) {
      throw AnthropicInvalidDataException("batch " + *c.batch_id + " returned " +
                                          std::to_string(lines) + " results for " +
                                          std::to_string(c.count) + " requests");
    }
    sink_file.write_all(buffer);
    sink_file.sync();
    const std::uint64_t now_bytes =
        static_cast<std::uint64_t>(::lseek(sink_file.fd(), 0, SEEK_CUR));

    Json retry = nullptr;
    if (!retry_ids.empty()) {
      if (c.file.empty()) check_input();
      const std::size_t next_index = chunks.size();
      const std::string name = "retry-" + std::to_string(next_index) + ".jsonl";
      const fs::path tmp = o.state_dir / (name + ".tmp");
      File f(tmp, O_WRONLY | O_CREAT | O_TRUNC, "create");
      LineReader reader(chunk_path(c), c.offset, c.end);
      std::string l, out;
      std::size_t copied = 0;
      while (reader.next(l)) {
        if (!retry_ids.count(parse_input_line(l).custom_id)) continue;
        out += l;
        out += '\n';
        ++copied;
        if (out.size() >= (1u << 20)) {
          f.write_all(out);
          out.clear();
        }
      }
      f.write_all(out);
      f.sync();
      const std::uint64_t bytes = f.size();
      if (copied != retry_ids.size()) {
        throw AnthropicInvalidDataException("batch " + *c.batch_id +
                                            " returned custom ids that are not in its requests");
      }
      fs::rename(tmp, o.state_dir / name);
      sync_dir(o.state_dir);
      retry = {{"file", name}, {"bytes", bytes}, {"count", copied}};
    }
    Json record = {{"e", "collected"},
                   {"chunk", index},
                   {"output_bytes", now_bytes},
                   {"succeeded", succeeded},
                   {"errored", errored},
                   {"canceled", canceled},
                   {"expired", expired},
                   {"input_tokens", input_tokens},
                   {"output_tokens", output_tokens},
                   {"retry", retry}};
    append(record);
    bool planned = true;
    apply(record, planned);
    checkpoint("collected");
    report("collected",
           "collected " + batch_id + ": " + std::to_string(succeeded) + " succeeded, " +
               std::to_string(errored) + " errored, " + std::to_string(canceled) + " canceled, " +
               std::to_string(expired) + " expired" +
               (retry_ids.empty() ? std::string()
                                  : ", " + std::to_string(retry_ids.size()) + " to send again"));
    return true;
  }

  std::vector<std::string> cancel_in_flight() {
    RequestOptions uncancellable = o.request_options;
    uncancellable.cancellation = CancellationToken();
    std::vector<std::string> canceled;
    for (const auto& c : chunks) {
      if (!c.batch_id || c.collected) continue;
      try {
        backend.cancel(*c.batch_id, o, uncancellable);
        canceled.push_back(*c.batch_id);
        report("canceled", "asked to cancel " + *c.batch_id);
      } catch (const AnthropicException& e) {
        report("cancel_failed", *c.batch_id + ": " + e.what());
      }
    }
    return canceled;
  }

  [[noreturn]] void interrupted() {
    if (o.on_interrupt == BatchJobInterrupt::cancel) cancel_in_flight();
    throw AnthropicCancelledException("the batch job was interrupted; run it again to resume",
                                      false);
  }

  BatchJobSummary run() {
    if (o.max_requests_per_batch == 0 || o.max_requests_per_batch > 100000 ||
        o.max_in_flight == 0 || o.max_attempts < 1) {
      throw AnthropicInvalidRequestException(
          "BatchJobOptions: max_requests_per_batch must be 1 to 100000, max_in_flight at least "
          "1 and max_attempts at least 1");
    }
    std::error_code ec;
    fs::create_directories(o.state_dir, ec);
    if (ec) throw BatchJobException("cannot create " + o.state_dir.string() + ": " + ec.message());
    lock = File(o.state_dir / "lock", O_RDWR | O_CREAT, "open");
    if (::flock(lock.fd(), LOCK_EX | LOCK_NB) != 0) {
      throw BatchJobException("the state directory " + o.state_dir.string() +
                              " is in use by another run of this job");
    }
    const bool resumed = load();
    if (!resumed) {
      Json job = plan();
      open_output(/*fresh=*/true);
      append(job);
      bool planned = false;
      apply(job, planned);
    } else {
      open_output(/*fresh=*/false);
    }
    checkpoint("validated");
    report("validated", std::to_string(requests) + " requests in " + std::to_string(chunks.size()) +
                            " batches" + (resumed ? " (resumed)" : ""));

    // A create sent by an earlier run whose answer was never recorded.
    for (std::size_t i = 0; i < chunks.size(); ++i) {
      if (chunks[i].intent_at_ms && !chunks[i].batch_id) reconcile(i);
    }
    for (;;) {
      if (o.request_options.cancellation.cancelled()) interrupted();
      std::size_t in_flight = 0;
      for (const auto& c : chunks) in_flight += (c.batch_id && !c.collected) ? 1 : 0;
      for (std::size_t i = 0; i < chunks.size() && in_flight < o.max_in_flight; ++i) {
        if (chunks[i].batch_id) continue;
        submit(i);
        if (chunks[i].batch_id) ++in_flight;
        if (o.request_options.cancellation.cancelled()) interrupted();
      }
      const bool progressed = poll();
      const bool done =
          std::all_of(chunks.begin(), chunks.end(), [](const Chunk& c) { return c.collected; });
      if (done) break;
      if (!progressed) {
        report("polled", "waiting for batches to end");
        wait(failures > 0 ? std::max(o.poll_interval, backoff()) : o.poll_interval);
      }
    }
    if (o.ordered) {
      if (!assembled) assemble();
      // The output holds them all now (also when a run was killed before this).
      std::error_code removed;
      fs::remove_all(o.state_dir / "parts", removed);
      if (removed) report("cleanup_failed", "cannot delete " + (o.state_dir / "parts").string());
    }
    report("done", std::to_string(totals.succeeded) + " succeeded, " +
                       std::to_string(totals.errored) + " errored, " +
                       std::to_string(totals.canceled) + " canceled, " +
                       std::to_string(totals.expired) + " expired, in " +
                       std::to_string(totals.batches) + " batches");
    return totals;
  }
};

BatchJob::BatchJob(internal::BatchJobBackend backend, BatchJobOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->backend = std::move(backend);
  impl_->o = std::move(options);
}
BatchJob::BatchJob(BatchJob&&) noexcept = default;
BatchJob& BatchJob::operator=(BatchJob&&) noexcept = default;
BatchJob::~BatchJob() = default;

BatchJobSummary BatchJob::run() { return impl_->run(); }

std::vector<std::string> BatchJob::cancel_in_flight() { return impl_->cancel_in_flight(); }

}  // namespace anthropic::messages
