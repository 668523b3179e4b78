// Batch jobs (`anthropic::messages::BatchJob`) against the in-process emulator over real HTTP:
// splitting, collecting every custom_id exactly once, bad input creating nothing, re-submitting
// expired requests, 429s on create, and resuming after a crash at every step the job journals.

#include <anthropic/anthropic.hpp>
#include <anthropic/emulator/emulator.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include "support/sanitizers.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace am = anthropic::messages;
namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::milliseconds;

std::string request_line(const std::string& id, const std::string& extra_params = "") {
  return R"({"custom_id":")" + id +
         R"(","params":{"model":"claude-test","max_tokens":16,"messages":[{"role":"user","content":"q )" +
         id + "\"}]" + extra_params + "}}";
}

/// Thrown by a checkpoint to stop a run where a crash would: the state on disk is all that is left.
struct Crash {};

/// Someone else's batch of the same size created in the 5 minutes before the job's intent.
std::string create_foreign_batch(am::BatchService& service, int n) {
  am::MessageBatchCreateParams other;
  for (int i = 0; i < n; ++i) {
    am::MessageBatchCreateParams::Request r;
    r.custom_id = "other-" + std::to_string(i);
    r.params.model = "claude-test";
    r.params.max_tokens = 8;
    r.params.messages.push_back(anthropic::MessageParam::user("x"));
    other.requests.push_back(r);
  }
  return service.create(other).id;
}

class BatchJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("anthropic-job-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (emulator_) emulator_->stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void start_emulator(anthropic::emulator::EmulatorOptions options = {}) {
    if (options.processing_time == anthropic::emulator::EmulatorOptions{}.processing_time) {
      options.processing_time = milliseconds(100);
    }
    emulator_ = std::make_unique<anthropic::emulator::Emulator>(options);
    emulator_->start();
    anthropic::ClientOptions o;
    o.base_url = emulator_->base_url();
    o.api_key = "sk-ant-emulator";
    o.max_retries = 0;  // the job's own handling of failures is what is tested
    client_ = std::make_unique<anthropic::Client>(o);
  }

  std::string write_input(std::size_t n, const std::string& name = "in.jsonl") {
    std::ofstream out(dir_ / name, std::ios::binary);
    for (std::size_t i = 0; i < n; ++i) out << request_line("r-" + std::to_string(i)) << "\n";
    return (dir_ / name).string();
  }

  am::BatchJobOptions options(const std::string& input) {
    am::BatchJobOptions o;
    o.input = input;
    o.output = dir_ / "out.jsonl";
    o.state_dir = dir_ / "state";
    o.poll_interval = milliseconds(20);
    o.lost_create_settle = milliseconds(300);
    o.max_rate_limit_wait = milliseconds(50);  // caps the backoff between failed attempts
    return o;
  }

  /// Runs the job until its `nth` arrival at checkpoint `point`, where it "crashes"; returns
  /// whether it got there. `o.on_checkpoint` is left unset.
  bool run_until_crash(am::BatchJobOptions& o, const std::string& point, int nth = 1) {
    int seen = 0;
    bool crashed = false;
    o.on_checkpoint = [&](std::string_view at) {
      if (at == point && ++seen == nth) {
        crashed = true;
        throw Crash{};
      }
    };
    try {
      am::BatchJob(client_->messages().batches(), o).run();
    } catch (const Crash&) {
    }
    o.on_checkpoint = nullptr;
    return crashed;
  }

  /// custom_id → result type, failing on a duplicate or a line that is not a result.
  std::map<std::string, std::string> read_output() {
    std::map<std::string, std::string> seen;
    std::ifstream in(dir_ / "out.jsonl", std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
      // The emulator writes custom_id and result.type first: read them without a full parse
      // (250,000 lines in a sanitizer build), and parse any other line.
      static const std::string kId = R"({"custom_id":")", kType = R"(","result":{"type":")";
      const auto id_end = line.find('"', kId.size());
      if (line.compare(0, kId.size(), kId) == 0 && id_end != std::string::npos &&
          line.compare(id_end, kType.size(), kType) == 0) {
        const auto type_start = id_end + kType.size();
        auto [it, inserted] =
            seen.emplace(line.substr(kId.size(), id_end - kId.size()),
                         line.substr(type_start, line.find('"', type_start) - type_start));
        EXPECT_TRUE(inserted) << "custom_id " << it->first << " is in the output twice";
        continue;
      }
      json j = json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.contains("custom_id")) {
        ADD_FAILURE() << "not a results line: " << line;
        continue;
      }
      auto [it, inserted] =
          seen.emplace(j["custom_id"].get<std::string>(), j["result"]["type"].get<std::string>());
      EXPECT_TRUE(inserted) << "custom_id " << it->first << " is in the output twice";
    }
    return seen;
  }

  fs::path dir_;
  std::unique_ptr<anthropic::emulator::Emulator> emulator_;
  std::unique_ptr<anthropic::Client> client_;
};

TEST_F(BatchJobTest, AJobLargerThanOneBatchIsSplitAndEveryCustomIdComesBackOnce) {
  start_emulator();
  auto o = options("");
#ifndef ANTHROPIC_UNDER_SANITIZER
  // The default limit, the API's own: 100,000 requests per batch.
  constexpr std::size_t kRequests = 250000;
  ASSERT_EQ(o.max_requests_per_batch, 100000u);
#else
  // The same split at a tenth of the size: instrumented, the full size takes minutes (the
  // uninstrumented build runs it at full size).
  constexpr std::size_t kRequests = 25000;
  o.max_requests_per_batch = 10000;
#endif
  o.input = write_input(kRequests);
  std::vector<std::string> events;
  o.on_progress = [&](const am::BatchJobProgress& p) {
    if (p.event != "polled") events.push_back(p.event);
  };
  am::BatchJobSummary sum = am::BatchJob(client_->messages().batches(), o).run();
  EXPECT_EQ(sum.requests, kRequests);
  EXPECT_EQ(sum.succeeded, kRequests);
  EXPECT_EQ(sum.batches, 3u);  // 2 full batches + a half one
  EXPECT_EQ(emulator_->batch_count(), 3u);
  EXPECT_GT(sum.input_tokens, 0);
  EXPECT_GT(sum.output_tokens, 0);
  auto out = read_output();
  EXPECT_EQ(out.size(), kRequests);
  EXPECT_EQ(out.count("r-0"), 1u);
  EXPECT_EQ(out.count("r-" + std::to_string(kRequests - 1)), 1u);
  EXPECT_EQ(std::count(events.begin(), events.end(), "created"), 3);
  EXPECT_EQ(std::count(events.begin(), events.end(), "collected"), 3);
  EXPECT_EQ(events.back(), "done");
}

TEST_F(BatchJobTest, TheLimitsSplitByCountAndBytesOnTheBetaServiceToo) {
  start_emulator();
  auto o = options(write_input(50));
  o.max_requests_per_batch = 7;
  am::BatchJobSummary by_count = am::BatchJob(client_->beta().messages().batches(), o).run();
  EXPECT_EQ(by_count.batches, 8u);  // 7 × 7 + 1
  EXPECT_EQ(read_output().size(), 50u);

  fs::remove_all(dir_ / "state");
  fs::remove(dir_ / "out.jsonl");
  o = options(write_input(50));
  // Each request is about 130 bytes in the body: 1 KiB holds 7 of them.
  o.max_bytes_per_batch = 1024;
  am::BatchJobSummary by_bytes = am::BatchJob(client_->messages().batches(), o).run();
  EXPECT_GE(by_bytes.batches, 6u);
  EXPECT_EQ(read_output().size(), 50u);
  EXPECT_EQ(emulator_->batch_count(), by_count.batches + by_bytes.batches);
}

TEST_F(BatchJobTest, ABadLineStopsTheJobBeforeAnythingIsSentAndNamesFileAndLine) {
  start_emulator();
  const std::string good = request_line("a") + "\n" + request_line("b") + "\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {good + "{not json\n", ":3: malformed JSON"},
      {good + "\n" + request_line("a") + "\n",
       ":4: duplicate custom_id \"a\" (first used on line 1)"},
      {good + R"({"custom_id":"c","params":{},"metadata":{}})" + "\n",
       ":3: metadata: Extra inputs are not permitted"},
      {good + R"({"custom_id":"c","params":{},"":1})" + "\n",
       ":3: : Extra inputs are not permitted"},
      {good + R"({"custom_id":"c","params":{"model":"m","messages":[]}})" + "\n",
       ":3: requests[0].params: `max_tokens` is missing"},
      {good + R"({"custom_id":"bad id","params":{"model":"m"}})" + "\n", ":3: "},
      {good + R"({"custom_id":"c","params":[]})" + "\n", ":3: params: Field required"},
      {good + request_line("c", R"(,"temperature":0.5)") + "\n", ":3: "},
  };
  for (const auto& [content, expected] : cases) {
    SCOPED_TRACE(expected);
    fs::remove_all(dir_ / "state");
    std::ofstream(dir_ / "bad.jsonl", std::ios::binary) << content;
    auto o = options((dir_ / "bad.jsonl").string());
    o.max_requests_per_batch = 1;  // a duplicate across batches is still found
    try {
      am::BatchJob(client_->messages().batches(), o).run();
      ADD_FAILURE() << "accepted";
    } catch (const anthropic::AnthropicInvalidRequestException& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find((dir_ / "bad.jsonl").string() + expected), std::string::npos) << what;
    }
  }
  EXPECT_EQ(emulator_->stats().requests, 0u);  // not one call
  EXPECT_EQ(emulator_->batch_count(), 0u);
}

TEST_F(BatchJobTest, ExpiredRequestsAreSentAgainAndTheOutputKeepsTheFinalOutcome) {
  anthropic::emulator::EmulatorOptions eo;
  eo.processing_time = milliseconds(200);
  eo.expiry_after = milliseconds(60);  // each batch ends with about 70 % expired
  start_emulator(eo);
  auto o = options(write_input(20));
  o.max_attempts = 3;
  am::BatchJobSummary sum = am::BatchJob(client_->messages().batches(), o).run();
  EXPECT_EQ(sum.batches, 3u);  // the first attempt, then two re-submissions
  EXPECT_GT(sum.resubmitted, 0u);
  EXPECT_GT(sum.expired, 0u);
  EXPECT_EQ(sum.succeeded + sum.expired, 20u);
  auto out = read_output();
  ASSERT_EQ(out.size(), 20u);
  std::size_t succeeded = 0;
  for (const auto& [id, type] : out) succeeded += type == "succeeded";
  EXPECT_EQ(succeeded, sum.succeeded);
  // More succeeded than the first attempt alone could give (request i of 20 completes at
  // (i + 1) × 10 ms, so at most 6 before the 60 ms expiry).
  EXPECT_GT(sum.succeeded, 6u);
}

TEST_F(BatchJobTest, ErroredRequestsAreFinalUnlessAskedFor) {
  start_emulator();
  std::ofstream(dir_ / "in.jsonl", std::ios::binary)
      << request_line("ok") << "\n"
      << R"({"custom_id":"no-max","params":{"model":"claude-test","max_tokens":0,"messages":[{"role":"user","content":"x"}]}})"
      << "\n";
  auto o = options((dir_ / "in.jsonl").string());
  am::BatchJobSummary once = am::BatchJob(client_->messages().batches(), o).run();
  EXPECT_EQ(once.batches, 1u);
  EXPECT_EQ(once.errored, 1u);

  fs::remove_all(dir_ / "state");
  fs::remove(dir_ / "out.jsonl");
  o.retry = {am::MessageBatchResultType::errored};
  o.max_attempts = 2;
  am::BatchJobSummary twice = am::BatchJob(client_->messages().batches(), o).run();
  EXPECT_EQ(twice.batches, 2u);  // the errored one was sent once more, and errored again
  EXPECT_EQ(twice.resubmitted, 1u);
  EXPECT_EQ(twice.errored, 1u);
  EXPECT_EQ(read_output().at("no-max"), "errored");
}

TEST_F(BatchJobTest, RateLimitsOnCreateAndPollsAreWaitedOutWithoutADuplicateBatch) {
  anthropic::emulator::EmulatorOptions eo;
  eo.fault_rate = 0.3;
  eo.fault_statuses = {429};
  eo.fault_retry_after_ms = milliseconds(5);
  start_emulator(eo);
  emulator_->queue_faults({429, 429, 429});  // the first create is refused three times
  auto o = options(write_input(40));
  o.max_requests_per_batch = 10;
  std::size_t rate_limited = 0;
  o.on_progress = [&](const am::BatchJobProgress& p) { rate_limited += p.event == "rate_limited"; };
  am::BatchJobSummary sum = am::BatchJob(client_->messages().batches(), o).run();
  EXPECT_GE(rate_limited, 3u);
  EXPECT_EQ(sum.batches, 4u);
  EXPECT_EQ(emulator_->batch_count(), 4u);
  EXPECT_EQ(read_output().size(), 40u);
  EXPECT_GT(emulator_->stats().faults, 3u);
}

// A crash at each step the job takes, then the same job again: it finishes with no batch created
// twice and every custom_id once. "sent" is the window between a create's answer and its journal
// record: the restart finds that batch by its size and time, and adopts it.
TEST_F(BatchJobTest, ACrashAtAnyStepResumesWithoutADuplicateBatchOrResult) {
  const std::string input = write_input(30);
  const std::vector<std::pair<std::string, int>> points = {
      {"validated", 1}, {"intent", 1},  {"sent", 1},      {"created", 2},
      {"intent", 3},    {"sent", 3},    {"polled", 2},    {"collecting", 1},
      {"result", 7},    {"result", 25}, {"collected", 1}, {"collected", 3}};
  for (const auto& [point, nth] : points) {
    SCOPED_TRACE(point + " #" + std::to_string(nth));
    // A fresh emulator: the last round's batches (same size and custom ids, just created) would
    // make a lost create ambiguous, which the job rightly refuses to guess.
    if (emulator_) emulator_->stop();
    start_emulator();
    fs::remove_all(dir_ / "state");
    fs::remove(dir_ / "out.jsonl");
    auto o = options(input);
    o.max_requests_per_batch = 10;
    o.max_in_flight = 2;
    ASSERT_TRUE(run_until_crash(o, point, nth));
    std::vector<std::string> events;
    o.on_progress = [&](const am::BatchJobProgress& p) { events.push_back(p.event); };
    am::BatchJobSummary sum = am::BatchJob(client_->messages().batches(), o).run();
    EXPECT_EQ(sum.batches, 3u);
    EXPECT_EQ(emulator_->batch_count(), 3u) << "a part was created twice";
    EXPECT_EQ(sum.succeeded, 30u);
    auto out = read_output();
    EXPECT_EQ(out.size(), 30u);
    if (point == "sent") {
      EXPECT_NE(std::find(events.begin(), events.end(), "adopted"), events.end());
    }
  }
}

// When the lost create cannot be told apart from another batch of the same size created in the
// same minutes, the job stops and names both instead of guessing.
TEST_F(BatchJobTest, ALostCreateMatchingTwoBatchesStopsAndNamesThem) {
  start_emulator();
  const std::string input = write_input(4);
  // Someone else's batch of the same size, created just before.
  const std::string other_id = create_foreign_batch(client_->messages().batches(), 4);
  auto o = options(input);
  ASSERT_TRUE(run_until_crash(o, "sent"));
  try {
    am::BatchJob(client_->messages().batches(), o).run();
    ADD_FAILURE() << "a lost create was matched although two batches fit";
  } catch (const am::BatchJobException& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(other_id), std::string::npos) << what;
    EXPECT_NE(what.find("2 batches of that size"), std::string::npos) << what;
  }
  EXPECT_EQ(emulator_->batch_count(), 2u);  // nothing more was created
}

TEST_F(BatchJobTest, AChangedInputOrASecondRunOnTheSameStateIsRefused) {
  start_emulator();
  const std::string input = write_input(5);
  auto o = options(input);
  ASSERT_TRUE(run_until_crash(o, "created"));
  { std::ofstream(input, std::ios::app) << request_line("late") << "\n"; }
  try {
    am::BatchJob(client_->messages().batches(), o).run();
    ADD_FAILURE() << "a changed input was accepted";
  } catch (const am::BatchJobException& e) {
    EXPECT_NE(std::string(e.what()).find("changed since this job began"), std::string::npos)
        << e.what();
  }
  // A new job refuses an output that already has results in it.
  auto fresh = options(write_input(5, "other.jsonl"));
  fresh.state_dir = dir_ / "state2";
  std::ofstream(fresh.output, std::ios::binary) << "{}\n";
  EXPECT_THROW(am::BatchJob(client_->messages().batches(), fresh).run(), am::BatchJobException);
}

TEST_F(BatchJobTest, CancellingLeavesOrCancelsTheBatchesAndTheJobResumes) {
  anthropic::emulator::EmulatorOptions eo;
  eo.processing_time = std::chrono::seconds(3);  // a canceled batch ends 0.75 s after the cancel
  start_emulator(eo);
  auto o = options(write_input(10));
  o.max_requests_per_batch = 5;
  anthropic::CancellationSource stop;
  o.request_options.cancellation = stop.token();
  o.on_interrupt = am::BatchJobInterrupt::cancel;
  std::vector<std::string> events;
  o.on_progress = [&](const am::BatchJobProgress& p) {
    events.push_back(p.event + ": " + p.message);
    if (p.event == "polled") stop.cancel();
  };
  EXPECT_THROW(am::BatchJob(client_->messages().batches(), o).run(),
               anthropic::AnthropicCancelledException);
  // Both batches were asked to cancel: they end (canceled) and the same job collects them.
  o.request_options.cancellation = {};
  o.on_progress = nullptr;
  am::BatchJobSummary sum = am::BatchJob(client_->messages().batches(), o).run();
  EXPECT_EQ(sum.batches, 2u);
  EXPECT_EQ(emulator_->batch_count(), 2u);
  EXPECT_GT(sum.canceled, 0u) << ::testing::PrintToString(events);  // done ones keep their result
  EXPECT_EQ(sum.canceled + sum.succeeded, 10u);
  EXPECT_EQ(read_output().size(), 10u);
}

/// The custom ids of the output's lines, in the file's order.
std::vector<std::string> output_ids(const fs::path& path) {
  std::vector<std::string> ids;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  while (std::getline(in, line)) ids.push_back(json::parse(line).at("custom_id"));
  return ids;
}

std::vector<std::string> input_ids(std::size_t n) {
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < n; ++i) ids.push_back("r-" + std::to_string(i));
  return ids;
}

// The emulator answers each batch's results shuffled, and re-sent (expired) requests come back
// in later batches: without `ordered` the output follows neither the input nor any one batch.
TEST_F(BatchJobTest, OrderedOutputFollowsTheInputAcrossPartsAndRetries) {
  anthropic::emulator::EmulatorOptions eo;
  eo.processing_time = milliseconds(200);
  eo.expiry_after = milliseconds(120);  // some of each batch expire and are sent again
  start_emulator(eo);
  const std::string input = write_input(40);
  auto plain = options(input);
  plain.max_requests_per_batch = 10;
  plain.max_attempts = 4;
  am::BatchJobSummary first = am::BatchJob(client_->messages().batches(), plain).run();
  EXPECT_GT(first.resubmitted, 0u);
  const auto unordered = output_ids(plain.output);
  ASSERT_EQ(unordered.size(), 40u);
  EXPECT_NE(unordered, input_ids(40)) << "the test needs results that come out of order";

  auto o = options(input);
  o.output = dir_ / "ordered.jsonl";
  o.state_dir = dir_ / "ordered-state";
  o.max_requests_per_batch = 10;
  o.max_attempts = 4;
  o.ordered = true;
  std::vector<std::string> events;
  o.on_progress = [&](const am::BatchJobProgress& p) { events.push_back(p.event); };
  am::BatchJobSummary sum = am::BatchJob(client_->messages().batches(), o).run();
  EXPECT_GT(sum.resubmitted, 0u);
  EXPECT_EQ(sum.succeeded + sum.expired, 40u);
  EXPECT_EQ(output_ids(o.output), input_ids(40));
  EXPECT_EQ(std::count(events.begin(), events.end(), "assembled"), 1);
  EXPECT_FALSE(fs::exists(o.state_dir / "parts")) << "the parts' results were left behind";

  // Run again, the finished job leaves the output as it is; another ordering is refused.
  const auto before = fs::file_size(o.output);
  am::BatchJob(client_->messages().batches(), o).run();
  EXPECT_EQ(fs::file_size(o.output), before);
  EXPECT_EQ(output_ids(o.output), input_ids(40));
  o.ordered = false;
  try {
    am::BatchJob(client_->messages().batches(), o).run();
    ADD_FAILURE() << "a job begun with ordered output was resumed without it";
  } catch (const am::BatchJobException& e) {
    EXPECT_NE(std::string(e.what()).find("--ordered"), std::string::npos) << e.what();
  }
}

TEST_F(BatchJobTest, AnOrderedJobCrashedWhileCollectingOrAssemblingResumesInOrder) {
  const std::string input = write_input(30);
  const std::vector<std::pair<std::string, int>> points = {{"collecting", 1}, {"result", 4},
                                                           {"collected", 1},  {"collecting", 3},
                                                           {"assembling", 1}, {"assembled", 1}};
  for (const auto& [point, nth] : points) {
    SCOPED_TRACE(point + " #" + std::to_string(nth));
    if (emulator_) emulator_->stop();
    start_emulator();
    fs::remove_all(dir_ / "state");
    fs::remove(dir_ / "out.jsonl");
    auto o = options(input);
    o.max_requests_per_batch = 10;
    o.max_in_flight = 3;
    o.ordered = true;
    ASSERT_TRUE(run_until_crash(o, point, nth));
    // Whatever the crash left in the output is not the answer yet.
    if (point != "assembled") {
      EXPECT_LT(output_ids(o.output).size(), 30u);
    }
    if (point == "collected") {
      // Before the job writes its output, a file at that path is someone else's: refused, kept.
      { std::ofstream(o.output, std::ios::binary) << "{\"custom_id\":\"mine\"}\n"; }
      EXPECT_THROW(am::BatchJob(client_->messages().batches(), o).run(), am::BatchJobException);
      EXPECT_EQ(output_ids(o.output), std::vector<std::string>{"mine"});
      fs::resize_file(o.output, 0);
    }
    am::BatchJobSummary sum = am::BatchJob(client_->messages().batches(), o).run();
    EXPECT_EQ(sum.batches, 3u);
    EXPECT_EQ(emulator_->batch_count(), 3u) << "a part was created twice";
    EXPECT_EQ(sum.succeeded, 30u);
    EXPECT_EQ(output_ids(o.output), input_ids(30));
    EXPECT_FALSE(fs::exists(o.state_dir / "parts")) << "the parts' results were left behind";
  }
}

// ---------------------------------------------------------------------------------------------
// From the review of the first version (each failed on b109d28).

// Promise 2/3: killed after the intent is journalled and BEFORE the create is sent (the most
// common place for a kill: the create of a large body takes the longest), the restart adopts an
// unrelated batch of the same size, writes ITS results to the output and never sends this part.
TEST_F(BatchJobTest, ReviewAForeignBatchOfTheSameSizeIsNotAdoptedForACreateNeverSent) {
  start_emulator();
  const std::string input = write_input(4);
  create_foreign_batch(client_->messages().batches(), 4);  // e.g. the user's previous job
  auto o = options(input);
  ASSERT_TRUE(run_until_crash(o, "intent"));  // killed before the create left
  try {
    am::BatchJob(client_->messages().batches(), o).run();
  } catch (const am::BatchJobException& e) {
    SUCCEED() << "refusing is acceptable: " << e.what();
    return;
  }
  auto out = read_output();
  EXPECT_EQ(out.count("r-0"), 1u) << "r-0 was never sent";
  EXPECT_EQ(out.count("other-0"), 0u) << "another job's results are in this job's output";
}

/// Wraps the real backend of the emulator so single calls can fail.
anthropic::internal::BatchJobBackend wrapped(am::BatchService& service) {
  return anthropic::internal::make_batch_job_backend(service);
}

anthropic::InternalServerException server_error(int status) {
  return anthropic::InternalServerException(
      status, anthropic::http::Headers{},
      R"({"type":"error","error":{"type":"api_error","message":"x"}})");
}

// Promise 5: `failures` is reset only by a create or a collect, never by a successful poll. A
// batch that runs for a while, polled through a server that fails one poll in two (never twice in
// a row), makes the job stop with "giving up after 10 failures in a row".
// An async connection that holds each retrieve until `round` of them are pending at once (or 2 s
// passed), then answers from the blocking service; later retrieves are answered at once. Polls
// made one after another would never have more than one pending.
class HeldRetrieves final : public am::BatchServiceAsyncConnection {
 public:
  HeldRetrieves(am::BatchService& blocking, std::size_t round)
      : blocking_(blocking), round_(round) {}
  ~HeldRetrieves() override {
    for (auto& t : threads_) t.join();
  }
  void retrieve(const am::MessageBatchRetrieveParams& params,
                const anthropic::RequestOptions& options,
                anthropic::AsyncCallback<am::MessageBatch> done) override {
    std::lock_guard<std::mutex> lock(mutex_);
    ++calls_;
    max_pending_ = std::max(max_pending_, ++pending_);
    cv_.notify_all();
    threads_.emplace_back([this, params, options, done] {
      {
        std::unique_lock<std::mutex> held(mutex_);
        cv_.wait_for(held, std::chrono::seconds(2),
                     [&] { return released_ || pending_ >= round_; });
        released_ = true;
      }
      std::promise<am::MessageBatch> answer;
      try {
        answer.set_value(blocking_.retrieve(params, options));
      } catch (...) {
        answer.set_exception(std::current_exception());
      }
      {
        std::lock_guard<std::mutex> held(mutex_);
        --pending_;
      }
      done(answer.get_future());
    });
  }
  std::size_t max_pending() {
    std::lock_guard<std::mutex> lock(mutex_);
    return max_pending_;
  }
  std::size_t calls() {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }

 private:
  am::BatchService& blocking_;
  std::size_t round_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::size_t pending_ = 0;
  std::size_t max_pending_ = 0;
  std::size_t calls_ = 0;
  bool released_ = false;
  std::vector<std::thread> threads_;
};

TEST_F(BatchJobTest, WithTheAsyncServiceTheBatchesInFlightArePolledAtOnce) {
  start_emulator();
  auto o = options(write_input(4));
  o.max_requests_per_batch = 1;  // four batches, all in flight at once (max_in_flight 4)
  ASSERT_GE(o.max_in_flight, 4u);
  auto held = std::make_shared<HeldRetrieves>(client_->messages().batches(), 4);
  am::BatchServiceAsync async(held);
  am::BatchJobSummary sum = am::BatchJob(client_->messages().batches(), async, o).run();
  EXPECT_EQ(sum.batches, 4u);
  EXPECT_EQ(sum.succeeded, 4u);
  EXPECT_EQ(read_output().size(), 4u);
  EXPECT_EQ(held->max_pending(), 4u);  // the first round: the four polls at once
  EXPECT_GE(held->calls(), 4u);
}

TEST_F(BatchJobTest, ReviewSporadicPollFailuresThatAreNeverInARowDoNotStopTheJob) {
  anthropic::emulator::EmulatorOptions eo;
  eo.processing_time = milliseconds(1500);
  start_emulator(eo);
  auto o = options(write_input(3));
  auto b = wrapped(client_->messages().batches());
  auto real_retrieve = b.retrieve;
  auto calls = std::make_shared<int>(0);
  b.retrieve = [real_retrieve, calls](const std::string& id, const am::BatchJobOptions& jo,
                                      const anthropic::RequestOptions& call) {
    if (++*calls % 2 == 0) throw server_error(503);
    return real_retrieve(id, jo, call);
  };
  am::BatchJobSummary sum;
  EXPECT_NO_THROW(sum = am::BatchJob(b, o).run());
  EXPECT_EQ(sum.succeeded, 3u);
}

// Promise 5: a create answered 504 each time (the gateway always times out, nothing is created)
// loops for ever: lost_create -> reconcile finds nothing -> no_batch -> submit again, and the
// failure counter is never increased on that path (the journal grows by two records a round).
TEST_F(BatchJobTest, ReviewACreateThatAlwaysTimesOutAtTheGatewayStopsWithATypedError) {
  start_emulator();
  auto o = options(write_input(3));
  o.poll_interval = milliseconds(1);
  struct Stop {};
  auto b = wrapped(client_->messages().batches());
  auto creates = std::make_shared<int>(0);
  b.create = [creates](const std::function<bool(std::string&, std::string&)>&, std::size_t,
                       const am::BatchJobOptions&) -> am::MessageBatch {
    if (++*creates > 100) throw Stop{};  // the test's own way out of the endless loop
    throw server_error(504);
  };
  try {
    am::BatchJob(b, o).run();
    ADD_FAILURE() << "finished?";
  } catch (const Stop&) {
    ADD_FAILURE() << "still trying after " << *creates - 1 << " gateway timeouts in a row";
  } catch (const anthropic::AnthropicException& e) {
    SUCCEED() << e.what();
  }
}

// Promise 5 (consistency of failure handling): after a create whose answer was lost, one 503 on
// the list call used to reconcile ends the whole run with the raw 503, where every other call
// of the job waits and tries again.
TEST_F(BatchJobTest, ReviewA503WhileReconcilingALostCreateIsRetriedLikeAnyOtherCall) {
  start_emulator();
  auto o = options(write_input(3));
  auto b = wrapped(client_->messages().batches());
  auto real_create = b.create;
  auto real_list = b.list;
  auto lost = std::make_shared<bool>(false);
  b.create = [real_create, lost](const std::function<bool(std::string&, std::string&)>& next,
                                 std::size_t max, const am::BatchJobOptions& jo) {
    am::MessageBatch made = real_create(next, max, jo);
    if (!*lost) {
      *lost = true;
      throw server_error(504);  // created, and the answer lost
    }
    return made;
  };
  auto lists = std::make_shared<int>(0);
  b.list = [real_list, lists](const am::MessageBatchListParams& p,
                              const anthropic::RequestOptions& call) {
    if (++*lists == 1) throw server_error(503);
    return real_list(p, call);
  };
  am::BatchJobSummary sum;
  EXPECT_NO_THROW(sum = am::BatchJob(b, o).run());
  EXPECT_EQ(emulator_->batch_count(), 1u);
}

// Promise 1: a 504 (the gateway gave up; the API may still be creating the batch) is followed by
// ONE list after `poll_interval`. A batch that shows up just after that list is created again.
TEST_F(BatchJobTest, ReviewABatchThatAppearsJustAfterTheReconcilingListIsNotCreatedTwice) {
  start_emulator();
  auto o = options(write_input(3));
  auto b = wrapped(client_->messages().batches());
  auto real_create = b.create;
  auto real_list = b.list;
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  auto pending = std::make_shared<std::optional<Pairs>>();
  auto calls = std::make_shared<int>(0);
  b.create = [real_create, pending, calls](
                 const std::function<bool(std::string&, std::string&)>& next, std::size_t max,
                 const am::BatchJobOptions& jo) {
    if (++*calls == 1) {  // the API received it; the gateway times out before it is stored
      Pairs p;
      std::string id, params;
      while (next(id, params)) p.emplace_back(id, params);
      *pending = std::move(p);
      throw server_error(504);
    }
    return real_create(next, max, jo);
  };
  b.list = [real_list, real_create, pending, &o](const am::MessageBatchListParams& p,
                                                 const anthropic::RequestOptions& call) {
    auto page = real_list(p, call);
    if (*pending) {  // ... and is stored just after the job looked
      Pairs pairs = std::move(**pending);
      pending->reset();
      std::size_t i = 0;
      real_create(
          [&](std::string& id, std::string& params) {
            if (i == pairs.size()) return false;
            id = pairs[i].first;
            params = pairs[i].second;
            ++i;
            return true;
          },
          o.max_bytes_per_batch, o);
    }
    return page;
  };
  am::BatchJob(b, o).run();
  EXPECT_EQ(emulator_->batch_count(), 1u) << "the part was created twice";
}

}  // namespace
