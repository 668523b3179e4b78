#include "http/streamed_body.hpp"
#include "json/codecs.hpp"
#include "messages/http_batch_service.hpp"

#include <anthropic/beta/models/batch_params.hpp>
#include <anthropic/errors.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace {

using anthropic::AnthropicInvalidRequestException;
using anthropic::RawJson;
using anthropic::beta::BetaCacheControlEphemeral;
using anthropic::beta::BetaContentBlockParam;
using anthropic::beta::BetaImageBlockParam;
using anthropic::beta::BetaMessageParam;
using anthropic::beta::BetaMetadata;
using anthropic::beta::BetaRedactedThinkingBlockParam;
using anthropic::beta::BetaRequestDocumentBlock;
using anthropic::beta::BetaTextBlockParam;
using anthropic::beta::BetaThinkingBlockParam;
using anthropic::beta::BetaThinkingConfigAdaptive;
using anthropic::beta::BetaThinkingConfigDisabled;
using anthropic::beta::BetaThinkingConfigEnabled;
using anthropic::beta::BetaThinkingConfigParam;
using anthropic::beta::BetaTool;
using anthropic::beta::BetaToolChoice;
using anthropic::beta::BetaToolChoiceAny;
using anthropic::beta::BetaToolChoiceAuto;
using anthropic::beta::BetaToolChoiceNone;
using anthropic::beta::BetaToolChoiceTool;
using anthropic::beta::BetaToolResultBlockParam;
using BetaToolResultContentBlock = BetaToolResultBlockParam::ContentItem;
using anthropic::beta::BetaToolUseBlockParam;
using anthropic::beta::Role;
using anthropic::beta::messages::BetaMessageBatchCreateParams;
using Request = BetaMessageBatchCreateParams::Request;

Request simple(std::string custom_id, std::string text, std::string model = "claude-x",
               std::int64_t max_tokens = 1024) {
  Request r;
  r.custom_id = std::move(custom_id);
  r.params.model = std::move(model);
  r.params.max_tokens = max_tokens;
  r.params.messages.push_back(BetaMessageParam::user(std::move(text)));
  return r;
}

// The body as `create` sends it (the create-body builder over the request codec).
std::string body(const BetaMessageBatchCreateParams& p) {
  return anthropic::internal::build_create_body(p).str();
}

std::string request_json(const Request& r) {
  std::string out;
  anthropic::internal::json::write_create_request<anthropic::beta::messages::BetaFamily>(out, r);
  return out;
}

// The `params` object of a single request, as written.
std::string params_json(const Request& r) {
  std::string s = request_json(r);
  const std::string prefix = "{\"custom_id\":\"" + r.custom_id + "\",\"params\":";
  EXPECT_EQ(s.compare(0, prefix.size(), prefix), 0) << s;
  EXPECT_EQ(s.back(), '}');
  return s.substr(prefix.size(), s.size() - prefix.size() - 1);
}

bool parses(const std::string& text) {
  try {
    auto parsed = nlohmann::json::parse(text);
    return !parsed.is_discarded();
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

// Tool choices and thinking configs are unions of small structs (the wire shape): helpers.
BetaToolChoiceTool choose_tool(std::string name, std::optional<bool> disable_parallel = {}) {
  BetaToolChoiceTool c;
  c.name = std::move(name);
  c.disable_parallel_tool_use = disable_parallel;
  return c;
}

BetaThinkingConfigEnabled thinking_enabled(std::int64_t budget) {
  BetaThinkingConfigEnabled t;
  t.budget_tokens = budget;
  return t;
}

std::string json_string(std::string_view s) {
  std::string out;
  anthropic::internal::json::append_json_string(out, s);
  return out;
}

// ---------------------------------------------------------------------------------------------

TEST(EncodeTest, WireCaptureExampleByteForByte) {
  BetaMessageBatchCreateParams p;
  p.requests.push_back(simple("my-first-request", "Hello, world"));
  p.requests.push_back(simple("my-second-request", "Hi again, friend"));
  const std::string expected =
      R"({"requests":[{"custom_id":"my-first-request","params":{"model":"claude-x","max_tokens":1024,"messages":[{"role":"user","content":"Hello, world"}]}},{"custom_id":"my-second-request","params":{"model":"claude-x","max_tokens":1024,"messages":[{"role":"user","content":"Hi again, friend"}]}}]})";
  EXPECT_EQ(body(p), expected);
  EXPECT_EQ(body(p).size(), 289u);  // content-length in the capture
}

TEST(EncodeTest, SecondCaptureByteForByte) {
  BetaMessageBatchCreateParams p;
  p.requests.push_back(simple("a", "x", "claude-x", 16));
  p.betas = {"message-batches-2024-09-24"};  // a header: never in the body
  p.user_profile_id = "up_1";
  EXPECT_EQ(
      body(p),
      R"({"requests":[{"custom_id":"a","params":{"model":"claude-x","max_tokens":16,"messages":[{"role":"user","content":"x"}]}}]})");
}

TEST(EncodeTest, EmptyRequestListIsRefused) {
  EXPECT_THROW(body(BetaMessageBatchCreateParams{}), AnthropicInvalidRequestException);
}

TEST(EncodeTest, ReferenceExampleOne) {
  Request r = simple("ticket-0001", "My invoice shows the wrong VAT number.", "claude-sonnet-4-5");
  r.params.system = std::string("You are a concise support classifier.");
  r.params.metadata = BetaMetadata{"6f1c2b9e-hash"};
  r.params.stop_sequences = std::vector<std::string>{"###"};
  r.params.temperature = 0.2;
  EXPECT_EQ(
      params_json(r),
      R"({"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":"My invoice shows the wrong VAT number."}],"system":"You are a concise support classifier.","metadata":{"user_id":"6f1c2b9e-hash"},"stop_sequences":["###"],"temperature":0.2})");
}

TEST(EncodeTest, ReferenceExampleTwo) {
  Request r;
  r.custom_id = "ticket-0002";
  r.params.model = "claude-sonnet-4-5";
  r.params.max_tokens = 2048;
  BetaTextBlockParam sys{"Classify and extract fields.", BetaCacheControlEphemeral{"1h"}, {}};
  r.params.system = std::vector<BetaTextBlockParam>{sys};
  r.params.messages.push_back(BetaMessageParam::user(std::vector<BetaContentBlockParam>{
      BetaTextBlockParam{"Order 88123 arrived damaged.", {}, {}}}));
  BetaTool tool;
  tool.name = "record_ticket";
  tool.description = "Store the classified ticket.";
  tool.input_schema = BetaTool::InputSchema::from_raw(RawJson(R"({
      "type": "object",
      "properties": { "category": { "type": "string" }, "order_id": { "type": "string" } },
      "required": ["category"]
  })"));
  r.params.tools = std::vector<anthropic::beta::BetaToolUnion>{tool};
  r.params.tool_choice = choose_tool("record_ticket", true);
  r.params.thinking = BetaThinkingConfigDisabled{};
  EXPECT_EQ(
      params_json(r),
      R"({"model":"claude-sonnet-4-5","max_tokens":2048,"messages":[{"role":"user","content":[{"type":"text","text":"Order 88123 arrived damaged."}]}],"system":[{"type":"text","text":"Classify and extract fields.","cache_control":{"type":"ephemeral","ttl":"1h"}}],"tools":[{"name":"record_ticket","description":"Store the classified ticket.","input_schema":{"type":"object","properties":{"category":{"type":"string"},"order_id":{"type":"string"}},"required":["category"]}}],"tool_choice":{"type":"tool","name":"record_ticket","disable_parallel_tool_use":true},"thinking":{"type":"disabled"}})");
}

TEST(EncodeTest, SystemBlockWithoutTtl) {
  Request r = simple("a", "x");
  r.params.system =
      std::vector<BetaTextBlockParam>{BetaTextBlockParam{"one", BetaCacheControlEphemeral{}, {}},
                                      BetaTextBlockParam{"two", {}, {}}};
  EXPECT_THAT(
      params_json(r),
      testing::HasSubstr(
          R"("system":[{"type":"text","text":"one","cache_control":{"type":"ephemeral"}},{"type":"text","text":"two"}])"));
}

TEST(EncodeTest, EveryContentBlock) {
  Request r = simple("blocks", "first turn");
  BetaTextBlockParam text{"see", BetaCacheControlEphemeral{"5m"}, {}, {}};
  text.extra_fields = RawJson(R"({"citations":[{"type":"x"}]})");  // not a citation type we know
  BetaImageBlockParam img64 = BetaImageBlockParam::base64("image/png", "iVBORw0KGgo=");
  BetaImageBlockParam img_url = BetaImageBlockParam::url("https://example.com/a.png");
  img_url.cache_control = BetaCacheControlEphemeral{};
  BetaRequestDocumentBlock pdf = BetaRequestDocumentBlock::pdf_base64("JVBERi0=");
  pdf.title = "Invoice";
  pdf.context = "Q3";
  pdf.citations = anthropic::beta::BetaCitationsConfigParam{true, {}};
  pdf.cache_control = BetaCacheControlEphemeral{"1h"};
  BetaRequestDocumentBlock txt = BetaRequestDocumentBlock::plain_text("plain body");
  txt.citations = anthropic::beta::BetaCitationsConfigParam{false, {}};
  BetaRequestDocumentBlock doc_url = BetaRequestDocumentBlock::pdf_url("https://example.com/a.pdf");
  r.params.messages.push_back(BetaMessageParam::user(
      std::vector<BetaContentBlockParam>{text, img64, img_url, pdf, txt, doc_url}));

  BetaToolUseBlockParam use;
  use.id = "toolu_1";
  use.name = "lookup";
  use.input = RawJson(R"({"q": "x"})");
  BetaThinkingBlockParam think;
  think.signature = "sig==";
  think.thinking = "hmm";
  BetaRedactedThinkingBlockParam redacted;
  redacted.data = "opaque";
  r.params.messages.push_back(
      BetaMessageParam::assistant(std::vector<BetaContentBlockParam>{think, redacted, use}));

  BetaToolResultBlockParam res_text;
  res_text.tool_use_id = "toolu_1";
  res_text.content = std::string("42");
  BetaToolResultBlockParam res_blocks;
  res_blocks.tool_use_id = "toolu_2";
  res_blocks.content = std::vector<BetaToolResultContentBlock>{
      BetaTextBlockParam::of("r"), BetaImageBlockParam::url("https://e.com/i.gif"),
      BetaRequestDocumentBlock::plain_text("d"),
      RawJson(R"({"type":"search_result","source":"s","title":"t","content":[]})")};
  res_blocks.is_error = false;
  res_blocks.cache_control = BetaCacheControlEphemeral{};
  BetaToolResultBlockParam res_empty;
  res_empty.tool_use_id = "toolu_3";
  res_empty.is_error = true;
  RawJson unknown(R"({"type":"container_upload","file_id":"file_1"})");
  r.params.messages.push_back(BetaMessageParam::user(
      std::vector<BetaContentBlockParam>{res_text, res_blocks, res_empty, unknown}));

  const std::string expected =
      R"({"model":"claude-x","max_tokens":1024,"messages":[)"
      R"({"role":"user","content":"first turn"},)"
      R"({"role":"user","content":[)"
      R"({"type":"text","text":"see","cache_control":{"type":"ephemeral","ttl":"5m"},"citations":[{"type":"x"}]},)"
      R"({"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},)"
      R"({"type":"image","source":{"type":"url","url":"https://example.com/a.png"},"cache_control":{"type":"ephemeral"}},)"
      R"({"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0="},"title":"Invoice","context":"Q3","citations":{"enabled":true},"cache_control":{"type":"ephemeral","ttl":"1h"}},)"
      R"({"type":"document","source":{"type":"text","media_type":"text/plain","data":"plain body"},"citations":{"enabled":false}},)"
      R"({"type":"document","source":{"type":"url","url":"https://example.com/a.pdf"}}]},)"
      R"({"role":"assistant","content":[)"
      R"({"type":"thinking","thinking":"hmm","signature":"sig=="},)"
      R"({"type":"redacted_thinking","data":"opaque"},)"
      R"({"type":"tool_use","id":"toolu_1","name":"lookup","input":{"q":"x"}}]},)"
      R"({"role":"user","content":[)"
      R"({"type":"tool_result","tool_use_id":"toolu_1","content":"42"},)"
      R"({"type":"tool_result","tool_use_id":"toolu_2","content":[)"
      R"({"type":"text","text":"r"},)"
      R"({"type":"image","source":{"type":"url","url":"https://e.com/i.gif"}},)"
      R"({"type":"document","source":{"type":"text","media_type":"text/plain","data":"d"}},)"
      R"({"type":"search_result","source":"s","title":"t","content":[]}],)"
      R"("is_error":false,"cache_control":{"type":"ephemeral"}},)"
      R"({"type":"tool_result","tool_use_id":"toolu_3","is_error":true},)"
      R"({"type":"container_upload","file_id":"file_1"}]}]})";
  EXPECT_EQ(params_json(r), expected);
  EXPECT_TRUE(parses(request_json(r)));
}

TEST(EncodeTest, ToolUseCacheControlAndOtherRoles) {
  Request r;
  r.custom_id = "c";
  r.params.model = "m";
  r.params.max_tokens = 1;
  BetaToolUseBlockParam use;
  use.id = "t";
  use.name = "n";
  use.input = RawJson("{}");
  use.cache_control = BetaCacheControlEphemeral{};
  BetaMessageParam system_turn;
  system_turn.role = Role("system");
  system_turn.content = std::vector<BetaContentBlockParam>{use};
  r.params.messages.push_back(system_turn);
  EXPECT_EQ(
      params_json(r),
      R"({"model":"m","max_tokens":1,"messages":[{"role":"system","content":[{"type":"tool_use","id":"t","name":"n","input":{},"cache_control":{"type":"ephemeral"}}]}]})");
}

TEST(EncodeTest, ToolVariants) {
  Request r = simple("t", "x");
  BetaTool minimal;
  minimal.name = "min";
  BetaTool full;
  full.name = "full";
  full.description = "d";
  full.input_schema.properties = RawJson(R"({"z":{},"a":{}})");
  full.cache_control = BetaCacheControlEphemeral{"1h"};
  full.strict = true;
  anthropic::beta::BetaWebSearchTool20250305 server_tool;
  server_tool.max_uses = 5;
  r.params.tools = std::vector<anthropic::beta::BetaToolUnion>{minimal, full, server_tool};
  EXPECT_THAT(
      params_json(r),
      testing::HasSubstr(
          R"("tools":[{"name":"min","input_schema":{"type":"object"}},)"
          R"({"name":"full","description":"d","input_schema":{"type":"object","properties":{"z":{},"a":{}}},"cache_control":{"type":"ephemeral","ttl":"1h"},"strict":true},)"
          R"({"type":"web_search_20250305","name":"web_search","max_uses":5}])"));
  r.params.tools = std::vector<anthropic::beta::BetaToolUnion>{};
  EXPECT_THAT(params_json(r), testing::HasSubstr(R"("tools":[])"));
}

TEST(EncodeTest, ToolChoiceVariants) {
  auto choice = [](BetaToolChoice c) {
    Request r = simple("t", "x");
    r.params.tool_choice = std::move(c);
    std::string s = params_json(r);
    auto pos = s.find(R"("tool_choice":)");
    EXPECT_NE(pos, std::string::npos) << s;
    return s.substr(pos + 14, s.size() - pos - 15);
  };
  EXPECT_EQ(choice(BetaToolChoiceAuto{}), R"({"type":"auto"})");
  EXPECT_EQ(choice(BetaToolChoiceAuto{false, {}}),
            R"({"type":"auto","disable_parallel_tool_use":false})");
  EXPECT_EQ(choice(BetaToolChoiceAny{}), R"({"type":"any"})");
  EXPECT_EQ(choice(BetaToolChoiceAny{true, {}}),
            R"({"type":"any","disable_parallel_tool_use":true})");
  EXPECT_EQ(choice(choose_tool("get")), R"({"type":"tool","name":"get"})");
  EXPECT_EQ(choice(choose_tool("get", true)),
            R"({"type":"tool","name":"get","disable_parallel_tool_use":true})");
  EXPECT_EQ(choice(BetaToolChoiceNone{}), R"({"type":"none"})");
  EXPECT_EQ(choice(BetaToolChoice{}), R"({"type":"auto"})");  // the first member
}

TEST(EncodeTest, ThinkingVariants) {
  auto thinking = [](BetaThinkingConfigParam t) {
    Request r = simple("t", "x");
    r.params.thinking = std::move(t);
    std::string s = params_json(r);
    auto pos = s.find(R"("thinking":)");
    EXPECT_NE(pos, std::string::npos) << s;
    return s.substr(pos + 11, s.size() - pos - 12);
  };
  EXPECT_EQ(thinking(thinking_enabled(2048)), R"({"type":"enabled","budget_tokens":2048})");
  auto summarized = thinking_enabled(1024);
  summarized.display = "summarized";
  EXPECT_EQ(thinking(summarized),
            R"({"type":"enabled","budget_tokens":1024,"display":"summarized"})");
  EXPECT_EQ(thinking(BetaThinkingConfigDisabled{}), R"({"type":"disabled"})");
  EXPECT_EQ(thinking(BetaThinkingConfigAdaptive{}), R"({"type":"adaptive"})");
  BetaThinkingConfigAdaptive omitted;
  omitted.display = "omitted";
  EXPECT_EQ(thinking(omitted), R"({"type":"adaptive","display":"omitted"})");
}

TEST(EncodeTest, AllOptionalFieldsInHeaderOrder) {
  Request r = simple("all", "x");
  r.params.system = std::string("s");
  r.params.metadata = BetaMetadata{};
  r.params.stop_sequences = std::vector<std::string>{"a", "b"};
  r.params.temperature = 1.0;
  r.params.top_k = 40;
  r.params.top_p = 0.99;
  r.params.tools = std::vector<anthropic::beta::BetaToolUnion>{};
  r.params.tool_choice = BetaToolChoiceNone{};
  r.params.thinking = thinking_enabled(1024);
  r.params.cache_control = BetaCacheControlEphemeral{};
  r.params.service_tier = "standard_only";
  EXPECT_EQ(
      params_json(r),
      R"({"model":"claude-x","max_tokens":1024,"messages":[{"role":"user","content":"x"}],"system":"s","metadata":{},"stop_sequences":["a","b"],"temperature":1,"top_k":40,"top_p":0.99,"tools":[],"tool_choice":{"type":"none"},"thinking":{"type":"enabled","budget_tokens":1024},"cache_control":{"type":"ephemeral"},"service_tier":"standard_only"})");
}

TEST(EncodeTest, UnsetFieldsAreAbsentAndNeverNull) {
  Request r;  // everything default
  std::string s = request_json(r);
  EXPECT_EQ(s, R"({"custom_id":"","params":{"model":"","max_tokens":0,"messages":[]}})");
  EXPECT_EQ(s.find("null"), std::string::npos);

  r = simple("a", "x");
  r.params.messages.push_back(BetaMessageParam::user(std::vector<BetaContentBlockParam>{
      // (An image needs its media type: an empty one is refused, as the API refuses it.)
      BetaTextBlockParam{}, BetaImageBlockParam::base64("image/png", ""),
      BetaRequestDocumentBlock{}, BetaToolUseBlockParam{}, BetaToolResultBlockParam{}}));
  r.params.metadata = BetaMetadata{};
  r.params.tools = std::vector<anthropic::beta::BetaToolUnion>{BetaTool{}};
  r.params.tool_choice = BetaToolChoice{};
  r.params.thinking = BetaThinkingConfigParam{};
  std::get<BetaToolUseBlockParam>(
      std::get<std::vector<BetaContentBlockParam>>(r.params.messages.back().content)[3])
      .input = RawJson("{}");
  s = request_json(r);
  EXPECT_EQ(s.find("null"), std::string::npos) << s;
  for (const char* absent :
       {"cache_control", "citations", "title", "context", "is_error", "description", "strict",
        "user_id", "disable_parallel", "display", "temperature", "top_k", "top_p", "system",
        "stop_sequences", "service_tier", "\"content\":\"\""}) {
    EXPECT_EQ(s.find(absent), std::string::npos) << absent << " in " << s;
  }
  EXPECT_TRUE(parses(s));
}

TEST(EncodeTest, ExtraFieldsAreMergedAndOverride) {
  Request r = simple("x1", "hi");
  r.params.temperature = 0.5;
  r.params.extra_fields = RawJson(
      R"({"model":"override-model","speed":"fast","temperature":null,"container":{"id":null},"inference_geo":"us"})");
  EXPECT_EQ(
      params_json(r),
      // (`speed`, `container` and `inference_geo` are modelled now: each takes its field's place.)
      R"({"model":"override-model","max_tokens":1024,"messages":[{"role":"user","content":"hi"}],"temperature":null,"container":{"id":null},"inference_geo":"us","speed":"fast"})");

  // An extra member named like an unset modelled field goes to that field's place.
  Request r2 = simple("x2", "hi");
  r2.params.extra_fields = RawJson(R"({"zzz":1,"top_k":5,"messages":[]})");
  EXPECT_EQ(params_json(r2),
            R"({"model":"claude-x","max_tokens":1024,"messages":[],"top_k":5,"zzz":1})");

  // An empty object changes nothing.
  Request r3 = simple("x3", "hi");
  r3.params.extra_fields = RawJson("{}");
  EXPECT_EQ(request_json(r3), request_json(simple("x3", "hi")));

  // No key twice.
  auto parsed = nlohmann::json::parse(params_json(r));
  EXPECT_EQ(parsed["model"], "override-model");
  EXPECT_TRUE(parsed["temperature"].is_null());
  EXPECT_EQ(parsed.size(), 7u);
}

TEST(EncodeTest, ExtraFieldsMustBeAnObject) {
  for (const char* bad : {"[1]", "3", "\"s\"", "null", "true"}) {
    BetaMessageBatchCreateParams p;
    p.requests.push_back(simple("ok", "x"));
    p.requests.push_back(simple("bad", "x"));
    p.requests[1].params.extra_fields = RawJson(bad);
    try {
      body(p);
      FAIL() << "no exception for " << bad;
    } catch (const AnthropicInvalidRequestException& e) {
      ASSERT_TRUE(e.request_index().has_value()) << bad;
      EXPECT_EQ(*e.request_index(), 1u);
      EXPECT_THAT(e.what(), testing::HasSubstr("requests[1]"));
      EXPECT_THAT(e.what(), testing::HasSubstr("extra_fields"));
    }
  }
  // Unchecked text that is not JSON at all.
  BetaMessageBatchCreateParams p;
  p.requests.push_back(simple("bad", "x"));
  p.requests[0].params.extra_fields = RawJson::unchecked("{not json");
  try {
    body(p);
    FAIL() << "no exception";
  } catch (const AnthropicInvalidRequestException& e) {
    EXPECT_EQ(e.request_index(), std::optional<std::size_t>(0));
  }
  // write_create_request has no index to report.
  Request single = simple("s", "x");
  single.params.extra_fields = RawJson("[]");
  try {
    request_json(single);
    FAIL() << "no exception";
  } catch (const AnthropicInvalidRequestException& e) {
    EXPECT_FALSE(e.request_index().has_value());
  }
}

TEST(EncodeTest, RawJsonThatMustBeAnObjectIsChecked) {
  {
    Request r = simple("a", "x");
    BetaTool t;
    t.name = "t";
    t.input_schema.extra_fields = RawJson("[]");
    r.params.tools = std::vector<anthropic::beta::BetaToolUnion>{t};
    EXPECT_THROW(request_json(r), AnthropicInvalidRequestException);
  }
  {
    Request r = simple("a", "x");
    r.params.tools = std::vector<anthropic::beta::BetaToolUnion>{RawJson("\"web\"")};
    EXPECT_THROW(request_json(r), AnthropicInvalidRequestException);
  }
  // (A tool_use `input` is any JSON in the schema: written as given, no longer checked.)
  {
    BetaMessageBatchCreateParams p;
    for (int i = 0; i < 3; ++i) p.requests.push_back(simple("r" + std::to_string(i), "x"));
    p.requests[2].params.messages.push_back(
        BetaMessageParam::user(std::vector<BetaContentBlockParam>{RawJson("42")}));
    try {
      body(p);
      FAIL();
    } catch (const AnthropicInvalidRequestException& e) {
      EXPECT_EQ(e.request_index(), std::optional<std::size_t>(2));
    }
  }
}

TEST(EncodeTest, NonFiniteNumbersAreRejected) {
  for (double bad : {std::nan(""), std::numeric_limits<double>::infinity(),
                     -std::numeric_limits<double>::infinity()}) {
    Request r = simple("a", "x");
    r.params.temperature = bad;
    EXPECT_THROW(request_json(r), AnthropicInvalidRequestException);
    Request r2 = simple("a", "x");
    r2.params.top_p = bad;
    EXPECT_THROW(request_json(r2), AnthropicInvalidRequestException);
  }
}

TEST(EncodeTest, Integers) {
  Request r = simple("a", "x", "m", std::numeric_limits<std::int64_t>::max());
  r.params.top_k = std::numeric_limits<std::int64_t>::min();
  std::string s = params_json(r);
  EXPECT_THAT(s, testing::HasSubstr(R"("max_tokens":9223372036854775807)"));
  EXPECT_THAT(s, testing::HasSubstr(R"("top_k":-9223372036854775808)"));
  auto j = nlohmann::json::parse(s);
  EXPECT_EQ(j["max_tokens"].get<std::int64_t>(), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(j["top_k"].get<std::int64_t>(), std::numeric_limits<std::int64_t>::min());
}

TEST(EncodeTest, DoublesAreShortestAndRoundTrip) {
  auto temperature = [](double v) {
    Request r = simple("a", "x");
    r.params.temperature = v;
    std::string s = params_json(r);
    auto pos = s.find(R"("temperature":)");
    return s.substr(pos + 14, s.size() - pos - 15);
  };
  EXPECT_EQ(temperature(0.2), "0.2");
  EXPECT_EQ(temperature(0.7), "0.7");
  EXPECT_EQ(temperature(1.0), "1");
  EXPECT_EQ(temperature(0.0), "0");
  EXPECT_EQ(temperature(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(temperature(1e300), "1e+300");

  std::mt19937_64 rng(42);
  for (int i = 0; i < 2000; ++i) {
    std::uint64_t bits = rng();
    double v;
    std::memcpy(&v, &bits, sizeof v);
    if (!std::isfinite(v)) continue;
    std::string text = temperature(v);
    double back = nlohmann::json::parse(text).get<double>();
    EXPECT_EQ(back, v) << text;
  }
  for (double v : {5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -0.5, 123456.789}) {
    EXPECT_EQ(nlohmann::json::parse(temperature(v)).get<double>(), v);
  }
}

// ----- escaping

TEST(EncodeTest, EscapesQuotesBackslashAndControlCharacters) {
  EXPECT_EQ(json_string(""), "\"\"");
  EXPECT_EQ(json_string("plain text"), "\"plain text\"");
  EXPECT_EQ(json_string("say \"hi\""), R"("say \"hi\"")");
  EXPECT_EQ(json_string("C:\\dir\\"), R"("C:\\dir\\")");
  EXPECT_EQ(json_string("a\nb\rc\td\be\ff"), R"("a\nb\rc\td\be\ff")");
  EXPECT_EQ(json_string(std::string("\0\x01\x1f\x7f", 4)), "\"\\u0000\\u0001\\u001f\x7f\"");
  EXPECT_EQ(json_string("</script>/"), "\"</script>/\"");
  // Every control character, long enough to exercise the 8-byte fast path around it.
  for (int c = 0; c < 0x20; ++c) {
    std::string s = "abcdefghij" + std::string(1, static_cast<char>(c)) + "klmnopqrstuvwxyz";
    auto parsed = nlohmann::json::parse(json_string(s));
    EXPECT_EQ(parsed.get<std::string>(), s) << c;
  }
}

TEST(EncodeTest, ValidUtf8IsKeptVerbatim) {
  const std::string samples[] = {
      "caf\xC3\xA9",               // 2 bytes
      "\xE2\x82\xAC 100",          // 3 bytes
      "\xED\x9F\xBF",              // U+D7FF, the last before the surrogates
      "\xEE\x80\x80",              // U+E000
      "\xF0\x9F\x98\x80 smile",    // 4 bytes
      "\xF4\x8F\xBF\xBF",          // U+10FFFF
      "\xE2\x80\xA8\xE2\x80\xA9",  // U+2028/2029: valid in JSON
      "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE6\x96\x87\xE7\xAB\xA0",
  };
  for (const std::string& s : samples) {
    EXPECT_EQ(json_string(s), "\"" + s + "\"");
    EXPECT_EQ(nlohmann::json::parse(json_string(s)).get<std::string>(), s);
  }
}

TEST(EncodeTest, InvalidUtf8IsReplacedWithUfffd) {
  const std::string fffd = "\xEF\xBF\xBD";
  struct Case {
    std::string in;
    std::string out;
  };
  const Case cases[] = {
      {"a\xFF"
       "b",
       "a" + fffd + "b"},
      {"\x80", fffd},             // stray continuation
      {"\xC0\xAF", fffd + fffd},  // overlong (C0 never valid)
      {"\xC3", fffd},             // truncated at the end
      {"\xC3z", fffd + "z"},      // truncated before ASCII
      {"\xE2\x82", fffd},         // truncated 3-byte: one maximal subpart
      {"\xE2\x82z", fffd + "z"},
      {"\xED\xA0\x80", fffd + fffd + fffd},             // UTF-16 surrogate
      {"\xE0\x80\x80", fffd + fffd + fffd},             // overlong 3-byte
      {"\xF0\x9F\x98", fffd},                           // truncated 4-byte
      {"\xF4\x90\x80\x80", fffd + fffd + fffd + fffd},  // above U+10FFFF
      {"\xF5\x80", fffd + fffd},
      {"ok\xC3\xA9\xFFok", "ok\xC3\xA9" + fffd + "ok"},
  };
  for (const Case& c : cases) {
    std::string q = json_string(c.in);
    EXPECT_EQ(q, "\"" + c.out + "\"");
    EXPECT_TRUE(parses(q));
  }
}

TEST(EncodeTest, RandomBytesAlwaysGiveValidJson) {
  std::mt19937 rng(7);
  for (int i = 0; i < 3000; ++i) {
    std::string s(rng() % 40, '\0');
    for (char& c : s) {
      // Bias towards interesting bytes.
      switch (rng() % 4) {
        case 0:
          c = static_cast<char>(rng() % 0x20);
          break;
        case 1:
          c = static_cast<char>(0x80 + rng() % 0x80);
          break;
        case 2:
          c = "\"\\ax"[rng() % 4];
          break;
        default:
          c = static_cast<char>(rng() % 256);
      }
    }
    std::string q = json_string(s);
    nlohmann::json parsed;
    ASSERT_NO_THROW(parsed = nlohmann::json::parse(q)) << q;
    // Valid input is preserved exactly; nlohmann's parser rejects invalid UTF-8, so
    // "parses and equals" means it was valid.
    bool valid = true;
    try {
      (void)nlohmann::json(s).dump();
    } catch (const nlohmann::json::exception&) {
      valid = false;
    }
    if (valid) {
      EXPECT_EQ(parsed.get<std::string>(), s);
    }
  }
}

TEST(EncodeTest, EscapingInsideARequest) {
  Request r = simple("esc", "line1\nline2 \"quoted\" \\ \xFF end");
  r.params.model = "m\t";
  std::string s = request_json(r);
  auto j = nlohmann::json::parse(s);
  EXPECT_EQ(j["params"]["messages"][0]["content"], "line1\nline2 \"quoted\" \\ \xEF\xBF\xBD end");
  EXPECT_EQ(j["params"]["model"], "m\t");
}

TEST(EncodeTest, OutputParsesAndMatchesFieldValues) {
  BetaMessageBatchCreateParams p;
  for (int i = 0; i < 50; ++i) {
    Request r = simple("req-" + std::to_string(i), "text #" + std::to_string(i) + " \xC3\xA9\n",
                       "claude-sonnet-4-5", 100 + i);
    if (i % 2) r.params.temperature = i / 100.0;
    if (i % 3) r.params.stop_sequences = std::vector<std::string>{"\"", std::to_string(i)};
    if (i % 5 == 0) r.params.metadata = BetaMetadata{"u" + std::to_string(i)};
    p.requests.push_back(std::move(r));
  }
  auto j = nlohmann::json::parse(body(p));
  ASSERT_EQ(j.size(), 1u);
  ASSERT_EQ(j["requests"].size(), 50u);
  for (int i = 0; i < 50; ++i) {
    const auto& e = j["requests"][static_cast<std::size_t>(i)];
    const auto& src = p.requests[static_cast<std::size_t>(i)].params;
    EXPECT_EQ(e["custom_id"], "req-" + std::to_string(i));
    EXPECT_EQ(e["params"]["model"], src.model.str());
    EXPECT_EQ(e["params"]["max_tokens"], src.max_tokens);
    EXPECT_EQ(e["params"]["messages"][0]["role"], "user");
    EXPECT_EQ(e["params"]["messages"][0]["content"],
              std::get<std::string>(src.messages[0].content));
    EXPECT_EQ(e["params"].contains("temperature"), src.temperature.has_value());
    if (src.temperature) {
      EXPECT_EQ(e["params"]["temperature"].get<double>(), *src.temperature);
    }
    EXPECT_EQ(e["params"].contains("stop_sequences"), src.stop_sequences.has_value());
    if (src.stop_sequences) {
      EXPECT_EQ(e["params"]["stop_sequences"], *src.stop_sequences);
    }
    EXPECT_EQ(e["params"].contains("metadata"), src.metadata.has_value());
  }
}

TEST(EncodeTest, LargeBodyIsReservedOnce) {
  BetaMessageBatchCreateParams p;
  for (int i = 0; i < 5000; ++i) {
    p.requests.push_back(simple("id-" + std::to_string(i), std::string(200, 'a' + i % 26)));
  }
  const anthropic::http::RequestBody b = anthropic::internal::build_create_body(p);
  const std::string& out = b.str();
  // No growth by doubling: capacity stays close to the size.
  EXPECT_LE(out.capacity(), out.size() + out.size() / 8 + 8192);
  EXPECT_EQ(nlohmann::json::parse(out)["requests"].size(), 5000u);
}

// --- the streamed create body (create(params) encodes it while sending) ---

// Every byte of a streamed body, read through a fresh source in pieces of `piece` bytes.
std::string read_streamed(const anthropic::http::RequestBody& b, std::size_t piece) {
  auto source = anthropic::internal::RequestBodyAccess::streamed(b)->open();
  std::string out;
  std::vector<char> buf(piece);
  for (std::size_t n; (n = source->read(buf.data(), buf.size())) != 0;) out.append(buf.data(), n);
  return out;
}

BetaMessageBatchCreateParams varied_params(int count) {
  BetaMessageBatchCreateParams p;
  std::mt19937 rng(7);
  for (int i = 0; i < count; ++i) {
    // Escapes, multi-byte UTF-8 and lengths around the 64 KiB refill size.
    std::string text = "line " + std::to_string(i) + " \"q\" \\ \n \t \xC3\xA9 \xF0\x9F\x98\x80 ";
    text.append(rng() % 3 == 0 ? 70000 : rng() % 300, static_cast<char>('a' + i % 26));
    Request r = simple("id-" + std::to_string(i), std::move(text));
    if (i % 4 == 1) r.params.temperature = 0.25;
    if (i % 5 == 2) r.params.stop_sequences = std::vector<std::string>{"END", "\u2028"};
    if (i % 7 == 3) r.params.system = std::string("be brief");
    p.requests.push_back(std::move(r));
  }
  return p;
}

TEST(StreamedCreateBody, HasTheBytesOfTheBuiltBodyWhateverThePieces) {
  for (int count : {1, 3, 250}) {
    const BetaMessageBatchCreateParams p = varied_params(count);
    const std::string built = body(p);
    const anthropic::http::RequestBody streamed = anthropic::internal::streamed_create_body(p);
    ASSERT_TRUE(streamed.streamed());
    EXPECT_EQ(streamed.size(), built.size()) << count;  // announced before any byte is encoded
    for (std::size_t piece :
         {std::size_t{1}, std::size_t{7}, std::size_t{65536}, std::size_t{1} << 20}) {
      if (piece == 1 && built.size() > 200000) continue;  // slow and no more telling
      EXPECT_TRUE(read_streamed(streamed, piece) == built) << count << " requests, piece " << piece;
    }
    EXPECT_TRUE(streamed.str() == built) << count;  // encoded whole on demand
  }
}

TEST(StreamedCreateBody, RefusesWhatTheBuiltBodyRefusesWithTheSameMessage) {
  auto message = [](auto make) -> std::string {
    try {
      make();
    } catch (const AnthropicInvalidRequestException& e) {
      return e.what();
    }
    return "(no exception)";
  };
  BetaMessageBatchCreateParams duplicate = varied_params(5);
  duplicate.requests[3].custom_id = duplicate.requests[1].custom_id;
  BetaMessageBatchCreateParams empty;
  BetaMessageBatchCreateParams bad_role = varied_params(3);
  bad_role.requests[2].params.messages[0].role = Role();
  const BetaMessageBatchCreateParams big = varied_params(40);
  const std::vector<const BetaMessageBatchCreateParams*> all = {&duplicate, &empty, &bad_role,
                                                                &big};
  for (const BetaMessageBatchCreateParams* p : all) {
    const std::size_t max = p == &big ? 100000 : std::size_t{256} << 20;
    const std::string built = message([&] { anthropic::internal::build_create_body(*p, max); });
    EXPECT_NE(built, "(no exception)");
    EXPECT_EQ(message([&] { anthropic::internal::streamed_create_body(*p, max); }), built);
  }
  EXPECT_THAT(message([&] { anthropic::internal::streamed_create_body(duplicate); }),
              ::testing::HasSubstr("requests[3].custom_id"));
}

TEST(StreamedCreateBody, ParamsChangedAfterTheCheckFailTheBodyInsteadOfSendingOtherBytes) {
  BetaMessageBatchCreateParams p = varied_params(3);
  const anthropic::http::RequestBody streamed = anthropic::internal::streamed_create_body(p);
  p.requests[1].params.messages[0] = BetaMessageParam::user("a different text, longer than before");
  try {
    (void)read_streamed(streamed, 4096);
    ADD_FAILURE() << "a changed body was produced";
  } catch (const AnthropicInvalidRequestException& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("no longer matches the one checked"));
  }
  p.requests.pop_back();  // shorter: the end comes early
  EXPECT_THROW((void)read_streamed(streamed, 4096), AnthropicInvalidRequestException);
}

TEST(StreamedCreateBody, AChangeOfTheSameLengthIsCaughtBeforeTheBodyIsComplete) {
  BetaMessageBatchCreateParams p = varied_params(60);
  const std::string built = body(p);
  const anthropic::http::RequestBody streamed = anthropic::internal::streamed_create_body(p);
  // The last request's custom_id ("id-59") becomes another id of the same length, then the
  // duplicate of an earlier one (which the checks would have refused): neither changes a size.
  for (const std::string& id : {std::string("id-9x"), p.requests[10].custom_id}) {
    const std::size_t before = request_json(p.requests[59]).size();
    p.requests[59].custom_id = id;
    ASSERT_EQ(request_json(p.requests[59]).size(), before);  // the same length
    auto source = anthropic::internal::RequestBodyAccess::streamed(streamed)->open();
    std::string got;
    char buf[4096];
    try {
      for (std::size_t n; (n = source->read(buf, sizeof buf)) != 0;) got.append(buf, n);
      ADD_FAILURE() << "a changed body was produced whole";
    } catch (const AnthropicInvalidRequestException& e) {
      EXPECT_THAT(e.what(), ::testing::HasSubstr("no longer matches the one checked"));
    }
    EXPECT_GT(got.size(), std::size_t{0});  // earlier pieces did go out
    EXPECT_LT(got.size(), built.size());    // the piece that closes the JSON never did
  }
}

TEST(StreamedCreateBody, APieceReachingTheAnnouncedSizeBeforeTheEndIsRefused) {
  // libcurl stops reading at the announced length: a changed first piece that fills it exactly
  // would make a body of the right size without its end.
  BetaMessageBatchCreateParams p;
  p.requests.push_back(simple("big", std::string(70000, 'x')));  // a piece of its own
  p.requests.push_back(simple("small", "hi"));
  const std::size_t size = body(p).size();
  const anthropic::http::RequestBody streamed = anthropic::internal::streamed_create_body(p);
  const std::size_t grow = 1 + request_json(p.requests[1]).size() + 2;  // "," small "]}"
  p.requests[0].params.messages[0] = BetaMessageParam::user(std::string(70000 + grow, 'x'));
  auto source = anthropic::internal::RequestBodyAccess::streamed(streamed)->open();
  std::vector<char> buf(size);
  EXPECT_THROW((void)source->read(buf.data(), buf.size()), AnthropicInvalidRequestException);
}

TEST(StreamedCreateBody, RequestsRemovedWhileSendingEndTheBodyInsteadOfHanging) {
  BetaMessageBatchCreateParams p = varied_params(250);
  const anthropic::http::RequestBody streamed = anthropic::internal::streamed_create_body(p);
  auto source = anthropic::internal::RequestBodyAccess::streamed(streamed)->open();
  std::vector<char> buf(100000);
  ASSERT_GT(source->read(buf.data(), buf.size()), std::size_t{0});  // some requests went out
  p.requests.resize(1);
  EXPECT_THROW(
      {
        while (source->read(buf.data(), buf.size()) != 0) {
        }
      },
      AnthropicInvalidRequestException);
}

TEST(StreamedCreateBody, ASourceStillOpenWhenTheBodyIsReleasedStopsReading) {
  auto p = std::make_unique<BetaMessageBatchCreateParams>(varied_params(30));
  std::shared_ptr<anthropic::internal::StreamedBody> held =
      anthropic::internal::RequestBodyAccess::streamed(
          anthropic::internal::streamed_create_body(*p));
  auto source = held->open();  // a transfer that outlives its call
  char buf[100];
  ASSERT_EQ(source->read(buf, sizeof buf), sizeof buf);
  anthropic::internal::StreamedBody::release(held);
  EXPECT_FALSE(held->encoded());  // nobody else held it: not encoded
  p.reset();                      // the params are gone
  try {
    (void)source->read(buf, sizeof buf);
    ADD_FAILURE() << "read after release";
  } catch (const AnthropicInvalidRequestException& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("no longer available"));
  }
}

TEST(StreamedCreateBody, ACopyKeptPastTheCallHoldsTheBytes) {
  std::optional<anthropic::http::RequestBody> kept;
  std::string expected;
  {
    auto p = std::make_unique<BetaMessageBatchCreateParams>(varied_params(20));
    expected = body(*p);
    const anthropic::http::RequestBody sent = anthropic::internal::streamed_create_body(*p);
    anthropic::internal::StreamedBodyRelease release(sent);
    kept = sent;  // as a custom HttpClient recording its requests
    // `release` runs, then `p` is destroyed: the kept copy must not read it.
  }
  ASSERT_TRUE(kept.has_value());
  EXPECT_TRUE(kept->str() == expected);
  EXPECT_TRUE(read_streamed(*kept, 999) == expected);
}

TEST(StreamedCreateBody, ABodyReleasedUnreadIsNotEncodedAndThenRefusesToBeRead) {
  auto p = std::make_unique<BetaMessageBatchCreateParams>(varied_params(2));
  anthropic::http::RequestBody only = anthropic::internal::streamed_create_body(*p);
  std::weak_ptr<anthropic::internal::StreamedBody> shared =
      anthropic::internal::RequestBodyAccess::streamed(only);
  auto held = shared.lock();
  only = anthropic::http::RequestBody();  // the call's own copy gone; `held` is the release's
  anthropic::internal::StreamedBody::release(held);
  p.reset();
  try {
    (void)held->bytes();
    ADD_FAILURE() << "read after release";
  } catch (const AnthropicInvalidRequestException& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("no longer available"));
  }
}

}  // namespace
