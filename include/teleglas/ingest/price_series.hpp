// What one venue printed for one symbol (its trades and the fills of its liquidations):
// per-second bars of low/high prices and USD volume by side for zones, ranges and the venue
// breakdown, minute bars for volatility, and the newest print with its time, so a setup never
// takes a price older than it may. Bounded by the seconds and minutes kept, whatever the rate.
#pragma once

#include <array>
#include <limits>
#include <optional>

#include "teleglas/core/types.hpp"
#include "teleglas/ingest/flow_series.hpp"
#include "teleglas/ingest/keyed_ring.hpp"

namespace teleglas {

struct PriceRange {
  double low = 0;
  double high = 0;
};

// USD a venue printed by side, in fixed point: trades by aggressor, liquidations by forced side.
struct VenueVolume {
  std::array<UsdUnits, 2> trades{};
  std::array<UsdUnits, 2> liquidations{};
};

class PriceSeries {
 public:
  // Keeps `keep_ms` of second bars and `minutes_ms` of minute bars behind the newest print.
  PriceSeries(TimeMs keep_ms, TimeMs minutes_ms);

  // `liquidation`: a liquidation's fill (`side` its forced order) rather than a trade.
  void add(TimeMs time, double price, double usd, Side side, bool liquidation);
  void expire(TimeMs now);

  // Low and high of every print in the seconds, or nullopt when there was none.
  std::optional<PriceRange> range(SecondRange seconds) const;
  // Low and high of the liquidation fills of one side in the seconds.
  std::optional<PriceRange> liquidation_range(SecondRange seconds, Side side) const;
  // USD printed in the seconds.
  VenueVolume volume(SecondRange seconds) const;
  // Mean of (high - low) / low over the whole minutes with prints among the last
  // `lookback_ms` before `now`'s minute; nullopt with fewer than `min_minutes` of them.
  std::optional<double> mean_minute_range(TimeMs now, TimeMs lookback_ms, int min_minutes) const;

  double last_price() const { return last_price_; }  // 0 before the first print
  TimeMs last_time() const { return last_time_; }    // time of the newest print


 private:
  static constexpr double none = std::numeric_limits<double>::infinity();
  struct Bar {
    double low = none;
    double high = -none;
    std::array<double, 2> liquidation_low{none, none};  // by index_of(Side)
    std::array<double, 2> liquidation_high{-none, -none};
    VenueVolume volume;
  };
  struct MinuteBar {
    double low = none;
    double high = -none;
  };

  void fold_into_minute(std::int64_t second, const Bar& bar);

  TimeMs keep_ms_;
  TimeMs minutes_ms_;
  KeyedRing<Bar> seconds_;
  KeyedRing<MinuteBar> minutes_;
  double last_price_ = 0;
  TimeMs last_time_ = std::numeric_limits<TimeMs>::min();
};

}  // namespace teleglas
