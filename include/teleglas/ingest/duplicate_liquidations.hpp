// One liquidation reported by two sources is counted once. CoinGlass relays what the
// exchanges publish, so a daemon streaming CoinGlass beside Binance's (or Bybit's, OKX's) own
// feed hears each of that venue's liquidations twice.
//
// The matching rule: a liquidation echoes one already seen when it came from ANOTHER source
// and names the same venue (exchange, case-insensitive), symbol and side, with exchange times
// at most `window_ms` apart, prices within 0.1% and USD volumes within 1% (or $1). The first
// report counts; the echo is dropped. Two reports from one source are never echoes: a venue
// may well liquidate the same size twice in a second. Pure and bounded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>

#include "teleglas/core/events.hpp"

namespace teleglas {

class DuplicateLiquidations {
 public:
  static constexpr std::size_t max_remembered = 4096;

  explicit DuplicateLiquidations(TimeMs window_ms = 1'000) : window_ms_(window_ms) {}

  // True when `liquidation` echoes one already seen from another source (drop it); otherwise
  // it is remembered and false.
  bool echo(const MarketEvent& liquidation);

 private:
  struct Seen {
    TimeMs time = 0;
    std::uint64_t venue_symbol = 0;  // hash of the venue (lowercased) and the symbol
    Side side = Side::buy;
    Source source = Source::coinglass;
    double price = 0;
    double usd = 0;
  };

  TimeMs window_ms_;
  std::deque<Seen> recent_;  // in arrival order
  TimeMs newest_ = 0;
};

}  // namespace teleglas
