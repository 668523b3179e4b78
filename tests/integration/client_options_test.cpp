// Client options over real HTTP on 127.0.0.1: default query parameters, a proxy, options that
// would silently not apply to a caller's transport, and Client::with_options sharing the pool.

#include <anthropic/anthropic.hpp>
#include <anthropic/http/curl_http_client.hpp>

#include <gtest/gtest.h>

#include "support/test_server.hpp"

#include <cstdlib>
#include <string>

namespace {

using anthropic::testing::batch_json;
using anthropic::testing::TestServer;
namespace bm = anthropic::beta::messages;

class ClientOptionsTest : public ::testing::Test {
 protected:
  anthropic::ClientOptions options() {
    anthropic::ClientOptions o;
    o.api_key = "k";
    o.base_url = server.base_url();
    o.max_retries = 0;
    return o;
  }
  TestServer server;
};

TEST_F(ClientOptionsTest, DefaultQueryGoesOnEveryRequestBeforeTheCallsOwn) {
  server.respond(200, batch_json("b"));
  auto o = options();
  o.default_query = {{"team", "a b"}, {"env", "ci"}};
  anthropic::Client client(o);
  client.beta().messages().batches().retrieve("b");
  EXPECT_EQ(server.last_request().target, "/v1/messages/batches/b?team=a%20b&env=ci");

  server.respond(200, R"({"data":[],"has_more":false,"first_id":null,"last_id":null})");
  anthropic::RequestOptions call;
  call.extra_query = {{"trace", "1"}};
  bm::BetaMessageBatchListParams list;
  list.limit = 5;
  client.beta().messages().batches().list(list, call);
  EXPECT_EQ(server.last_request().target, "/v1/messages/batches?limit=5&team=a%20b&env=ci&trace=1");
}

TEST_F(ClientOptionsTest, AProxyReceivesEveryRequest) {
  server.respond(200, batch_json("b"));
  auto o = options();
  o.base_url = "http://batches.example.invalid";  // never resolved: the proxy is asked for it
  o.proxy = server.base_url();
  anthropic::Client(o).beta().messages().batches().retrieve("b");
  ASSERT_EQ(server.request_count(), 1u);
  EXPECT_EQ(server.last_request().target, "http://batches.example.invalid/v1/messages/batches/b");
}

// Without ClientOptions::proxy, libcurl's own variables apply (documented in the README's table).
TEST_F(ClientOptionsTest, TheHttpProxyEnvironmentVariableIsHonouredWhenNoProxyIsSet) {
  server.respond(200, batch_json("b"));
  ASSERT_EQ(::setenv("http_proxy", server.base_url().c_str(), 1), 0);
  ::unsetenv("no_proxy");
  ::unsetenv("NO_PROXY");
  auto o = options();
  o.base_url = "http://batches.example.invalid";
  std::string id;
  try {
    id = anthropic::Client(o).beta().messages().batches().retrieve("b").id;
  } catch (...) {
    ::unsetenv("http_proxy");
    throw;
  }
  ::unsetenv("http_proxy");
  EXPECT_EQ(id, "b");
  ASSERT_EQ(server.request_count(), 1u);
  EXPECT_EQ(server.last_request().target, "http://batches.example.invalid/v1/messages/batches/b");
}

TEST_F(ClientOptionsTest, TransportOptionsWithACallersTransportAreAnError) {
  auto own = anthropic::http::make_curl_http_client();
  for (int which = 0; which < 3; ++which) {
    auto o = options();
    o.http_client = own;
    const char* name = nullptr;
    if (which == 0) {
      o.verify_tls = false;
      name = "ClientOptions::verify_tls = false";
    } else if (which == 1) {
      o.ca_bundle = "/etc/ssl/certs/ca-certificates.crt";
      name = "ClientOptions::ca_bundle";
    } else {
      o.proxy = "http://127.0.0.1:3128";
      name = "ClientOptions::proxy";
    }
    SCOPED_TRACE(name);
    try {
      anthropic::Client client(o);
      ADD_FAILURE() << "accepted";
    } catch (const anthropic::AnthropicInvalidRequestException& e) {
      EXPECT_NE(std::string(e.what()).find(std::string(name) + " applies to the built-in "
                                                               "transport only"),
                std::string::npos)
          << e.what();
    }
  }
  auto o = options();
  o.http_client = own;  // with the defaults, a caller's transport is fine
  server.respond(200, batch_json("b"));
  EXPECT_EQ(anthropic::Client(o).beta().messages().batches().retrieve("b").id, "b");
}

TEST_F(ClientOptionsTest, WithOptionsSharesTheConnectionPoolAndChangesOnlyWhatItSays) {
  server.respond(200, batch_json("b"));
  auto o = options();
  o.default_headers.set("x-part", "main");
  anthropic::Client main_client(o);
  anthropic::Client patient = main_client.with_options([](anthropic::ClientOptions& changed) {
    changed.default_headers.set("x-part", "patient");
    changed.max_retries = 4;
  });
  main_client.beta().messages().batches().retrieve("b");
  patient.beta().messages().batches().retrieve("b");
  main_client.beta().messages().batches().retrieve("b");
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].header("x-part"), "main");
  EXPECT_EQ(requests[1].header("x-part"), "patient");
  EXPECT_EQ(requests[2].header("x-part"), "main");  // the original is unchanged
  EXPECT_EQ(server.connection_count(), 1u);         // one keep-alive connection for both

  // The changed retry budget applies: 4 retries after a 500 is 5 attempts, the original's 0 is 1.
  server.respond(500, R"({"type":"error","error":{"type":"api_error","message":"x"}})");
  server.clear();
  auto fast = patient.with_options([](anthropic::ClientOptions& changed) {
    changed.sleeper = [](std::chrono::milliseconds) {};
  });
  EXPECT_THROW(fast.beta().messages().batches().retrieve("b"), anthropic::InternalServerException);
  EXPECT_EQ(server.request_count(), 5u);
  server.clear();
  EXPECT_THROW(main_client.beta().messages().batches().retrieve("b"),
               anthropic::InternalServerException);
  EXPECT_EQ(server.request_count(), 1u);
}

TEST_F(ClientOptionsTest, WithOptionsChangingTheTransportGetsItsOwnPool) {
  server.respond(200, batch_json("b"));
  anthropic::Client first(options());
  anthropic::Client other = first.with_options([](anthropic::ClientOptions& changed) {
    changed.ca_bundle = "/nonexistent-but-unused-for-http.pem";
  });
  first.beta().messages().batches().retrieve("b");
  other.beta().messages().batches().retrieve("b");
  EXPECT_EQ(server.request_count(), 2u);
  EXPECT_EQ(server.connection_count(), 2u);
}

TEST_F(ClientOptionsTest, WithOptionsValidatesLikeTheConstructor) {
  anthropic::Client client(options());
  EXPECT_THROW(client.with_options([](anthropic::ClientOptions& changed) {
    changed.anthropic_version = "yesterday";
  }),
               anthropic::AnthropicInvalidRequestException);
}

}  // namespace
