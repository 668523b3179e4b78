#include "json/codecs.hpp"

#include <anthropic/beta/beta_message.hpp>

#include <anthropic/errors.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <variant>

namespace {

using anthropic::AnthropicInvalidDataException;
using anthropic::RawJson;
using anthropic::Timestamp;
using anthropic::beta::BetaRedactedThinkingBlock;
using anthropic::beta::BetaServiceTier;
using anthropic::beta::BetaStopReason;
using anthropic::beta::BetaTextBlock;
using anthropic::beta::BetaThinkingBlock;
using anthropic::beta::BetaToolUseBlock;
using anthropic::beta::messages::BetaMessageBatchResultType;
using anthropic::beta::messages::ProcessingStatus;
using anthropic::internal::json::decode_batch;
using anthropic::internal::json::decode_deleted_batch;
using anthropic::internal::json::decode_list_page;
constexpr auto decode_result_line = [](std::string_view s) {
  return anthropic::internal::json::decode_result_line<anthropic::beta::messages::BetaFamily>(s);
};
using nlohmann::json;
using std::chrono::system_clock;
using testing::HasSubstr;

// 2026-08-20T10:00:00Z
constexpr std::int64_t kCreatedSeconds = 1787220000;

system_clock::time_point at(std::int64_t seconds, std::int64_t micros = 0) {
  return system_clock::time_point(std::chrono::duration_cast<system_clock::duration>(
      std::chrono::seconds(seconds) + std::chrono::microseconds(micros)));
}

const char* const kBatch = R"({
  "id": "msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d",
  "type": "message_batch",
  "processing_status": "in_progress",
  "request_counts": { "processing": 2, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0 },
  "created_at": "2026-08-20T10:00:00.000000Z",
  "expires_at": "2026-08-21T10:00:00.000000Z",
  "ended_at": null,
  "cancel_initiated_at": null,
  "archived_at": null,
  "results_url": null
})";

const char* const kCancel = R"({
  "id": "msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d",
  "type": "message_batch",
  "processing_status": "canceling",
  "request_counts": { "processing": 2, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0 },
  "created_at": "2026-08-20T10:00:00.000000Z",
  "expires_at": "2026-08-21T10:00:00.000000Z",
  "ended_at": null,
  "cancel_initiated_at": "2026-08-20T10:05:12.345678Z",
  "archived_at": null,
  "results_url": null
})";

const char* const kListPage = R"({
  "data": [
    {
      "id": "msgbatch_01ZzNewest",
      "type": "message_batch",
      "processing_status": "ended",
      "request_counts": { "processing": 0, "succeeded": 98, "errored": 1, "canceled": 0, "expired": 1 },
      "created_at": "2026-08-19T08:00:00Z",
      "expires_at": "2026-08-20T08:00:00Z",
      "ended_at": "2026-08-19T08:41:10Z",
      "cancel_initiated_at": null,
      "archived_at": null,
      "results_url": "https://api.anthropic.com/v1/messages/batches/msgbatch_01ZzNewest/results"
    },
    {
      "id": "msgbatch_01YyOlder",
      "type": "message_batch",
      "processing_status": "in_progress",
      "request_counts": { "processing": 500, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0 },
      "created_at": "2026-08-19T07:00:00Z",
      "expires_at": "2026-08-20T07:00:00Z",
      "ended_at": null,
      "cancel_initiated_at": null,
      "archived_at": null,
      "results_url": null
    }
  ],
  "has_more": true,
  "first_id": "msgbatch_01ZzNewest",
  "last_id": "msgbatch_01YyOlder"
})";

const char* const kSucceeded =
    R"({"custom_id":"ticket-0001","result":{"type":"succeeded","message":{"id":"msg_01AbC","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Category: billing"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":42,"output_tokens":6,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"service_tier":"batch"}}}})";
const char* const kErrored =
    R"({"custom_id":"ticket-0002","result":{"type":"errored","error":{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: 2048 > maximum allowed for this model"},"request_id":null}}})";

// Expects decoding `text` with `decode` to throw AnthropicInvalidDataException mentioning
// `needle`.
template <class F>
void expect_invalid(F decode, const std::string& text, const std::string& needle) {
  try {
    decode(text);
    ADD_FAILURE() << "no exception for " << text;
  } catch (const AnthropicInvalidDataException& e) {
    EXPECT_THAT(e.what(), HasSubstr(needle)) << text;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
  }
}

auto batch_fn = [](const std::string& s) { (void)decode_batch(s); };
auto line_fn = [](const std::string& s) { (void)decode_result_line(s); };
auto page_fn = [](const std::string& s) { (void)decode_list_page(s); };
auto deleted_fn = [](const std::string& s) { (void)decode_deleted_batch(s); };

// ----- batches

TEST(DecodeBatchTest, ReferenceBatch) {
  auto b = decode_batch(kBatch);
  EXPECT_EQ(b.id, "msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d");
  EXPECT_EQ(b.type, "message_batch");
  EXPECT_EQ(b.processing_status, ProcessingStatus::in_progress);
  EXPECT_TRUE(b.processing_status.is_known());
  EXPECT_EQ(b.request_counts.processing, 2);
  EXPECT_EQ(b.request_counts.succeeded, 0);
  EXPECT_EQ(b.request_counts.total(), 2);
  EXPECT_EQ(b.created_at.str(), "2026-08-20T10:00:00.000000Z");
  EXPECT_EQ(b.created_at.time_point(), at(kCreatedSeconds));
  EXPECT_EQ(b.expires_at.time_point(), at(kCreatedSeconds + 86400));
  EXPECT_FALSE(b.ended_at);
  EXPECT_FALSE(b.cancel_initiated_at);
  EXPECT_FALSE(b.archived_at);
  EXPECT_FALSE(b.results_url);
}

TEST(DecodeBatchTest, CancelResponse) {
  auto b = decode_batch(kCancel);
  EXPECT_EQ(b.processing_status, ProcessingStatus::canceling);
  ASSERT_TRUE(b.cancel_initiated_at);
  EXPECT_EQ(b.cancel_initiated_at->str(), "2026-08-20T10:05:12.345678Z");
  EXPECT_EQ(b.cancel_initiated_at->time_point(), at(kCreatedSeconds + 312, 345678));
  EXPECT_FALSE(b.ended_at);
}

TEST(DecodeBatchTest, NullAndAbsentNullableFieldsAreEmpty) {
  json j = json::parse(kBatch);
  for (const char* key : {"ended_at", "cancel_initiated_at", "archived_at", "results_url"}) {
    j.erase(key);
  }
  auto b = decode_batch(j.dump());
  EXPECT_FALSE(b.ended_at);
  EXPECT_FALSE(b.results_url);

  j = json::parse(kBatch);
  j["ended_at"] = "2026-08-20T11:00:00Z";
  j["archived_at"] = "2026-09-18T10:00:00Z";
  j["results_url"] = "https://x/results";
  j["processing_status"] = "ended";
  b = decode_batch(j.dump());
  ASSERT_TRUE(b.ended_at);
  EXPECT_EQ(b.ended_at->time_point(), at(kCreatedSeconds + 3600));
  ASSERT_TRUE(b.archived_at);
  EXPECT_EQ(b.archived_at->str(), "2026-09-18T10:00:00Z");
  EXPECT_EQ(b.results_url, std::optional<std::string>("https://x/results"));
  EXPECT_EQ(b.processing_status, ProcessingStatus::ended);
}

TEST(DecodeBatchTest, UnknownProcessingStatusRoundTrips) {
  json j = json::parse(kBatch);
  j["processing_status"] = "paused_for_maintenance";
  auto b = decode_batch(j.dump());
  EXPECT_EQ(b.processing_status.str(), "paused_for_maintenance");
  EXPECT_FALSE(b.processing_status.is_known());
  EXPECT_NE(b.processing_status, ProcessingStatus::in_progress);
  EXPECT_EQ(b.processing_status, "paused_for_maintenance");
}

TEST(DecodeBatchTest, UnknownExtraFieldsAreIgnored) {
  json j = json::parse(kBatch);
  j["workspace_id"] = "wrkspc_1";
  j["new_nested"] = {{"a", {1, 2, 3}}};
  j["request_counts"]["queued"] = 7;
  auto b = decode_batch(j.dump());
  EXPECT_EQ(b.id, "msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d");
  EXPECT_EQ(b.request_counts.total(), 2);
}

TEST(DecodeBatchTest, TypeIsCheckedOnlyWhenPresent) {
  json j = json::parse(kBatch);
  j.erase("type");
  EXPECT_EQ(decode_batch(j.dump()).type, "message_batch");
  j["type"] = "message_batch_deleted";
  expect_invalid(batch_fn, j.dump(), "`type` is not \"message_batch\"");
  j["type"] = 3;
  expect_invalid(batch_fn, j.dump(), "`type` is not a string");
}

TEST(DecodeBatchTest, RequiredFieldsMissingOrWrongType) {
  struct Case {
    std::string key;  // a json pointer
    json value;       // discarded value: erase the member
    std::string message;
  };
  const json erase = json::value_t::discarded;
  const Case cases[] = {
      {"/id", erase, "message_batch: `id` is missing"},
      {"/id", nullptr, "message_batch: `id` is null"},
      {"/id", 12, "message_batch: `id` is not a string"},
      {"/processing_status", erase, "`processing_status` is missing"},
      {"/processing_status", json::array(), "`processing_status` is not a string"},
      {"/request_counts", erase, "`request_counts` is missing"},
      {"/request_counts", "2", "`request_counts` is not an object"},
      {"/request_counts/processing", erase, "`request_counts.processing` is missing"},
      {"/request_counts/processing", "2",
       "message_batch: `request_counts.processing` is not an integer"},
      {"/request_counts/succeeded", 1.5, "`request_counts.succeeded` is not an integer"},
      {"/request_counts/errored", nullptr, "`request_counts.errored` is null"},
      {"/request_counts/canceled", true, "`request_counts.canceled` is not an integer"},
      {"/request_counts/expired", 18446744073709551615ULL,
       "`request_counts.expired` is out of range"},
      {"/created_at", erase, "`created_at` is missing"},
      {"/created_at", 1724150000, "`created_at` is not a string"},
      {"/expires_at", nullptr, "`expires_at` is null"},
      {"/ended_at", 5, "`ended_at` is not a string"},
      {"/cancel_initiated_at", json::object(), "`cancel_initiated_at` is not a string"},
      {"/archived_at", false, "`archived_at` is not a string"},
      {"/results_url", 1, "`results_url` is not a string"},
  };
  for (const Case& c : cases) {
    json j = json::parse(kBatch);
    json::json_pointer ptr(c.key);
    if (c.value.is_discarded()) {
      j[ptr.parent_pointer()].erase(ptr.back());
    } else {
      j[ptr] = c.value;
    }
    expect_invalid(batch_fn, j.dump(), c.message);
  }
}

TEST(DecodeBatchTest, MalformedJson) {
  expect_invalid(batch_fn, "", "message_batch: malformed JSON");
  expect_invalid(batch_fn, "{", "malformed JSON");
  expect_invalid(batch_fn, std::string(kBatch) + "}", "malformed JSON");
  expect_invalid(batch_fn, "<html>502 Bad Gateway</html>", "malformed JSON");
  expect_invalid(batch_fn, "[]", "message_batch is not a JSON object");
  expect_invalid(batch_fn, "\"message_batch\"", "is not a JSON object");
  expect_invalid(batch_fn, "null", "is not a JSON object");
}

TEST(DecodeBatchTest, InvalidUtf8) {
  json j = json::parse(kBatch);
  std::string text = j.dump();
  std::string bad = text;
  bad.replace(bad.find("msgbatch_"), 1, "\xFF");
  expect_invalid(batch_fn, bad, "malformed JSON");
  bad = text;
  bad.replace(bad.find("msgbatch_"), 1, "\xC3");  // truncated sequence
  expect_invalid(batch_fn, bad, "malformed JSON");
  bad = text;
  bad.replace(bad.find("msgbatch_"), 1, "\xED\xA0\x80");  // surrogate
  expect_invalid(batch_fn, bad, "malformed JSON");
}

TEST(DecodeBatchTest, LargeCountsAreKeptAndNegativeCountsRejected) {
  json j = json::parse(kBatch);
  j["request_counts"]["processing"] = 9223372036854775807LL;
  auto b = decode_batch(j.dump());
  EXPECT_EQ(b.request_counts.processing, 9223372036854775807LL);
  for (const char* field : {"processing", "succeeded", "errored", "canceled", "expired"}) {
    json bad = json::parse(kBatch);
    bad["request_counts"][field] = -1;
    expect_invalid(batch_fn, bad.dump(),
                   std::string("message_batch: `request_counts.") + field + "` is negative");
  }
  // In a list page the path names the element.
  json page = json::parse(kListPage);
  page["data"][1]["request_counts"]["expired"] = -3;
  expect_invalid(page_fn, page.dump(), "`data[1].request_counts.expired` is negative");
}

// ----- timestamps

TEST(DecodeBatchTest, TimestampsOffsetsAndFractions) {
  struct Case {
    const char* text;
    std::int64_t seconds;
    std::int64_t micros;
  };
  const Case cases[] = {
      {"2026-08-20T10:00:00Z", kCreatedSeconds, 0},
      {"2026-08-20t10:00:00z", kCreatedSeconds, 0},
      {"2026-08-20T12:30:00+02:30", kCreatedSeconds, 0},
      {"2026-08-20T05:00:00-05:00", kCreatedSeconds, 0},
      {"2026-08-20T10:00:00+00:00", kCreatedSeconds, 0},
      {"2026-08-20T10:00:00.1Z", kCreatedSeconds, 100000},
      {"2026-08-20T10:00:00.123Z", kCreatedSeconds, 123000},
      {"2026-08-20T10:00:00.100435Z", kCreatedSeconds, 100435},
      {"2026-08-20T10:00:00.123456789Z", kCreatedSeconds, 123456},  // truncated to micros
      {"2026-08-20T10:00:00.999999999999+01:00", kCreatedSeconds - 3600, 999999},
      {"1970-01-01T00:00:00Z", 0, 0},
      {"1969-12-31T23:59:59.5Z", -1, 500000},
      {"2000-02-29T00:00:00Z", 951782400, 0},
      {"2024-08-20T18:37:24.100435Z", 1724179044, 100435},
      {"2016-12-31T23:59:60Z", 1483228800, 0},  // leap second: the next minute's :00
  };
  for (const Case& c : cases) {
    Timestamp t(c.text);
    EXPECT_TRUE(t.valid()) << c.text;
    EXPECT_EQ(t.str(), c.text);
    EXPECT_EQ(t.time_point(), at(c.seconds, c.micros)) << c.text;
    EXPECT_EQ(anthropic::parse_rfc3339(c.text), std::optional(at(c.seconds, c.micros)));
  }
}

TEST(DecodeBatchTest, InvalidTimestampIsKeptAndThrowsOnUse) {
  for (const char* bad : {"",
                          "yesterday",
                          "2026-08-20",
                          "2026-08-20T10:00:00",
                          "2026-08-20 10:00:00Z",
                          "2026-13-01T00:00:00Z",
                          "2026-02-29T00:00:00Z",
                          "2026-04-31T00:00:00Z",
                          "2026-08-20T24:00:00Z",
                          "2026-08-20T10:60:00Z",
                          "2026-08-20T10:00:61Z",
                          "2026-08-20T10:00:00.Z",
                          "2026-08-20T10:00:00+0200",
                          "2026-08-20T10:00:00+24:00",
                          "2026-08-20T10:00:00Zjunk",
                          "26-08-20T10:00:00Z",
                          "2026-8-20T10:00:00Z",
                          "+2026-08-20T10:00:00Z",
                          "9999-12-31T23:59:59Z",
                          "1000-01-01T00:00:00Z",
                          "2026-08-20T10:00:00\xFFZ"}) {
    Timestamp t(bad);
    EXPECT_FALSE(t.valid()) << bad;
    EXPECT_EQ(t.str(), bad);
    EXPECT_THROW((void)t.time_point(), AnthropicInvalidDataException) << bad;
    EXPECT_FALSE(anthropic::parse_rfc3339(bad)) << bad;
  }
  // A Timestamp built by hand keeps any text; one the server sends must be valid.
  EXPECT_FALSE(Timestamp().valid());
  for (const char* field :
       {"created_at", "expires_at", "ended_at", "cancel_initiated_at", "archived_at"}) {
    for (const char* bad : {"yesterday", "2024-02-30T25:61:61Z", "2024-02-30T10:00:00Z", ""}) {
      json j = json::parse(kBatch);
      j[field] = bad;
      expect_invalid(batch_fn, j.dump(),
                     std::string("message_batch: `") + field + "` is not an RFC 3339 timestamp");
    }
  }
  json page = json::parse(kListPage);
  page["data"][0]["ended_at"] = "soon";
  expect_invalid(page_fn, page.dump(), "`data[0].ended_at` is not an RFC 3339 timestamp");
}

TEST(DecodeBatchTest, EveryValidTimestampFormIsAcceptedInABatch) {
  for (const char* good :
       {"2026-08-20T10:00:00Z", "2026-08-20t10:00:00z", "2026-08-20T12:30:00+02:30",
        "2026-08-20T05:00:00-05:00", "2026-08-20T10:00:00.100435Z",
        "2026-08-20T10:00:00.123456789Z", "2016-12-31T23:59:60Z", "2000-02-29T00:00:00Z"}) {
    json j = json::parse(kBatch);
    j["created_at"] = good;
    j["ended_at"] = good;
    auto b = decode_batch(j.dump());
    EXPECT_EQ(b.created_at.str(), good);
    EXPECT_TRUE(b.created_at.valid()) << good;
    ASSERT_TRUE(b.ended_at.has_value());
    EXPECT_TRUE(b.ended_at->valid()) << good;
  }
}

TEST(DecodeBatchTest, TimestampFromTimePoint) {
  Timestamp t = Timestamp::from_time_point(at(kCreatedSeconds + 312, 345678));
  EXPECT_EQ(t.str(), "2026-08-20T10:05:12.345678Z");
  EXPECT_EQ(t.time_point(), at(kCreatedSeconds + 312, 345678));
  EXPECT_EQ(Timestamp::from_time_point(at(0)).str(), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(Timestamp::from_time_point(at(-1, 500000)).str(), "1969-12-31T23:59:59.500000Z");
  EXPECT_EQ(Timestamp::from_time_point(at(951782400)).str(), "2000-02-29T00:00:00.000000Z");
  // Sub-microsecond parts are floored.
  auto tp = at(kCreatedSeconds) +
            std::chrono::duration_cast<system_clock::duration>(std::chrono::nanoseconds(999));
  EXPECT_EQ(Timestamp::from_time_point(tp).str(), "2026-08-20T10:00:00.000000Z");
  // Round trip through the parser over a wide range.
  for (std::int64_t s = -5000000000; s < 7000000000; s += 123456789) {
    Timestamp x = Timestamp::from_time_point(at(s, 654321));
    EXPECT_EQ(Timestamp(x.str()).time_point(), at(s, 654321)) << x.str();
  }
  EXPECT_EQ(Timestamp("2026-08-20T10:00:00Z"), Timestamp("2026-08-20T10:00:00Z"));
  EXPECT_NE(Timestamp("2026-08-20T10:00:00Z"), Timestamp("2026-08-20T10:00:00.000Z"));
}

// ----- list page and deleted

TEST(DecodeListTest, ReferencePage) {
  auto page = decode_list_page(kListPage);
  ASSERT_EQ(page.data.size(), 2u);
  EXPECT_TRUE(page.has_more);
  EXPECT_EQ(page.first_id, std::optional<std::string>("msgbatch_01ZzNewest"));
  EXPECT_EQ(page.last_id, std::optional<std::string>("msgbatch_01YyOlder"));
  const auto& newest = page.data[0];
  EXPECT_EQ(newest.id, "msgbatch_01ZzNewest");
  EXPECT_EQ(newest.processing_status, ProcessingStatus::ended);
  EXPECT_EQ(newest.request_counts.succeeded, 98);
  EXPECT_EQ(newest.request_counts.errored, 1);
  EXPECT_EQ(newest.request_counts.expired, 1);
  EXPECT_EQ(newest.request_counts.total(), 100);
  ASSERT_TRUE(newest.ended_at);
  EXPECT_EQ(newest.ended_at->time_point(), at(1787126400 + 41 * 60 + 10));
  EXPECT_EQ(newest.results_url,
            std::optional<std::string>(
                "https://api.anthropic.com/v1/messages/batches/msgbatch_01ZzNewest/results"));
  EXPECT_EQ(page.data[1].request_counts.processing, 500);
  EXPECT_FALSE(page.data[1].results_url);
}

TEST(DecodeListTest, OptionalPageFields) {
  auto page = decode_list_page(R"({"data":[]})");
  EXPECT_TRUE(page.data.empty());
  EXPECT_TRUE(page.has_more);  // absent: true
  EXPECT_FALSE(page.first_id);
  EXPECT_FALSE(page.last_id);
  page = decode_list_page(R"({"data":[],"has_more":false,"first_id":null,"last_id":null})");
  EXPECT_FALSE(page.has_more);
  EXPECT_FALSE(page.first_id);
}

TEST(DecodeListTest, Errors) {
  expect_invalid(page_fn, "{}", "message_batch list page: `data` is missing");
  expect_invalid(page_fn, R"({"data":{}})", "`data` is not an array");
  expect_invalid(page_fn, R"({"data":[],"has_more":"yes"})", "`has_more` is not a boolean");
  expect_invalid(page_fn, R"({"data":[],"first_id":1})", "`first_id` is not a string");
  expect_invalid(page_fn, R"({"data":[1]})", "`data[0]` is not an object");
  json j = json::parse(kListPage);
  j["data"][1]["request_counts"]["processing"] = "500";
  expect_invalid(page_fn, j.dump(), "`data[1].request_counts.processing` is not an integer");
  expect_invalid(page_fn, "[", "malformed JSON");
}

TEST(DecodeListTest, MalformedJsonWinsAndALaterNullHasMoreIsAbsent) {
  // The whole document is checked for syntax before any member is judged.
  expect_invalid(batch_fn, R"({"id":null,)", "malformed JSON");
  expect_invalid(page_fn, R"({"data":[1],)", "malformed JSON");
  // As with a JSON parser, the last of repeated members counts: null is as if absent (true).
  EXPECT_TRUE(decode_list_page(R"({"data":[],"has_more":false,"has_more":null})").has_more);
  EXPECT_FALSE(decode_list_page(R"({"data":[],"has_more":null,"has_more":false})").has_more);
}

TEST(DecodeDeletedTest, ReferenceAndErrors) {
  auto d =
      decode_deleted_batch(R"({ "id": "msgbatch_01ZzNewest", "type": "message_batch_deleted" })");
  EXPECT_EQ(d.id, "msgbatch_01ZzNewest");
  EXPECT_EQ(d.type, "message_batch_deleted");
  EXPECT_EQ(decode_deleted_batch(R"({"id":"x","extra":1})").id, "x");
  expect_invalid(deleted_fn, R"({"type":"message_batch_deleted"})", "`id` is missing");
  expect_invalid(deleted_fn, R"({"id":"x","type":"message_batch"})",
                 "`type` is not \"message_batch_deleted\"");
  expect_invalid(deleted_fn, "nope", "malformed JSON");
}

// ----- results lines

TEST(DecodeResultTest, Succeeded) {
  auto r = decode_result_line(kSucceeded);
  EXPECT_EQ(r.custom_id, "ticket-0001");
  EXPECT_EQ(r.result.type, BetaMessageBatchResultType::succeeded);
  EXPECT_FALSE(r.result.error);
  EXPECT_FALSE(r.result.raw);
  ASSERT_TRUE(r.result.message);
  const auto& m = *r.result.message;
  EXPECT_EQ(m.id, "msg_01AbC");
  EXPECT_EQ(m.model, "claude-sonnet-4-5");
  ASSERT_EQ(m.content.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<BetaTextBlock>(m.content[0]));
  EXPECT_EQ(std::get<BetaTextBlock>(m.content[0]).text, "Category: billing");
  EXPECT_FALSE(std::get<BetaTextBlock>(m.content[0]).citations);
  EXPECT_EQ(m.stop_reason, std::optional<BetaStopReason>(BetaStopReason::end_turn));
  EXPECT_FALSE(m.stop_sequence);
  EXPECT_EQ(m.usage.input_tokens, 42);
  EXPECT_EQ(m.usage.output_tokens, 6);
  EXPECT_EQ(m.usage.cache_creation_input_tokens, std::optional<std::int64_t>(0));
  EXPECT_EQ(m.usage.cache_read_input_tokens, std::optional<std::int64_t>(0));
  EXPECT_EQ(m.usage.service_tier, std::optional<BetaServiceTier>(BetaServiceTier::batch));
}

TEST(DecodeResultTest, Errored) {
  auto r = decode_result_line(kErrored);
  EXPECT_EQ(r.custom_id, "ticket-0002");
  EXPECT_EQ(r.result.type, BetaMessageBatchResultType::errored);
  EXPECT_FALSE(r.result.message);
  ASSERT_TRUE(r.result.error);
  ASSERT_TRUE(std::holds_alternative<anthropic::beta::BetaInvalidRequestErrorObject>(
      r.result.error->error));
  EXPECT_EQ(std::get<anthropic::beta::BetaInvalidRequestErrorObject>(r.result.error->error).message,
            "max_tokens: 2048 > maximum allowed for this model");
  EXPECT_EQ(anthropic::beta::error_type(r.result.error->error), "invalid_request_error");
  EXPECT_EQ(anthropic::beta::error_message(r.result.error->error),
            "max_tokens: 2048 > maximum allowed for this model");
  EXPECT_FALSE(r.result.error->request_id);

  auto r2 = decode_result_line(
      R"({"custom_id":"c","result":{"type":"errored","error":{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_1"}}})");
  EXPECT_EQ(anthropic::beta::error_type(r2.result.error->error), "overloaded_error");
  EXPECT_TRUE(
      std::holds_alternative<anthropic::beta::BetaOverloadedErrorObject>(r2.result.error->error));
  EXPECT_EQ(r2.result.error->request_id, std::optional<std::string>("req_1"));
}

TEST(DecodeResultTest, CanceledAndExpired) {
  auto c = decode_result_line(R"({"custom_id":"ticket-0003","result":{"type":"canceled"}})");
  EXPECT_EQ(c.custom_id, "ticket-0003");
  EXPECT_EQ(c.result.type, BetaMessageBatchResultType::canceled);
  EXPECT_FALSE(c.result.message || c.result.error || c.result.raw);
  auto e = decode_result_line(R"({"custom_id":"ticket-0004","result":{"type":"expired"}})");
  EXPECT_EQ(e.result.type, BetaMessageBatchResultType::expired);
  EXPECT_TRUE(e.result.type.is_known());
  EXPECT_FALSE(e.result.message || e.result.error || e.result.raw);
}

TEST(DecodeResultTest, UnknownTypeKeepsWholeResult) {
  auto r = decode_result_line(
      R"({"custom_id":"t5","result":{"type":"deferred","until":"2026-09-01T00:00:00Z","details":{"b":1,"a":[true,null]}}})");
  EXPECT_EQ(r.result.type.str(), "deferred");
  EXPECT_FALSE(r.result.type.is_known());
  ASSERT_TRUE(r.result.raw);
  EXPECT_EQ(
      r.result.raw->str(),
      R"({"type":"deferred","until":"2026-09-01T00:00:00Z","details":{"b":1,"a":[true,null]}})");
  EXPECT_FALSE(r.result.message || r.result.error);
}

TEST(DecodeResultTest, MessageWithEveryBlockType) {
  const char* line = R"({"custom_id":"all","result":{"type":"succeeded","message":{
    "id":"msg_2","type":"message","role":"assistant","model":"claude-x",
    "content":[
      {"type":"thinking","thinking":"Let me think","signature":"EqQB"},
      {"type":"redacted_thinking","data":"EmwKAhgB"},
      {"type":"text","text":"Using a tool.","citations":[{"type":"char_location","cited_text":"x","document_index":0,"start_char_index":0,"end_char_index":1}]},
      {"type":"tool_use","id":"toolu_01","name":"get_weather","input":{"zip":"94103","units":["c","f"],"a":null}},
      {"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"q"}},
      {"type":"text","text":"caf\u00e9 \ud83d\ude00","citations":null}
    ],
    "stop_reason":"tool_use","stop_sequence":null,"stop_details":null,"container":null,
    "usage":{"input_tokens":10,"output_tokens":20,"server_tool_use":{"web_search_requests":1,"web_fetch_requests":0}}}}})";
  auto r = decode_result_line(line);
  ASSERT_TRUE(r.result.message);
  const auto& c = r.result.message->content;
  ASSERT_EQ(c.size(), 6u);
  const auto& think = std::get<BetaThinkingBlock>(c[0]);
  EXPECT_EQ(think.thinking, "Let me think");
  EXPECT_EQ(think.signature, "EqQB");
  EXPECT_EQ(std::get<BetaRedactedThinkingBlock>(c[1]).data, "EmwKAhgB");
  const auto& text = std::get<BetaTextBlock>(c[2]);
  EXPECT_EQ(text.text, "Using a tool.");
  ASSERT_TRUE(text.citations);
  ASSERT_EQ(text.citations->size(), 1u);
  const auto& cite = std::get<anthropic::beta::BetaCitationCharLocation>((*text.citations)[0]);
  EXPECT_EQ(cite.cited_text, "x");
  EXPECT_EQ(cite.end_char_index, 1);
  const auto& use = std::get<BetaToolUseBlock>(c[3]);
  EXPECT_EQ(use.id, "toolu_01");
  EXPECT_EQ(use.name, "get_weather");
  EXPECT_EQ(use.input.str(), R"({"zip":"94103","units":["c","f"],"a":null})");  // order kept
  // Every block type is typed now (server tools included).
  const auto& server = std::get<anthropic::beta::BetaServerToolUseBlock>(c[4]);
  EXPECT_EQ(server.id, "srvtoolu_1");
  EXPECT_EQ(server.name, "web_search");
  EXPECT_EQ(server.input.str(), R"({"query":"q"})");
  ASSERT_TRUE(r.result.message->usage.server_tool_use);
  EXPECT_EQ(r.result.message->usage.server_tool_use->web_search_requests, 1);
  const auto& text2 = std::get<BetaTextBlock>(c[5]);
  EXPECT_EQ(text2.text, "caf\xC3\xA9 \xF0\x9F\x98\x80");
  EXPECT_FALSE(text2.citations);
  EXPECT_EQ(r.result.message->stop_reason, std::optional(BetaStopReason::tool_use));
  const auto& u = r.result.message->usage;
  EXPECT_EQ(u.input_tokens, 10);
  EXPECT_EQ(u.output_tokens, 20);
  EXPECT_FALSE(u.cache_creation_input_tokens);
  EXPECT_FALSE(u.cache_read_input_tokens);
  EXPECT_FALSE(u.service_tier);
}

TEST(DecodeResultTest, OpenEnumsAndNullables) {
  json j = json::parse(kSucceeded);
  auto& m = j["result"]["message"];
  m["stop_reason"] = "brand_new_reason";
  m["stop_sequence"] = "###";
  m["usage"]["service_tier"] = "flex";
  m["usage"]["cache_read_input_tokens"] = nullptr;
  m.erase("type");
  m.erase("role");
  auto r = decode_result_line(j.dump());
  const auto& msg = *r.result.message;
  ASSERT_TRUE(msg.stop_reason);
  EXPECT_EQ(msg.stop_reason->str(), "brand_new_reason");
  EXPECT_FALSE(msg.stop_reason->is_known());
  EXPECT_EQ(msg.stop_sequence, std::optional<std::string>("###"));
  EXPECT_EQ(msg.usage.service_tier->str(), "flex");
  EXPECT_FALSE(msg.usage.service_tier->is_known());
  EXPECT_FALSE(msg.usage.cache_read_input_tokens);

  m["stop_reason"] = nullptr;
  EXPECT_FALSE(decode_result_line(j.dump()).result.message->stop_reason);
  m.erase("stop_reason");
  EXPECT_FALSE(decode_result_line(j.dump()).result.message->stop_reason);
}

TEST(DecodeResultTest, RequiredFieldsMissingOrWrongType) {
  struct Case {
    std::string pointer;
    json value;  // discarded: erase
    std::string message;
  };
  const json erase = json::value_t::discarded;
  const Case cases[] = {
      {"/custom_id", erase, "results line: `custom_id` is missing"},
      {"/custom_id", 1, "`custom_id` is not a string"},
      {"/result", erase, "`result` is missing"},
      {"/result", "succeeded", "`result` is not an object"},
      {"/result/type", erase, "`result.type` is missing"},
      {"/result/type", 1, "`result.type` is not a string"},
      {"/result/message", erase, "`result.message` is missing"},
      {"/result/message", nullptr, "`result.message` is null"},
      {"/result/message/id", erase, "`result.message.id` is missing"},
      {"/result/message/model", 4, "`result.message.model` is not a string"},
      {"/result/message/content", erase, "`result.message.content` is missing"},
      {"/result/message/content", "hi", "`result.message.content` is not an array"},
      {"/result/message/content/0", 1, "`result.message.content[0]` is not an object"},
      {"/result/message/content/0/text", erase, "`result.message.content[0].text` is missing"},
      {"/result/message/content/0/text", json::array(),
       "`result.message.content[0].text` is not a string"},
      {"/result/message/stop_reason", 1, "`result.message.stop_reason` is not a string"},
      {"/result/message/stop_sequence", 1, "`result.message.stop_sequence` is not a string"},
      {"/result/message/usage", erase, "`result.message.usage` is missing"},
      {"/result/message/usage/input_tokens", erase,
       "`result.message.usage.input_tokens` is missing"},
      {"/result/message/usage/output_tokens", "6",
       "`result.message.usage.output_tokens` is not an integer"},
      {"/result/message/usage/cache_read_input_tokens", 0.5,
       "`result.message.usage.cache_read_input_tokens` is not an integer"},
      {"/result/message/usage/service_tier", 1,
       "`result.message.usage.service_tier` is not a string"},
  };
  for (const Case& c : cases) {
    json j = json::parse(kSucceeded);
    json::json_pointer ptr(c.pointer);
    if (c.value.is_discarded()) {
      j[ptr.parent_pointer()].erase(ptr.back());
    } else {
      j[ptr] = c.value;
    }
    expect_invalid(line_fn, j.dump(), c.message);
  }

  const Case errored_cases[] = {
      {"/result/error", erase, "`result.error` is missing"},
      {"/result/error", "boom", "`result.error` is not an object"},
      {"/result/error/error", erase, "`result.error.error` is missing"},
      {"/result/error/error/message", 3, "`result.error.error.message` is not a string"},
      {"/result/error/request_id", 3, "`result.error.request_id` is not a string"},
  };
  for (const Case& c : errored_cases) {
    json j = json::parse(kErrored);
    json::json_pointer ptr(c.pointer);
    if (c.value.is_discarded()) {
      j[ptr.parent_pointer()].erase(ptr.back());
    } else {
      j[ptr] = c.value;
    }
    expect_invalid(line_fn, j.dump(), c.message);
  }

  // tool_use and thinking blocks have required members too.
  expect_invalid(
      line_fn,
      R"({"custom_id":"c","result":{"type":"succeeded","message":{"id":"m","model":"x","content":[{"type":"tool_use","id":"t","name":"n"}],"usage":{"input_tokens":1,"output_tokens":1}}}})",
      "`result.message.content[0].input` is missing");
  expect_invalid(
      line_fn,
      R"({"custom_id":"c","result":{"type":"succeeded","message":{"id":"m","model":"x","content":[{"type":"text","text":"a"},{"type":"thinking","thinking":"t"}],"usage":{"input_tokens":1,"output_tokens":1}}}})",
      "`result.message.content[1].signature` is missing");
}

TEST(DecodeResultTest, BlocksAndErrorsWithoutATagAreKeptWhole) {
  // A content block or an error object without a (string) `type` is a union member the SDK
  // cannot tell: kept whole as RawJson instead of failing the line.
  auto r = decode_result_line(
      R"({"custom_id":"c","result":{"type":"succeeded","message":{"id":"m","model":"x","content":[{"text":"a"},{"type":2}],"usage":{"input_tokens":1,"output_tokens":1}}}})");
  EXPECT_EQ(std::get<RawJson>(r.result.message->content[0]).str(), R"({"text":"a"})");
  EXPECT_EQ(std::get<RawJson>(r.result.message->content[1]).str(), R"({"type":2})");
  auto e = decode_result_line(
      R"({"custom_id":"c","result":{"type":"errored","error":{"error":{"message":"m"},"request_id":null}}})");
  EXPECT_EQ(std::get<RawJson>(e.result.error->error).str(), R"({"message":"m"})");
  EXPECT_EQ(anthropic::beta::error_message(e.result.error->error), "m");
  // An error object of a known type needs its message (the schema says required).
  expect_invalid(
      line_fn,
      R"({"custom_id":"c","result":{"type":"errored","error":{"error":{"type":"api_error"}}}})",
      "`result.error.error.message` is missing");
}

TEST(DecodeResultTest, MalformedLinesAndInvalidUtf8) {
  expect_invalid(line_fn, "", "results line: malformed JSON");
  expect_invalid(line_fn, "{\"custom_id\":\"a\",", "malformed JSON");
  expect_invalid(line_fn, "[1,2]", "results line is not a JSON object");
  expect_invalid(line_fn, std::string(kSucceeded) + std::string(kSucceeded), "malformed JSON");
  std::string bad = kSucceeded;
  bad.replace(bad.find("billing"), 1, "\xC0\xAF");
  expect_invalid(line_fn, bad, "malformed JSON");
  bad = kSucceeded;
  bad.replace(bad.find("billing"), 1, std::string("\0", 1));
  expect_invalid(line_fn, bad, "malformed JSON");
  // A huge bad line: the message stays short.
  std::string huge = "{\"custom_id\":\"" + std::string(1 << 20, 'x') + "\xFF\"}";
  try {
    (void)decode_result_line(huge);
    FAIL();
  } catch (const AnthropicInvalidDataException& e) {
    EXPECT_LT(std::string(e.what()).size(), 400u);
  }
}

TEST(DecodeResultTest, TrailingWhitespaceAndCrAreAccepted) {
  auto r = decode_result_line(std::string(kSucceeded) + " \r");
  EXPECT_EQ(r.custom_id, "ticket-0001");
  // A byte order mark at the very start is ignored, as nlohmann does; anywhere else it is an
  // error.
  EXPECT_EQ(decode_result_line("\xEF\xBB\xBF" + std::string(kSucceeded)).custom_id, "ticket-0001");
  expect_invalid(line_fn, " \xEF\xBB\xBF" + std::string(kSucceeded), "malformed JSON");
}

// ----- the results-line reader (a hand-written pull parser): syntax conformance

TEST(DecodeResultTest, WhitespaceEscapesAndMemberOrder) {
  // Pretty-printed, every member reordered so that `type` comes last.
  const char* line = R"( {
    "result" : {
      "message" : {
        "usage" : { "output_tokens" : 6 , "input_tokens" : 42 } ,
        "content" : [ { "text" : "caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t" , "type" : "text" } ,
                      { "input" : { "b" : [ 1 , { } , [ ] , -2.5e-3 , true , false , null ] , "a" : "x y" } ,
                        "name" : "n" , "id" : "i" , "type" : "tool_use" } ,
                      { "z" : [ "keep  spaces" ] , "type" : "mystery" } ] ,
        "model" : "m" ,
        "id" : "msg"
      } ,
      "type" : "succeeded"
    } ,
    "custom_id" : "ws"
  } )";
  auto r = decode_result_line(line);
  EXPECT_EQ(r.custom_id, "ws");
  ASSERT_TRUE(r.result.message);
  const auto& c = r.result.message->content;
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(std::get<BetaTextBlock>(c[0]).text,
            "caf\xC3\xA9 \xF0\x9F\x98\x80 \"q\" \\ / \b\f\n\r\t");
  EXPECT_EQ(std::get<BetaToolUseBlock>(c[1]).input.str(),
            R"({"b":[1,{},[],-2.5e-3,true,false,null],"a":"x y"})");
  EXPECT_EQ(std::get<RawJson>(c[2]).str(), R"({"z":["keep  spaces"],"type":"mystery"})");
  EXPECT_EQ(r.result.message->usage.input_tokens, 42);
}

TEST(DecodeResultTest, EscapedKeysDuplicateKeysAndIntegers) {
  auto r = decode_result_line(
      R"({"custom_id":"first","custom_id":"second","result":{"\u0074ype":"canceled"}})");
  EXPECT_EQ(r.custom_id, "second");  // the last duplicate wins, as with nlohmann
  EXPECT_EQ(r.result.type, BetaMessageBatchResultType::canceled);

  auto with_tokens = [](const std::string& value) {
    return R"({"custom_id":"c","result":{"type":"succeeded","message":{"id":"m","model":"x","content":[],"usage":{"input_tokens":)" +
           value + R"(,"output_tokens":0}}}})";
  };
  EXPECT_EQ(
      decode_result_line(with_tokens("-9223372036854775808")).result.message->usage.input_tokens,
      std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(
      decode_result_line(with_tokens("9223372036854775807")).result.message->usage.input_tokens,
      std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(decode_result_line(with_tokens("-0")).result.message->usage.input_tokens, 0);
  expect_invalid(line_fn, with_tokens("9223372036854775808"),
                 "`result.message.usage.input_tokens` is out of range");
  expect_invalid(line_fn, with_tokens("99999999999999999999999"), "is out of range");
  expect_invalid(line_fn, with_tokens("1.0"), "is not an integer");
  expect_invalid(line_fn, with_tokens("1e2"), "is not an integer");
  for (const char* bad : {"01", "-", "1.", ".5", "+1", "1e", "0x10", "Infinity", "NaN", "1_000"}) {
    expect_invalid(line_fn, with_tokens(bad), "malformed JSON");
  }
}

TEST(DecodeResultTest, DeeplyNestedInputDoesNotOverflowTheStack) {
  const std::size_t depth = 100000;
  std::string input = std::string(depth, '[') + std::string(depth, ']');
  std::string line =
      R"({"custom_id":"deep","result":{"type":"succeeded","message":{"id":"m","model":"x","content":[{"type":"tool_use","id":"t","name":"n","input":)" +
      input + R"(}],"usage":{"input_tokens":1,"output_tokens":1}}}})";
  auto r = decode_result_line(line);
  EXPECT_EQ(std::get<BetaToolUseBlock>(r.result.message->content[0]).input.str(), input);
  // Unbalanced: an error, not a crash.
  std::string bad = line;
  bad.erase(bad.find("]]]"), 1);
  expect_invalid(line_fn, bad, "malformed JSON");
}

TEST(DecodeResultTest, SyntaxAgreesWithNlohmann) {
  // Random byte edits of valid lines: whatever the reader decodes, nlohmann accepts (and the
  // values agree); everything else is an AnthropicInvalidDataException.
  const std::string seeds[] = {
      kSucceeded,
      kErrored,
      R"({"custom_id":"u","result":{"type":"future","x":[1,-2.5e+7,"s\\\"\u00e9",{"k":null}],"y":{}}})",
      R"({"custom_id":"t","result":{"type":"succeeded","message":{"id":"m","model":"x","content":[{"type":"tool_use","id":"a","name":"b","input":{"q":[true,false,0.5]}},{"type":"srv","v":"\ud83d\ude00"}],"usage":{"input_tokens":1,"output_tokens":2}}}})",
  };
  const std::string alphabet =
      "{}[]\":,\\ntrufals0123456789-+.eE \t\r\n\x01\x7f\xC3\xA9\xFF\xED\xA0";
  std::mt19937 rng(1234);
  int decoded = 0, rejected = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string s = seeds[rng() % std::size(seeds)];
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      const std::size_t pos = rng() % (s.size() + 1);
      const char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0:
          if (pos < s.size()) s[pos] = c;
          break;
        case 1:
          s.insert(pos, 1, c);
          break;
        default:
          if (pos < s.size()) s.erase(pos, 1);
      }
    }
    const bool valid_json = json::accept(s);
    try {
      auto r = decode_result_line(s);
      ++decoded;
      EXPECT_TRUE(valid_json) << "decoded invalid JSON: " << s;
      if (valid_json) {
        auto j = json::parse(s);
        EXPECT_EQ(r.custom_id, j["custom_id"].get<std::string>()) << s;
        EXPECT_EQ(r.result.type.str(), j["result"]["type"].get<std::string>()) << s;
        if (r.result.raw) {
          EXPECT_EQ(json::parse(r.result.raw->str()), j["result"]) << s;
        }
      }
    } catch (const AnthropicInvalidDataException& e) {
      // Valid JSON is never called malformed.
      if (valid_json) {
        EXPECT_THAT(e.what(), testing::Not(HasSubstr("malformed"))) << s;
      }
      // Rejected. (A field of the wrong shape may be reported before a syntax error further on:
      // the reader does not look ahead.)
      ++rejected;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "unexpected exception " << e.what() << " for " << s;
    }
  }
  EXPECT_GT(decoded, 100);
  EXPECT_GT(rejected, 1000);
}

TEST(DecodeResultTest, ASpecialByteAtEveryOffsetOfAStringIsFound) {
  // The reader scans strings eight bytes at a time and jumps to the first byte that needs a look:
  // put each kind of such byte at every offset of strings of 0 to 24 bytes, and compare the
  // decoded custom_id with nlohmann's reading of the same line (or both reject it).
  const std::string specials[] = {
      "\\n",  "\\\"",         "\\u00e9", "\\ud83d\\ude00", "\xC3\xA9", "\xF0\x9F\x98\x80", "\x01",
      "\xFF", "\xED\xA0\x80", "\\x"};
  // Six are valid in a JSON string; a control byte, a byte no UTF-8 starts with, an encoded
  // surrogate and an unknown escape are not.
  int decoded = 0, rejected = 0;
  for (std::size_t length = 0; length <= 24; ++length) {
    for (std::size_t at = 0; at <= length; ++at) {
      for (const std::string& special : specials) {
        std::string id(length, 'a');
        id.insert(at, special);
        const std::string line = R"({"custom_id":")" + id + R"(","result":{"type":"canceled"}})";
        const bool valid = json::accept(line);
        try {
          const auto r = decode_result_line(line);
          ASSERT_TRUE(valid) << line;
          EXPECT_EQ(r.custom_id, json::parse(line)["custom_id"].get<std::string>()) << line;
          ++decoded;
        } catch (const AnthropicInvalidDataException&) {
          EXPECT_FALSE(valid) << line;
          ++rejected;
        }
      }
    }
  }
  EXPECT_EQ(decoded, 6 * 325);  // 325 (length, offset) pairs for each special
  EXPECT_EQ(rejected, 4 * 325);
}

}  // namespace
