#include <anthropic/anthropic.hpp>

#include <gtest/gtest.h>

// The parent's own GoogleTest suite, next to the vendored SDK.
TEST(Parent, SeesTheSdk) {
  anthropic::beta::messages::ProcessingStatus s("ended");
  EXPECT_EQ(s, anthropic::beta::messages::ProcessingStatus::ended);
}
