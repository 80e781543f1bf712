#include "teleglas/ingest/chart_tape.hpp"

#include <algorithm>
#include <cmath>

namespace teleglas {

ChartTape::ChartTape(TimeMs keep_ms, double large_trade_usd)
    : keep_ms_(keep_ms), large_trade_usd_(large_trade_usd) {}

std::int64_t ChartTape::bucket_of(TimeMs time) {
  // Floor division: times before the epoch still fall in the bucket that starts before them.
  return time >= 0 ? time / bucket_ms : -((-time + bucket_ms - 1) / bucket_ms);
}

void ChartTape::add_print(std::size_t venue, TimeMs time, double price) {
  if (venue >= venues_.size()) venues_.resize(venue + 1);
  Bucket& b = venues_[venue].at(bucket_of(time));
  if (!b.any) {
    b = Bucket{time, time, price, price, price, price, true};
    return;
  }
  b.high = std::max(b.high, price);
  b.low = std::min(b.low, price);
  // A late print inside the bucket opens or closes it only by its own time.
  if (time < b.open_time) {
    b.open_time = time;
    b.open = price;
  }
  if (time >= b.close_time) {
    b.close_time = time;
    b.close = price;
  }
}

void ChartTape::add_liquidation(TimeMs time, Side side, double usd) {
  Liquidations& l = liquidations_.at(bucket_of(time));
  (side == Side::sell ? l.longs_usd : l.shorts_usd) += usd;
}

void ChartTape::add_trade(TimeMs time, Side side, double price, double usd) {
  if (usd < large_trade_usd_) return;
  if (large_trades_.size() >= max_large_trades) large_trades_.pop_front();
  large_trades_.push_back({time, side, price, usd});
}

void ChartTape::expire(TimeMs now) {
  const std::int64_t floor = bucket_of(now - keep_ms_);
  for (auto& venue : venues_) {
    if (venue.has_below(floor)) venue.drop_below(floor);
  }
  if (liquidations_.has_below(floor)) liquidations_.drop_below(floor);
  while (!large_trades_.empty() && large_trades_.front().time < now - keep_ms_) {
    large_trades_.pop_front();
  }
}

std::vector<charts::Candle> ChartTape::candles(std::size_t venue, TimeMs from, TimeMs to) const {
  std::vector<charts::Candle> out;
  if (venue >= venues_.size()) return out;
  venues_[venue].for_range(bucket_of(from), bucket_of(to), [&](std::int64_t key, const Bucket& b) {
    if (b.any) out.push_back({key * bucket_ms, b.open, b.high, b.low, b.close});
  });
  return out;
}

std::vector<charts::LiquidationBucket> ChartTape::liquidations(TimeMs from, TimeMs to) const {
  std::vector<charts::LiquidationBucket> out;
  liquidations_.for_range(bucket_of(from), bucket_of(to),
                          [&](std::int64_t key, const Liquidations& l) {
                            out.push_back({key * bucket_ms, l.longs_usd, l.shorts_usd});
                          });
  return out;
}

std::vector<charts::AbsorbingTrade> ChartTape::large_trades(Side side, TimeMs from,
                                                           TimeMs to) const {
  std::vector<charts::AbsorbingTrade> out;
  for (const LargeTrade& t : large_trades_) {
    if (t.side == side && t.time >= from && t.time <= to) out.push_back({t.time, t.price, t.usd});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.time < b.time; });
  return out;
}

}  // namespace teleglas
