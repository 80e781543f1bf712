#include "teleglas/analysis/detection.hpp"

#include <algorithm>
#include <cmath>

#include "teleglas/core/money.hpp"

namespace teleglas {

Setup make_setup(Direction direction, double entry, double zone_low, double zone_high,
                 const SetupConfig& config, std::optional<double> volatility) {
  Setup setup;
  setup.entry = entry;
  const double buffer = config.stop_buffer_pct / 100.0;
  double min_risk = entry * config.min_risk_pct / 100.0;
  if (volatility) min_risk = std::max(min_risk, entry * *volatility * config.volatility_multiple);
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

void set_setup(Signal& signal, const PriceQuote& quote, const SetupConfig& config) {
  if (signal.direction == Direction::neutral) return;
  if (quote.price <= 0) {
    signal.setup.reset();
    signal.setup_missing = quote.missing;
    return;
  }
  signal.setup = make_setup(signal.direction, quote.price, signal.zone_low, signal.zone_high,
                            config, quote.volatility);
  // A long's stop below zero (absurd zone or volatility) is no setup a trader can place.
  if (signal.setup->stop <= 0 || signal.setup->target <= 0) {
    signal.setup.reset();
    signal.setup_missing = "the stop or target would be at or below zero";
  }
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
