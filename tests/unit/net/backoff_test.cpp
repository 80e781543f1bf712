#include "teleglas/net/backoff.hpp"

#include <gtest/gtest.h>

namespace teleglas {
namespace {

BackoffPolicy policy(double initial_s, double max_s, double jitter = 0) {
  BackoffPolicy p;
  p.initial_s = initial_s;
  p.max_s = max_s;
  p.jitter = jitter;
  p.healthy_reset_s = 30;
  return p;
}

Backoff::RandomSource fixed(double value) {
  return [value] { return value; };
}

TEST(Backoff, DoublesFromInitialUpToMax) {
  Backoff backoff(policy(1, 10), fixed(0));
  EXPECT_EQ(backoff.next_delay_ms(0), 1'000);
  EXPECT_EQ(backoff.next_delay_ms(0), 2'000);
  EXPECT_EQ(backoff.next_delay_ms(0), 4'000);
  EXPECT_EQ(backoff.next_delay_ms(0), 8'000);
  EXPECT_EQ(backoff.next_delay_ms(0), 10'000);
  EXPECT_EQ(backoff.next_delay_ms(0), 10'000);
  EXPECT_EQ(backoff.attempts(), 6);
}

TEST(Backoff, JitterShortensTheDelayByTheRandomShareNeverLengthens) {
  Backoff top(policy(4, 60, 0.5), fixed(0.999999));
  EXPECT_NEAR(static_cast<double>(top.next_delay_ms(0)), 2'000, 1);
  Backoff middle(policy(4, 60, 0.5), fixed(0.5));
  EXPECT_EQ(middle.next_delay_ms(0), 3'000);
  Backoff none(policy(4, 60, 0.5), fixed(0));
  EXPECT_EQ(none.next_delay_ms(0), 4'000);
}

TEST(Backoff, JitterStaysWithinMaxAtTheTopOfTheSchedule) {
  Backoff backoff(policy(1, 5, 0.5), fixed(0.25));
  for (int i = 0; i < 10; ++i) {
    const TimeMs delay = backoff.next_delay_ms(0);
    EXPECT_LE(delay, 5'000);
    EXPECT_GE(delay, 500);
  }
}

TEST(Backoff, OutOfRangeRandomValuesAreClamped) {
  Backoff low(policy(2, 10, 0.5), fixed(-3));
  EXPECT_EQ(low.next_delay_ms(0), 2'000);
  Backoff high(policy(2, 10, 0.5), fixed(7));
  EXPECT_EQ(high.next_delay_ms(0), 1'000);
}

TEST(Backoff, ResetsAfterAConnectionStayedHealthyLongEnough) {
  Backoff backoff(policy(1, 60), fixed(0));
  backoff.next_delay_ms(0);
  backoff.next_delay_ms(0);
  EXPECT_EQ(backoff.next_delay_ms(0), 4'000);
  backoff.on_healthy(10'000);
  EXPECT_EQ(backoff.next_delay_ms(40'000), 1'000);
  EXPECT_EQ(backoff.attempts(), 1);
}

TEST(Backoff, AShortHealthySpellKeepsGrowing) {
  Backoff backoff(policy(1, 60), fixed(0));
  backoff.next_delay_ms(0);
  backoff.on_healthy(10'000);
  EXPECT_EQ(backoff.next_delay_ms(39'999), 2'000);
}

TEST(Backoff, HealthyIsForgottenOnceADelayWasTaken) {
  Backoff backoff(policy(1, 60), fixed(0));
  backoff.on_healthy(0);
  EXPECT_EQ(backoff.next_delay_ms(1'000), 1'000);
  // The next failure comes long after, but the connection in between never became healthy.
  EXPECT_EQ(backoff.next_delay_ms(100'000), 2'000);
}

TEST(Backoff, ToMaxMakesTheNextDelayExactlyTheMaximum) {
  Backoff backoff(policy(1, 60, 0.5), fixed(0.9));
  backoff.to_max();
  EXPECT_EQ(backoff.next_delay_ms(0), 60'000);
  // Afterwards the schedule stays at the top (jittered), it does not start over.
  const TimeMs after = backoff.next_delay_ms(0);
  EXPECT_GE(after, 30'000);
  EXPECT_LE(after, 60'000);
}

TEST(Backoff, ToMaxOutranksAnEarlierHealthySpell) {
  Backoff backoff(policy(1, 60), fixed(0));
  backoff.on_healthy(0);
  backoff.to_max();
  EXPECT_EQ(backoff.next_delay_ms(100'000), 60'000);
}

TEST(Backoff, ResetStartsOverAndForgetsToMax) {
  Backoff backoff(policy(1, 60), fixed(0));
  backoff.next_delay_ms(0);
  backoff.to_max();
  backoff.reset();
  EXPECT_EQ(backoff.next_delay_ms(0), 1'000);
  EXPECT_EQ(backoff.attempts(), 1);
}

TEST(Backoff, MaxBelowInitialIsRaisedToInitial) {
  Backoff backoff(policy(5, 1), fixed(0));
  EXPECT_EQ(backoff.next_delay_ms(0), 5'000);
  EXPECT_EQ(backoff.next_delay_ms(0), 5'000);
}

TEST(Backoff, NoRandomSourceMeansNoJitter) {
  Backoff backoff(policy(1, 60, 0.5), nullptr);
  EXPECT_EQ(backoff.next_delay_ms(0), 1'000);
}

}  // namespace
}  // namespace teleglas
