#include "teleglas/net/backoff.hpp"

#include <algorithm>
#include <utility>

namespace teleglas {

Backoff::Backoff(BackoffPolicy policy, RandomSource random)
    : policy_(policy), random_(std::move(random)) {
  // Keep the arithmetic sane whatever the configuration says; the config validator is what
  // reports such values to the operator.
  policy_.initial_s = std::max(policy_.initial_s, 0.0);
  policy_.max_s = std::max(policy_.max_s, policy_.initial_s);
  policy_.multiplier = std::max(policy_.multiplier, 1.0);
  policy_.jitter = std::clamp(policy_.jitter, 0.0, 1.0);
  base_s_ = policy_.initial_s;
}

TimeMs Backoff::next_delay_ms(TimeMs now) {
  if (healthy_ && now - healthy_since_ >= seconds_ms(policy_.healthy_reset_s)) {
    // Not reset(): a pending to_max() outranks the healthy spell that preceded it.
    base_s_ = policy_.initial_s;
    attempts_ = 0;
  }
  healthy_ = false;
  ++attempts_;
  if (force_max_) {
    force_max_ = false;
    // Stay at the top of the schedule until a healthy spell proves the cause went away.
    base_s_ = policy_.max_s;
    return seconds_ms(policy_.max_s);
  }
  const double base = base_s_;
  base_s_ = std::min(base_s_ * policy_.multiplier, policy_.max_s);
  const double r = random_ ? std::clamp(random_(), 0.0, 1.0) : 0.0;
  return seconds_ms(base * (1.0 - policy_.jitter * r));
}

void Backoff::on_healthy(TimeMs now) {
  healthy_ = true;
  healthy_since_ = now;
}

void Backoff::to_max() {
  force_max_ = true;
}

void Backoff::reset() {
  base_s_ = policy_.initial_s;
  attempts_ = 0;
  force_max_ = false;
  healthy_ = false;
}

}  // namespace teleglas
