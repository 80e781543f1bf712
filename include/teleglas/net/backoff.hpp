// Reconnect delays: exponential from an initial to a maximum delay, jittered by an injected
// random source so that tests never sleep and reconnecting clients do not move in lockstep.
// Pure: the caller passes `now`; nothing here reads a clock.
#pragma once

#include <functional>

#include "teleglas/core/types.hpp"

namespace teleglas {

struct BackoffPolicy {
  double initial_s = 1;
  double max_s = 60;
  double multiplier = 2;
  // Each delay is drawn from [base * (1 - jitter), base]: never longer than the schedule says,
  // so `max_s` stays a true bound, and spread enough to de-synchronise clients.
  double jitter = 0.5;
  // A connection that stayed healthy this long proves the outage is over: start again from
  // `initial_s` at the next failure.
  double healthy_reset_s = 30;
};

class Backoff {
 public:
  // Uniform in [0, 1). Called once per delay.
  using RandomSource = std::function<double()>;

  Backoff(BackoffPolicy policy, RandomSource random);

  // The delay before the next connection attempt; each call advances the schedule.
  TimeMs next_delay_ms(TimeMs now);

  // The connection became healthy (subscribed) at `now`; if it still is `healthy_reset_s`
  // later when it fails, the schedule starts over.
  void on_healthy(TimeMs now);

  // The next delay is exactly the maximum, whatever the schedule or a healthy spell says:
  // retrying sooner after a server notice or an auth refusal only hammers the server.
  void to_max();

  // Back to the first delay (and forget a pending to_max()).
  void reset();

  int attempts() const { return attempts_; }
  const BackoffPolicy& policy() const { return policy_; }

 private:
  BackoffPolicy policy_;
  RandomSource random_;
  double base_s_;     // the un-jittered next delay
  int attempts_ = 0;  // delays handed out since the last reset
  bool force_max_ = false;
  bool healthy_ = false;
  TimeMs healthy_since_ = 0;
};

}  // namespace teleglas
