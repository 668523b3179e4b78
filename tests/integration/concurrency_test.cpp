// One Client shared by 8 threads, mixing create, cancel and retrieve against a loopback server:
// every call gets its own answer, nothing is lost or duplicated. CI also runs this under
// ThreadSanitizer.

#include <anthropic/anthropic.hpp>

#include <gtest/gtest.h>

#include "support/test_server.hpp"

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using anthropic::testing::batch_json;
namespace bm = anthropic::beta::messages;

TEST(Concurrency, EightThreadsShareOneClient) {
  anthropic::testing::TestServer server;
  std::mutex mutex;
  std::map<std::string, int> creates_by_custom_id;
  server.handle([&](const httplib::Request& req, httplib::Response& res) {
    if (req.method == "POST" && req.path == "/v1/messages/batches") {
      // Echo the custom_id into the batch id so each thread can check it got its own answer.
      auto start = req.body.find("\"custom_id\":\"") + 13;
      std::string custom_id = req.body.substr(start, req.body.find('"', start) - start);
      {
        std::lock_guard<std::mutex> lock(mutex);
        ++creates_by_custom_id[custom_id];
      }
      res.set_content(batch_json("msgbatch_" + custom_id), "application/json");
    } else if (req.method == "POST") {  // .../{id}/cancel
      std::string id = req.path.substr(21, req.path.size() - 21 - 7);
      res.set_content(batch_json(id, "canceling"), "application/json");
    } else {
      res.set_content(batch_json(req.path.substr(21), "ended", 0), "application/json");
    }
  });

  anthropic::ClientOptions options;
  options.api_key = "sk-ant-threads";
  options.base_url = server.base_url();
  anthropic::Client client(options);

  constexpr int kThreads = 8;
  constexpr int kRounds = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto& batches = client.beta().messages().batches();
      for (int i = 0; i < kRounds; ++i) {
        try {
          std::string custom_id = "t" + std::to_string(t) + "-" + std::to_string(i);
          bm::BetaMessageBatchCreateParams p;
          bm::BetaMessageBatchCreateParams::Request r;
          r.custom_id = custom_id;
          r.params.model = "m";
          r.params.max_tokens = 1;
          r.params.messages.push_back(anthropic::beta::BetaMessageParam::user("x"));
          p.requests.push_back(r);
          auto created = batches.create(p);
          auto canceled = batches.cancel(created.id);
          auto got = batches.retrieve(created.id);
          if (created.id != "msgbatch_" + custom_id || canceled.id != created.id ||
              canceled.processing_status != bm::ProcessingStatus::canceling ||
              got.id != created.id || got.processing_status != bm::ProcessingStatus::ended) {
            ++failures;
          }
        } catch (const std::exception& e) {
          ++failures;
          ADD_FAILURE() << e.what();
        }
      }
    });
  }
  for (auto& th : threads) th.join();

  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(server.request_count(), static_cast<std::size_t>(kThreads * kRounds * 3));
  EXPECT_EQ(creates_by_custom_id.size(), static_cast<std::size_t>(kThreads * kRounds));
  for (const auto& [id, n] : creates_by_custom_id) EXPECT_EQ(n, 1) << id;
  // Keep-alive: far fewer connections than requests.
  EXPECT_LE(server.connection_count(), static_cast<std::size_t>(kThreads * 4));
}

}  // namespace
