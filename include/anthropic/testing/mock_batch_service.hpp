#pragma once

/// GoogleMock doubles of the Message Batches service for users' unit tests (link
/// `anthropic::testing`: it brings GoogleMock).
///
///     anthropic::testing::MockBatchService batches;   // a BatchService
///     EXPECT_CALL(batches, retrieve(testing::_, testing::_)).WillOnce(testing::Return(batch));
///     my_code_under_test(batches);   // takes a BatchService&
///
/// Results are returned as `BatchResultsStream::from_jsonl(...)`.

#include <anthropic/beta/messages/batch_service.hpp>

#include <gmock/gmock.h>

#include <memory>

namespace anthropic::testing {

/// A GoogleMock `BasicBatchServiceConnection<Family>`, for a service made by hand
/// (`BatchService service(connection)`): `MockBatchServiceConnection` (beta) and
/// `MockMessagesBatchServiceConnection` (GA).
template <class Family>
class BasicMockBatchServiceConnection
    : public ::anthropic::messages::BasicBatchServiceConnection<Family> {
 public:
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

/// A `BasicBatchService<Family>` whose operations are GoogleMock methods of this object:
/// `MockBatchService` (beta) and `MockMessagesBatchService` (GA). Pass it wherever your code
/// takes a `BatchService&`, and set expectations on the forms with options
/// (`create(params, options)`, ...): every overload of the service (without options, by id)
/// reaches them. Not copyable; a copy of its `BatchService` base must not outlive it.
template <class Family>
class BasicMockBatchService : public ::anthropic::messages::BasicBatchService<Family> {
 public:
  /// The service it stands for.
  using Base = ::anthropic::messages::BasicBatchService<Family>;

  /// A mock service with no expectations set.
  BasicMockBatchService() : Base(std::make_shared<Forward>(this)) {}

  ///@{
  /// The service's other overloads (without options, by id), kept visible beside the mocked
  /// ones: they reach the mocked methods, so one `EXPECT_CALL` covers them all.
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
               const RequestOptions&));
  /// Mocked `create_encoded(params, options)`.
  MOCK_METHOD(::anthropic::messages::MessageBatch, create_encoded,
              (const ::anthropic::messages::EncodedBatchCreateParams&, const RequestOptions&));
  /// Mocked `retrieve(params, options)`.
  MOCK_METHOD(::anthropic::messages::MessageBatch, retrieve,
              (const ::anthropic::messages::MessageBatchRetrieveParams&, const RequestOptions&));
  /// Mocked `list(params, options)`; a page built by hand has no next page.
  MOCK_METHOD(::anthropic::messages::BatchListPage, list,
              (const ::anthropic::messages::MessageBatchListParams&, const RequestOptions&));
  /// Mocked `cancel(params, options)`.
  MOCK_METHOD(::anthropic::messages::MessageBatch, cancel,
              (const ::anthropic::messages::MessageBatchCancelParams&, const RequestOptions&));
  /// Mocked `delete_(params, options)`.
  MOCK_METHOD(::anthropic::messages::DeletedMessageBatch, delete_,
              (const ::anthropic::messages::MessageBatchDeleteParams&, const RequestOptions&));
  /// Mocked `results(params, options)`: return `ResultsStream::from_jsonl(...)` (move-only, so
  /// use `WillOnce(testing::Return(testing::ByMove(...)))`).
  MOCK_METHOD(::anthropic::messages::BasicBatchResultsStream<Family>, results,
              (const ::anthropic::messages::MessageBatchResultsParams&, const RequestOptions&));

 private:
  // The connection of the base service: hands every operation to the mocked methods.
  class Forward final : public ::anthropic::messages::BasicBatchServiceConnection<Family> {
   public:
    explicit Forward(BasicMockBatchService* mock) : mock_(mock) {}
    ::anthropic::messages::MessageBatch create(
        const ::anthropic::messages::BasicMessageBatchCreateParams<Family>& p,
        const RequestOptions& o) override {
      return mock_->create(p, o);
    }
    ::anthropic::messages::MessageBatch create_encoded(
        const ::anthropic::messages::EncodedBatchCreateParams& p,
        const RequestOptions& o) override {
      return mock_->create_encoded(p, o);
    }
    ::anthropic::messages::MessageBatch retrieve(
        const ::anthropic::messages::MessageBatchRetrieveParams& p,
        const RequestOptions& o) override {
      return mock_->retrieve(p, o);
    }
    ::anthropic::messages::BatchListPage list(
        const ::anthropic::messages::MessageBatchListParams& p, const RequestOptions& o) override {
      return mock_->list(p, o);
    }
    ::anthropic::messages::MessageBatch cancel(
        const ::anthropic::messages::MessageBatchCancelParams& p,
        const RequestOptions& o) override {
      return mock_->cancel(p, o);
    }
    ::anthropic::messages::DeletedMessageBatch delete_(
        const ::anthropic::messages::MessageBatchDeleteParams& p,
        const RequestOptions& o) override {
      return mock_->delete_(p, o);
    }
    ::anthropic::messages::BasicBatchResultsStream<Family> results(
        const ::anthropic::messages::MessageBatchResultsParams& p,
        const RequestOptions& o) override {
      return mock_->results(p, o);
    }

   private:
    BasicMockBatchService* mock_;
  };
};

/// A mock of the beta service (`client.beta().messages().batches()`).
using MockBatchService = BasicMockBatchService<beta::messages::BetaFamily>;
/// A mock of the GA service (`client.messages().batches()`).
using MockMessagesBatchService = BasicMockBatchService<::anthropic::messages::GaFamily>;
/// A mock of the beta service's connection.
using MockBatchServiceConnection = BasicMockBatchServiceConnection<beta::messages::BetaFamily>;
/// A mock of the GA service's connection.
using MockMessagesBatchServiceConnection =
    BasicMockBatchServiceConnection<::anthropic::messages::GaFamily>;

}  // namespace anthropic::testing
