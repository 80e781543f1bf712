// How analyzers hand a candidate signal to whoever scores and gates it. Analyzers state the
// facts (type, direction, volumes, zone, setup, pattern factors); the sink scores them and
// answers whether the candidate is confident enough for its detector.
#pragma once

#include <string_view>

#include "teleglas/config/config.hpp"
#include "teleglas/core/signal.hpp"

namespace teleglas {

class DetectionSink {
 public:
  virtual ~DetectionSink() = default;
  // Scores `candidate` in place. Returns true when its confidence reaches
  // `min_confidence` (the detector's own floor): the analyzer then treats it as decided.
  virtual bool offer(Signal& candidate, int min_confidence) = 0;
};

// Entry, stop beyond the zone and target at the configured reward:risk.
// bullish: stop below min(zone_low, entry); bearish: stop above max(zone_high, entry);
// the stop is at least min_risk_pct away from the entry. Zone bounds of 0 mean "no zone".
Setup make_setup(Direction direction, double entry, double zone_low, double zone_high,
                 const SetupConfig& config);

// Adds a pattern-specific factor to the candidate.
void add_factor(Signal& signal, std::string_view name, int points, std::string detail);

// Points of the highest tier whose `above` the value strictly exceeds (0 when none).
int tier_points(const std::vector<BonusTier>& tiers, double value);

}  // namespace teleglas
