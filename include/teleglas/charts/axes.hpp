// The scales of a chart's axes: which values a plot spans and where its ticks fall. Pure
// arithmetic, apart from drawing, so the renderer and its tests agree on where things go.
#pragma once

#include <optional>
#include <vector>

#include "teleglas/core/types.hpp"

namespace teleglas::charts {

struct ValueRange {
  double low = 0;
  double high = 1;
};

// The smallest and largest of the values added; finite values only.
class ExtentBuilder {
 public:
  void add(double value);
  std::optional<ValueRange> extent() const;

 private:
  std::optional<ValueRange> extent_;
};

// The range a price axis shows for data spanning `extent`: a margin on both sides, and a
// visible span around a flat price (0.1 % of it) or around nothing at all ([0, 1]).
ValueRange padded_price_range(std::optional<ValueRange> extent);

// A tick step of 1, 2, 2.5 or 5 times a power of ten giving at most `max_ticks` ticks over
// `span` (> 0).
double nice_step(double span, int max_ticks);

// The multiples of `step` inside [low, high].
std::vector<double> ticks_within(ValueRange range, double step);

// Decimals that show every multiple of `step` exactly: 50 -> 0, 2.5 -> 1, 0.0000002 -> 7.
int decimals_for_step(double step);

// A time tick step in whole minutes (1, 2, 3, 5, 10, 15, 30, 60) or, for spans of a few
// minutes, seconds (10, 15, 30), giving at most `max_ticks` ticks over `span_ms`.
TimeMs time_tick_step(TimeMs span_ms, int max_ticks);

// The multiples of `step_ms` inside [start, end].
std::vector<TimeMs> time_ticks_within(TimeMs start, TimeMs end, TimeMs step_ms);

}  // namespace teleglas::charts
