// The last quarter hour of one symbol as a chart draws it: 5-second candles of each venue's
// prints, liquidations per 5 seconds by side, and the large trades. Kept only when charts are
// asked for; bounded by the buckets kept (and a cap on large trades), whatever the rate.
// Pure: fed in event time, read when a signal is admitted.
#pragma once

#include <cstddef>
#include <deque>
#include <vector>

#include "teleglas/core/chart_data.hpp"
#include "teleglas/core/types.hpp"
#include "teleglas/ingest/keyed_ring.hpp"

namespace teleglas {

class ChartTape {
 public:
  static constexpr TimeMs bucket_ms = 5'000;
  // Large trades kept at most: a dense tape of big prints must not grow memory without bound;
  // beyond it the oldest go first (a chart shows the ones near the decision).
  static constexpr std::size_t max_large_trades = 1024;

  // Keeps `keep_ms` behind the newest event; trades of at least `large_trade_usd` are kept
  // one by one to be marked.
  ChartTape(TimeMs keep_ms, double large_trade_usd);

  // A print of a venue (a trade or a liquidation's fill), by the analyzer's venue slot.
  void add_print(std::size_t venue, TimeMs time, double price);
  void add_liquidation(TimeMs time, Side side, double usd);
  void add_trade(TimeMs time, Side side, double price, double usd);
  void expire(TimeMs now);

  // The candles of `venue` whose bucket overlaps [from, to], oldest first.
  std::vector<charts::Candle> candles(std::size_t venue, TimeMs from, TimeMs to) const;
  // Liquidation buckets overlapping [from, to], oldest first.
  std::vector<charts::LiquidationBucket> liquidations(TimeMs from, TimeMs to) const;
  // Large trades of `side` (the aggressor) within [from, to], oldest first.
  std::vector<charts::AbsorbingTrade> large_trades(Side side, TimeMs from, TimeMs to) const;

  TimeMs keep_ms() const { return keep_ms_; }

 private:
  struct Bucket {
    TimeMs open_time = 0;
    TimeMs close_time = 0;
    double open = 0, high = 0, low = 0, close = 0;
    bool any = false;
  };
  struct Liquidations {
    double longs_usd = 0;
    double shorts_usd = 0;
  };
  struct LargeTrade {
    TimeMs time = 0;
    Side side = Side::buy;
    double price = 0;
    double usd = 0;
  };

  static std::int64_t bucket_of(TimeMs time);

  TimeMs keep_ms_;
  double large_trade_usd_;
  std::vector<KeyedRing<Bucket>> venues_;
  KeyedRing<Liquidations> liquidations_;
  std::deque<LargeTrade> large_trades_;  // in arrival order, near enough to time order
};

}  // namespace teleglas
