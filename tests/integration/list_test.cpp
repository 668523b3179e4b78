// list(): one page, the page cursors, and auto-pagination forwards and backwards.

#include <anthropic/anthropic.hpp>

#include <gtest/gtest.h>

#include "support/test_server.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace {

using anthropic::testing::batch_json;
using anthropic::testing::TestServer;
namespace bm = anthropic::beta::messages;

// A server holding `count` batches, newest first: msgbatch_09, msgbatch_08, ... msgbatch_00.
void serve_batches(TestServer& server, int count) {
  server.handle([count](const httplib::Request& req, httplib::Response& res) {
    std::vector<std::string> ids;
    for (int i = count - 1; i >= 0; --i) {
      ids.push_back("msgbatch_" + std::string(i < 10 ? "0" : "") + std::to_string(i));
    }
    int limit = req.has_param("limit") ? std::stoi(req.get_param_value("limit")) : 20;
    std::size_t begin = 0, end = ids.size();
    if (req.has_param("after_id")) {  // older than after_id
      auto it = std::find(ids.begin(), ids.end(), req.get_param_value("after_id"));
      begin = static_cast<std::size_t>(it - ids.begin()) + 1;
      end = std::min(ids.size(), begin + static_cast<std::size_t>(limit));
    } else if (req.has_param("before_id")) {  // newer than before_id: the page just before it
      auto it = std::find(ids.begin(), ids.end(), req.get_param_value("before_id"));
      end = static_cast<std::size_t>(it - ids.begin());
      begin = end > static_cast<std::size_t>(limit) ? end - static_cast<std::size_t>(limit) : 0;
    } else {
      end = std::min(ids.size(), static_cast<std::size_t>(limit));
    }
    bool has_more = req.has_param("before_id") ? begin > 0 : end < ids.size();
    std::string body = R"({"data":[)";
    for (std::size_t i = begin; i < end; ++i) {
      if (i > begin) body += ",";
      body += batch_json(ids[i]);
    }
    body += R"(],"has_more":)" + std::string(has_more ? "true" : "false");
    body += begin < end
                ? R"(,"first_id":")" + ids[begin] + R"(","last_id":")" + ids[end - 1] + "\"}"
                : R"(,"first_id":null,"last_id":null})";
    res.set_content(body, "application/json");
  });
}

class ListTest : public ::testing::Test {
 protected:
  ListTest() {
    anthropic::ClientOptions options;
    options.api_key = "sk-ant-test";
    options.base_url = server.base_url();
    client = std::make_unique<anthropic::Client>(options);
  }
  bm::BatchService& batches() { return client->beta().messages().batches(); }

  TestServer server;
  std::unique_ptr<anthropic::Client> client;
};

TEST_F(ListTest, OnePageWithItsRequest) {
  serve_batches(server, 5);
  bm::BetaMessageBatchListParams params;
  params.limit = 2;
  params.after_id = "msgbatch_04";
  bm::BatchListPage page = batches().list(params);
  auto r = server.last_request();
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/v1/messages/batches?limit=2&after_id=msgbatch_04");
  EXPECT_EQ(r.header_count("anthropic-beta"), 0u);  // 2026-10-21: no batches beta header
  ASSERT_EQ(page.data.size(), 2u);
  EXPECT_EQ(page.data[0].id, "msgbatch_03");
  EXPECT_EQ(page.first_id, "msgbatch_03");
  EXPECT_EQ(page.last_id, "msgbatch_02");
  EXPECT_TRUE(page.has_more);
  EXPECT_TRUE(page.has_next_page());
  bm::BatchListPage next = page.next_page();
  EXPECT_EQ(server.last_request().target, "/v1/messages/batches?limit=2&after_id=msgbatch_02");
  ASSERT_EQ(next.data.size(), 2u);
  EXPECT_EQ(next.data[0].id, "msgbatch_01");
}

TEST_F(ListTest, AutoPagingWalksEveryBatchForwardsLazily) {
  serve_batches(server, 7);
  bm::BetaMessageBatchListParams params;
  params.limit = 3;
  auto pager = batches().list(params).auto_paging();
  EXPECT_EQ(server.request_count(), 1u);
  std::vector<std::string> seen;
  for (const bm::BetaMessageBatch& b : pager) {
    seen.push_back(b.id);
    if (seen.size() == 3) {
      EXPECT_EQ(server.request_count(), 1u);  // lazily: page 2 is not fetched yet
    }
  }
  EXPECT_EQ(seen,
            (std::vector<std::string>{"msgbatch_06", "msgbatch_05", "msgbatch_04", "msgbatch_03",
                                      "msgbatch_02", "msgbatch_01", "msgbatch_00"}));
  // 3 + 3 + 1: the last page says has_more=false, so no fourth request.
  EXPECT_EQ(server.request_count(), 3u);
}

TEST_F(ListTest, AutoPagingWalksBackwardsWhenStartedWithBeforeId) {
  serve_batches(server, 10);
  bm::BetaMessageBatchListParams params;
  params.limit = 2;
  params.before_id = "msgbatch_03";
  std::vector<std::string> seen;
  for (const auto& b : batches().list(params).auto_paging()) seen.push_back(b.id);
  // Pages: [05,04], [07,06], [09,08]; each next request uses before_id = first_id.
  EXPECT_EQ(seen, (std::vector<std::string>{"msgbatch_05", "msgbatch_04", "msgbatch_07",
                                            "msgbatch_06", "msgbatch_09", "msgbatch_08"}));
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1].target, "/v1/messages/batches?limit=2&before_id=msgbatch_05");
  EXPECT_EQ(requests[2].target, "/v1/messages/batches?limit=2&before_id=msgbatch_07");
}

TEST_F(ListTest, EmptyListHasNoPages) {
  serve_batches(server, 0);
  bm::BatchListPage page = batches().list();
  EXPECT_TRUE(page.data.empty());
  EXPECT_FALSE(page.first_id.has_value());
  EXPECT_FALSE(page.has_next_page());
  EXPECT_THROW(page.next_page(), anthropic::AnthropicInvalidRequestException);
  int n = 0;
  for (const auto& b : page.auto_paging()) {
    (void)b;
    ++n;
  }
  EXPECT_EQ(n, 0);
  EXPECT_EQ(server.request_count(), 1u);
}

TEST_F(ListTest, HasMoreFalseStopsEvenWithALastId) {
  server.respond(200, R"({"data":[)" + batch_json("msgbatch_a") +
                          R"(],"has_more":false,"first_id":"msgbatch_a","last_id":"msgbatch_a"})");
  bm::BatchListPage page = batches().list();
  EXPECT_EQ(page.last_id, "msgbatch_a");
  EXPECT_FALSE(page.has_next_page());
  int n = 0;
  for (const auto& b : page.auto_paging()) {
    EXPECT_EQ(b.id, "msgbatch_a");
    ++n;
  }
  EXPECT_EQ(n, 1);
  EXPECT_EQ(server.request_count(), 1u);
}

TEST_F(ListTest, LimitOutOfRangeIsRejectedBeforeSending) {
  bm::BetaMessageBatchListParams params;
  params.limit = 0;
  EXPECT_THROW(batches().list(params), anthropic::AnthropicInvalidRequestException);
  params.limit = 1001;
  EXPECT_THROW(batches().list(params), anthropic::AnthropicInvalidRequestException);
  EXPECT_EQ(server.request_count(), 0u);
}

}  // namespace

namespace {

// A page keeps its service (configuration, connection pool) alive: next_page() and auto-paging
// still work once every copy of the Client that listed it is gone (under ASan a dangling service
// would be a use-after-free here).
TEST(ListPageLifetimeTest, APageOutlivesItsClient) {
  TestServer server;
  serve_batches(server, 5);
  std::optional<bm::BatchListPage> page;
  {
    anthropic::ClientOptions options;
    options.api_key = "sk-ant-test";
    options.base_url = server.base_url();
    anthropic::Client client(options);
    bm::BetaMessageBatchListParams params;
    params.limit = 2;
    page = client.beta().messages().batches().list(params);
  }
  ASSERT_TRUE(page->has_next_page());
  bm::BatchListPage second = page->next_page();
  ASSERT_EQ(second.data.size(), 2u);
  EXPECT_EQ(second.data[0].id, "msgbatch_02");
  std::vector<std::string> seen;
  for (const auto& b : page->auto_paging()) seen.push_back(b.id);
  EXPECT_EQ(seen, (std::vector<std::string>{"msgbatch_04", "msgbatch_03", "msgbatch_02",
                                            "msgbatch_01", "msgbatch_00"}));
  EXPECT_EQ(server.request_count(), 4u);  // list, next_page, then the auto-pager: pages 2 and 3
}

// A page built by hand (a mock's) has no next page, and asking for one is an SDK error.
TEST(ListPageLifetimeTest, NextPageWithoutOneIsAnAnthropicException) {
  bm::BatchListPage page({}, true, std::string("a"), std::string("b"));
  EXPECT_FALSE(page.has_next_page());
  bm::BatchListPage explicit_null({}, true, std::string("a"), std::string("b"), nullptr);
  EXPECT_FALSE(explicit_null.has_next_page());
  try {
    (void)page.next_page();
    FAIL() << "no exception";
  } catch (const anthropic::AnthropicException& e) {
    EXPECT_NE(std::string(e.what()).find("no next page"), std::string::npos) << e.what();
  }
}

}  // namespace
