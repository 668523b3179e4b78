// How a user unit-tests their own code against BatchService with the shipped GoogleMock mock.

#include <anthropic/testing/mock_batch_service.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

namespace bm = anthropic::beta::messages;
using ::testing::_;
using ::testing::ByMove;
using ::testing::Field;
using ::testing::Return;

// "User code": submits one request per ticket and collects the answers by custom_id. Written
// once for both services (GA `anthropic::messages::BatchService`, beta `bm::BatchService`).
template <class F>
std::map<std::string, std::string> classify(anthropic::messages::BasicBatchService<F>& batches,
                                            const std::map<std::string, std::string>& tickets) {
  typename anthropic::messages::BasicBatchService<F>::CreateParams params;
  for (const auto& [id, text] : tickets) {
    typename decltype(params)::Request r;
    r.custom_id = id;
    r.params.model = "claude-sonnet-4-5";
    r.params.max_tokens = 64;
    r.params.messages.push_back(F::MessageParam::user(text));
    params.requests.push_back(std::move(r));
  }
  anthropic::messages::MessageBatch batch = batches.create(params);
  std::map<std::string, std::string> answers;
  for (const auto& line : batches.results(batch.id)) {
    if (line.result.type == anthropic::messages::MessageBatchResultType::succeeded) {
      answers[line.custom_id] =
          std::get<typename F::TextBlock>(line.result.message->content.at(0)).text;
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

// A user's own fake: a connection overriding only what it needs (no `using` declarations, no
// stubs for the other operations), under the SDK's service. Its pages page through it.
class TwoPages final : public bm::BatchServiceConnection {
 public:
  int list_calls = 0;

  bm::BatchListPage list(const bm::BetaMessageBatchListParams& params,
                         const anthropic::RequestOptions& options) override {
    ++list_calls;
    bm::BetaMessageBatch b;
    b.id = params.after_id ? "second" : "first";
    return bm::BatchListPage({b}, !params.after_id, b.id, b.id, this, params, options);
  }
};

TEST(MockBatchService, AUserConnectionOverridesOnlyWhatItUses) {
  auto connection = std::make_shared<TwoPages>();
  bm::BatchService service(connection);
  std::vector<std::string> ids;
  for (const auto& b : service.list().auto_paging()) ids.push_back(b.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(connection->list_calls, 2);

  // What it does not override says so, whichever overload is called.
  try {
    service.retrieve("msgbatch_x");
    ADD_FAILURE() << "no exception";
  } catch (const anthropic::AnthropicException& e) {
    EXPECT_STREQ(e.what(),
                 "BatchServiceConnection::retrieve is not implemented by this connection");
  }
  EXPECT_THROW(service.cancel("msgbatch_x"), anthropic::AnthropicException);
  EXPECT_THROW(service.results("msgbatch_x"), anthropic::AnthropicException);

  // Copies of the service share the connection; a service needs one.
  bm::BatchService copy = service;
  EXPECT_EQ(copy.connection(), service.connection());
  EXPECT_THROW(bm::BatchService(nullptr), anthropic::AnthropicInvalidRequestException);
}

TEST(MockBatchService, AMockedConnectionUnderTheService) {
  namespace am = anthropic::messages;
  auto connection = std::make_shared<anthropic::testing::MockMessagesBatchServiceConnection>();
  am::BatchService service(connection);
  am::MessageBatch ended;
  ended.id = "msgbatch_c";
  ended.processing_status = am::ProcessingStatus::ended;
  EXPECT_CALL(*connection,
              retrieve(Field(&am::MessageBatchRetrieveParams::message_batch_id, "msgbatch_c"), _))
      .WillOnce(Return(ended));
  // wait_until_ended is the service's own, over the connection's retrieve.
  EXPECT_EQ(service.wait_until_ended("msgbatch_c").id, "msgbatch_c");
}

TEST(MockBatchService, TheGaServiceHasItsOwnMock) {
  namespace am = anthropic::messages;
  anthropic::testing::MockMessagesBatchService batches;
  am::BatchService& as_service = batches;  // what user code takes
  am::MessageBatch created;
  created.id = "msgbatch_ga";
  EXPECT_CALL(batches,
              create(Field(&am::MessageBatchCreateParams::requests, ::testing::SizeIs(1)), _))
      .WillOnce(Return(created));
  EXPECT_CALL(batches,
              results(Field(&am::MessageBatchResultsParams::message_batch_id, "msgbatch_ga"), _))
      .WillOnce(Return(ByMove(am::BatchResultsStream::from_jsonl(
          R"({"custom_id":"t1","result":{"type":"succeeded","message":{"id":"m","type":"message","role":"assistant","model":"x","content":[{"type":"text","text":"shipping","citations":null}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}}})"))));
  // The convenience overload (id only) reaches the mocked virtual.
  EXPECT_CALL(batches, retrieve(Field(&am::MessageBatchRetrieveParams::message_batch_id, "x"), _))
      .WillOnce(Return(created));

  EXPECT_EQ(classify(as_service, {{"t1", "late parcel"}}),
            (std::map<std::string, std::string>{{"t1", "shipping"}}));
  EXPECT_EQ(as_service.retrieve("x").id, "msgbatch_ga");
}

}  // namespace
