// Normalized market events, produced by the parser and consumed by the Pipeline.
// Strings are views into the parser's buffers: valid until the next frame is parsed, so
// consumers that keep an event copy what they need.
#pragma once

#include <cmath>
#include <string_view>

#include "teleglas/core/types.hpp"

namespace teleglas {

// A liquidation (forced order) or a trade, with the exchange's time and our receive time.
struct MarketEvent {
  EventKind kind = EventKind::trade;
  Side side = Side::buy;
  double price = 0;
  double volume_usd = 0;
  TimeMs exchange_time = 0;
  TimeMs receive_time = 0;      // local receive time; 0 when unknown (e.g. replaying a recording)
  std::string_view symbol;      // e.g. "BTCUSDT"
  std::string_view exchange;    // e.g. "Binance"; may be empty
  std::string_view base_asset;  // e.g. "BTC"; may be empty
  Source source =
      Source::coinglass;  // the feed that delivered it (`exchange` is where it happened)
};

// One funding rate of one coin on one exchange, from a funding snapshot.
struct FundingRate {
  std::string_view base_asset;  // "BTC"
  std::string_view exchange;
  double rate_pct = 0;    // percent per funding interval, as CoinGlass reports it
  double interval_h = 8;  // funding interval in hours
  TimeMs time = 0;        // snapshot time

  double rate_8h_pct() const { return interval_h > 0 ? rate_pct * 8.0 / interval_h : rate_pct; }
};

// Open interest of one coin on one exchange, from an open-interest snapshot.
struct OpenInterest {
  enum Horizon { m5, m15, m30, h1, h4, h24, horizon_count };
  std::string_view base_asset;
  std::string_view exchange;
  double open_interest_usd = 0;
  double change_pct[horizon_count] = {NAN, NAN, NAN, NAN, NAN, NAN};  // NaN when absent
  TimeMs time = 0;
};

}  // namespace teleglas
