// The GA Message Batches service (`client.messages().batches()`) against the in-process
// emulator over real HTTP: a whole lifecycle on the GA types (`anthropic::MessageParam`,
// `anthropic::Message`, `anthropic::ErrorResponse`), the batch object's unknown members kept, and
// what GA and beta share (the same batches, seen through either resource).

#include <anthropic/anthropic.hpp>
#include <anthropic/emulator/emulator.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>

namespace {

namespace am = anthropic::messages;
namespace bm = anthropic::beta::messages;

class GaBatchesTest : public ::testing::Test {
 protected:
  GaBatchesTest() {
    anthropic::emulator::EmulatorOptions options;
    options.manual_clock = true;
    options.processing_time = std::chrono::seconds(10);
    options.ordered_results = true;
    emulator_ = std::make_unique<anthropic::emulator::Emulator>(options);
    emulator_->start();
    anthropic::ClientOptions o;
    o.base_url = emulator_->base_url();
    o.api_key = "sk-ant-emulator";
    client_ = std::make_unique<anthropic::Client>(o);
  }

  am::BatchService& batches() { return client_->messages().batches(); }

  static am::MessageBatchCreateParams::Request request(const std::string& id, std::int64_t max) {
    am::MessageBatchCreateParams::Request r;
    r.custom_id = id;
    r.params.model = "claude-sonnet-4-5";
    r.params.max_tokens = max;
    r.params.messages.push_back(anthropic::MessageParam::user("Hello " + id));
    return r;
  }

  std::unique_ptr<anthropic::emulator::Emulator> emulator_;
  std::unique_ptr<anthropic::Client> client_;
};

TEST_F(GaBatchesTest, AWholeLifecycleOnTheGaTypes) {
  am::MessageBatchCreateParams params;
  params.requests.push_back(request("ok-1", 64));
  params.requests.push_back(request("ok-2", 64));
  params.requests.push_back(request("bad", 0));  // the emulator answers max_tokens 0 with an error
  anthropic::ResponseMetadata meta;
  anthropic::RequestOptions with_meta;
  with_meta.response_into = &meta;
  am::MessageBatch created = batches().create(params, with_meta);
  EXPECT_EQ(created.processing_status, am::ProcessingStatus::in_progress);
  EXPECT_EQ(created.request_counts.processing, 3);
  EXPECT_EQ(meta.status_code, 200);
  EXPECT_FALSE(meta.request_id().empty());

  emulator_->advance(std::chrono::seconds(11));
  am::WaitOptions wait;
  wait.sleeper = [](std::chrono::milliseconds) {};
  am::MessageBatch ended = batches().wait_until_ended(created.id, wait);
  EXPECT_EQ(ended.processing_status, am::ProcessingStatus::ended);
  EXPECT_EQ(ended.request_counts.succeeded, 2);
  EXPECT_EQ(ended.request_counts.errored, 1);
  ASSERT_TRUE(ended.results_url.has_value());

  std::map<std::string, std::string> seen;
  for (const am::MessageBatchIndividualResponse& line : batches().results(created.id)) {
    const auto& result = line.result;
    if (result.type == am::MessageBatchResultType::succeeded) {
      ASSERT_TRUE(result.message.has_value());
      const anthropic::Message& message = *result.message;
      const auto& text = std::get<anthropic::TextBlock>(message.content.at(0));
      seen[line.custom_id] = text.text;
      EXPECT_GT(message.usage.output_tokens, 0);
    } else {
      ASSERT_EQ(result.type, am::MessageBatchResultType::errored);
      ASSERT_TRUE(result.error.has_value());
      seen[line.custom_id] = anthropic::error_type(result.error->error);
    }
  }
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_NE(seen["ok-1"].find("Hello ok-1"), std::string::npos) << seen["ok-1"];
  EXPECT_EQ(seen["bad"], "invalid_request_error");

  bool listed = false;
  for (const am::MessageBatch& b : batches().list(am::MessageBatchListParams{}).auto_paging()) {
    listed = listed || b.id == created.id;
  }
  EXPECT_TRUE(listed);

  EXPECT_EQ(batches().delete_(created.id).id, created.id);
  EXPECT_THROW(batches().retrieve(created.id), anthropic::NotFoundException);
}

TEST_F(GaBatchesTest, GaAndBetaAreTwoViewsOfTheSameBatches) {
  am::MessageBatchCreateParams params;
  params.requests.push_back(request("one", 16));
  am::MessageBatch created = batches().create(params);
  // The beta resource sees the batch the GA one created, as the same C++ type.
  bm::BetaMessageBatch seen = client_->beta().messages().batches().retrieve(created.id);
  EXPECT_EQ(seen.id, created.id);
  EXPECT_EQ(seen.request_counts, created.request_counts);
  am::MessageBatch canceling = client_->beta().messages().batches().cancel(created.id);
  EXPECT_EQ(canceling.processing_status, am::ProcessingStatus::canceling);
  EXPECT_EQ(batches().retrieve(created.id).processing_status, am::ProcessingStatus::canceling);
}

TEST(MessageBatchJson, UnknownMembersAreKeptAtEveryLevelAndRoundTrip) {
  const std::string text =
      R"({"id":"msgbatch_1","type":"message_batch","processing_status":"paused",)"
      R"("request_counts":{"processing":1,"succeeded":2,"errored":0,"canceled":0,"expired":0,)"
      R"("paused":4},"ended_at":null,"created_at":"2026-10-21T10:00:00Z",)"
      R"("expires_at":"2026-10-22T10:00:00Z","archived_at":null,"cancel_initiated_at":null,)"
      R"("results_url":null,"priority":{"weight":1.50,"level":"high"},"cost":1e2})";
  auto batch = anthropic::from_json<am::MessageBatch>(text);
  EXPECT_EQ(batch.processing_status.str(), "paused");  // open enum
  EXPECT_FALSE(batch.processing_status.is_known());
  ASSERT_TRUE(batch.extra_fields.has_value());
  // Verbatim: key order and number spelling as sent.
  EXPECT_EQ(batch.extra_fields->str(), R"({"priority":{"weight":1.50,"level":"high"},"cost":1e2})");
  ASSERT_TRUE(batch.request_counts.extra_fields.has_value());
  EXPECT_EQ(batch.request_counts.extra_fields->str(), R"({"paused":4})");
  EXPECT_EQ(nlohmann::json::parse(anthropic::to_json(batch)), nlohmann::json::parse(text));

  const std::string deleted = R"({"id":"msgbatch_1","type":"message_batch_deleted","at":1.0})";
  EXPECT_EQ(anthropic::from_json<am::DeletedMessageBatch>(deleted).extra_fields->str(),
            R"({"at":1.0})");
  EXPECT_EQ(nlohmann::json::parse(
                anthropic::to_json(anthropic::from_json<am::DeletedMessageBatch>(deleted))),
            nlohmann::json::parse(deleted));
  EXPECT_THROW(anthropic::from_json<am::MessageBatch>(R"({"id":"x"})"),
               anthropic::AnthropicInvalidDataException);
}

TEST(MessageBatchJson, AGaResultsLineRoundTripsThroughTheGaTypes) {
  const std::string line =
      R"({"custom_id":"a","result":{"type":"succeeded","message":{"id":"msg_1","type":"message",)"
      R"("role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"hi",)"
      R"("citations":null},{"type":"tool_use","id":"toolu_1","name":"f","input":{"x":1}}],)"
      R"("stop_reason":"tool_use","stop_sequence":null,"stop_details":null,"container":null,)"
      R"("diagnostics":null,"usage":{"input_tokens":3,"output_tokens":5,)"
      R"("cache_creation_input_tokens":null,"cache_read_input_tokens":null,)"
      R"("cache_creation":null,"server_tool_use":null,"service_tier":null,"inference_geo":null,)"
      R"("output_tokens_details":null,"speed":null,"future":true}},"later":1},"shard":7})";
  auto decoded = anthropic::from_json<am::MessageBatchIndividualResponse>(line);
  ASSERT_TRUE(decoded.result.message.has_value());
  // A tool_use block without `caller` (older answers) decodes.
  EXPECT_EQ(std::get<anthropic::ToolUseBlock>(decoded.result.message->content.at(1)).name, "f");
  EXPECT_EQ(nlohmann::json::parse(anthropic::to_json(decoded)), nlohmann::json::parse(line));
}

}  // namespace
