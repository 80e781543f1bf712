#include "teleglas/signals/scorer.hpp"

#include <algorithm>
#include <cmath>
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

std::string printf_text(const char* format, double a, double b = 0) {
  char buf[128];
  std::snprintf(buf, sizeof buf, format, a, b);
  return buf;
}

// How far past its threshold a snapshot pattern is: 1.5x earns 10, 2x 15, 3x 20.
int excess_points(double ratio) {
  return ratio > 3 ? 20 : ratio > 2 ? 15 : ratio > 1.5 ? 10 : 0;
}

double metric_or(const Signal& s, std::string_view name, double fallback = 0) {
  return metric_of(s, name).value_or(fallback);
}

// Each pattern's own rules, read from the facts its detector reported.
void pattern_factors(const Signal& s, const AnalysisConfig& config,
                     std::vector<ScoreFactor>& out) {
  switch (s.type) {
    case SignalType::liquidation_cascade: {
      const double count = metric_or(s, "liquidations");
      if (count >= 2.0 * config.cascade.min_events) {
        out.push_back({"cascade_events", 10,
                       printf_text("%.0f liquidations, at least twice the minimum", count)});
      }
      out.push_back({"reversal_unconfirmed", -config.scoring.unconfirmed_reversal_penalty,
                     "no absorption seen yet: a reversal watch, a stop hunt confirms it"});
      break;
    }
    case SignalType::whale_accumulation:
      out.push_back({"whale_trades", 10,
                     printf_text("%.0f buys of at least ", metric_or(s, "whale_trades")) +
                         format_usd(metric_or(s, "whale_trade_usd", config.whale.whale_trade_usd)) +
                         printf_text(", price within %.2f%%", metric_or(s, "price_range_pct"))});
      break;
    case SignalType::funding_extreme: {
      const double rate = metric_or(s, "funding_rate_8h_pct");
      const double threshold = config.funding.extreme_rate_pct;
      out.push_back({"funding_extreme", 10,
                     printf_text("8h funding %+.4f%% beyond %.4f%%", rate, threshold)});
      const double ratio = std::fabs(rate) / threshold;
      if (const int magnitude = excess_points(ratio); magnitude > 0) {
        out.push_back({"funding_magnitude", magnitude, printf_text("%.1fx the threshold", ratio)});
      }
      if (const double agreeing = metric_or(s, "exchanges"); agreeing >= 2) {
        out.push_back({"exchanges_agree", 10,
                       printf_text("%.0f exchanges extreme the same way", agreeing)});
      }
      break;
    }
    case SignalType::oi_divergence: {
      const double up = metric_or(s, "max_change_pct");
      const double down = metric_or(s, "min_change_pct");
      const double spread = up - down;
      out.push_back({"oi_divergence", 10,
                     s.exchange + printf_text(": %+.2f%% vs %+.2f%% (", up, down) +
                         config.oi_divergence.horizon + ")"});
      const double ratio = spread / config.oi_divergence.min_spread_pct;
      if (const int magnitude = excess_points(ratio); magnitude > 0) {
        out.push_back({"oi_spread", magnitude,
                       printf_text("spread %.2f%%, %.1fx the minimum", spread, ratio)});
      }
      break;
    }
    default:
      break;
  }
}

}  // namespace

void Scorer::score(Signal& signal, const AnalysisConfig& analysis) const {
  const ScoringConfig& config = analysis.scoring;
  std::vector<ScoreFactor> factors;
  factors.push_back({"base", config.base, "base score"});
  if (const int p = tier_points(config.volume_tiers, signal.volume_usd); p > 0) {
    factors.push_back({"volume", p,
                       format_usd(signal.volume_usd) + " > " +
                           format_usd(reached_tier(config.volume_tiers, signal.volume_usd))});
  }
  if (const int p = tier_points(config.one_sided_tiers, signal.dominant_share); p > 0) {
    factors.push_back({"one_sided", p,
                       percent(signal.dominant_share) + " one side > " +
                           percent(reached_tier(config.one_sided_tiers, signal.dominant_share))});
  }
  if (signal.type == SignalType::stop_hunt && signal.absorption_usd > 0) {
    factors.push_back({"absorption", config.absorption_bonus,
                       format_usd(signal.absorption_usd) + " absorbed by opposite large trades"});
  }
  if (const auto rate = win_rates_.win_rate(signal.type)) {
    const std::string record = track_record_line(signal.type, win_rates_.record(signal.type));
    if (*rate > config.win_rate_min) {
      factors.push_back({"win_rate", config.win_rate_bonus,
                         record + " (" + percent(*rate) + " > " + percent(config.win_rate_min) + ")"});
    } else if (*rate < config.win_rate_floor) {
      factors.push_back({"win_rate", -config.win_rate_penalty,
                         record + " (" + percent(*rate) + " < " + percent(config.win_rate_floor) +
                             ")"});
    }
  }
  pattern_factors(signal, analysis, factors);
  signal.factors = std::move(factors);
  total_confidence(signal, config);
}

void add_factor(Signal& signal, const ScoringConfig& config, ScoreFactor factor) {
  signal.factors.push_back(std::move(factor));
  total_confidence(signal, config);
}

void total_confidence(Signal& signal, const ScoringConfig& config) {
  int sum = 0;
  for (const ScoreFactor& f : signal.factors) sum += f.points;
  signal.confidence = std::clamp(sum, 0, config.cap);
}

}  // namespace teleglas
