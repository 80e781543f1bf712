#include "teleglas/ingest/flow_series.hpp"

#include <algorithm>

namespace teleglas {

void SideFlow::add(const SideFlow& other) {
  usd += other.usd;
  count += other.count;
  for (int t = 0; t < large_tiers; ++t) {
    large_count[t] += other.large_count[t];
    large_usd[t] += other.large_usd[t];
  }
  first_time = std::min(first_time, other.first_time);
}

void SideFlow::subtract(const SideFlow& other) {
  usd -= other.usd;
  count -= other.count;
  for (int t = 0; t < large_tiers; ++t) {
    large_count[t] -= other.large_count[t];
    large_usd[t] -= other.large_usd[t];
  }
}

FlowSeries::FlowSeries(TimeMs keep_ms, std::array<LargeRule, large_tiers> rules)
    : keep_ms_(keep_ms) {
  for (int t = 0; t < large_tiers; ++t) {
    large_units_[t] = to_usd_units(rules[t].usd);
    large_inclusive_[t] = rules[t].inclusive;
  }
}

bool FlowSeries::add(TimeMs time, Side side, double usd) {
  const std::int64_t second = second_of(time);
  Second* bucket;
  if (!seconds_.empty() && second == seconds_.newest_key()) {
    bucket = &seconds_.newest();  // the common case: another event in the current second
  } else {
    if (!seconds_.empty() && second < seconds_.newest_key() - whole_seconds(keep_ms_)) return false;
    bucket = &seconds_.at(second);
  }
  SideFlow& flow = (*bucket)[index_of(side)];
  const bool in_sliding = sliding_.valid && second >= sliding_.first && second < sliding_.end;
  SideFlow* sliding = in_sliding ? &sliding_.totals.sides[index_of(side)] : nullptr;
  const UsdUnits units = to_usd_units(usd);
  flow.usd += units;
  kept_usd_[index_of(side)] += units;
  ++flow.count;
  for (int t = 0; t < large_tiers; ++t) {
    if (large_inclusive_[t] ? units >= large_units_[t] : units > large_units_[t]) {
      ++flow.large_count[t];
      flow.large_usd[t] += units;
      ++kept_large_[index_of(side)][t];
    }
  }
  flow.first_time = std::min(flow.first_time, time);
  if (sliding) {  // a late event inside the window already summed
    sliding->usd += units;
    ++sliding->count;
    for (int t = 0; t < large_tiers; ++t) {
      if (large_inclusive_[t] ? units >= large_units_[t] : units > large_units_[t]) {
        ++sliding->large_count[t];
        sliding->large_usd[t] += units;
      }
    }
  }
  return true;
}

void FlowSeries::drop_below(std::int64_t floor) {
  // Seconds still summed in the sliding window cannot leave it unseen: sum afresh next time.
  if (sliding_.valid && floor > sliding_.first) sliding_.valid = false;
  seconds_.for_range(std::numeric_limits<std::int64_t>::min(), floor - 1,
                     [&](std::int64_t, const Second& s) {
                       for (int side = 0; side < 2; ++side) {
                         kept_usd_[side] -= s[side].usd;
                         for (int t = 0; t < large_tiers; ++t) {
                           kept_large_[side][t] -= s[side].large_count[t];
                         }
                       }
                     });
  seconds_.drop_below(floor);
}

FlowTotals FlowSeries::sum(SecondRange range) const {
  FlowTotals totals;
  seconds_.for_range(range.first, range.last, [&](std::int64_t, const Second& s) {
    totals.sides[0].add(s[0]);
    totals.sides[1].add(s[1]);
  });
  return totals;
}

FlowTotals FlowSeries::sliding_sum(SecondRange range) {
  const std::int64_t end = range.last + 1;
  // Seconds that left are subtracted while still kept: the window may only move forward, and
  // no further than it spans (else summing afresh is cheaper anyway).
  if (!sliding_.valid || range.first < sliding_.first || end < sliding_.end ||
      range.first >= sliding_.end) {
    sliding_.totals = sum(range);
  } else {
    seconds_.for_range(sliding_.first, range.first - 1, [&](std::int64_t, const Second& s) {
      sliding_.totals.sides[0].subtract(s[0]);
      sliding_.totals.sides[1].subtract(s[1]);
    });
    seconds_.for_range(sliding_.end, range.last, [&](std::int64_t, const Second& s) {
      sliding_.totals.sides[0].add(s[0]);
      sliding_.totals.sides[1].add(s[1]);
    });
  }
  sliding_.valid = true;
  sliding_.first = range.first;
  sliding_.end = end;
  return sliding_.totals;
}

FlowTotals FlowSeries::sum(SecondRange range, const FlowClaims& claims) const {
  FlowTotals totals;
  for (int side = 0; side < 2; ++side) {
    const FlowClaim& claim = claims[side];
    SideFlow& out = totals.sides[side];
    seconds_.for_range(std::max(range.first, claim.second), range.last,
                       [&](std::int64_t second, const Second& s) {
                         out.add(s[side]);
                         if (second == claim.second) out.subtract(claim.at_claim);
                       });
  }
  return totals;
}

UsdUnits FlowSeries::side_usd(SecondRange range, Side side, const FlowClaim& claim) const {
  const int s = index_of(side);
  UsdUnits usd = 0;
  seconds_.for_range(std::max(range.first, claim.second), range.last,
                     [&](std::int64_t second, const Second& flow) {
                       usd += flow[s].usd;
                       if (second == claim.second) usd -= claim.at_claim.usd;
                     });
  return usd;
}

int FlowSeries::large_count(SecondRange range, Side side, int tier, const FlowClaim& claim) const {
  const int s = index_of(side);
  int count = 0;
  seconds_.for_range(std::max(range.first, claim.second), range.last,
                     [&](std::int64_t second, const Second& flow) {
                       count += flow[s].large_count[tier];
                       if (second == claim.second) count -= claim.at_claim.large_count[tier];
                     });
  return count;
}

FlowClaim FlowSeries::claim(Side side, TimeMs now) const {
  FlowClaim claim;
  claim.second = second_of(now);
  if (const Second* s = seconds_.find(claim.second)) claim.at_claim = (*s)[index_of(side)];
  return claim;
}

}  // namespace teleglas
