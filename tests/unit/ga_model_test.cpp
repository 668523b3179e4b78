// The generated GA Messages model (namespace `anthropic`, <anthropic/message.hpp>) against
// realistic JSON: `to_json(from_json<T>(s))` equals `s` as JSON (unknown members at any depth
// included), the hand-written factories, the request side written in the same member order as
// the beta family, and what differs between the families (a beta-only block is RawJson in GA).

#include <anthropic/anthropic.hpp>
#include <anthropic/beta/beta_message_param.hpp>
#include <anthropic/errors.hpp>
#include <anthropic/json.hpp>
#include <anthropic/message.hpp>
#include <anthropic/message_param.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace {

namespace a = anthropic;
namespace ab = anthropic::beta;
using anthropic::from_json;
using anthropic::RawJson;
using anthropic::to_json;
using nlohmann::json;

// `usage` as the GA API sends it: every required-nullable member present.
std::string usage(const std::string& overrides = "") {
  json u = json::parse(R"({"input_tokens":2095,"output_tokens":503,
    "cache_creation_input_tokens":2051,"cache_read_input_tokens":0,
    "cache_creation":{"ephemeral_5m_input_tokens":2051,"ephemeral_1h_input_tokens":0},
    "server_tool_use":null,"service_tier":"standard","inference_geo":null,
    "output_tokens_details":null,"speed":null})");
  if (!overrides.empty()) u.merge_patch(json::parse(overrides));
  return u.dump();
}

// A GA message with the given content, extra message members and usage overrides.
std::string message(const std::string& content, const std::string& extra_members = "",
                    const std::string& usage_overrides = "") {
  return R"({"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":)" +
         content +
         R"(,"stop_reason":"end_turn","stop_sequence":null,"container":null,"diagnostics":null,"stop_details":null)" +
         extra_members + R"(,"usage":)" + usage(usage_overrides) + "}";
}

const std::string kWebSearch =
    message(R"([
  {"type":"server_tool_use","id":"srvtoolu_01WYG3ziw53XMcoyKL4XcZmE","name":"web_search","input":{"query":"claude shannon birth date"},"caller":{"type":"direct"}},
  {"type":"web_search_tool_result","tool_use_id":"srvtoolu_01WYG3ziw53XMcoyKL4XcZmE","caller":{"type":"direct"},"content":[
    {"type":"web_search_result","url":"https://en.wikipedia.org/wiki/Claude_Shannon","title":"Claude Shannon - Wikipedia","encrypted_content":"EqgfCioIARgBIiQ3YTAwMjY1Mi1mZjM5LTQ1NGUtODgxNC1kNjNjNTk1ZWI3Y2MSDPLGkHd","page_age":"April 30, 2025"},
    {"type":"web_search_result","url":"https://www.britannica.com/biography/Claude-Shannon","title":"Claude Shannon | Britannica","encrypted_content":"Eq8CCioIARgB","page_age":null}]},
  {"type":"text","text":"Claude Shannon was born on April 30, 1916, in Petoskey, Michigan","citations":[
    {"type":"web_search_result_location","url":"https://en.wikipedia.org/wiki/Claude_Shannon","title":"Claude Shannon - Wikipedia","encrypted_index":"Eo8BCioIAhgBIiQyYjQ0OWJmZi1lNm","cited_text":"Claude Elwood Shannon (April 30, 1916 - February 24, 2001) was an American mathematician"}]}
])",
            "", R"({"server_tool_use":{"web_search_requests":1,"web_fetch_requests":0}})");

const std::string kCodeExecution = message(
    R"([
  {"type":"text","text":"I'll compute the mean.","citations":null},
  {"type":"code_execution_tool_result","tool_use_id":"srvtoolu_01B","content":{"type":"code_execution_result","stdout":"","stderr":"Traceback","return_code":1,"content":[]}},
  {"type":"container_upload","file_id":"file_011CNha8iCJcU1wXNR6q4V8w"}
])",
    R"(,"container":{"id":"container_011CZx","expires_at":"2026-12-02T06:00:00Z","skills":null})");

const std::string kThinking = message(R"([
  {"type":"thinking","thinking":"The user asks for 27 * 453. 27 * 453 = 12231.","signature":"EuYBCkQYAiJAgCs1le6/Pol5Z4/JMomVOouGrWdhYNsH3ukzUECbB6iWrSQtsQuRHJID6lWV"},
  {"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP"},
  {"type":"text","text":"27 × 453 = 12,231","citations":null}
])",
                                      "", R"({"output_tokens_details":{"thinking_tokens":380}})");

const std::string kToolUse = message(R"([
  {"type":"text","text":"Let me look that up.","citations":null},
  {"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"get_weather","input":{"location":"San Francisco, CA","unit":"celsius"},"caller":{"type":"direct"}}
])");

const std::string kRefusal =
    message(R"([{"type":"text","text":"I can't help with that.","citations":null}])",
            R"(,"stop_details":{"type":"refusal","category":"cyber","explanation":null})");

// Unknown members at depth 1 to 5: on the message, usage, a nested usage object, a content
// block, a citation inside it, and a whole unknown block type.
const std::string kUnknownAtDepth =
    R"({"id":"msg_2","type":"message","role":"assistant","model":"claude-opus-5-5","content":[)"
    R"({"type":"text","text":"hi","citations":[{"type":"char_location","cited_text":"h","document_index":0,"document_title":null,"start_char_index":0,"end_char_index":1,"file_id":null,"confidence":0.93,"span":{"unit":"char","exact":true}}],"lang":"en"},)"
    R"({"type":"hologram","frames":[{"t":0,"z":[1,2,{"deep":true}]}]})"
    R"(],"stop_reason":"end_turn","stop_sequence":null,"container":null,"diagnostics":null,"stop_details":null,"carbon_grams":0.4,"usage":)" +
    usage(
        R"({"cache_creation":{"ephemeral_5m_input_tokens":1,"ephemeral_1h_input_tokens":2,"ephemeral_24h_input_tokens":3},"gpu_seconds":1.5})") +
    "}";

template <class T>
void expect_round_trip(const std::string& text) {
  const auto decoded = from_json<T>(text);
  const std::string again = to_json(decoded);
  EXPECT_EQ(json::parse(again), json::parse(text)) << again;
  // And a second pass is a fixed point, byte for byte.
  EXPECT_EQ(to_json(from_json<T>(again)), again);
}

TEST(GaModelTest, RealisticMessagesRoundTrip) {
  for (const std::string* m :
       {&kWebSearch, &kCodeExecution, &kThinking, &kToolUse, &kRefusal, &kUnknownAtDepth}) {
    SCOPED_TRACE(*m);
    expect_round_trip<a::Message>(*m);
  }
}

TEST(GaModelTest, WebSearchTypedAccess) {
  const auto m = from_json<a::Message>(kWebSearch);
  EXPECT_EQ(m.model, "claude-sonnet-4-5");
  EXPECT_EQ(m.stop_reason, std::optional<a::StopReason>(a::StopReason::end_turn));
  ASSERT_EQ(m.content.size(), 3u);
  const auto& call = std::get<a::ServerToolUseBlock>(m.content[0]);
  EXPECT_EQ(call.name, "web_search");
  EXPECT_EQ(call.input.str(), R"({"query":"claude shannon birth date"})");
  ASSERT_TRUE(call.caller.has_value());
  EXPECT_TRUE(std::holds_alternative<a::DirectCaller>(*call.caller));
  const auto& result = std::get<a::WebSearchToolResultBlock>(m.content[1]);
  const auto& hits = std::get<std::vector<a::WebSearchResultBlock>>(result.content);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].url, "https://en.wikipedia.org/wiki/Claude_Shannon");
  EXPECT_EQ(hits[0].page_age, std::optional<std::string>("April 30, 2025"));
  EXPECT_FALSE(hits[1].page_age);
  const auto& text = std::get<a::TextBlock>(m.content[2]);
  ASSERT_TRUE(text.citations);
  const auto& cite = std::get<a::CitationsWebSearchResultLocation>((*text.citations)[0]);
  EXPECT_EQ(cite.encrypted_index, "Eo8BCioIAhgBIiQyYjQ0OWJmZi1lNm");
  ASSERT_TRUE(m.usage.server_tool_use);
  EXPECT_EQ(m.usage.server_tool_use->web_search_requests, 1);
  ASSERT_TRUE(m.usage.cache_creation);
  EXPECT_EQ(m.usage.cache_creation->ephemeral_5m_input_tokens, 2051);
  EXPECT_EQ(m.usage.service_tier, "standard");
}

TEST(GaModelTest, ToolUseThinkingAndCodeExecutionTypedAccess) {
  const auto tool = from_json<a::Message>(kToolUse);
  const auto& use = std::get<a::ToolUseBlock>(tool.content[1]);
  EXPECT_EQ(use.name, "get_weather");
  EXPECT_EQ(json::parse(use.input.str())["unit"], "celsius");

  const auto t = from_json<a::Message>(kThinking);
  EXPECT_EQ(std::get<a::ThinkingBlock>(t.content[0]).signature.substr(0, 6), "EuYBCk");
  EXPECT_EQ(std::get<a::RedactedThinkingBlock>(t.content[1]).data.substr(0, 6), "EmwKAh");
  ASSERT_TRUE(t.usage.output_tokens_details);
  EXPECT_EQ(t.usage.output_tokens_details->thinking_tokens, 380);

  const auto c = from_json<a::Message>(kCodeExecution);
  ASSERT_TRUE(c.container);
  EXPECT_EQ(c.container->id, "container_011CZx");
  const auto& code = std::get<a::CodeExecutionToolResultBlock>(c.content[1]);
  EXPECT_EQ(std::get<a::CodeExecutionResultBlock>(code.content).return_code, 1);
  EXPECT_EQ(std::get<a::ContainerUploadBlock>(c.content[2]).file_id,
            "file_011CNha8iCJcU1wXNR6q4V8w");

  const auto r = from_json<a::Message>(kRefusal);
  ASSERT_TRUE(r.stop_details);
  EXPECT_EQ(r.stop_details->category, "cyber");
  EXPECT_FALSE(r.stop_details->explanation);
}

TEST(GaModelTest, UnknownMembersAtSeveralDepthsAreNeverDropped) {
  const auto m = from_json<a::Message>(kUnknownAtDepth);
  ASSERT_TRUE(m.extra_fields);
  EXPECT_EQ(m.extra_fields->str(), R"({"carbon_grams":0.4})");
  EXPECT_EQ(m.usage.extra_fields->str(), R"({"gpu_seconds":1.5})");
  ASSERT_TRUE(m.usage.cache_creation);
  EXPECT_EQ(m.usage.cache_creation->ephemeral_1h_input_tokens, 2);
  EXPECT_EQ(m.usage.cache_creation->extra_fields->str(), R"({"ephemeral_24h_input_tokens":3})");
  const auto& text = std::get<a::TextBlock>(m.content[0]);
  EXPECT_EQ(text.extra_fields->str(), R"({"lang":"en"})");
  const auto& cite = std::get<a::CitationCharLocation>((*text.citations)[0]);
  EXPECT_EQ(cite.extra_fields->str(), R"({"confidence":0.93,"span":{"unit":"char","exact":true}})");
  EXPECT_EQ(std::get<RawJson>(m.content[1]).str(),
            R"({"type":"hologram","frames":[{"t":0,"z":[1,2,{"deep":true}]}]})");
}

// A beta-only block type and message member: modelled in beta, kept whole (RawJson and
// extra_fields) in GA, and written back unchanged by both.
TEST(GaModelTest, BetaOnlyBlockIsRawJsonInGaAndRoundTrips) {
  const std::string mcp_block =
      R"({"type":"mcp_tool_use","id":"mcptoolu_01","name":"search","server_name":"kb","input":{"q":"refunds"}})";
  // Beta's usage has two more required-nullable members, GA keeps them in extra_fields.
  json line = json::parse(
      message("[" + mcp_block + R"(,{"type":"text","text":"Found it.","citations":null}])",
              R"(,"context_management":{"applied_edits":[]})"));
  line["usage"]["iterations"] = nullptr;
  line["usage"]["fallback_credit"] = nullptr;
  const std::string text = line.dump();

  const auto ga = from_json<a::Message>(text);
  ASSERT_EQ(ga.content.size(), 2u);
  EXPECT_EQ(json::parse(std::get<RawJson>(ga.content[0]).str()), json::parse(mcp_block));
  EXPECT_TRUE(std::holds_alternative<a::TextBlock>(ga.content[1]));
  ASSERT_TRUE(ga.extra_fields);
  EXPECT_EQ(ga.extra_fields->str(), R"({"context_management":{"applied_edits":[]}})");
  EXPECT_EQ(json::parse(ga.usage.extra_fields->str()),
            json::parse(R"({"iterations":null,"fallback_credit":null})"));
  expect_round_trip<a::Message>(text);

  const auto beta = from_json<ab::BetaMessage>(text);
  const auto& use = std::get<ab::BetaMCPToolUseBlock>(beta.content[0]);
  EXPECT_EQ(use.server_name, "kb");
  EXPECT_TRUE(beta.context_management);
  expect_round_trip<ab::BetaMessage>(text);

  // The request side: a beta-only tool and parameter.
  const std::string params =
      R"({"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"hi"}],)"
      R"("tools":[{"type":"mcp_toolset","mcp_server_name":"kb"}],)"
      R"("mcp_servers":[{"type":"url","name":"kb","url":"https://mcp.example.com/sse"}]})";
  const auto p = from_json<a::MessageCreateParams>(params);
  ASSERT_TRUE(p.tools);
  EXPECT_EQ(std::get<RawJson>((*p.tools)[0]).str(),
            R"({"type":"mcp_toolset","mcp_server_name":"kb"})");
  EXPECT_EQ(p.extra_fields->str(),
            R"({"mcp_servers":[{"type":"url","name":"kb","url":"https://mcp.example.com/sse"}]})");
  EXPECT_EQ(to_json(p), params);
  const auto bp = from_json<ab::BetaMessageCreateParams>(params);
  EXPECT_TRUE(std::holds_alternative<ab::BetaMCPToolset>((*bp.tools)[0]));
  EXPECT_EQ(to_json(bp), params);
}

TEST(GaModelTest, FactoriesEncode) {
  EXPECT_EQ(
      to_json(a::ImageBlockParam::base64("image/png", "iVBORw0KGgo=")),
      R"({"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}})");
  EXPECT_EQ(to_json(a::ImageBlockParam::url("https://example.com/cat.png")),
            R"({"type":"image","source":{"type":"url","url":"https://example.com/cat.png"}})");
  EXPECT_EQ(to_json(a::ImageBlockParam::file("file_1")),
            R"({"type":"image","source":{"type":"file","file_id":"file_1"}})");
  EXPECT_EQ(
      to_json(a::DocumentBlockParam::pdf_base64("JVBERi0x")),
      R"({"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0x"}})");
  EXPECT_EQ(
      to_json(a::DocumentBlockParam::plain_text("notes")),
      R"({"type":"document","source":{"type":"text","media_type":"text/plain","data":"notes"}})");
  EXPECT_EQ(to_json(a::DocumentBlockParam::pdf_url("https://example.com/a.pdf")),
            R"({"type":"document","source":{"type":"url","url":"https://example.com/a.pdf"}})");
  EXPECT_EQ(to_json(a::DocumentBlockParam::file("file_9")),
            R"({"type":"document","source":{"type":"file","file_id":"file_9"}})");
  EXPECT_EQ(to_json(a::TextBlockParam::of("hi")), R"({"type":"text","text":"hi"})");
  EXPECT_EQ(to_json(a::MessageParam::user("Hello")), R"({"role":"user","content":"Hello"})");
  EXPECT_EQ(to_json(a::MessageParam::assistant("Hi!")), R"({"role":"assistant","content":"Hi!"})");
  EXPECT_EQ(to_json(a::MessageParam::assistant(
                std::vector<a::ContentBlockParam>{a::TextBlockParam::of("Hi!")})),
            R"({"role":"assistant","content":[{"type":"text","text":"Hi!"}]})");
  const auto schema = a::Tool::InputSchema::from_raw(RawJson(
      R"({"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false})"));
  EXPECT_EQ(schema.properties->str(), R"({"city":{"type":"string"}})");
  ASSERT_TRUE(schema.required);
  EXPECT_EQ(*schema.required, std::vector<std::string>{"city"});
  EXPECT_EQ(schema.extra_fields->str(), R"({"additionalProperties":false})");
}

// The same request built with the GA and the beta factories: the exact expected JSON, byte for
// byte the same in both families (ENCODE_FIRST gives the GA types the beta member order).
TEST(GaModelTest, TypedRequestEncodesLikeBeta) {
  const std::string input_schema =
      R"({"type":"object","properties":{"location":{"type":"string"}},"required":["location"]})";

  a::MessageCreateParams p;
  p.model = "claude-sonnet-4-5";
  p.max_tokens = 512;
  p.messages.push_back(a::MessageParam::user(std::vector<a::ContentBlockParam>{
      a::TextBlockParam::of("Summarize:"), a::DocumentBlockParam::file("file_9"),
      a::ImageBlockParam::url("https://example.com/cat.png")}));
  p.messages.push_back(a::MessageParam::assistant("Sure."));
  p.system = std::string("Be brief.");
  a::Metadata metadata;
  metadata.user_id = "13803d75";
  p.metadata = metadata;
  p.stop_sequences = std::vector<std::string>{"###"};
  p.temperature = 0.5;
  a::Tool tool;
  tool.name = "get_weather";
  tool.description = "Weather";
  tool.input_schema = a::Tool::InputSchema::from_raw(RawJson(input_schema));
  tool.strict = true;
  a::WebSearchTool20250305 search;
  search.max_uses = 2;
  p.tools = std::vector<a::ToolUnion>{tool, search};
  a::ToolChoiceTool choice;
  choice.name = "get_weather";
  p.tool_choice = choice;
  a::ThinkingConfigEnabled thinking;
  thinking.budget_tokens = 2048;
  p.thinking = thinking;
  p.inference_geo = "eu";

  const std::string expected =
      R"({"model":"claude-sonnet-4-5","max_tokens":512,"messages":[{"role":"user","content":[)"
      R"({"type":"text","text":"Summarize:"},)"
      R"({"type":"document","source":{"type":"file","file_id":"file_9"}},)"
      R"({"type":"image","source":{"type":"url","url":"https://example.com/cat.png"}}]},)"
      R"({"role":"assistant","content":"Sure."}],)"
      R"("system":"Be brief.","metadata":{"user_id":"13803d75"},"stop_sequences":["###"],)"
      R"("temperature":0.5,)"
      R"("tools":[{"name":"get_weather","description":"Weather","input_schema":)" +
      input_schema +
      R"(,"strict":true},{"type":"web_search_20250305","name":"web_search","max_uses":2}],)"
      R"("tool_choice":{"type":"tool","name":"get_weather"},)"
      R"("thinking":{"type":"enabled","budget_tokens":2048},"inference_geo":"eu"})";
  EXPECT_EQ(to_json(p), expected);
  expect_round_trip<a::MessageCreateParams>(expected);

  ab::BetaMessageCreateParams b;
  b.model = "claude-sonnet-4-5";
  b.max_tokens = 512;
  b.messages.push_back(ab::BetaMessageParam::user(std::vector<ab::BetaContentBlockParam>{
      ab::BetaTextBlockParam::of("Summarize:"), ab::BetaRequestDocumentBlock::file("file_9"),
      ab::BetaImageBlockParam::url("https://example.com/cat.png")}));
  b.messages.push_back(ab::BetaMessageParam::assistant("Sure."));
  b.system = std::string("Be brief.");
  ab::BetaMetadata bmetadata;
  bmetadata.user_id = "13803d75";
  b.metadata = bmetadata;
  b.stop_sequences = std::vector<std::string>{"###"};
  b.temperature = 0.5;
  ab::BetaTool btool;
  btool.name = "get_weather";
  btool.description = "Weather";
  btool.input_schema = ab::BetaTool::InputSchema::from_raw(RawJson(input_schema));
  btool.strict = true;
  ab::BetaWebSearchTool20250305 bsearch;
  bsearch.max_uses = 2;
  b.tools = std::vector<ab::BetaToolUnion>{btool, bsearch};
  ab::BetaToolChoiceTool bchoice;
  bchoice.name = "get_weather";
  b.tool_choice = bchoice;
  ab::BetaThinkingConfigEnabled bthinking;
  bthinking.budget_tokens = 2048;
  b.thinking = bthinking;
  b.inference_geo = "eu";
  EXPECT_EQ(to_json(b), to_json(p));
}

TEST(GaModelTest, RequestParamsRoundTrip) {
  const std::string params = R"({
    "model":"claude-sonnet-4-5","max_tokens":1024,
    "messages":[
      {"role":"user","content":"What is in this screenshot, and what is the weather?"},
      {"role":"assistant","content":[{"type":"tool_use","id":"toolu_01","name":"screenshot","input":{}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01","content":[
        {"type":"text","text":"captured"},
        {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
        {"type":"image","source":{"type":"file","file_id":"file_011"}}],"is_error":false},
        {"type":"document","source":{"type":"url","url":"https://example.com/a.pdf"},"citations":{"enabled":true},"title":"Spec"},
        {"type":"search_result","source":"kb://1","title":"FAQ","content":[{"type":"text","text":"Refunds take 5 days."}],"citations":{"enabled":true}}]}],
    "system":[{"type":"text","text":"Be brief.","cache_control":{"type":"ephemeral","ttl":"1h"}}],
    "tools":[
      {"name":"get_weather","description":"Weather","input_schema":{"type":"object","properties":{"location":{"type":"string"}},"required":["location"],"additionalProperties":false},"strict":true},
      {"type":"web_search_20250305","name":"web_search","max_uses":3,"allowed_domains":["wikipedia.org"]},
      {"type":"code_execution_20250825","name":"code_execution"}],
    "tool_choice":{"type":"auto","disable_parallel_tool_use":true},
    "thinking":{"type":"enabled","budget_tokens":2048},
    "output_config":{"effort":"high","format":{"type":"json_schema","schema":{"type":"object","properties":{"category":{"type":"string"}}}}},
    "container":"container_011CZx",
    "inference_geo":"us",
    "metadata":{"user_id":"13803d75"},
    "service_tier":"auto",
    "stop_sequences":["###"],
    "brand_new_param":{"a":[1,{"b":2}]}
  })";
  const auto p = from_json<a::MessageCreateParams>(params);
  EXPECT_EQ(json::parse(to_json(p)), json::parse(params));
  ASSERT_TRUE(p.tools);
  EXPECT_TRUE(std::holds_alternative<a::Tool>((*p.tools)[0]));
  EXPECT_EQ(std::get<a::WebSearchTool20250305>((*p.tools)[1]).max_uses,
            std::optional<std::int64_t>(3));
  EXPECT_TRUE(std::holds_alternative<a::CodeExecutionTool20250825>((*p.tools)[2]));
  EXPECT_EQ(p.extra_fields->str(), R"({"brand_new_param":{"a":[1,{"b":2}]}})");
  const auto& blocks = std::get<std::vector<a::ContentBlockParam>>(p.messages[2].content);
  const auto& result = std::get<a::ToolResultBlockParam>(blocks[0]);
  const auto& items = std::get<std::vector<a::ToolResultBlockParam::ContentItem>>(*result.content);
  const auto& image = std::get<a::ImageBlockParam>(items[1]);
  EXPECT_EQ(std::get<a::Base64ImageSource>(image.source).data, "iVBORw0KGgo=");
  EXPECT_TRUE(std::holds_alternative<a::DocumentBlockParam>(blocks[1]));
  EXPECT_TRUE(std::holds_alternative<a::SearchResultBlockParam>(blocks[2]));
}

TEST(GaModelTest, ErrorObjects) {
  const std::string body =
      R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"})";
  const auto e = from_json<a::ErrorResponse>(body);
  EXPECT_TRUE(std::holds_alternative<a::OverloadedErrorObject>(e.error));
  EXPECT_EQ(a::error_type(e.error), "overloaded_error");
  EXPECT_EQ(a::error_message(e.error), "Overloaded");
  EXPECT_EQ(e.request_id, std::optional<std::string>("req_011CSHoEeqs5C35K2UUqR7Fy"));
  expect_round_trip<a::ErrorResponse>(body);

  const auto unknown =
      from_json<a::ErrorObject>(R"({"type":"quota_melted_error","message":"Try later","x":1})");
  EXPECT_TRUE(std::holds_alternative<RawJson>(unknown));
  EXPECT_EQ(a::error_type(unknown), "quota_melted_error");
  EXPECT_EQ(a::error_message(unknown), "Try later");
  EXPECT_EQ(a::error_message(a::ErrorObject(RawJson("[]"))), "");
  EXPECT_EQ(ab::error_type(ab::BetaErrorObject(RawJson(R"({"message":"no type"})"))), "");
}

TEST(GaModelTest, AbsentAndNull) {
  const std::string block = R"({"type":"text","text":"x","cache_control":null,"citations":null})";
  const auto b = from_json<a::TextBlockParam>(block);
  EXPECT_FALSE(b.cache_control);
  EXPECT_FALSE(b.citations);
  EXPECT_EQ(json::parse(to_json(b)), json::parse(block));
  EXPECT_EQ(to_json(from_json<a::TextBlockParam>(R"({"type":"text","text":"x"})")),
            R"({"type":"text","text":"x"})");
  a::TextBlock t;
  t.text = "y";
  EXPECT_EQ(to_json(t), R"({"type":"text","text":"y","citations":null})");
}

TEST(GaModelTest, ErrorsNameThePath) {
  try {
    (void)from_json<a::Message>(R"({"id":"m","model":"x","content":[{"type":"text"}]})");
    FAIL();
  } catch (const anthropic::AnthropicInvalidDataException& e) {
    EXPECT_THAT(e.what(), testing::HasSubstr("`content[0].text` is missing"));
  }
  EXPECT_THROW((void)from_json<a::Usage>("[]"), anthropic::AnthropicInvalidDataException);
}

}  // namespace
