#include "teleglas/signals/history_stats.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace teleglas {
namespace {

Outcome row(SignalType type, OutcomeState state, int confidence, double mfe = 0, double mae = 0,
            TimeMs took_ms = 0) {
  Outcome o;
  o.type = type;
  o.state = state;
  o.confidence = confidence;
  o.signal_time = 1'000'000;
  o.resolved_time = state == OutcomeState::open ? 0 : o.signal_time + took_ms;
  o.max_favourable = mfe;
  o.max_adverse = mae;
  return o;
}

TEST(HistoryStats, TalliesEachTypeAndTheWinRateOverResolvedOutcomes) {
  const std::vector<Outcome> rows = {
      row(SignalType::stop_hunt, OutcomeState::win, 91, 0.02, 0.004, 60'000),
      row(SignalType::stop_hunt, OutcomeState::loss, 88, 0.001, 0.01, 120'000),
      row(SignalType::stop_hunt, OutcomeState::expired, 75, 0.003, 0.002),
      row(SignalType::stop_hunt, OutcomeState::open, 80),
      row(SignalType::oi_divergence, OutcomeState::untracked, 70),
  };
  const HistoryStats stats = compute_history_stats(rows);
  const OutcomeTally& hunts = stats.by_type[static_cast<int>(SignalType::stop_hunt)];
  EXPECT_EQ(hunts.signals, 4);
  EXPECT_EQ(hunts.wins, 1);
  EXPECT_EQ(hunts.losses, 1);
  EXPECT_EQ(hunts.expired, 1);
  EXPECT_EQ(hunts.open, 1);
  EXPECT_NEAR(*hunts.win_rate(), 1.0 / 3, 1e-12);
  EXPECT_NEAR(*hunts.mean_favourable(), (0.02 + 0.001 + 0.003) / 3, 1e-12);
  EXPECT_NEAR(*hunts.mean_adverse(), (0.004 + 0.01 + 0.002) / 3, 1e-12);
  EXPECT_NEAR(*hunts.mean_resolution_s(), 90, 1e-9) << "wins and losses only";
  const OutcomeTally& oi = stats.by_type[static_cast<int>(SignalType::oi_divergence)];
  EXPECT_EQ(oi.signals, 1);
  EXPECT_EQ(oi.untracked, 1);
  EXPECT_FALSE(oi.win_rate());
  EXPECT_EQ(stats.total.signals, 5);
}

TEST(HistoryStats, CalibrationBucketsFollowedSignalsByTenPointsOfConfidence) {
  const std::vector<Outcome> rows = {
      row(SignalType::stop_hunt, OutcomeState::win, 89),
      row(SignalType::accumulation, OutcomeState::loss, 80),
      row(SignalType::stop_hunt, OutcomeState::win, 99),
      row(SignalType::stop_hunt, OutcomeState::loss, 100),
      row(SignalType::distribution, OutcomeState::open, 61),
      row(SignalType::funding_extreme, OutcomeState::untracked, 85),  // not followed
  };
  const HistoryStats stats = compute_history_stats(rows);
  ASSERT_EQ(stats.calibration.size(), 3u);
  EXPECT_EQ(stats.calibration[0].label(), "60-69");
  EXPECT_EQ(stats.calibration[0].tally.open, 1);
  EXPECT_FALSE(stats.calibration[0].tally.win_rate());
  EXPECT_EQ(stats.calibration[1].label(), "80-89");
  EXPECT_EQ(stats.calibration[1].tally.signals, 2);
  EXPECT_DOUBLE_EQ(*stats.calibration[1].tally.win_rate(), 0.5);
  EXPECT_EQ(stats.calibration[2].label(), "90-100");
  EXPECT_EQ(stats.calibration[2].tally.wins, 1);
  EXPECT_EQ(stats.calibration[2].tally.losses, 1);
}

TEST(HistoryStats, GapsAreCountedAndNothingIsNothing) {
  Outcome gapped = row(SignalType::stop_hunt, OutcomeState::win, 90);
  gapped.crossed_gap = true;
  EXPECT_EQ(compute_history_stats(std::vector<Outcome>{gapped}).total.crossed_gap, 1);
  const HistoryStats empty = compute_history_stats({});
  EXPECT_EQ(empty.total.signals, 0);
  EXPECT_TRUE(empty.calibration.empty());
  EXPECT_FALSE(empty.total.mean_favourable());
}

}  // namespace
}  // namespace teleglas
