// The confidence score of DESIGN.md §2. Every step becomes a ScoreFactor on the signal, so the
// alert, the log and storage can all say why.
#pragma once

#include "teleglas/config/config.hpp"
#include "teleglas/core/signal.hpp"
#include "teleglas/signals/win_rate.hpp"

namespace teleglas {

class Scorer {
 public:
  explicit Scorer(const WinRateSource& win_rates) : win_rates_(win_rates) {}

  // Puts base, volume, one-sidedness, absorption and win-rate factors in front of the
  // pattern's own factors, then sets confidence = min(sum, cap).
  void score(Signal& signal, const ScoringConfig& config) const;

 private:
  const WinRateSource& win_rates_;
};

// Recomputes confidence from the factors (sum, capped).
void total_confidence(Signal& signal, const ScoringConfig& config);

}  // namespace teleglas
