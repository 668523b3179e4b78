// A batch the server sends with an impossible value (a negative request count, a timestamp that
// is not RFC 3339) is an AnthropicInvalidDataException naming the operation and the field, over
// real HTTP, for every operation that returns a batch.

#include <anthropic/anthropic.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/test_server.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace {

using anthropic::testing::batch_json;
using anthropic::testing::TestServer;
using ::testing::HasSubstr;

class InvalidBatchTest : public ::testing::Test {
 protected:
  anthropic::beta::messages::BatchService& batches() {
    return client_->beta().messages().batches();
  }

  void serve(nlohmann::json batch) {
    std::string body = batch.dump();
    server_.handle([body](const httplib::Request&, httplib::Response& res) {
      res.set_header("request-id", "req_invalid_batch");
      res.set_content(body, "application/json");
    });
  }

  void SetUp() override {
    anthropic::ClientOptions options;
    options.api_key = "sk-ant-test";
    options.base_url = server_.base_url();
    options.max_retries = 0;
    client_.emplace(options);
  }

  TestServer server_;
  std::optional<anthropic::Client> client_;
};

TEST_F(InvalidBatchTest, NegativeRequestCountIsRejectedNamingTheField) {
  auto batch = nlohmann::json::parse(batch_json("msgbatch_neg"));
  batch["request_counts"]["errored"] = -5;
  serve(batch);
  try {
    (void)batches().retrieve("msgbatch_neg");
    FAIL() << "no exception";
  } catch (const anthropic::AnthropicInvalidDataException& e) {
    EXPECT_THAT(e.what(), HasSubstr("retrieve: invalid response (request-id: req_invalid_batch)"));
    EXPECT_THAT(e.what(), HasSubstr("`request_counts.errored` is negative"));
  }
  EXPECT_THROW((void)batches().cancel("msgbatch_neg"), anthropic::AnthropicInvalidDataException);
}

TEST_F(InvalidBatchTest, TimestampThatIsNotRfc3339IsRejectedNamingTheField) {
  for (const char* field : {"created_at", "expires_at", "ended_at"}) {
    for (const char* bad : {"yesterday", "2024-02-30T25:61:61Z"}) {
      auto batch = nlohmann::json::parse(batch_json("msgbatch_time"));
      batch[field] = bad;
      serve(batch);
      try {
        (void)batches().retrieve("msgbatch_time");
        ADD_FAILURE() << "no exception for " << field << " = " << bad;
      } catch (const anthropic::AnthropicInvalidDataException& e) {
        EXPECT_THAT(e.what(),
                    HasSubstr(std::string("`") + field + "` is not an RFC 3339 timestamp"));
      }
    }
  }
}

TEST_F(InvalidBatchTest, ValidOffsetsAndFractionsStillDecode) {
  auto batch = nlohmann::json::parse(batch_json("msgbatch_ok"));
  batch["created_at"] = "2026-08-20T12:30:00.123456789+02:30";
  batch["ended_at"] = "2026-08-20T05:00:00-05:00";
  serve(batch);
  auto b = batches().retrieve("msgbatch_ok");
  EXPECT_TRUE(b.created_at.valid());
  ASSERT_TRUE(b.ended_at.has_value());
  EXPECT_EQ(b.ended_at->time_point(),
            b.created_at.time_point() - std::chrono::microseconds(123456));
}

}  // namespace
