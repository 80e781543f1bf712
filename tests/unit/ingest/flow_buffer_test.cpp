#include "teleglas/ingest/flow_buffer.hpp"

#include <gtest/gtest.h>

namespace teleglas {
namespace {

constexpr TimeMs t0 = 1'700'000'000'000;

FlowEntry entry(TimeMs t, Side side, double usd, double price = 100) {
  return FlowEntry{t, price, usd, side};
}

TEST(FlowBuffer, WindowSumsBySideAndEvictsByTime) {
  FlowBuffer buffer(100);
  const int w = buffer.add_window({30'000, 0, true});
  buffer.push(entry(t0, Side::sell, 1'000));
  buffer.push(entry(t0 + 10'000, Side::buy, 500));
  buffer.push(entry(t0 + 20'000, Side::sell, 250.5));
  buffer.advance(t0 + 20'000);
  EXPECT_DOUBLE_EQ(buffer.totals(w).usd_of(Side::sell), 1'250.5);
  EXPECT_DOUBLE_EQ(buffer.totals(w).usd_of(Side::buy), 500);
  buffer.advance(t0 + 30'000);  // the first entry is exactly 30 s old: out
  EXPECT_DOUBLE_EQ(buffer.totals(w).usd_of(Side::sell), 250.5);
  EXPECT_EQ(buffer.totals(w).count_of(Side::sell), 1);
  buffer.advance(t0 + 60'000);
  EXPECT_EQ(buffer.totals(w).total_count(), 0);
  EXPECT_EQ(buffer.totals(w).total_usd(), 0.0);
}

TEST(FlowBuffer, CapacityOverflowLeavesTheWindow) {
  FlowBuffer buffer(3);
  const int w = buffer.add_window({60'000, 0, true});
  for (int i = 0; i < 5; ++i) buffer.push(entry(t0 + i, Side::buy, 10 * (i + 1)));
  EXPECT_EQ(buffer.size(), 3u);
  EXPECT_DOUBLE_EQ(buffer.totals(w).usd_of(Side::buy), 30 + 40 + 50);
  EXPECT_EQ(buffer.totals(w).count_of(Side::buy), 3);
}

TEST(FlowBuffer, LargeEntriesCountInclusiveOrStrict) {
  FlowBuffer buffer(10);
  const int inclusive = buffer.add_window({60'000, 10'000, true});
  const int strict = buffer.add_window({60'000, 10'000, false});
  buffer.push(entry(t0, Side::buy, 10'000));
  buffer.push(entry(t0, Side::buy, 10'000.5));
  buffer.push(entry(t0, Side::sell, 9'999.99));
  EXPECT_EQ(buffer.totals(inclusive).large_count_of(Side::buy), 2);
  EXPECT_EQ(buffer.totals(strict).large_count_of(Side::buy), 1);
  EXPECT_DOUBLE_EQ(buffer.totals(strict).large_usd_of(Side::buy), 10'000.5);
  EXPECT_EQ(buffer.totals(inclusive).large_count_of(Side::sell), 0);
}

TEST(FlowBuffer, WindowsOfDifferentSpansShareOneRing) {
  FlowBuffer buffer(10);
  const int short_window = buffer.add_window({10'000, 0, true});
  const int long_window = buffer.add_window({60'000, 0, true});
  buffer.push(entry(t0, Side::buy, 100));
  buffer.push(entry(t0 + 15'000, Side::buy, 200));
  buffer.advance(t0 + 15'000);
  EXPECT_DOUBLE_EQ(buffer.totals(short_window).usd_of(Side::buy), 200);
  EXPECT_DOUBLE_EQ(buffer.totals(long_window).usd_of(Side::buy), 300);
}

TEST(FlowBuffer, RestartSideForgetsWhatIsInsideButCountsWhatComesNext) {
  FlowBuffer buffer(10);
  const int w = buffer.add_window({30'000, 0, true});
  buffer.push(entry(t0, Side::sell, 1'000));
  buffer.push(entry(t0, Side::buy, 70));
  buffer.restart_side(w, Side::sell);
  EXPECT_EQ(buffer.totals(w).usd_of(Side::sell), 0);
  EXPECT_DOUBLE_EQ(buffer.totals(w).usd_of(Side::buy), 70) << "the other side is untouched";
  buffer.push(entry(t0 + 5'000, Side::sell, 300));
  EXPECT_DOUBLE_EQ(buffer.totals(w).usd_of(Side::sell), 300);
  int visited = 0;
  buffer.for_each_in_window(w, [&](const FlowEntry& e) { visited += e.side == Side::sell; });
  EXPECT_EQ(visited, 1) << "the forgotten entry is not visited either";
  buffer.advance(t0 + 30'000);  // evicting the forgotten entry must not subtract it
  EXPECT_DOUBLE_EQ(buffer.totals(w).usd_of(Side::sell), 300);
}

TEST(FlowBuffer, PriceRangeFollowsTheWindow) {
  FlowBuffer buffer(4);
  const int w = buffer.add_window({10'000, 0, true});
  EXPECT_FALSE(buffer.price_range(w).has_value());
  buffer.push(entry(t0, Side::buy, 1, 105));
  buffer.push(entry(t0 + 1'000, Side::sell, 1, 100));
  buffer.push(entry(t0 + 2'000, Side::buy, 1, 103));
  EXPECT_DOUBLE_EQ(buffer.price_range(w)->high, 105);
  EXPECT_DOUBLE_EQ(buffer.price_range(w)->low, 100);
  buffer.advance(t0 + 10'000);  // 105 leaves
  EXPECT_DOUBLE_EQ(buffer.price_range(w)->high, 103);
  buffer.restart_side(w, Side::sell);  // restarting counts does not hide prices
  EXPECT_DOUBLE_EQ(buffer.price_range(w)->low, 100);
  buffer.push(entry(t0 + 11'000, Side::buy, 1, 101));
  buffer.push(entry(t0 + 11'500, Side::buy, 1, 102));
  buffer.push(entry(t0 + 11'600, Side::buy, 1, 102.5));  // capacity 4: 100 drops out
  EXPECT_DOUBLE_EQ(buffer.price_range(w)->low, 101);
  EXPECT_DOUBLE_EQ(buffer.price_range(w)->high, 103);
}

TEST(FlowBuffer, SumsStayExactOverManyPushes) {
  FlowBuffer buffer(50);
  const int w = buffer.add_window({1'000, 0, true});
  for (int i = 0; i < 100'000; ++i) buffer.push(entry(t0 + i, Side::buy, 0.1 + (i % 7) * 0.3));
  buffer.advance(t0 + 200'000);
  EXPECT_EQ(buffer.totals(w).usd[index_of(Side::buy)], 0) << "no drift after eviction";
}

}  // namespace
}  // namespace teleglas
