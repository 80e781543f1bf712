// Small builders for hand-made event sequences in analyzer tests.
#pragma once

#include <vector>

#include <limits>

#include "teleglas/analysis/detection.hpp"
#include "teleglas/analysis/observation.hpp"
#include "teleglas/analysis/symbol_analyzer.hpp"
#include "teleglas/core/events.hpp"

namespace teleglas::testing {

inline constexpr TimeMs t0 = 1'725'416'400'000;  // a minute boundary: 2024-09-04 02:20:00 UTC

inline MarketEvent liquidation(TimeMs t, Side side, double usd, double price,
                               std::string_view symbol = "BTCUSDT") {
  return MarketEvent{EventKind::liquidation, side, price, usd, t, t, symbol, "Binance", "BTC"};
}
inline MarketEvent trade(TimeMs t, Side side, double usd, double price,
                         std::string_view symbol = "BTCUSDT") {
  return MarketEvent{EventKind::trade, side, price, usd, t, t, symbol, "Binance", "BTC"};
}

// Keeps every detection for inspection.
class CollectingSink : public DetectionSink {
 public:
  void report(Signal&& detection, int) override { offers.push_back(std::move(detection)); }
  std::vector<Signal> offers;
};

// A feed watched without a break since long before t0: analyzer tests decide on every window.
inline const FeedObservation& always_watched() {
  static const FeedObservation observation = [] {
    FeedObservation o(1.0, std::numeric_limits<TimeMs>::max() / 4, 0);
    o.on_event(t0 - 86'400'000);
    return o;
  }();
  return observation;
}

inline SymbolSettings settings_for(const AnalysisConfig& config,
                                   const FeedObservation& observation = always_watched(),
                                   std::string reference_venue = {}) {
  SymbolSettings s;
  s.analysis = &config;
  s.observation = &observation;
  s.reference_venue = std::move(reference_venue);
  return s;
}

inline std::vector<Signal> signals_of_type(const std::vector<Signal>& signals, SignalType type) {
  std::vector<Signal> out;
  for (const Signal& s : signals) {
    if (s.type == type) out.push_back(s);
  }
  return out;
}

inline bool has_factor(const Signal& s, std::string_view name) {
  for (const ScoreFactor& f : s.factors) {
    if (f.name == name) return true;
  }
  return false;
}

inline int factor_points(const Signal& s, std::string_view name) {
  for (const ScoreFactor& f : s.factors) {
    if (f.name == name) return f.points;
  }
  return 0;
}

inline double metric(const Signal& s, std::string_view name) {
  return metric_of(s, name).value_or(-1);
}

}  // namespace teleglas::testing
