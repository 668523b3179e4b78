// The wire form of every operation under each API version, over real HTTP on 127.0.0.1:
// 2026-10-21 (the default) and any later date send the key as `authorization: Bearer`, no
// `?beta=true` and no batches beta header; 2023-06-01 sends the earlier form byte for byte.
// Also: credentials when both are set, workspace/user-profile headers, the version string
// check, and the version rules applied before anything is sent.

#include <anthropic/anthropic.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_server.hpp"

#include <string>
#include <type_traits>
#include <vector>

namespace {

using anthropic::testing::batch_json;
using anthropic::testing::RecordedRequest;
using anthropic::testing::TestServer;
namespace bm = anthropic::beta::messages;

constexpr const char* kKey = "sk-ant-wire-KEY";
constexpr const char* kBatchesBeta = "message-batches-2024-09-24";

struct Version {
  const char* value;
  bool legacy;
  bool ga;  // client.messages().batches() rather than client.beta().messages().batches()
};

std::ostream& operator<<(std::ostream& os, const Version& v) {
  return os << v.value << (v.ga ? " GA" : " beta");
}

class ApiVersionWireTest : public ::testing::TestWithParam<Version> {
 protected:
  anthropic::Client make_client() {
    anthropic::ClientOptions options;
    options.api_key = kKey;
    options.base_url = server.base_url();
    options.anthropic_version = GetParam().value;
    options.sleeper = [](std::chrono::milliseconds) {};
    return anthropic::Client(options);
  }

  bool legacy() const { return GetParam().legacy; }
  // The beta resource under 2023-06-01 marks its calls; GA never does.
  bool beta_marks() const { return GetParam().legacy && !GetParam().ga; }

  // Runs `fn` on the service of the family under test (GA or beta): the same code, both types.
  template <class Fn>
  void on_service(anthropic::Client& client, Fn fn) {
    if (GetParam().ga) {
      fn(client.messages().batches());
    } else {
      fn(client.beta().messages().batches());
    }
  }

  // `path` plus the beta marker of the version, then `query` ("a=b&c=d").
  std::string target(const std::string& path, const std::string& query = "") const {
    std::string t = path;
    if (beta_marks()) t += "?beta=true";
    if (!query.empty()) t += (beta_marks() ? "&" : "?") + query;
    return t;
  }

  // Credentials, version and beta header as the version prescribes; `betas` are the caller's.
  void expect_headers(const RecordedRequest& r, const std::string& betas = "") const {
    EXPECT_EQ(r.header_count("anthropic-version"), 1u);
    EXPECT_EQ(r.header("anthropic-version"), GetParam().value);
    if (legacy()) {
      EXPECT_EQ(r.header("x-api-key"), kKey);
      EXPECT_EQ(r.header_count("authorization"), 0u);
    } else {
      EXPECT_EQ(r.header_count("x-api-key"), 0u);
      EXPECT_EQ(r.header_count("authorization"), 1u);
      EXPECT_EQ(r.header("authorization"), std::string("Bearer ") + kKey);
    }
    if (beta_marks()) {
      EXPECT_EQ(r.header_count("anthropic-beta"), 1u);
      EXPECT_EQ(r.header("anthropic-beta"),
                betas.empty() ? std::string(kBatchesBeta) : betas + "," + kBatchesBeta);
    } else {
      EXPECT_EQ(r.header_count("anthropic-beta"), betas.empty() ? 0u : 1u);
      EXPECT_EQ(r.header("anthropic-beta"), betas);
    }
  }

  TestServer server;
};

template <class F = bm::BetaFamily>
anthropic::messages::BasicMessageBatchCreateParams<F> one_request() {
  anthropic::messages::BasicMessageBatchCreateParams<F> params;
  typename anthropic::messages::BasicMessageBatchCreateParams<F>::Request r;
  r.custom_id = "req-1";
  r.params.model = "claude-sonnet-4-5";
  r.params.max_tokens = 64;
  r.params.messages.push_back(F::MessageParam::user("Hello"));
  params.requests.push_back(r);
  return params;
}

TEST_P(ApiVersionWireTest, Create) {
  server.respond(200, batch_json("msgbatch_1"));
  auto client = make_client();
  on_service(client, [&](auto& batches) {
    using F = typename std::decay_t<decltype(batches)>::family_type;
    EXPECT_EQ(batches.create(one_request<F>()).id, "msgbatch_1");
    RecordedRequest r = server.last_request();
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, target("/v1/messages/batches"));
    expect_headers(r);
    EXPECT_EQ(r.header("content-type"), "application/json");
    // The body does not depend on the version.
    EXPECT_EQ(nlohmann::json::parse(r.body),
              nlohmann::json::parse(
                  R"({"requests":[{"custom_id":"req-1","params":{"model":"claude-sonnet-4-5",)"
                  R"("max_tokens":64,"messages":[{"role":"user","content":"Hello"}]}}]})"));
  });
}

TEST_P(ApiVersionWireTest, CreateWithBetasWorkspaceAndUserProfile) {
  server.respond(200, batch_json("msgbatch_1"));
  auto client = make_client();
  on_service(client, [&](auto& batches) {
    using F = typename std::decay_t<decltype(batches)>::family_type;
    auto params = one_request<F>();
    params.betas = {"files-api-2025-04-14", "files-api-2025-04-14"};
    params.workspace_id = "wrkspc_01";
    params.user_profile_id = "uprof_01";
    batches.create(params);
    RecordedRequest r = server.last_request();
    expect_headers(r, "files-api-2025-04-14");
    EXPECT_EQ(r.header("anthropic-workspace-id"), "wrkspc_01");
    EXPECT_EQ(r.header("anthropic-user-profile-id"), "uprof_01");
  });
}

TEST_P(ApiVersionWireTest, CreateEncodedCarriesTheWorkspace) {
  server.respond(200, batch_json("msgbatch_1"));
  auto client = make_client();
  on_service(client, [&](auto& batches) {
    using F = typename std::decay_t<decltype(batches)>::family_type;
    anthropic::messages::BasicBatchCreateBodyBuilder<F> builder;
    builder.add_raw("req-1", R"({"model":"m","max_tokens":1,"messages":[]})");
    batches.create_encoded(std::move(builder).finish({}, std::nullopt, std::string("wrkspc_02")));
    RecordedRequest r = server.last_request();
    EXPECT_EQ(r.target, target("/v1/messages/batches"));
    expect_headers(r);
    EXPECT_EQ(r.header("anthropic-workspace-id"), "wrkspc_02");
    EXPECT_EQ(r.header_count("anthropic-user-profile-id"), 0u);
  });
}

TEST_P(ApiVersionWireTest, Retrieve) {
  server.respond(200, batch_json("msgbatch_7"));
  auto client = make_client();
  on_service(client, [&](auto& batches) {
    bm::BetaMessageBatchRetrieveParams p;
    p.message_batch_id = "msgbatch_7";
    p.betas = {"files-api-2025-04-14"};
    p.workspace_id = "wrkspc_03";
    batches.retrieve(p);
    RecordedRequest r = server.last_request();
    EXPECT_EQ(r.method, "GET");
    EXPECT_EQ(r.target, target("/v1/messages/batches/msgbatch_7"));
    expect_headers(r, "files-api-2025-04-14");
    EXPECT_EQ(r.header("anthropic-workspace-id"), "wrkspc_03");
    EXPECT_TRUE(r.body.empty());
  });
}

TEST_P(ApiVersionWireTest, List) {
  server.respond(200, R"({"data":[],"has_more":false,"first_id":null,"last_id":null})");
  auto client = make_client();
  on_service(client, [&](auto& batches) {
    bm::BetaMessageBatchListParams p;
    p.limit = 2;
    p.after_id = "msgbatch_04";
    batches.list(p);
    RecordedRequest r = server.last_request();
    EXPECT_EQ(r.method, "GET");
    EXPECT_EQ(r.target, target("/v1/messages/batches", "limit=2&after_id=msgbatch_04"));
    expect_headers(r);
  });
}

TEST_P(ApiVersionWireTest, ListWithExtraQueryAndNoParameters) {
  server.respond(200, R"({"data":[],"has_more":false,"first_id":null,"last_id":null})");
  auto client = make_client();
  on_service(client, [&](auto& batches) {
    anthropic::RequestOptions options;
    options.extra_query = {{"trace", "a b"}};
    batches.list(bm::BetaMessageBatchListParams{}, options);
    EXPECT_EQ(server.last_request().target, target("/v1/messages/batches", "trace=a%20b"));
    batches.list();
    EXPECT_EQ(server.last_request().target, target("/v1/messages/batches"));
  });
}

TEST_P(ApiVersionWireTest, Cancel) {
  server.respond(200, batch_json("msgbatch_7", "canceling"));
  auto client = make_client();
  on_service(client, [&](auto& batches) {
    batches.cancel("msgbatch_7");
    RecordedRequest r = server.last_request();
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, target("/v1/messages/batches/msgbatch_7/cancel"));
    expect_headers(r);
    EXPECT_TRUE(r.body.empty());
  });
}

TEST_P(ApiVersionWireTest, Delete) {
  server.respond(200, R"({"id":"msgbatch_7","type":"message_batch_deleted"})");
  auto client = make_client();
  on_service(client, [&](auto& batches) {
    batches.delete_("msgbatch_7");
    RecordedRequest r = server.last_request();
    EXPECT_EQ(r.method, "DELETE");
    EXPECT_EQ(r.target, target("/v1/messages/batches/msgbatch_7"));
    expect_headers(r);
  });
}

TEST_P(ApiVersionWireTest, Results) {
  server.respond(200, R"({"custom_id":"a","result":{"type":"expired"}})"
                      "\n");
  auto client = make_client();
  on_service(client, [&](auto& batches) {
    std::size_t n = 0;
    for (const auto& line : batches.results("msgbatch_7")) {
      EXPECT_EQ(line.custom_id, "a");
      ++n;
    }
    EXPECT_EQ(n, 1u);
    RecordedRequest r = server.last_request();
    EXPECT_EQ(r.method, "GET");
    EXPECT_EQ(r.target, target("/v1/messages/batches/msgbatch_7/results"));
    expect_headers(r);
  });
}

INSTANTIATE_TEST_SUITE_P(
    Versions, ApiVersionWireTest,
    ::testing::Values(Version{"2026-10-21", false, false}, Version{"2023-06-01", true, false},
                      Version{"2027-04-01", false, false}, Version{"2026-10-21", false, true},
                      Version{"2023-06-01", true, true}, Version{"2027-04-01", false, true}),
    [](const auto& param_info) {
      std::string name = param_info.param.value;
      for (char& c : name) {
        if (c == '-') c = '_';
      }
      return std::string(param_info.param.ga ? "ga_" : "beta_") + "v" + name;
    });

class ApiVersionTest : public ::testing::Test {
 protected:
  anthropic::ClientOptions options() {
    anthropic::ClientOptions o;
    o.base_url = server.base_url();
    o.sleeper = [](std::chrono::milliseconds) {};
    return o;
  }
  TestServer server;
};

TEST_F(ApiVersionTest, TheDefaultIs20261021) {
  EXPECT_EQ(anthropic::ClientOptions{}.anthropic_version, "2026-10-21");
  EXPECT_EQ(anthropic::kDefaultApiVersion, "2026-10-21");
  EXPECT_TRUE(anthropic::is_legacy_api_version("2023-06-01"));
  EXPECT_FALSE(anthropic::is_legacy_api_version("2026-10-21"));
  EXPECT_FALSE(anthropic::is_legacy_api_version("2027-01-01"));
}

TEST_F(ApiVersionTest, WithKeyAndTokenTheKeyIsTheOneBearerFrom20261021) {
  server.respond(200, batch_json("b"));
  auto o = options();
  o.api_key = "sk-ant-KEY";
  o.auth_token = "TOKEN";
  anthropic::Client(o).beta().messages().batches().retrieve("b");
  RecordedRequest r = server.last_request();
  EXPECT_EQ(r.header_count("authorization"), 1u);
  EXPECT_EQ(r.header("authorization"), "Bearer sk-ant-KEY");
  EXPECT_EQ(r.header_count("x-api-key"), 0u);

  o.anthropic_version = "2023-06-01";  // the earlier form sends both
  anthropic::Client(o).beta().messages().batches().retrieve("b");
  r = server.last_request();
  EXPECT_EQ(r.header("authorization"), "Bearer TOKEN");
  EXPECT_EQ(r.header("x-api-key"), "sk-ant-KEY");
}

TEST_F(ApiVersionTest, ATokenAloneIsTheBearer) {
  server.respond(200, batch_json("b"));
  auto o = options();
  o.auth_token = "TOKEN";
  anthropic::Client(o).beta().messages().batches().retrieve("b");
  EXPECT_EQ(server.last_request().header("authorization"), "Bearer TOKEN");
  EXPECT_EQ(server.last_request().header_count("x-api-key"), 0u);
}

TEST_F(ApiVersionTest, TheCallersBatchesBetaIsSentAsGiven) {
  server.respond(200, batch_json("b"));
  auto o = options();
  o.api_key = "k";
  bm::BetaMessageBatchRetrieveParams p;
  p.message_batch_id = "b";
  p.betas = {kBatchesBeta};
  anthropic::Client(o).beta().messages().batches().retrieve(p);
  EXPECT_EQ(server.last_request().header("anthropic-beta"), kBatchesBeta);
  EXPECT_EQ(server.last_request().target, "/v1/messages/batches/b");
}

TEST_F(ApiVersionTest, AVersionThatIsNotADateIsRejectedBeforeAnythingIsSent) {
  for (const char* bad : {"", "latest", "2026-10-2", "2026/10/21", "2026-10-21\r\nx-evil: 1",
                          "2026-10-21 ", "v2026-10-21"}) {
    SCOPED_TRACE(bad);
    auto o = options();
    o.api_key = "k";
    o.anthropic_version = bad;
    try {
      anthropic::Client client(o);
      ADD_FAILURE() << "accepted";
    } catch (const anthropic::AnthropicInvalidRequestException& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("anthropic_version must be a YYYY-MM-DD date"), std::string::npos)
          << what;
      EXPECT_EQ(what.find('\r'), std::string::npos);
      EXPECT_EQ(what.find('\n'), std::string::npos);
    }
  }
  EXPECT_EQ(server.request_count(), 0u);
}

TEST_F(ApiVersionTest, CreateRejectsASamplingParameterUnder20261021NamingTheRequest) {
  server.respond(200, batch_json("b"));
  auto o = options();
  o.api_key = "k";
  auto params = one_request();
  auto second = params.requests[0];
  second.custom_id = "req-2";
  second.params.temperature = 0.2;
  params.requests.push_back(second);
  try {
    anthropic::Client(o).beta().messages().batches().create(params);
    ADD_FAILURE() << "sent";
  } catch (const anthropic::AnthropicInvalidRequestException& e) {
    EXPECT_EQ(e.request_index(), std::optional<std::size_t>(1));
    const std::string what = e.what();
    EXPECT_NE(what.find("requests[1]: params.temperature was removed in API version 2026-10-21"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("anthropic_version = \"2023-06-01\""), std::string::npos) << what;
  }
  EXPECT_EQ(server.request_count(), 0u);

  o.anthropic_version = "2023-06-01";  // where it is still accepted, it is sent
  anthropic::Client(o).beta().messages().batches().create(params);
  ASSERT_EQ(server.request_count(), 1u);
  auto body = nlohmann::json::parse(server.last_request().body);
  EXPECT_EQ(body["requests"][1]["params"]["temperature"], 0.2);
}

}  // namespace
