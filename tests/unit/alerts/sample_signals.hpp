// One realistic signal of each type, shared by the formatter, JSON and golden tests.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "teleglas/core/signal.hpp"

namespace teleglas::samples {

inline constexpr TimeMs decision_time = 1725416318379;  // 2024-09-04 02:18:38.379 UTC

// Long liquidations flushed and absorbed by large buys: a LONG setup (DESIGN.md §2).
inline Signal stop_hunt_long() {
  Signal s;
  s.type = SignalType::stop_hunt;
  s.symbol = "BTCUSDT";
  s.exchange = "Binance";
  s.direction = Direction::bullish;
  s.confidence = 95;
  s.priority = Priority::urgent;
  s.time = decision_time;
  s.window_start = decision_time - 42'379;
  s.setup = Setup{95850.0, 95650.0, 96250.0};
  s.zone_low = 95700.0;
  s.zone_high = 95912.5;
  s.volume_usd = 2'404'000;
  s.dominant_share = 0.76;
  s.absorption_usd = 452'000;
  s.metrics = {{"liquidations", 41}, {"absorbing_trades", 12}, {"absorption_delay_s", 4.2}};
  s.venues = {{"Binance", 1'490'480}, {"OKX", 601'000}, {"Bybit", 312'520}};
  s.factors = {{"base", 50, ""},
               {"volume", 10, "$2.40M > $2M"},
               {"one_sided", 10, "76% long liquidations > 70%"},
               {"absorption", 25, "$452.0K absorbed by buys >= $300K"}};
  return s;
}

inline Signal accumulation() {
  Signal s;
  s.type = SignalType::accumulation;
  s.symbol = "ETHUSDT";
  s.exchange = "Bybit";
  s.direction = Direction::bullish;
  s.confidence = 75;
  s.priority = Priority::watch;
  s.time = decision_time;
  s.window_start = decision_time - 300'000;
  s.setup = Setup{2465.5, 2447.0, 2502.5};
  s.zone_low = 2451.2;
  s.zone_high = 2468.75;
  s.volume_usd = 4'100'000;
  s.dominant_share = 0.78;
  s.metrics = {{"buy_ratio", 0.78},
               {"large_trades", 23},
               {"trades", 412},
               {"buy_usd", 4'100'000},
               {"sell_usd", 1'156'400}};
  s.factors = {
      {"base", 50, ""}, {"volume", 15, "$4.10M > $3M"}, {"one_sided", 10, "buy ratio 0.78 > 0.7"}};
  return s;
}

inline Signal distribution() {
  Signal s;
  s.type = SignalType::distribution;
  s.symbol = "SOLUSDT";
  s.exchange = "OKX";
  s.direction = Direction::bearish;
  s.confidence = 70;
  s.priority = Priority::watch;
  s.time = decision_time;
  s.window_start = decision_time - 300'000;
  s.setup = Setup{142.35, 144.5, 138.05};
  s.zone_low = 141.92;
  s.zone_high = 144.08;
  s.volume_usd = 2'650'000;
  s.dominant_share = 0.74;
  s.metrics = {{"buy_ratio", 0.26},
               {"large_trades", 17},
               {"trades", 268},
               {"buy_usd", 931'000},
               {"sell_usd", 2'650'000}};
  s.factors = {
      {"base", 50, ""}, {"volume", 10, "$2.65M > $2M"}, {"one_sided", 10, "sell ratio 0.74 > 0.7"}};
  return s;
}

// Longs liquidated in a cascade: a potential reversal, a LONG watch before any absorption.
inline Signal liquidation_cascade() {
  Signal s;
  s.type = SignalType::liquidation_cascade;
  s.symbol = "ETHUSDT";
  s.exchange = "Binance";
  s.direction = Direction::bullish;
  s.confidence = 80;
  s.priority = Priority::watch;
  s.time = decision_time;
  s.window_start = decision_time - 18'600;
  s.setup = Setup{2392.4, 2378.1, 2421.0};
  s.zone_low = 2390.1;
  s.zone_high = 2431.8;
  s.volume_usd = 6'200'000;
  s.dominant_share = 0.94;
  s.venues = {{"Binance", 4'100'000}, {"Bybit", 2'100'000}};
  s.metrics = {{"liquidations", 57}, {"duration_s", 18.6}};
  s.factors = {{"base", 50, ""},
               {"volume", 20, "$6.20M > $5M"},
               {"one_sided", 15, "94% long liquidations > 80%"},
               {"cascade_events", 10, "57 liquidations, at least twice the minimum"},
               {"reversal_unconfirmed", -15, "no absorption seen yet: a reversal watch"}};
  return s;
}

inline Signal whale_accumulation() {
  Signal s;
  s.type = SignalType::whale_accumulation;
  s.symbol = "DOGEUSDT";
  s.exchange = "Binance";
  s.direction = Direction::bullish;
  s.confidence = 60;
  s.priority = Priority::info;
  s.time = decision_time;
  s.window_start = decision_time - 600'000;
  s.setup = Setup{0.12874, 0.12777, 0.13068};
  s.zone_low = 0.12841;
  s.zone_high = 0.12903;
  s.volume_usd = 1'850'000;
  s.dominant_share = 0.88;
  s.metrics = {{"whale_trades", 6}, {"price_range_pct", 0.48}};
  s.factors = {{"base", 50, ""},
               {"whale_trades", 10, "6 buys of at least $100.0K, price within 0.48%"}};
  return s;
}

// Positive funding: crowded longs pay shorts, the contrarian setup is SHORT.
inline Signal funding_extreme() {
  Signal s;
  s.type = SignalType::funding_extreme;
  s.symbol = "SOLUSDT";
  s.exchange = "Bybit";
  s.direction = Direction::bearish;
  s.confidence = 80;
  s.priority = Priority::watch;
  s.time = decision_time;
  s.window_start = decision_time;
  s.setup = Setup{142.35, 143.77, 139.51};
  s.metrics = {{"funding_rate_8h_pct", 0.1532}, {"threshold_pct", 0.1}, {"exchanges", 3}};
  s.factors = {{"base", 50, ""},
               {"funding_extreme", 10, "8h funding +0.1532% beyond 0.1000%"},
               {"funding_magnitude", 10, "1.5x the threshold"},
               {"exchanges_agree", 10, "3 exchanges extreme the same way"}};
  return s;
}

inline Signal oi_divergence() {
  Signal s;
  s.type = SignalType::oi_divergence;
  s.symbol = "BTCUSDT";
  s.exchange = "Binance/OKX";
  s.direction = Direction::neutral;
  s.confidence = 70;
  s.priority = Priority::watch;
  s.time = decision_time;
  s.window_start = decision_time;
  s.metrics = {
      {"max_change_pct", 5.2}, {"min_change_pct", -2.3}, {"oi_spread_pct", 7.5}, {"exchanges", 6}};
  s.factors = {{"base", 50, ""},
               {"oi_divergence", 10, "Binance +5.20% vs OKX -2.30% (1h)"},
               {"oi_spread", 10, "spread 7.50%, 1.9x the minimum"}};
  return s;
}

struct NamedSample {
  std::string name;  // golden file stem
  Signal signal;
};

// Test failures name the sample instead of dumping its bytes.
inline void PrintTo(const NamedSample& sample, std::ostream* out) {
  *out << sample.name;
}

inline std::vector<NamedSample> all_types() {
  return {{"stop_hunt", stop_hunt_long()},
          {"accumulation", accumulation()},
          {"distribution", distribution()},
          {"liquidation_cascade", liquidation_cascade()},
          {"whale_accumulation", whale_accumulation()},
          {"funding_extreme", funding_extreme()},
          {"oi_divergence", oi_divergence()}};
}

}  // namespace teleglas::samples
