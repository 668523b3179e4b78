#include <anthropic/logging.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace {

using anthropic::LogLevel;

TEST(LoggingTest, LevelNames) {
  EXPECT_EQ(anthropic::to_string(LogLevel::debug), "debug");
  EXPECT_EQ(anthropic::to_string(LogLevel::info), "info");
  EXPECT_EQ(anthropic::to_string(LogLevel::warn), "warn");
  EXPECT_EQ(anthropic::to_string(LogLevel::error), "error");
  EXPECT_EQ(anthropic::to_string(LogLevel::off), "off");
}

TEST(LoggingTest, StderrLoggerFiltersByLevelAndPrefixes) {
  auto logger = anthropic::make_stderr_logger(LogLevel::info);
  ::testing::internal::CaptureStderr();
  logger(LogLevel::debug, "hidden line");
  logger(LogLevel::info, "shown line");
  logger(LogLevel::error, "error line");
  std::string out = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(out, "[anthropic] info: shown line\n[anthropic] error: error line\n");
}

TEST(LoggingTest, OffLoggerIsCallableAndSilent) {
  auto logger = anthropic::make_stderr_logger(LogLevel::off);
  ::testing::internal::CaptureStderr();
  logger(LogLevel::error, "nothing");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST(LoggingTest, LoggerFromEnv) {
  ::unsetenv("ANTHROPIC_LOG");
  EXPECT_FALSE(anthropic::logger_from_env());
  ::setenv("ANTHROPIC_LOG", "off", 1);
  EXPECT_FALSE(anthropic::logger_from_env());
  ::setenv("ANTHROPIC_LOG", "bogus", 1);
  EXPECT_FALSE(anthropic::logger_from_env());

  ::setenv("ANTHROPIC_LOG", "WARN", 1);
  auto logger = anthropic::logger_from_env();
  ASSERT_TRUE(logger);
  ::testing::internal::CaptureStderr();
  logger(LogLevel::info, "below");
  logger(LogLevel::warn, "at");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "[anthropic] warn: at\n");

  ::setenv("ANTHROPIC_LOG", "debug", 1);
  logger = anthropic::logger_from_env();
  ASSERT_TRUE(logger);
  ::testing::internal::CaptureStderr();
  logger(LogLevel::debug, "d");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "[anthropic] debug: d\n");
  ::unsetenv("ANTHROPIC_LOG");
}

}  // namespace
