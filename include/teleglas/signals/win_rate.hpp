// Where the scorer learns how signals of a type fared: the outcomes the pipeline's own tracker
// resolved (seeded from storage at start), counted over a rolling lookback of event time.
#pragma once

#include <array>
#include <deque>
#include <optional>
#include <string>

#include "teleglas/core/outcome.hpp"
#include "teleglas/core/signal.hpp"
#include "teleglas/core/types.hpp"

namespace teleglas {

// "Stop hunts, last 7 days: 12 of 19 won" (or "...: none resolved yet").
std::string track_record_line(SignalType type, const TrackRecord& record);

class WinRateSource {
 public:
  virtual ~WinRateSource() = default;
  virtual TrackRecord record(SignalType type) const = 0;
  // Resolved outcomes needed before win_rate() says anything.
  virtual int min_sample() const = 0;
  // Wins / resolved (wins + losses + expired), or nullopt below min_sample().
  std::optional<double> win_rate(SignalType type) const;
};

class NoWinRateHistory final : public WinRateSource {
 public:
  TrackRecord record(SignalType) const override { return {}; }
  int min_sample() const override { return 1; }
};

class WinRateBook final : public WinRateSource {
 public:
  WinRateBook(TimeMs lookback_ms, int min_sample);

  // A resolved outcome (win, loss or expired; others are ignored), counted from its
  // resolved_time until it is older than the lookback.
  void add(const Outcome& outcome);
  // Forgets outcomes resolved before now - lookback. Time never goes back.
  void advance(TimeMs now);

  TrackRecord record(SignalType type) const override;
  int min_sample() const override { return min_sample_; }

 private:
  struct Entry {
    TimeMs resolved_time;
    OutcomeState state;
  };
  TimeMs lookback_ms_;
  int min_sample_;
  TimeMs now_ = 0;
  std::array<std::deque<Entry>, signal_type_count> entries_;  // by type, in resolved order
  std::array<TrackRecord, signal_type_count> records_{};
};

}  // namespace teleglas
