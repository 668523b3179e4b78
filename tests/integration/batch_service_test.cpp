// The batch service over real HTTP on 127.0.0.1: the exact request that arrives for each
// operation under API version 2023-06-01 (x-api-key, the batches beta header, ?beta=true), and
// the decoded answer. The 2026-10-21 form of every operation: api_version_wire_test.cpp.

#include <anthropic/anthropic.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_server.hpp"

#include <atomic>
#include <string>

namespace {

using anthropic::testing::batch_json;
using anthropic::testing::RecordedRequest;
using anthropic::testing::TestServer;
namespace bm = anthropic::beta::messages;
using anthropic::beta::BetaMessageParam;

constexpr const char* kKey = "sk-ant-test-KEY";

class BatchServiceTest : public ::testing::Test {
 protected:
  anthropic::Client make_client(anthropic::ClientOptions options = {}) {
    options.api_key = kKey;
    options.base_url = server.base_url();
    options.anthropic_version = "2023-06-01";
    options.sleeper = [](std::chrono::milliseconds) {};
    return anthropic::Client(options);
  }

  static bm::BetaMessageBatchCreateParams two_requests() {
    bm::BetaMessageBatchCreateParams params;
    bm::BetaMessageBatchCreateParams::Request first;
    first.custom_id = "my-first-request";
    first.params.model = "claude-x";
    first.params.max_tokens = 1024;
    first.params.messages.push_back(BetaMessageParam::user("Hello, world"));
    bm::BetaMessageBatchCreateParams::Request second;
    second.custom_id = "my-second-request";
    second.params.model = "claude-x";
    second.params.max_tokens = 1024;
    second.params.messages.push_back(BetaMessageParam::user("Hi again, friend"));
    params.requests.push_back(first);
    params.requests.push_back(second);
    return params;
  }

  static void expect_common_headers(const RecordedRequest& r) {
    EXPECT_EQ(r.header("x-api-key"), kKey);
    EXPECT_EQ(r.header("anthropic-version"), "2023-06-01");
    EXPECT_EQ(r.header_count("anthropic-beta"), 1u);
    EXPECT_EQ(r.header("user-agent"), std::string("anthropic-cpp/") + anthropic::version);
    EXPECT_EQ(r.header("authorization"), "");
  }

  TestServer server;
};

TEST_F(BatchServiceTest, CreateSendsTheWireFormAndDecodesTheBatch) {
  server.respond(200, batch_json("msgbatch_013Zva2CMHLNnXjNJJKqJ2EF", "in_progress", 2));
  auto client = make_client();

  bm::BetaMessageBatch batch = client.beta().messages().batches().create(two_requests());

  RecordedRequest r = server.last_request();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/v1/messages/batches?beta=true");
  expect_common_headers(r);
  EXPECT_EQ(r.header("anthropic-beta"), "message-batches-2024-09-24");
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("accept"), "application/json");
  // Byte-for-byte the body the official SDK sends for the same params (wire-captures.md).
  EXPECT_EQ(r.body,
            R"({"requests":[{"custom_id":"my-first-request","params":{"model":"claude-x",)"
            R"("max_tokens":1024,"messages":[{"role":"user","content":"Hello, world"}]}},)"
            R"({"custom_id":"my-second-request","params":{"model":"claude-x","max_tokens":1024,)"
            R"("messages":[{"role":"user","content":"Hi again, friend"}]}}]})");
  EXPECT_EQ(r.header("content-length"), std::to_string(r.body.size()));

  EXPECT_EQ(batch.id, "msgbatch_013Zva2CMHLNnXjNJJKqJ2EF");
  EXPECT_EQ(batch.type, "message_batch");
  EXPECT_EQ(batch.processing_status, bm::ProcessingStatus::in_progress);
  EXPECT_EQ(batch.request_counts.processing, 2);
  EXPECT_EQ(batch.request_counts.total(), 2);
  EXPECT_EQ(batch.created_at.str(), "2026-08-20T10:00:00.000000Z");
  EXPECT_FALSE(batch.ended_at.has_value());
  EXPECT_FALSE(batch.results_url.has_value());
}

TEST_F(BatchServiceTest, CreateMergesBetasUserFirstWithoutDuplicates) {
  server.respond(200, batch_json("msgbatch_1"));
  auto client = make_client();
  auto params = two_requests();
  params.betas = {"prompt-caching-2024-07-31", "message-batches-2024-09-24",
                  "prompt-caching-2024-07-31"};
  client.beta().messages().batches().create(params);
  EXPECT_EQ(server.last_request().header("anthropic-beta"),
            "prompt-caching-2024-07-31,message-batches-2024-09-24");
}

TEST_F(BatchServiceTest, CreateSendsUserProfileHeaderAndPerCallOptions) {
  server.respond(200, batch_json("msgbatch_1"));
  auto client = make_client();
  auto params = two_requests();
  params.user_profile_id = "prof_123";
  anthropic::RequestOptions per_call;
  per_call.timeout = std::chrono::seconds(30);
  per_call.extra_headers.set("anthropic-workspace-id", "wrkspc_1");
  per_call.extra_query = {{"trace", "a b"}};
  client.beta().messages().batches().create(params, per_call);
  RecordedRequest r = server.last_request();
  EXPECT_EQ(r.header("anthropic-user-profile-id"), "prof_123");
  EXPECT_EQ(r.header("anthropic-workspace-id"), "wrkspc_1");
  EXPECT_EQ(r.target, "/v1/messages/batches?beta=true&trace=a%20b");
}

TEST_F(BatchServiceTest, BearerTokenAndApiKeyAreBothSentWhenBothSet) {
  server.respond(200, batch_json("msgbatch_1"));
  anthropic::ClientOptions options;
  options.auth_token = "tok-SECRET";
  auto client = make_client(options);
  client.beta().messages().batches().retrieve("msgbatch_1");
  RecordedRequest r = server.last_request();
  EXPECT_EQ(r.header("x-api-key"), kKey);
  EXPECT_EQ(r.header("authorization"), "Bearer tok-SECRET");
}

TEST_F(BatchServiceTest, DefaultHeadersAreSentAndCanReplaceSdkHeaders) {
  server.respond(200, batch_json("msgbatch_1"));
  anthropic::ClientOptions options;
  options.default_headers.set("x-team", "research");
  options.default_headers.set("Anthropic-Version", "2099-01-01");
  auto client = make_client(options);
  client.beta().messages().batches().retrieve("msgbatch_1");
  RecordedRequest r = server.last_request();
  EXPECT_EQ(r.header("x-team"), "research");
  EXPECT_EQ(r.header("anthropic-version"), "2099-01-01");
  EXPECT_EQ(r.header_count("anthropic-version"), 1u);
}

TEST_F(BatchServiceTest, CancelPostsWithoutBodyAndDecodesCanceling) {
  server.respond(200, R"({"id":"msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d","type":"message_batch",)"
                      R"("processing_status":"canceling","request_counts":{"processing":2,)"
                      R"("succeeded":1,"errored":2,"canceled":3,"expired":4},)"
                      R"("created_at":"2026-08-20T10:00:00.000000Z",)"
                      R"("expires_at":"2026-08-21T10:00:00.000000Z","ended_at":null,)"
                      R"("cancel_initiated_at":"2026-08-20T10:05:12.345678Z",)"
                      R"("archived_at":null,"results_url":null})");
  auto client = make_client();
  bm::BetaMessageBatchCancelParams cancel;
  cancel.message_batch_id = "msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d";
  bm::BetaMessageBatch b = client.beta().messages().batches().cancel(cancel);

  RecordedRequest r = server.last_request();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/v1/messages/batches/msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d/cancel?beta=true");
  expect_common_headers(r);
  EXPECT_EQ(r.header("anthropic-beta"), "message-batches-2024-09-24");
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(r.header("content-type"), "");

  EXPECT_EQ(b.processing_status, bm::ProcessingStatus::canceling);
  ASSERT_TRUE(b.cancel_initiated_at.has_value());
  EXPECT_EQ(b.cancel_initiated_at->str(), "2026-08-20T10:05:12.345678Z");
  EXPECT_EQ(b.request_counts, (bm::BetaMessageBatchRequestCounts{2, 1, 2, 3, 4, {}}));
}

TEST_F(BatchServiceTest, IdsArePercentEncodedAsOnePathSegment) {
  server.respond(200, batch_json("x"));
  auto client = make_client();
  auto& batches = client.beta().messages().batches();
  batches.retrieve("a/b?c#d e%f");
  EXPECT_EQ(server.last_request().target, "/v1/messages/batches/a%2Fb%3Fc%23d%20e%25f?beta=true");
  batches.retrieve("..");
  EXPECT_EQ(server.last_request().target, "/v1/messages/batches/%2E%2E?beta=true");
  batches.retrieve("caf\xc3\xa9");
  EXPECT_EQ(server.last_request().target, "/v1/messages/batches/caf%C3%A9?beta=true");
}

TEST_F(BatchServiceTest, EmptyIdIsRejectedBeforeSending) {
  auto client = make_client();
  auto& batches = client.beta().messages().batches();
  EXPECT_THROW(batches.retrieve(""), anthropic::AnthropicInvalidRequestException);
  EXPECT_THROW(batches.cancel(""), anthropic::AnthropicInvalidRequestException);
  EXPECT_THROW(batches.delete_(""), anthropic::AnthropicInvalidRequestException);
  EXPECT_THROW(batches.results(""), anthropic::AnthropicInvalidRequestException);
  EXPECT_EQ(server.request_count(), 0u);
}

TEST_F(BatchServiceTest, RetrieveAndDelete) {
  auto client = make_client();
  auto& batches = client.beta().messages().batches();
  server.respond(200, batch_json("msgbatch_7", "ended", 0));
  bm::BetaMessageBatchRetrieveParams rp;
  rp.message_batch_id = "msgbatch_7";
  rp.betas = {"files-api-2025-04-14"};
  EXPECT_EQ(batches.retrieve(rp).processing_status, bm::ProcessingStatus::ended);
  RecordedRequest r = server.last_request();
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/v1/messages/batches/msgbatch_7?beta=true");
  EXPECT_EQ(r.header("anthropic-beta"), "files-api-2025-04-14,message-batches-2024-09-24");
  expect_common_headers(r);

  server.respond(200, R"({"id":"msgbatch_7","type":"message_batch_deleted"})");
  bm::BetaDeletedMessageBatch d = batches.delete_("msgbatch_7");
  r = server.last_request();
  EXPECT_EQ(r.method, "DELETE");
  EXPECT_EQ(r.target, "/v1/messages/batches/msgbatch_7?beta=true");
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(d.id, "msgbatch_7");
  EXPECT_EQ(d.type, "message_batch_deleted");
}

}  // namespace
