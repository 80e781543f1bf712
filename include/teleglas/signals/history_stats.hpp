// What history says about the signals: per type how many won, lost, expired or are still
// open, the average excursions, and the calibration table (realized win rate per 10-point
// confidence bucket). Pure: rows from storage in, numbers out; `teleglas stats`, `/stats` and
// the tests all count the same way.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "teleglas/core/outcome.hpp"

namespace teleglas {

struct OutcomeTally {
  // 64-bit: a shared database's history has no bound a trader would notice.
  std::int64_t signals = 0;  // every signal counted here, tracked or not
  std::int64_t wins = 0, losses = 0, expired = 0, open = 0;
  std::int64_t untracked = 0;    // no setup to follow (neutral, or no fresh price)
  std::int64_t crossed_gap = 0;  // resolved or open outcomes whose path crossed a feed gap
  double favourable_sum = 0, adverse_sum = 0;  // over resolved outcomes
  double resolution_ms_sum = 0;                // over wins and losses

  std::int64_t resolved() const { return wins + losses + expired; }
  // Wins / (wins + losses + expired); nullopt before anything resolved.
  std::optional<double> win_rate() const;
  std::optional<double> mean_favourable() const;  // fraction of entry
  std::optional<double> mean_adverse() const;
  std::optional<double> mean_resolution_s() const;
  void add(const Outcome& row);
};

struct CalibrationBucket {
  int low = 0, high = 0;  // confidence low..high inclusive: 0-9, ..., 80-89, 90-100
  OutcomeTally tally;
  std::string label() const;  // "80-89"
};

struct HistoryStats {
  std::array<OutcomeTally, signal_type_count> by_type{};
  OutcomeTally total;
  // Tracked signals by confidence; only buckets with signals, lowest first.
  std::vector<CalibrationBucket> calibration;
};

HistoryStats compute_history_stats(std::span<const Outcome> rows);

}  // namespace teleglas
