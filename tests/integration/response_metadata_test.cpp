// RequestOptions::response_into over real HTTP on 127.0.0.1: every operation hands over the
// status, headers and request-id of its successful response; a failed call leaves it untouched.

#include <anthropic/anthropic.hpp>

#include <gtest/gtest.h>

#include "support/test_server.hpp"

#include <string>

namespace {

using anthropic::testing::batch_json;
using anthropic::testing::TestServer;
namespace bm = anthropic::beta::messages;

class ResponseMetadataTest : public ::testing::Test {
 protected:
  ResponseMetadataTest() {
    anthropic::ClientOptions o;
    o.api_key = "k";
    o.base_url = server.base_url();
    o.max_retries = 0;
    client = std::make_unique<anthropic::Client>(o);
    with_meta.response_into = &meta;
  }

  // Answers with `status` and `body`, and a request-id unique to this answer.
  void answer(int status, std::string body, const std::string& request_id,
              const char* content_type = "application/json") {
    server.handle([=](const httplib::Request&, httplib::Response& res) {
      res.status = status;
      res.set_header("request-id", request_id);
      res.set_header("x-extra", "seen");
      res.set_content(body, content_type);
    });
  }

  void expect_meta(int status, const std::string& request_id) {
    EXPECT_EQ(meta.status_code, status);
    EXPECT_EQ(meta.request_id(), request_id);
    ASSERT_NE(meta.headers.find("x-extra"), nullptr);
    EXPECT_EQ(*meta.headers.find("x-extra"), "seen");
  }

  bm::BatchService& batches() { return client->beta().messages().batches(); }

  TestServer server;
  std::unique_ptr<anthropic::Client> client;
  anthropic::ResponseMetadata meta;
  anthropic::RequestOptions with_meta;
};

TEST_F(ResponseMetadataTest, CreateGivesTheRequestIdOfTheCallThatMadeTheBatch) {
  answer(200, batch_json("msgbatch_1"), "req_create_1");
  bm::BetaMessageBatchCreateParams params;
  bm::BetaMessageBatchCreateParams::Request r;
  r.custom_id = "a";
  r.params.model = "m";
  r.params.max_tokens = 1;
  r.params.messages.push_back(anthropic::beta::BetaMessageParam::user("hi"));
  params.requests.push_back(r);
  EXPECT_EQ(batches().create(params, with_meta).id, "msgbatch_1");
  expect_meta(200, "req_create_1");
}

TEST_F(ResponseMetadataTest, RetrieveListCancelDeleteEachFillIt) {
  answer(200, batch_json("b"), "req_retrieve");
  batches().retrieve(bm::BetaMessageBatchRetrieveParams{{"b", {}, {}}}, with_meta);
  expect_meta(200, "req_retrieve");

  answer(200, R"({"data":[],"has_more":false,"first_id":null,"last_id":null})", "req_list");
  batches().list(bm::BetaMessageBatchListParams{}, with_meta);
  expect_meta(200, "req_list");

  answer(200, batch_json("b", "canceling"), "req_cancel");
  batches().cancel(bm::BetaMessageBatchCancelParams{{"b", {}, {}}}, with_meta);
  expect_meta(200, "req_cancel");

  answer(200, R"({"id":"b","type":"message_batch_deleted"})", "req_delete");
  batches().delete_(bm::BetaMessageBatchDeleteParams{{"b", {}, {}}}, with_meta);
  expect_meta(200, "req_delete");
}

TEST_F(ResponseMetadataTest, ResultsFillItWhenTheStreamOpensBeforeAnyLineIsRead) {
  answer(200,
         R"({"custom_id":"a","result":{"type":"expired"}})"
         "\n",
         "req_results", "application/x-jsonl");
  auto stream = batches().results(bm::BetaMessageBatchResultsParams{{"b", {}, {}}}, with_meta);
  expect_meta(200, "req_results");
  std::size_t n = 0;
  for (const auto& line : stream) n += line.custom_id == "a";
  EXPECT_EQ(n, 1u);
}

TEST_F(ResponseMetadataTest, AFailedCallLeavesItUntouched) {
  answer(200, batch_json("b"), "req_ok");
  batches().retrieve(bm::BetaMessageBatchRetrieveParams{{"b", {}, {}}}, with_meta);
  answer(404, R"({"type":"error","error":{"type":"not_found_error","message":"no"}})",
         "req_missing");
  EXPECT_THROW(batches().retrieve(bm::BetaMessageBatchRetrieveParams{{"b", {}, {}}}, with_meta),
               anthropic::NotFoundException);
  EXPECT_THROW(batches().results(bm::BetaMessageBatchResultsParams{{"b", {}, {}}}, with_meta),
               anthropic::NotFoundException);
  expect_meta(200, "req_ok");  // still the earlier success
}

TEST(ResponseMetadata, WithoutARequestIdHeaderTheRequestIdIsEmpty) {
  anthropic::ResponseMetadata m;
  m.headers.set("x-request-id", "not-it");
  EXPECT_EQ(m.request_id(), "");
  m.headers.set("Request-Id", "req_1");  // header names match case-insensitively
  EXPECT_EQ(m.request_id(), "req_1");
}

}  // namespace
