// How a user unit-tests their own code against BatchService with the shipped GoogleMock mock.

#include <anthropic/testing/mock_batch_service.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

namespace {

namespace bm = anthropic::beta::messages;
using ::testing::_;
using ::testing::ByMove;
using ::testing::Field;
using ::testing::Return;

// "User code": submits one request per ticket and collects the answers by custom_id.
std::map<std::string, std::string> classify(bm::BatchService& batches,
                                            const std::map<std::string, std::string>& tickets) {
  bm::BetaMessageBatchCreateParams params;
  for (const auto& [id, text] : tickets) {
    bm::BetaMessageBatchCreateParams::Request r;
    r.custom_id = id;
    r.params.model = "claude-sonnet-4-5";
    r.params.max_tokens = 64;
    r.params.messages.push_back(anthropic::beta::BetaMessageParam::user(text));
    params.requests.push_back(std::move(r));
  }
  bm::BetaMessageBatch batch = batches.create(params);
  std::map<std::string, std::string> answers;
  for (const auto& line : batches.results(batch.id)) {
    if (line.result.type == bm::BetaMessageBatchResultType::succeeded) {
      answers[line.custom_id] =
          std::get<anthropic::beta::BetaTextBlock>(line.result.message->content.at(0)).text;
    } else {
      answers[line.custom_id] = "<" + line.result.type.str() + ">";
    }
  }
  return answers;
}

TEST(MockBatchService, UserCodeIsTestedWithoutAServer) {
  anthropic::testing::MockBatchService batches;
  bm::BetaMessageBatch created;
  created.id = "msgbatch_mock";
  EXPECT_CALL(batches,
              create(Field(&bm::BetaMessageBatchCreateParams::requests, ::testing::SizeIs(2)), _))
      .WillOnce(Return(created));
  EXPECT_CALL(
      batches,
      results(Field(&bm::BetaMessageBatchResultsParams::message_batch_id, "msgbatch_mock"), _))
      .WillOnce(Return(ByMove(bm::BatchResultsStream::from_jsonl(
          R"({"custom_id":"t1","result":{"type":"succeeded","message":{"id":"m","type":"message","role":"assistant","model":"x","content":[{"type":"text","text":"billing"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}}})"
          "\n"
          R"({"custom_id":"t2","result":{"type":"expired"}})"))));

  auto answers = classify(batches, {{"t1", "wrong VAT"}, {"t2", "late parcel"}});
  EXPECT_EQ(answers, (std::map<std::string, std::string>{{"t1", "billing"}, {"t2", "<expired>"}}));
}

}  // namespace
