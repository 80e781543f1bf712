// Venues made explicit: liquidations summed across venues with a breakdown, prices from one
// reference venue and never stale, setups wide enough for the venue's own noise.
#include <gtest/gtest.h>

#include <cmath>

#include "tape.hpp"

namespace teleglas {
namespace {

using namespace teleglas::testing;

constexpr TimeMs t0 = 1'725'416'400'000;

TEST(Venues, OneStopHuntSeenThroughThreeVenuesIsOneSignalWithTheBreakdown) {
  Tape tape;
  tape.background(t0 - 600'000, t0 + 60'000);
  tape.liquidation(t0, Side::sell, 1'300'000, 95'900, "BTCUSDT", "Binance");
  tape.liquidation(t0 + 1'000, Side::sell, 500'000, 95'880, "BTCUSDT", "OKX");
  tape.liquidation(t0 + 2'000, Side::sell, 260'000, 95'860, "BTCUSDT", "Bybit");
  tape.trade(t0 + 3'000, Side::buy, 150'000, 95'800, "BTCUSDT", "Binance");
  const auto hunts = of_type(tape.run(Config{}, t0 + 60'000), SignalType::stop_hunt);
  ASSERT_EQ(hunts.size(), 1u) << "summed across venues: no single venue reached $2M";
  const Signal& s = hunts[0];
  ASSERT_EQ(s.venues.size(), 3u);
  EXPECT_EQ(s.venues[0].exchange, "Binance");
  EXPECT_DOUBLE_EQ(s.venues[0].usd, 1'300'000);
  EXPECT_EQ(s.venues[1].exchange, "OKX");
  EXPECT_EQ(s.venues[2].exchange, "Bybit");
  EXPECT_EQ(s.exchange, "Binance") << "BTCUSDT's subscription names Binance first";
  EXPECT_DOUBLE_EQ(s.zone_low, 95'900) << "the zone is the reference venue's, not a mix";
  EXPECT_DOUBLE_EQ(s.zone_high, 95'900);
}

TEST(Venues, TheAlertsExchangeIsNotWhicheverVenueSpokeLast) {
  // An accumulation built from Binance trades, then one small Bybit liquidation.
  Tape tape;
  tape.background(t0 - 600'000, t0 + 120'000);
  for (int i = 0; i < 10; ++i)
    tape.trade(t0 + i * 5'000, Side::buy, 300'000, 95'900, "BTCUSDT", "Binance");
  tape.trade(t0 + 55'000, Side::sell, 100'000, 95'900, "BTCUSDT", "Binance");
  tape.liquidation(t0 + 58'000, Side::buy, 2'000, 97'000, "BTCUSDT", "Bybit");
  const auto found = of_type(tape.run(Config{}, t0 + 61'000), SignalType::accumulation);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].exchange, "Binance");
  ASSERT_TRUE(found[0].setup.has_value());
  EXPECT_DOUBLE_EQ(found[0].setup->entry, 95'900) << "the Bybit print is not the entry";
  EXPECT_DOUBLE_EQ(found[0].zone_high, 95'900);
}

TEST(Venues, WithoutASubscriptionTheVenueWithMostVolumeSetsThePrices) {
  Tape tape;
  tape.background(t0 - 600'000, t0 + 60'000);
  for (int i = 0; i < 3; ++i)
    tape.liquidation(t0 + i * 1'000, Side::sell, 800'000, 2.10 - i * 0.01, "WIFUSDT", "OKX");
  tape.liquidation(t0 + 3'000, Side::sell, 50'000, 2.30, "WIFUSDT", "Bitget");
  tape.trade(t0 + 4'000, Side::buy, 150'000, 2.08, "WIFUSDT", "OKX");
  const auto hunts = of_type(tape.run(Config{}, t0 + 60'000), SignalType::stop_hunt);
  ASSERT_EQ(hunts.size(), 1u);
  EXPECT_EQ(hunts[0].exchange, "OKX");
  EXPECT_DOUBLE_EQ(hunts[0].zone_high, 2.10) << "Bitget's 2.30 is another venue's price";
  EXPECT_DOUBLE_EQ(hunts[0].setup->entry, 2.08);
}

TEST(Prices, ACascadeNeverTakesItsEntryFromAnOldTrade) {
  // BTCUSDT is subscribed on Binance; its last Binance trade is 20 min old at 100,000, and
  // the cascade prints at 90,000 on OKX.
  Tape tape;
  tape.background(t0 - 4'200'000, t0 + 60'000);
  tape.trade(t0 - 1'200'000, Side::buy, 50'000, 100'000, "BTCUSDT", "Binance");
  for (int i = 0; i < 12; ++i)
    tape.liquidation(t0 + i * 1'000, Side::sell, 500'000, 90'000 - i * 10, "BTCUSDT", "OKX");
  const auto cascades = of_type(tape.run(Config{}, t0 + 60'000), SignalType::liquidation_cascade);
  ASSERT_EQ(cascades.size(), 1u);
  const Signal& s = cascades[0];
  EXPECT_EQ(s.direction, Direction::bullish) << "longs flushed: a LONG reversal watch";
  EXPECT_FALSE(s.setup.has_value());
  EXPECT_EQ(s.setup_missing, "no Binance price in the last 30 s (the last is 20 min 9 s old)");
}

TEST(Prices, AnUnsubscribedSymbolTakesItsCascadeEntryFromTheFlushItself) {
  Tape tape;
  tape.background(t0 - 4'200'000, t0 + 60'000);
  tape.trade(t0 - 3'600'000, Side::buy, 50'000, 1.00, "DOGEUSDT", "Binance");
  for (int i = 0; i < 12; ++i)
    tape.liquidation(t0 + i * 1'000, Side::sell, 500'000, 0.90 - i * 0.001, "DOGEUSDT", "Binance");
  const auto cascades = of_type(tape.run(Config{}, t0 + 60'000), SignalType::liquidation_cascade);
  ASSERT_EQ(cascades.size(), 1u);
  ASSERT_TRUE(cascades[0].setup.has_value());
  EXPECT_DOUBLE_EQ(cascades[0].setup->entry, 0.891)
      << "the print that completed the cascade, not the hour-old 1.00";
}

TEST(Setups, TheStopSitsAtLeastTheVolatilityMultipleFromTheEntry) {
  // Thirty minutes in which every minute ranges 0.5% (95,000 .. 95,475), then a stop hunt
  // whose zone is a hair below the entry.
  Tape tape;
  tape.background(t0 - 2'400'000, t0 + 60'000);
  for (TimeMs m = t0 - 1'800'000; m < t0; m += 60'000) {
    tape.trade(m + 10'000, Side::buy, 20'000, 95'000);
    tape.trade(m + 40'000, Side::sell, 20'000, 95'475);
  }
  for (int i = 0; i < 3; ++i) tape.liquidation(t0 + i * 1'000, Side::sell, 800'000, 95'400);
  tape.trade(t0 + 4'000, Side::buy, 150'000, 95'400);
  Config config;
  const auto hunts = of_type(tape.run(config, t0 + 60'000), SignalType::stop_hunt);
  ASSERT_EQ(hunts.size(), 1u);
  ASSERT_TRUE(hunts[0].setup.has_value());
  const teleglas::Setup& setup = *hunts[0].setup;
  const double mean_range = 475.0 / 95'000.0;
  EXPECT_GE(setup.entry - setup.stop,
            config.analysis.setup.volatility_multiple * mean_range * setup.entry - 0.1);
  EXPECT_NEAR(setup.target - setup.entry, 2.0 * (setup.entry - setup.stop), 0.2);
}

TEST(Setups, AQuietVenueKeepsTheZoneStop) {
  // One minute of prices only: too few minutes to know the volatility.
  Tape tape;
  tape.background(t0 - 600'000, t0 + 60'000);
  for (int i = 0; i < 3; ++i)
    tape.liquidation(t0 + i * 1'000, Side::sell, 800'000, 95'400 - i * 100);
  tape.trade(t0 + 4'000, Side::buy, 150'000, 95'300);
  const auto hunts = of_type(tape.run(Config{}, t0 + 60'000), SignalType::stop_hunt);
  ASSERT_EQ(hunts.size(), 1u);
  EXPECT_LT(hunts[0].setup->stop, 95'200) << "below the zone";
  EXPECT_GT(hunts[0].setup->stop, 95'000) << "no volatility floor without enough minutes";
}

}  // namespace
}  // namespace teleglas
