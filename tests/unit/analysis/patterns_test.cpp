#include <gtest/gtest.h>

#include "teleglas/analysis/snapshot_patterns.hpp"
#include "teleglas/analysis/symbol_analyzer.hpp"
#include "test_events.hpp"

namespace teleglas {
namespace {

using namespace teleglas::testing;

class Patterns : public ::testing::Test {
 protected:
  void feed(const MarketEvent& e) { analyzer.on_event(e, sink); }
  std::vector<Signal> of_type(SignalType type) const { return signals_of_type(sink.offers, type); }

  AnalysisConfig config;
  BuffersConfig buffers;
  SymbolAnalyzer analyzer{"BTCUSDT", settings_for(config)};
  CollectingSink sink;
};

// ---- order flow ----

TEST_F(Patterns, OrderFlowAccumulationIsDecidedAtTheNextMinuteBoundary) {
  feed(trade(t0 + 1'000, Side::buy, 400'000, 95'000));
  feed(trade(t0 + 10'000, Side::buy, 300'000, 95'010));
  feed(trade(t0 + 20'000, Side::sell, 100'000, 95'005));
  feed(trade(t0 + 30'000, Side::buy, 200'000, 95'020));
  EXPECT_TRUE(of_type(SignalType::accumulation).empty()) << "not evaluated before the boundary";
  feed(trade(t0 + 61'000, Side::sell, 5'000, 95'020));
  const auto signals = of_type(SignalType::accumulation);
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_EQ(signals[0].time, t0 + 60'000);
  EXPECT_EQ(signals[0].direction, Direction::bullish);
  EXPECT_NEAR(metric(signals[0], "buy_ratio"), 0.9, 1e-9);
  EXPECT_EQ(metric(signals[0], "large_trades"), 4);
  EXPECT_DOUBLE_EQ(signals[0].volume_usd, 900'000);
  EXPECT_DOUBLE_EQ(signals[0].zone_low, 95'000);
  EXPECT_DOUBLE_EQ(signals[0].zone_high, 95'020);
}

TEST_F(Patterns, OrderFlowDistributionWhenBuyRatioBelowThreshold) {
  feed(trade(t0 + 1'000, Side::sell, 50'000, 95'000));
  feed(trade(t0 + 2'000, Side::sell, 50'000, 94'990));
  feed(trade(t0 + 3'000, Side::sell, 50'000, 94'980));
  feed(trade(t0 + 4'000, Side::buy, 20'000, 94'985));
  analyzer.on_tick(t0 + 60'000, sink);
  const auto signals = of_type(SignalType::distribution);
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_EQ(signals[0].direction, Direction::bearish);
  EXPECT_NEAR(signals[0].dominant_share, 150.0 / 170.0, 1e-9);
}

TEST_F(Patterns, OrderFlowNeedsThreeTradesLargerThanTenThousand) {
  feed(trade(t0 + 1'000, Side::buy, 900'000, 95'000));
  feed(trade(t0 + 2'000, Side::buy, 10'000, 95'000));  // exactly $10K is not larger
  feed(trade(t0 + 3'000, Side::buy, 10'000.01, 95'000));
  analyzer.on_tick(t0 + 60'000, sink);
  EXPECT_TRUE(of_type(SignalType::accumulation).empty());
}

TEST_F(Patterns, OrderFlowBalancedFlowIsNoSignal) {
  for (int i = 0; i < 10; ++i) {
    feed(trade(t0 + 1'000 + i * 1'000, i % 2 ? Side::buy : Side::sell, 50'000, 95'000));
  }
  analyzer.on_tick(t0 + 60'000, sink);
  EXPECT_TRUE(sink.offers.empty());
}

TEST_F(Patterns, OrderFlowWindowForgetsTradesOlderThanFiveMinutes) {
  for (int i = 0; i < 4; ++i) feed(trade(t0 + 1'000 + i, Side::buy, 50'000, 95'000));
  analyzer.on_tick(t0 + 60'000, sink);
  ASSERT_EQ(of_type(SignalType::accumulation).size(), 1u);
  sink.offers.clear();
  analyzer.on_tick(t0 + 360'000, sink);  // boundaries at +120..+300 still hold them; +360 not
  std::vector<TimeMs> times;
  for (const Signal& s : of_type(SignalType::accumulation)) times.push_back(s.time);
  EXPECT_EQ(times, (std::vector<TimeMs>{t0 + 120'000, t0 + 180'000, t0 + 240'000, t0 + 300'000}))
      << "every boundary is evaluated, even across a gap; the gate removes repeats";
}

// ---- liquidation cascade ----

TEST_F(Patterns, CascadeOfLongLiquidationsIsALongReversalWatch) {
  for (int i = 0; i < 10; ++i) {
    feed(liquidation(t0 + i * 4'000, Side::sell, 550'000, 95'000 - i * 50));
  }
  const auto signals = of_type(SignalType::liquidation_cascade);
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_EQ(signals[0].direction, Direction::bullish) << "longs flushed: watch for the reversal";
  EXPECT_EQ(signals[0].time, t0 + 36'000);
  EXPECT_DOUBLE_EQ(signals[0].volume_usd, 5'500'000);
  EXPECT_DOUBLE_EQ(signals[0].zone_low, 95'000 - 9 * 50);
  EXPECT_DOUBLE_EQ(signals[0].zone_high, 95'000);
  ASSERT_TRUE(signals[0].setup.has_value());
  EXPECT_LT(signals[0].setup->stop, 95'000 - 9 * 50) << "stop below the flushed zone";
}

TEST_F(Patterns, CascadeNeedsEnoughLiquidations) {
  for (int i = 0; i < 9; ++i) feed(liquidation(t0 + i * 1'000, Side::sell, 1'000'000, 95'000));
  EXPECT_TRUE(of_type(SignalType::liquidation_cascade).empty()) << "9 events < 10";
}

TEST_F(Patterns, CascadeFiresOncePerFlush) {
  for (int i = 0; i < 14; ++i) feed(liquidation(t0 + i * 1'000, Side::sell, 600'000, 95'000));
  EXPECT_EQ(of_type(SignalType::liquidation_cascade).size(), 1u);
}

// ---- whale accumulation ----

TEST_F(Patterns, WhaleBuysWithFlatPriceAreAccumulation) {
  feed(trade(t0, Side::buy, 300'000, 95'000));
  feed(trade(t0 + 20'000, Side::sell, 20'000, 95'050));
  feed(trade(t0 + 60'000, Side::buy, 400'000, 95'040));
  EXPECT_TRUE(of_type(SignalType::whale_accumulation).empty());
  feed(trade(t0 + 90'000, Side::buy, 500'000, 95'020));
  const auto signals = of_type(SignalType::whale_accumulation);
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_EQ(signals[0].direction, Direction::bullish);
  EXPECT_DOUBLE_EQ(signals[0].volume_usd, 1'200'000);
  EXPECT_EQ(metric(signals[0], "whale_trades"), 3);
  EXPECT_NEAR(metric(signals[0], "price_range_pct"), 50.0 / 95'000 * 100, 1e-9);
}

TEST_F(Patterns, WhaleBuysIntoAMovingPriceAreNotAccumulation) {
  feed(trade(t0, Side::buy, 300'000, 95'000));
  feed(trade(t0 + 60'000, Side::buy, 400'000, 95'200));
  feed(trade(t0 + 90'000, Side::buy, 500'000, 95'400));  // 0.42% range > 0.3%
  EXPECT_TRUE(of_type(SignalType::whale_accumulation).empty());
}

// ---- snapshot patterns ----

class Snapshots : public ::testing::Test {
 protected:
  Snapshots() {
    context.config_for = [this](std::string_view) -> const AnalysisConfig& { return config; };
    context.quote = [](std::string_view symbol) {
      PriceQuote quote;
      if (symbol == "BTCUSDT") {
        quote.price = 95'000;
        quote.venue = "Binance";
      } else {
        quote.missing = "no recent price for " + std::string(symbol);
      }
      return quote;
    };
  }
  static FundingRate rate(std::string_view base, std::string_view exchange, double pct,
                          double interval_h = 8, TimeMs t = t0) {
    return FundingRate{base, exchange, pct, interval_h, t};
  }
  static OpenInterest oi(std::string_view base, std::string_view exchange, double usd,
                         double change_1h, TimeMs t = t0) {
    OpenInterest o;
    o.base_asset = base;
    o.exchange = exchange;
    o.open_interest_usd = usd;
    o.change_pct[OpenInterest::h1] = change_1h;
    o.time = t;
    return o;
  }

  AnalysisConfig config;
  SnapshotContext context;
  CollectingSink sink;
};

TEST_F(Snapshots, PositiveFundingExtremeSuggestsShort) {
  FundingExtremeDetector detector;
  const FundingRate rates[] = {rate("BTC", "Binance", 0.25), rate("BTC", "Bybit", 0.15),
                               rate("ETH", "Binance", 0.01)};
  detector.on_snapshot(rates, context, sink);
  ASSERT_EQ(sink.offers.size(), 1u);
  const Signal& s = sink.offers[0];
  EXPECT_EQ(s.type, SignalType::funding_extreme);
  EXPECT_EQ(s.symbol, "BTCUSDT");
  EXPECT_EQ(s.exchange, "Binance");
  EXPECT_EQ(s.direction, Direction::bearish) << "longs crowded and paying";
  EXPECT_EQ(metric(s, "exchanges"), 2);
  ASSERT_TRUE(s.setup.has_value());
  EXPECT_DOUBLE_EQ(s.setup->entry, 95'000);
}

TEST_F(Snapshots, FundingIsNormalizedToEightHours) {
  FundingExtremeDetector detector;
  const FundingRate four_hourly[] = {rate("SOL", "OKX", -0.06, 4)};  // -0.12% per 8h
  detector.on_snapshot(four_hourly, context, sink);
  ASSERT_EQ(sink.offers.size(), 1u);
  EXPECT_EQ(sink.offers[0].direction, Direction::bullish);
  EXPECT_NEAR(metric(sink.offers[0], "funding_rate_8h_pct"), -0.12, 1e-12);
  EXPECT_FALSE(sink.offers[0].setup.has_value()) << "no SOL price seen yet";
  EXPECT_EQ(sink.offers[0].setup_missing, "no recent price for SOLUSDT");
}

TEST_F(Snapshots, FundingExtremeAlertsOnceUntilItNormalizes) {
  FundingExtremeDetector detector;
  const FundingRate extreme[] = {rate("BTC", "Binance", 0.2)};
  const FundingRate normal[] = {rate("BTC", "Binance", 0.01)};
  detector.on_snapshot(extreme, context, sink);
  detector.on_snapshot(extreme, context, sink);
  EXPECT_EQ(sink.offers.size(), 1u);
  detector.on_snapshot(normal, context, sink);
  detector.on_snapshot(extreme, context, sink);
  EXPECT_EQ(sink.offers.size(), 2u);
}

TEST_F(Snapshots, FundingAtThresholdIsNotExtreme) {
  FundingExtremeDetector detector;
  const FundingRate rates[] = {rate("BTC", "Binance", 0.1)};
  detector.on_snapshot(rates, context, sink);
  EXPECT_TRUE(sink.offers.empty());
}

TEST_F(Snapshots, OpenInterestRisingOnOneExchangeFallingOnAnotherIsDivergence) {
  OiDivergenceDetector detector;
  const OpenInterest rows[] = {oi("BTC", "All", 6e10, 0.5), oi("BTC", "Binance", 1.2e10, 4.0),
                               oi("BTC", "OKX", 5e9, -3.0), oi("BTC", "Bybit", 6e9, 0.2),
                               oi("BTC", "Tiny", 1e6, -20.0)};
  detector.on_snapshot(rows, context, sink);
  ASSERT_EQ(sink.offers.size(), 1u);
  const Signal& s = sink.offers[0];
  EXPECT_EQ(s.type, SignalType::oi_divergence);
  EXPECT_EQ(s.direction, Direction::neutral);
  EXPECT_EQ(s.exchange, "Binance/OKX") << "the aggregate row and small exchanges are ignored";
  EXPECT_DOUBLE_EQ(metric(s, "oi_spread_pct"), 7.0);
  EXPECT_EQ(metric(s, "exchanges"), 3);
}

TEST_F(Snapshots, OpenInterestMovingTogetherIsNotDivergence) {
  OiDivergenceDetector detector;
  const OpenInterest rows[] = {oi("BTC", "Binance", 1.2e10, 6.0), oi("BTC", "OKX", 5e9, 1.0)};
  detector.on_snapshot(rows, context, sink);
  EXPECT_TRUE(sink.offers.empty()) << "a 5% spread, but both rising";
}

}  // namespace
}  // namespace teleglas
