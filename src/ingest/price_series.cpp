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
  Bar* bar;
  if (!seconds_.empty() && seconds_.newest_key() == second) {
    bar = &seconds_.newest();
  } else {
    // A new second: the one it follows is complete, fold it into its minute. A late print
    // (an older second) goes to its minute at once.
    if (!seconds_.empty() && second > seconds_.newest_key()) {
      fold_into_minute(seconds_.newest_key(), seconds_.newest());
    } else if (!seconds_.empty()) {
      fold_into_minute(second, Bar{price, price});
    }
    bar = &seconds_.at(second);
  }
  bar->low = std::min(bar->low, price);
  bar->high = std::max(bar->high, price);
  const int s = index_of(side);
  if (liquidation) {
    bar->liquidation_low[s] = std::min(bar->liquidation_low[s], price);
    bar->liquidation_high[s] = std::max(bar->liquidation_high[s], price);
    bar->volume.liquidations[s] += to_usd_units(usd);
  } else {
    bar->volume.trades[s] += to_usd_units(usd);
  }
}

void PriceSeries::fold_into_minute(std::int64_t second, const Bar& bar) {
  MinuteBar& minute = minutes_.at(floor_div(second, 60));
  minute.low = std::min(minute.low, bar.low);
  minute.high = std::max(minute.high, bar.high);
}

void PriceSeries::expire(TimeMs now) {
  const std::int64_t second_floor = floor_div(now - keep_ms_, 1000);
  if (seconds_.has_below(second_floor)) seconds_.drop_below(second_floor);
  const std::int64_t minute_floor = floor_div(now - minutes_ms_, 60'000) - 1;
  if (minutes_.has_below(minute_floor)) minutes_.drop_below(minute_floor);
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
  // Minutes hold every second but the newest, which is still filling: add it where it falls.
  const bool newest_pending = !seconds_.empty();
  const std::int64_t pending_minute = newest_pending ? floor_div(seconds_.newest_key(), 60) : 0;
  double sum = 0;
  int minutes = 0;
  bool pending_counted = false;
  minutes_.for_range(first, current - 1, [&](std::int64_t key, const MinuteBar& bar) {
    double low = bar.low;
    double high = bar.high;
    if (newest_pending && key == pending_minute) {
      low = std::min(low, seconds_.newest().low);
      high = std::max(high, seconds_.newest().high);
      pending_counted = true;
    }
    sum += (high - low) / low;
    ++minutes;
  });
  if (newest_pending && !pending_counted && pending_minute >= first && pending_minute < current) {
    sum += (seconds_.newest().high - seconds_.newest().low) / seconds_.newest().low;
    ++minutes;
  }
  if (minutes < std::max(1, min_minutes)) return std::nullopt;
  return sum / minutes;
}

}  // namespace teleglas
