#include "teleglas/analysis/snapshot_patterns.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <vector>

namespace teleglas {

namespace {

// Groups rows by base asset, keeping first-seen order so output is deterministic.
template <class Row>
std::vector<std::pair<std::string_view, std::vector<const Row*>>> by_base(
    std::span<const Row> rows) {
  std::vector<std::pair<std::string_view, std::vector<const Row*>>> groups;
  for (const Row& row : rows) {
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const auto& g) { return g.first == row.base_asset; });
    if (it == groups.end()) {
      groups.emplace_back(row.base_asset, std::vector<const Row*>{});
      it = std::prev(groups.end());
    }
    it->second.push_back(&row);
  }
  return groups;
}

int horizon_index(std::string_view horizon) {
  static constexpr std::string_view names[] = {"5m", "15m", "30m", "1h", "4h", "24h"};
  for (int i = 0; i < OpenInterest::horizon_count; ++i) {
    if (names[i] == horizon) return i;
  }
  return OpenInterest::h1;
}

}  // namespace

std::string symbol_of_base(std::string_view base_asset) {
  std::string s(base_asset);
  s += "USDT";
  return s;
}

void FundingExtremeDetector::on_snapshot(std::span<const FundingRate> rates,
                                         const SnapshotContext& context, DetectionSink& sink) {
  for (const auto& [base, rows] : by_base(rates)) {
    const std::string symbol = symbol_of_base(base);
    const AnalysisConfig& analysis = context.config_for(symbol);
    const FundingConfig& cfg = analysis.funding;
    const FundingRate* extreme = nullptr;
    for (const FundingRate* r : rows) {
      if (std::fabs(r->rate_8h_pct()) > cfg.extreme_rate_pct &&
          (!extreme || std::fabs(r->rate_8h_pct()) > std::fabs(extreme->rate_8h_pct()))) {
        extreme = r;
      }
    }
    int& armed = armed_sign_[std::string(base)];
    if (!extreme) {
      armed = 0;  // back to normal: the next extreme alerts again
      continue;
    }
    const double rate = extreme->rate_8h_pct();
    const int sign = rate > 0 ? 1 : -1;
    if (armed == sign) continue;
    int agreeing = 0;
    for (const FundingRate* r : rows) {
      if (std::fabs(r->rate_8h_pct()) > cfg.extreme_rate_pct &&
          (r->rate_8h_pct() > 0) == (sign > 0)) {
        ++agreeing;
      }
    }
    // Positive funding: longs pay shorts, longs are crowded -> the contrarian setup is SHORT.
    Signal s;
    s.type = SignalType::funding_extreme;
    s.symbol = symbol;
    s.exchange = std::string(extreme->exchange);
    s.direction = sign > 0 ? Direction::bearish : Direction::bullish;
    s.time = extreme->time;
    s.window_start = extreme->time;
    s.metrics = {{"funding_rate_8h_pct", rate},
                 {"threshold_pct", cfg.extreme_rate_pct},
                 {"exchanges", static_cast<double>(agreeing)}};
    set_setup(s, context.quote(symbol), analysis.setup);
    armed = sign;
    sink.report(std::move(s), cfg.min_confidence);
  }
}

void OiDivergenceDetector::on_snapshot(std::span<const OpenInterest> rows,
                                       const SnapshotContext& context, DetectionSink& sink) {
  for (const auto& [base, group] : by_base(rows)) {
    const std::string symbol = symbol_of_base(base);
    const OiDivergenceConfig& cfg = context.config_for(symbol).oi_divergence;
    const int h = horizon_index(cfg.horizon);
    const OpenInterest* rising = nullptr;
    const OpenInterest* falling = nullptr;
    int exchanges = 0;
    for (const OpenInterest* r : group) {
      const double change = r->change_pct[h];
      // "All" is CoinGlass's aggregate row, not an exchange.
      if (r->exchange == "All" || std::isnan(change) ||
          r->open_interest_usd < cfg.min_open_interest_usd) {
        continue;
      }
      ++exchanges;
      if (!rising || change > rising->change_pct[h]) rising = r;
      if (!falling || change < falling->change_pct[h]) falling = r;
    }
    bool& alerted = diverging_[std::string(base)];
    const bool diverging = rising && falling && rising != falling && rising->change_pct[h] > 0 &&
                           falling->change_pct[h] < 0 &&
                           rising->change_pct[h] - falling->change_pct[h] >= cfg.min_spread_pct;
    if (!diverging) {
      alerted = false;
      continue;
    }
    if (alerted) continue;
    const double up = rising->change_pct[h];
    const double down = falling->change_pct[h];
    const double spread = up - down;
    Signal s;
    s.type = SignalType::oi_divergence;
    s.symbol = symbol;
    s.exchange = std::string(rising->exchange) + "/" + std::string(falling->exchange);
    s.direction = Direction::neutral;
    s.time = rising->time;
    s.window_start = rising->time;
    s.metrics = {{"max_change_pct", up},
                 {"min_change_pct", down},
                 {"oi_spread_pct", spread},
                 {"exchanges", static_cast<double>(exchanges)}};
    alerted = true;
    sink.report(std::move(s), cfg.min_confidence);
  }
}

}  // namespace teleglas
