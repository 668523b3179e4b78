// BatchResultsStream's line splitting, made deterministic: the body is served a fixed number of
// bytes per read (down to one), so every line, CRLF pair and multibyte character is split across
// reads at every position. The loopback tests cover the same over real HTTP, where the split
// points depend on the network.

#include <anthropic/beta/messages/batch_results.hpp>
#include <anthropic/cancellation.hpp>
#include <anthropic/errors.hpp>

#include "messages/batch_results_resume.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace bm = anthropic::beta::messages;

class ChunkedBody final : public anthropic::http::ResponseBody {
 public:
  ChunkedBody(std::string bytes, std::size_t chunk, std::shared_ptr<std::size_t> reads = {})
      : bytes_(std::move(bytes)), chunk_(chunk), reads_(std::move(reads)) {}
  std::size_t read(char* dst, std::size_t max) override {
    std::size_t n = std::min({max, chunk_, bytes_.size() - pos_});
    std::memcpy(dst, bytes_.data() + pos_, n);
    pos_ += n;
    if (reads_) ++*reads_;
    return n;
  }

 private:
  std::string bytes_;
  std::size_t chunk_;
  std::size_t pos_ = 0;
  std::shared_ptr<std::size_t> reads_;  // outlives the body, which the stream frees at the end
};

std::string text_line(const std::string& id, const std::string& text) {
  return R"({"custom_id":")" + id +
         R"(","result":{"type":"succeeded","message":{"id":"m","type":"message","role":"assistant","model":"x","content":[{"type":"text","text":")" +
         text +
         R"("}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}}})";
}

std::string text_of(const bm::BetaMessageBatchIndividualResponse& r) {
  return std::get<anthropic::beta::BetaTextBlock>(r.result.message->content.at(0)).text;
}

TEST(ResultsStream, EverySplitPointGivesTheSameLines) {
  const std::string utf8 = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
  const std::string body = text_line("a", utf8) + "\r\n" + "\r\n" + "  \n" + text_line("b", "2") +
                           "\n\n" + R"({"custom_id":"c","result":{"type":"canceled"}})" + "\r\n" +
                           text_line("d", "last, no newline");
  for (std::size_t chunk : {1u, 2u, 3u, 7u, 64u, 100000u}) {
    SCOPED_TRACE(chunk);
    auto reads = std::make_shared<std::size_t>(0);
    bm::BatchResultsStream stream(std::make_unique<ChunkedBody>(body, chunk, reads));
    std::vector<std::string> got;
    for (const auto& r : stream) {
      got.push_back(r.custom_id + "=" + (r.result.message ? text_of(r) : r.result.type.str()));
    }
    EXPECT_EQ(got,
              (std::vector<std::string>{"a=" + utf8, "b=2", "c=canceled", "d=last, no newline"}));
    EXPECT_EQ(stream.line_number(), 7u);     // every line counts: a, 2 blank, b, blank, c, d
    EXPECT_GE(*reads, body.size() / chunk);  // really served in pieces of `chunk` bytes
  }
}

TEST(ResultsStream, RawLinesComeBackVerbatimWithoutLineEndings) {
  const std::string a = text_line("a", "x");
  const std::string b = R"({"custom_id":"b","result":{"type":"expired"}})";
  bm::BatchResultsStream stream(std::make_unique<ChunkedBody>(a + "\r\n\n" + b, 5));
  EXPECT_EQ(stream.next_raw(), a);
  EXPECT_EQ(stream.next_raw(), b);
  EXPECT_EQ(stream.next_raw(), std::nullopt);
}

TEST(ResultsStream, AMalformedLineIsReportedWithItsNumberAndReadingGoesOn) {
  const std::string body = text_line("a", "1") + "\n\n{\"custom_id\":\"b\",\"result\":{\"ty\n" +
                           text_line("c", "3") + "\n";
  bm::BatchResultsStream stream(std::make_unique<ChunkedBody>(body, 3));
  EXPECT_EQ(stream.next()->custom_id, "a");
  try {
    stream.next();
    FAIL() << "no exception";
  } catch (const anthropic::AnthropicInvalidDataException& e) {
    EXPECT_NE(std::string(e.what()).find("results line 3"), std::string::npos) << e.what();
  }
  EXPECT_EQ(stream.next()->custom_id, "c");
  EXPECT_EQ(stream.next(), std::nullopt);
}

TEST(ResultsStream, CloseStopsReadingAndReleasesTheBody) {
  bm::BatchResultsStream stream(
      std::make_unique<ChunkedBody>(text_line("a", "1") + "\n" + text_line("b", "2") + "\n", 4));
  EXPECT_EQ(stream.next()->custom_id, "a");
  stream.close();
  EXPECT_EQ(stream.next(), std::nullopt);
  EXPECT_EQ(stream.next_raw(), std::nullopt);
}

// --- after an I/O error, and resuming (the reopen hook driven directly, no network) ---

namespace http = anthropic::http;
using std::chrono::milliseconds;

// Serves `bytes[0, fail_at)` `chunk` bytes per read, then throws AnthropicIoException (or, with
// fail_at == npos, ends normally).
class BreakingBody final : public http::ResponseBody {
 public:
  BreakingBody(std::string bytes, std::size_t fail_at, std::size_t chunk = 7)
      : bytes_(std::move(bytes)),
        fail_at_(std::min(fail_at, bytes_.size())),
        chunk_(chunk),
        fails_(fail_at != std::string::npos) {}
  std::size_t read(char* dst, std::size_t max) override {
    if (pos_ == fail_at_ && fails_) throw anthropic::AnthropicIoException("connection reset", true);
    std::size_t n = std::min({max, chunk_, fail_at_ - pos_});
    std::memcpy(dst, bytes_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string bytes_;
  std::size_t fail_at_;
  std::size_t chunk_;
  bool fails_;
  std::size_t pos_ = 0;
};

std::string numbered_lines(int count) {
  std::string body;
  for (int i = 0; i < count; ++i)
    body += text_line("r" + std::to_string(i), std::to_string(i)) + "\n";
  return body;
}

std::vector<std::string> ids_of(const std::vector<std::string>& raw_lines) {
  std::vector<std::string> ids;
  for (const auto& line : raw_lines) {
    auto start = line.find("\"custom_id\":\"") + 13;
    ids.push_back(line.substr(start, line.find('"', start) - start));
  }
  return ids;
}

std::vector<std::string> expected_ids(int count) {
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) ids.push_back("r" + std::to_string(i));
  return ids;
}

http::StreamedResponse response_of(int status, std::unique_ptr<http::ResponseBody> body,
                                   http::Headers headers = {}) {
  http::StreamedResponse r;
  r.status = status;
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

// The offset just after the last '\n' before `cut`.
std::size_t last_line_end(const std::string& body, std::size_t cut) {
  return body.rfind('\n', cut - 1) + 1;
}

// A scripted reopen hook: records each range start it was asked for and answers with the next
// scripted response (or throws the next scripted I/O error).
struct ScriptedReopen {
  std::vector<std::uint64_t> starts;
  std::deque<std::function<http::StreamedResponse(std::uint64_t)>> answers;
  std::vector<milliseconds> delays;

  anthropic::internal::ResultsResume resume(int max_retries) {
    anthropic::internal::ResultsResume r;
    r.max_retries = max_retries;
    r.jitter = [] { return 0.0; };
    r.sleeper = [this](milliseconds d) { delays.push_back(d); };
    r.reopen = [this](std::uint64_t start) {
      starts.push_back(start);
      if (answers.empty()) throw std::logic_error("unexpected reopen");
      auto answer = std::move(answers.front());
      answers.pop_front();
      return answer(start);
    };
    return r;
  }
};

// Reads raw lines until the end or an exception; returns the lines and stores the exception.
std::vector<std::string> drain(bm::BatchResultsStream& stream, std::exception_ptr* error) {
  std::vector<std::string> lines;
  try {
    while (auto line = stream.next_raw()) lines.push_back(*line);
  } catch (...) {
    *error = std::current_exception();
  }
  return lines;
}

TEST(ResultsStreamFailure, AfterAnIoErrorEveryLaterCallThrowsAndNoFragmentIsDelivered) {
  const std::string body = numbered_lines(3);
  const std::size_t cut = body.size() - 19;  // inside the last line
  bm::BatchResultsStream stream(std::make_unique<BreakingBody>(body, cut));
  EXPECT_EQ(stream.next()->custom_id, "r0");
  EXPECT_EQ(ids_of({*stream.next_raw()}), std::vector<std::string>{"r1"});
  EXPECT_THROW(stream.next_raw(), anthropic::AnthropicIoException);
  EXPECT_THROW(stream.next_raw(), anthropic::AnthropicIoException);  // not the 19-byte fragment
  EXPECT_THROW(stream.next(), anthropic::AnthropicIoException);      // not "malformed JSON"
  EXPECT_THROW(stream.next(), anthropic::AnthropicIoException);
  EXPECT_EQ(stream.line_number(), 2u);
}

TEST(ResultsStreamFailure, AnyOtherExceptionFromTheBodyIsAlsoFinal) {
  struct Throwing final : http::ResponseBody {
    std::size_t read(char*, std::size_t) override { throw std::bad_alloc(); }
  };
  bm::BatchResultsStream stream(std::make_unique<Throwing>());
  EXPECT_THROW(stream.next(), std::bad_alloc);
  EXPECT_THROW(stream.next_raw(), std::bad_alloc);
}

TEST(RunningChecksum, DependsOnTheBytesOnlyNotOnHowTheyWereSplit) {
  std::string data(10000, '\0');
  std::mt19937 rng(7);
  for (auto& c : data) c = static_cast<char>(rng());
  anthropic::internal::RunningChecksum whole;
  whole.update(data.data(), data.size());
  for (std::size_t piece : {1u, 3u, 7u, 8u, 9u, 31u, 32u, 33u, 64u, 1000u}) {
    anthropic::internal::RunningChecksum split;
    for (std::size_t at = 0; at < data.size(); at += piece) {
      split.update(data.data() + at, std::min(piece, data.size() - at));
    }
    EXPECT_EQ(split.digest(), whole.digest()) << piece;
  }
  for (std::size_t flip : {0u, 5u, 4096u, 9999u}) {
    std::string changed = data;
    changed[flip] = static_cast<char>(changed[flip] ^ 1);
    anthropic::internal::RunningChecksum other;
    other.update(changed.data(), changed.size());
    EXPECT_NE(other.digest(), whole.digest()) << flip;
  }
  anthropic::internal::RunningChecksum longer;  // a trailing zero byte is a different sequence
  longer.update(data.data(), data.size());
  longer.update("", 1);
  EXPECT_NE(longer.digest(), whole.digest());
}

TEST(ResultsResume, A206ContinuesAfterTheLastWholeLineWithEveryLineOnce) {
  const std::string body = numbered_lines(50);
  const std::size_t cut = body.size() * 8 / 10;
  const std::size_t n = last_line_end(body, cut);
  ScriptedReopen script;
  script.answers.push_back([&](std::uint64_t start) {
    return response_of(206, std::make_unique<BreakingBody>(body.substr(start), std::string::npos),
                       {{"content-range", "bytes " + std::to_string(start) + "-" +
                                              std::to_string(body.size() - 1) + "/" +
                                              std::to_string(body.size())}});
  });
  auto stream = anthropic::internal::ResultsStreamAccess::open<bm::BetaFamily>(
      response_of(200, std::make_unique<BreakingBody>(body, cut),
                  {{"content-length", std::to_string(body.size())}}),
      script.resume(2));
  std::exception_ptr error;
  auto lines = drain(stream, &error);
  EXPECT_FALSE(error);
  EXPECT_EQ(ids_of(lines), expected_ids(50));
  EXPECT_EQ(script.starts, std::vector<std::uint64_t>{n});
  EXPECT_EQ(script.delays, std::vector<milliseconds>{milliseconds(500)});
  EXPECT_EQ(stream.line_number(), 50u);
}

TEST(ResultsResume, A200IsReadFromTheStartAndTheVerifiedPrefixSkipped) {
  const std::string body = numbered_lines(50);
  const std::size_t cut = body.size() * 8 / 10;
  ScriptedReopen script;
  script.answers.push_back([&](std::uint64_t) {
    return response_of(200, std::make_unique<BreakingBody>(body, std::string::npos, 1000));
  });
  auto stream = anthropic::internal::ResultsStreamAccess::open<bm::BetaFamily>(
      response_of(200, std::make_unique<BreakingBody>(body, cut)), script.resume(2));
  std::exception_ptr error;
  auto lines = drain(stream, &error);
  EXPECT_FALSE(error);
  EXPECT_EQ(ids_of(lines), expected_ids(50));
  EXPECT_EQ(script.starts, std::vector<std::uint64_t>{last_line_end(body, cut)});
}

TEST(ResultsResume, AChangedPrefixOrAShorterBodyIsAClearErrorAndNothingMixed) {
  const std::string body = numbered_lines(50);
  const std::size_t cut = body.size() * 8 / 10;
  std::string changed = body;
  changed[10] = changed[10] == 'x' ? 'y' : 'x';
  for (const std::string& second : {changed, body.substr(0, cut / 2)}) {
    ScriptedReopen script;
    script.answers.push_back([&](std::uint64_t) {
      return response_of(200, std::make_unique<BreakingBody>(second, std::string::npos));
    });
    auto stream = anthropic::internal::ResultsStreamAccess::open<bm::BetaFamily>(
        response_of(200, std::make_unique<BreakingBody>(body, cut)), script.resume(2));
    std::exception_ptr error;
    auto lines = drain(stream, &error);
    ASSERT_TRUE(error);
    try {
      std::rethrow_exception(error);
    } catch (const anthropic::AnthropicInvalidDataException& e) {
      EXPECT_NE(std::string(e.what()).find("results changed between attempts"), std::string::npos)
          << e.what();
    }
    // Exactly the whole lines of the first transfer, none of the second.
    const auto whole = static_cast<int>(std::count(body.begin(), body.begin() + cut, '\n'));
    EXPECT_EQ(ids_of(lines), expected_ids(whole));
    EXPECT_THROW(stream.next_raw(), anthropic::AnthropicInvalidDataException);
    EXPECT_THROW(stream.next(), anthropic::AnthropicInvalidDataException);
  }
}

TEST(ResultsResume, ASizeThatChangedIsAClearError) {
  const std::string body = numbered_lines(20);
  const std::size_t cut = body.size() / 2;
  ScriptedReopen script;
  script.answers.push_back([&](std::uint64_t start) {
    return response_of(
        206, std::make_unique<BreakingBody>(body.substr(start), std::string::npos),
        {{"content-range", "bytes " + std::to_string(start) + "-" + std::to_string(body.size()) +
                               "/" + std::to_string(body.size() + 1)}});
  });
  auto stream = anthropic::internal::ResultsStreamAccess::open<bm::BetaFamily>(
      response_of(200, std::make_unique<BreakingBody>(body, cut),
                  {{"content-length", std::to_string(body.size())}}),
      script.resume(2));
  std::exception_ptr error;
  drain(stream, &error);
  ASSERT_TRUE(error);
  EXPECT_THROW(std::rethrow_exception(error), anthropic::AnthropicInvalidDataException);
  EXPECT_THROW(stream.next(), anthropic::AnthropicInvalidDataException);
}

TEST(ResultsResume, A206ForAnotherRangeIsRejected) {
  const std::string body = numbered_lines(20);
  const std::size_t cut = body.size() / 2;
  ScriptedReopen script;
  script.answers.push_back([&](std::uint64_t start) {
    return response_of(206,
                       std::make_unique<BreakingBody>(body.substr(start - 1), std::string::npos),
                       {{"content-range", "bytes " + std::to_string(start - 1) + "-" +
                                              std::to_string(body.size() - 1) + "/" +
                                              std::to_string(body.size())}});
  });
  auto stream = anthropic::internal::ResultsStreamAccess::open<bm::BetaFamily>(
      response_of(200, std::make_unique<BreakingBody>(body, cut)), script.resume(2));
  std::exception_ptr error;
  drain(stream, &error);
  EXPECT_THROW(std::rethrow_exception(error), anthropic::AnthropicInvalidDataException);
}

TEST(ResultsResume, FailuresWithoutProgressSpendTheBudgetWithBackoffThenTheIoErrorIsFinal) {
  const std::string body = numbered_lines(20);
  const std::size_t cut = body.size() / 2;
  ScriptedReopen script;
  // A 503, a refused connection, then a transfer that breaks again before any new line.
  script.answers.push_back(
      [](std::uint64_t) { return response_of(503, http::make_memory_body("{}")); });
  script.answers.push_back([](std::uint64_t) -> http::StreamedResponse {
    throw anthropic::AnthropicIoException("connection refused", false);
  });
  script.answers.push_back([&](std::uint64_t start) {
    return response_of(206, std::make_unique<BreakingBody>(body.substr(start), 5),
                       {{"content-range", "bytes " + std::to_string(start) + "-" +
                                              std::to_string(body.size() - 1) + "/" +
                                              std::to_string(body.size())}});
  });
  auto stream = anthropic::internal::ResultsStreamAccess::open<bm::BetaFamily>(
      response_of(200, std::make_unique<BreakingBody>(body, cut)), script.resume(3));
  std::exception_ptr error;
  auto lines = drain(stream, &error);
  ASSERT_TRUE(error);
  EXPECT_THROW(std::rethrow_exception(error), anthropic::AnthropicIoException);
  EXPECT_EQ(lines.size(),
            static_cast<std::size_t>(std::count(body.begin(), body.begin() + cut, '\n')));
  EXPECT_EQ(script.starts.size(), 3u);
  EXPECT_EQ(script.delays,
            (std::vector<milliseconds>{milliseconds(500), milliseconds(1000), milliseconds(2000)}));
  EXPECT_THROW(stream.next_raw(), anthropic::AnthropicIoException);
  EXPECT_EQ(script.starts.size(), 3u);  // no further attempt once failed
}

TEST(ResultsResume, ProgressRenewsTheBudget) {
  // Each transfer breaks after one more line: with max_retries = 1 the file still completes,
  // because every failure comes after progress.
  const std::string body = numbered_lines(6);
  std::vector<std::size_t> line_ends;
  for (std::size_t i = 0; i < body.size(); ++i)
    if (body[i] == '\n') line_ends.push_back(i + 1);
  ScriptedReopen script;
  for (std::size_t k = 1; k < line_ends.size(); ++k) {
    script.answers.push_back([&, k](std::uint64_t start) {
      std::size_t stop = k + 1 < line_ends.size() ? line_ends[k] + 3 : std::string::npos;
      std::string rest = body.substr(start);
      return response_of(
          206,
          std::make_unique<BreakingBody>(rest, stop == std::string::npos ? stop : stop - start),
          {{"content-range", "bytes " + std::to_string(start) + "-" +
                                 std::to_string(body.size() - 1) + "/" +
                                 std::to_string(body.size())}});
    });
  }
  auto stream = anthropic::internal::ResultsStreamAccess::open<bm::BetaFamily>(
      response_of(200, std::make_unique<BreakingBody>(body, line_ends[0] + 3)), script.resume(1));
  std::exception_ptr error;
  auto lines = drain(stream, &error);
  EXPECT_FALSE(error);
  EXPECT_EQ(ids_of(lines), expected_ids(6));
  EXPECT_EQ(script.delays, std::vector<milliseconds>(5, milliseconds(500)));  // always retry 0
}

TEST(ResultsResume, EverythingConsumedAnd416MeansTheEnd) {
  const std::string body = numbered_lines(3);
  ScriptedReopen script;
  script.answers.push_back([&](std::uint64_t) {
    return response_of(416, http::make_memory_body(""),
                       {{"content-range", "bytes */" + std::to_string(body.size())}});
  });
  auto stream = anthropic::internal::ResultsStreamAccess::open<bm::BetaFamily>(
      response_of(200, std::make_unique<BreakingBody>(body, body.size())), script.resume(2));
  std::exception_ptr error;
  auto lines = drain(stream, &error);
  EXPECT_FALSE(error);
  EXPECT_EQ(ids_of(lines), expected_ids(3));
}

TEST(ResultsResume, AnErrorStatusOnReopenIsTheTypedExceptionAndFinal) {
  const std::string body = numbered_lines(4);
  ScriptedReopen script;
  script.answers.push_back([](std::uint64_t) {
    return response_of(
        404, http::make_memory_body(
                 R"({"type":"error","error":{"type":"not_found_error","message":"gone"}})"));
  });
  auto stream = anthropic::internal::ResultsStreamAccess::open<bm::BetaFamily>(
      response_of(200, std::make_unique<BreakingBody>(body, body.size() - 5)), script.resume(2));
  std::exception_ptr error;
  auto lines = drain(stream, &error);
  EXPECT_EQ(lines.size(), 3u);
  EXPECT_THROW(std::rethrow_exception(error), anthropic::NotFoundException);
  EXPECT_THROW(stream.next(), anthropic::NotFoundException);
}

TEST(ResultsResume, ACancelDuringTheBackoffWaitStopsAtOnceAndStaysCancelled) {
  const std::string body = numbered_lines(10);
  anthropic::CancellationSource source;
  ScriptedReopen script;  // reconnects fail at once: the stream is nearly always waiting
  for (int i = 0; i < 10; ++i) {
    script.answers.push_back([](std::uint64_t) -> http::StreamedResponse {
      throw anthropic::AnthropicIoException("connection refused", false);
    });
  }
  auto resume = script.resume(10);
  resume.sleeper = nullptr;  // real waits on the token: 0.5 + 1 + 2 + ... s without the cancel
  resume.cancellation = source.token();
  auto stream = anthropic::internal::ResultsStreamAccess::open<bm::BetaFamily>(
      response_of(200, std::make_unique<BreakingBody>(body, body.size() / 2)), std::move(resume));
  std::chrono::steady_clock::time_point cancelled_at;
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(100));
    cancelled_at = std::chrono::steady_clock::now();
    source.cancel();
  });
  std::exception_ptr error;
  drain(stream, &error);
  const auto stopped_at = std::chrono::steady_clock::now();
  canceller.join();
  EXPECT_THROW(std::rethrow_exception(error), anthropic::AnthropicCancelledException);
  // Every wait is at least 500 ms (no jitter here): stopping sooner shows the wait was cut short.
  EXPECT_LT(stopped_at - cancelled_at, milliseconds(300));
  EXPECT_LE(script.starts.size(), 1u);
  EXPECT_THROW(stream.next(), anthropic::AnthropicCancelledException);
}

TEST(ResultsResume, ACancelWithAnInjectedSleeperIsSeenWhenItReturns) {
  const std::string body = numbered_lines(10);
  anthropic::CancellationSource source;
  ScriptedReopen script;
  auto resume = script.resume(10);
  resume.cancellation = source.token();
  resume.sleeper = [&](milliseconds d) {
    script.delays.push_back(d);
    source.cancel();
  };
  auto stream = anthropic::internal::ResultsStreamAccess::open<bm::BetaFamily>(
      response_of(200, std::make_unique<BreakingBody>(body, body.size() / 2)), std::move(resume));
  std::exception_ptr error;
  drain(stream, &error);
  EXPECT_THROW(std::rethrow_exception(error), anthropic::AnthropicCancelledException);
  EXPECT_EQ(script.delays.size(), 1u);
  EXPECT_TRUE(script.starts.empty());
}

TEST(ResultsResume, ACancelledTokenStopsEvenWhileLinesAreBuffered) {
  const std::string body = numbered_lines(10);
  anthropic::CancellationSource source;
  ScriptedReopen script;
  auto resume = script.resume(2);
  resume.cancellation = source.token();
  auto stream = anthropic::internal::ResultsStreamAccess::open<bm::BetaFamily>(
      response_of(200, std::make_unique<BreakingBody>(body, std::string::npos, 1 << 20)),
      std::move(resume));
  EXPECT_EQ(stream.next()->custom_id, "r0");
  source.cancel();
  EXPECT_THROW(stream.next(), anthropic::AnthropicCancelledException);
  EXPECT_THROW(stream.next_raw(), anthropic::AnthropicCancelledException);
}

}  // namespace
