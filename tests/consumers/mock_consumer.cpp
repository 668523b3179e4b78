// A user's unit test against an installed or vendored SDK: it links anthropic::testing alone,
// which brings GoogleMock, and mocks the GA batch service. Exits non-zero if any check fails.

#include <anthropic/testing/mock_batch_service.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace {

using ::testing::_;
using ::testing::Field;
using ::testing::Return;

// "User code": whether a batch has ended, through the convenience overload taking an id.
bool has_ended(anthropic::messages::BatchService& batches, const std::string& id) {
  return batches.retrieve(id).processing_status == anthropic::messages::ProcessingStatus::ended;
}

TEST(MockConsumer, TheShippedMockStandsInForTheService) {
  anthropic::testing::MockMessagesBatchService batches;
  anthropic::messages::MessageBatch ended;
  ended.id = "msgbatch_1";
  ended.processing_status = anthropic::messages::ProcessingStatus::ended;
  EXPECT_CALL(batches,
              retrieve(Field(&anthropic::messages::MessageBatchRetrieveParams::message_batch_id,
                             "msgbatch_1"),
                       _))
      .WillOnce(Return(ended));
  EXPECT_TRUE(has_ended(batches, "msgbatch_1"));
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleMock(&argc, argv);
  return RUN_ALL_TESTS();
}
