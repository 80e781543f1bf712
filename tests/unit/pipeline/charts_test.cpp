// The chart a signal carries is what the pipeline saw when it admitted it.
#include <gtest/gtest.h>

#include "tape.hpp"

namespace teleglas {
namespace {

using namespace teleglas::testing;

constexpr TimeMs t0 = 1'725'416'400'000;

Tape stop_hunt_through_two_venues() {
  Tape tape;
  tape.background(t0 - 1'200'000, t0 + 60'000);
  // Twenty minutes of Binance prints around 96,000 and an OKX price far away.
  for (TimeMs t = t0 - 1'200'000; t < t0; t += 10'000) {
    tape.trade(t, Side::buy, 2'000, 96'000 + (t / 10'000) % 7, "BTCUSDT", "Binance");
    tape.trade(t, Side::sell, 2'000, 80'000, "BTCUSDT", "OKX");
  }
  tape.liquidation(t0, Side::sell, 900'000, 95'900);
  tape.liquidation(t0 + 1'000, Side::sell, 900'000, 95'800);
  tape.liquidation(t0 + 2'000, Side::sell, 900'000, 95'700);
  tape.liquidation(t0 + 2'500, Side::buy, 30'000, 95'750);
  tape.trade(t0 - 60'000, Side::buy, 400'000, 96'001);  // large, but before the flush
  tape.trade(t0 + 3'000, Side::sell, 200'000, 95'650);  // large, the flushed side
  tape.trade(t0 + 4'000, Side::buy, 150'000, 95'750);   // the absorption
  return tape;
}

TEST(Charts, AnAdmittedStopHuntCarriesTheQuarterHourItWasDecidedOn) {
  const Config config;
  Pipeline pipeline(config);
  pipeline.capture_charts(true);
  const auto hunts =
      of_type(stop_hunt_through_two_venues().run(pipeline, t0 + 60'000), SignalType::stop_hunt);
  ASSERT_EQ(hunts.size(), 1u);
  const Signal& s = hunts[0];
  ASSERT_NE(s.chart, nullptr);
  const charts::ChartData& c = *s.chart;
  EXPECT_EQ(c.symbol, "BTCUSDT");
  EXPECT_EQ(c.exchange, "Binance");
  EXPECT_EQ(c.type, SignalType::stop_hunt);
  EXPECT_EQ(c.direction, Direction::bullish);
  EXPECT_EQ(c.decided_at, s.time);
  ASSERT_FALSE(c.candles.empty());
  EXPECT_GE(c.candles.front().start, s.time - c.window_ms - 5'000) << "no more than 15 min";
  EXPECT_LE(c.candles.front().start, s.time - c.window_ms + 10'000) << "the whole 15 min";
  for (const auto& candle : c.candles) {
    EXPECT_GT(candle.low, 90'000) << "only the reference venue's prices, never OKX's 80,000";
  }
  double longs = 0, shorts = 0;
  for (const auto& b : c.liquidations) {
    longs += b.longs_usd;
    shorts += b.shorts_usd;
  }
  EXPECT_DOUBLE_EQ(longs, 2'700'000);
  EXPECT_DOUBLE_EQ(shorts, 30'000);
  ASSERT_EQ(c.absorbing_trades.size(), 1u) << "large buys since the flush began, nothing else";
  EXPECT_EQ(c.absorbing_trades[0].time, t0 + 4'000);
  EXPECT_DOUBLE_EQ(c.absorbing_trades[0].usd, 150'000);
  EXPECT_DOUBLE_EQ(c.zone_low, s.zone_low);
  EXPECT_DOUBLE_EQ(c.zone_high, s.zone_high);
  ASSERT_TRUE(c.setup.has_value());
  ASSERT_TRUE(s.setup.has_value());
  EXPECT_DOUBLE_EQ(c.setup->entry, s.setup->entry);
  EXPECT_DOUBLE_EQ(c.setup->stop, s.setup->stop);
  EXPECT_DOUBLE_EQ(c.setup->target, s.setup->target);
}

TEST(Charts, WithoutCaptureNoSignalCarriesAChartAndTheSignalsAreTheSame) {
  const Config config;
  Pipeline plain(config);
  Pipeline charted(config);
  charted.capture_charts(true);
  const Tape tape = stop_hunt_through_two_venues();
  const auto a = tape.run(plain, t0 + 60'000);
  const auto b = tape.run(charted, t0 + 60'000);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].chart, nullptr);
    EXPECT_EQ(a[i].type, b[i].type);
    EXPECT_EQ(a[i].confidence, b[i].confidence);
    EXPECT_EQ(a[i].time, b[i].time);
    EXPECT_EQ(b[i].chart != nullptr, b[i].direction != Direction::neutral);
  }
}

TEST(Charts, ARestartWarmsAWholeQuarterHourWhenChartsAreDrawn) {
  const Config config;
  Pipeline pipeline(config);
  const TimeMs without = pipeline.memory_ms();
  pipeline.capture_charts(true);
  EXPECT_LT(without, 15 * 60'000);
  EXPECT_EQ(pipeline.memory_ms(), 15 * 60'000);
}

}  // namespace
}  // namespace teleglas
