// A latency histogram with fixed upper bounds, in the shape Prometheus exposes (cumulative
// buckets, sum, count). Kept by the one thread that observes it, so it needs no lock.
#pragma once

#include <cstdint>
#include <vector>

namespace teleglas {

class Histogram {
 public:
  // `upper_bounds`: finite, strictly increasing; the +Inf bucket is implicit. Throws
  // std::invalid_argument otherwise (a programming error).
  explicit Histogram(std::vector<double> upper_bounds);

  // A negative value (a clock behind the exchange's) lands in the lowest bucket and adds 0 to
  // the sum: skew must not make latency look better than none. It is counted apart.
  void observe(double value);

  const std::vector<double>& upper_bounds() const { return upper_bounds_; }
  // Observations <= upper_bounds()[i]; i == upper_bounds().size() is the +Inf bucket.
  std::uint64_t cumulative_count(std::size_t i) const;
  std::uint64_t count() const { return count_; }
  double sum() const { return sum_; }
  std::uint64_t negative_count() const { return negative_; }

 private:
  std::vector<double> upper_bounds_;
  std::vector<std::uint64_t> buckets_;  // per bucket, not cumulative; the last one is +Inf
  std::uint64_t count_ = 0;
  double sum_ = 0;
  std::uint64_t negative_ = 0;
};

// Deciding event's exchange time -> Telegram's ok: seconds, from a fast path to an outage.
Histogram event_to_alert_histogram();
// Exchange time -> our receive time of a market event: seconds, network plus clock skew.
Histogram exchange_lag_histogram();

}  // namespace teleglas
