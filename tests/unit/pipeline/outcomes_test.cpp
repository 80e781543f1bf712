// Outcomes through the pipeline: a signal the gate passed is followed on its reference
// venue to WIN, LOSS or EXPIRED, and what resolved scores the next signal of its type.
#include <gtest/gtest.h>

#include "tape.hpp"

namespace teleglas {
namespace {

using namespace teleglas::testing;

constexpr TimeMs t0 = 1'725'416'400'000;

// Longs flushed on Binance at 95,800 from `at`, absorbed by a large buy.
void flush(Tape& tape, TimeMs at, double price = 95'800) {
  for (int i = 0; i < 3; ++i) tape.liquidation(at + i * 1'000, Side::sell, 900'000, price);
  tape.trade(at + 4'000, Side::buy, 150'000, price);
}

std::vector<Outcome> outcomes_of(Pipeline& pipeline) {
  std::vector<Outcome> out;
  pipeline.take_outcomes(out);
  return out;
}

// The hunt of a flush at t0 + 10 s, decided by the pipeline alone (its setup is what the test
// then prints against).
Signal decided_hunt() {
  Tape tape;
  tape.background(t0 - 600'000, t0 + 60'000);
  flush(tape, t0 + 10'000);
  const auto hunts = of_type(tape.run(Config{}, t0 + 60'000), SignalType::stop_hunt);
  EXPECT_EQ(hunts.size(), 1u);
  return hunts.empty() ? Signal{} : hunts[0];
}

TEST(Outcomes, AStopHuntIsFollowedOnItsReferenceVenueToItsTarget) {
  const Signal hunt = decided_hunt();
  ASSERT_TRUE(hunt.setup);
  ASSERT_EQ(hunt.direction, Direction::bullish);
  const teleglas::Setup setup = *hunt.setup;

  Tape tape;
  tape.background(t0 - 600'000, t0 + 600'000);
  flush(tape, t0 + 10'000);
  // Another venue wicks below the stop: not the reference venue's price.
  tape.trade(t0 + 60'000, Side::sell, 1'000, setup.stop - 100, "BTCUSDT", "OKX");
  tape.trade(t0 + 90'000, Side::buy, 1'000, (setup.entry + setup.target) / 2);
  tape.trade(t0 + 240'000, Side::buy, 1'000, setup.target + 1);
  const Config config;
  Pipeline pipeline(config);
  const auto signals = tape.run(pipeline, t0 + 600'000);
  ASSERT_EQ(of_type(signals, SignalType::stop_hunt).size(), 1u);

  const auto changed = outcomes_of(pipeline);
  ASSERT_FALSE(changed.empty());
  const Outcome& o = changed.back();
  EXPECT_EQ(o.state, OutcomeState::win);
  EXPECT_EQ(o.resolved_time, t0 + 240'000);
  EXPECT_EQ(o.signal_time, hunt.time);
  EXPECT_EQ(o.type, SignalType::stop_hunt);
  EXPECT_EQ(o.symbol, "BTCUSDT");
  EXPECT_EQ(o.direction, Direction::bullish);
  EXPECT_EQ(o.exchange, "Binance");
  EXPECT_EQ(o.entry, setup.entry);
  EXPECT_EQ(o.confidence, hunt.confidence);
  EXPECT_NEAR(o.max_favourable, (setup.target + 1 - setup.entry) / setup.entry, 1e-12);
  ASSERT_TRUE(o.moves[0]);  // +5 min passed: the last Binance print before it
  EXPECT_NEAR(*o.moves[0], (setup.target + 1 - setup.entry) / setup.entry, 1e-12);
  EXPECT_EQ(pipeline.track_record(SignalType::stop_hunt).wins, 1);
}

TEST(Outcomes, TheStopFirstIsALossAndAGapInThePathIsMarked) {
  const Signal hunt = decided_hunt();
  ASSERT_TRUE(hunt.setup);
  Tape tape;
  tape.background(t0 - 600'000, t0 + 600'000);
  flush(tape, t0 + 10'000);
  tape.trade(t0 + 300'000, Side::sell, 1'000, hunt.setup->stop - 1);
  const Config config;
  Pipeline pipeline(config);
  std::vector<Signal> out;
  for (const MarketEvent& e : tape.events()) {
    if (e.exchange_time == t0 + 200'000) pipeline.on_gap(t0 + 150'000, t0 + 170'000);
    pipeline.on_event(e, out);
  }
  const auto changed = outcomes_of(pipeline);
  ASSERT_FALSE(changed.empty());
  EXPECT_EQ(changed.back().state, OutcomeState::loss);
  EXPECT_TRUE(changed.back().crossed_gap);
  EXPECT_EQ(pipeline.track_record(SignalType::stop_hunt).losses, 1);
}

TEST(Outcomes, WhatResolvedScoresTheNextSignalOfItsType) {
  const Signal hunt = decided_hunt();
  ASSERT_TRUE(hunt.setup);
  Config config;
  config.outcomes.min_sample = 1;
  Tape tape;
  tape.background(t0 - 600'000, t0 + 1'500'000);
  flush(tape, t0 + 10'000);
  tape.trade(t0 + 120'000, Side::buy, 1'000, hunt.setup->target + 1);  // WIN
  tape.trade(t0 + 900'000, Side::sell, 1'000, 95'800);
  flush(tape, t0 + 1'000'000);  // after the cooldown: another hunt
  const auto hunts = of_type(tape.run(config, t0 + 1'500'000), SignalType::stop_hunt);
  ASSERT_EQ(hunts.size(), 2u);
  EXPECT_FALSE(has_factor(hunts[0], "win_rate"));
  EXPECT_EQ(hunts[0].track_record, (TrackRecord{0, 0, 0, 7}));
  EXPECT_EQ(hunts[1].track_record, (TrackRecord{1, 0, 0, 7}));
  ASSERT_TRUE(has_factor(hunts[1], "win_rate"));
  EXPECT_EQ(factor_points(hunts[1], "win_rate"), 10) << "1 of 1 won > 70 %";
}

TEST(Outcomes, AfterARestartOpenOutcomesGoOnAndHistoryCountsInTheWinRate) {
  Outcome open;
  open.signal_time = t0 - 120'000;
  open.type = SignalType::distribution;
  open.symbol = "ETHUSDT";
  open.exchange = "Bybit";
  open.direction = Direction::bearish;
  open.entry = 3'000;
  open.stop = 3'030;
  open.target = 2'940;
  open.observed_until = t0 - 30'000;
  open.last_price = 2'995;
  std::vector<Outcome> history;
  for (int i = 0; i < 20; ++i) {
    Outcome won = open;
    won.type = SignalType::stop_hunt;
    won.state = i < 5 ? OutcomeState::loss : OutcomeState::win;  // 15 of 20
    won.resolved_time = t0 - 3'600'000 + i * 60'000;
    history.push_back(won);
  }
  const Config config;
  Pipeline pipeline(config);
  pipeline.restore_outcomes(std::span(&open, 1), history);
  EXPECT_EQ(pipeline.outcomes_followed(), 1u);
  EXPECT_EQ(pipeline.track_record(SignalType::stop_hunt), (TrackRecord{15, 5, 0, 7}));

  Tape tape;
  tape.background(t0 - 600'000, t0 + 60'000);
  tape.trade(t0 + 5'000, Side::sell, 1'000, 2'939, "ETHUSDT", "Bybit");
  tape.run(pipeline, t0 + 60'000);
  const auto changed = outcomes_of(pipeline);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].state, OutcomeState::win);
  EXPECT_FALSE(changed[0].crossed_gap) << "seen again 35 s after the last print";
  EXPECT_EQ(pipeline.track_record(SignalType::distribution).wins, 1);
}

}  // namespace
}  // namespace teleglas

namespace teleglas {
namespace {

TEST(Outcomes, ASilenceOfTheWholeFeedBetweenCapturesMarksThePath) {
  const Signal hunt = decided_hunt();
  ASSERT_TRUE(hunt.setup);
  Tape tape;
  tape.background(t0 - 600'000, t0 + 120'000);
  flush(tape, t0 + 10'000);
  // The capture stops two minutes in and the next starts an hour later at the target.
  tape.background(t0 + 3'600'000, t0 + 3'700'000);
  tape.trade(t0 + 3'610'000, Side::buy, 1'000, hunt.setup->target + 1);
  const Config config;
  Pipeline pipeline(config);
  tape.run(pipeline, t0 + 3'700'000);
  const auto changed = outcomes_of(pipeline);
  ASSERT_FALSE(changed.empty());
  EXPECT_EQ(changed.back().state, OutcomeState::win);
  EXPECT_TRUE(changed.back().crossed_gap);
}

}  // namespace
}  // namespace teleglas
