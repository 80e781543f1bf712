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

TEST(Gate, AtMostFiftyPerRollingHour) {
  SignalsConfig config;
  SignalGate gate(config);
  for (int i = 0; i < 50; ++i) {
    Signal s = signal_at(t0 + i * 1'000, 90, SignalType::stop_hunt, "S" + std::to_string(i));
    ASSERT_EQ(gate.admit(s), GateVerdict::pass) << i;
  }
  Signal over = signal_at(t0 + 60'000, 90, SignalType::stop_hunt, "OVER");
  EXPECT_EQ(gate.admit(over), GateVerdict::hourly_cap);
  Signal next_hour = signal_at(t0 + 3'600'000, 90, SignalType::stop_hunt, "OVER");
  EXPECT_EQ(gate.admit(next_hour), GateVerdict::pass) << "the first one has aged out";
}

class FixedWinRate : public WinRateSource {
 public:
  explicit FixedWinRate(std::optional<double> rate) : rate_(rate) {}
  std::optional<double> win_rate(SignalType) const override { return rate_; }

 private:
  std::optional<double> rate_;
};

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
  scorer.score(s, ScoringConfig{});
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
  scorer.score(s, ScoringConfig{});
  EXPECT_EQ(s.confidence, 50);
  Signal t = signal_at(t0, 0, SignalType::accumulation);
  t.volume_usd = 5'000'001;
  t.dominant_share = 0.71;
  scorer.score(t, ScoringConfig{});
  EXPECT_EQ(points_of(t, "volume"), 20);
  EXPECT_EQ(points_of(t, "one_sided"), 10);
  EXPECT_EQ(t.confidence, 80);
}

TEST(Scorer, HistoricalWinRateAboveSeventyPercentAddsTen) {
  const FixedWinRate good(0.75), mediocre(0.7);
  Signal a = signal_at(t0, 0, SignalType::accumulation);
  Scorer(good).score(a, ScoringConfig{});
  EXPECT_EQ(points_of(a, "win_rate"), 10);
  EXPECT_EQ(a.confidence, 60);
  Signal b = signal_at(t0, 0, SignalType::accumulation);
  Scorer(mediocre).score(b, ScoringConfig{});
  EXPECT_EQ(b.confidence, 50);
}

TEST(Scorer, PatternFactorsAreKeptAfterTheSharedOnes) {
  const NoWinRateHistory none;
  Signal s = signal_at(t0, 0, SignalType::whale_accumulation);
  s.factors.push_back({"whale_trades", 10, "3 buys"});
  Scorer(none).score(s, ScoringConfig{});
  ASSERT_EQ(s.factors.size(), 2u);
  EXPECT_EQ(s.factors[0].name, "base");
  EXPECT_EQ(s.factors[1].name, "whale_trades");
  EXPECT_EQ(s.confidence, 60);
}

TEST(Confirmation, FindsAnotherTypeAgreeingOnSymbolAndDirection) {
  ConfirmationTracker tracker;
  tracker.remember(signal_at(t0, 80, SignalType::accumulation), 300'000);
  const Signal hunt = signal_at(t0 + 100'000, 90, SignalType::stop_hunt);
  const Signal* found = tracker.find(hunt, 300'000);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->type, SignalType::accumulation);
  EXPECT_EQ(tracker.find(signal_at(t0 + 100'000, 90, SignalType::accumulation), 300'000), nullptr)
      << "a signal does not confirm its own type";
  EXPECT_EQ(tracker.find(signal_at(t0 + 400'000, 90), 300'000), nullptr) << "too old";
  EXPECT_EQ(
      tracker.find(signal_at(t0 + 1'000, 90, SignalType::stop_hunt, "BTCUSDT", Direction::bearish),
                   300'000),
      nullptr);
}

}  // namespace
}  // namespace teleglas
