// Conformance tests of the Message Batches API emulator, driven with a plain httplib::Client
// (not the SDK). The emulator clock is advanced instead of sleeping.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "anthropic/emulator/emulator.hpp"

extern char** environ;

namespace {

using anthropic::emulator::Emulator;
using anthropic::emulator::EmulatorOptions;
using nlohmann::json;
using std::chrono::hours;
using std::chrono::milliseconds;
namespace fs = std::filesystem;

constexpr const char* kKey = "sk-ant-emulator";

struct Reply {
  int status = 0;
  httplib::Headers headers;
  std::string raw;
  json body;  // discarded (is_discarded()) when the body is not JSON

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

Reply to_reply(const httplib::Result& r) {
  Reply out;
  if (!r) {
    ADD_FAILURE() << "HTTP transport error: " << httplib::to_string(r.error());
    return out;
  }
  out.status = r->status;
  out.headers = r->headers;
  out.raw = r->body;
  out.body = json::parse(r->body, nullptr, false);
  return out;
}

/// "2024-08-20T18:37:24.100435Z" -> microseconds since the epoch (-1 when malformed).
long long parse_time(const std::string& s) {
  static const std::regex re(R"(^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{6})Z$)");
  std::smatch m;
  if (!std::regex_match(s, m, re)) return -1;
  std::tm tm{};
  tm.tm_year = std::stoi(m[1]) - 1900;
  tm.tm_mon = std::stoi(m[2]) - 1;
  tm.tm_mday = std::stoi(m[3]);
  tm.tm_hour = std::stoi(m[4]);
  tm.tm_min = std::stoi(m[5]);
  tm.tm_sec = std::stoi(m[6]);
  return static_cast<long long>(timegm(&tm)) * 1000000 + std::stoll(m[7]);
}

json request(const std::string& custom_id, const std::string& text,
             const std::string& model = "claude-sonnet-4-5", int max_tokens = 1024) {
  return {{"custom_id", custom_id},
          {"params",
           {{"model", model},
            {"max_tokens", max_tokens},
            {"messages", json::array({{{"role", "user"}, {"content", text}}})}}}};
}

json batch_body(std::size_t n, const std::string& prefix = "req-") {
  json requests = json::array();
  for (std::size_t i = 0; i < n; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "%s%05zu", prefix.c_str(), i);
    requests.push_back(request(id, "Hello number " + std::to_string(i)));
  }
  return {{"requests", requests}};
}

std::vector<json> parse_jsonl(const std::string& body) {
  std::vector<json> lines;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    lines.push_back(json::parse(line));
  }
  return lines;
}

/// Result lines sorted by custom_id. The emulator, like the API, writes them in no particular
/// order; the req-NNNNN ids of batch_body() sort in request order.
std::vector<json> sorted_by_custom_id(std::vector<json> lines) {
  std::sort(lines.begin(), lines.end(), [](const json& a, const json& b) {
    return a.value("custom_id", "") < b.value("custom_id", "");
  });
  return lines;
}

/// Result lines by custom_id.
std::map<std::string, json> by_custom_id(const std::vector<json>& lines) {
  std::map<std::string, json> out;
  for (const json& line : lines) out[line.value("custom_id", "")] = line;
  return out;
}

void expect_error(const Reply& r, int status, const std::string& type,
                  const std::string& message = "") {
  EXPECT_EQ(r.status, status) << r.raw;
  ASSERT_TRUE(r.body.is_object()) << r.raw;
  EXPECT_EQ(r.body.size(), 3u) << r.raw;
  EXPECT_EQ(r.body["type"], "error");
  ASSERT_TRUE(r.body["error"].is_object());
  EXPECT_EQ(r.body["error"].size(), 2u);
  EXPECT_EQ(r.body["error"]["type"], type) << r.raw;
  if (!message.empty()) {
    EXPECT_EQ(r.body["error"]["message"], message) << r.raw;
  }
  EXPECT_TRUE(r.body["error"]["message"].is_string());
  const std::string rid = r.header("request-id");
  EXPECT_EQ(rid.rfind("req_", 0), 0u) << rid;
  EXPECT_EQ(r.body["request_id"], rid);
  EXPECT_EQ(r.header("Content-Type"), "application/json");
}

class EmulatorTest : public ::testing::Test {
 protected:
  /// Starts an emulator on a manual clock (time moves only with advance()) unless `real_clock`.
  void start(EmulatorOptions options = {}, bool real_clock = false) {
    if (!real_clock) options.manual_clock = true;
    options_ = options;
    emulator_ = std::make_unique<Emulator>(options);
    emulator_->start();
    client_ = make_client();
  }

  void TearDown() override {
    client_.reset();
    if (emulator_) emulator_->stop();
  }

  std::unique_ptr<httplib::Client> make_client(bool with_key = true,
                                               const std::string& version = "2023-06-01") const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", emulator_->port());
    c->set_connection_timeout(std::chrono::seconds(5));
    c->set_read_timeout(std::chrono::seconds(30));
    c->set_write_timeout(std::chrono::seconds(30));
    httplib::Headers headers = {{"anthropic-version", version},
                                {"anthropic-beta", "message-batches-2024-09-24"}};
    if (with_key) headers.emplace("x-api-key", kKey);
    c->set_default_headers(headers);
    return c;
  }

  Reply post(const std::string& path, const std::string& body, const httplib::Headers& extra = {}) {
    return to_reply(client_->Post(path.c_str(), extra, body, "application/json"));
  }
  Reply post(const std::string& path, const json& body) { return post(path, body.dump()); }
  Reply get(const std::string& path, const httplib::Headers& extra = {}) {
    return to_reply(client_->Get(path.c_str(), extra));
  }
  Reply del(const std::string& path) { return to_reply(client_->Delete(path.c_str())); }

  Reply create(const json& body) { return post("/v1/messages/batches?beta=true", body); }
  std::string create_id(std::size_t n = 2) {
    Reply r = create(batch_body(n));
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body.value("id", "");
  }
  Reply retrieve(const std::string& id) { return get("/v1/messages/batches/" + id + "?beta=true"); }
  Reply cancel(const std::string& id) {
    return post("/v1/messages/batches/" + id + "/cancel?beta=true", std::string());
  }
  Reply results(const std::string& id) {
    return get("/v1/messages/batches/" + id + "/results?beta=true");
  }
  Reply list(const std::string& query = "") {
    return get("/v1/messages/batches?beta=true" + query);
  }

  EmulatorOptions options_;
  std::unique_ptr<Emulator> emulator_;
  std::unique_ptr<httplib::Client> client_;
};

// ------------------------------------------------------------------------------------------
// Create and the batch object

TEST_F(EmulatorTest, CreateReturnsAnInProgressBatchWithTheApiShape) {
  start();
  Reply r = create(batch_body(3));
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  EXPECT_TRUE(std::regex_match(r.header("request-id"), std::regex("^req_[0-9A-Za-z]{24}$")))
      << r.header("request-id");
  const json& b = r.body;
  EXPECT_TRUE(
      std::regex_match(b["id"].get<std::string>(), std::regex("^msgbatch_[0-9A-Za-z]{24}$")))
      << b["id"];
  EXPECT_EQ(b["type"], "message_batch");
  EXPECT_EQ(b["processing_status"], "in_progress");
  EXPECT_EQ(
      b["request_counts"],
      json({{"processing", 3}, {"succeeded", 0}, {"errored", 0}, {"canceled", 0}, {"expired", 0}}));
  const long long created = parse_time(b["created_at"]);
  ASSERT_GT(created, 0) << b["created_at"];
  EXPECT_EQ(parse_time(b["expires_at"]), created + 24LL * 3600 * 1000000);
  for (const char* k : {"ended_at", "cancel_initiated_at", "archived_at", "results_url"}) {
    ASSERT_TRUE(b.contains(k)) << k;
    EXPECT_TRUE(b[k].is_null()) << k;
  }
  EXPECT_EQ(b.size(), 10u);
  // Field order as in the API reference.
  std::vector<std::string> keys;
  const auto ordered = nlohmann::ordered_json::parse(r.raw);
  for (const auto& item : ordered.items()) keys.push_back(item.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"id", "type", "processing_status", "request_counts",
                                            "created_at", "expires_at", "ended_at",
                                            "cancel_initiated_at", "archived_at", "results_url"}));
}

TEST_F(EmulatorTest, PathsWorkWithAndWithoutBetaQuery) {
  start();
  Reply a = post("/v1/messages/batches", batch_body(1));
  ASSERT_EQ(a.status, 200);
  const std::string id = a.body["id"];
  EXPECT_EQ(get("/v1/messages/batches/" + id).status, 200);
  EXPECT_EQ(get("/v1/messages/batches/" + id + "?beta=true").status, 200);
  EXPECT_EQ(get("/v1/messages/batches").status, 200);
  // The id is percent-decoded from the path.
  std::string encoded = id;
  encoded.replace(encoded.find('_'), 1, "%5F");
  Reply r = get("/v1/messages/batches/" + encoded + "?beta=true");
  EXPECT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["id"], id);
}

TEST_F(EmulatorTest, IdsIncreaseWithCreation) {
  start();
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) ids.push_back(create_id(1));
  for (std::size_t i = 1; i < ids.size(); ++i) EXPECT_LT(ids[i - 1], ids[i]);
}

// ------------------------------------------------------------------------------------------
// Lifecycle

TEST_F(EmulatorTest, BatchEndsAfterProcessingTime) {
  EmulatorOptions o;
  o.processing_time = milliseconds(10000);
  start(o);
  Reply c = create(batch_body(4));
  const std::string id = c.body["id"];
  const long long created = parse_time(c.body["created_at"]);

  emulator_->advance(milliseconds(5000));
  Reply mid = retrieve(id);
  EXPECT_EQ(mid.body["processing_status"], "in_progress");
  EXPECT_EQ(mid.body["request_counts"]["processing"], 4);
  EXPECT_EQ(mid.body["request_counts"]["succeeded"], 0);  // counts move only at the end
  EXPECT_TRUE(mid.body["results_url"].is_null());

  emulator_->advance(milliseconds(5000));
  Reply done = retrieve(id);
  EXPECT_EQ(done.body["processing_status"], "ended");
  EXPECT_EQ(
      done.body["request_counts"],
      json({{"processing", 0}, {"succeeded", 4}, {"errored", 0}, {"canceled", 0}, {"expired", 0}}));
  EXPECT_EQ(parse_time(done.body["ended_at"]), created + 10000LL * 1000);
  EXPECT_TRUE(done.body["cancel_initiated_at"].is_null());
  EXPECT_TRUE(done.body["archived_at"].is_null());
  EXPECT_EQ(done.body["results_url"], "http://127.0.0.1:" + std::to_string(emulator_->port()) +
                                          "/v1/messages/batches/" + id + "/results");
  EXPECT_EQ(done.body["created_at"], c.body["created_at"]);
  EXPECT_EQ(done.body["expires_at"], c.body["expires_at"]);
}

TEST_F(EmulatorTest, ResultsUrlFollowsTheHostHeaderOrPublicBaseUrl) {
  EmulatorOptions o;
  o.processing_time = milliseconds(0);
  start(o);
  const std::string id = create_id();
  Reply r = get("/v1/messages/batches/" + id, {{"Host", "localhost:1234"}});
  EXPECT_EQ(r.body["results_url"], "http://localhost:1234/v1/messages/batches/" + id + "/results");
  emulator_->stop();

  o.public_base_url = "https://batches.example/";
  start(o);
  const std::string id2 = create_id();
  EXPECT_EQ(retrieve(id2).body["results_url"],
            "https://batches.example/v1/messages/batches/" + id2 + "/results");
}

TEST_F(EmulatorTest, CancelMidwayGivesPartialResults) {
  EmulatorOptions o;
  o.processing_time = milliseconds(1000);
  start(o);
  const std::string id = create_id(100);

  emulator_->advance(milliseconds(400));  // 40 of 100 requests have completed
  Reply c = cancel(id);
  ASSERT_EQ(c.status, 200) << c.raw;
  EXPECT_EQ(c.body["processing_status"], "canceling");
  EXPECT_FALSE(c.body["cancel_initiated_at"].is_null());
  EXPECT_TRUE(c.body["ended_at"].is_null());
  EXPECT_EQ(c.body["request_counts"]["processing"], 100);
  const long long initiated = parse_time(c.body["cancel_initiated_at"]);

  // Cancel while canceling is idempotent.
  Reply again = cancel(id);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body["cancel_initiated_at"], c.body["cancel_initiated_at"]);

  // Delete is refused while canceling.
  expect_error(del("/v1/messages/batches/" + id), 400, "invalid_request_error");

  emulator_->advance(milliseconds(250));  // processing_time / 4
  Reply done = retrieve(id);
  EXPECT_EQ(done.body["processing_status"], "ended");
  EXPECT_EQ(done.body["request_counts"], json({{"processing", 0},
                                               {"succeeded", 40},
                                               {"errored", 0},
                                               {"canceled", 60},
                                               {"expired", 0}}));
  EXPECT_EQ(parse_time(done.body["ended_at"]), initiated + 250 * 1000);
  EXPECT_EQ(done.body["cancel_initiated_at"], c.body["cancel_initiated_at"]);

  Reply res = results(id);
  ASSERT_EQ(res.status, 200);
  auto lines = sorted_by_custom_id(parse_jsonl(res.raw));
  ASSERT_EQ(lines.size(), 100u);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i]["result"]["type"], i < 40 ? "succeeded" : "canceled") << i;
  }
  EXPECT_EQ(lines[99], json::parse(R"({"custom_id":"req-00099","result":{"type":"canceled"}})"));

  // Cancel of an ended batch: 400.
  expect_error(cancel(id), 400, "invalid_request_error",
               "Message batch " + id + " has already ended and cannot be canceled");
}

TEST_F(EmulatorTest, CancelRightAwayCancelsEverything) {
  start();
  const std::string id = create_id(5);
  ASSERT_EQ(cancel(id).status, 200);
  emulator_->advance(milliseconds(500));
  Reply done = retrieve(id);
  EXPECT_EQ(done.body["processing_status"], "ended");
  EXPECT_EQ(done.body["request_counts"]["canceled"], 5);
  EXPECT_EQ(done.body["request_counts"]["succeeded"], 0);
}

TEST_F(EmulatorTest, DeleteRules) {
  start();
  const std::string id = create_id();
  Reply in_progress = del("/v1/messages/batches/" + id + "?beta=true");
  expect_error(in_progress, 400, "invalid_request_error");
  EXPECT_NE(in_progress.body["error"]["message"].get<std::string>().find("in_progress"),
            std::string::npos);

  emulator_->advance(milliseconds(2000));
  Reply ok = del("/v1/messages/batches/" + id + "?beta=true");
  ASSERT_EQ(ok.status, 200) << ok.raw;
  EXPECT_EQ(ok.body, json({{"id", id}, {"type", "message_batch_deleted"}}));
  EXPECT_EQ(ok.raw, "{\"id\":\"" + id + "\",\"type\":\"message_batch_deleted\"}");

  expect_error(retrieve(id), 404, "not_found_error", "Message batch " + id + " not found");
  expect_error(del("/v1/messages/batches/" + id), 404, "not_found_error");
  expect_error(results(id), 404, "not_found_error");
  expect_error(cancel(id), 404, "not_found_error");
  EXPECT_EQ(list().body["data"].size(), 0u);
}

TEST_F(EmulatorTest, ExpiryWithShortExpiryAfter) {
  EmulatorOptions o;
  o.processing_time = milliseconds(4000);
  o.expiry_after = milliseconds(1000);
  start(o);
  Reply c = create(batch_body(8));
  const std::string id = c.body["id"];
  emulator_->advance(milliseconds(999));
  EXPECT_EQ(retrieve(id).body["processing_status"], "in_progress");
  emulator_->advance(milliseconds(1));
  Reply done = retrieve(id);
  EXPECT_EQ(done.body["processing_status"], "ended");
  EXPECT_EQ(
      done.body["request_counts"],
      json({{"processing", 0}, {"succeeded", 2}, {"errored", 0}, {"canceled", 0}, {"expired", 6}}));
  EXPECT_EQ(parse_time(done.body["ended_at"]), parse_time(c.body["created_at"]) + 1000 * 1000);
  auto lines = sorted_by_custom_id(parse_jsonl(results(id).raw));
  ASSERT_EQ(lines.size(), 8u);
  EXPECT_EQ(lines[1]["result"]["type"], "succeeded");
  EXPECT_EQ(lines[2], json::parse(R"({"custom_id":"req-00002","result":{"type":"expired"}})"));
}

TEST_F(EmulatorTest, ExpiryAfter24HoursByDefault) {
  EmulatorOptions o;
  o.processing_time = hours(48);
  start(o);
  Reply c = create(batch_body(4));
  const std::string id = c.body["id"];
  emulator_->advance(hours(23));
  EXPECT_EQ(retrieve(id).body["processing_status"], "in_progress");
  emulator_->advance(hours(1));
  Reply done = retrieve(id);
  EXPECT_EQ(done.body["processing_status"], "ended");
  EXPECT_EQ(done.body["ended_at"], c.body["expires_at"]);
  EXPECT_EQ(done.body["request_counts"]["succeeded"], 2);
  EXPECT_EQ(done.body["request_counts"]["expired"], 2);
}

// ------------------------------------------------------------------------------------------
// Results

TEST_F(EmulatorTest, ResultsBeforeTheEndAre400) {
  start();
  const std::string id = create_id();
  Reply r = results(id);
  expect_error(r, 400, "invalid_request_error");
  EXPECT_NE(r.body["error"]["message"].get<std::string>().find("has not yet ended"),
            std::string::npos);
  ASSERT_EQ(cancel(id).status, 200);
  expect_error(results(id), 400, "invalid_request_error");
}

TEST_F(EmulatorTest, ResultsForAThousandRequests) {
  start();
  const std::string id = create_id(1000);
  emulator_->advance(milliseconds(2000));
  Reply r = results(id);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type"), "application/x-jsonl");
  EXPECT_EQ(r.header("request-id").rfind("req_", 0), 0u);
  ASSERT_FALSE(r.raw.empty());
  EXPECT_EQ(r.raw.back(), '\n');
  auto lines = sorted_by_custom_id(parse_jsonl(r.raw));
  ASSERT_EQ(lines.size(), 1000u);
  std::set<std::string> message_ids;
  const std::regex msg_id("^msg_[0-9A-Za-z]{24}$");
  for (std::size_t i = 0; i < lines.size(); ++i) {
    char cid[32];
    std::snprintf(cid, sizeof cid, "req-%05zu", i);
    const json& line = lines[i];
    EXPECT_EQ(line.size(), 2u);
    EXPECT_EQ(line["custom_id"], cid);
    const json& result = line["result"];
    ASSERT_EQ(result["type"], "succeeded");
    const json& m = result["message"];
    EXPECT_EQ(m["type"], "message");
    EXPECT_EQ(m["role"], "assistant");
    EXPECT_EQ(m["model"], "claude-sonnet-4-5");
    EXPECT_EQ(
        m["content"],
        json::array({{{"type", "text"}, {"text", "Echo: Hello number " + std::to_string(i)}}}));
    EXPECT_EQ(m["stop_reason"], "end_turn");
    EXPECT_TRUE(m["stop_sequence"].is_null());
    EXPECT_GT(m["usage"]["input_tokens"].get<int>(), 0);
    EXPECT_GT(m["usage"]["output_tokens"].get<int>(), 0);
    EXPECT_EQ(m["usage"]["cache_creation_input_tokens"], 0);
    EXPECT_EQ(m["usage"]["cache_read_input_tokens"], 0);
    EXPECT_EQ(m["usage"]["service_tier"], "batch");
    EXPECT_TRUE(std::regex_match(m["id"].get<std::string>(), msg_id));
    message_ids.insert(m["id"]);
  }
  EXPECT_EQ(message_ids.size(), 1000u);
  // Deterministic: a second download is byte-identical.
  EXPECT_EQ(results(id).raw, r.raw);
}

// Range on the results endpoint: `bytes=N-` is honoured (what the SDK sends to resume a broken
// transfer), past the end is 416, any other form is ignored.
TEST_F(EmulatorTest, ResultsHonourAnOpenRangeWithTheSameBytesAsAFullDownload) {
  start();
  const std::string id = create_id(3000);  // ~700 KB: the rest spans several 64 KiB chunks
  emulator_->advance(milliseconds(10000));
  const Reply full = results(id);
  ASSERT_EQ(full.status, 200);
  const std::size_t total = full.raw.size();
  const std::size_t second_line = full.raw.find('\n') + 1;
  for (std::size_t start :
       {std::size_t{0}, std::size_t{1}, second_line, second_line + 7, total / 2, total - 1}) {
    SCOPED_TRACE(start);
    Reply r = get("/v1/messages/batches/" + id + "/results?beta=true",
                  {{"Range", "bytes=" + std::to_string(start) + "-"}});
    ASSERT_EQ(r.status, 206) << r.raw.substr(0, 200);
    EXPECT_EQ(r.header("Content-Range"), "bytes " + std::to_string(start) + "-" +
                                             std::to_string(total - 1) + "/" +
                                             std::to_string(total));
    EXPECT_EQ(r.header("Content-Length"), std::to_string(total - start));
    EXPECT_EQ(r.header("Content-Type"), "application/x-jsonl");
    EXPECT_TRUE(r.raw == full.raw.substr(start));  // not EXPECT_EQ: no 700 KB diff on failure
  }
}

std::vector<std::string> custom_ids(const std::vector<json>& lines) {
  std::vector<std::string> ids;
  for (const json& line : lines) ids.push_back(line.value("custom_id", ""));
  return ids;
}

std::vector<std::string> request_order(std::size_t n) {
  std::vector<std::string> ids;
  const json body = batch_body(n);  // kept alive: the loop reads into it
  for (const json& r : body["requests"]) ids.push_back(r["custom_id"]);
  return ids;
}

// The API promises no order. By default the lines are shuffled, seeded by the batch id: the same
// batch always gives the same bytes (a Range resume relies on it), another batch another order.
TEST_F(EmulatorTest, ResultsComeInAShuffledOrderStablePerBatch) {
  EmulatorOptions o;
  o.processing_time = milliseconds(0);
  start(o);
  const std::string id = create_id(50);
  const std::string other = create_id(50);
  const Reply first = results(id);
  ASSERT_EQ(first.status, 200);
  const std::vector<std::string> order = custom_ids(parse_jsonl(first.raw));
  const std::vector<std::string> requested = request_order(50);
  ASSERT_EQ(order.size(), 50u);
  EXPECT_NE(order, requested);
  EXPECT_TRUE(std::is_permutation(order.begin(), order.end(), requested.begin(), requested.end()));
  std::size_t in_place = 0;
  for (std::size_t i = 0; i < 50; ++i) in_place += order[i] == requested[i];
  EXPECT_LT(in_place, 10u);  // a shuffle, not a rotation of request order

  // Identical on every download; each line is still the line of its request.
  EXPECT_EQ(results(id).raw, first.raw);
  for (const json& line : parse_jsonl(first.raw)) {
    const std::string cid = line["custom_id"];
    EXPECT_EQ(line["result"]["message"]["content"][0]["text"],
              "Echo: Hello number " + std::to_string(std::stoi(cid.substr(4))));
  }

  // Another batch with the same custom_ids: another order.
  const std::vector<std::string> other_order = custom_ids(parse_jsonl(results(other).raw));
  EXPECT_TRUE(std::is_permutation(other_order.begin(), other_order.end(), requested.begin(),
                                  requested.end()));
  EXPECT_NE(other_order, order);

  // A resume from any byte continues the same file.
  for (std::size_t from : {std::size_t{1}, first.raw.size() / 3, first.raw.size() - 2}) {
    Reply r = get("/v1/messages/batches/" + id + "/results",
                  {{"Range", "bytes=" + std::to_string(from) + "-"}});
    ASSERT_EQ(r.status, 206);
    EXPECT_TRUE(r.raw == first.raw.substr(from)) << from;
  }

  // ordered_results: request order.
  client_.reset();
  emulator_->stop();
  o.ordered_results = true;
  start(o);
  const std::string ordered = create_id(50);
  EXPECT_EQ(custom_ids(parse_jsonl(results(ordered).raw)), requested);
}

TEST_F(EmulatorTest, ResultsRangeAtOrPastTheEndIs416WithTheSize) {
  start();
  const std::string id = create_id(5);
  emulator_->advance(milliseconds(10000));
  const std::size_t total = results(id).raw.size();
  for (std::size_t start : {total, total + 1000}) {
    Reply r = get("/v1/messages/batches/" + id + "/results?beta=true",
                  {{"Range", "bytes=" + std::to_string(start) + "-"}});
    expect_error(r, 416, "invalid_request_error");
    EXPECT_EQ(r.header("Content-Range"), "bytes */" + std::to_string(total));
  }
  // Errors are not cut by the Range either.
  expect_error(
      get("/v1/messages/batches/msgbatch_missing/results?beta=true", {{"Range", "bytes=5-"}}), 404,
      "not_found_error");
}

TEST_F(EmulatorTest, ResultsIgnoreOtherRangeFormsAndSendEverything) {
  start();
  const std::string id = create_id(20);
  emulator_->advance(milliseconds(10000));
  const Reply full = results(id);
  ASSERT_EQ(full.status, 200);
  // (A Range that does not parse at all, such as "items=0-", is refused with 416 by cpp-httplib
  // 0.11 before any handler runs; the SDK never sends one.)
  for (const char* range : {"bytes=0-10", "bytes=-5", "bytes=1-,5-", "bytes=5-9,20-"}) {
    SCOPED_TRACE(range);
    Reply r = get("/v1/messages/batches/" + id + "/results?beta=true", {{"Range", range}});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("Content-Range"), "");
    EXPECT_EQ(r.raw, full.raw);
  }
}

TEST_F(EmulatorTest, ResultsAreStreamedInChunks) {
  // 20,000 requests (~5 MB of results) keep the test quick under sanitizers; the provider
  // produces 64 KiB at a time whatever the size.
  constexpr int kRequests = 20000;
  EmulatorOptions o;
  o.processing_time = milliseconds(0);
  start(o);
  std::string body = R"({"requests":[)";
  for (int i = 0; i < kRequests; ++i) {
    if (i) body += ',';
    body +=
        R"({"custom_id":"r)" + std::to_string(i) +
        R"(","params":{"model":"claude-m","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}})";
  }
  body += "]}";
  Reply c = post("/v1/messages/batches", body);
  ASSERT_EQ(c.status, 200);
  EXPECT_EQ(c.body["request_counts"]["processing"], kRequests);
  const std::string id = c.body["id"];
  std::size_t lines = 0;
  std::size_t bytes = 0;
  std::size_t calls = 0;
  auto r = client_->Get(("/v1/messages/batches/" + id + "/results").c_str(),
                        [&](const char* data, std::size_t n) {
                          ++calls;
                          bytes += n;
                          for (std::size_t i = 0; i < n; ++i) lines += data[i] == '\n';
                          return true;
                        });
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Transfer-Encoding"), "chunked");
  EXPECT_EQ(lines, static_cast<std::size_t>(kRequests));
  EXPECT_GT(bytes, static_cast<std::size_t>(kRequests) * 100);
  EXPECT_GT(calls, bytes / (64 * 1024));
}

TEST_F(EmulatorTest, RealClockMovesOnItsOwn) {
  EmulatorOptions o;
  o.processing_time = milliseconds(50);
  start(o, /*real_clock=*/true);
  const std::string id = create_id(3);
  std::this_thread::sleep_for(milliseconds(120));
  Reply r = retrieve(id);
  EXPECT_EQ(r.body["processing_status"], "ended");
  EXPECT_EQ(r.body["request_counts"]["succeeded"], 3);
}

TEST_F(EmulatorTest, PerRequestProblemsEndErrored) {
  start();
  json bad_model = request("no-model", "x");
  bad_model["params"].erase("model");
  json bad_tokens = request("zero-tokens", "x");
  bad_tokens["params"]["max_tokens"] = 0;
  json no_tokens = request("no-tokens", "x");
  no_tokens["params"].erase("max_tokens");
  json empty_messages = request("empty-messages", "x");
  empty_messages["params"]["messages"] = json::array();
  json no_messages = request("no-messages", "x");
  no_messages["params"].erase("messages");
  json truncated = request("truncated", "a fairly long sentence to echo back", "claude-x", 2);
  json body = {{"requests", json::array({request("ok", "fine"), bad_model, bad_tokens, no_tokens,
                                         empty_messages, no_messages, truncated})}};
  Reply c = create(body);
  ASSERT_EQ(c.status, 200) << c.raw;
  const std::string id = c.body["id"];
  emulator_->advance(milliseconds(2000));
  Reply b = retrieve(id);
  EXPECT_EQ(b.body["request_counts"]["succeeded"], 2);
  EXPECT_EQ(b.body["request_counts"]["errored"], 5);
  auto lines = by_custom_id(parse_jsonl(results(id).raw));
  ASSERT_EQ(lines.size(), 7u);
  auto error_line = [](const std::string& cid, const std::string& message) {
    return json{{"custom_id", cid},
                {"result",
                 {{"type", "errored"},
                  {"error",
                   {{"type", "error"},
                    {"error", {{"type", "invalid_request_error"}, {"message", message}}},
                    {"request_id", nullptr}}}}}};
  };
  EXPECT_EQ(lines["ok"]["result"]["type"], "succeeded");
  EXPECT_EQ(lines["no-model"], error_line("no-model", "model: Field required"));
  EXPECT_EQ(lines["zero-tokens"],
            error_line("zero-tokens", "max_tokens: Input should be greater than or equal to 1"));
  EXPECT_EQ(lines["no-tokens"], error_line("no-tokens", "max_tokens: Field required"));
  EXPECT_EQ(lines["empty-messages"],
            error_line("empty-messages",
                       "messages: List should have at least 1 item after validation, not 0"));
  EXPECT_EQ(lines["no-messages"], error_line("no-messages", "messages: Field required"));
  const json& m = lines["truncated"]["result"]["message"];
  EXPECT_EQ(m["model"], "claude-x");
  EXPECT_EQ(m["stop_reason"], "max_tokens");
  EXPECT_EQ(m["usage"]["output_tokens"], 2);
  EXPECT_EQ(m["content"][0]["text"], "Echo: a ");
}

// anthropic-version 2026-10-21 (and later dates): what that version removed or rejects ends the
// request `errored`, naming the path; under 2023-06-01 (and earlier dates) the same requests
// succeed.
TEST_F(EmulatorTest, ApiVersion20261021RulesEndRequestsErrored) {
  EmulatorOptions o;
  o.processing_time = milliseconds(0);
  start(o);
  auto with = [](const std::string& custom_id, const std::function<void(json&)>& change) {
    json r = request(custom_id, "hello");
    change(r["params"]);
    return r;
  };
  const json citation = {{"type", "char_location"},
                         {"cited_text", "x"},
                         {"document_index", 0},
                         {"start_char_index", 0},
                         {"end_char_index", 1}};
  const json document = {
      {"type", "document"},
      {"source", {{"type", "text"}, {"media_type", "text/plain"}, {"data", "doc"}}}};
  json requests = json::array({
      request("plain", "hello"),
      with("temperature", [](json& p) { p["temperature"] = 1.0; }),
      with("top-p", [](json& p) { p["top_p"] = 0.9; }),
      with("top-k", [](json& p) { p["top_k"] = 5; }),
      with("assistant-document",
           [&](json& p) {
             p["messages"].push_back(
                 {{"role", "assistant"},
                  {"content", json::array({{{"type", "text"}, {"text", "a"}}, document})}});
             p["messages"].push_back({{"role", "user"}, {"content", "more"}});
           }),
      with("user-citations",
           [&](json& p) {
             p["messages"][0]["content"] = json::array(
                 {{{"type", "text"}, {"text", "q"}, {"citations", json::array({citation})}}});
           }),
      with("search-result-citations",
           [&](json& p) {
             p["messages"][0]["content"] = json::array(
                 {{{"type", "text"}, {"text", "q"}},
                  {{"type", "search_result"},
                   {"source", "https://example.com"},
                   {"title", "t"},
                   {"content", json::array({{{"type", "text"}, {"text", "a"}},
                                            {{"type", "text"},
                                             {"text", "b"},
                                             {"citations", json::array({citation})}}})}}});
           }),
      // Still fine under 2026-10-21: empty citations, a document in a user message, citations
      // in an assistant message.
      with(
          "allowed",
          [&](json& p) {
            p["messages"] = json::array(
                {{{"role", "user"},
                  {"content",
                   json::array({document,
                                {{"type", "text"}, {"text", "q"}, {"citations", json::array()}}})}},
                 {{"role", "assistant"},
                  {"content", json::array({{{"type", "text"},
                                            {"text", "a"},
                                            {"citations", json::array({citation})}}})}},
                 {{"role", "user"}, {"content", "last"}}});
          }),
  });
  const std::map<std::string, std::string> expected_errors = {
      {"temperature", "temperature: Extra inputs are not permitted"},
      {"top-p", "top_p: Extra inputs are not permitted"},
      {"top-k", "top_k: Extra inputs are not permitted"},
      {"assistant-document",
       "messages.1.content.1: document blocks are not allowed in assistant messages"},
      {"user-citations",
       "messages.0.content.0.citations: citations are not allowed in user messages"},
      {"search-result-citations",
       "messages.0.content.1.content.1.citations: citations are not allowed in user messages"},
  };
  const json body = {{"requests", requests}};

  for (const std::string version : {"2026-10-21", "2027-01-05"}) {
    SCOPED_TRACE(version);
    auto c = make_client(true, version);
    Reply created = to_reply(c->Post("/v1/messages/batches", body.dump(), "application/json"));
    ASSERT_EQ(created.status, 200) << created.raw;  // the create itself succeeds
    const std::string id = created.body["id"];
    Reply b = to_reply(c->Get(("/v1/messages/batches/" + id).c_str()));
    EXPECT_EQ(b.body["request_counts"]["succeeded"], 2);
    EXPECT_EQ(b.body["request_counts"]["errored"], 6);
    Reply r = to_reply(c->Get(("/v1/messages/batches/" + id + "/results").c_str()));
    auto lines = parse_jsonl(r.raw);
    ASSERT_EQ(lines.size(), 8u);
    std::size_t errored = 0;
    for (const json& line : lines) {
      const std::string cid = line["custom_id"];
      auto it = expected_errors.find(cid);
      if (it == expected_errors.end()) {
        EXPECT_EQ(line["result"]["type"], "succeeded") << line;
        continue;
      }
      ++errored;
      EXPECT_EQ(line["result"],
                json({{"type", "errored"},
                      {"error",
                       {{"type", "error"},
                        {"error", {{"type", "invalid_request_error"}, {"message", it->second}}},
                        {"request_id", nullptr}}}}));
    }
    EXPECT_EQ(errored, expected_errors.size());
  }

  for (const std::string version : {"2023-06-01", "2026-10-20"}) {
    SCOPED_TRACE(version);
    auto c = make_client(true, version);
    Reply created = to_reply(c->Post("/v1/messages/batches", body.dump(), "application/json"));
    ASSERT_EQ(created.status, 200) << created.raw;
    const std::string id = created.body["id"];
    Reply b = to_reply(c->Get(("/v1/messages/batches/" + id).c_str()));
    EXPECT_EQ(b.body["request_counts"]["succeeded"], 8);
    EXPECT_EQ(b.body["request_counts"]["errored"], 0);
    for (const json& line :
         parse_jsonl(to_reply(c->Get(("/v1/messages/batches/" + id + "/results").c_str())).raw)) {
      EXPECT_EQ(line["result"]["type"], "succeeded") << line;
    }
  }
}

// The version is the create call's: reading a batch under another version changes nothing.
TEST_F(EmulatorTest, ApiVersionRulesFollowTheCreateCallAndSurviveARestart) {
  struct TempDir {
    fs::path path = fs::temp_directory_path() /
                    ("anthropic-emulator-version-test-" + std::to_string(::getpid()));
    TempDir() { fs::remove_all(path); }
    ~TempDir() {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  } temp;
  EmulatorOptions o;
  o.processing_time = milliseconds(0);
  o.data_dir = temp.path.string();
  start(o);
  json sampled = request("sampled", "hi");
  sampled["params"]["temperature"] = 0.5;
  const json body = {{"requests", json::array({sampled})}};
  auto v2026 = make_client(true, "2026-10-21");
  const std::string strict =
      to_reply(v2026->Post("/v1/messages/batches", body.dump(), "application/json")).body["id"];
  const std::string lax = create(body).body["id"];  // the fixture's client: 2023-06-01

  auto result_type = [&](httplib::Client& c, const std::string& id) {
    auto lines =
        parse_jsonl(to_reply(c.Get(("/v1/messages/batches/" + id + "/results").c_str())).raw);
    return lines.size() == 1 ? lines[0]["result"]["type"].get<std::string>() : "?";
  };
  EXPECT_EQ(result_type(*client_, strict), "errored");  // read under 2023-06-01
  EXPECT_EQ(result_type(*v2026, lax), "succeeded");     // read under 2026-10-21

  client_.reset();
  v2026.reset();
  emulator_->stop();
  emulator_.reset();
  start(o);
  v2026 = make_client(true, "2026-10-21");
  EXPECT_EQ(result_type(*client_, strict), "errored");
  EXPECT_EQ(result_type(*v2026, lax), "succeeded");
  std::ifstream in(temp.path / "batches" / (strict + ".json"));
  EXPECT_EQ(json::parse(in).value("api_version", ""), "2026-10-21");
  client_.reset();
  v2026.reset();
  emulator_->stop();
  emulator_.reset();
}

TEST_F(EmulatorTest, EchoUsesTheLastUserTextAndIsUtf8Safe) {
  EmulatorOptions o;
  o.processing_time = milliseconds(0);
  start(o);
  json r = request("multi", "ignored");
  r["params"]["messages"] =
      json::array({{{"role", "user"}, {"content", "first"}},
                   {{"role", "assistant"}, {"content", "reply"}},
                   {{"role", "user"},
                    {"content", json::array({{{"type", "text"}, {"text", "second"}},
                                             {{"type", "text"}, {"text", "part"}}})}}});
  std::string long_text;
  for (int i = 0; i < 150; ++i) long_text += "\xc3\xa9";  // 300 bytes of "é"
  json body = {{"requests", json::array({r, request("long", long_text)})}};
  const std::string id = create(body).body["id"];
  auto lines = by_custom_id(parse_jsonl(results(id).raw));  // throws on invalid UTF-8
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines["multi"]["result"]["message"]["content"][0]["text"], "Echo: second part");
  const std::string echoed = lines["long"]["result"]["message"]["content"][0]["text"];
  EXPECT_EQ(echoed, "Echo: " + long_text.substr(0, 200));
}

// ------------------------------------------------------------------------------------------
// Request fidelity: per-request checks (errored results) and the answers a pipeline must handle

/// The `result` of an errored line with this error type and message.
json errored_result(const std::string& type, const std::string& message) {
  return {{"type", "errored"},
          {"error",
           {{"type", "error"},
            {"error", {{"type", type}, {"message", message}}},
            {"request_id", nullptr}}}};
}

json with_params(json r, const std::function<void(json&)>& change) {
  change(r["params"]);
  return r;
}

class FidelityTest : public EmulatorTest {
 protected:
  void SetUp() override {
    EmulatorOptions o;
    o.processing_time = milliseconds(0);
    start(o);
  }

  /// A client of the GA family: no `?beta=true` on the paths and no anthropic-beta header.
  std::unique_ptr<httplib::Client> ga_client() const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", emulator_->port());
    c->set_read_timeout(std::chrono::seconds(30));
    c->set_default_headers({{"anthropic-version", "2023-06-01"}, {"x-api-key", kKey}});
    return c;
  }

  /// Creates a batch of `requests` (processing time 0: it has ended) and returns its result
  /// lines by custom_id. `ga`: through ga_client(), else the beta path and header.
  std::map<std::string, json> run(const json& requests, bool ga = false) {
    const json body = {{"requests", requests}};
    Reply created;
    std::string id;
    if (ga) {
      auto c = ga_client();
      created = to_reply(c->Post("/v1/messages/batches", body.dump(), "application/json"));
      if (created.status != 200) ADD_FAILURE() << created.raw;
      id = created.body.value("id", "");
      return by_custom_id(
          parse_jsonl(to_reply(c->Get(("/v1/messages/batches/" + id + "/results").c_str())).raw));
    }
    created = create(body);
    if (created.status != 200) ADD_FAILURE() << created.raw;
    id = created.body.value("id", "");
    return by_custom_id(parse_jsonl(results(id).raw));
  }

  /// Expects each custom_id of `expected` to have ended errored with that invalid_request_error.
  void expect_errors(std::map<std::string, json>& lines,
                     const std::map<std::string, std::string>& expected) {
    for (const auto& [cid, message] : expected) {
      SCOPED_TRACE(cid);
      EXPECT_EQ(lines[cid]["result"], errored_result("invalid_request_error", message))
          << lines[cid];
    }
  }
};

TEST_F(FidelityTest, UnknownModelsEndNotFoundAndTheListIsAnOption) {
  auto lines =
      run(json::array({request("claude", "hi", "claude-anything-9"), request("gpt", "hi", "gpt-4o"),
                       with_params(request("number", "hi"), [](json& p) { p["model"] = 5; }),
                       request("empty", "hi", "")}));
  EXPECT_EQ(lines["claude"]["result"]["type"], "succeeded") << lines["claude"];
  EXPECT_EQ(lines["claude"]["result"]["message"]["model"], "claude-anything-9");
  EXPECT_EQ(lines["gpt"]["result"], errored_result("not_found_error", "model: gpt-4o"));
  EXPECT_EQ(lines["number"]["result"],
            errored_result("invalid_request_error", "model: Input should be a valid string"));
  EXPECT_EQ(
      lines["empty"]["result"],
      errored_result("invalid_request_error", "model: String should have at least 1 character"));
  // Problems of the params come before the model lookup.
  auto bad = run(json::array(
      {with_params(request("both", "hi", "gpt-4o"), [](json& p) { p["max_tokens"] = 0; })}));
  EXPECT_EQ(bad["both"]["result"],
            errored_result("invalid_request_error",
                           "max_tokens: Input should be greater than or equal to 1"));

  // An explicit list accepts exactly its names.
  TearDown();
  EmulatorOptions o;
  o.processing_time = milliseconds(0);
  o.models = {"claude-a", "my-finetune"};
  start(o);
  auto listed =
      run(json::array({request("a", "hi", "claude-a"), request("mine", "hi", "my-finetune"),
                       request("other", "hi", "claude-b")}));
  EXPECT_EQ(listed["a"]["result"]["type"], "succeeded");
  EXPECT_EQ(listed["mine"]["result"]["type"], "succeeded");
  EXPECT_EQ(listed["other"]["result"], errored_result("not_found_error", "model: claude-b"));
  Reply b = retrieve(create(json{{"requests", json::array({request("x", "y", "claude-b")})}})
                         .body.value("id", ""));
  EXPECT_EQ(b.body["request_counts"]["errored"], 1);
}

TEST_F(FidelityTest, ThinkingIsChecked) {
  auto thinking = [](const std::string& cid, json value, int max_tokens = 4096) {
    return with_params(request(cid, "hi", "claude-sonnet-4-5", max_tokens),
                       [&](json& p) { p["thinking"] = value; });
  };
  auto lines = run(json::array({
      thinking("no-budget", {{"type", "enabled"}}),
      thinking("text-budget", {{"type", "enabled"}, {"budget_tokens", "many"}}),
      thinking("small-budget", {{"type", "enabled"}, {"budget_tokens", 1023}}),
      thinking("budget-at-max", {{"type", "enabled"}, {"budget_tokens", 2048}}, 2048),
      thinking("unknown-type", {{"type", "sometimes"}}),
      thinking("no-type", json::object()),
      thinking("not-object", "yes"),
      thinking("enabled", {{"type", "enabled"}, {"budget_tokens", 1024}}, 1025),
      thinking("disabled", {{"type", "disabled"}}),
      thinking("adaptive", {{"type", "adaptive"}}),
      thinking("between-tools", {{"type", "between_tools"}}),
  }));
  expect_errors(
      lines,
      {{"no-budget", "thinking.enabled.budget_tokens: Field required"},
       {"text-budget", "thinking.enabled.budget_tokens: Input should be a valid integer"},
       {"small-budget",
        "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"},
       {"budget-at-max",
        "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our "
        "documentation at https://docs.claude.com/en/docs/build-with-claude/"
        "extended-thinking#max-tokens-and-context-window-size"},
       {"unknown-type",
        "thinking: Input tag 'sometimes' found using 'type' does not match any of the expected "
        "tags: 'enabled', 'disabled', 'between_tools', 'adaptive'"},
       {"no-type", "thinking: Unable to extract tag using discriminator 'type'"},
       {"not-object",
        "thinking: Input should be a valid dictionary or object to extract fields from"}});
  for (const char* ok : {"enabled", "disabled", "adaptive", "between-tools"}) {
    EXPECT_EQ(lines[ok]["result"]["type"], "succeeded") << lines[ok];
  }
}

TEST_F(FidelityTest, UnknownParamsKeysFollowTheFamilyOfThePath) {
  const json format = {{"type", "json_schema"},
                       {"schema", {{"type", "object"}, {"properties", json::object()}}}};
  const json requests = json::array({
      with_params(request("output-format", "hi"), [&](json& p) { p["output_format"] = format; }),
      with_params(request("mcp", "hi"), [](json& p) { p["mcp_servers"] = json::array(); }),
      with_params(request("bogus", "hi"), [](json& p) { p["bogus"] = 1; }),
      with_params(request("betas", "hi"),
                  [](json& p) { p["betas"] = json::array({"x"}); }),  // a header, not a param
      with_params(request("ga-keys", "hi"),
                  [](json& p) {
                    p["system"] = "s";
                    p["metadata"] = {{"user_id", "u"}};
                    p["stop_sequences"] = json::array({"###"});
                    p["temperature"] = 0.5;
                    p["service_tier"] = "auto";
                  }),
  });
  auto beta = run(requests);
  EXPECT_EQ(beta["output-format"]["result"]["type"], "succeeded") << beta["output-format"];
  EXPECT_EQ(beta["mcp"]["result"]["type"], "succeeded") << beta["mcp"];
  EXPECT_EQ(beta["ga-keys"]["result"]["type"], "succeeded") << beta["ga-keys"];
  expect_errors(beta, {{"bogus", "bogus: Extra inputs are not permitted"},
                       {"betas", "betas: Extra inputs are not permitted"}});

  auto ga = run(requests, /*ga=*/true);
  EXPECT_EQ(ga["ga-keys"]["result"]["type"], "succeeded") << ga["ga-keys"];
  expect_errors(ga, {{"output-format", "output_format: Extra inputs are not permitted"},
                     {"mcp", "mcp_servers: Extra inputs are not permitted"},
                     {"bogus", "bogus: Extra inputs are not permitted"},
                     {"betas", "betas: Extra inputs are not permitted"}});

  // The GA path with an anthropic-beta header takes the beta family (the beta resource under
  // 2026-10-21 sends no ?beta=true).
  Reply c = post("/v1/messages/batches", json{{"requests", json::array({requests[0]})}});
  ASSERT_EQ(c.status, 200) << c.raw;
  auto lines = parse_jsonl(results(c.body["id"]).raw);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["result"]["type"], "succeeded") << lines[0];
}

TEST_F(FidelityTest, UnknownContentBlockTypesGetATagError) {
  auto blocks = [](const std::string& cid, json content) {
    return with_params(request(cid, "hi"), [&](json& p) {
      p["messages"] = json::array({{{"role", "user"}, {"content", content}}});
    });
  };
  const json text = {{"type", "text"}, {"text", "hello"}};
  const json requests = json::array({
      blocks("foo", json::array({text, {{"type", "foo"}}})),
      blocks("mcp", json::array({text,
                                 text,
                                 {{"type", "mcp_tool_use"},
                                  {"id", "m"},
                                  {"name", "n"},
                                  {"server_name", "s"},
                                  {"input", json::object()}}})),
      blocks("no-type", json::array({{{"text", "hello"}}})),
      blocks("number", json::array({{{"type", 7}}})),
      blocks("not-object", json::array({"hello"})),
      blocks("known",
             json::array({text,
                          {{"type", "image"},
                           {"source", {{"type", "url"}, {"url", "https://x.test/a.png"}}}}})),
  });
  const std::string ga_tags =
      "'text', 'image', 'document', 'search_result', 'thinking', 'redacted_thinking', "
      "'tool_use', 'tool_result', 'server_tool_use', 'web_search_tool_result', "
      "'web_fetch_tool_result', 'code_execution_tool_result', 'bash_code_execution_tool_result', "
      "'text_editor_code_execution_tool_result', 'tool_search_tool_result', 'container_upload'";
  const std::string beta_tags =
      "'text', 'image', 'document', 'search_result', 'thinking', 'redacted_thinking', "
      "'tool_use', 'tool_result', 'server_tool_use', 'web_search_tool_result', "
      "'web_fetch_tool_result', 'advisor_tool_result', 'code_execution_tool_result', "
      "'bash_code_execution_tool_result', 'text_editor_code_execution_tool_result', "
      "'tool_search_tool_result', 'mcp_tool_use', 'mcp_tool_result', 'container_upload', "
      "'compaction', 'tool_addition', 'tool_removal', 'mcp_tool_listing', 'fallback'";
  const std::string tag_error = " found using 'type' does not match any of the expected tags: ";

  auto beta = run(requests);
  EXPECT_EQ(beta["mcp"]["result"]["type"], "succeeded") << beta["mcp"];
  EXPECT_EQ(beta["known"]["result"]["type"], "succeeded") << beta["known"];
  expect_errors(
      beta,
      {{"foo", "messages.0.content.1: Input tag 'foo'" + tag_error + beta_tags},
       {"no-type", "messages.0.content.0: Unable to extract tag using discriminator 'type'"},
       {"number", "messages.0.content.0: Input tag '7'" + tag_error + beta_tags},
       {"not-object",
        "messages.0.content.0: Input should be a valid dictionary or object to extract fields "
        "from"}});

  auto ga = run(requests, /*ga=*/true);
  EXPECT_EQ(ga["known"]["result"]["type"], "succeeded") << ga["known"];
  expect_errors(ga,
                {{"foo", "messages.0.content.1: Input tag 'foo'" + tag_error + ga_tags},
                 {"mcp", "messages.0.content.2: Input tag 'mcp_tool_use'" + tag_error + ga_tags}});
}

TEST_F(FidelityTest, OneErrorPerRequestInTheDocumentedOrder) {
  // Each request has every problem from some step on: the first step's error wins.
  auto from_step = [](const std::string& cid, int step) {
    return with_params(request(cid, "hi", "gpt-4o", 2048), [step](json& p) {
      if (step <= 2) p["bogus"] = true;
      if (step <= 3) p["messages"][0]["content"] = json::array({{{"type", "foo"}}});
      if (step <= 5) p["thinking"] = {{"type", "enabled"}, {"budget_tokens", 10}};
      if (step <= 6) p["tool_choice"] = {{"type", "any"}};
      if (step <= 7) p["output_config"] = {{"format", {{"type", "xml"}}}};
    });
  };
  auto lines = run(json::array({from_step("s2", 2), from_step("s3", 3), from_step("s5", 5),
                                from_step("s6", 6), from_step("s7", 7), from_step("s8", 8)}));
  expect_errors(
      lines,
      {{"s2", "bogus: Extra inputs are not permitted"},
       {"s3",
        "messages.0.content.0: Input tag 'foo' found using 'type' does not match any of the "
        "expected tags: 'text', 'image', 'document', 'search_result', 'thinking', "
        "'redacted_thinking', 'tool_use', 'tool_result', 'server_tool_use', "
        "'web_search_tool_result', 'web_fetch_tool_result', 'advisor_tool_result', "
        "'code_execution_tool_result', 'bash_code_execution_tool_result', "
        "'text_editor_code_execution_tool_result', 'tool_search_tool_result', 'mcp_tool_use', "
        "'mcp_tool_result', 'container_upload', 'compaction', 'tool_addition', 'tool_removal', "
        "'mcp_tool_listing', 'fallback'"},
       {"s5", "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"},
       {"s6", "tool_choice: tool_choice may only be specified while providing tools."},
       {"s7", "output_config.format.type: Input should be 'json_schema'"}});
  EXPECT_EQ(lines["s8"]["result"], errored_result("not_found_error", "model: gpt-4o"));
}

const json kWeatherTool = {
    {"name", "get_weather"},
    {"description", "Weather of a city"},
    {"input_schema",
     {{"type", "object"},
      {"properties",
       {{"city", {{"type", "string"}}},
        {"days", {{"type", "integer"}, {"minimum", 1}}},
        {"units", {{"type", "string"}, {"enum", {"celsius", "fahrenheit"}}}},
        {"flags", {{"type", "array"}, {"items", {{"type", "boolean"}}}}},
        {"where",
         {{"type", "object"},
          {"properties", {{"lat", {{"type", "number"}}}, {"note", {{"type", "string"}}}}},
          {"required", {"lat"}}}},
        {"kind", {{"const", "forecast"}}},
        {"optional", {{"type", "string"}}}}},
      {"required", {"city", "days", "units", "flags", "where", "kind"}}}}};
const json kWeatherInput = {{"city", "example"},     {"days", 1},
                            {"units", "celsius"},    {"flags", {true}},
                            {"where", {{"lat", 0}}}, {"kind", "forecast"}};
const json kClockTool = {{"name", "get_time"},
                         {"input_schema", {{"type", "object"}, {"properties", json::object()}}}};

TEST_F(FidelityTest, ToolChoiceAnswersWithAToolUseWhoseInputFitsTheSchema) {
  auto tooled = [](const std::string& cid, const std::string& text, const json& choice) {
    return with_params(request(cid, text), [&](json& p) {
      p["tools"] = json::array({kClockTool, kWeatherTool});
      if (!choice.is_null()) p["tool_choice"] = choice;
    });
  };
  const json requests = json::array({
      tooled("any", "hello", {{"type", "any"}}),
      tooled("named", "hello", {{"type", "tool"}, {"name", "get_weather"}}),
      tooled("mentioned", "please call get_weather for Paris", nullptr),
      tooled("mentioned-auto", "what does get_time say", {{"type", "auto"}}),
      tooled("not-mentioned", "hello there", nullptr),
      tooled("none", "please call get_weather", {{"type", "none"}}),
      tooled("missing", "hello", {{"type", "tool"}, {"name", "get_stock"}}),
      tooled("unknown-choice", "hello", {{"type", "sometimes"}}),
      with_params(request("no-tools", "hello"),
                  [](json& p) {
                    p["tool_choice"] = {{"type", "tool"}, {"name", "x"}};
                  }),
      with_params(request("no-schema", "hello"),
                  [](json& p) {
                    p["tools"] = json::array({{{"name", "x"}}});
                  }),
  });
  auto lines = run(requests);
  const std::regex tool_id("^toolu_01[0-9A-Za-z]{22}$");

  const json& any = lines["any"]["result"]["message"];
  EXPECT_EQ(any["stop_reason"], "tool_use") << any;
  ASSERT_EQ(any["content"].size(), 1u) << any;  // forced: no text before the call
  EXPECT_EQ(any["content"][0]["type"], "tool_use");
  EXPECT_EQ(any["content"][0]["name"], "get_time");  // the first tool
  EXPECT_EQ(any["content"][0]["input"], json::object());
  EXPECT_TRUE(std::regex_match(any["content"][0]["id"].get<std::string>(), tool_id));

  const json& named = lines["named"]["result"]["message"];
  EXPECT_EQ(named["stop_reason"], "tool_use");
  ASSERT_EQ(named["content"].size(), 1u) << named;
  EXPECT_EQ(named["content"][0]["name"], "get_weather");
  EXPECT_EQ(named["content"][0]["input"], kWeatherInput);
  EXPECT_EQ(named["content"][0].size(), 4u) << named["content"][0];

  const json& mentioned = lines["mentioned"]["result"]["message"];
  EXPECT_EQ(mentioned["stop_reason"], "tool_use");
  ASSERT_EQ(mentioned["content"].size(), 2u) << mentioned;  // auto: a short text first
  EXPECT_EQ(mentioned["content"][0],
            json({{"type", "text"}, {"text", "I'll use the get_weather tool."}}));
  EXPECT_EQ(mentioned["content"][1]["name"], "get_weather");
  EXPECT_EQ(mentioned["content"][1]["input"], kWeatherInput);
  EXPECT_GT(mentioned["usage"]["output_tokens"].get<int>(), 10);
  EXPECT_EQ(lines["mentioned-auto"]["result"]["message"]["content"][1]["name"], "get_time");
  EXPECT_NE(mentioned["content"][1]["id"], named["content"][0]["id"]);

  for (const char* plain : {"not-mentioned", "none"}) {
    const json& m = lines[plain]["result"]["message"];
    EXPECT_EQ(m["stop_reason"], "end_turn") << m;
    ASSERT_EQ(m["content"].size(), 1u) << m;
    EXPECT_EQ(m["content"][0]["type"], "text");
  }
  expect_errors(
      lines, {{"missing", "tool_choice.tool.name: Tool 'get_stock' not found in provided tools"},
              {"unknown-choice",
               "tool_choice: Input tag 'sometimes' found using 'type' does not match any of the "
               "expected tags: 'auto', 'any', 'tool', 'none'"},
              {"no-tools", "tool_choice: tool_choice may only be specified while providing tools."},
              {"no-schema", "tools.0.custom.input_schema: Field required"}});

  // Deterministic: the same request in another batch calls with the same id and input.
  auto again = run(json::array({requests[1]}));
  EXPECT_EQ(again["named"]["result"]["message"]["content"],
            lines["named"]["result"]["message"]["content"]);
}

TEST_F(FidelityTest, ExampleValuesFollowTheSchemaTypes) {
  const json schema = {
      {"type", "object"},
      {"properties",
       {{"n", {{"type", "number"}, {"exclusiveMinimum", 2.5}}},
        {"i", {{"type", "integer"}, {"maximum", -3}}},
        {"s", {{"type", "string"}, {"minLength", 10}}},
        {"d", {{"type", "string"}, {"format", "date-time"}}},
        {"nullable", {{"type", json::array({"null", "boolean"})}}},
        {"choice", {{"anyOf", json::array({{{"type", "null"}}, {{"type", "integer"}}})}}},
        {"list", {{"type", "array"}, {"minItems", 2}, {"items", {{"type", "string"}}}}},
        {"deep",
         {{"type", "object"},
          {"properties", {{"inner", {{"type", "array"}, {"items", {{"const", 7}}}}}}},
          {"required", {"inner", "undeclared"}}}}}},
      {"required", {"n", "i", "s", "d", "nullable", "choice", "list", "deep"}}};
  // A pathological schema: deeper than the generator goes. It must not crash or hang.
  json deep = {{"type", "string"}};
  for (int i = 0; i < 200; ++i) {
    deep = {{"type", "object"}, {"properties", {{"a", deep}}}, {"required", {"a"}}};
  }
  auto lines = run(json::array({
      with_params(request("typed", "hi"),
                  [&](json& p) {
                    p["tools"] = json::array({{{"name", "t"}, {"input_schema", schema}}});
                    p["tool_choice"] = {{"type", "any"}};
                  }),
      with_params(request("deep", "hi"),
                  [&](json& p) {
                    p["tools"] = json::array({{{"name", "t"}, {"input_schema", deep}}});
                    p["tool_choice"] = {{"type", "any"}};
                  }),
  }));
  const json& input = lines["typed"]["result"]["message"]["content"][0]["input"];
  EXPECT_EQ(input, json({{"n", 3.5},
                         {"i", -3},
                         {"s", "examplexxx"},
                         {"d", "2024-01-01T00:00:00Z"},
                         {"nullable", true},
                         {"choice", 0},
                         {"list", {"example", "example"}},
                         {"deep", {{"inner", {7}}, {"undeclared", "example"}}}}))
      << input;
  EXPECT_EQ(lines["deep"]["result"]["message"]["stop_reason"], "tool_use") << lines["deep"];

  // Arrays of arrays of 10 items, 12 levels deep, would be 10^12 values: the example stays small.
  json wide = {{"type", "string"}, {"minLength", 100000}};
  for (int i = 0; i < 12; ++i) wide = {{"type", "array"}, {"minItems", 10}, {"items", wide}};
  const json wide_schema = {{"type", "object"}, {"properties", {{"a", wide}}}, {"required", {"a"}}};
  Reply c = create(json{
      {"requests",
       json::array({with_params(request("wide", "hi", "claude-sonnet-4-5", 1000000), [&](json& p) {
         p["output_config"] = {{"format", {{"type", "json_schema"}, {"schema", wide_schema}}}};
       })})}});
  ASSERT_EQ(c.status, 200) << c.raw;
  const std::string raw = results(c.body["id"]).raw;
  EXPECT_LT(raw.size(), 1000000u);
  auto wide_lines = parse_jsonl(raw);
  ASSERT_EQ(wide_lines.size(), 1u);
  const json& m = wide_lines[0]["result"]["message"];
  EXPECT_EQ(m["stop_reason"], "end_turn") << raw.substr(0, 300);
  EXPECT_TRUE(json::parse(m["content"][0]["text"].get<std::string>())["a"].is_array());
}

TEST_F(FidelityTest, ThinkingAnswersStartWithAThinkingBlock) {
  auto thinking = [](const std::string& cid, json value) {
    return with_params(request(cid, "why is the sky blue", "claude-sonnet-4-5", 4096),
                       [&](json& p) { p["thinking"] = value; });
  };
  auto lines = run(json::array({
      thinking("enabled", {{"type", "enabled"}, {"budget_tokens", 2048}}),
      thinking("adaptive", {{"type", "adaptive"}}),
      thinking("omitted", {{"type", "enabled"}, {"budget_tokens", 2048}, {"display", "omitted"}}),
      thinking("disabled", {{"type", "disabled"}}),
      with_params(thinking("with-tool", {{"type", "adaptive"}}),
                  [](json& p) {
                    p["tools"] = json::array({kClockTool});
                    p["tool_choice"] = {{"type", "any"}};
                  }),
  }));
  for (const char* cid : {"enabled", "adaptive", "omitted", "with-tool"}) {
    SCOPED_TRACE(cid);
    const json& m = lines[cid]["result"]["message"];
    ASSERT_GE(m["content"].size(), 2u) << m;
    const json& block = m["content"][0];
    EXPECT_EQ(block["type"], "thinking");
    EXPECT_TRUE(block["thinking"].is_string());
    ASSERT_TRUE(block["signature"].is_string());
    EXPECT_FALSE(block["signature"].get<std::string>().empty());
    EXPECT_EQ(block.size(), 3u);
  }
  const json& enabled = lines["enabled"]["result"]["message"];
  EXPECT_NE(enabled["content"][0]["thinking"].get<std::string>().find("why is the sky blue"),
            std::string::npos);
  EXPECT_EQ(enabled["content"][1], json({{"type", "text"}, {"text", "Echo: why is the sky blue"}}));
  EXPECT_EQ(enabled["stop_reason"], "end_turn");
  // Thinking counts in output_tokens.
  EXPECT_GT(enabled["usage"]["output_tokens"].get<int>(),
            lines["disabled"]["result"]["message"]["usage"]["output_tokens"].get<int>());
  EXPECT_EQ(lines["omitted"]["result"]["message"]["content"][0]["thinking"], "");
  EXPECT_EQ(lines["with-tool"]["result"]["message"]["content"][1]["type"], "tool_use");
  EXPECT_EQ(lines["with-tool"]["result"]["message"]["stop_reason"], "tool_use");
  const json& disabled = lines["disabled"]["result"]["message"];
  EXPECT_EQ(disabled["content"],
            json::array({{{"type", "text"}, {"text", "Echo: why is the sky blue"}}}));
}

TEST_F(FidelityTest, StructuredOutputAnswersWithJsonOfTheSchema) {
  const json schema = {{"type", "object"},
                       {"properties",
                        {{"category", {{"type", "string"}, {"enum", {"billing", "shipping"}}}},
                         {"urgent", {{"type", "boolean"}}},
                         {"score", {{"type", "number"}}}}},
                       {"required", {"category", "urgent"}},
                       {"additionalProperties", false}};
  const json format = {{"type", "json_schema"}, {"schema", schema}};
  const json expected = {{"category", "billing"}, {"urgent", true}};
  const json requests = json::array({
      with_params(request("config", "classify this"),
                  [&](json& p) {
                    p["output_config"] = {{"format", format}};
                  }),
      with_params(request("legacy", "classify this"),
                  [&](json& p) { p["output_format"] = format; }),
      with_params(request("null-format", "classify this"),
                  [&](json& p) {
                    p["output_config"] = {{"format", nullptr}};
                  }),
      with_params(request("no-schema", "classify this"),
                  [&](json& p) {
                    p["output_config"] = {{"format", {{"type", "json_schema"}}}};
                  }),
      with_params(request("tiny", "classify this", "claude-sonnet-4-5", 2),
                  [&](json& p) {
                    p["output_config"] = {{"format", format}};
                  }),
  });
  auto check = [&](std::map<std::string, json>& lines, const std::string& cid) {
    SCOPED_TRACE(cid);
    const json& m = lines[cid]["result"]["message"];
    ASSERT_EQ(m["content"].size(), 1u) << m;
    EXPECT_EQ(m["content"][0]["type"], "text");
    EXPECT_EQ(json::parse(m["content"][0]["text"].get<std::string>()), expected);
    EXPECT_EQ(m["stop_reason"], "end_turn");
  };
  auto beta = run(requests);
  check(beta, "config");
  check(beta, "legacy");
  EXPECT_EQ(beta["null-format"]["result"]["message"]["content"][0]["text"], "Echo: classify this");
  expect_errors(beta, {{"no-schema", "output_config.format.schema: Field required"}});
  // Too small a max_tokens cuts the JSON, as the API does.
  const json& tiny = beta["tiny"]["result"]["message"];
  EXPECT_EQ(tiny["stop_reason"], "max_tokens");
  EXPECT_EQ(tiny["usage"]["output_tokens"], 2);
  EXPECT_EQ(tiny["content"][0]["text"], expected.dump().substr(0, 8));

  auto ga = run(requests, /*ga=*/true);
  check(ga, "config");
  expect_errors(ga, {{"legacy", "output_format: Extra inputs are not permitted"}});
}

TEST_F(FidelityTest, UsageHasTheFieldsBatchResultsReport) {
  auto lines = run(json::array({request("plain", "hello")}));
  const json& m = lines["plain"]["result"]["message"];
  // The plain answer is unchanged: the echo, 4 bytes a token.
  EXPECT_EQ(m["content"], json::array({{{"type", "text"}, {"text", "Echo: hello"}}}));
  EXPECT_EQ(m["usage"],
            json({{"input_tokens", 6},   // (5 + 3) / 4 + 4 per message
                  {"output_tokens", 3},  // (11 + 3) / 4
                  {"cache_creation_input_tokens", 0},
                  {"cache_read_input_tokens", 0},
                  {"cache_creation",
                   {{"ephemeral_5m_input_tokens", 0}, {"ephemeral_1h_input_tokens", 0}}},
                  {"server_tool_use", nullptr},
                  {"service_tier", "batch"}}))
      << m["usage"];
}

TEST_F(FidelityTest, RichAnswersAndErrorTypesSurviveARestart) {
  struct TempDir {
    fs::path path = fs::temp_directory_path() /
                    ("anthropic-emulator-fidelity-test-" + std::to_string(::getpid()));
    TempDir() { fs::remove_all(path); }
    ~TempDir() {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  } temp;
  TearDown();
  EmulatorOptions o;
  o.processing_time = milliseconds(0);
  o.data_dir = temp.path.string();
  start(o);
  const json body = {{"requests", json::array({with_params(request("tool", "hi"),
                                                           [](json& p) {
                                                             p["tools"] =
                                                                 json::array({kWeatherTool});
                                                             p["tool_choice"] = {{"type", "any"}};
                                                             p["thinking"] = {{"type", "adaptive"}};
                                                           }),
                                               request("unknown-model", "hi", "gpt-4o")})}};
  const std::string id = create(body).body.value("id", "");
  const std::string before = results(id).raw;
  ASSERT_NE(before.find("tool_use"), std::string::npos) << before;
  ASSERT_NE(before.find("not_found_error"), std::string::npos) << before;
  TearDown();
  start(o);
  EXPECT_EQ(results(id).raw, before);
  TearDown();
  emulator_.reset();
}

// ------------------------------------------------------------------------------------------
// Slow bodies

TEST_F(EmulatorTest, SlowBodiesTakeAtLeastTheirSizeOverTheRate) {
  constexpr std::size_t kRate = 4000;  // bytes per second
  EmulatorOptions o;
  o.processing_time = milliseconds(0);
  o.fault_slow_body_bytes_per_sec = kRate;
  start(o);
  const std::string id = create_id(10);

  auto timed = [&](const std::string& path) {
    const auto begin = std::chrono::steady_clock::now();
    Reply r = get(path);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    return std::make_pair(r, seconds);
  };
  auto [results_reply, results_seconds] = timed("/v1/messages/batches/" + id + "/results");
  ASSERT_EQ(results_reply.status, 200);
  EXPECT_EQ(parse_jsonl(results_reply.raw).size(), 10u);
  ASSERT_GT(results_reply.raw.size(), 2000u);
  EXPECT_GE(results_seconds, static_cast<double>(results_reply.raw.size()) / kRate)
      << results_reply.raw.size() << " bytes";

  auto [batch_reply, batch_seconds] = timed("/v1/messages/batches/" + id);
  ASSERT_EQ(batch_reply.status, 200) << batch_reply.raw;
  EXPECT_EQ(batch_reply.header("Content-Type"), "application/json");
  EXPECT_EQ(batch_reply.body["id"], id);
  EXPECT_GE(batch_seconds, static_cast<double>(batch_reply.raw.size()) / kRate);

  // A resumed download (206) is paced too, and still the same bytes.
  const std::size_t from = results_reply.raw.size() / 2;
  auto resumed = get("/v1/messages/batches/" + id + "/results",
                     {{"Range", "bytes=" + std::to_string(from) + "-"}});
  EXPECT_EQ(resumed.status, 206);
  EXPECT_EQ(resumed.raw, results_reply.raw.substr(from));
}

TEST_F(EmulatorTest, StopInterruptsASlowBody) {
  EmulatorOptions o;
  o.processing_time = milliseconds(0);
  o.fault_slow_body_bytes_per_sec = 1000;  // 40 results (~13 kB) would take over 10 s
  start(o);
  const std::string id = create_id(40);
  std::string received;
  bool complete = false;
  std::thread downloader([&] {
    auto c = make_client();
    auto r = c->Get(("/v1/messages/batches/" + id + "/results").c_str(),
                    [&](const char* data, std::size_t n) {
                      received.append(data, n);
                      return true;
                    });
    complete = r && r->status == 200;
  });
  std::this_thread::sleep_for(milliseconds(300));
  client_.reset();
  emulator_->stop();  // does not wait for the trickle: the connection is closed
  downloader.join();
  EXPECT_FALSE(complete);
  EXPECT_LT(std::count(received.begin(), received.end(), '\n'), 40);
}

// ------------------------------------------------------------------------------------------
// Create validation (400 invalid_request_error, the whole create fails)

TEST_F(EmulatorTest, CreateValidationErrors) {
  start();
  const std::string long_id(65, 'a');
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "Request body is not valid JSON: "},
      {"[1,2]", "Input should be a valid dictionary or object to extract fields from"},
      {"{}", "requests: Field required"},
      {R"({"requests":{}})", "requests: Input should be a valid list"},
      {R"({"requests":[]})", "requests: List should have at least 1 item after validation, not 0"},
      {R"({"extra":1,"requests":[]})", "extra: Extra inputs are not permitted"},
      {R"({"requests":[7]})",
       "requests.0: Input should be a valid dictionary or object to extract fields from"},
      {R"({"requests":[{"params":{}}]})", "requests.0.custom_id: Field required"},
      {R"({"requests":[{"custom_id":5,"params":{}}]})",
       "requests.0.custom_id: Input should be a valid string"},
      {R"({"requests":[{"custom_id":"","params":{}}]})",
       "requests.0.custom_id: String should have at least 1 character"},
      {R"({"requests":[{"custom_id":")" + long_id + R"(","params":{}}]})",
       "requests.0.custom_id: String should have at most 64 characters"},
      {R"({"requests":[{"custom_id":"a","params":{}},{"custom_id":"has space","params":{}}]})",
       "requests.1.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'"},
      {R"({"requests":[{"custom_id":"a","params":{}},{"custom_id":"b","params":{}},)"
       R"({"custom_id":"c","params":{}},{"custom_id":"b","params":{}}]})",
       "requests.3.custom_id: Duplicate custom_id 'b': each custom_id must be unique within a "
       "batch (first used by requests.1)"},
      {R"({"requests":[{"custom_id":"a"}]})", "requests.0.params: Field required"},
      {R"({"requests":[{"custom_id":"a","params":[]}]})",
       "requests.0.params: Input should be a valid dictionary"},
      {R"({"requests":[{"custom_id":"a","params":{},"betas":["x"]}]})",
       "requests.0.betas: Extra inputs are not permitted"},
  };
  for (const auto& [body, message] : cases) {
    SCOPED_TRACE(body);
    Reply r = post("/v1/messages/batches?beta=true", body);
    expect_error(r, 400, "invalid_request_error");
    const std::string got = r.body["error"]["message"];
    if (message.back() == ' ') {
      EXPECT_EQ(got.rfind(message, 0), 0u) << got;
    } else {
      EXPECT_EQ(got, message);
    }
  }
  EXPECT_EQ(emulator_->batch_count(), 0u);
  // 64 characters is fine.
  EXPECT_EQ(post("/v1/messages/batches",
                 json{{"requests", json::array({request(std::string(64, 'Z'), "x")})}})
                .status,
            200);
}

TEST_F(EmulatorTest, CreateRejectsMoreThan100000Requests) {
  start();
  std::string body = R"({"requests":[)";
  for (int i = 0; i <= 100000; ++i) {
    if (i) body += ',';
    body += R"({"custom_id":"r)" + std::to_string(i) + R"(","params":{}})";
  }
  body += "]}";
  Reply r = post("/v1/messages/batches", body);
  expect_error(r, 400, "invalid_request_error",
               "requests: List should have at most 100000 items after validation, not 100001");
}

TEST_F(EmulatorTest, BodyOverTheLimitIs413) {
  EmulatorOptions o;
  o.max_body_bytes = 1000;
  start(o);
  Reply r = create(batch_body(20));
  expect_error(r, 413, "request_too_large");
  EXPECT_EQ(emulator_->batch_count(), 0u);
  EXPECT_EQ(create(batch_body(1)).status, 200);
}

// ------------------------------------------------------------------------------------------
// Request limits over raw sockets: what an HTTP client library would be too polite to send

/// A blocking TCP connection to the emulator on 127.0.0.1, closed when destroyed.
class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ADD_FAILURE() << "cannot connect to 127.0.0.1:" << port;
    }
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  int fd() const { return fd_; }

  bool send_all(const std::string& bytes) {
    std::size_t off = 0;
    while (off < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<std::size_t>(n);
    }
    return true;
  }

  /// Reads until the end of the response headers, the peer closes, or `timeout`.
  std::string read_head(milliseconds timeout) {
    std::string data;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (data.find("\r\n\r\n") == std::string::npos) {
      auto left =
          std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      data.append(buf, static_cast<std::size_t>(n));
    }
    return data;
  }

  /// Reads until the peer closes the connection or `timeout`; `closed` tells which.
  std::string read_until_close(milliseconds timeout, bool* closed) {
    std::string data;
    *closed = false;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left =
          std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[16384];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        *closed = true;
        break;
      }
      data.append(buf, static_cast<std::size_t>(n));
    }
    return data;
  }

  /// Every recv() gives up after `timeout` (SO_RCVTIMEO), so a test cannot hang on a read.
  void set_receive_timeout(milliseconds timeout) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }

  /// Reads one response whose body has a Content-Length (or none): the head, then that many
  /// bytes, until `timeout`. Returns {head, body}.
  std::pair<std::string, std::string> read_response(milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string data = read_head(timeout);
    const std::size_t end = data.find("\r\n\r\n");
    if (end == std::string::npos) return {data, ""};
    std::string head = data.substr(0, end + 4);
    std::string body = data.substr(end + 4);
    std::smatch m;
    std::size_t length = 0;
    if (std::regex_search(head, m, std::regex("Content-Length: (\\d+)\r\n", std::regex::icase))) {
      length = std::stoul(m[1]);
    }
    while (body.size() < length && std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      body.append(buf, static_cast<std::size_t>(n));
    }
    return {head, body};
  }

 private:
  int fd_ = -1;
};

/// The payload of a chunked body, as far as it goes; `complete` when the last chunk arrived.
std::string dechunk(const std::string& raw, bool* complete) {
  std::string out;
  *complete = false;
  std::size_t pos = 0;
  for (;;) {
    const std::size_t eol = raw.find("\r\n", pos);
    if (eol == std::string::npos) return out;
    const std::size_t size = std::stoul(raw.substr(pos, eol - pos), nullptr, 16);
    if (size == 0) {
      *complete = true;
      return out;
    }
    out += raw.substr(eol + 2, size);  // a cut chunk gives what arrived
    if (eol + 2 + size + 2 > raw.size()) return out;
    pos = eol + 2 + size + 2;
  }
}

std::string post_head(const std::string& extra_headers) {
  return "POST /v1/messages/batches?beta=true HTTP/1.1\r\nHost: 127.0.0.1\r\n"
         "x-api-key: sk-ant-emulator\r\nanthropic-version: 2023-06-01\r\n"
         "content-type: application/json\r\n" +
         extra_headers + "\r\n";
}

TEST_F(EmulatorTest, ContentLengthOverTheLimitIsRefusedBeforeTheBody) {
  EmulatorOptions o;
  o.max_body_bytes = 1 << 20;
  start(o);
  for (const char* expect : {"", "Expect: 100-continue\r\n"}) {
    SCOPED_TRACE(expect);
    RawConnection c(emulator_->port());
    // Only the headers: the 413 must come without a single body byte sent.
    ASSERT_TRUE(c.send_all(post_head("Content-Length: 300000000\r\n" + std::string(expect))));
    auto t0 = std::chrono::steady_clock::now();
    std::string head = c.read_head(std::chrono::seconds(5));
    auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_EQ(head.rfind("HTTP/1.1 413", 0), 0u) << head;
    EXPECT_NE(head.find("Connection: close"), std::string::npos) << head;
    EXPECT_NE(head.find("request-id: req_"), std::string::npos) << head;
    EXPECT_LT(took, std::chrono::seconds(2));
    std::cout << "[ measured ] 413 after " << std::chrono::duration_cast<milliseconds>(took).count()
              << " ms with no body byte sent\n";
  }
  EXPECT_EQ(emulator_->batch_count(), 0u);
  EXPECT_EQ(create(batch_body(1)).status, 200);  // the server is fine afterwards
}

TEST_F(EmulatorTest, ChunkedUploadOverTheLimitIsRefusedAsSoonAsItPassesIt) {
  EmulatorOptions o;
  o.max_body_bytes = 1 << 20;
  start(o);
  RawConnection c(emulator_->port());
  const int small = 64 * 1024;
  ::setsockopt(c.fd(), SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  ASSERT_TRUE(c.send_all(post_head("Transfer-Encoding: chunked\r\n")));

  // 64 KiB chunks of JSON-ish lines, up to 256 MiB, as long as the server takes them and has not
  // answered. Today's limit is 1 MiB: what it can still take is what the kernel buffers hold.
  std::string line = "{\"custom_id\":\"x\",\"params\":{}},";
  line.resize(127, ' ');
  line += '\n';
  std::string data;
  while (data.size() < 64 * 1024) data += line;
  std::ostringstream hex;
  hex << std::hex << data.size();
  const std::string chunk = hex.str() + "\r\n" + data + "\r\n";
  constexpr std::size_t kAttempt = std::size_t{256} << 20;
  std::size_t sent = 0;
  bool answered = false;
  ::fcntl(c.fd(), F_SETFL, ::fcntl(c.fd(), F_GETFL) | O_NONBLOCK);
  std::size_t off = 0;
  while (sent < kAttempt) {
    pollfd p{c.fd(), POLLIN | POLLOUT, 0};
    if (::poll(&p, 1, 2000) <= 0) break;  // the server stopped reading and buffers are full
    if (p.revents & POLLIN) {
      answered = true;
      break;
    }
    if (p.revents & (POLLERR | POLLHUP)) break;
    ssize_t n = ::send(c.fd(), chunk.data() + off, chunk.size() - off, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
    off = (off + static_cast<std::size_t>(n)) % chunk.size();
  }
  ::fcntl(c.fd(), F_SETFL, ::fcntl(c.fd(), F_GETFL) & ~O_NONBLOCK);
  std::string head = c.read_head(std::chrono::seconds(5));
  std::cout << "[ measured ] the client could send " << sent << " bytes ("
            << (answered ? "then the 413 arrived" : "then the server stopped reading")
            << ") against a limit of " << o.max_body_bytes << "\n";
  EXPECT_EQ(head.rfind("HTTP/1.1 413", 0), 0u) << head;
  // Whatever the server read is at most what was sent; the kernel's socket buffers (a few MiB on
  // loopback) take the rest. Reading the whole upload would have let all 256 MiB through.
  EXPECT_LT(sent, std::size_t{32} << 20);
  EXPECT_EQ(emulator_->batch_count(), 0u);
  EXPECT_EQ(create(batch_body(1)).status, 200);
}

TEST_F(EmulatorTest, IdleConnectionsDoNotStarveOtherClients) {
  start();
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (std::size_t count : {20u, 64u}) {  // the old fixed pool had 16 threads
    SCOPED_TRACE(count);
    while (idle.size() < count) {
      idle.push_back(std::make_unique<RawConnection>(emulator_->port()));
      // A partial request line waits on a 30 s read. One that sends nothing is dropped after the
      // keep-alive timeout (1 s), so only some of those beyond the first 20.
      if (idle.size() <= 20 || idle.size() % 2 == 0) {
        idle.back()->send_all("GET /v1/messages/batc");
      }
    }
    std::this_thread::sleep_for(milliseconds(300));  // every idle connection is being served
    auto client = make_client();
    client->set_connection_timeout(std::chrono::seconds(10));
    client->set_read_timeout(std::chrono::seconds(10));
    auto t0 = std::chrono::steady_clock::now();
    Reply r = to_reply(client->Get("/v1/messages/batches?beta=true"));
    auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_EQ(r.status, 200);
    EXPECT_LT(took, std::chrono::seconds(5));
    std::cout << "[ measured ] a request with " << count << " idle connections open took "
              << std::chrono::duration_cast<milliseconds>(took).count() << " ms\n";
  }
}

// `curl --request POST` without -d sends no Content-Length and no Transfer-Encoding: there is no
// body, and the answer must come at once (not after a 30 s read timeout).
TEST_F(EmulatorTest, PostWithoutABodyIsAnsweredAtOnce) {
  start();
  const std::string headers =
      "Host: 127.0.0.1\r\nx-api-key: sk-ant-emulator\r\nanthropic-version: 2023-06-01\r\n"
      "Accept: */*\r\n\r\n";
  // What the emulator answers an empty (Content-Length: 0) create body.
  const Reply empty = post("/v1/messages/batches", std::string());
  expect_error(empty, 400, "invalid_request_error");
  const std::string empty_message = empty.body["error"]["message"];
  EXPECT_EQ(empty_message.rfind("Request body is not valid JSON: ", 0), 0u) << empty_message;

  {
    RawConnection c(emulator_->port());
    c.set_receive_timeout(std::chrono::seconds(5));
    ASSERT_TRUE(c.send_all("POST /v1/messages/batches HTTP/1.1\r\n" + headers));
    const auto t0 = std::chrono::steady_clock::now();
    auto [head, body] = c.read_response(std::chrono::seconds(5));
    const auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_EQ(head.rfind("HTTP/1.1 400", 0), 0u) << head;
    EXPECT_LT(took, std::chrono::seconds(5));
    std::cout << "[ measured ] create without a body answered in "
              << std::chrono::duration_cast<milliseconds>(took).count() << " ms\n";
    const json error = json::parse(body, nullptr, false);
    ASSERT_TRUE(error.is_object()) << body;
    EXPECT_EQ(error["error"]["type"], "invalid_request_error");
    EXPECT_EQ(error["error"]["message"], empty_message);
  }
  EXPECT_EQ(emulator_->batch_count(), 0u);

  // Cancel takes no body: without one it works at once, too.
  const std::string id = create_id(3);
  {
    RawConnection c(emulator_->port());
    c.set_receive_timeout(std::chrono::seconds(5));
    ASSERT_TRUE(c.send_all("POST /v1/messages/batches/" + id + "/cancel HTTP/1.1\r\n" + headers));
    const auto t0 = std::chrono::steady_clock::now();
    auto [head, body] = c.read_response(std::chrono::seconds(5));
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
    EXPECT_EQ(head.rfind("HTTP/1.1 200", 0), 0u) << head;
    const json batch = json::parse(body, nullptr, false);
    ASSERT_TRUE(batch.is_object()) << body;
    EXPECT_EQ(batch["processing_status"], "canceling");
  }
  EXPECT_EQ(retrieve(id).body["processing_status"], "canceling");
}

// ------------------------------------------------------------------------------------------
// Auth, headers, routing

TEST_F(EmulatorTest, AuthenticationBothWays) {
  start();
  auto anonymous = make_client(/*with_key=*/false);
  Reply missing = to_reply(anonymous->Get("/v1/messages/batches?beta=true"));
  expect_error(missing, 401, "authentication_error", "x-api-key header is required");

  Reply wrong = to_reply(anonymous->Get("/v1/messages/batches", {{"x-api-key", "sk-nope"}}));
  expect_error(wrong, 401, "authentication_error", "invalid x-api-key");

  Reply bearer_ok = to_reply(
      anonymous->Get("/v1/messages/batches", {{"Authorization", "Bearer sk-ant-emulator"}}));
  EXPECT_EQ(bearer_ok.status, 200) << bearer_ok.raw;

  Reply bearer_bad =
      to_reply(anonymous->Get("/v1/messages/batches", {{"Authorization", "Bearer sk-nope"}}));
  expect_error(bearer_bad, 401, "authentication_error", "invalid bearer token");

  // Unauthenticated requests change nothing.
  Reply create_anon =
      to_reply(anonymous->Post("/v1/messages/batches", batch_body(1).dump(), "application/json"));
  expect_error(create_anon, 401, "authentication_error");
  EXPECT_EQ(emulator_->batch_count(), 0u);
}

TEST_F(EmulatorTest, EmptyKeyListAcceptsAnyCredential) {
  EmulatorOptions o;
  o.api_keys.clear();
  start(o);
  auto anonymous = make_client(false);
  EXPECT_EQ(to_reply(anonymous->Get("/v1/messages/batches", {{"x-api-key", "anything"}})).status,
            200);
  EXPECT_EQ(
      to_reply(anonymous->Get("/v1/messages/batches", {{"Authorization", "Bearer x"}})).status,
      200);
  EXPECT_EQ(to_reply(anonymous->Get("/v1/messages/batches")).status, 401);
}

TEST_F(EmulatorTest, AnthropicVersionHeaderIsRequired) {
  start();
  httplib::Client c("127.0.0.1", emulator_->port());
  Reply r = to_reply(c.Get("/v1/messages/batches", {{"x-api-key", kKey}}));
  expect_error(r, 400, "invalid_request_error", "anthropic-version: header is required");
}

TEST_F(EmulatorTest, RoutingErrors) {
  start();
  expect_error(get("/v1/messages/batches/msgbatch_bogus"), 404, "not_found_error",
               "Message batch msgbatch_bogus not found");
  expect_error(get("/v1/messages/batches/msgbatch%20bogus"), 404, "not_found_error",
               "Message batch msgbatch bogus not found");
  expect_error(get("/v1/messages/batches/msgbatch_bogus/results"), 404, "not_found_error");
  expect_error(post("/v1/messages/batches/msgbatch_bogus/cancel", std::string()), 404,
               "not_found_error");
  expect_error(get("/v1/messages"), 404, "not_found_error", "Not Found");
  expect_error(get("/v1/messages/batches/x/y"), 404, "not_found_error");
  expect_error(get("/v1/messages/batches/x/results/more"), 404, "not_found_error");

  Reply r = del("/v1/messages/batches");
  expect_error(r, 405, "invalid_request_error");
  EXPECT_EQ(r.header("allow"), "GET, POST");
  expect_error(get("/v1/messages/batches/msgbatch_x/cancel"), 405, "invalid_request_error");
  expect_error(post("/v1/messages/batches/msgbatch_x/results", std::string()), 405,
               "invalid_request_error");
  expect_error(post("/v1/messages/batches/msgbatch_x", std::string()), 405,
               "invalid_request_error");
  Reply put = to_reply(client_->Put("/v1/messages/batches", "{}", "application/json"));
  expect_error(put, 405, "invalid_request_error");
}

// ------------------------------------------------------------------------------------------
// List and pagination

TEST_F(EmulatorTest, ListEmpty) {
  start();
  Reply r = list();
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, json::parse(R"({"data":[],"has_more":false,"first_id":null,"last_id":null})"));
}

TEST_F(EmulatorTest, ListPaginatesForwardsAndBackwards) {
  start();
  std::vector<std::string> ids;  // oldest first
  for (int i = 0; i < 5; ++i) ids.push_back(create_id(1));
  auto page_ids = [](const Reply& r) {
    std::vector<std::string> out;
    for (const auto& b : r.body["data"]) out.push_back(b["id"]);
    return out;
  };

  Reply all = list();
  EXPECT_EQ(page_ids(all), (std::vector<std::string>{ids[4], ids[3], ids[2], ids[1], ids[0]}));
  EXPECT_EQ(all.body["has_more"], false);
  EXPECT_EQ(all.body["first_id"], ids[4]);
  EXPECT_EQ(all.body["last_id"], ids[0]);
  EXPECT_EQ(all.body["data"][0]["type"], "message_batch");

  // Forwards (older) with after_id = last_id.
  Reply p1 = list("&limit=2");
  EXPECT_EQ(page_ids(p1), (std::vector<std::string>{ids[4], ids[3]}));
  EXPECT_EQ(p1.body["has_more"], true);
  Reply p2 = list("&limit=2&after_id=" + p1.body["last_id"].get<std::string>());
  EXPECT_EQ(page_ids(p2), (std::vector<std::string>{ids[2], ids[1]}));
  EXPECT_EQ(p2.body["has_more"], true);
  Reply p3 = list("&limit=2&after_id=" + p2.body["last_id"].get<std::string>());
  EXPECT_EQ(page_ids(p3), (std::vector<std::string>{ids[0]}));
  EXPECT_EQ(p3.body["has_more"], false);
  Reply p4 = list("&limit=2&after_id=" + ids[0]);
  EXPECT_EQ(p4.body, json::parse(R"({"data":[],"has_more":false,"first_id":null,"last_id":null})"));

  // Backwards (newer) with before_id = first_id: the page nearest the cursor.
  Reply b1 = list("&limit=2&before_id=" + ids[0]);
  EXPECT_EQ(page_ids(b1), (std::vector<std::string>{ids[2], ids[1]}));
  EXPECT_EQ(b1.body["has_more"], true);
  Reply b2 = list("&limit=2&before_id=" + b1.body["first_id"].get<std::string>());
  EXPECT_EQ(page_ids(b2), (std::vector<std::string>{ids[4], ids[3]}));
  EXPECT_EQ(b2.body["has_more"], false);
  Reply b3 = list("&limit=2&before_id=" + ids[4]);
  EXPECT_TRUE(b3.body["data"].empty());
  EXPECT_TRUE(b3.body["first_id"].is_null());

  // Both cursors: a range, newest first from after_id.
  Reply range = list("&after_id=" + ids[4] + "&before_id=" + ids[1]);
  EXPECT_EQ(page_ids(range), (std::vector<std::string>{ids[3], ids[2]}));
  EXPECT_EQ(range.body["has_more"], false);

  // A cursor naming a deleted batch still marks its position.
  emulator_->advance(milliseconds(2000));
  ASSERT_EQ(del("/v1/messages/batches/" + ids[2]).status, 200);
  Reply after_deleted = list("&after_id=" + ids[2]);
  EXPECT_EQ(page_ids(after_deleted), (std::vector<std::string>{ids[1], ids[0]}));
  Reply before_deleted = list("&before_id=" + ids[2]);
  EXPECT_EQ(page_ids(before_deleted), (std::vector<std::string>{ids[4], ids[3]}));

  // Listed batches are refreshed like retrieved ones.
  EXPECT_EQ(list().body["data"][0]["processing_status"], "ended");
}

TEST_F(EmulatorTest, ListLimitBounds) {
  start();
  for (int i = 0; i < 25; ++i) create_id(1);
  EXPECT_EQ(list().body["data"].size(), 20u);  // default
  EXPECT_EQ(list().body["has_more"], true);
  EXPECT_EQ(list("&limit=1").body["data"].size(), 1u);
  EXPECT_EQ(list("&limit=1000").body["data"].size(), 25u);
  EXPECT_EQ(list("&limit=1000").body["has_more"], false);
  expect_error(list("&limit=0"), 400, "invalid_request_error",
               "limit: Input should be greater than or equal to 1");
  expect_error(list("&limit=-3"), 400, "invalid_request_error",
               "limit: Input should be greater than or equal to 1");
  expect_error(list("&limit=1001"), 400, "invalid_request_error",
               "limit: Input should be less than or equal to 1000");
  expect_error(list("&limit=99999999999999999999999"), 400, "invalid_request_error",
               "limit: Input should be less than or equal to 1000");
  for (const char* bad : {"abc", "1.5", "", "2x"}) {
    expect_error(list(std::string("&limit=") + bad), 400, "invalid_request_error",
                 "limit: Input should be a valid integer, unable to parse string as an integer");
  }
}

// ------------------------------------------------------------------------------------------
// Persistence

TEST_F(EmulatorTest, StateAndResultsSurviveARestart) {
  struct TempDir {
    fs::path path =
        fs::temp_directory_path() / ("anthropic-emulator-test-" + std::to_string(::getpid()));
    TempDir() { fs::remove_all(path); }
    ~TempDir() {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  } temp;
  const fs::path& dir = temp.path;
  EmulatorOptions o;
  o.data_dir = dir.string();
  o.processing_time = milliseconds(1000);
  start(o);

  const std::string ended = create_id(50);
  const std::string deleted = create_id(1);
  emulator_->advance(milliseconds(1000));
  ASSERT_EQ(retrieve(ended).body["processing_status"], "ended");
  const std::string ended_results = results(ended).raw;
  const json ended_json = retrieve(ended).body;

  const std::string canceling = create_id(10);
  const std::string running = create_id(10);
  emulator_->advance(milliseconds(500));
  ASSERT_EQ(cancel(canceling).status, 200);
  ASSERT_EQ(del("/v1/messages/batches/" + deleted).status, 200);
  const json running_json = retrieve(running).body;
  const json canceling_json = retrieve(canceling).body;
  client_.reset();
  emulator_->stop();
  emulator_.reset();

  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp."), std::string::npos) << entry.path();
  }

  start(o);
  EXPECT_EQ(emulator_->batch_count(), 3u);
  Reply l = list();
  ASSERT_EQ(l.body["data"].size(), 3u);
  EXPECT_EQ(l.body["data"][0]["id"], running);
  EXPECT_EQ(l.body["data"][1]["id"], canceling);
  EXPECT_EQ(l.body["data"][2]["id"], ended);
  json ended_after = retrieve(ended).body;
  // results_url carries the new port; everything else is identical.
  ended_after.erase("results_url");
  json ended_before = ended_json;
  ended_before.erase("results_url");
  EXPECT_EQ(ended_after, ended_before);
  EXPECT_EQ(results(ended).raw, ended_results);
  EXPECT_EQ(retrieve(running).body, running_json);  // the clock offset was restored
  EXPECT_EQ(retrieve(canceling).body, canceling_json);
  expect_error(retrieve(deleted), 404, "not_found_error");

  // Time goes on from where it was.
  emulator_->advance(milliseconds(500));
  Reply c = retrieve(canceling);
  EXPECT_EQ(c.body["processing_status"], "ended");
  EXPECT_EQ(c.body["request_counts"]["succeeded"], 5);  // half done when canceled
  EXPECT_EQ(c.body["request_counts"]["canceled"], 5);
  Reply r = retrieve(running);
  EXPECT_EQ(r.body["processing_status"], "ended");
  EXPECT_EQ(r.body["request_counts"]["succeeded"], 10);
  EXPECT_EQ(parse_jsonl(results(running).raw).size(), 10u);

  // New ids still sort after the old ones.
  EXPECT_GT(create_id(1), running);

  client_.reset();
  emulator_->stop();
  emulator_.reset();
}

// ------------------------------------------------------------------------------------------
// Concurrency, faults, latency

TEST_F(EmulatorTest, ConcurrentClients) {
  start();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 15;
  std::vector<std::thread> threads;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto c = make_client();
      for (int i = 0; i < kPerThread; ++i) {
        auto created = c->Post("/v1/messages/batches?beta=true", batch_body(1 + i % 5).dump(),
                               "application/json");
        if (!created || created->status != 200) {
          ++failures;
          continue;
        }
        const std::string id = json::parse(created->body)["id"];
        ids[t].push_back(id);
        auto got = c->Get(("/v1/messages/batches/" + id + "?beta=true").c_str());
        if (!got || got->status != 200 || json::parse(got->body)["id"] != id) ++failures;
        auto listed = c->Get("/v1/messages/batches?limit=5");
        if (!listed || listed->status != 200) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  std::set<std::string> unique;
  for (const auto& v : ids) unique.insert(v.begin(), v.end());
  EXPECT_EQ(unique.size(), static_cast<std::size_t>(kThreads * kPerThread));
  Reply all = list("&limit=1000");
  EXPECT_EQ(all.body["data"].size(), static_cast<std::size_t>(kThreads * kPerThread));
}

std::vector<int> fault_sequence(std::uint64_t seed, int requests, double rate) {
  EmulatorOptions o;
  o.seed = seed;
  o.fault_rate = rate;
  Emulator e(o);
  e.start();
  httplib::Client c("127.0.0.1", e.port());
  c.set_default_headers({{"x-api-key", kKey}, {"anthropic-version", "2023-06-01"}});
  std::vector<int> statuses;
  for (int i = 0; i < requests; ++i) {
    auto r = c.Get("/v1/messages/batches");
    statuses.push_back(r ? r->status : -1);
  }
  e.stop();
  return statuses;
}

TEST_F(EmulatorTest, FaultInjectionRateIsSeededAndShaped) {
  EmulatorOptions o;
  o.seed = 42;
  o.fault_rate = 0.3;
  o.fault_retry_after_ms = milliseconds(250);
  start(o);
  std::map<int, int> by_status;
  for (int i = 0; i < 300; ++i) {
    Reply r = list();
    ++by_status[r.status];
    if (r.status == 200) continue;
    switch (r.status) {
      case 429:
        expect_error(r, 429, "rate_limit_error");
        EXPECT_EQ(r.header("retry-after"), "1");
        EXPECT_EQ(r.header("retry-after-ms"), "250");
        break;
      case 500:
        expect_error(r, 500, "api_error");
        break;
      case 529:
        expect_error(r, 529, "overloaded_error");
        break;
      case 408:
      case 504:
        expect_error(r, r.status, "timeout_error");
        break;
      default:
        ADD_FAILURE() << "unexpected status " << r.status;
    }
  }
  const int faults = 300 - by_status[200];
  EXPECT_GE(faults, 60);
  EXPECT_LE(faults, 120);
  EXPECT_GT(by_status[429], 0);
  EXPECT_GT(by_status[500], 0);
  EXPECT_GT(by_status[529], 0);
  EXPECT_GT(by_status[408], 0);
  EXPECT_GT(by_status[504], 0);
  EXPECT_EQ(emulator_->stats().faults, static_cast<std::uint64_t>(faults));
  EXPECT_EQ(emulator_->stats().requests, 300u);

  // Same seed, same sequence; another seed, another one.
  EXPECT_EQ(fault_sequence(7, 60, 0.5), fault_sequence(7, 60, 0.5));
  EXPECT_NE(fault_sequence(7, 60, 0.5), fault_sequence(8, 60, 0.5));

  // A faulted create creates nothing.
  emulator_->set_fault_rate(1.0);
  const std::size_t before = emulator_->batch_count();
  EXPECT_NE(create(batch_body(1)).status, 200);
  EXPECT_EQ(emulator_->batch_count(), before);
  emulator_->set_fault_rate(0.0);
  EXPECT_EQ(list().status, 200);
}

TEST_F(EmulatorTest, QueuedFaultsComeFirstAndInOrder) {
  start();
  emulator_->queue_faults({529, 429, 500});
  EXPECT_EQ(list().status, 529);
  Reply limited = list();
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.header("retry-after"), "1");
  EXPECT_TRUE(limited.header("retry-after-ms").empty());
  EXPECT_EQ(list().status, 500);
  EXPECT_EQ(list().status, 200);
}

TEST_F(EmulatorTest, TimeoutFaults408And504) {
  start();
  emulator_->queue_faults({408, 504});
  expect_error(list(), 408, "timeout_error", "Request timed out (fault injected by the emulator)");
  expect_error(list(), 504, "timeout_error", "Gateway timed out (fault injected by the emulator)");
  EXPECT_EQ(list().status, 200);
  EXPECT_EQ(emulator_->stats().faults, 2u);

  // Only these, at random, with fault_statuses.
  client_.reset();
  emulator_->stop();
  EmulatorOptions o;
  o.fault_rate = 1.0;
  o.fault_statuses = {408, 504};
  start(o);
  std::map<int, int> by_status;
  for (int i = 0; i < 10; ++i) ++by_status[list().status];
  EXPECT_EQ(by_status, (std::map<int, int>{{408, 5}, {504, 5}}));
}

// The drop fault: a results download stops after about half of its body and the connection
// closes, once; a resume from what arrived (Range) gives the rest, identical to a full download.
TEST_F(EmulatorTest, DroppedResultsConnectionClosesMidBodyOnce) {
  EmulatorOptions o;
  o.processing_time = milliseconds(0);
  start(o);
  const std::string id = create_id(200);  // ~45 KB of results
  const Reply full = results(id);
  ASSERT_EQ(full.status, 200);
  const std::size_t total = full.raw.size();
  const std::string request = "GET /v1/messages/batches/" + id +
                              "/results HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "x-api-key: sk-ant-emulator\r\nanthropic-version: 2023-06-01\r\n";
  auto fetch = [&](const std::string& extra, std::string* head, bool* closed) {
    RawConnection c(emulator_->port());
    c.set_receive_timeout(std::chrono::seconds(5));
    EXPECT_TRUE(c.send_all(request + extra + "\r\n"));
    std::string raw = c.read_until_close(std::chrono::seconds(5), closed);
    const std::size_t end = raw.find("\r\n\r\n");
    *head = raw.substr(0, end == std::string::npos ? raw.size() : end + 4);
    return end == std::string::npos ? std::string() : raw.substr(end + 4);
  };

  emulator_->queue_results_drop();
  const std::uint64_t faults_before = emulator_->stats().faults;
  std::string head;
  bool closed = false;
  bool complete = true;
  const std::string cut = dechunk(fetch("", &head, &closed), &complete);
  EXPECT_EQ(head.rfind("HTTP/1.1 200", 0), 0u) << head;
  EXPECT_TRUE(closed);     // the server closed the connection...
  EXPECT_FALSE(complete);  // ...before the last chunk
  // Half the file, or one byte more when half falls between two lines: the cut is inside a line.
  EXPECT_GE(cut.size(), total / 2);
  EXPECT_LE(cut.size(), total / 2 + 1);
  EXPECT_TRUE(cut == full.raw.substr(0, cut.size()));
  EXPECT_NE(cut.back(), '\n');
  EXPECT_EQ(emulator_->stats().faults, faults_before + 1);
  std::cout << "[ measured ] the dropped download delivered " << cut.size() << " of " << total
            << " bytes\n";

  // Once: the resume gets the rest, and a full download is whole again.
  Reply rest = get("/v1/messages/batches/" + id + "/results",
                   {{"Range", "bytes=" + std::to_string(cut.size()) + "-"}});
  ASSERT_EQ(rest.status, 206);
  EXPECT_TRUE(cut + rest.raw == full.raw);
  EXPECT_TRUE(results(id).raw == full.raw);
  EXPECT_EQ(emulator_->stats().faults, faults_before + 1);

  // A Range download can be cut too: half of what it would send, short of its Content-Length.
  emulator_->queue_results_drop();
  const std::size_t from = 1000;
  const std::string partial = fetch("Range: bytes=1000-\r\n", &head, &closed);
  EXPECT_EQ(head.rfind("HTTP/1.1 206", 0), 0u) << head;
  EXPECT_NE(head.find("Content-Length: " + std::to_string(total - from)), std::string::npos)
      << head;
  EXPECT_TRUE(closed);
  EXPECT_GE(partial.size(), (total - from) / 2);
  EXPECT_LE(partial.size(), (total - from) / 2 + 1);
  EXPECT_TRUE(partial == full.raw.substr(from, partial.size()));
  EXPECT_NE(partial.back(), '\n');
  EXPECT_EQ(emulator_->stats().faults, faults_before + 2);

  // Other requests are not affected by a pending drop.
  emulator_->queue_results_drop();
  EXPECT_EQ(retrieve(id).status, 200);
  EXPECT_EQ(list().status, 200);
  EXPECT_EQ(emulator_->stats().faults, faults_before + 2);
}

TEST_F(EmulatorTest, LatencyIsAdded) {
  EmulatorOptions o;
  o.latency = milliseconds(60);
  start(o);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(list().status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, milliseconds(60));
}

TEST_F(EmulatorTest, WithoutKeepAliveStopDoesNotWaitForIdleClients) {
  EmulatorOptions o;
  o.keep_alive_timeout = std::chrono::seconds(0);
  start(o);
  client_->set_keep_alive(true);
  Reply r = list();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Connection"), "close");
  auto t0 = std::chrono::steady_clock::now();
  emulator_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, milliseconds(500));
}

TEST_F(EmulatorTest, StopIsIdempotentAndRestartable) {
  start();
  const std::string id = create_id();
  emulator_->stop();
  emulator_->stop();
  emulator_->start();  // same store, new port possibly
  client_ = make_client();
  EXPECT_EQ(retrieve(id).status, 200);
  EXPECT_THROW(emulator_->start(), std::runtime_error);
}

// ------------------------------------------------------------------------------------------
// The program

#ifdef ANTHROPIC_EMULATOR_BINARY
/// The emulator program, started with `args` on a port of the OS's choice.
class Program {
 public:
  /// Spawns it and reads its "listening on" line (10 s at most); port() is 0 on failure.
  explicit Program(std::vector<std::string> args) {
    int out[2];
    if (::pipe(out) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addclose(&actions, out[1]);
    std::string binary = ANTHROPIC_EMULATOR_BINARY;
    args.insert(args.begin(), {binary, "--port", "0"});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (pid_ > 0 && line.find('\n') == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
      pollfd p{out[0], POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[256];
      ssize_t n = ::read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<std::size_t>(n));
    }
    ::close(out[0]);
    std::smatch m;
    if (std::regex_search(line, m, std::regex(R"(listening on http://127\.0\.0\.1:(\d+)\n)"))) {
      port_ = std::stoi(m[1]);
    } else {
      ADD_FAILURE() << "no 'listening on' line, got: " << line;
    }
  }
  ~Program() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  int port() const { return port_; }

  /// Sends SIGTERM and returns the exit status (-1 when it did not exit within 10 s).
  int terminate() {
    if (pid_ <= 0 || ::kill(pid_, SIGTERM) != 0) return -1;
    int status = 0;
    pid_t done = 0;
    for (int i = 0; i < 200 && done == 0; ++i) {
      done = ::waitpid(pid_, &status, WNOHANG);
      if (done == 0) std::this_thread::sleep_for(milliseconds(50));
    }
    if (done == 0) return -1;
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

TEST(EmulatorProgram, ServesUntilSigterm) {
  Program program({"--processing-ms", "0", "--api-key", "k-test"});
  ASSERT_GT(program.port(), 0);
  httplib::Client c("127.0.0.1", program.port());
  c.set_read_timeout(std::chrono::seconds(10));
  auto r =
      c.Post("/v1/messages/batches", {{"x-api-key", "k-test"}, {"anthropic-version", "2023-06-01"}},
             batch_body(2).dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["request_counts"]["processing"], 2);
  EXPECT_EQ(program.terminate(), 0);
}

TEST(EmulatorProgram, OrderedAndFaultFlags) {
  const httplib::Headers headers = {{"x-api-key", kKey}, {"anthropic-version", "2023-06-01"}};
  auto order_of = [&](std::vector<std::string> args) {
    args.insert(args.end(), {"--processing-ms", "0"});
    Program program(args);
    httplib::Client c("127.0.0.1", program.port());
    c.set_read_timeout(std::chrono::seconds(10));
    auto created =
        c.Post("/v1/messages/batches", headers, batch_body(30).dump(), "application/json");
    if (!created || created->status != 200) return std::vector<std::string>();
    const std::string id = json::parse(created->body)["id"];
    auto r = c.Get(("/v1/messages/batches/" + id + "/results").c_str(), headers);
    return r ? custom_ids(parse_jsonl(r->body)) : std::vector<std::string>();
  };
  EXPECT_EQ(order_of({"--ordered"}), request_order(30));
  const std::vector<std::string> shuffled = order_of({});
  EXPECT_EQ(shuffled.size(), 30u);
  EXPECT_NE(shuffled, request_order(30));

  Program faulty({"--fault-rate", "1", "--fault-statuses", "504,408"});
  httplib::Client c("127.0.0.1", faulty.port());
  std::vector<int> statuses;
  for (int i = 0; i < 4; ++i) {
    auto r = c.Get("/v1/messages/batches", headers);
    statuses.push_back(r ? r->status : -1);
  }
  EXPECT_EQ(statuses, (std::vector<int>{504, 408, 504, 408}));

  Program dropping({"--processing-ms", "0", "--fault-drop-results", "1"});
  httplib::Client d("127.0.0.1", dropping.port());
  auto created = d.Post("/v1/messages/batches", headers, batch_body(30).dump(), "application/json");
  ASSERT_TRUE(created);
  const std::string id = json::parse(created->body)["id"];
  const std::string path = "/v1/messages/batches/" + id + "/results";
  EXPECT_FALSE(d.Get(path.c_str(), headers));  // cut: a transport error
  auto whole = d.Get(path.c_str(), headers);   // once
  ASSERT_TRUE(whole);
  EXPECT_EQ(parse_jsonl(whole->body).size(), 30u);
}

TEST(EmulatorProgram, ModelsAndSlowBodyFlags) {
  const httplib::Headers headers = {{"x-api-key", kKey}, {"anthropic-version", "2023-06-01"}};
  Program program(
      {"--processing-ms", "0", "--models", "claude-a,my-model", "--fault-slow-body", "2000"});
  ASSERT_GT(program.port(), 0);
  httplib::Client c("127.0.0.1", program.port());
  c.set_read_timeout(std::chrono::seconds(30));
  const json body = {
      {"requests", json::array({request("a", "hi", "claude-a"), request("mine", "hi", "my-model"),
                                request("b", "hi", "claude-b")})}};
  auto created = c.Post("/v1/messages/batches", headers, body.dump(), "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 200) << created->body;
  const std::string id = json::parse(created->body)["id"];
  const auto begin = std::chrono::steady_clock::now();
  auto r = c.Get(("/v1/messages/batches/" + id + "/results").c_str(), headers);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  ASSERT_TRUE(r);
  auto lines = by_custom_id(parse_jsonl(r->body));
  EXPECT_EQ(lines["a"]["result"]["type"], "succeeded");
  EXPECT_EQ(lines["mine"]["result"]["type"], "succeeded");
  EXPECT_EQ(lines["b"]["result"]["error"]["error"],
            json({{"type", "not_found_error"}, {"message", "model: claude-b"}}));
  EXPECT_GE(seconds, static_cast<double>(r->body.size()) / 2000);
}

TEST(EmulatorProgram, BadUsageExits2AndHelpExits0) {
  auto run = [](std::vector<std::string> args) {
    std::string binary = ANTHROPIC_EMULATOR_BINARY;
    args.insert(args.begin(), binary);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    if (posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ) != 0) return -1;
    posix_spawn_file_actions_destroy(&actions);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  EXPECT_EQ(run({"--help"}), 0);
  EXPECT_EQ(run({"--port"}), 2);
  EXPECT_EQ(run({"--port", "70000"}), 2);
  EXPECT_EQ(run({"--fault-rate", "2"}), 2);
  EXPECT_EQ(run({"--fault-statuses", "429,abc"}), 2);
  EXPECT_EQ(run({"--fault-statuses", "429,"}), 2);
  EXPECT_EQ(run({"--fault-statuses", "200"}), 2);
  EXPECT_EQ(run({"--fault-drop-results", "-1"}), 2);
  EXPECT_EQ(run({"--models", ""}), 2);
  EXPECT_EQ(run({"--models", "claude-a,,claude-b"}), 2);
  EXPECT_EQ(run({"--fault-slow-body", "-1"}), 2);
  EXPECT_EQ(run({"--fault-slow-body", "fast"}), 2);
  EXPECT_EQ(run({"--bogus"}), 2);
  EXPECT_EQ(run({"stray"}), 2);
}
#endif

}  // namespace
