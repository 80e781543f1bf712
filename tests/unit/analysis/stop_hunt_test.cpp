#include <gtest/gtest.h>

#include "teleglas/analysis/symbol_analyzer.hpp"
#include "test_events.hpp"

namespace teleglas {
namespace {

using namespace teleglas::testing;

class StopHunt : public ::testing::Test {
 protected:
  void feed(const MarketEvent& e) { analyzer.on_event(e, sink); }
  // $2.1M of long liquidations (forced sells) between t0 and t0+6s, prices 95,900..95,700.
  void flush_longs() {
    feed(liquidation(t0, Side::sell, 700'000, 95'900));
    feed(liquidation(t0 + 3'000, Side::sell, 700'000, 95'800));
    feed(liquidation(t0 + 6'000, Side::sell, 700'000, 95'700));
  }
  std::vector<Signal> hunts() const { return signals_of_type(sink.offers, SignalType::stop_hunt); }

  AnalysisConfig config;
  BuffersConfig buffers;
  SymbolAnalyzer analyzer{"BTCUSDT", settings_for(config)};
  CollectingSink sink;
};

TEST_F(StopHunt, FiresWhenAbsorptionCrossesThresholdBeforeWindowEnds) {
  flush_longs();
  feed(trade(t0 + 8'000, Side::buy, 60'000, 95'750));
  EXPECT_TRUE(hunts().empty()) << "$60K is below the $100K absorption threshold";
  feed(trade(t0 + 9'000, Side::buy, 50'000, 95'760));
  const auto signals = hunts();
  ASSERT_EQ(signals.size(), 1u);
  const Signal& s = signals[0];
  EXPECT_EQ(s.direction, Direction::bullish) << "long liquidations absorbed by buyers -> LONG";
  EXPECT_EQ(s.time, t0 + 9'000) << "decided by the trade that crossed the threshold";
  EXPECT_DOUBLE_EQ(s.absorption_usd, 110'000);
  EXPECT_DOUBLE_EQ(s.volume_usd, 2'100'000);
  EXPECT_DOUBLE_EQ(s.dominant_share, 1.0);
  EXPECT_DOUBLE_EQ(s.zone_low, 95'700);
  EXPECT_DOUBLE_EQ(s.zone_high, 95'900);
  EXPECT_EQ(s.window_start, t0);
  EXPECT_EQ(metric(s, "absorbing_trades"), 2);
}

TEST_F(StopHunt, ShortLiquidationsAbsorbedBySellersSuggestShort) {
  feed(liquidation(t0, Side::buy, 1'200'000, 96'100));
  feed(liquidation(t0 + 2'000, Side::buy, 1'000'000, 96'300));
  feed(trade(t0 + 4'000, Side::buy, 500'000, 96'300));  // same side as the forced flow
  EXPECT_TRUE(hunts().empty());
  feed(trade(t0 + 5'000, Side::sell, 150'000, 96'250));
  const auto signals = hunts();
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_EQ(signals[0].direction, Direction::bearish);
  ASSERT_TRUE(signals[0].setup.has_value());
  EXPECT_GT(signals[0].setup->stop, 96'300) << "stop above the hunt zone";
  EXPECT_LT(signals[0].setup->target, signals[0].setup->entry);
}

TEST_F(StopHunt, SetupPutsStopBelowZoneAndTargetAtRewardRisk) {
  flush_longs();
  feed(trade(t0 + 7'000, Side::buy, 120'000, 95'800));
  const auto signals = hunts();
  ASSERT_EQ(signals.size(), 1u);
  ASSERT_TRUE(signals[0].setup.has_value());
  const teleglas::Setup& setup = *signals[0].setup;
  EXPECT_DOUBLE_EQ(setup.entry, 95'800);
  EXPECT_LT(setup.stop, 95'700) << "stop below the zone low";
  EXPECT_NEAR(setup.target - setup.entry, 2.0 * (setup.entry - setup.stop), 1e-6);
}

TEST_F(StopHunt, GivesUpWhenAbsorptionWindowEndsWithoutEnoughAbsorption) {
  flush_longs();  // threshold crossed at t0+6s: absorption window until t0+36s
  feed(trade(t0 + 10'000, Side::buy, 80'000, 95'750));
  feed(trade(t0 + 37'000, Side::buy, 80'000, 95'760));  // too late
  EXPECT_TRUE(hunts().empty());
}

TEST_F(StopHunt, SmallTradesDoNotAbsorb) {
  flush_longs();
  for (int i = 0; i < 30; ++i) feed(trade(t0 + 7'000 + i * 100, Side::buy, 9'999, 95'750));
  EXPECT_TRUE(hunts().empty()) << "$300K of trades under $10K each is not absorption";
}

TEST_F(StopHunt, TradesBeforeTheThresholdIsCrossedDoNotCount) {
  feed(liquidation(t0, Side::sell, 1'000'000, 95'900));
  feed(trade(t0 + 1'000, Side::buy, 90'000, 95'850));
  feed(liquidation(t0 + 2'000, Side::sell, 1'000'000, 95'800));  // crosses $2M here
  feed(trade(t0 + 3'000, Side::buy, 20'000, 95'820));
  EXPECT_TRUE(hunts().empty());
  feed(trade(t0 + 4'000, Side::buy, 80'000, 95'820));
  EXPECT_EQ(hunts().size(), 1u);
}

TEST_F(StopHunt, NeedsTheThresholdWithinOneWindow) {
  feed(liquidation(t0, Side::sell, 1'000'000, 95'900));
  feed(liquidation(t0 + 31'000, Side::sell, 1'000'000, 95'800));  // first one has left
  feed(trade(t0 + 32'000, Side::buy, 200'000, 95'820));
  EXPECT_TRUE(hunts().empty());
}

TEST_F(StopHunt, OppositeSideMajorityBlocksTheHunt) {
  feed(liquidation(t0, Side::buy, 2'500'000, 95'900));
  feed(trade(t0 + 500, Side::buy, 10'000, 95'900));
  sink.offers.clear();
  feed(liquidation(t0 + 1'000, Side::sell, 2'100'000, 95'800));  // long side is the minority
  feed(trade(t0 + 2'000, Side::buy, 200'000, 95'820));
  EXPECT_TRUE(hunts().empty());
}

TEST_F(StopHunt, OneFlushGivesOneSignal) {
  flush_longs();
  feed(trade(t0 + 7'000, Side::buy, 120'000, 95'800));
  feed(trade(t0 + 8'000, Side::buy, 120'000, 95'800));
  feed(liquidation(t0 + 9'000, Side::sell, 10'000, 95'700));
  feed(trade(t0 + 10'000, Side::buy, 120'000, 95'800));
  EXPECT_EQ(hunts().size(), 1u) << "the liquidations were consumed by the first hunt";
}

TEST_F(StopHunt, LiquidationsDuringTheHuntWidenItsZoneAndVolume) {
  flush_longs();
  feed(liquidation(t0 + 8'000, Side::sell, 400'000, 95'500));
  feed(trade(t0 + 9'000, Side::buy, 150'000, 95'600));
  const auto signals = hunts();
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_DOUBLE_EQ(signals[0].volume_usd, 2'500'000);
  EXPECT_DOUBLE_EQ(signals[0].zone_low, 95'500);
  EXPECT_EQ(metric(signals[0], "liquidations"), 4);
}

TEST_F(StopHunt, IsReportedOnceWhateverBecomesOfTheReport) {
  // The analyzer never learns the score or the gate's answer: one flush, one detection.
  flush_longs();
  feed(trade(t0 + 7'000, Side::buy, 120'000, 95'800));
  feed(trade(t0 + 8'000, Side::buy, 20'000, 95'800));
  const auto signals = hunts();
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_DOUBLE_EQ(signals[0].absorption_usd, 120'000);
  EXPECT_TRUE(signals[0].factors.empty()) << "detections carry facts; the scorer scores";
}

TEST_F(StopHunt, PerSymbolThresholdsApply) {
  AnalysisConfig small_cap;
  small_cap.stop_hunt.liquidation_usd = 200'000;
  small_cap.stop_hunt.absorption_usd = 20'000;
  SymbolAnalyzer wif("WIFUSDT", settings_for(small_cap));
  wif.on_event(liquidation(t0, Side::sell, 250'000, 2.1, "WIFUSDT"), sink);
  wif.on_event(trade(t0 + 1'000, Side::buy, 25'000, 2.08, "WIFUSDT"), sink);
  ASSERT_EQ(hunts().size(), 1u);
  EXPECT_EQ(hunts()[0].symbol, "WIFUSDT");
}

}  // namespace
}  // namespace teleglas
