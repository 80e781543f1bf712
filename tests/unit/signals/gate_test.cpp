#include "teleglas/signals/gate.hpp"

#include <gtest/gtest.h>

#include "teleglas/signals/scorer.hpp"

namespace teleglas {
namespace {

constexpr TimeMs t0 = 1'725'416'400'000;

Signal signal_at(TimeMs t, int confidence, SignalType type = SignalType::stop_hunt,
                 std::string symbol = "BTCUSDT", Direction direction = Direction::bullish) {
  Signal s;
  s.type = type;
  s.symbol = std::move(symbol);
  s.direction = direction;
  s.time = t;
  s.confidence = confidence;
  return s;
}

TEST(Gate, AssignsPriorityByConfidence) {
  const PriorityConfig p;
  EXPECT_EQ(priority_for(85, p), Priority::urgent);
  EXPECT_EQ(priority_for(84, p), Priority::watch);
  EXPECT_EQ(priority_for(70, p), Priority::watch);
  EXPECT_EQ(priority_for(69, p), Priority::info);
  EXPECT_EQ(priority_for(60, p), Priority::info);
  EXPECT_EQ(priority_for(59, p), Priority::none);
}

TEST(Gate, RejectsBelowMinimumConfidence) {
  SignalsConfig config;
  SignalGate gate(config);
  Signal weak = signal_at(t0, 59);
  EXPECT_EQ(gate.admit(weak), GateVerdict::low_confidence);
  Signal ok = signal_at(t0, 60);
  EXPECT_EQ(gate.admit(ok), GateVerdict::pass);
  EXPECT_EQ(ok.priority, Priority::info);
}

TEST(Gate, NoRepeatOfTypeSymbolDirectionWithinCooldown) {
  SignalsConfig config;
  SignalGate gate(config);
  Signal first = signal_at(t0, 90);
  ASSERT_EQ(gate.admit(first), GateVerdict::pass);
  Signal repeat = signal_at(t0 + 299'999, 90);
  EXPECT_EQ(gate.admit(repeat), GateVerdict::cooldown);
  Signal other_direction =
      signal_at(t0 + 1'000, 90, SignalType::stop_hunt, "BTCUSDT", Direction::bearish);
  EXPECT_EQ(gate.admit(other_direction), GateVerdict::pass);
  Signal other_symbol = signal_at(t0 + 1'000, 90, SignalType::stop_hunt, "ETHUSDT");
  EXPECT_EQ(gate.admit(other_symbol), GateVerdict::pass);
  Signal other_type = signal_at(t0 + 1'000, 90, SignalType::accumulation);
  EXPECT_EQ(gate.admit(other_type), GateVerdict::pass);
  Signal later = signal_at(t0 + 300'000, 90);
  EXPECT_EQ(gate.admit(later), GateVerdict::pass);
}

// Admits `count` signals of `confidence` on distinct symbols, a second apart from t0.
void fill(SignalGate& gate, int count, int confidence, SignalType type) {
  for (int i = 0; i < count; ++i) {
    Signal s = signal_at(t0 + i * 1'000, confidence, type, "S" + std::to_string(i));
    ASSERT_EQ(gate.admit(s), GateVerdict::pass) << i;
  }
}

TEST(Gate, AtMostFiftyPerRollingHour) {
  SignalsConfig config;
  SignalGate gate(config);
  fill(gate, 50, 75, SignalType::stop_hunt);
  Signal over = signal_at(t0 + 60'000, 75, SignalType::stop_hunt, "OVER");
  EXPECT_EQ(gate.admit(over), GateVerdict::hourly_cap);
  Signal next_hour = signal_at(t0 + 3'600'000, 75, SignalType::stop_hunt, "OVER");
  EXPECT_EQ(gate.admit(next_hour), GateVerdict::pass) << "the first one has aged out";
}

int points_of(const Signal& s, std::string_view name) {
  for (const ScoreFactor& f : s.factors) {
    if (f.name == name) return f.points;
  }
  return -1;
}

TEST(Scorer, SpecExampleStopHunt) {
  const NoWinRateHistory none;
  Scorer scorer(none);
  Signal s = signal_at(t0, 0);
  s.volume_usd = 3'200'000;
  s.dominant_share = 0.85;
  s.absorption_usd = 150'000;
  scorer.score(s, AnalysisConfig{});
  EXPECT_EQ(points_of(s, "base"), 50);
  EXPECT_EQ(points_of(s, "volume"), 15);
  EXPECT_EQ(points_of(s, "one_sided"), 15);
  EXPECT_EQ(points_of(s, "absorption"), 25);
  EXPECT_EQ(points_of(s, "win_rate"), -1) << "no history, no bonus";
  EXPECT_EQ(s.confidence, 99) << "105 capped at 99";
}

TEST(Scorer, VolumeAndOneSidednessTiersAreStrict) {
  const NoWinRateHistory none;
  Scorer scorer(none);
  Signal s = signal_at(t0, 0, SignalType::accumulation);
  s.volume_usd = 2'000'000;  // not > $2M
  s.dominant_share = 0.7;    // not > 0.7
  scorer.score(s, AnalysisConfig{});
  EXPECT_EQ(s.confidence, 50);
  Signal t = signal_at(t0, 0, SignalType::accumulation);
  t.volume_usd = 5'000'001;
  t.dominant_share = 0.71;
  scorer.score(t, AnalysisConfig{});
  EXPECT_EQ(points_of(t, "volume"), 20);
  EXPECT_EQ(points_of(t, "one_sided"), 10);
  EXPECT_EQ(t.confidence, 80);
}

TEST(Scorer, PatternRulesComeFromTheDetectionsFactsAfterTheSharedFactors) {
  const NoWinRateHistory none;
  Signal s = signal_at(t0, 0, SignalType::whale_accumulation);
  s.metrics = {{"whale_trades", 3}, {"whale_trade_usd", 250'000}, {"price_range_pct", 0.05}};
  s.factors.push_back({"stale", 40, "whatever a detector claimed"});
  Scorer(none).score(s, AnalysisConfig{});
  ASSERT_EQ(s.factors.size(), 2u) << "the scorer alone decides the factors";
  EXPECT_EQ(s.factors[0].name, "base");
  EXPECT_EQ(s.factors[1].name, "whale_trades");
  EXPECT_EQ(s.factors[1].detail, "3 buys of at least $250.0K, price within 0.05%");
  EXPECT_EQ(s.confidence, 60);
}

TEST(Scorer, ACascadeScoresBelowTheStopHuntOfTheSameFlush) {
  const NoWinRateHistory none;
  Signal cascade = signal_at(t0, 0, SignalType::liquidation_cascade);
  cascade.volume_usd = 6'000'000;
  cascade.dominant_share = 0.95;
  cascade.metrics = {{"liquidations", 25}};
  Scorer(none).score(cascade, AnalysisConfig{});
  EXPECT_EQ(points_of(cascade, "cascade_events"), 10);
  EXPECT_EQ(points_of(cascade, "reversal_unconfirmed"), -15);
  EXPECT_EQ(cascade.confidence, 80) << "50 + 20 + 15 + 10 - 15: a WATCH, never URGENT";
  Signal hunt = signal_at(t0, 0, SignalType::stop_hunt);
  hunt.volume_usd = 6'000'000;
  hunt.dominant_share = 0.95;
  hunt.absorption_usd = 150'000;
  Scorer(none).score(hunt, AnalysisConfig{});
  EXPECT_GT(hunt.confidence, cascade.confidence);
}

TEST(Gate, AnUrgentSignalPassesWhenTheHourlyCapIsSpent) {
  SignalsConfig config;
  SignalGate gate(config);
  fill(gate, 50, 75, SignalType::accumulation);
  Signal watch = signal_at(t0 + 60'000, 75, SignalType::stop_hunt, "ETHUSDT");
  EXPECT_EQ(gate.admit(watch), GateVerdict::hourly_cap);
  Signal urgent = signal_at(t0 + 61'000, 95, SignalType::stop_hunt, "BTCUSDT");
  EXPECT_EQ(gate.admit(urgent), GateVerdict::pass) << "the cap never drops an URGENT signal";
  EXPECT_EQ(urgent.priority, Priority::urgent);
}

TEST(Gate, UrgentSignalsCountTowardTheCapButAreNeverShed) {
  SignalsConfig config;
  config.max_per_hour = 10;
  SignalGate gate(config);
  fill(gate, 10, 95, SignalType::stop_hunt);  // ten URGENT signals spend the hour
  Signal info = signal_at(t0 + 20'000, 62, SignalType::accumulation, "INFO");
  EXPECT_EQ(gate.admit(info), GateVerdict::hourly_cap);
  Signal watch = signal_at(t0 + 21'000, 75, SignalType::accumulation, "WATCH");
  EXPECT_EQ(gate.admit(watch), GateVerdict::hourly_cap);
  Signal urgent = signal_at(t0 + 22'000, 90, SignalType::stop_hunt, "URGENT");
  EXPECT_EQ(gate.admit(urgent), GateVerdict::pass);
}

TEST(Gate, ForgetsCooldownsThatAreOver) {
  SignalsConfig config;
  SignalGate gate(config);
  fill(gate, 40, 95, SignalType::stop_hunt);
  EXPECT_EQ(gate.tracked_keys(), 40u);
  Signal later = signal_at(t0 + 3'600'000, 95, SignalType::stop_hunt, "LATER");
  ASSERT_EQ(gate.admit(later), GateVerdict::pass);
  EXPECT_EQ(gate.tracked_keys(), 1u) << "cooldowns of an hour ago decide nothing";
}

TEST(Confirmation, OnlyAnotherEvidenceFamilyConfirms) {
  ConfirmationTracker tracker;
  tracker.remember(signal_at(t0, 80, SignalType::accumulation), 300'000);
  const auto by_hunt = tracker.find(signal_at(t0 + 100'000, 90, SignalType::stop_hunt), 300'000);
  ASSERT_NE(by_hunt.confirming, nullptr) << "liquidations confirmed by trade flow";
  EXPECT_EQ(by_hunt.confirming->type, SignalType::accumulation);
  EXPECT_EQ(
      tracker.find(signal_at(t0 + 100'000, 90, SignalType::whale_accumulation), 300'000).confirming,
      nullptr)
      << "whale and accumulation read the same trades: not independent";
  EXPECT_EQ(tracker.find(signal_at(t0 + 400'000, 90), 300'000).confirming, nullptr) << "too old";
}

TEST(Confirmation, AnOppositeCallOnTheSymbolIsAConflict) {
  ConfirmationTracker tracker;
  tracker.remember(
      signal_at(t0, 80, SignalType::distribution, "BTCUSDT", Direction::bearish), 300'000);
  const auto match = tracker.find(signal_at(t0 + 60'000, 90, SignalType::stop_hunt), 300'000);
  EXPECT_EQ(match.confirming, nullptr);
  ASSERT_NE(match.conflicting, nullptr);
  EXPECT_EQ(match.conflicting->type, SignalType::distribution);
  EXPECT_EQ(tracker.find(signal_at(t0 + 60'000, 90, SignalType::stop_hunt, "ETHUSDT"), 300'000)
                .conflicting,
            nullptr)
      << "another symbol";
}

}  // namespace
}  // namespace teleglas
