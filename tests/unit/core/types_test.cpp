#include "teleglas/core/types.hpp"

#include <gtest/gtest.h>

namespace teleglas {
namespace {

TEST(Types, SignalTypeNamesRoundTrip) {
  for (int i = 0; i < signal_type_count; ++i) {
    const auto type = static_cast<SignalType>(i);
    const auto parsed = signal_type_from_string(to_string(type));
    ASSERT_TRUE(parsed.has_value()) << to_string(type);
    EXPECT_EQ(*parsed, type);
  }
  EXPECT_FALSE(signal_type_from_string("STOPHUNT").has_value());
}

TEST(Types, DirectionWireNamesAreTheSetupSuggested) {
  EXPECT_EQ(to_string(Direction::bullish), "LONG");
  EXPECT_EQ(to_string(Direction::bearish), "SHORT");
  EXPECT_EQ(to_string(Direction::neutral), "NEUTRAL");
}

TEST(Types, OppositeSide) {
  EXPECT_EQ(opposite(Side::buy), Side::sell);
  EXPECT_EQ(opposite(Side::sell), Side::buy);
}

}  // namespace
}  // namespace teleglas
