#pragma once

/// A GoogleMock `BatchService` for users' unit tests (link `anthropic::testing`: it brings
/// GoogleMock).
///
///     anthropic::testing::MockBatchService batches;
///     EXPECT_CALL(batches, retrieve(testing::_, testing::_)).WillOnce(testing::Return(batch));
///     my_code_under_test(batches);   // takes a BatchService&
///
/// Results are returned as `BatchResultsStream::from_jsonl(...)`.

#include <anthropic/beta/messages/batch_service.hpp>

#include <gmock/gmock.h>

namespace anthropic::testing {

/// A GoogleMock `BasicBatchService<Family>`: `MockBatchService` (beta) and
/// `MockMessagesBatchService` (GA, `anthropic::messages::BatchService`).
template <class Family>
class BasicMockBatchService : public ::anthropic::messages::BasicBatchService<Family> {
 public:
  /// The mocked service interface.
  using Base = ::anthropic::messages::BasicBatchService<Family>;
  ///@{
  /// The base's convenience overloads (without options, by id), kept visible beside the mocked
  /// ones: they call the mocked pure virtual forms, so one `EXPECT_CALL` covers both.
  using Base::cancel;
  using Base::create;
  using Base::create_encoded;
  using Base::delete_;
  using Base::list;
  using Base::results;
  using Base::retrieve;
  ///@}

  /// Mocked `create(params, options)`.
  MOCK_METHOD(::anthropic::messages::MessageBatch, create,
              (const ::anthropic::messages::BasicMessageBatchCreateParams<Family>&,
               const RequestOptions&),
              (override));
  /// Mocked `create_encoded(params, options)`.
  MOCK_METHOD(::anthropic::messages::MessageBatch, create_encoded,
              (const ::anthropic::messages::EncodedBatchCreateParams&, const RequestOptions&),
              (override));
  /// Mocked `retrieve(params, options)`.
  MOCK_METHOD(::anthropic::messages::MessageBatch, retrieve,
              (const ::anthropic::messages::MessageBatchRetrieveParams&, const RequestOptions&),
              (override));
  /// Mocked `list(params, options)`; a page built by hand has no next page.
  MOCK_METHOD(::anthropic::messages::BatchListPage, list,
              (const ::anthropic::messages::MessageBatchListParams&, const RequestOptions&),
              (override));
  /// Mocked `cancel(params, options)`.
  MOCK_METHOD(::anthropic::messages::MessageBatch, cancel,
              (const ::anthropic::messages::MessageBatchCancelParams&, const RequestOptions&),
              (override));
  /// Mocked `delete_(params, options)`.
  MOCK_METHOD(::anthropic::messages::DeletedMessageBatch, delete_,
              (const ::anthropic::messages::MessageBatchDeleteParams&, const RequestOptions&),
              (override));
  /// Mocked `results(params, options)`: return `ResultsStream::from_jsonl(...)` (move-only, so
  /// use `WillOnce(testing::Return(testing::ByMove(...)))`).
  MOCK_METHOD(::anthropic::messages::BasicBatchResultsStream<Family>, results,
              (const ::anthropic::messages::MessageBatchResultsParams&, const RequestOptions&),
              (override));
};

/// A mock of the beta service (`client.beta().messages().batches()`).
using MockBatchService = BasicMockBatchService<beta::messages::BetaFamily>;
/// A mock of the GA service (`client.messages().batches()`).
using MockMessagesBatchService = BasicMockBatchService<::anthropic::messages::GaFamily>;

}  // namespace anthropic::testing
