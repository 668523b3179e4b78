// The generated model against realistic JSON: `to_json(from_json<T>(s))` equals `s` as JSON
// (unknown members at any depth included), typed access to what used to be dropped, and the
// request side written from typed params.

#include <anthropic/beta/beta_message.hpp>
#include <anthropic/beta/messages/batch_results.hpp>
#include <anthropic/errors.hpp>
#include <anthropic/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <variant>
#include <vector>

namespace {

namespace ab = anthropic::beta;
namespace bm = anthropic::beta::messages;
using anthropic::from_json;
using anthropic::RawJson;
using anthropic::to_json;
using nlohmann::json;

// `usage` as the API sends it: every required-nullable member present.
std::string usage(const std::string& overrides = "") {
  json u = json::parse(R"({"input_tokens":2095,"output_tokens":503,
    "cache_creation_input_tokens":2051,"cache_read_input_tokens":0,
    "cache_creation":{"ephemeral_5m_input_tokens":2051,"ephemeral_1h_input_tokens":0},
    "server_tool_use":null,"service_tier":"batch","inference_geo":null,"iterations":null,
    "fallback_credit":null,"output_tokens_details":null,"speed":null})");
  if (!overrides.empty()) u.merge_patch(json::parse(overrides));
  return u.dump();
}

std::string succeeded(const std::string& custom_id, const std::string& content,
                      const std::string& extra_message_members = "",
                      const std::string& usage_overrides = "") {
  return R"({"custom_id":")" + custom_id +
         R"(","result":{"type":"succeeded","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":)" +
         content +
         R"(,"stop_reason":"end_turn","stop_sequence":null,"container":null,"context_management":null,"diagnostics":null,"stop_details":null)" +
         extra_message_members + R"(,"usage":)" + usage(usage_overrides) + "}}}";
}

const std::string kWebSearch =
    succeeded("web-search", R"([
  {"type":"server_tool_use","id":"srvtoolu_01WYG3ziw53XMcoyKL4XcZmE","name":"web_search","input":{"query":"claude shannon birth date"}},
  {"type":"web_search_tool_result","tool_use_id":"srvtoolu_01WYG3ziw53XMcoyKL4XcZmE","content":[
    {"type":"web_search_result","url":"https://en.wikipedia.org/wiki/Claude_Shannon","title":"Claude Shannon - Wikipedia","encrypted_content":"EqgfCioIARgBIiQ3YTAwMjY1Mi1mZjM5LTQ1NGUtODgxNC1kNjNjNTk1ZWI3Y2MSDPLGkHd","page_age":"April 30, 2025"},
    {"type":"web_search_result","url":"https://www.britannica.com/biography/Claude-Shannon","title":"Claude Shannon | Britannica","encrypted_content":"Eq8CCioIARgB","page_age":null}]},
  {"type":"text","text":"Claude Shannon was born on April 30, 1916, in Petoskey, Michigan","citations":[
    {"type":"web_search_result_location","url":"https://en.wikipedia.org/wiki/Claude_Shannon","title":"Claude Shannon - Wikipedia","encrypted_index":"Eo8BCioIAhgBIiQyYjQ0OWJmZi1lNm","cited_text":"Claude Elwood Shannon (April 30, 1916 - February 24, 2001) was an American mathematician"}]}
])",
              "", R"({"server_tool_use":{"web_search_requests":1,"web_fetch_requests":0}})");

const std::string kCodeExecution = succeeded(
    "code-exec", R"([
  {"type":"text","text":"I'll compute the mean.","citations":null},
  {"type":"server_tool_use","id":"srvtoolu_01A","name":"bash_code_execution","input":{"command":"python3 -c 'print(sum([1,2,3])/3)'"}},
  {"type":"bash_code_execution_tool_result","tool_use_id":"srvtoolu_01A","content":{"type":"bash_code_execution_result","stdout":"2.0\n","stderr":"","return_code":0,"content":[{"type":"bash_code_execution_output","file_id":"file_011CNha8iCJcU1wXNR6q4V8w"}]}},
  {"type":"code_execution_tool_result","tool_use_id":"srvtoolu_01B","content":{"type":"code_execution_result","stdout":"","stderr":"Traceback","return_code":1,"content":[]}},
  {"type":"container_upload","file_id":"file_011CNha8iCJcU1wXNR6q4V8w"}
])",
    R"(,"container":{"id":"container_011CZx","expires_at":"2026-12-02T06:00:00Z","skills":null})");

const std::string kThinking = succeeded("thinking", R"([
  {"type":"thinking","thinking":"The user asks for 27 * 453. 27 * 453 = 12231.","signature":"EuYBCkQYAiJAgCs1le6/Pol5Z4/JMomVOouGrWdhYNsH3ukzUECbB6iWrSQtsQuRHJID6lWV"},
  {"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP"},
  {"type":"text","text":"27 × 453 = 12,231","citations":null}
])",
                                        "", R"({"output_tokens_details":{"thinking_tokens":380}})");

const std::string kToolUse = succeeded("tool-use", R"([
  {"type":"text","text":"Let me look that up.","citations":null},
  {"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"get_weather","input":{"location":"San Francisco, CA","unit":"celsius"}}
])");

const std::string kStructured = succeeded("structured", R"([
  {"type":"text","text":"{\"category\":\"billing\",\"priority\":2}","citations":null}
])");

const std::string kErrored =
    R"({"custom_id":"errored","result":{"type":"errored","error":{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: 100000 > 64000, which is the maximum allowed number of output tokens for claude-sonnet-4-5"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}}})";

// Unknown members at depth 1 to 6: on the line, the result, the message, usage, a nested usage
// object, a content block, a citation inside it, and a whole unknown block type.
const std::string kUnknownAtDepth =
    R"({"custom_id":"future","shard":7,"result":{"type":"succeeded","attempt":2,"message":{"id":"msg_2","type":"message","role":"assistant","model":"claude-opus-5-5","content":[)"
    R"({"type":"text","text":"hi","citations":[{"type":"char_location","cited_text":"h","document_index":0,"document_title":null,"start_char_index":0,"end_char_index":1,"file_id":null,"confidence":0.93,"span":{"unit":"char","exact":true}}],"lang":"en"},)"
    R"({"type":"hologram","frames":[{"t":0,"z":[1,2,{"deep":true}]}]})"
    R"(],"stop_reason":"end_turn","stop_sequence":null,"container":null,"context_management":null,"diagnostics":null,"stop_details":null,"carbon_grams":0.4,"usage":)" +
    usage(
        R"({"cache_creation":{"ephemeral_5m_input_tokens":1,"ephemeral_1h_input_tokens":2,"ephemeral_24h_input_tokens":3},"gpu_seconds":1.5})") +
    "}}}";

void expect_round_trip(const std::string& line) {
  const auto decoded = from_json<bm::BetaMessageBatchIndividualResponse>(line);
  const std::string again = to_json(decoded);
  EXPECT_EQ(json::parse(again), json::parse(line)) << again;
  // And a second pass is a fixed point, byte for byte.
  EXPECT_EQ(to_json(from_json<bm::BetaMessageBatchIndividualResponse>(again)), again);
}

TEST(ModelRoundTripTest, RealisticResultLines) {
  for (const std::string* line : {&kWebSearch, &kCodeExecution, &kThinking, &kToolUse, &kStructured,
                                  &kErrored, &kUnknownAtDepth}) {
    SCOPED_TRACE(*line);
    expect_round_trip(*line);
  }
}

TEST(ModelRoundTripTest, CanceledExpiredAndUnknownResults) {
  expect_round_trip(R"({"custom_id":"a","result":{"type":"canceled"}})");
  expect_round_trip(R"({"custom_id":"b","result":{"type":"expired","at":"2026-12-03"}})");
  expect_round_trip(R"({"custom_id":"c","result":{"type":"deferred","until":{"day":3}}})");
}

TEST(ModelRoundTripTest, WebSearchTypedAccess) {
  const auto line = from_json<bm::BetaMessageBatchIndividualResponse>(kWebSearch);
  const ab::BetaMessage& m = *line.result.message;
  ASSERT_EQ(m.content.size(), 3u);
  const auto& call = std::get<ab::BetaServerToolUseBlock>(m.content[0]);
  EXPECT_EQ(call.name, "web_search");
  EXPECT_EQ(call.input.str(), R"({"query":"claude shannon birth date"})");
  const auto& result = std::get<ab::BetaWebSearchToolResultBlock>(m.content[1]);
  const auto& hits = std::get<std::vector<ab::BetaWebSearchResultBlock>>(result.content);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].url, "https://en.wikipedia.org/wiki/Claude_Shannon");
  EXPECT_EQ(hits[0].page_age, std::optional<std::string>("April 30, 2025"));
  EXPECT_FALSE(hits[1].page_age);
  const auto& text = std::get<ab::BetaTextBlock>(m.content[2]);
  ASSERT_TRUE(text.citations);
  const auto& cite = std::get<ab::BetaCitationsWebSearchResultLocation>((*text.citations)[0]);
  EXPECT_EQ(cite.encrypted_index, "Eo8BCioIAhgBIiQyYjQ0OWJmZi1lNm");
  ASSERT_TRUE(m.usage.server_tool_use);
  EXPECT_EQ(m.usage.server_tool_use->web_search_requests, 1);
  ASSERT_TRUE(m.usage.cache_creation);
  EXPECT_EQ(m.usage.cache_creation->ephemeral_5m_input_tokens, 2051);
  EXPECT_EQ(m.usage.cache_creation->ephemeral_1h_input_tokens, 0);
  EXPECT_EQ(m.usage.service_tier, std::optional<ab::BetaServiceTier>(ab::BetaServiceTier::batch));
}

TEST(ModelRoundTripTest, CodeExecutionTypedAccess) {
  const auto line = from_json<bm::BetaMessageBatchIndividualResponse>(kCodeExecution);
  const ab::BetaMessage& m = *line.result.message;
  ASSERT_TRUE(m.container);
  EXPECT_EQ(m.container->id, "container_011CZx");
  EXPECT_EQ(m.container->expires_at, "2026-12-02T06:00:00Z");
  const auto& bash = std::get<ab::BetaBashCodeExecutionToolResultBlock>(m.content[2]);
  const auto& run = std::get<ab::BetaBashCodeExecutionResultBlock>(bash.content);
  EXPECT_EQ(run.stdout_, "2.0\n");
  EXPECT_EQ(run.return_code, 0);
  ASSERT_EQ(run.content.size(), 1u);
  EXPECT_EQ(run.content[0].file_id, "file_011CNha8iCJcU1wXNR6q4V8w");
  const auto& code = std::get<ab::BetaCodeExecutionToolResultBlock>(m.content[3]);
  EXPECT_EQ(std::get<ab::BetaCodeExecutionResultBlock>(code.content).return_code, 1);
  EXPECT_EQ(std::get<ab::BetaContainerUploadBlock>(m.content[4]).file_id,
            "file_011CNha8iCJcU1wXNR6q4V8w");
}

TEST(ModelRoundTripTest, ThinkingAndErroredTypedAccess) {
  const auto t = from_json<bm::BetaMessageBatchIndividualResponse>(kThinking);
  const ab::BetaMessage& m = *t.result.message;
  EXPECT_EQ(std::get<ab::BetaThinkingBlock>(m.content[0]).signature.substr(0, 6), "EuYBCk");
  EXPECT_EQ(std::get<ab::BetaRedactedThinkingBlock>(m.content[1]).data.substr(0, 6), "EmwKAh");
  ASSERT_TRUE(m.usage.output_tokens_details);
  EXPECT_EQ(m.usage.output_tokens_details->thinking_tokens, 380);

  const auto e = from_json<bm::BetaMessageBatchIndividualResponse>(kErrored);
  EXPECT_EQ(e.result.type, bm::BetaMessageBatchResultType::errored);
  ASSERT_TRUE(e.result.error);
  const auto& err = std::get<ab::BetaInvalidRequestErrorObject>(e.result.error->error);
  EXPECT_THAT(err.message, testing::HasSubstr("max_tokens: 100000"));
  EXPECT_EQ(e.result.error->request_id, std::optional<std::string>("req_011CSHoEeqs5C35K2UUqR7Fy"));
  EXPECT_EQ(ab::error_type(e.result.error->error), "invalid_request_error");
}

TEST(ModelRoundTripTest, UnknownMembersAtDepthFourAreNeverDropped) {
  const auto line = from_json<bm::BetaMessageBatchIndividualResponse>(kUnknownAtDepth);
  ASSERT_TRUE(line.extra_fields);
  EXPECT_EQ(line.extra_fields->str(), R"({"shard":7})");
  EXPECT_EQ(line.result.extra_fields->str(), R"({"attempt":2})");
  const ab::BetaMessage& m = *line.result.message;
  EXPECT_EQ(m.extra_fields->str(), R"({"carbon_grams":0.4})");
  // line > result > message > usage > cache_creation: depth 4 below the line.
  ASSERT_TRUE(m.usage.cache_creation);
  EXPECT_EQ(m.usage.cache_creation->ephemeral_1h_input_tokens, 2);
  EXPECT_EQ(m.usage.cache_creation->extra_fields->str(), R"({"ephemeral_24h_input_tokens":3})");
  EXPECT_EQ(m.usage.extra_fields->str(), R"({"gpu_seconds":1.5})");
  const auto& text = std::get<ab::BetaTextBlock>(m.content[0]);
  EXPECT_EQ(text.extra_fields->str(), R"({"lang":"en"})");
  const auto& cite = std::get<ab::BetaCitationCharLocation>((*text.citations)[0]);
  EXPECT_EQ(cite.extra_fields->str(), R"({"confidence":0.93,"span":{"unit":"char","exact":true}})");
  EXPECT_EQ(std::get<RawJson>(m.content[1]).str(),
            R"({"type":"hologram","frames":[{"t":0,"z":[1,2,{"deep":true}]}]})");
  expect_round_trip(kUnknownAtDepth);
}

TEST(ModelRoundTripTest, AbsentAndNull) {
  // Optional fields sent as explicit null survive (kept in extra_fields); absent stays absent.
  const std::string block = R"({"type":"text","text":"x","cache_control":null,"citations":null})";
  const auto b = from_json<ab::BetaTextBlockParam>(block);
  EXPECT_FALSE(b.cache_control);
  EXPECT_FALSE(b.citations);
  EXPECT_EQ(json::parse(to_json(b)), json::parse(block));
  EXPECT_EQ(to_json(from_json<ab::BetaTextBlockParam>(R"({"type":"text","text":"x"})")),
            R"({"type":"text","text":"x"})");
  // A required nullable field is written as null when empty.
  ab::BetaTextBlock t;
  t.text = "y";
  EXPECT_EQ(to_json(t), R"({"type":"text","text":"y","citations":null})");
}

TEST(ModelRoundTripTest, ExtraFieldsReplaceModelledMembersOnEncode) {
  ab::BetaCacheControlEphemeral c;
  c.ttl = ab::BetaCacheControlEphemeral::Ttl::v1h;
  EXPECT_EQ(to_json(c), R"({"type":"ephemeral","ttl":"1h"})");
  c.extra_fields = RawJson(R"({"ttl":"24h","scope":"org"})");
  EXPECT_EQ(to_json(c), R"({"type":"ephemeral","ttl":"24h","scope":"org"})");
}

TEST(ModelRoundTripTest, RequestParamsWithToolResultImagesAndStructuredOutput) {
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
      {"type":"code_execution_20250825","name":"code_execution"},
      {"type":"mcp_toolset","mcp_server_name":"kb"}],
    "tool_choice":{"type":"auto","disable_parallel_tool_use":true},
    "thinking":{"type":"enabled","budget_tokens":2048},
    "output_config":{"effort":"high","format":{"type":"json_schema","schema":{"type":"object","properties":{"category":{"type":"string"}}}}},
    "mcp_servers":[{"type":"url","url":"https://mcp.example.com/sse","name":"kb","authorization_token":"tok"}],
    "container":"container_011CZx",
    "context_management":{"edits":[{"type":"clear_tool_uses_20250919"}]},
    "inference_geo":"us",
    "metadata":{"user_id":"13803d75"},
    "service_tier":"auto",
    "stop_sequences":["###"],
    "brand_new_param":{"a":[1,{"b":2}]}
  })";
  const auto p = from_json<ab::BetaMessageCreateParams>(params);
  EXPECT_EQ(json::parse(to_json(p)), json::parse(params));
  EXPECT_EQ(p.model, "claude-sonnet-4-5");
  ASSERT_TRUE(p.tools);
  EXPECT_TRUE(std::holds_alternative<ab::BetaTool>((*p.tools)[0]));
  EXPECT_EQ(std::get<ab::BetaWebSearchTool20250305>((*p.tools)[1]).max_uses,
            std::optional<std::int64_t>(3));
  EXPECT_TRUE(std::holds_alternative<ab::BetaCodeExecutionTool20250825>((*p.tools)[2]));
  EXPECT_TRUE(std::holds_alternative<ab::BetaMCPToolset>((*p.tools)[3]));
  ASSERT_TRUE(p.output_config);
  ASSERT_TRUE(p.output_config->format);
  EXPECT_EQ(json::parse(p.output_config->format->schema.str())["type"], "object");
  ASSERT_TRUE(p.container);
  EXPECT_EQ(std::get<std::string>(*p.container), "container_011CZx");
  EXPECT_EQ(p.extra_fields->str(), R"({"brand_new_param":{"a":[1,{"b":2}]}})");
  const auto& blocks = std::get<std::vector<ab::BetaContentBlockParam>>(p.messages[2].content);
  const auto& result = std::get<ab::BetaToolResultBlockParam>(blocks[0]);
  const auto& items =
      std::get<std::vector<ab::BetaToolResultBlockParam::ContentItem>>(*result.content);
  const auto& image = std::get<ab::BetaImageBlockParam>(items[1]);
  EXPECT_EQ(std::get<ab::BetaBase64ImageSource>(image.source).data, "iVBORw0KGgo=");
  EXPECT_EQ(
      std::get<ab::BetaFileImageSource>(std::get<ab::BetaImageBlockParam>(items[2]).source).file_id,
      "file_011");
}

TEST(ModelRoundTripTest, TypedRequestEncodes) {
  ab::BetaMessageCreateParams p;
  p.model = "claude-sonnet-4-5";
  p.max_tokens = 512;
  p.messages.push_back(ab::BetaMessageParam::user(std::vector<ab::BetaContentBlockParam>{
      ab::BetaTextBlockParam::of("Summarize:"), ab::BetaRequestDocumentBlock::file("file_9"),
      ab::BetaImageBlockParam::url("https://example.com/cat.png")}));
  ab::BetaWebSearchTool20250305 search;
  search.max_uses = 2;
  p.tools = std::vector<ab::BetaToolUnion>{search};
  ab::BetaJSONOutputFormat format;
  format.schema = RawJson(R"({"type":"object"})");
  ab::BetaOutputConfig output;
  output.format = format;
  p.output_config = output;
  p.inference_geo = "eu";
  EXPECT_EQ(
      to_json(p),
      R"({"model":"claude-sonnet-4-5","max_tokens":512,"messages":[{"role":"user","content":[)"
      R"({"type":"text","text":"Summarize:"},)"
      R"({"type":"document","source":{"type":"file","file_id":"file_9"}},)"
      R"({"type":"image","source":{"type":"url","url":"https://example.com/cat.png"}}]}],)"
      R"("tools":[{"type":"web_search_20250305","name":"web_search","max_uses":2}],)"
      R"("inference_geo":"eu","output_config":{"format":{"type":"json_schema","schema":{"type":"object"}}}})");
}

TEST(ModelRoundTripTest, ErrorsNameThePath) {
  try {
    (void)from_json<ab::BetaMessage>(R"({"id":"m","model":"x","content":[{"type":"text"}]})");
    FAIL();
  } catch (const anthropic::AnthropicInvalidDataException& e) {
    EXPECT_THAT(e.what(), testing::HasSubstr("`content[0].text` is missing"));
  }
  EXPECT_THROW((void)from_json<ab::BetaUsage>("[]"), anthropic::AnthropicInvalidDataException);
  EXPECT_THROW((void)from_json<ab::BetaUsage>(R"({"input_tokens":1,"output_tokens":1} x)"),
               anthropic::AnthropicInvalidDataException);
}

}  // namespace
