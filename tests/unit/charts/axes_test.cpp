#include "teleglas/charts/axes.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace teleglas::charts {
namespace {

TEST(PaddedPriceRange, LeavesAMarginAboveAndBelowTheData) {
  const ValueRange range = padded_price_range(ValueRange{100, 200});
  EXPECT_LT(range.low, 100);
  EXPECT_GT(range.high, 200);
  EXPECT_LT(range.high - range.low, 130);
}

TEST(PaddedPriceRange, AFlatPriceStillGetsASpanAroundIt) {
  const ValueRange range = padded_price_range(ValueRange{0.00001, 0.00001});
  EXPECT_LT(range.low, 0.00001);
  EXPECT_GT(range.high, 0.00001);
  EXPECT_GT(range.low, 0.0000099);
}

TEST(PaddedPriceRange, NothingToShowIsZeroToOne) {
  const ValueRange range = padded_price_range(std::nullopt);
  EXPECT_EQ(range.low, 0);
  EXPECT_EQ(range.high, 1);
}

TEST(ExtentBuilder, IgnoresValuesThatAreNotFinite) {
  ExtentBuilder extent;
  extent.add(std::numeric_limits<double>::quiet_NaN());
  EXPECT_FALSE(extent.extent());
  extent.add(5);
  extent.add(std::numeric_limits<double>::infinity());
  extent.add(3);
  ASSERT_TRUE(extent.extent());
  EXPECT_EQ(extent.extent()->low, 3);
  EXPECT_EQ(extent.extent()->high, 5);
}

TEST(NiceStep, IsOneTwoTwoAndAHalfOrFiveTimesAPowerOfTen) {
  EXPECT_DOUBLE_EQ(nice_step(400, 5), 100);
  EXPECT_DOUBLE_EQ(nice_step(1000, 5), 200);
  EXPECT_DOUBLE_EQ(nice_step(11, 5), 2.5);
  EXPECT_NEAR(nice_step(0.0000004, 4), 0.0000001, 1e-15);
}

TEST(TicksWithin, AreTheMultiplesOfTheStepInsideTheRange) {
  const std::vector<double> ticks = ticks_within({94'630, 95'010}, 100);
  ASSERT_EQ(ticks.size(), 4u);
  EXPECT_DOUBLE_EQ(ticks.front(), 94'700);
  EXPECT_DOUBLE_EQ(ticks.back(), 95'000);
}

TEST(DecimalsForStep, ShowEveryMultipleExactly) {
  EXPECT_EQ(decimals_for_step(50), 0);
  EXPECT_EQ(decimals_for_step(2.5), 1);
  EXPECT_EQ(decimals_for_step(0.25), 2);
  EXPECT_EQ(decimals_for_step(0.0000002), 7);
}

TEST(TimeTicks, FallOnWholeMinutesForAQuarterOfAnHour) {
  const TimeMs start = 1'737'990'000'000 - 15 * 60'000 + 20'000;  // 14:45:20 UTC
  const TimeMs step = time_tick_step(16 * 60'000, 6);
  EXPECT_EQ(step, 180'000);
  const std::vector<TimeMs> ticks = time_ticks_within(start, start + 16 * 60'000, step);
  ASSERT_FALSE(ticks.empty());
  EXPECT_EQ(ticks.front() % step, 0);
  EXPECT_GE(ticks.front(), start);
}

}  // namespace
}  // namespace teleglas::charts
