#include "teleglas/signals/outcome_tracker.hpp"

#include <gtest/gtest.h>

namespace teleglas {
namespace {

constexpr TimeMs t0 = 1'725'416'400'000;
constexpr TimeMs minute = 60'000;
constexpr TimeMs horizon = 4 * 3'600'000;

Signal hunt(Direction direction, double entry, double stop, double target, TimeMs at = t0) {
  Signal s;
  s.type = SignalType::stop_hunt;
  s.symbol = "BTCUSDT";
  s.exchange = "Binance";
  s.direction = direction;
  s.confidence = 87;
  s.time = at;
  s.setup = Setup{entry, stop, target};
  return s;
}

std::vector<Outcome> changes(OutcomeTracker& tracker) {
  std::vector<Outcome> out;
  tracker.take_changes(out);
  return out;
}

std::vector<Outcome> resolved(OutcomeTracker& tracker) {
  std::vector<Outcome> out;
  tracker.take_resolved(out);
  return out;
}

TEST(OutcomeTracker, LongReachesItsTargetFirst) {
  OutcomeTracker tracker(horizon);
  ASSERT_TRUE(tracker.follow(hunt(Direction::bullish, 100, 98, 104)));
  tracker.on_price("BTCUSDT", "Binance", t0 + 1'000, 99);
  tracker.on_price("BTCUSDT", "Binance", t0 + 2'000, 101);
  EXPECT_TRUE(resolved(tracker).empty());
  tracker.on_price("BTCUSDT", "Binance", t0 + 90'000, 104);
  const auto done = resolved(tracker);
  ASSERT_EQ(done.size(), 1u);
  const Outcome& o = done[0];
  EXPECT_EQ(o.state, OutcomeState::win);
  EXPECT_EQ(o.resolved_time, t0 + 90'000);
  EXPECT_DOUBLE_EQ(o.max_favourable, 0.04);
  EXPECT_DOUBLE_EQ(o.max_adverse, 0.01);
  EXPECT_EQ(o.symbol, "BTCUSDT");
  EXPECT_EQ(o.confidence, 87);
  EXPECT_EQ(o.entry, 100);
  // The resolution is reported as a change at once.
  const auto changed = changes(tracker);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].state, OutcomeState::win);
}

TEST(OutcomeTracker, ShortHitsItsStopFirst) {
  OutcomeTracker tracker(horizon);
  tracker.follow(hunt(Direction::bearish, 100, 101, 98));
  tracker.on_price("BTCUSDT", "Binance", t0 + 1'000, 99.5);  // +0.5 % for a short
  tracker.on_price("BTCUSDT", "Binance", t0 + 5'000, 101.2);
  const auto done = resolved(tracker);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].state, OutcomeState::loss);
  EXPECT_NEAR(done[0].max_favourable, 0.005, 1e-12);
  EXPECT_NEAR(done[0].max_adverse, 0.012, 1e-12);
  // Nothing after the resolution changes it.
  tracker.on_price("BTCUSDT", "Binance", t0 + 9'000, 97);
  EXPECT_TRUE(resolved(tracker).empty());
}

TEST(OutcomeTracker, OnlyTheReferenceVenueDecides) {
  OutcomeTracker tracker(horizon);
  tracker.follow(hunt(Direction::bullish, 100, 98, 104));
  // Another venue wicks through the target and the stop: not this signal's prices.
  EXPECT_TRUE(tracker.on_price("BTCUSDT", "OKX", t0 + 1'000, 110));
  tracker.on_price("BTCUSDT", "Bybit", t0 + 2'000, 90);
  tracker.on_price("ETHUSDT", "Binance", t0 + 2'000, 90);
  EXPECT_TRUE(resolved(tracker).empty());
  // Venue names compare without case, as everywhere else.
  tracker.on_price("BTCUSDT", "BINANCE", t0 + 3'000, 97.9);
  ASSERT_EQ(resolved(tracker).size(), 1u);
}

TEST(OutcomeTracker, NothingToFollowWithoutASetupOrADirection) {
  OutcomeTracker tracker(horizon);
  Signal no_setup = hunt(Direction::bullish, 100, 98, 104);
  no_setup.setup.reset();
  EXPECT_FALSE(tracker.follow(no_setup));
  Signal neutral = hunt(Direction::neutral, 100, 98, 104);
  EXPECT_FALSE(tracker.follow(neutral));
  EXPECT_EQ(tracker.following(), 0u);
  EXPECT_FALSE(tracker.on_price("BTCUSDT", "Binance", t0, 100));
}

TEST(OutcomeTracker, ExpiresAtTheHorizonWhenNeitherPrinted) {
  OutcomeTracker tracker(horizon);
  tracker.follow(hunt(Direction::bullish, 100, 98, 104));
  tracker.on_price("BTCUSDT", "Binance", t0 + minute, 102);
  tracker.advance(t0 + horizon);
  EXPECT_TRUE(resolved(tracker).empty()) << "the horizon itself is still inside";
  tracker.advance(t0 + horizon + 1'000);
  const auto done = resolved(tracker);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].state, OutcomeState::expired);
  EXPECT_EQ(done[0].resolved_time, t0 + horizon);
  EXPECT_DOUBLE_EQ(done[0].max_favourable, 0.02);
  // A print past the horizon cannot turn it into a win.
  tracker.on_price("BTCUSDT", "Binance", t0 + horizon + 2'000, 105);
  EXPECT_TRUE(resolved(tracker).empty());
  EXPECT_EQ(tracker.following(), 0u) << "expired and every checkpoint passed: done";
}

TEST(OutcomeTracker, MovesAtCheckpointsAreTheLastPrintAtOrBeforeThem) {
  OutcomeTracker tracker(horizon);
  tracker.follow(hunt(Direction::bearish, 200, 204, 192));
  tracker.on_price("BTCUSDT", "Binance", t0 + 4 * minute, 198);      // +1 % for the short
  tracker.on_price("BTCUSDT", "Binance", t0 + 5 * minute, 197);      // at +5 min exactly
  tracker.on_price("BTCUSDT", "Binance", t0 + 6 * minute, 202);      // after: not the +5 min move
  tracker.advance(t0 + 16 * minute);                                 // +15 min without a print
  auto changed = changes(tracker);
  ASSERT_FALSE(changed.empty());
  const Outcome& o = changed.back();
  ASSERT_TRUE(o.moves[0]);
  EXPECT_DOUBLE_EQ(*o.moves[0], 0.015);
  ASSERT_TRUE(o.moves[1]);
  EXPECT_DOUBLE_EQ(*o.moves[1], -0.01);
  EXPECT_FALSE(o.moves[2]);
  EXPECT_EQ(o.state, OutcomeState::open);
}

TEST(OutcomeTracker, KeepsFollowingAResolvedSignalForTheHourMove) {
  OutcomeTracker tracker(horizon);
  tracker.follow(hunt(Direction::bullish, 100, 99, 102));
  tracker.on_price("BTCUSDT", "Binance", t0 + minute, 102.5);  // WIN after one minute
  ASSERT_EQ(resolved(tracker).size(), 1u);
  changes(tracker);
  EXPECT_EQ(tracker.following(), 1u);
  tracker.on_price("BTCUSDT", "Binance", t0 + 50 * minute, 98);  // below the stop: too late
  tracker.advance(t0 + 61 * minute);
  const auto changed = changes(tracker);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].state, OutcomeState::win);
  EXPECT_DOUBLE_EQ(changed[0].max_adverse, 0) << "excursions end at the resolution";
  ASSERT_TRUE(changed[0].moves[2]);
  EXPECT_DOUBLE_EQ(*changed[0].moves[2], -0.02);
  EXPECT_EQ(tracker.following(), 0u);
}

TEST(OutcomeTracker, NewExtremesAreReportedAtMostOnceAMinute) {
  OutcomeTracker tracker(horizon);
  tracker.follow(hunt(Direction::bullish, 100, 90, 120));
  for (int i = 1; i <= 50; ++i) {
    tracker.on_price("BTCUSDT", "Binance", t0 + i * 1'000, 100 + i * 0.1);
  }
  // Reported once the first minute had passed since the signal, not fifty times.
  EXPECT_TRUE(changes(tracker).empty());
  tracker.on_price("BTCUSDT", "Binance", t0 + 61'000, 106);
  const auto changed = changes(tracker);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_DOUBLE_EQ(changed[0].max_favourable, 0.06);
  EXPECT_EQ(changed[0].observed_until, t0 + 61'000);
  EXPECT_EQ(changed[0].last_price, 106);
  tracker.on_price("BTCUSDT", "Binance", t0 + 62'000, 107);
  EXPECT_TRUE(changes(tracker).empty());
}

TEST(OutcomeTracker, AGapInsideThePathMarksIt) {
  OutcomeTracker tracker(horizon);
  tracker.follow(hunt(Direction::bullish, 100, 98, 104));
  tracker.follow(hunt(Direction::bullish, 100, 98, 101, t0 + 10 * minute));
  tracker.on_price("BTCUSDT", "Binance", t0 + 11 * minute, 101);  // the second one wins
  changes(tracker);
  tracker.on_gap(t0 + 20 * minute, t0 + 22 * minute);
  const auto changed = changes(tracker);
  ASSERT_EQ(changed.size(), 1u) << "the resolved one's path ended before the gap";
  EXPECT_TRUE(changed[0].crossed_gap);
  EXPECT_EQ(changed[0].signal_time, t0);
  // A gap before a signal is not in its path.
  OutcomeTracker later(horizon);
  later.follow(hunt(Direction::bullish, 100, 98, 104, t0 + 30 * minute));
  later.on_gap(t0 + 20 * minute, t0 + 22 * minute);
  EXPECT_TRUE(changes(later).empty());
}

TEST(OutcomeTracker, ARestoredOutcomeGoesOnAndSaysWhenItWasNotWatched) {
  Outcome open;
  open.signal_time = t0;
  open.type = SignalType::distribution;
  open.symbol = "ETHUSDT";
  open.exchange = "Bybit";
  open.direction = Direction::bearish;
  open.entry = 3000;
  open.stop = 3030;
  open.target = 2940;
  open.max_favourable = 0.004;
  open.observed_until = t0 + 10 * minute;
  open.last_price = 2988;

  OutcomeTracker soon(horizon);
  soon.restore(open);
  soon.on_price("ETHUSDT", "Bybit", t0 + 10 * minute + 20'000, 2970);
  soon.on_price("ETHUSDT", "Bybit", t0 + 12 * minute, 2939);
  auto done = resolved(soon);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].state, OutcomeState::win);
  EXPECT_FALSE(done[0].crossed_gap) << "back within a minute";
  EXPECT_NEAR(done[0].max_favourable, 61.0 / 3000, 1e-12);

  OutcomeTracker late(horizon);
  late.restore(open);
  late.on_price("ETHUSDT", "Bybit", t0 + 40 * minute, 2990);
  auto changed = changes(late);
  ASSERT_FALSE(changed.empty());
  EXPECT_TRUE(changed.back().crossed_gap);
  EXPECT_EQ(changed.back().state, OutcomeState::open);

  OutcomeTracker silent(horizon);
  silent.restore(open);
  silent.advance(t0 + 10 * minute + 30'000);
  EXPECT_TRUE(changes(silent).empty());
  silent.advance(t0 + 12 * minute);
  changed = changes(silent);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_TRUE(changed[0].crossed_gap);
}

}  // namespace
}  // namespace teleglas
