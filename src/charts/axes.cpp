#include "teleglas/charts/axes.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace teleglas::charts {

void ExtentBuilder::add(double value) {
  if (!std::isfinite(value)) return;
  if (!extent_) {
    extent_ = ValueRange{value, value};
    return;
  }
  extent_->low = std::min(extent_->low, value);
  extent_->high = std::max(extent_->high, value);
}

std::optional<ValueRange> ExtentBuilder::extent() const {
  return extent_;
}

ValueRange padded_price_range(std::optional<ValueRange> extent) {
  if (!extent) return {};
  double low = extent->low;
  double high = extent->high;
  if (high - low <= std::fabs(high) * 1e-9) {
    // A flat price still needs a scale: a thin band around it, or [p-0.5, p+0.5] around zero.
    const double half = high != 0 ? std::fabs(high) * 0.001 : 0.5;
    low -= half;
    high += half;
  }
  // Room above the highest high and below the lowest low, so neither touches the frame.
  const double margin = (high - low) * 0.08;
  return {low - margin, high + margin};
}

double nice_step(double span, int max_ticks) {
  const double raw = span / std::max(1, max_ticks);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double factor : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (factor * magnitude >= raw * (1 - 1e-9)) return factor * magnitude;
  }
  return 10 * magnitude;
}

std::vector<double> ticks_within(ValueRange range, double step) {
  std::vector<double> ticks;
  if (!(step > 0) || !(range.high > range.low)) return ticks;
  const double first = std::ceil(range.low / step - 1e-9);
  const double last = std::floor(range.high / step + 1e-9);
  for (double k = first; k <= last && ticks.size() < 100; k += 1) ticks.push_back(k * step);
  return ticks;
}

int decimals_for_step(double step) {
  if (!(step > 0)) return 0;
  double scaled = step;
  for (int decimals = 0; decimals < 15; ++decimals, scaled *= 10) {
    if (std::fabs(scaled - std::round(scaled)) <= scaled * 1e-6) return decimals;
  }
  return 15;
}

TimeMs time_tick_step(TimeMs span_ms, int max_ticks) {
  static constexpr std::array<TimeMs, 11> steps_ms = {
      10'000, 15'000, 30'000, 60'000, 120'000, 180'000, 300'000, 600'000, 900'000, 1'800'000,
      3'600'000};
  for (const TimeMs step : steps_ms) {
    if (span_ms / step <= max_ticks) return step;
  }
  return steps_ms.back() * (span_ms / (steps_ms.back() * std::max(1, max_ticks)) + 1);
}

std::vector<TimeMs> time_ticks_within(TimeMs start, TimeMs end, TimeMs step_ms) {
  std::vector<TimeMs> ticks;
  if (step_ms <= 0 || end < start) return ticks;
  // The first multiple of the step at or after start, also for times before the epoch.
  TimeMs tick = start / step_ms * step_ms;
  if (tick < start) tick += step_ms;
  for (; tick <= end && ticks.size() < 100; tick += step_ms) ticks.push_back(tick);
  return ticks;
}

}  // namespace teleglas::charts
