#include <anthropic/errors.hpp>
#include <anthropic/raw_json.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace {

using anthropic::AnthropicInvalidRequestException;
using anthropic::RawJson;

TEST(RawJsonTest, DefaultIsNull) {
  RawJson v;
  EXPECT_EQ(v.str(), "null");
  EXPECT_TRUE(v.is_null());
  EXPECT_FALSE(v.is_object());
}

TEST(RawJsonTest, ValidTextIsMadeCompact) {
  RawJson v(R"(  { "type" : "object",
                  "properties" : { "a" : { "type" : "string" } },
                  "required" : [ "a" ] }  )");
  EXPECT_EQ(v.str(), R"({"type":"object","properties":{"a":{"type":"string"}},"required":["a"]})");
  EXPECT_TRUE(v.is_object());
  EXPECT_FALSE(v.is_null());
}

TEST(RawJsonTest, KeepsMemberOrder) {
  RawJson v(R"({"z":1,"a":2,"m":{"y":true,"b":null}})");
  EXPECT_EQ(v.str(), R"({"z":1,"a":2,"m":{"y":true,"b":null}})");
}

TEST(RawJsonTest, ScalarsAndArrays) {
  EXPECT_EQ(RawJson("[1, 2 ,3]").str(), "[1,2,3]");
  EXPECT_EQ(RawJson(" \"x\" ").str(), "\"x\"");
  EXPECT_EQ(RawJson("null").str(), "null");
  EXPECT_TRUE(RawJson(" null ").is_null());
  EXPECT_EQ(RawJson("-12").str(), "-12");
  EXPECT_FALSE(RawJson("[]").is_object());
}

TEST(RawJsonTest, ConstructorsAgree) {
  std::string text = R"({"a": [true]})";
  EXPECT_EQ(RawJson(text), RawJson(text.c_str()));
  EXPECT_EQ(RawJson(text), RawJson(std::string_view(text)));
  EXPECT_NE(RawJson(text), RawJson("{}"));
}

TEST(RawJsonTest, EscapesAreNormalisedAndUnicodeKept) {
  RawJson v(R"(["\u00e9", "\n", "\/"])");
  EXPECT_EQ(v.str(), "[\"\xC3\xA9\",\"\\n\",\"/\"]");
}

TEST(RawJsonTest, InvalidTextThrows) {
  for (const char* bad :
       {"", "{", "{\"a\":}", "[1,]", "nul", "{\"a\":1} x", "'single'", "{a:1}", "[\"\xff\"]"}) {
    EXPECT_THROW(RawJson{std::string_view(bad)}, AnthropicInvalidRequestException) << bad;
  }
}

TEST(RawJsonTest, ErrorMessageQuotesOnlyTheStartOfHugeInput) {
  std::string huge = "[" + std::string(100000, '1') + "x]";
  try {
    RawJson v(huge);
    FAIL() << "no exception";
  } catch (const AnthropicInvalidRequestException& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("invalid JSON"), std::string::npos) << what;
    EXPECT_LT(what.size(), 600u) << what;
    EXPECT_FALSE(e.request_index().has_value());
  }
}

TEST(RawJsonTest, FromNlohmannJson) {
  nlohmann::json j = {{"type", "object"}, {"n", 3}};
  RawJson v = j;  // implicit on purpose
  EXPECT_EQ(v.str(), R"({"n":3,"type":"object"})");
  EXPECT_TRUE(v.is_object());

  nlohmann::ordered_json o = {{"type", "object"}, {"n", 3}};
  EXPECT_EQ(RawJson(o).str(), R"({"type":"object","n":3})");

  EXPECT_TRUE(RawJson(nlohmann::json()).is_null());
  EXPECT_EQ(RawJson(nlohmann::json::array({1, "a"})).str(), R"([1,"a"])");
}

TEST(RawJsonTest, UncheckedKeepsTextVerbatim) {
  RawJson v = RawJson::unchecked(R"({"b":1,"a":2})");
  EXPECT_EQ(v.str(), R"({"b":1,"a":2})");
  EXPECT_TRUE(v.is_object());
}

}  // namespace
