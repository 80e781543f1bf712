// A deterministic synthetic market: writes a recording (CoinGlass frames, one per line) with
// quiet stretches, liquidation cascades with and without absorption, order-flow runs, whale
// buying, and funding / open-interest snapshots. Same options, same bytes.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "teleglas/core/types.hpp"

namespace teleglas {

struct MarketGeneratorOptions {
  std::uint64_t seed = 1;
  TimeMs start_time = 1'735'689'600'000;  // 2025-01-01 00:00:00 UTC
  double duration_s = 3600;
  std::vector<std::string> symbols = {"BTCUSDT", "ETHUSDT", "SOLUSDT"};
  bool snapshots = true;  // funding / open-interest lines
};

// What the generator planted, and when: lets tests and the demo say what to expect.
struct PlantedScenario {
  std::string kind;  // "stop_hunt_long", "stop_hunt_short", "cascade_unabsorbed",
                     // "accumulation", "distribution", "whale_accumulation",
                     // "funding_extreme", "oi_divergence"
  std::string symbol;
  TimeMs start = 0;
};

// Writes the recording to `out`; returns the planted scenarios in time order.
std::vector<PlantedScenario> generate_market(const MarketGeneratorOptions& options,
                                             std::ostream& out);

}  // namespace teleglas
