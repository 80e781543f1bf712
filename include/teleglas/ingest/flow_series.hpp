// Per-second flow of one stream (liquidations or trades) of one symbol: USD in fixed point,
// counts and large-event counts by side (each venue's share is in its PriceSeries). A window is summed from the seconds it
// spans when a detector decides, so it covers exactly its time span at any event rate, and
// memory is bounded by the seconds kept, never by how many events they hold.
#pragma once

#include <array>
#include <cstdint>
#include <limits>

#include "teleglas/core/types.hpp"
#include "teleglas/ingest/keyed_ring.hpp"

namespace teleglas {

// USD is summed in fixed point (1/10000 USD): exact, so sums never drift however many events
// enter and leave a window, and replay output is bit-for-bit stable.
using UsdUnits = std::int64_t;
inline constexpr double usd_units_per_dollar = 10'000.0;
// Volumes are positive and bounded (the parser guarantees it); round half up without llround's
// cost. Inline: every event converts once or twice.
constexpr UsdUnits to_usd_units(double usd) {
  return usd >= 0 ? static_cast<UsdUnits>(usd * usd_units_per_dollar + 0.5)
                  : -static_cast<UsdUnits>(-usd * usd_units_per_dollar + 0.5);
}
inline double to_dollars(UsdUnits u) {
  return static_cast<double>(u) / usd_units_per_dollar;
}

// Size classes counted separately (e.g. order flow's "large" and the whale size).
inline constexpr int large_tiers = 2;

struct LargeRule {
  double usd = 0;          // an event is large from this size ...
  bool inclusive = true;   // ... inclusive (>=) or strictly above (>)
};

struct SideFlow {
  UsdUnits usd = 0;
  std::int32_t count = 0;
  std::array<std::int32_t, large_tiers> large_count{};
  std::array<UsdUnits, large_tiers> large_usd{};
  TimeMs first_time = std::numeric_limits<TimeMs>::max();  // earliest event counted

  void add(const SideFlow& other);
  void subtract(const SideFlow& other);  // first_time is kept
};

struct FlowTotals {
  std::array<SideFlow, 2> sides;  // by index_of(Side)

  const SideFlow& of(Side s) const { return sides[index_of(s)]; }
  double usd_of(Side s) const { return to_dollars(of(s).usd); }
  int count_of(Side s) const { return of(s).count; }
  int large_count_of(int tier, Side s) const { return of(s).large_count[tier]; }
  double large_usd_of(int tier, Side s) const { return to_dollars(of(s).large_usd[tier]); }
  double total_usd() const { return to_dollars(sides[0].usd + sides[1].usd); }
  int total_count() const { return sides[0].count + sides[1].count; }
  int total_large_count(int tier) const { return sides[0].large_count[tier] + sides[1].large_count[tier]; }
  TimeMs first_time() const { return std::min(sides[0].first_time, sides[1].first_time); }
};

// An inclusive range of whole seconds (epoch seconds).
struct SecondRange {
  std::int64_t first = 0;
  std::int64_t last = -1;

  TimeMs start_ms() const { return first * 1000; }
};

// The window of `span_ms` that ends with the second holding `now`: the current second and the
// whole seconds before it that make up the span (a 30 s window at 12:00:10.400 holds the
// seconds 11:59:41 ... 12:00:10: every event of the last 29.4 s, 29 to 30 s in general).
constexpr SecondRange trailing_seconds(TimeMs now, TimeMs span_ms);
// The window of `span_ms` that ends just before `boundary` (a whole second): [b - span, b).
constexpr SecondRange seconds_before(TimeMs boundary, TimeMs span_ms);

constexpr std::int64_t second_of(TimeMs time) {
  return time >= 0 ? time / 1000 : (time - 999) / 1000;
}
// Whole seconds in a span, at least one.
constexpr std::int64_t whole_seconds(TimeMs span_ms) {
  return span_ms <= 1000 ? 1 : (span_ms + 999) / 1000;
}
constexpr SecondRange trailing_seconds(TimeMs now, TimeMs span_ms) {
  const std::int64_t last = second_of(now);
  return {last - whole_seconds(span_ms) + 1, last};
}
constexpr SecondRange seconds_before(TimeMs boundary, TimeMs span_ms) {
  const std::int64_t end = second_of(boundary);
  return {end - whole_seconds(span_ms), end - 1};
}
// The whole seconds from the one holding `from` to the one holding `to`.
constexpr SecondRange seconds_between(TimeMs from, TimeMs to) {
  return {second_of(from), second_of(to)};
}

// Marks one side of a series as consumed up to a moment: a detector that claimed those events
// (a stop hunt that opened on them) never counts them again, and counts everything after.
struct FlowClaim {
  std::int64_t second = std::numeric_limits<std::int64_t>::min();
  SideFlow at_claim;  // what that second already held when claimed
};
using FlowClaims = std::array<FlowClaim, 2>;  // by index_of(Side)

class FlowSeries {
 public:
  // Keeps `keep_ms` of seconds behind the newest; `rules` define the large tiers.
  FlowSeries(TimeMs keep_ms, std::array<LargeRule, large_tiers> rules);

  // Folds one event into its second. False when the second is older than what is kept.
  bool add(TimeMs time, Side side, double usd);
  // Forgets seconds older than keep_ms before `now`.
  void expire(TimeMs now) {
    const std::int64_t floor = second_of(now) - whole_seconds(keep_ms_);
    if (seconds_.has_below(floor)) drop_below(floor);
  }

  FlowTotals sum(SecondRange range) const;
  FlowTotals sum(SecondRange range, const FlowClaims& claims) const;
  // The same sum for a window that only moves forward (order flow, boundary after boundary):
  // kept up to date as seconds enter and leave it, so each step costs the seconds it moved
  // by, not the whole span. Equal to sum(range) except first_time, which it does not keep.
  FlowTotals sliding_sum(SecondRange range);
  // USD of one side only: the cheap check run on every event.
  UsdUnits side_usd(SecondRange range, Side side, const FlowClaim& claim) const;
  // Large events of one side and tier only.
  int large_count(SecondRange range, Side side, int tier, const FlowClaim& claim) const;
  // Claims everything of `side` up to and including what the second of `now` holds.
  FlowClaim claim(Side side, TimeMs now) const;

  // USD of one side over every second kept: a bound on any window's sum, in O(1).
  UsdUnits kept_usd(Side side) const { return kept_usd_[index_of(side)]; }
  // Large events of one side and tier over every second kept: the same kind of bound.
  int kept_large_count(Side side, int tier) const { return kept_large_[index_of(side)][tier]; }

  bool empty() const { return seconds_.empty(); }
  std::int64_t newest_second() const { return seconds_.newest_key(); }  // !empty()

 private:
  using Second = std::array<SideFlow, 2>;
  void drop_below(std::int64_t floor);
  TimeMs keep_ms_;
  std::array<UsdUnits, large_tiers> large_units_;
  std::array<bool, large_tiers> large_inclusive_;
  KeyedRing<Second> seconds_;
  std::array<UsdUnits, 2> kept_usd_{};
  std::array<std::array<int, large_tiers>, 2> kept_large_{};
  struct Sliding {
    bool valid = false;
    std::int64_t first = 0;  // [first, end) summed in totals
    std::int64_t end = 0;
    FlowTotals totals;
  };
  Sliding sliding_;
};

}  // namespace teleglas
