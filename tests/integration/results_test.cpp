// results(): JSONL streamed over real HTTP, decoded line by line.

#include <anthropic/anthropic.hpp>

#include <gtest/gtest.h>

#include "support/test_server.hpp"

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using anthropic::testing::TestServer;
namespace bm = anthropic::beta::messages;

std::string succeeded_line(const std::string& custom_id, const std::string& text) {
  return R"({"custom_id":")" + custom_id +
         R"(","result":{"type":"succeeded","message":{"id":"msg_01AbC","type":"message",)"
         R"("role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":")" +
         text +
         R"("}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":42,)"
         R"("output_tokens":6,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,)"
         R"("service_tier":"batch"}}}})";
}

class ResultsTest : public ::testing::Test {
 protected:
  ResultsTest() {
    anthropic::ClientOptions options;
    options.api_key = "sk-ant-test";
    options.base_url = server.base_url();
    options.timeout = std::chrono::seconds(20);
    client = std::make_unique<anthropic::Client>(options);
  }
  bm::BatchService& batches() { return client->beta().messages().batches(); }

  // Serves `pieces` as one chunked body, one write per piece, pausing between writes so that
  // they reach the client in separate reads.
  void serve_pieces(std::vector<std::string> pieces, std::chrono::milliseconds pause = {}) {
    server.handle([pieces, pause](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("application/x-jsonl",
                                       [pieces, pause](std::size_t, httplib::DataSink& sink) {
                                         for (const auto& p : pieces) {
                                           if (!sink.write(p.data(), p.size())) return false;
                                           if (pause.count() > 0)
                                             std::this_thread::sleep_for(pause);
                                         }
                                         sink.done();
                                         return true;
                                       });
    });
  }

  TestServer server;
  std::unique_ptr<anthropic::Client> client;
};

TEST_F(ResultsTest, RequestAndAllFourResultTypes) {
  serve_pieces(
      {succeeded_line("ticket-0001", "Category: billing") + "\n",
       R"({"custom_id":"ticket-0002","result":{"type":"errored","error":{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: 2048 > maximum"},"request_id":null}}})"
       "\n",
       R"({"custom_id":"ticket-0003","result":{"type":"canceled"}})"
       "\n",
       R"({"custom_id":"ticket-0004","result":{"type":"expired"}})"
       "\n",
       R"({"custom_id":"ticket-0005","result":{"type":"rerouted","where":"elsewhere"}})"
       "\n"});
  std::vector<bm::BetaMessageBatchIndividualResponse> got;
  for (const auto& line : batches().results("msgbatch_01")) got.push_back(line);

  auto r = server.last_request();
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/v1/messages/batches/msgbatch_01/results");
  EXPECT_EQ(r.header("authorization"), "Bearer sk-ant-test");
  EXPECT_EQ(r.header_count("anthropic-beta"), 0u);
  EXPECT_EQ(r.header("accept"), "application/x-jsonl");

  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0].custom_id, "ticket-0001");
  EXPECT_EQ(got[0].result.type, bm::BetaMessageBatchResultType::succeeded);
  ASSERT_TRUE(got[0].result.message.has_value());
  const auto& msg = *got[0].result.message;
  ASSERT_EQ(msg.content.size(), 1u);
  EXPECT_EQ(std::get<anthropic::beta::BetaTextBlock>(msg.content[0]).text, "Category: billing");
  EXPECT_EQ(msg.usage.input_tokens, 42);
  EXPECT_EQ(msg.usage.service_tier, anthropic::beta::BetaServiceTier::batch);
  EXPECT_EQ(got[1].result.type, bm::BetaMessageBatchResultType::errored);
  ASSERT_TRUE(got[1].result.error.has_value());
  EXPECT_EQ(anthropic::beta::error_type(got[1].result.error->error), "invalid_request_error");
  EXPECT_EQ(got[2].result.type, bm::BetaMessageBatchResultType::canceled);
  EXPECT_EQ(got[3].result.type, bm::BetaMessageBatchResultType::expired);
  EXPECT_EQ(got[4].result.type.str(), "rerouted");
  EXPECT_FALSE(got[4].result.type.is_known());
  ASSERT_TRUE(got[4].result.raw.has_value());
  EXPECT_NE(got[4].result.raw->str().find("elsewhere"), std::string::npos);
}

TEST_F(ResultsTest, CrlfBlankLinesAndALastLineWithoutNewline) {
  serve_pieces({succeeded_line("a", "1") + "\r\n", "\r\n", "\n", "   \n",
                succeeded_line("b", "2") + "\n\n", succeeded_line("c", "3")});
  std::vector<std::string> ids;
  for (const auto& line : batches().results("msgbatch_01")) ids.push_back(line.custom_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(ResultsTest, LinesSplitAnywhereAcrossReadsIncludingInsideUtf8) {
  // "é" (C3 A9), "€" (E2 82 AC) and an emoji (F0 9F 98 80) split between writes.
  std::string line = succeeded_line("utf8", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") + "\n";
  auto cut = line.find("\xc3") + 1;
  auto cut2 = line.find("\xe2\x82") + 2;
  auto cut3 = line.find("\xf0\x9f") + 1;
  serve_pieces({line.substr(0, cut), line.substr(cut, cut2 - cut), line.substr(cut2, cut3 - cut2),
                line.substr(cut3)},
               std::chrono::milliseconds(30));
  auto stream = batches().results("msgbatch_01");
  auto first = stream.next();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(std::get<anthropic::beta::BetaTextBlock>(first->result.message->content[0]).text,
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  EXPECT_FALSE(stream.next().has_value());
}

TEST_F(ResultsTest, AFiveMegabyteLine) {
  std::string big(5 * 1024 * 1024, 'x');
  serve_pieces({succeeded_line("small-1", "a") + "\n", succeeded_line("big", big) + "\n",
                succeeded_line("small-2", "b") + "\n"});
  std::vector<std::size_t> sizes;
  for (const auto& line : batches().results("msgbatch_01")) {
    sizes.push_back(
        std::get<anthropic::beta::BetaTextBlock>(line.result.message->content[0]).text.size());
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{1, big.size(), 1}));
}

TEST_F(ResultsTest, MalformedLineRaisesWithItsNumberAfterTheGoodLines) {
  serve_pieces({succeeded_line("a", "1") + "\n", "\n", succeeded_line("b", "2") + "\n",
                "{\"custom_id\":\"c\",\"result\":{\"type\":\"succ\n", succeeded_line("d", "4")});
  auto stream = batches().results("msgbatch_01");
  std::vector<std::string> ids;
  try {
    for (const auto& line : stream) ids.push_back(line.custom_id);
    FAIL() << "no exception";
  } catch (const anthropic::AnthropicInvalidDataException& e) {
    EXPECT_NE(std::string(e.what()).find("line 4"), std::string::npos) << e.what();
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b"}));
  // The stream stays usable: the line after the bad one is still delivered.
  auto next = stream.next();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->custom_id, "d");
}

TEST_F(ResultsTest, ErrorStatusMapsToItsException) {
  server.respond(
      404,
      R"({"type":"error","error":{"type":"not_found_error","message":"no such batch"},"request_id":"req_x"})");
  EXPECT_THROW(batches().results("msgbatch_missing"), anthropic::NotFoundException);
}

TEST_F(ResultsTest, BreakingOutOfTheLoopClosesTheConnection) {
  std::atomic<bool> server_saw_close{false};
  std::atomic<std::size_t> lines_written{0};
  server.handle([&](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider(
        "application/x-jsonl", [&](std::size_t, httplib::DataSink& sink) {
          std::string line = succeeded_line("x", std::string(200, 'y')) + "\n";
          // Up to ~1 GB: far more than any buffer between us and the client.
          for (int i = 0; i < 5'000'000; ++i) {
            if (!sink.write(line.data(), line.size())) {
              server_saw_close = true;
              return false;
            }
            ++lines_written;
          }
          sink.done();
          return true;
        });
  });
  {
    int n = 0;
    for (const auto& line : batches().results("msgbatch_01")) {
      (void)line;
      if (++n == 10) break;
    }
    EXPECT_EQ(n, 10);
  }
  for (int i = 0; i < 500 && !server_saw_close; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(server_saw_close.load());
  EXPECT_LT(lines_written.load(), 5'000'000u);
}

}  // namespace
