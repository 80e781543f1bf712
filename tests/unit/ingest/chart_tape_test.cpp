// The chart's quarter hour: candles by event time, liquidations by side, large trades kept
// one by one, all bounded.
#include "teleglas/ingest/chart_tape.hpp"

#include <gtest/gtest.h>

namespace teleglas {
namespace {

constexpr TimeMs t0 = 1'725'416'400'000;  // a multiple of 5 s
constexpr TimeMs keep = 16 * 60'000;

TEST(ChartTape, ACandleOpensAndClosesByEventTimeEvenWhenAPrintArrivesLate) {
  ChartTape tape(keep, 10'000);
  tape.add_print(0, t0 + 1'000, 100);
  tape.add_print(0, t0 + 3'000, 104);
  tape.add_print(0, t0 + 500, 99);  // late, but the earliest of the bucket: its open
  tape.add_print(0, t0 + 2'000, 106);
  tape.add_print(0, t0 + 5'000, 101);  // the next bucket
  const auto candles = tape.candles(0, t0, t0 + 10'000);
  ASSERT_EQ(candles.size(), 2u);
  EXPECT_EQ(candles[0].start, t0);
  EXPECT_DOUBLE_EQ(candles[0].open, 99);
  EXPECT_DOUBLE_EQ(candles[0].high, 106);
  EXPECT_DOUBLE_EQ(candles[0].low, 99);
  EXPECT_DOUBLE_EQ(candles[0].close, 104);
  EXPECT_EQ(candles[1].start, t0 + 5'000);
  EXPECT_DOUBLE_EQ(candles[1].open, 101);
  EXPECT_DOUBLE_EQ(candles[1].close, 101);
}

TEST(ChartTape, EachVenueHasItsOwnCandles) {
  ChartTape tape(keep, 10'000);
  tape.add_print(0, t0, 100);
  tape.add_print(2, t0, 250);
  EXPECT_DOUBLE_EQ(tape.candles(0, t0, t0).at(0).high, 100);
  EXPECT_DOUBLE_EQ(tape.candles(2, t0, t0).at(0).high, 250);
  EXPECT_TRUE(tape.candles(1, t0, t0).empty());
  EXPECT_TRUE(tape.candles(7, t0, t0).empty()) << "a slot never seen";
}

TEST(ChartTape, LiquidationsAreSummedPerBucketBySide) {
  ChartTape tape(keep, 10'000);
  tape.add_liquidation(t0 + 100, Side::sell, 1'000'000);
  tape.add_liquidation(t0 + 4'900, Side::sell, 500'000);
  tape.add_liquidation(t0 + 4'950, Side::buy, 20'000);
  tape.add_liquidation(t0 + 5'000, Side::buy, 7'000);
  const auto buckets = tape.liquidations(t0, t0 + 5'000);
  ASSERT_EQ(buckets.size(), 2u);
  EXPECT_DOUBLE_EQ(buckets[0].longs_usd, 1'500'000) << "a forced sell closes a long";
  EXPECT_DOUBLE_EQ(buckets[0].shorts_usd, 20'000);
  EXPECT_DOUBLE_EQ(buckets[1].shorts_usd, 7'000);
}

TEST(ChartTape, OnlyLargeTradesOfTheAskedSideAndTimeAreReturned) {
  ChartTape tape(keep, 10'000);
  tape.add_trade(t0, Side::buy, 100, 9'999);  // below the size: not kept
  tape.add_trade(t0 + 1'000, Side::buy, 101, 10'000);
  tape.add_trade(t0 + 2'000, Side::sell, 102, 50'000);
  tape.add_trade(t0 + 3'000, Side::buy, 103, 80'000);
  const auto buys = tape.large_trades(Side::buy, t0, t0 + 2'500);
  ASSERT_EQ(buys.size(), 1u);
  EXPECT_EQ(buys[0].time, t0 + 1'000);
  EXPECT_DOUBLE_EQ(buys[0].price, 101);
  EXPECT_DOUBLE_EQ(buys[0].usd, 10'000);
  EXPECT_EQ(tape.large_trades(Side::sell, t0, t0 + 10'000).size(), 1u);
}

TEST(ChartTape, ADenseTapeStaysBoundedAndKeepsTheNewest) {
  ChartTape tape(keep, 10'000);
  for (int i = 0; i < 5'000; ++i) {
    tape.add_trade(t0 + i * 10, Side::buy, 100, 20'000);
  }
  const auto kept = tape.large_trades(Side::buy, t0, t0 + 60'000);
  ASSERT_EQ(kept.size(), ChartTape::max_large_trades);
  EXPECT_EQ(kept.back().time, t0 + 4'999 * 10);
}

TEST(ChartTape, WhatIsOlderThanTheQuarterHourKeptIsForgotten) {
  ChartTape tape(keep, 10'000);
  tape.add_print(0, t0, 100);
  tape.add_liquidation(t0, Side::sell, 1'000);
  tape.add_trade(t0, Side::buy, 100, 20'000);
  tape.add_print(0, t0 + keep - 1'000, 101);
  tape.expire(t0 + keep - 1'000);
  EXPECT_EQ(tape.candles(0, t0 - keep, t0 + keep).size(), 2u) << "still within what is kept";
  tape.expire(t0 + keep + 5'000);
  EXPECT_EQ(tape.candles(0, t0 - keep, t0 + keep).size(), 1u);
  EXPECT_TRUE(tape.liquidations(t0 - keep, t0 + keep).empty());
  EXPECT_TRUE(tape.large_trades(Side::buy, t0 - keep, t0 + keep).empty());
}

}  // namespace
}  // namespace teleglas
