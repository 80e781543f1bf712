// The confidence score of DESIGN.md §2, and the only place confidence is computed. Detections
// arrive as facts; every step of the score becomes a ScoreFactor on the signal, so the alert,
// the log and storage can all say why.
#pragma once

#include "teleglas/config/config.hpp"
#include "teleglas/core/signal.hpp"
#include "teleglas/signals/win_rate.hpp"

namespace teleglas {

class Scorer {
 public:
  explicit Scorer(const WinRateSource& win_rates) : win_rates_(win_rates) {}

  // Replaces the signal's factors with base, volume, one-sidedness, absorption, win rate and
  // the pattern's own rules (from its metrics), then sets confidence = min(sum, cap).
  void score(Signal& signal, const AnalysisConfig& config) const;

 private:
  const WinRateSource& win_rates_;
};

// Adds a factor and recomputes confidence (sum of factors, clamped to [0, cap]).
void add_factor(Signal& signal, const ScoringConfig& config, ScoreFactor factor);
void total_confidence(Signal& signal, const ScoringConfig& config);

}  // namespace teleglas
