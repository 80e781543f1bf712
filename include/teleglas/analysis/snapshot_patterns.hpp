// Patterns read from REST snapshots rather than the stream: funding-rate extremes and
// cross-exchange open-interest divergence. Both fire when a coin enters the condition and
// re-arm when it leaves, so a persistent extreme is one alert, not one per poll.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <unordered_map>

#include "teleglas/analysis/detection.hpp"
#include "teleglas/config/config.hpp"
#include "teleglas/core/events.hpp"

namespace teleglas {

// What the patterns need from the rest of the pipeline: the settings of a symbol and the
// price a setup may start from (its reference venue's, fresh, or why there is none).
struct SnapshotContext {
  std::function<const AnalysisConfig&(std::string_view symbol)> config_for;
  std::function<PriceQuote(std::string_view symbol)> quote;
};

// The perpetual the snapshot's coin trades as: "BTC" -> "BTCUSDT".
std::string symbol_of_base(std::string_view base_asset);

class FundingExtremeDetector {
 public:
  // `rates` is one snapshot (all coins, all exchanges, one time).
  void on_snapshot(std::span<const FundingRate> rates, const SnapshotContext& context,
                   DetectionSink& sink);

 private:
  std::unordered_map<std::string, int> armed_sign_;  // base -> sign of the extreme alerted
};

class OiDivergenceDetector {
 public:
  // `rows` is one snapshot (one or more coins, per exchange, one time).
  void on_snapshot(std::span<const OpenInterest> rows, const SnapshotContext& context,
                   DetectionSink& sink);

 private:
  std::unordered_map<std::string, bool> diverging_;  // base -> alerted and not yet re-armed
};

}  // namespace teleglas
