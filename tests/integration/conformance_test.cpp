// One conformance suite, two servers: the SDK's whole lifecycle (create, retrieve, list with
// auto-pagination, cancel, wait, results, delete, errors) against
//   - "scripted": a small stateful fake written here on the recording test server, and
//   - "emulator": the bundled emulator (tools/emulator), an independent implementation.
// Both must give the same observable behaviour through the SDK.

#include <anthropic/anthropic.hpp>
#include <anthropic/emulator/emulator.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_server.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace {

namespace bm = anthropic::beta::messages;
using nlohmann::json;

class ConformanceServer {
 public:
  virtual ~ConformanceServer() = default;
  virtual std::string base_url() const = 0;
  virtual std::string api_key() const = 0;
  /// Moves every batch to the end of its processing (in-progress requests succeed, a canceling
  /// batch's requests end canceled).
  virtual void finish_processing() = 0;
};

class EmulatorServer final : public ConformanceServer {
 public:
  EmulatorServer() {
    anthropic::emulator::EmulatorOptions options;
    options.manual_clock = true;
    options.processing_time = std::chrono::seconds(10);
    emulator_ = std::make_unique<anthropic::emulator::Emulator>(options);
    emulator_->start();
  }
  std::string base_url() const override { return emulator_->base_url(); }
  std::string api_key() const override { return "sk-ant-emulator"; }
  void finish_processing() override { emulator_->advance(std::chrono::seconds(11)); }

 private:
  std::unique_ptr<anthropic::emulator::Emulator> emulator_;
};

// A minimal stateful implementation of the six endpoints on the recording test server.
class ScriptedServer final : public ConformanceServer {
 public:
  ScriptedServer() {
    server_.handle([this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mutex_);
      serve(req, res);
    });
  }
  std::string base_url() const override { return server_.base_url(); }
  std::string api_key() const override { return "sk-ant-scripted"; }
  void finish_processing() override {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [id, b] : batches_) {
      if (b.status == "ended") continue;
      b.final_type = b.status == "canceling" ? "canceled" : "succeeded";
      b.status = "ended";
      b.ended_at = "2026-08-20T11:00:00.000000Z";
    }
  }

 private:
  struct Batch {
    std::string id;
    std::vector<std::string> custom_ids;
    std::string status = "in_progress";
    std::string final_type;
    std::string created_at;
    std::optional<std::string> cancel_initiated_at;
    std::optional<std::string> ended_at;
  };

  static void error(httplib::Response& res, int status, const std::string& type,
                    const std::string& message) {
    res.status = status;
    res.set_content(json{{"type", "error"},
                         {"error", {{"type", type}, {"message", message}}},
                         {"request_id", "req_scripted"}}
                        .dump(),
                    "application/json");
  }

  json to_json(const Batch& b) const {
    auto n = static_cast<std::int64_t>(b.custom_ids.size());
    json counts = {{"processing", b.status == "ended" ? 0 : n},
                   {"succeeded", b.final_type == "succeeded" ? n : 0},
                   {"errored", 0},
                   {"canceled", b.final_type == "canceled" ? n : 0},
                   {"expired", 0}};
    auto opt = [](const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); };
    return {{"id", b.id},
            {"type", "message_batch"},
            {"processing_status", b.status},
            {"request_counts", counts},
            {"created_at", b.created_at},
            {"expires_at", "2026-08-21T10:00:00.000000Z"},
            {"ended_at", opt(b.ended_at)},
            {"cancel_initiated_at", opt(b.cancel_initiated_at)},
            {"archived_at", nullptr},
            {"results_url", b.status == "ended"
                                ? json(base_url() + "/v1/messages/batches/" + b.id + "/results")
                                : json(nullptr)}};
  }

  void serve(const httplib::Request& req, httplib::Response& res) {
    // The credential's header depends on the API version (Bearer from 2026-10-21).
    const bool legacy = req.get_header_value("anthropic-version") == "2023-06-01";
    if (legacy ? req.get_header_value("x-api-key") != api_key()
               : req.get_header_value("authorization") != "Bearer " + api_key()) {
      return error(res, 401, "authentication_error",
                   legacy ? "invalid x-api-key" : "invalid bearer token");
    }
    const std::string prefix = "/v1/messages/batches";
    std::string rest = req.path.substr(prefix.size());
    if (rest.empty()) {
      if (req.method == "POST") return create(req, res);
      return list(req, res);
    }
    std::string id = rest.substr(1);
    std::string action;
    if (auto slash = id.find('/'); slash != std::string::npos) {
      action = id.substr(slash + 1);
      id = id.substr(0, slash);
    }
    auto it = batches_.find(id);
    if (it == batches_.end()) return error(res, 404, "not_found_error", "no batch " + id);
    Batch& b = it->second;
    if (action == "cancel") {
      if (b.status == "ended") return error(res, 400, "invalid_request_error", "already ended");
      b.status = "canceling";
      b.cancel_initiated_at = "2026-08-20T10:05:00.000000Z";
    } else if (action == "results") {
      if (b.status != "ended") return error(res, 400, "invalid_request_error", "not yet ended");
      std::string body;
      for (const auto& cid : b.custom_ids) {
        json result = {{"type", b.final_type}};
        if (b.final_type == "succeeded") {
          result["message"] = {{"id", "msg_" + cid},
                               {"type", "message"},
                               {"role", "assistant"},
                               {"model", "claude-x"},
                               {"content", {{{"type", "text"}, {"text", "ok"}}}},
                               {"stop_reason", "end_turn"},
                               {"stop_sequence", nullptr},
                               {"usage", {{"input_tokens", 1}, {"output_tokens", 1}}}};
        }
        body += json{{"custom_id", cid}, {"result", result}}.dump() + "\n";
      }
      res.set_content(body, "application/x-jsonl");
      return;
    } else if (req.method == "DELETE") {
      if (b.status != "ended") return error(res, 400, "invalid_request_error", "still processing");
      res.set_content(json{{"id", id}, {"type", "message_batch_deleted"}}.dump(),
                      "application/json");
      batches_.erase(it);
      return;
    }
    res.set_content(to_json(b).dump(), "application/json");
  }

  void create(const httplib::Request& req, httplib::Response& res) {
    json body = json::parse(req.body);
    Batch b;
    char id[32];
    std::snprintf(id, sizeof id, "msgbatch_%04d", ++next_);
    b.id = id;
    b.created_at = "2026-08-20T10:00:00.000000Z";
    for (const auto& r : body.at("requests")) b.custom_ids.push_back(r.at("custom_id"));
    res.set_content(to_json(b).dump(), "application/json");
    batches_[b.id] = std::move(b);
  }

  void list(const httplib::Request& req, httplib::Response& res) {
    std::vector<std::string> ids;  // newest first
    for (auto it = batches_.rbegin(); it != batches_.rend(); ++it) ids.push_back(it->first);
    std::size_t limit = req.has_param("limit") ? std::stoul(req.get_param_value("limit")) : 20;
    std::size_t begin = 0, end = ids.size();
    if (req.has_param("after_id")) {
      auto after = req.get_param_value("after_id");
      begin = static_cast<std::size_t>(
          std::find_if(ids.begin(), ids.end(), [&](const auto& i) { return i < after; }) -
          ids.begin());
      end = std::min(ids.size(), begin + limit);
    } else if (req.has_param("before_id")) {
      auto before = req.get_param_value("before_id");
      end = static_cast<std::size_t>(
          std::find_if(ids.begin(), ids.end(), [&](const auto& i) { return i <= before; }) -
          ids.begin());
      begin = end > limit ? end - limit : 0;
    } else {
      end = std::min(ids.size(), limit);
    }
    json data = json::array();
    for (std::size_t i = begin; i < end; ++i) data.push_back(to_json(batches_.at(ids[i])));
    bool has_more = req.has_param("before_id") ? begin > 0 : end < ids.size();
    res.set_content(json{{"data", data},
                         {"has_more", has_more},
                         {"first_id", begin < end ? json(ids[begin]) : json(nullptr)},
                         {"last_id", begin < end ? json(ids[end - 1]) : json(nullptr)}}
                        .dump(),
                    "application/json");
  }

  anthropic::testing::TestServer server_;
  std::mutex mutex_;
  std::map<std::string, Batch> batches_;
  int next_ = 0;
};

class Conformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "emulator") {
      server_ = std::make_unique<EmulatorServer>();
    } else {
      server_ = std::make_unique<ScriptedServer>();
    }
    anthropic::ClientOptions options;
    options.api_key = server_->api_key();
    options.base_url = server_->base_url();
    options.max_retries = 0;
    client_ = std::make_unique<anthropic::Client>(options);
  }

  bm::BatchService& batches() { return client_->beta().messages().batches(); }

  static bm::BetaMessageBatchCreateParams requests(const std::string& prefix, int n) {
    bm::BetaMessageBatchCreateParams p;
    for (int i = 0; i < n; ++i) {
      bm::BetaMessageBatchCreateParams::Request r;
      r.custom_id = prefix + "-" + std::to_string(i);
      r.params.model = "claude-x";
      r.params.max_tokens = 64;
      r.params.messages.push_back(
          anthropic::beta::BetaMessageParam::user("question " + r.custom_id));
      p.requests.push_back(std::move(r));
    }
    return p;
  }

  static bm::WaitOptions quick_wait() {
    bm::WaitOptions w;
    w.initial_interval = std::chrono::milliseconds(10);
    w.max_interval = std::chrono::milliseconds(50);
    w.timeout = std::chrono::seconds(20);
    return w;
  }

  std::unique_ptr<ConformanceServer> server_;
  std::unique_ptr<anthropic::Client> client_;
};

TEST_P(Conformance, CreateRetrieveWaitResultsDelete) {
  bm::BetaMessageBatch created = batches().create(requests("life", 3));
  EXPECT_EQ(created.processing_status, bm::ProcessingStatus::in_progress);
  EXPECT_EQ(created.request_counts.processing, 3);
  EXPECT_FALSE(created.ended_at.has_value());
  EXPECT_FALSE(created.results_url.has_value());
  EXPECT_TRUE(created.created_at.valid());

  bm::BetaMessageBatch again = batches().retrieve(created.id);
  EXPECT_EQ(again.id, created.id);
  EXPECT_EQ(again.request_counts, created.request_counts);
  EXPECT_THROW(batches().results(created.id), anthropic::BadRequestException);  // not ended
  EXPECT_THROW(batches().delete_(created.id), anthropic::BadRequestException);  // not ended

  server_->finish_processing();
  int polls = 0;
  auto wait = quick_wait();
  wait.on_progress = [&](const bm::BetaMessageBatch&) { ++polls; };
  bm::BetaMessageBatch ended = batches().wait_until_ended(created.id, wait);
  EXPECT_GE(polls, 1);
  EXPECT_EQ(ended.processing_status, bm::ProcessingStatus::ended);
  EXPECT_EQ(ended.request_counts.succeeded, 3);
  EXPECT_EQ(ended.request_counts.processing, 0);
  ASSERT_TRUE(ended.ended_at.has_value());
  ASSERT_TRUE(ended.results_url.has_value());
  EXPECT_NE(ended.results_url->find(created.id), std::string::npos);

  std::set<std::string> ids;
  for (const auto& line : batches().results(created.id)) {
    EXPECT_EQ(line.result.type, bm::BetaMessageBatchResultType::succeeded);
    ASSERT_TRUE(line.result.message.has_value());
    EXPECT_FALSE(line.result.message->content.empty());
    ids.insert(line.custom_id);
  }
  EXPECT_EQ(ids, (std::set<std::string>{"life-0", "life-1", "life-2"}));

  bm::BetaDeletedMessageBatch deleted = batches().delete_(created.id);
  EXPECT_EQ(deleted.id, created.id);
  EXPECT_EQ(deleted.type, "message_batch_deleted");
  EXPECT_THROW(batches().retrieve(created.id), anthropic::NotFoundException);
}

TEST_P(Conformance, CancelThenEnd) {
  bm::BetaMessageBatch created = batches().create(requests("cancel", 4));
  bm::BetaMessageBatch canceling = batches().cancel(created.id);
  EXPECT_EQ(canceling.processing_status, bm::ProcessingStatus::canceling);
  ASSERT_TRUE(canceling.cancel_initiated_at.has_value());
  EXPECT_TRUE(canceling.cancel_initiated_at->valid());

  server_->finish_processing();
  bm::BetaMessageBatch ended = batches().wait_until_ended(created.id, quick_wait());
  EXPECT_EQ(ended.processing_status, bm::ProcessingStatus::ended);
  EXPECT_EQ(ended.request_counts.total(), 4);
  EXPECT_EQ(ended.request_counts.canceled + ended.request_counts.succeeded, 4);
  EXPECT_GT(ended.request_counts.canceled, 0);
  int canceled_lines = 0;
  for (const auto& line : batches().results(created.id)) {
    if (line.result.type == bm::BetaMessageBatchResultType::canceled) ++canceled_lines;
  }
  EXPECT_EQ(canceled_lines, ended.request_counts.canceled);
  EXPECT_THROW(batches().cancel(created.id), anthropic::BadRequestException);  // already ended
}

TEST_P(Conformance, ListPagesNewestFirstForwardsAndBackwards) {
  std::vector<std::string> created;  // oldest first
  for (int i = 0; i < 5; ++i) created.push_back(batches().create(requests("list", 1)).id);
  std::vector<std::string> newest_first(created.rbegin(), created.rend());

  bm::BetaMessageBatchListParams params;
  params.limit = 2;
  std::vector<std::string> seen;
  for (const auto& b : batches().list(params).auto_paging()) seen.push_back(b.id);
  EXPECT_EQ(seen, newest_first);

  bm::BatchListPage first = batches().list(params);
  EXPECT_EQ(first.data.size(), 2u);
  EXPECT_TRUE(first.has_more);
  EXPECT_EQ(first.first_id, newest_first[0]);
  EXPECT_EQ(first.last_id, newest_first[1]);

  // Backwards from the oldest: pages of newer batches until the newest.
  params.before_id = created[0];
  std::vector<std::string> back;
  for (const auto& b : batches().list(params).auto_paging()) back.push_back(b.id);
  std::sort(back.begin(), back.end());
  EXPECT_EQ(back, std::vector<std::string>(created.begin() + 1, created.end()));
}

TEST_P(Conformance, UnknownBatchAndWrongKey) {
  EXPECT_THROW(batches().retrieve("msgbatch_doesnotexist"), anthropic::NotFoundException);
  anthropic::ClientOptions options;
  options.api_key = "sk-ant-wrong";
  options.base_url = server_->base_url();
  anthropic::Client wrong(options);
  try {
    wrong.beta().messages().batches().list();
    FAIL();
  } catch (const anthropic::AuthenticationException& e) {
    EXPECT_EQ(e.error_type(), "authentication_error");
    EXPECT_EQ(std::string(e.what()).find("sk-ant-wrong"), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(TwoServers, Conformance, ::testing::Values("scripted", "emulator"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
