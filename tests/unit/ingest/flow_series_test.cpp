#include "teleglas/ingest/flow_series.hpp"

#include <gtest/gtest.h>

#include <random>

#include "teleglas/ingest/keyed_ring.hpp"
#include "teleglas/ingest/price_series.hpp"

namespace teleglas {
namespace {

constexpr TimeMs t0 = 1'700'000'000'000;  // a whole second

FlowSeries series(TimeMs keep_ms = 360'000) {
  return FlowSeries(keep_ms, {LargeRule{10'000, false}, LargeRule{250'000, true}});
}

TEST(KeyedRing, KeepsKeysInOrderWhateverOrderTheyCome) {
  KeyedRing<int> ring;
  ring.at(10) = 1;
  ring.at(12) = 3;
  ring.at(11) = 2;  // late
  ring.at(12) += 10;
  std::vector<std::pair<std::int64_t, int>> seen;
  ring.for_range(0, 100, [&](std::int64_t k, int v) { seen.emplace_back(k, v); });
  EXPECT_EQ(seen, (std::vector<std::pair<std::int64_t, int>>{{10, 1}, {11, 2}, {12, 13}}));
  ring.drop_below(12);
  EXPECT_EQ(ring.size(), 1u);
  EXPECT_EQ(ring.oldest_key(), 12);
}

TEST(KeyedRing, MemoryFollowsTheKeysKeptNotTheKeysSeen) {
  KeyedRing<std::array<char, 64>> ring;
  for (std::int64_t k = 0; k < 100'000; ++k) {
    ring.at(k);
    ring.drop_below(k - 300);
  }
  EXPECT_EQ(ring.size(), 301u);
  EXPECT_LT(ring.memory_bytes(), 2'000u * sizeof(std::pair<std::int64_t, std::array<char, 64>>));
}

TEST(FlowSeries, TrailingWindowHoldsTheCurrentSecondAndTheSpanBeforeIt) {
  EXPECT_EQ(trailing_seconds(t0 + 10'400, 30'000).first, t0 / 1000 - 19);
  EXPECT_EQ(trailing_seconds(t0 + 10'400, 30'000).last, t0 / 1000 + 10);
  EXPECT_EQ(seconds_before(t0 + 60'000, 300'000).first, t0 / 1000 - 240);
  EXPECT_EQ(seconds_before(t0 + 60'000, 300'000).last, t0 / 1000 + 59);
}

TEST(FlowSeries, SumsBySideWithLargeTiersExactly) {
  FlowSeries flow = series();
  flow.add(t0, Side::buy, 10'000);  // not > $10K
  flow.add(t0 + 1, Side::buy, 10'000.01);  // > $10K
  flow.add(t0 + 2'000, Side::sell, 250'000);
  const FlowTotals totals = flow.sum({t0 / 1000, t0 / 1000 + 2});
  EXPECT_EQ(totals.count_of(Side::buy), 2);
  EXPECT_DOUBLE_EQ(totals.usd_of(Side::buy), 20'000.01);
  EXPECT_EQ(totals.large_count_of(0, Side::buy), 1);
  EXPECT_EQ(totals.large_count_of(1, Side::sell), 1) << "whale tier is inclusive";
  EXPECT_EQ(totals.first_time(), t0);
}

TEST(FlowSeries, AClaimExcludesWhatWasCountedAndKeepsWhatComesAfter) {
  FlowSeries flow = series();
  flow.add(t0 + 100, Side::sell, 1'000'000);
  const FlowClaim claim = flow.claim(Side::sell, t0 + 200);
  flow.add(t0 + 300, Side::sell, 50'000);  // same second, after the claim
  flow.add(t0 + 1'500, Side::sell, 70'000);
  const SecondRange window{t0 / 1000 - 29, t0 / 1000 + 1};
  EXPECT_EQ(flow.side_usd(window, Side::sell, claim), to_usd_units(120'000));
  EXPECT_DOUBLE_EQ(flow.sum(window, {claim, FlowClaim{}}).usd_of(Side::sell), 120'000);
  EXPECT_DOUBLE_EQ(flow.sum(window).usd_of(Side::sell), 1'120'000);
}

TEST(FlowSeries, SlidingSumEqualsAFreshSumThroughLateEventsAndExpiry) {
  std::mt19937 random(7);
  FlowSeries flow = series();
  TimeMs now = t0;
  TimeMs boundary = t0 + 60'000;
  for (int i = 0; i < 20'000; ++i) {
    now += random() % 400;
    const TimeMs late = random() % 10 == 0 ? static_cast<TimeMs>(random() % 20'000) : 0;
    flow.add(now - late, random() % 2 ? Side::buy : Side::sell, 1'000 + random() % 40'000);
    if (now >= boundary) {
      const SecondRange window = seconds_before(boundary, 300'000);
      const FlowTotals fresh = flow.sum(window);
      const FlowTotals sliding = flow.sliding_sum(window);
      ASSERT_EQ(sliding.sides[0].usd, fresh.sides[0].usd) << i;
      ASSERT_EQ(sliding.sides[1].count, fresh.sides[1].count) << i;
      ASSERT_EQ(sliding.total_large_count(0), fresh.total_large_count(0)) << i;
      boundary += random() % 5 == 0 ? 600'000 : 60'000;  // sometimes a jump past the span
      flow.expire(now);
    }
  }
}

TEST(FlowSeries, KeptTotalsBoundEveryWindow) {
  FlowSeries flow = series(60'000);
  flow.add(t0, Side::sell, 3'000'000);
  flow.add(t0 + 30'000, Side::buy, 300'000);
  EXPECT_EQ(flow.kept_usd(Side::sell), to_usd_units(3'000'000));
  EXPECT_EQ(flow.kept_large_count(Side::sell, 1), 1);
  EXPECT_EQ(flow.kept_large_count(Side::buy, 1), 1);
  flow.expire(t0 + 61'500);
  EXPECT_EQ(flow.kept_usd(Side::sell), 0) << "what left the series left the bound";
  EXPECT_EQ(flow.kept_large_count(Side::sell, 1), 0);
  EXPECT_EQ(flow.kept_large_count(Side::buy, 1), 1) << "still kept";
}

TEST(PriceSeries, RangesLastPriceAndVolumeByVenueSide) {
  PriceSeries prices(360'000, 1'800'000);
  prices.add(t0, 100, 5'000, Side::buy, false);
  prices.add(t0 + 500, 99, 2'000'000, Side::sell, true);
  prices.add(t0 + 200, 101, 5'000, Side::buy, false);  // late print
  EXPECT_DOUBLE_EQ(prices.last_price(), 99) << "the newest by time, not by arrival";
  const auto range = prices.range({t0 / 1000, t0 / 1000});
  ASSERT_TRUE(range);
  EXPECT_DOUBLE_EQ(range->low, 99);
  EXPECT_DOUBLE_EQ(range->high, 101);
  EXPECT_DOUBLE_EQ(prices.liquidation_range({t0 / 1000, t0 / 1000}, Side::sell)->low, 99);
  EXPECT_FALSE(prices.liquidation_range({t0 / 1000, t0 / 1000}, Side::buy));
  const VenueVolume v = prices.volume({t0 / 1000, t0 / 1000});
  EXPECT_EQ(v.trades[index_of(Side::buy)], to_usd_units(10'000));
  EXPECT_EQ(v.liquidations[index_of(Side::sell)], to_usd_units(2'000'000));
}

TEST(PriceSeries, MeanMinuteRangeNeedsEnoughMinutesAndCountsTheOneStillFilling) {
  PriceSeries prices(360'000, 1'800'000);
  const TimeMs start = t0 - t0 % 60'000;
  for (int m = 0; m < 5; ++m) {
    prices.add(start + m * 60'000 + 1'000, 100, 1, Side::buy, false);
    prices.add(start + m * 60'000 + 2'000, 101, 1, Side::buy, false);  // 1% each minute
  }
  EXPECT_FALSE(prices.mean_minute_range(start + 5 * 60'000, 1'800'000, 6));
  const auto mean = prices.mean_minute_range(start + 5 * 60'000, 1'800'000, 5);
  ASSERT_TRUE(mean);
  EXPECT_NEAR(*mean, 0.01, 1e-12);
}

}  // namespace
}  // namespace teleglas
