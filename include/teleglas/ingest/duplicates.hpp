// One liquidation or trade reported by two sources is counted once. CoinGlass relays what the
// exchanges publish, so a daemon streaming CoinGlass beside Binance's (or Bybit's, OKX's) own
// feed hears that venue's events twice. Both classes are pure and bounded, and run in the
// pipeline's front, so live and replay drop the very same events.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string_view>
#include <unordered_map>

#include "teleglas/core/events.hpp"

namespace teleglas {

// The key two sources share for one venue's instrument: the venue case-insensitively and the
// symbol, which the parser gives in its common spelling whichever source named it (CoinGlass's
// BTC-USDT-SWAP for OKX is BTCUSDT, as on OKX's own stream).
std::uint64_t venue_symbol_key(std::string_view venue, std::string_view symbol);

// Reports of one kind remembered for a few seconds, to tell whether a new one echoes an earlier
// report from ANOTHER source: the same venue, symbol and side, exchange times at most
// `window_ms` apart, prices within 0.1% and USD volumes within 1% (or $1).
class EchoMemory {
 public:
  static constexpr std::size_t max_remembered = 4096;

  explicit EchoMemory(TimeMs window_ms) : window_ms_(window_ms) {}

  // `key`: venue_symbol_key of `e`, worked out once by the caller for both calls.
  bool echoes(const MarketEvent& e, std::uint64_t key);  // also forgets what is too old to match
  void remember(const MarketEvent& e, std::uint64_t key);
  bool empty() const { return recent_.empty(); }

 private:
  struct Seen {
    TimeMs time = 0;
    std::uint64_t key = 0;  // venue_symbol_key
    Side side = Side::buy;
    Source source = Source::coinglass;
    double price = 0;
    double usd = 0;
  };

  TimeMs window_ms_;
  std::deque<Seen> recent_;  // in arrival order
  TimeMs newest_ = 0;
};

// Liquidations: the first report counts, an echo from another source is dropped. Two reports
// from one source are never echoes: a venue may well liquidate the same size twice in a second.
class DuplicateLiquidations {
 public:
  explicit DuplicateLiquidations(TimeMs window_ms = 1'000) : memory_(window_ms) {}

  // True when `liquidation` echoes one already seen from another source (drop it); otherwise
  // it is remembered and false.
  bool echo(const MarketEvent& liquidation);

 private:
  EchoMemory memory_;
};

// Trades: a venue's own stream is the authority on that venue's trades. It delivers every
// trade, where CoinGlass relays only those above its channel's minimum, and trades have no
// identity the two feeds share. So:
// - a CoinGlass trade naming a venue and symbol whose own stream delivered a trade within the
//   last `live_ms` (exchange time) is dropped: the own stream has it, or will;
// - otherwise (no own stream for it, or that stream silent: down, or not subscribed to the
//   symbol's trades) the CoinGlass trade counts, and is remembered so that the own stream's
//   report of it, should that stream come back with it, is dropped as an echo (the rule of
//   DuplicateLiquidations).
// A daemon with one kind of source only (the defaults) drops nothing.
class DuplicateTrades {
 public:
  static constexpr std::size_t max_streams = 4096;

  explicit DuplicateTrades(TimeMs live_ms = 30'000, TimeMs window_ms = 1'000)
      : live_ms_(live_ms), memory_(window_ms) {}

  // True when `trade` is to be dropped as a report of a trade another source delivers.
  bool duplicate(const MarketEvent& trade);

 private:
  TimeMs live_ms_;
  EchoMemory memory_;                                   // the CoinGlass trades that counted
  std::unordered_map<std::uint64_t, TimeMs> own_last_;  // venue_symbol_key -> newest own trade
};

}  // namespace teleglas
