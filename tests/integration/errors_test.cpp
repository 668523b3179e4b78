// HTTP error statuses and bad bodies map to the documented exception classes.

#include <anthropic/anthropic.hpp>

#include <gtest/gtest.h>

#include "support/test_server.hpp"

#include <functional>
#include <string>

namespace {

using anthropic::testing::TestServer;

constexpr const char* kKey = "sk-ant-SECRET-for-errors";

class ErrorsTest : public ::testing::Test {
 public:
  anthropic::Client client() {
    anthropic::ClientOptions options;
    options.api_key = kKey;
    options.base_url = server.base_url();
    options.max_retries = 0;
    return anthropic::Client(options);
  }

  // Answers with `status` and the API's error envelope of `type`.
  void answer(int status, const std::string& type) {
    server.handle([status, type](const httplib::Request&, httplib::Response& res) {
      res.status = status;
      res.set_header("request-id", "req_011CXYZ");
      res.set_content(R"({"type":"error","error":{"type":")" + type +
                          R"(","message":"something about )" + type +
                          R"("},"request_id":"req_body_id"})",
                      "application/json");
    });
  }

  TestServer server;
};

template <class Expected>
void expect_maps(ErrorsTest& t, int status, const std::string& type,
                 const std::function<void(anthropic::Client&)>& call) {
  SCOPED_TRACE("status " + std::to_string(status));
  auto c = t.client();
  try {
    call(c);
    ADD_FAILURE() << "no exception";
  } catch (const Expected& e) {
    EXPECT_EQ(e.status_code(), status);
    EXPECT_EQ(e.error_type(), type);
    EXPECT_EQ(e.error_message(), "something about " + type);
    EXPECT_EQ(e.request_id(), "req_011CXYZ");
    EXPECT_EQ(e.headers().get("Request-Id"), "req_011CXYZ");
    std::string what = e.what();
    EXPECT_NE(what.find(std::to_string(status)), std::string::npos) << what;
    EXPECT_NE(what.find(type), std::string::npos) << what;
    EXPECT_NE(what.find("req_011CXYZ"), std::string::npos) << what;
    EXPECT_EQ(what.find(kKey), std::string::npos) << what;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception: " << e.what();
  }
}

TEST_F(ErrorsTest, EachStatusMapsToItsClass) {
  auto retrieve = [](anthropic::Client& c) {
    c.beta().messages().batches().retrieve("msgbatch_1");
  };
  answer(400, "invalid_request_error");
  expect_maps<anthropic::BadRequestException>(*this, 400, "invalid_request_error", retrieve);
  answer(401, "authentication_error");
  expect_maps<anthropic::AuthenticationException>(*this, 401, "authentication_error", retrieve);
  answer(402, "billing_error");
  expect_maps<anthropic::BillingException>(*this, 402, "billing_error", retrieve);
  answer(403, "permission_error");
  expect_maps<anthropic::PermissionDeniedException>(*this, 403, "permission_error", retrieve);
  answer(404, "not_found_error");
  expect_maps<anthropic::NotFoundException>(*this, 404, "not_found_error", retrieve);
  answer(409, "conflict_error");
  expect_maps<anthropic::ConflictException>(*this, 409, "conflict_error", retrieve);
  answer(413, "request_too_large");
  expect_maps<anthropic::RequestTooLargeException>(*this, 413, "request_too_large", retrieve);
  answer(422, "invalid_request_error");
  expect_maps<anthropic::UnprocessableEntityException>(*this, 422, "invalid_request_error",
                                                       retrieve);
  answer(429, "rate_limit_error");
  expect_maps<anthropic::RateLimitException>(*this, 429, "rate_limit_error", retrieve);
  answer(500, "api_error");
  expect_maps<anthropic::InternalServerException>(*this, 500, "api_error", retrieve);
  answer(503, "api_error");
  expect_maps<anthropic::InternalServerException>(*this, 503, "api_error", retrieve);
  answer(529, "overloaded_error");
  expect_maps<anthropic::OverloadedException>(*this, 529, "overloaded_error", retrieve);
  answer(418, "teapot_error");
  expect_maps<anthropic::UnexpectedStatusCodeException>(*this, 418, "teapot_error", retrieve);
}

TEST_F(ErrorsTest, OverloadedIsAnInternalServerException) {
  answer(529, "overloaded_error");
  auto c = client();
  EXPECT_THROW(c.beta().messages().batches().retrieve("b"), anthropic::InternalServerException);
}

TEST_F(ErrorsTest, NonJsonErrorBodyKeepsTheClassAndTheRawText) {
  server.handle([](const httplib::Request&, httplib::Response& res) {
    res.status = 413;
    res.set_content("<html><body>413 Request Entity Too Large</body></html>", "text/html");
  });
  auto c = client();
  try {
    c.beta().messages().batches().cancel("msgbatch_1");
    FAIL() << "no exception";
  } catch (const anthropic::RequestTooLargeException& e) {
    EXPECT_EQ(e.status_code(), 413);
    EXPECT_EQ(e.error_type(), "");
    EXPECT_EQ(e.body(), "<html><body>413 Request Entity Too Large</body></html>");
    EXPECT_NE(std::string(e.what()).find("413 Request Entity Too Large"), std::string::npos);
    EXPECT_FALSE(e.request_id().empty());  // the test server's request-id header
  }
  server.handle([](const httplib::Request&, httplib::Response& res) {
    res.status = 502;
    res.set_content("<html>Bad Gateway</html>", "text/html");
  });
  EXPECT_THROW(c.beta().messages().batches().retrieve("msgbatch_1"),
               anthropic::InternalServerException);
}

TEST_F(ErrorsTest, MalformedSuccessBodyIsInvalidData) {
  auto c = client();
  auto& batches = c.beta().messages().batches();
  for (const char* body : {"not json", "[]", "{}", R"({"id":"x","type":"message_batch"})",
                           R"({"id":5,"type":"message_batch","processing_status":"ended"})", ""}) {
    SCOPED_TRACE(body);
    server.respond(200, body);
    EXPECT_THROW(batches.retrieve("msgbatch_1"), anthropic::AnthropicInvalidDataException);
  }
}

TEST_F(ErrorsTest, CreateChecksRequestsBeforeSending) {
  auto c = client();
  auto& batches = c.beta().messages().batches();
  namespace bm = anthropic::beta::messages;
  auto request = [](std::string id) {
    bm::BetaMessageBatchCreateParams::Request r;
    r.custom_id = std::move(id);
    r.params.model = "m";
    r.params.max_tokens = 1;
    r.params.messages.push_back(anthropic::beta::BetaMessageParam::user("x"));
    return r;
  };
  auto expect_rejected = [&](const bm::BetaMessageBatchCreateParams& p,
                             std::optional<std::size_t> index, const std::string& mention) {
    try {
      batches.create(p);
      ADD_FAILURE() << "not rejected";
    } catch (const anthropic::AnthropicInvalidRequestException& e) {
      EXPECT_EQ(e.request_index(), index);
      EXPECT_NE(std::string(e.what()).find(mention), std::string::npos) << e.what();
    }
  };

  bm::BetaMessageBatchCreateParams p;
  expect_rejected(p, std::nullopt, "at least one");

  p.requests = {request("ok-1"), request("bad id!")};
  expect_rejected(p, 1, "requests[1].custom_id");
  p.requests = {request("ok-1"), request(std::string(65, 'a'))};
  expect_rejected(p, 1, "64");
  p.requests = {request("ok-1"), request("")};
  expect_rejected(p, 1, "requests[1]");
  p.requests = {request("a"), request("b"), request("a")};
  expect_rejected(p, 2, "unique");
  p.requests = {request(std::string(64, 'z'))};  // 64 characters is allowed: sent
  server.respond(200, anthropic::testing::batch_json("msgbatch_ok"));
  EXPECT_EQ(batches.create(p).id, "msgbatch_ok");
  EXPECT_EQ(server.request_count(), 1u);

  p.requests.assign(100001, request("x"));
  for (std::size_t i = 0; i < p.requests.size(); ++i) p.requests[i].custom_id = std::to_string(i);
  expect_rejected(p, std::nullopt, "100,000");  // counted before anything is serialized
  EXPECT_EQ(server.request_count(), 1u);
}

TEST_F(ErrorsTest, MissingCredentialsFailBeforeAnyRequest) {
  ::unsetenv("ANTHROPIC_API_KEY");
  ::unsetenv("ANTHROPIC_AUTH_TOKEN");
  anthropic::ClientOptions options;
  options.base_url = server.base_url();
  EXPECT_THROW(anthropic::Client{options}, anthropic::AnthropicInvalidRequestException);
  options.api_key = "";
  EXPECT_THROW(anthropic::Client{options}, anthropic::AnthropicInvalidRequestException);
  EXPECT_EQ(server.request_count(), 0u);
}

}  // namespace
