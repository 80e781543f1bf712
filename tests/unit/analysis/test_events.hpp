// Small builders for hand-made event sequences in analyzer tests.
#pragma once

#include <vector>

#include "teleglas/analysis/detection.hpp"
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

// Accepts every candidate (or those at or above a confidence it computes trivially) and keeps
// them for inspection.
class CollectingSink : public DetectionSink {
 public:
  bool offer(Signal& candidate, int) override {
    offers.push_back(candidate);
    return accept;
  }
  std::vector<Signal> offers;
  bool accept = true;
};

inline std::vector<Signal> signals_of_type(const std::vector<Signal>& signals, SignalType type) {
  std::vector<Signal> out;
  for (const Signal& s : signals) {
    if (s.type == type) out.push_back(s);
  }
  return out;
}

inline double metric(const Signal& s, std::string_view name) {
  for (const Metric& m : s.metrics) {
    if (m.name == name) return m.value;
  }
  return -1;
}

}  // namespace teleglas::testing
