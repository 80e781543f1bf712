// A trading signal: what a detector decided, scored and gated, ready to format or store.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "teleglas/core/chart_data.hpp"
#include "teleglas/core/types.hpp"

namespace teleglas {

// One step of the confidence score, kept so the alert and the log can say why.
struct ScoreFactor {
  std::string name;  // stable key, e.g. "base", "volume", "one_sided", "absorption"
  int points = 0;
  std::string detail;  // human text, e.g. "$3.2M > $3M"
};

// A named number specific to a pattern (e.g. "buy_ratio", "large_trades").
struct Metric {
  std::string name;
  double value = 0;
};

// The suggested trade: entry, stop beyond the zone, target at the configured reward:risk.
struct Setup {
  double entry = 0;
  double stop = 0;
  double target = 0;
};

// One venue's part of the volume behind a signal.
struct VenueShare {
  std::string exchange;
  double usd = 0;
};

// How signals of one type fared lately: outcomes resolved in the last `lookback_days`.
struct TrackRecord {
  int wins = 0, losses = 0, expired = 0;
  double lookback_days = 0;
  int resolved() const { return wins + losses + expired; }
  bool operator==(const TrackRecord&) const = default;
};

struct Signal {
  SignalType type = SignalType::stop_hunt;
  std::string symbol;
  std::string exchange;  // the reference venue: where zone, entry, stop and target come from
  Direction direction = Direction::neutral;
  int confidence = 0;
  Priority priority = Priority::none;
  TimeMs time = 0;          // event time at which the signal was decided
  TimeMs window_start = 0;  // event time of the first event the decision looked at

  std::optional<Setup> setup;  // present on every directional signal with a fresh price
  std::string setup_missing;   // why a directional signal has no setup (no fresh price)
  double zone_low = 0;         // price zone (0 when the pattern has none)
  double zone_high = 0;
  double volume_usd = 0;           // the main volume behind the signal
  double dominant_share = 0;       // share of the dominant side, 0..1 (0 when n/a)
  double absorption_usd = 0;       // stop hunt only
  TimeMs degraded_gap_ms = 0;      // > 0: the window overlapped a stream outage this long
  std::vector<VenueShare> venues;  // the volume behind the signal by venue, largest first
  std::optional<TrackRecord> track_record;  // its type's recent outcomes, when followed
  // What the pipeline saw when it decided, for a chart: only on directional signals it
  // admitted, and only when charts were asked of it (Pipeline::capture_charts). Shared, so
  // copies of the signal do not copy the tape.
  std::shared_ptr<const charts::ChartData> chart;

  std::vector<Metric> metrics;
  std::vector<ScoreFactor> factors;
};

// The value of a named metric of the signal, or nullopt when it has none.
inline std::optional<double> metric_of(const Signal& signal, std::string_view name) {
  for (const Metric& m : signal.metrics) {
    if (m.name == name) return m.value;
  }
  return std::nullopt;
}

}  // namespace teleglas
