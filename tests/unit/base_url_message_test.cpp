// An invalid base_url is reported without the credentials it may carry: user-info
// (`user:password@`) never reaches an exception message, whatever else is wrong with the URL.

#include <anthropic/anthropic.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

std::string message_for(const std::string& base_url) {
  anthropic::ClientOptions options;
  options.api_key = "sk-ant-test";
  options.base_url = base_url;
  try {
    anthropic::Client client(options);
  } catch (const anthropic::AnthropicInvalidRequestException& e) {
    return e.what();
  }
  ADD_FAILURE() << "no exception for " << base_url;
  return "";
}

TEST(BaseUrlMessageTest, UserInfoNeverAppearsInTheError) {
  struct Case {
    std::string url;
    std::string shown;  // what the message still says about the URL
  };
  const Case cases[] = {
      {"http://user:PASSWORD@host/x y", "\"http://host/x y\""},
      {"https://user:PASSWORD@example.com/v1?key=PASSWORD", "\"https://example.com/v1\""},
      {"http://user:PASSWORD@host#PASSWORD", "\"http://host\""},
      // Not recognisable as scheme://authority: still cut up to the '@'.
      {"http:/user:PASSWORD@host", "\"...host\""},
      {"user:PASSWORD@host", "\"...host\""},
      {"ftp://user:PASSWORD@host", "\"ftp://host\""},
      // A '/' inside the password ends the authority early; the rest is still cut.
      {"http://user:PASS/WORD@host/x y", "\"http://...host/x y\""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.url);
    const std::string message = message_for(c.url);
    EXPECT_NE(message.find("base_url must be an http:// or https:// URL"), std::string::npos)
        << message;
    EXPECT_EQ(message.find("PASS"), std::string::npos) << message;
    EXPECT_EQ(message.find("user"), std::string::npos) << message;
    EXPECT_NE(message.find(c.shown), std::string::npos) << message;
  }
}

TEST(BaseUrlMessageTest, UrlWithoutUserInfoIsShownAsGiven) {
  const std::string message = message_for("http://host/x y");
  EXPECT_NE(message.find("got \"http://host/x y\""), std::string::npos) << message;
}

}  // namespace
