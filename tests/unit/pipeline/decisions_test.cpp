// Decisions only on watched windows, scoring in one place, confirmation between independent
// evidence, the hourly cap, and one clock for live and replay.
#include <gtest/gtest.h>

#include "tape.hpp"

namespace teleglas {
namespace {

using namespace teleglas::testing;

constexpr TimeMs t0 = 1'725'416'400'000;

// Heavy buying from `from` for `seconds`: four $300K buys and a $100K sell a minute.
void buying(Tape& tape, TimeMs from, int seconds, const std::string& symbol = "BTCUSDT") {
  for (int s = 0; s < seconds; s += 15) {
    tape.trade(from + s * 1'000, s % 60 == 45 ? Side::sell : Side::buy,
               s % 60 == 45 ? 100'000 : 300'000, 95'900, symbol);
  }
}

TEST(Warmup, OrderFlowDecidesOnlyOnceItsWindowWasWatchedWhole) {
  // The feed starts at t0 with heavy buying: the first boundaries hold 1..4 minutes of it.
  Tape tape;
  buying(tape, t0, 600);
  const auto found = of_type(tape.run(Config{}, t0 + 600'000), SignalType::accumulation);
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found.front().time, t0 + 300'000) << "not at +60 s from 60 s of data";
}

TEST(Warmup, AnOutageLongerThanATenthOfTheWindowBlindsItUntilWatchedAgain) {
  Tape tape;
  tape.background(t0 - 600'000, t0 + 900'000);
  buying(tape, t0, 900);
  Config config;
  Pipeline pipeline(config);
  pipeline.on_gap(t0 + 200'000, t0 + 260'000);  // a minute down
  const auto found = of_type(tape.run(pipeline, t0 + 900'000), SignalType::accumulation);
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found.front().time, t0 + 180'000) << "the first boundary with $2M+ of buying";
  for (const Signal& s : found) {
    EXPECT_FALSE(s.time > t0 + 200'000 && s.time - 300'000 < t0 + 260'000)
        << "decided at " << (s.time - t0) / 1000 << " s on a window that spans the outage";
  }
}

TEST(Warmup, ASilenceLongerThanTheWindowIsNotAQuietMarket) {
  // Two captures an hour apart: right after the second starts, the window holds 30 s of data.
  Tape tape;
  buying(tape, t0, 600);
  buying(tape, t0 + 3'600'000, 600);
  const auto found = of_type(tape.run(Config{}, t0 + 4'200'000), SignalType::accumulation);
  for (const Signal& s : found) {
    EXPECT_FALSE(s.time > t0 + 3'600'000 && s.time < t0 + 3'900'000)
        << "decided " << (s.time - t0 - 3'600'000) / 1000 << " s after the silence";
  }
  EXPECT_TRUE(std::any_of(found.begin(), found.end(),
                          [](const Signal& s) { return s.time == t0 + 3'900'000; }));
}

TEST(Warmup, ARestartMidWindowWaitsForAWholeWindow) {
  Tape first, second;
  first.background(t0 - 600'000, t0 + 150'000);
  buying(first, t0, 150);
  second.background(t0 + 150'000, t0 + 600'000);
  buying(second, t0 + 150'000, 450);
  Config config;
  {
    Pipeline before_restart(config);
    first.run(before_restart, t0 + 150'000);
  }
  Pipeline after_restart(config);
  const auto found = of_type(second.run(after_restart, t0 + 600'000), SignalType::accumulation);
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found.front().time, t0 + 480'000) << "the first boundary 300 s after the restart";
}

TEST(Scoring, WhaleAndAccumulationFromTheSameTradesDoNotConfirmEachOther) {
  Tape tape;
  tape.background(t0 - 600'000, t0 + 400'000);
  for (int i = 0; i < 4; ++i) tape.trade(t0 + i * 20'000, Side::buy, 600'000, 95'000 + i);
  const auto signals = tape.run(Config{}, t0 + 400'000);
  ASSERT_FALSE(of_type(signals, SignalType::whale_accumulation).empty());
  ASSERT_FALSE(of_type(signals, SignalType::accumulation).empty());
  for (const Signal& s : signals) EXPECT_FALSE(has_factor(s, "confirmation")) << to_string(s.type);
}

TEST(Scoring, TradeFlowConfirmsAStopHuntAcrossFamilies) {
  Tape tape;
  tape.background(t0 - 600'000, t0 + 400'000);
  buying(tape, t0 - 300'000, 300);  // accumulation decided at t0
  for (int i = 0; i < 3; ++i)
    tape.liquidation(t0 + 10'000 + i * 1'000, Side::sell, 900'000, 95'800);
  tape.trade(t0 + 14'000, Side::buy, 150'000, 95'800);
  const auto signals = tape.run(Config{}, t0 + 60'000);
  const auto hunts = of_type(signals, SignalType::stop_hunt);
  ASSERT_EQ(hunts.size(), 1u);
  EXPECT_TRUE(has_factor(hunts[0], "confirmation"));
}

TEST(Scoring, ASignalTheGateSuppressedConfirmsNothing) {
  Tape tape;
  tape.background(t0 - 600'000, t0 + 400'000);
  buying(tape, t0 - 300'000, 300);  // accumulation decided at t0 ...
  for (int i = 0; i < 3; ++i)
    tape.liquidation(t0 + 10'000 + i * 1'000, Side::sell, 900'000, 95'800);
  tape.trade(t0 + 14'000, Side::buy, 150'000, 95'800);
  Config config;
  config.signals.min_confidence = 90;  // ... and refused by the gate
  const auto signals = tape.run(config, t0 + 60'000);
  const auto hunts = of_type(signals, SignalType::stop_hunt);
  ASSERT_EQ(hunts.size(), 1u);
  for (const Signal& s : of_type(signals, SignalType::accumulation)) {
    EXPECT_GT(s.time, hunts[0].time) << "no accumulation passed before the hunt";
  }
  EXPECT_FALSE(has_factor(hunts[0], "confirmation"));
}

TEST(Scoring, AnOppositeCallOnTheSymbolIsAConflictNamedInTheFactors) {
  Tape tape;
  tape.background(t0 - 600'000, t0 + 400'000);
  for (int s = 0; s < 300; s += 15)
    tape.trade(t0 - 300'000 + s * 1'000, Side::sell, 300'000, 95'900);
  for (int i = 0; i < 3; ++i)
    tape.liquidation(t0 + 10'000 + i * 1'000, Side::sell, 900'000, 95'800);
  tape.trade(t0 + 14'000, Side::buy, 150'000, 95'800);
  const auto signals = tape.run(Config{}, t0 + 60'000);
  ASSERT_EQ(of_type(signals, SignalType::distribution).size(), 1u);
  const auto hunts = of_type(signals, SignalType::stop_hunt);
  ASSERT_EQ(hunts.size(), 1u);
  ASSERT_TRUE(has_factor(hunts[0], "conflict"));
  for (const ScoreFactor& f : hunts[0].factors) {
    if (f.name == "conflict") {
      EXPECT_EQ(f.points, -15);
      EXPECT_EQ(f.detail, "opposite to DISTRIBUTION SHORT 3 min 14 s earlier");
    }
  }
}

TEST(Scoring, AFlushIsALongCascadeThenALongStopHuntNeverOpposite) {
  Tape tape;
  tape.background(t0 - 600'000, t0 + 120'000);
  for (int i = 0; i < 12; ++i)
    tape.liquidation(t0 + i * 1'000, Side::sell, 500'000, 95'900 - i * 20);
  tape.trade(t0 + 13'000, Side::buy, 200'000, 95'650);
  const auto signals = tape.run(Config{}, t0 + 120'000);
  const auto cascades = of_type(signals, SignalType::liquidation_cascade);
  const auto hunts = of_type(signals, SignalType::stop_hunt);
  ASSERT_EQ(cascades.size(), 1u);
  ASSERT_EQ(hunts.size(), 1u);
  EXPECT_EQ(cascades[0].direction, Direction::bullish);
  EXPECT_EQ(hunts[0].direction, Direction::bullish);
  EXPECT_LT(cascades[0].confidence, hunts[0].confidence) << "the hunt is the confirmed form";
  EXPECT_FALSE(has_factor(hunts[0], "conflict"));
  EXPECT_FALSE(has_factor(hunts[0], "confirmation")) << "same family: not independent";
}

TEST(Gate, AnUrgentStopHuntPassesAfterFiftyInfoSignalsInTheHour) {
  Tape tape;
  tape.background(t0 - 600'000, t0 + 3'000'000);
  // 60 symbols with steady buying: WATCH accumulations (75) fill the hour's budget.
  for (int k = 0; k < 60; ++k) {
    const std::string symbol = "S" + std::to_string(k) + "USDT";
    for (int i = 0; i < 4; ++i)
      tape.trade(t0 + k * 30'000 + i * 1'000, Side::buy, 600'000, 10.0 + i, symbol);
    tape.trade(t0 + k * 30'000 + 5'000, Side::sell, 100'000, 10.0, symbol);
  }
  for (int i = 0; i < 3; ++i)
    tape.liquidation(t0 + 2'400'000 + i * 1'000, Side::sell, 1'200'000, 95'800);
  tape.trade(t0 + 2'404'000, Side::buy, 300'000, 95'800);
  Config config;
  Pipeline pipeline(config);
  const auto signals = tape.run(pipeline, t0 + 3'000'000);
  EXPECT_GT(pipeline.stats().suppressed_hourly_cap, 0u) << "the cap was reached";
  const auto hunts = of_type(signals, SignalType::stop_hunt);
  ASSERT_EQ(hunts.size(), 1u) << "an URGENT signal is never dropped by the cap";
  EXPECT_EQ(hunts[0].priority, Priority::urgent);
}

TEST(Clock, AReceiveClockAnyDistanceOffGivesTheSameSignals) {
  Tape tape;
  tape.background(t0 - 600'000, t0 + 700'000);
  buying(tape, t0, 600);
  for (int i = 0; i < 3; ++i)
    tape.liquidation(t0 + 400'000 + i * 1'000, Side::sell, 900'000, 95'800);
  tape.trade(t0 + 404'000, Side::buy, 150'000, 95'800);
  const auto events = tape.events();
  auto run_with_receive_offset = [&](std::optional<TimeMs> offset) {
      const Config config;
    Pipeline pipeline(config);
    std::vector<Signal> out;
    for (MarketEvent e : events) {
      if (offset) e.receive_time = e.exchange_time + *offset;
      pipeline.on_event(e, out);
    }
    pipeline.on_tick(t0 + 700'000, out);
    return out;
  };
  const auto recorded = run_with_receive_offset(std::nullopt);
  ASSERT_GE(recorded.size(), 2u);
  for (const TimeMs offset :
       {TimeMs{250}, TimeMs{120'000}, TimeMs{-120'000}, TimeMs{2LL * 365 * 86'400'000}}) {
    const auto live = run_with_receive_offset(offset);
    ASSERT_EQ(live.size(), recorded.size()) << offset;
    for (std::size_t i = 0; i < live.size(); ++i) {
      EXPECT_EQ(live[i].time, recorded[i].time);
      EXPECT_EQ(live[i].type, recorded[i].type);
      EXPECT_EQ(live[i].confidence, recorded[i].confidence);
    }
  }
}

TEST(Clock, AJumpVouchedForByTheReceiveTimeNeedsNoConfirmation) {
  // Live: a quiet feed, then the next event ten minutes on, stamped as it arrives.
  const Config config;
  Pipeline pipeline(config);
  std::vector<Signal> out;
  pipeline.on_event(
      MarketEvent{EventKind::trade, Side::buy, 95'000, 20'000, t0, t0, "BTCUSDT", "Binance", "BTC"},
      out);
  pipeline.on_event(MarketEvent{EventKind::trade, Side::buy, 95'000, 20'000, t0 + 600'000,
                                t0 + 600'050, "BTCUSDT", "Binance", "BTC"},
                    out);
  EXPECT_EQ(pipeline.now(), t0 + 600'000);
  // The same jump with a receive time that does not agree waits for the next frame.
  Pipeline other(config);
  other.on_event(
      MarketEvent{EventKind::trade, Side::buy, 95'000, 20'000, t0, t0, "BTCUSDT", "Binance", "BTC"},
      out);
  other.on_event(MarketEvent{EventKind::trade, Side::buy, 95'000, 20'000, t0 + 600'000, t0 + 1'000,
                             "BTCUSDT", "Binance", "BTC"},
                 out);
  EXPECT_EQ(other.now(), t0);
  other.on_event(MarketEvent{EventKind::trade, Side::buy, 95'000, 20'000, t0 + 600'500, t0 + 1'100,
                             "BTCUSDT", "Binance", "BTC"},
                 out);
  EXPECT_EQ(other.now(), t0 + 600'500);
  EXPECT_EQ(other.stats().rejected(), 0u);
}

}  // namespace
}  // namespace teleglas
