#include "teleglas/core/text.hpp"

#include <gtest/gtest.h>

namespace teleglas {
namespace {

TEST(Trim, RemovesSpacesTabsAndLineEndsAtBothEnds) {
  EXPECT_EQ(trim("  pong\r\n"), "pong");
  EXPECT_EQ(trim("\t/mute 30 \t"), "/mute 30");
}

TEST(Trim, KeepsWhitespaceInside) {
  EXPECT_EQ(trim(" a \t b "), "a \t b");
}

TEST(Trim, OfNothingButWhitespaceIsEmpty) {
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim(" \t\r\n"), "");
}

TEST(Trim, LeavesOtherControlCharactersAlone) {
  EXPECT_EQ(trim("\fpong\v"), "\fpong\v");
}

TEST(Trim, ReturnsAViewIntoTheText) {
  const std::string_view text = "  abc  ";
  EXPECT_EQ(trim(text).data(), text.data() + 2);
}

}  // namespace
}  // namespace teleglas
