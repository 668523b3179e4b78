// What API version 2026-10-21 rejects is refused before a batch is sent, typed or raw, naming
// the request and the place in it; 2023-06-01 (and a builder without a version) lets it through;
// nothing the API accepts is refused. Under any version, the per-request checks the schema
// knows: raw params lacking a member the API requires, and request-side enum values it refuses.

#include <anthropic/anthropic.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

namespace ab = anthropic::beta;
namespace bm = anthropic::beta::messages;

bm::BetaMessageBatchCreateParams::Request request(std::vector<ab::BetaMessageParam> messages) {
  bm::BetaMessageBatchCreateParams::Request r;
  r.custom_id = "req";
  r.params.model = "claude-sonnet-4-5";
  r.params.max_tokens = 16;
  r.params.messages = std::move(messages);
  return r;
}

bm::BetaMessageBatchCreateParams::Request hello() {
  return request({ab::BetaMessageParam::user("Hello")});
}

// The message of the rejection of `r` as the third request of a 2026-10-21 builder, or "" when
// it was accepted.
std::string rejection(const bm::BetaMessageBatchCreateParams::Request& r,
                      const char* version = "2026-10-21") {
  bm::BatchCreateBodyBuilder builder;
  builder.check_api_version(version);
  auto first = hello();
  first.custom_id = "a";
  auto second = hello();
  second.custom_id = "b";
  builder.add(first);
  builder.add(second);
  try {
    builder.add(r);
  } catch (const anthropic::AnthropicInvalidRequestException& e) {
    EXPECT_EQ(e.request_index(), std::optional<std::size_t>(2));
    EXPECT_EQ(builder.request_count(), 2u);
    return e.what();
  }
  EXPECT_EQ(builder.request_count(), 3u);
  return "";
}

std::string raw_rejection(const std::string& params, const char* version = "2026-10-21") {
  bm::BatchCreateBodyBuilder builder;
  builder.check_api_version(version);
  builder.add(hello());
  try {
    builder.add_raw("raw", params);
  } catch (const anthropic::AnthropicInvalidRequestException& e) {
    EXPECT_EQ(e.request_index(), std::optional<std::size_t>(1));
    return e.what();
  }
  return "";
}

ab::BetaTextBlockParam cited_text() {
  ab::BetaTextBlockParam text = ab::BetaTextBlockParam::of("The sky is blue.");
  ab::BetaCitationCharLocationParam citation;
  citation.cited_text = "blue";
  citation.document_index = 0;
  citation.start_char_index = 11;
  citation.end_char_index = 15;
  text.citations = std::vector<ab::BetaTextCitationParam>{citation};
  return text;
}

bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(ApiVersionRules, EachSamplingParameterIsRejectedWithTheWayBack) {
  auto t = hello();
  t.params.temperature = 0.0;  // even the neutral value: the API rejects the field itself
  auto p = hello();
  p.params.top_p = 0.9;
  auto k = hello();
  k.params.top_k = 5;
  for (const auto& [r, field] : {std::pair{t, "temperature"}, {p, "top_p"}, {k, "top_k"}}) {
    const std::string what = rejection(r);
    EXPECT_TRUE(has(what, std::string("requests[2]: params.") + field +
                              " was removed in API version 2026-10-21"))
        << what;
    EXPECT_TRUE(has(what, "anthropic-version 2026-10-21")) << what;
    EXPECT_TRUE(has(what, "set ClientOptions::anthropic_version = \"2023-06-01\"")) << what;
    EXPECT_EQ(rejection(r, "2023-06-01"), "");
    EXPECT_TRUE(has(rejection(r, "2027-01-01"), field));  // later versions keep the rule
  }
}

TEST(ApiVersionRules, ASamplingParameterInExtraFieldsIsRejectedToo) {
  auto r = hello();
  r.params.extra_fields = anthropic::RawJson(R"({"top_k":3})");
  EXPECT_TRUE(has(rejection(r), "params.top_k was removed")) << rejection(r);
  r.params.extra_fields = anthropic::RawJson(R"({"a_field_from_next_month":3})");
  EXPECT_EQ(rejection(r), "");
}

TEST(ApiVersionRules, ADocumentDirectlyInAnAssistantMessageIsRejected) {
  auto r = request(
      {ab::BetaMessageParam::user("Summarize"),
       ab::BetaMessageParam::assistant({ab::BetaTextBlockParam::of("Here:"),
                                        ab::BetaRequestDocumentBlock::plain_text("the text")})});
  const std::string what = rejection(r);
  EXPECT_TRUE(has(what,
                  "requests[2]: params.messages[1].content[1] is a document block directly "
                  "in an assistant message"))
      << what;
  EXPECT_FALSE(has(what, "2023-06-01\"")) << what;  // no version switch offered for this one
  EXPECT_EQ(rejection(r, "2023-06-01"), "");
  // In a user message a document is fine.
  EXPECT_EQ(rejection(request(
                {ab::BetaMessageParam::user({ab::BetaRequestDocumentBlock::plain_text("doc")})})),
            "");
}

TEST(ApiVersionRules, UserTextWithCitationsIsRejectedDirectlyAndInASearchResult) {
  const std::string direct = rejection(request({ab::BetaMessageParam::user({cited_text()})}));
  EXPECT_TRUE(has(direct,
                  "params.messages[0].content[0] is a text block with citations in a user "
                  "message"))
      << direct;

  ab::BetaSearchResultBlockParam search;
  search.source = "https://example.com";
  search.title = "Example";
  search.content = {ab::BetaTextBlockParam::of("plain"), cited_text()};
  const std::string nested = rejection(request({ab::BetaMessageParam::user({search})}));
  EXPECT_TRUE(has(nested,
                  "params.messages[0].content[0].content[1] is a text block with "
                  "citations (in a search_result"))
      << nested;

  // Empty citations, an assistant's cited text, and the earlier version are all accepted.
  ab::BetaTextBlockParam empty = ab::BetaTextBlockParam::of("x");
  empty.citations = std::vector<ab::BetaTextCitationParam>{};
  EXPECT_EQ(rejection(request({ab::BetaMessageParam::user({empty})})), "");
  EXPECT_EQ(rejection(request({ab::BetaMessageParam::user("q"),
                               ab::BetaMessageParam::assistant({cited_text()})})),
            "");
  EXPECT_EQ(rejection(request({ab::BetaMessageParam::user({cited_text()})}), "2023-06-01"), "");
}

TEST(ApiVersionRules, RawBlocksAndRawContentFollowTheSameRules) {
  auto block = request({ab::BetaMessageParam::user("q"),
                        ab::BetaMessageParam::assistant(std::vector<ab::BetaContentBlockParam>{
                            anthropic::RawJson(R"({"type":"document","source":{"type":"text",)"
                                               R"("media_type":"text/plain","data":"d"}})")})});
  EXPECT_TRUE(has(rejection(block), "params.messages[1].content[0] is a document block"))
      << rejection(block);

  ab::BetaMessageParam raw_content;
  raw_content.role = "user";
  raw_content.content = anthropic::RawJson(
      R"([{"type":"text","text":"t","citations":[{"type":"char_location","cited_text":"t",)"
      R"("document_index":0,"start_char_index":0,"end_char_index":1}]}])");
  EXPECT_TRUE(has(rejection(request({raw_content})),
                  "params.messages[0].content[0] is a text "
                  "block with citations"));

  // An enum value newer than the SDK (an image media type it does not know, inside the
  // document) does not hide the block from the rules: it is still a document block in an
  // assistant message.
  auto newer_media = request(
      {ab::BetaMessageParam::user("q"),
       ab::BetaMessageParam::assistant(std::vector<ab::BetaContentBlockParam>{anthropic::RawJson(
           R"({"type":"document","source":{"type":"content","content":[{"type":"image",)"
           R"("source":{"type":"base64","media_type":"image/avif","data":"AA=="}}]}})")})});
  EXPECT_TRUE(has(rejection(newer_media), "params.messages[1].content[0] is a document block"))
      << rejection(newer_media);

  // A block type from next month passes untouched.
  auto unknown = request({ab::BetaMessageParam::user(std::vector<ab::BetaContentBlockParam>{
      anthropic::RawJson(R"({"type":"hologram","citations":[1]})")})});
  EXPECT_EQ(rejection(unknown), "");

  // A RawJson block is the caller's own JSON: it is checked as the typed block it spells, and
  // one that spells none (here a citation lacking its members) is left to the API.
  auto incomplete =
      request({ab::BetaMessageParam::user(std::vector<ab::BetaContentBlockParam>{anthropic::RawJson(
          R"({"type":"text","text":"t","citations":[{"type":"char_location"}]})")})});
  EXPECT_EQ(rejection(incomplete), "");
}

TEST(ApiVersionRules, RawParamsAreCheckedWithOneParse) {
  const std::string sampling = R"({"model":"m","max_tokens":1,"temperature":1,"messages":[]})";
  EXPECT_TRUE(has(raw_rejection(sampling), "requests[1]: params.temperature was removed"))
      << raw_rejection(sampling);
  EXPECT_EQ(raw_rejection(sampling, "2023-06-01"), "");
  const std::string document =
      R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":"q"},)"
      R"({"role":"assistant","content":[{"type":"document","source":{}}]}]})";
  EXPECT_TRUE(has(raw_rejection(document), "params.messages[1].content[0] is a document block"));
  const std::string search =
      R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":)"
      R"("search_result","source":"s","title":"t","content":[{"type":"text","text":"x",)"
      R"("citations":[{"type":"search_result_location","cited_text":"x","search_result_index":)"
      R"(0,"source":"s","title":null,"start_block_index":0,"end_block_index":0}]}]}]}]})";
  EXPECT_TRUE(has(raw_rejection(search), "params.messages[0].content[0].content[0] is a text"));
  // Invalid JSON is the ordinary error, under either version.
  EXPECT_TRUE(has(raw_rejection(R"({"model":)"), "requests[1].params: malformed JSON at byte 9"))
      << raw_rejection(R"({"model":)");
  EXPECT_TRUE(has(raw_rejection(R"({"model":)", "2023-06-01"), "params: malformed JSON"));
  EXPECT_TRUE(has(raw_rejection("[1]"), "requests[1].params must be a JSON object"));
  EXPECT_EQ(raw_rejection(R"({"model":"m","max_tokens":1,"messages":[],"future":{"a":1}})"), "");
}

TEST(ApiVersionRules, ABuilderWithoutAVersionChecksNothingOfIt) {
  bm::BatchCreateBodyBuilder builder;
  auto r = hello();
  r.params.temperature = 0.5;
  builder.add(r);
  builder.add_raw("raw", R"({"model":"m","max_tokens":1,"top_k":2,"messages":[]})");
  EXPECT_EQ(builder.request_count(), 2u);
}

TEST(ApiVersionRules, ARejectedRequestLeavesTheBodyAsItWas) {
  bm::BatchCreateBodyBuilder builder;
  builder.check_api_version(anthropic::kDefaultApiVersion);
  builder.add(hello());
  const std::size_t before = builder.body_bytes();
  auto r = hello();
  r.custom_id = "second";
  r.params.top_p = 0.5;
  EXPECT_THROW(builder.add(r), anthropic::AnthropicInvalidRequestException);
  EXPECT_EQ(builder.body_bytes(), before);
  r.params.top_p.reset();
  builder.add(r);  // the same custom_id is free again: nothing of the rejected one was kept
  auto encoded = std::move(builder).finish();
  EXPECT_EQ(encoded.request_count, 2u);
}

// ---------------------------------------------------------------------------------------------
// Per-request checks from the schema, under every API version.

TEST(RequestChecks, RawParamsLackingAMemberTheApiRequiresAreRefusedNamingIt) {
  for (const char* version : {"2026-10-21", "2023-06-01"}) {
    SCOPED_TRACE(version);
    EXPECT_TRUE(has(raw_rejection(R"({"max_tokens":1,"messages":[]})", version),
                    "requests[1].params: `model` is missing"))
        << raw_rejection(R"({"max_tokens":1,"messages":[]})", version);
    const std::string no_role = R"({"model":"m","max_tokens":1,"messages":[{"content":"q"}]})";
    EXPECT_TRUE(has(raw_rejection(no_role, version), "params: `messages[0].role` is missing"))
        << raw_rejection(no_role, version);
    const std::string no_source =
        R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"image"}]}]})";
    EXPECT_TRUE(
        has(raw_rejection(no_source, version), "`messages[0].content[0].source` is missing"))
        << raw_rejection(no_source, version);
    const std::string text_tokens = R"({"model":"m","max_tokens":"1","messages":[]})";
    EXPECT_TRUE(has(raw_rejection(text_tokens, version), "`max_tokens` is not an integer"))
        << raw_rejection(text_tokens, version);
  }
}

TEST(RequestChecks, RawParamsTheSdkDoesNotFullyKnowPassAndAreSentAsGiven) {
  // An unknown member four levels down, an unknown block type, an unknown tool type.
  const std::string params =
      R"({"model":"m", "max_tokens":1,"messages":[{"role":"user","content":[{"type":"text",)"
      R"("text":"q","cache_control":{"type":"ephemeral","future":{"deep":[1.50]}}},)"
      R"({"type":"hologram","x":1}]}],"tools":[{"type":"teleport_20270101","name":"t"}],)"
      R"("next_month":true})";
  bm::BatchCreateBodyBuilder builder;
  builder.check_api_version(anthropic::kDefaultApiVersion);
  builder.add_raw("raw", params);
  const auto encoded = std::move(builder).finish();
  EXPECT_NE(encoded.body.str().find(R"("params":)" + params + "}"), std::string::npos)
      << encoded.body.str();
}

TEST(RequestChecks, ARequestEnumValueTheApiRefusesIsRefusedBeforeSending) {
  // Typed: the value and its accepted values are named, with the request index.
  auto image = ab::BetaImageBlockParam::base64("image/bmp", "Qk0=");
  auto typed = request({ab::BetaMessageParam::user({image})});
  for (const char* version : {"2026-10-21", "2023-06-01"}) {
    SCOPED_TRACE(version);
    const std::string error = rejection(typed, version);
    EXPECT_TRUE(has(error,
                    "requests[2]: `beta::BetaBase64ImageSource::MediaType` is \"image/bmp\", "
                    "not one of the values the API accepts (\"image/jpeg\", \"image/png\", "
                    "\"image/gif\", \"image/webp\")"))
        << error;
    EXPECT_TRUE(has(error, "extra_fields")) << error;
  }
  // An unset required enum is refused as empty.
  ab::BetaMessageParam no_role;
  no_role.content = std::string("q");
  EXPECT_TRUE(has(rejection(request({no_role})), "is empty, not one of the values"))
      << rejection(request({no_role}));

  // Raw params have no extra_fields to carry a value newer than the SDK: there the API judges
  // enum values, and the text is sent as given.
  const std::string robot =
      R"({"model":"m","max_tokens":1,"messages":[{"role":"robot","content":"q"}]})";
  EXPECT_EQ(raw_rejection(robot), "");
  // (from_json of the typed params refuses it, naming the place.)
  try {
    anthropic::from_json<ab::BetaMessageCreateParams>(robot);
    ADD_FAILURE() << "accepted";
  } catch (const anthropic::AnthropicInvalidDataException& e) {
    EXPECT_TRUE(has(e.what(), R"(`messages[0].role` is "robot", not one of the values)"))
        << e.what();
  }
  // A value quoted in a message is cut on a character boundary and stays valid UTF-8.
  auto long_image = ab::BetaImageBlockParam::base64(std::string(79, 'x') + "\xC3\xA9" + "\xFF", "");
  const std::string cut = rejection(request({ab::BetaMessageParam::user({long_image})}));
  EXPECT_TRUE(has(cut, "\"" + std::string(79, 'x') + "...\"")) << cut;

  // A value the SDK does not know yet goes through extra_fields, and is sent.
  auto& source = std::get<ab::BetaBase64ImageSource>(image.source);
  source.extra_fields = anthropic::RawJson(R"({"media_type":"image/bmp"})");
  EXPECT_EQ(rejection(request({ab::BetaMessageParam::user({image})})), "");
  bm::BatchCreateBodyBuilder builder;
  builder.add(request({ab::BetaMessageParam::user({image})}));
  const auto encoded = std::move(builder).finish();
  EXPECT_NE(encoded.body.str().find(R"("media_type":"image/bmp")"), std::string::npos)
      << encoded.body.str();
}

TEST(RequestChecks, ResponseEnumsStayOpen) {
  const auto message = anthropic::from_json<ab::BetaMessage>(
      R"({"id":"m","type":"message","role":"assistant","model":"x","content":[],)"
      R"("stop_reason":"a_reason_from_next_month","stop_sequence":null,)"
      R"("usage":{"input_tokens":1,"output_tokens":1}})");
  ASSERT_TRUE(message.stop_reason.has_value());
  EXPECT_EQ(message.stop_reason->str(), "a_reason_from_next_month");
  EXPECT_FALSE(message.stop_reason->is_known());
}

}  // namespace
