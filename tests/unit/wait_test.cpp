// BatchService::wait_until_ended with an injected clock and sleeper: poll intervals, the
// deadline, and the progress callback.

#include <anthropic/testing/mock_batch_service.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

namespace {

namespace bm = anthropic::beta::messages;
using std::chrono::milliseconds;
using ::testing::_;
using ::testing::Return;

bm::BetaMessageBatch batch_with(const char* status, std::int64_t processing) {
  bm::BetaMessageBatch b;
  b.id = "msgbatch_w";
  b.processing_status = bm::ProcessingStatus(status);
  b.request_counts.processing = processing;
  return b;
}

struct FakeTime {
  std::chrono::steady_clock::time_point now{};
  std::vector<milliseconds> sleeps;
  bm::WaitOptions options() {
    bm::WaitOptions o;
    o.clock = [this] { return now; };
    o.sleeper = [this](milliseconds d) {
      sleeps.push_back(d);
      now += d;
    };
    return o;
  }
};

TEST(WaitUntilEnded, BacksOffBoundedAndReportsEveryPoll) {
  anthropic::testing::MockBatchService batches;
  EXPECT_CALL(batches, retrieve(_, _))
      .WillOnce(Return(batch_with("in_progress", 3)))
      .WillOnce(Return(batch_with("in_progress", 2)))
      .WillOnce(Return(batch_with("in_progress", 2)))
      .WillOnce(Return(batch_with("canceling", 1)))
      .WillOnce(Return(batch_with("in_progress", 1)))
      .WillOnce(Return(batch_with("ended", 0)));
  FakeTime time;
  auto options = time.options();
  options.initial_interval = milliseconds(1000);
  options.multiplier = 2.0;
  options.max_interval = milliseconds(5000);
  std::vector<std::int64_t> progress;
  options.on_progress = [&](const bm::BetaMessageBatch& b) {
    progress.push_back(b.request_counts.processing);
  };

  bm::BetaMessageBatch ended = batches.wait_until_ended("msgbatch_w", options);

  EXPECT_EQ(ended.processing_status, bm::ProcessingStatus::ended);
  EXPECT_EQ(time.sleeps,
            (std::vector<milliseconds>{milliseconds(1000), milliseconds(2000), milliseconds(4000),
                                       milliseconds(5000), milliseconds(5000)}));
  EXPECT_EQ(progress, (std::vector<std::int64_t>{3, 2, 2, 1, 1, 0}));
}

TEST(WaitUntilEnded, RetrievesTheGivenIdWithTheRequestOptions) {
  anthropic::testing::MockBatchService batches;
  EXPECT_CALL(batches, retrieve(_, _))
      .WillOnce(
          [](const bm::BetaMessageBatchRetrieveParams& p, const anthropic::RequestOptions& o) {
            EXPECT_EQ(p.message_batch_id, "msgbatch_w");
            EXPECT_EQ(o.max_retries, 7);
            return batch_with("ended", 0);
          });
  FakeTime time;
  auto options = time.options();
  options.request_options.max_retries = 7;
  batches.wait_until_ended("msgbatch_w", options);
  EXPECT_TRUE(time.sleeps.empty());  // already ended: no wait at all
}

TEST(WaitUntilEnded, DeadlineStopsWithTheLastBatch) {
  anthropic::testing::MockBatchService batches;
  EXPECT_CALL(batches, retrieve(_, _)).WillRepeatedly(Return(batch_with("in_progress", 9)));
  FakeTime time;
  auto options = time.options();
  options.initial_interval = milliseconds(1000);
  options.multiplier = 2.0;
  options.max_interval = milliseconds(60000);
  options.timeout = milliseconds(5000);
  try {
    batches.wait_until_ended("msgbatch_w", options);
    FAIL() << "no timeout";
  } catch (const bm::BatchWaitTimeoutException& e) {
    EXPECT_EQ(e.last().request_counts.processing, 9);
    EXPECT_NE(std::string(e.what()).find("msgbatch_w"), std::string::npos);
  }
  // 1000 + 2000, then only the 2000 left before the deadline; then one last poll.
  EXPECT_EQ(time.sleeps, (std::vector<milliseconds>{milliseconds(1000), milliseconds(2000),
                                                    milliseconds(2000)}));
}

TEST(WaitUntilEnded, ErrorsOfRetrievePropagate) {
  anthropic::testing::MockBatchService batches;
  EXPECT_CALL(batches, retrieve(_, _))
      .WillOnce(Return(batch_with("in_progress", 1)))
      .WillOnce([](const auto&, const auto&) -> bm::BetaMessageBatch {
        throw anthropic::AnthropicIoException("connection reset", true);
      });
  FakeTime time;
  EXPECT_THROW(batches.wait_until_ended("msgbatch_w", time.options()),
               anthropic::AnthropicIoException);
}

TEST(WaitUntilEnded, RejectsIntervalsThatWouldHammerTheApi) {
  anthropic::testing::MockBatchService batches;
  EXPECT_CALL(batches, retrieve(_, _)).Times(0);
  bm::WaitOptions options;
  options.initial_interval = milliseconds(0);
  EXPECT_THROW(batches.wait_until_ended("b", options), anthropic::AnthropicInvalidRequestException);
  options.initial_interval = milliseconds(100);
  options.multiplier = 0.5;
  EXPECT_THROW(batches.wait_until_ended("b", options), anthropic::AnthropicInvalidRequestException);
}

// --- cancellation through request_options.cancellation ---

TEST(WaitUntilEnded, ACancelDuringTheWaitBetweenPollsStopsItAtOnce) {
  anthropic::testing::MockBatchService batches;
  EXPECT_CALL(batches, retrieve(_, _)).Times(1).WillOnce(Return(batch_with("in_progress", 1)));
  anthropic::CancellationSource source;
  bm::WaitOptions options;  // real time: the first wait alone would be 10 s
  options.initial_interval = milliseconds(10000);
  options.request_options.cancellation = source.token();
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(50));
    source.cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  try {
    batches.wait_until_ended("msgbatch_w", options);
    ADD_FAILURE() << "not cancelled";
  } catch (const anthropic::AnthropicCancelledException& e) {
    EXPECT_FALSE(e.may_have_reached_server());  // nothing was in flight
    EXPECT_NE(std::string(e.what()).find("msgbatch_w"), std::string::npos) << e.what();
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  canceller.join();
  EXPECT_LT(elapsed, milliseconds(1000));
}

TEST(WaitUntilEnded, WithAnInjectedSleeperTheTokenIsCheckedAfterEachWait) {
  anthropic::testing::MockBatchService batches;
  EXPECT_CALL(batches, retrieve(_, _))
      .Times(2)
      .WillRepeatedly(Return(batch_with("in_progress", 1)));
  anthropic::CancellationSource source;
  FakeTime time;
  auto options = time.options();
  options.request_options.cancellation = source.token();
  options.sleeper = [&](milliseconds d) {
    time.sleeps.push_back(d);
    if (time.sleeps.size() == 2) source.cancel();  // during the second wait
  };
  EXPECT_THROW(batches.wait_until_ended("msgbatch_w", options),
               anthropic::AnthropicCancelledException);
  EXPECT_EQ(time.sleeps.size(), 2u);
}

TEST(WaitUntilEnded, AnAlreadyCancelledTokenSendsNothing) {
  anthropic::testing::MockBatchService batches;
  EXPECT_CALL(batches, retrieve(_, _)).Times(0);
  anthropic::CancellationSource source;
  source.cancel();
  FakeTime time;
  auto options = time.options();
  options.request_options.cancellation = source.token();
  EXPECT_THROW(batches.wait_until_ended("msgbatch_w", options),
               anthropic::AnthropicCancelledException);
  EXPECT_TRUE(time.sleeps.empty());
}

TEST(WaitUntilEnded, ACancelledPollPropagatesAsIs) {
  // The transport stops a retrieve in flight; its exception (which says whether the request may
  // have reached the server) comes out unchanged.
  anthropic::testing::MockBatchService batches;
  EXPECT_CALL(batches, retrieve(_, _))
      .WillOnce([](const auto&, const auto&) -> bm::BetaMessageBatch {
        throw anthropic::AnthropicCancelledException("GET cancelled", true);
      });
  FakeTime time;
  try {
    batches.wait_until_ended("msgbatch_w", time.options());
    ADD_FAILURE() << "not cancelled";
  } catch (const anthropic::AnthropicCancelledException& e) {
    EXPECT_TRUE(e.may_have_reached_server());
  }
}

}  // namespace
