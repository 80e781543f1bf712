#include "teleglas/signals/scorer.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "teleglas/analysis/detection.hpp"
#include "teleglas/core/money.hpp"

namespace teleglas {

namespace {

// The `above` of the highest tier the value exceeds (for the factor's text).
double reached_tier(const std::vector<BonusTier>& tiers, double value) {
  double best = 0;
  for (const BonusTier& t : tiers) {
    if (value > t.above) best = std::max(best, t.above);
  }
  return best;
}

std::string percent(double ratio) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f%%", ratio * 100.0);
  return buf;
}

}  // namespace

void Scorer::score(Signal& signal, const ScoringConfig& config) const {
  std::vector<ScoreFactor> shared;
  shared.push_back({"base", config.base, "base score"});
  if (const int p = tier_points(config.volume_tiers, signal.volume_usd); p > 0) {
    shared.push_back({"volume", p,
                      format_usd(signal.volume_usd) + " > " +
                          format_usd(reached_tier(config.volume_tiers, signal.volume_usd))});
  }
  if (const int p = tier_points(config.one_sided_tiers, signal.dominant_share); p > 0) {
    shared.push_back({"one_sided", p,
                      percent(signal.dominant_share) + " one side > " +
                          percent(reached_tier(config.one_sided_tiers, signal.dominant_share))});
  }
  if (signal.type == SignalType::stop_hunt && signal.absorption_usd > 0) {
    shared.push_back({"absorption", config.absorption_bonus,
                      format_usd(signal.absorption_usd) + " absorbed by opposite large trades"});
  }
  if (const auto rate = win_rates_.win_rate(signal.type); rate && *rate > config.win_rate_min) {
    shared.push_back({"win_rate", config.win_rate_bonus,
                      "past " + std::string(to_string(signal.type)) + " won " + percent(*rate)});
  }
  signal.factors.insert(signal.factors.begin(), shared.begin(), shared.end());
  total_confidence(signal, config);
}

void total_confidence(Signal& signal, const ScoringConfig& config) {
  int sum = 0;
  for (const ScoreFactor& f : signal.factors) sum += f.points;
  signal.confidence = std::clamp(sum, 0, config.cap);
}

}  // namespace teleglas
