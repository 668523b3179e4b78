#pragma once

/// A GoogleMock `BatchService` for users' unit tests (link `anthropic::testing` and GoogleMock).
///
///     anthropic::testing::MockBatchService batches;
///     EXPECT_CALL(batches, retrieve(testing::_, testing::_)).WillOnce(testing::Return(batch));
///     my_code_under_test(batches);   // takes a BatchService&
///
/// Results are returned as `BatchResultsStream::from_jsonl(...)`.

#include <anthropic/beta/messages/batch_service.hpp>

#include <gmock/gmock.h>

namespace anthropic::testing {

class MockBatchService : public beta::messages::BatchService {
 public:
  using BatchService::cancel;
  using BatchService::create;
  using BatchService::create_encoded;
  using BatchService::delete_;
  using BatchService::list;
  using BatchService::results;
  using BatchService::retrieve;

  MOCK_METHOD(beta::messages::BetaMessageBatch, create,
              (const beta::messages::BetaMessageBatchCreateParams&, const RequestOptions&),
              (override));
  MOCK_METHOD(beta::messages::BetaMessageBatch, create_encoded,
              (const beta::messages::EncodedBatchCreateParams&, const RequestOptions&), (override));
  MOCK_METHOD(beta::messages::BetaMessageBatch, retrieve,
              (const beta::messages::BetaMessageBatchRetrieveParams&, const RequestOptions&),
              (override));
  MOCK_METHOD(beta::messages::BatchListPage, list,
              (const beta::messages::BetaMessageBatchListParams&, const RequestOptions&),
              (override));
  MOCK_METHOD(beta::messages::BetaMessageBatch, cancel,
              (const beta::messages::BetaMessageBatchCancelParams&, const RequestOptions&),
              (override));
  MOCK_METHOD(beta::messages::BetaDeletedMessageBatch, delete_,
              (const beta::messages::BetaMessageBatchDeleteParams&, const RequestOptions&),
              (override));
  MOCK_METHOD(beta::messages::BatchResultsStream, results,
              (const beta::messages::BetaMessageBatchResultsParams&, const RequestOptions&),
              (override));
};

}  // namespace anthropic::testing
