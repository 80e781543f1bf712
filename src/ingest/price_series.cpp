#include "teleglas/ingest/price_series.hpp"

#include <algorithm>

namespace teleglas {

namespace {

std::int64_t floor_div(TimeMs t, TimeMs unit) {
  return t >= 0 ? t / unit : (t - unit + 1) / unit;
}

}  // namespace

PriceSeries::PriceSeries(TimeMs keep_ms, TimeMs minutes_ms)
    : keep_ms_(keep_ms), minutes_ms_(minutes_ms) {}

void PriceSeries::add(TimeMs time, double price, double usd, Side side, bool liquidation) {
  // The newest print by time, not by arrival: a late print never replaces a fresher one.
  if (time >= last_time_) {
    last_time_ = time;
    last_price_ = price;
  }
  const std::int64_t second = floor_div(time, 1000);
  Bar& bar = !seconds_.empty() && seconds_.newest_key() == second ? seconds_.newest()
                                                                  : seconds_.at(second);
  bar.low = std::min(bar.low, price);
  bar.high = std::max(bar.high, price);
  const int s = index_of(side);
  if (liquidation) {
    bar.liquidation_low[s] = std::min(bar.liquidation_low[s], price);
    bar.liquidation_high[s] = std::max(bar.liquidation_high[s], price);
    bar.volume.liquidations[s] += to_usd_units(usd);
  } else {
    bar.volume.trades[s] += to_usd_units(usd);
  }
  const std::int64_t minute_key = floor_div(time, 60'000);
  MinuteBar& minute = !minutes_.empty() && minutes_.newest_key() == minute_key
                          ? minutes_.newest()
                          : minutes_.at(minute_key);
  minute.low = std::min(minute.low, price);
  minute.high = std::max(minute.high, price);
}

void PriceSeries::expire(TimeMs now) {
  seconds_.drop_below(floor_div(now - keep_ms_, 1000));
  minutes_.drop_below(floor_div(now - minutes_ms_, 60'000) - 1);
}

std::optional<PriceRange> PriceSeries::range(SecondRange seconds) const {
  PriceRange r{none, -none};
  seconds_.for_range(seconds.first, seconds.last, [&](std::int64_t, const Bar& bar) {
    r.low = std::min(r.low, bar.low);
    r.high = std::max(r.high, bar.high);
  });
  if (r.low == none) return std::nullopt;
  return r;
}

std::optional<PriceRange> PriceSeries::liquidation_range(SecondRange seconds, Side side) const {
  const int s = index_of(side);
  PriceRange r{none, -none};
  seconds_.for_range(seconds.first, seconds.last, [&](std::int64_t, const Bar& bar) {
    r.low = std::min(r.low, bar.liquidation_low[s]);
    r.high = std::max(r.high, bar.liquidation_high[s]);
  });
  if (r.low == none) return std::nullopt;
  return r;
}

VenueVolume PriceSeries::volume(SecondRange seconds) const {
  VenueVolume v;
  seconds_.for_range(seconds.first, seconds.last, [&](std::int64_t, const Bar& bar) {
    for (int s = 0; s < 2; ++s) {
      v.trades[s] += bar.volume.trades[s];
      v.liquidations[s] += bar.volume.liquidations[s];
    }
  });
  return v;
}

std::optional<double> PriceSeries::mean_minute_range(TimeMs now, TimeMs lookback_ms,
                                                     int min_minutes) const {
  const std::int64_t current = floor_div(now, 60'000);
  const std::int64_t first = current - std::max<std::int64_t>(1, lookback_ms / 60'000);
  double sum = 0;
  int minutes = 0;
  minutes_.for_range(first, current - 1, [&](std::int64_t, const MinuteBar& bar) {
    sum += (bar.high - bar.low) / bar.low;
    ++minutes;
  });
  if (minutes < std::max(1, min_minutes)) return std::nullopt;
  return sum / minutes;
}

}  // namespace teleglas
