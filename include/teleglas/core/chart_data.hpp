// What a chart of a signal shows, as the pipeline captured it when it decided: the reference
// venue's price, the liquidations by side, the absorbing trades, the zone and the setup. Plain
// data: the pipeline fills it (pure), the charts layer draws it, storage never sees it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "teleglas/core/types.hpp"

namespace teleglas::charts {

// One bucket of the reference venue's price; buckets without trades are simply absent.
struct Candle {
  TimeMs start = 0;
  double open = 0;
  double high = 0;
  double low = 0;
  double close = 0;
};

// Liquidations in one bucket, in USD, by the side of the positions that were closed.
struct LiquidationBucket {
  TimeMs start = 0;
  double longs_usd = 0;   // longs liquidated: forced sells, the flush
  double shorts_usd = 0;  // shorts liquidated: forced buys, the squeeze
};

struct AbsorbingTrade {
  TimeMs time = 0;
  double price = 0;
  double usd = 0;
};

struct SetupLevels {
  double entry = 0;
  double stop = 0;
  double target = 0;
};

struct ChartData {
  std::string symbol;
  SignalType type = SignalType::stop_hunt;
  Direction direction = Direction::neutral;
  std::string exchange;  // the reference venue the prices come from
  TimeMs decided_at = 0;
  TimeMs window_ms = 15 * 60'000;  // how far back the chart looks from decided_at

  TimeMs candle_ms = 5'000;
  std::vector<Candle> candles;
  TimeMs liquidation_bucket_ms = 5'000;
  std::vector<LiquidationBucket> liquidations;
  std::vector<AbsorbingTrade> absorbing_trades;
  double zone_low = 0;  // 0 and 0: no zone
  double zone_high = 0;
  std::optional<SetupLevels> setup;
};

}  // namespace teleglas::charts
