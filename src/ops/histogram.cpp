#include "teleglas/ops/histogram.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace teleglas {

Histogram::Histogram(std::vector<double> upper_bounds) : upper_bounds_(std::move(upper_bounds)) {
  for (std::size_t i = 0; i < upper_bounds_.size(); ++i) {
    if (!std::isfinite(upper_bounds_[i]) || (i > 0 && upper_bounds_[i] <= upper_bounds_[i - 1])) {
      throw std::invalid_argument("histogram bounds must be finite and strictly increasing");
    }
  }
  buckets_.assign(upper_bounds_.size() + 1, 0);
}

void Histogram::observe(double value) {
  if (std::isnan(value)) return;
  if (value < 0) {
    ++negative_;
    value = 0;
  }
  // The first bound >= value: Prometheus buckets are "less than or equal".
  const auto bound = std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value);
  const auto index = static_cast<std::size_t>(bound - upper_bounds_.begin());
  ++buckets_[index];
  ++count_;
  sum_ += value;
}

std::uint64_t Histogram::cumulative_count(std::size_t i) const {
  std::uint64_t total = 0;
  for (std::size_t b = 0; b <= std::min(i, buckets_.size() - 1); ++b) total += buckets_[b];
  return total;
}

Histogram event_to_alert_histogram() {
  return Histogram({0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60});
}

Histogram exchange_lag_histogram() {
  return Histogram({0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30});
}

}  // namespace teleglas
