#include "teleglas/analysis/detection.hpp"

#include <algorithm>
#include <cmath>

#include "teleglas/core/money.hpp"

namespace teleglas {

Setup make_setup(Direction direction, double entry, double zone_low, double zone_high,
                 const SetupConfig& config) {
  Setup setup;
  setup.entry = entry;
  const double buffer = config.stop_buffer_pct / 100.0;
  const double min_risk = entry * config.min_risk_pct / 100.0;
  double risk = 0;
  if (direction == Direction::bullish) {
    const double floor = zone_low > 0 ? std::min(zone_low, entry) : entry;
    risk = std::max(entry - floor * (1.0 - buffer), min_risk);
    setup.stop = entry - risk;
    setup.target = entry + config.reward_risk * risk;
  } else {
    const double ceiling = zone_high > 0 ? std::max(zone_high, entry) : entry;
    risk = std::max(ceiling * (1.0 + buffer) - entry, min_risk);
    setup.stop = entry + risk;
    setup.target = entry - config.reward_risk * risk;
  }
  // The levels are what the alert shows, so JSON, storage and message agree to the digit.
  setup.entry = round_price(setup.entry);
  setup.stop = round_price(setup.stop);
  setup.target = round_price(setup.target);
  return setup;
}

void add_factor(Signal& signal, std::string_view name, int points, std::string detail) {
  signal.factors.push_back(ScoreFactor{std::string(name), points, std::move(detail)});
}

int tier_points(const std::vector<BonusTier>& tiers, double value) {
  int best = 0;
  double best_above = -INFINITY;
  for (const BonusTier& t : tiers) {
    if (value > t.above && t.above >= best_above) {
      best = t.points;
      best_above = t.above;
    }
  }
  return best;
}

}  // namespace teleglas
