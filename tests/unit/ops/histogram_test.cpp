#include "teleglas/ops/histogram.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

namespace teleglas {
namespace {

TEST(Histogram, BucketsAreCumulativeAndLessThanOrEqual) {
  Histogram h({0.1, 1, 10});
  for (double v : {0.05, 0.1, 0.5, 1.0, 3.0, 100.0}) h.observe(v);
  EXPECT_EQ(h.cumulative_count(0), 2u) << "0.1 falls in the 0.1 bucket";
  EXPECT_EQ(h.cumulative_count(1), 4u);
  EXPECT_EQ(h.cumulative_count(2), 5u);
  EXPECT_EQ(h.cumulative_count(3), 6u) << "+Inf holds everything";
  EXPECT_EQ(h.count(), 6u);
  EXPECT_DOUBLE_EQ(h.sum(), 104.65);
  EXPECT_EQ(h.negative_count(), 0u);
}

TEST(Histogram, NegativeValuesGoToTheLowestBucketAddNothingAndAreCounted) {
  Histogram h({0.1, 1});
  h.observe(-2.5);
  h.observe(0.5);
  EXPECT_EQ(h.cumulative_count(0), 1u);
  EXPECT_EQ(h.count(), 2u);
  EXPECT_DOUBLE_EQ(h.sum(), 0.5);
  EXPECT_EQ(h.negative_count(), 1u);
}

TEST(Histogram, NanIsIgnored) {
  Histogram h({1});
  h.observe(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(h.count(), 0u);
}

TEST(Histogram, BoundsMustIncrease) {
  EXPECT_THROW(Histogram({1, 1}), std::invalid_argument);
  EXPECT_THROW(Histogram({2, 1}), std::invalid_argument);
  EXPECT_THROW(Histogram({std::numeric_limits<double>::infinity()}), std::invalid_argument);
}

TEST(Histogram, TheDaemonsBucketsSpanTheirRanges) {
  EXPECT_EQ(event_to_alert_histogram().upper_bounds().front(), 0.05);
  EXPECT_EQ(event_to_alert_histogram().upper_bounds().back(), 60);
  EXPECT_EQ(exchange_lag_histogram().upper_bounds().front(), 0.01);
  EXPECT_EQ(exchange_lag_histogram().upper_bounds().back(), 30);
}

}  // namespace
}  // namespace teleglas
