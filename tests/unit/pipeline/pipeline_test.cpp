#include "teleglas/pipeline/pipeline.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "../analysis/test_events.hpp"

namespace teleglas {
namespace {

using namespace teleglas::testing;

class PipelineTest : public ::testing::Test {
 protected:
  // Every scenario runs on a live market: a small liquidation somewhere every 5 s from ten
  // minutes before t0 on, so windows are watched and no silence blinds them.
  void feed(const MarketEvent& e) {
    background_until(e.exchange_time);
    pipeline().on_event(e, signals);
  }
  void background_until(TimeMs t) {
    pipeline();
    for (; next_background_ < t; next_background_ += 5'000) {
      pipeline_->on_event(liquidation(next_background_, Side::sell, 100, 1.0, "BGUSDT"), signals);
    }
  }
  Pipeline& pipeline() {
    if (!pipeline_) pipeline_ = std::make_unique<Pipeline>(config);
    return *pipeline_;
  }
  void tick(TimeMs t) {
    background_until(t);
    pipeline().on_tick(t, signals);
  }
  // A blatant stop hunt of longs on `symbol` starting at `t`: $3.2M flushed, $300K absorbed.
  void stop_hunt(TimeMs t, std::string_view symbol = "BTCUSDT") {
    for (int i = 0; i < 4; ++i)
      feed(liquidation(t + i * 2'000, Side::sell, 800'000, 95'900 - i * 50, symbol));
    feed(trade(t + 9'000, Side::buy, 300'000, 95'800, symbol));
  }
  std::vector<Signal> of_type(SignalType type) const { return signals_of_type(signals, type); }

  Config config;
  std::vector<Signal> signals;

 private:
  std::unique_ptr<Pipeline> pipeline_;
  TimeMs next_background_ = t0 - 600'000;
};

TEST_F(PipelineTest, BlatantStopHuntIsUrgentWithEveryFactorRecorded) {
  stop_hunt(t0);
  ASSERT_EQ(signals.size(), 1u);
  const Signal& s = signals[0];
  EXPECT_EQ(s.type, SignalType::stop_hunt);
  EXPECT_EQ(s.priority, Priority::urgent);
  EXPECT_EQ(s.confidence, 99);  // 50 + 15 (> $3M) + 15 (one-sided) + 25 (absorbed), capped
  EXPECT_TRUE(has_factor(s, "base"));
  EXPECT_TRUE(has_factor(s, "volume"));
  EXPECT_TRUE(has_factor(s, "one_sided"));
  EXPECT_TRUE(has_factor(s, "absorption"));
  EXPECT_EQ(pipeline().stats().emitted, 1u);
}

TEST_F(PipelineTest, SameHuntAgainWithinCooldownIsSuppressed) {
  stop_hunt(t0);
  stop_hunt(t0 + 120'000);
  EXPECT_EQ(of_type(SignalType::stop_hunt).size(), 1u);
  EXPECT_EQ(pipeline().stats().suppressed_cooldown, 1u);
  stop_hunt(t0 + 400'000);
  EXPECT_EQ(of_type(SignalType::stop_hunt).size(), 2u);
}

TEST_F(PipelineTest, SymbolsOutsideTheConfiguredListAreAnalysed) {
  stop_hunt(t0, "PEPEUSDT");
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_EQ(signals[0].symbol, "PEPEUSDT");
}

TEST_F(PipelineTest, PerSymbolOverridesComeFromTheConfig) {
  config.symbols.push_back(SymbolConfig{"WIFUSDT", {"Binance"}, 5'000, config.analysis});
  config.symbols.back().analysis.stop_hunt.liquidation_usd = 100'000;
  config.symbols.back().analysis.stop_hunt.absorption_usd = 10'000;
  feed(liquidation(t0, Side::sell, 150'000, 2.0, "WIFUSDT"));
  feed(trade(t0 + 1'000, Side::buy, 15'000, 1.98, "WIFUSDT"));
  feed(liquidation(t0, Side::sell, 150'000, 2.0, "DOGEUSDT"));
  feed(trade(t0 + 1'000, Side::buy, 15'000, 0.3, "DOGEUSDT"));
  ASSERT_EQ(of_type(SignalType::stop_hunt).size(), 1u);
  EXPECT_EQ(signals[0].symbol, "WIFUSDT");
  // 50 + 0 volume (< $2M) + 15 one-sided + 25 absorbed = 90
  EXPECT_EQ(signals[0].confidence, 90);
}

TEST_F(PipelineTest, AgreeingAnalyzerConfirmsAndAddsBonus) {
  // Five minutes of heavy buying, decided at the boundary t0+60s ...
  for (int i = 0; i < 10; ++i) feed(trade(t0 + i * 5'000, Side::buy, 300'000, 95'900));
  feed(trade(t0 + 55'000, Side::sell, 100'000, 95'900));
  tick(t0 + 60'000);
  ASSERT_EQ(of_type(SignalType::accumulation).size(), 1u);
  // ... then a long stop hunt on the same symbol: confirmed by the accumulation.
  stop_hunt(t0 + 70'000);
  const auto hunts = of_type(SignalType::stop_hunt);
  ASSERT_EQ(hunts.size(), 1u);
  EXPECT_TRUE(has_factor(hunts[0], "confirmation"));
}

TEST_F(PipelineTest, ClockOfOneSymbolDecidesWindowsOfAnother) {
  // $2.2M of buys below whale size: accumulation, decided at the minute boundary.
  for (int i = 0; i < 11; ++i) feed(trade(t0 + 1'000 + i, Side::buy, 200'000, 95'000));
  EXPECT_TRUE(signals.empty());
  feed(trade(t0 + 61'000, Side::buy, 20'000, 3'300, "ETHUSDT"));  // only ETH moves time
  const auto found = of_type(SignalType::accumulation);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].symbol, "BTCUSDT");
  EXPECT_EQ(found[0].time, t0 + 60'000);
}

TEST_F(PipelineTest, BlatantCaseOfEveryPatternReachesAtLeastWatch) {
  stop_hunt(t0);  // STOP_HUNT
  for (int i = 0; i < 10; ++i)
    feed(trade(t0 + 100'000 + i * 5'000, Side::buy, 300'000, 3'300, "ETHUSDT"));
  for (int i = 0; i < 10; ++i)
    feed(trade(t0 + 100'000 + i * 5'000, Side::sell, 300'000, 190, "SOLUSDT"));
  for (int i = 0; i < 15; ++i) {  // CASCADE
    feed(liquidation(t0 + 200'000 + i * 2'000, Side::buy, 450'000, 0.30 + i * 0.001, "DOGEUSDT"));
  }
  for (int i = 0; i < 4; ++i)
    feed(trade(t0 + 300'000 + i * 30'000, Side::buy, 600'000, 1.5, "ADAUSDT"));
  const FundingRate rates[] = {{"XRP", "Binance", 0.3, 8, t0 + 400'000},
                               {"XRP", "Bybit", 0.2, 8, t0 + 400'000}};
  pipeline().on_funding(rates, signals);
  OpenInterest binance, okx;
  binance.base_asset = okx.base_asset = "LTC";
  binance.exchange = "Binance";
  okx.exchange = "OKX";
  binance.open_interest_usd = okx.open_interest_usd = 1e9;
  binance.change_pct[OpenInterest::h1] = 4.0;
  okx.change_pct[OpenInterest::h1] = -3.0;
  binance.time = okx.time = t0 + 410'000;
  const OpenInterest rows[] = {binance, okx};
  pipeline().on_open_interest(rows, signals);
  tick(t0 + 500'000);

  for (const SignalType type :
       {SignalType::stop_hunt, SignalType::accumulation, SignalType::distribution,
        SignalType::liquidation_cascade, SignalType::whale_accumulation,
        SignalType::funding_extreme, SignalType::oi_divergence}) {
    const auto found = of_type(type);
    ASSERT_FALSE(found.empty()) << to_string(type);
    EXPECT_GE(found[0].priority, Priority::watch)
        << to_string(type) << " confidence " << found[0].confidence;
  }
}

TEST_F(PipelineTest, SameEventsSameSignals) {
  std::vector<MarketEvent> tape;
  for (TimeMs t = t0 - 600'000; t < t0 + 2'000'000; t += 5'000) {
    tape.push_back(liquidation(t, Side::sell, 100, 1.0, "BGUSDT"));
  }
  for (int k = 0; k < 3; ++k) {
    for (int i = 0; i < 4; ++i)
      tape.push_back(liquidation(t0 + k * 400'000 + i * 2'000 + 1, Side::sell, 800'000, 95'900));
    tape.push_back(trade(t0 + k * 400'000 + 9'001, Side::buy, 300'000, 95'800));
  }
  std::stable_sort(tape.begin(), tape.end(), [](const MarketEvent& a, const MarketEvent& b) {
    return a.exchange_time < b.exchange_time;
  });
  auto run = [&] {
    signals.clear();
    Pipeline p(config);
    for (const MarketEvent& e : tape) p.on_event(e, signals);
    p.on_tick(t0 + 2'000'000, signals);
    return signals;
  };
  const auto first = run();
  const auto second = run();
  ASSERT_EQ(first.size(), 3u);
  ASSERT_EQ(first.size(), second.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].time, second[i].time);
    EXPECT_EQ(first[i].confidence, second[i].confidence);
    EXPECT_EQ(first[i].setup->entry, second[i].setup->entry);
  }
}

}  // namespace
}  // namespace teleglas

namespace teleglas {
namespace {

using namespace teleglas::testing;

TEST_F(PipelineTest, SignalWhoseWindowSpansAShortOutageIsDegradedAndLosesConfidence) {
  background_until(t0);
  pipeline().on_gap(t0 + 2'500, t0 + 5'500);  // 3 s of the 30 s liquidation window below
  stop_hunt(t0);
  const auto& out = signals;
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].degraded_gap_ms, 3'000);
  EXPECT_EQ(out[0].confidence, 95) << "50 + 15 + 15 + 25 - 10, within the cap of 99";
  EXPECT_EQ(out[0].factors.back().name, "data_gap");
  EXPECT_EQ(out[0].factors.back().points, -10);
}

TEST_F(PipelineTest, OutagesOutsideTheWindowDoNotCount) {
  background_until(t0);
  pipeline().on_gap(t0 - 60'000, t0 - 30'000);
  stop_hunt(t0);
  const auto& out = signals;
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].degraded_gap_ms, 0);
  EXPECT_EQ(out[0].confidence, 99);
}

}  // namespace
}  // namespace teleglas
