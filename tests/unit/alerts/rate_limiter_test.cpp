#include "teleglas/alerts/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace teleglas {
namespace {

constexpr TimeMs t0 = 1'725'416'318'379;

TEST(RateLimitTokenBucket, StartsFullThenRefillsOneTokenPerInterval) {
  TokenBucket bucket(2, 1'000, t0);
  EXPECT_TRUE(bucket.try_take(t0));
  EXPECT_TRUE(bucket.try_take(t0));
  EXPECT_FALSE(bucket.try_take(t0));
  EXPECT_FALSE(bucket.try_take(t0 + 999));
  EXPECT_TRUE(bucket.try_take(t0 + 1'000));
  EXPECT_FALSE(bucket.try_take(t0 + 1'000));
}

TEST(RateLimitTokenBucket, NextAvailableIsExactlyWhenTryTakeSucceeds) {
  TokenBucket bucket(1, 3'000, t0);
  ASSERT_TRUE(bucket.try_take(t0 + 10));
  const TimeMs at = bucket.next_available(t0 + 500);
  EXPECT_EQ(at, t0 + 3'010);
  EXPECT_FALSE(bucket.try_take(at - 1));
  EXPECT_TRUE(bucket.try_take(at));
}

TEST(RateLimitTokenBucket, AFullBucketDoesNotBankIdleTime) {
  TokenBucket bucket(1, 1'000, t0);
  ASSERT_TRUE(bucket.try_take(t0 + 60'000));  // a minute idle while full
  EXPECT_EQ(bucket.tokens(t0 + 60'000), 0);
  EXPECT_EQ(bucket.next_available(t0 + 60'000), t0 + 61'000);
}

TEST(RateLimitTokenBucket, AClockThatStepsBackGrantsNothing) {
  TokenBucket bucket(1, 1'000, t0);
  ASSERT_TRUE(bucket.try_take(t0));
  EXPECT_FALSE(bucket.try_take(t0 - 5'000));
  EXPECT_EQ(bucket.next_available(t0 - 5'000), t0 + 1'000);
}

TEST(RateLimit, OneMessagePerSecondPerChatOtherChatsUnaffected) {
  ChatRateLimiter limiter(RateLimits{});
  limiter.on_send(1, t0);
  EXPECT_EQ(limiter.next_send_time(1, t0), t0 + 1'000);
  EXPECT_FALSE(limiter.can_send(1, t0 + 999));
  EXPECT_TRUE(limiter.can_send(1, t0 + 1'000));
  EXPECT_TRUE(limiter.can_send(2, t0));
}

// Greedy sends to 25 different chats (so per-chat spacing never binds): the overall cap does.
TEST(RateLimit, NeverMoreThanMaxPerMinuteInAnyRollingMinute) {
  ChatRateLimiter limiter(RateLimits{});
  std::vector<TimeMs> sent;
  TimeMs now = t0;
  for (ChatId chat = 1; chat <= 25; ++chat) {
    now = limiter.next_send_time(chat, now);
    ASSERT_TRUE(limiter.can_send(chat, now));
    limiter.on_send(chat, now);
    sent.push_back(now);
  }
  EXPECT_EQ(sent[19], t0);           // a burst of 20 goes at once
  EXPECT_EQ(sent[20], t0 + 60'000);  // the 21st waits for the first slot to leave the window
  for (const TimeMs start : sent) {
    int in_window = 0;
    for (const TimeMs t : sent) in_window += t >= start && t < start + 60'000 ? 1 : 0;
    EXPECT_LE(in_window, 20) << "window starting at +" << start - t0 << " ms";
  }
}

TEST(RateLimit, RetryAfterHoldsExactlyThatLongForThatChatOnly) {
  ChatRateLimiter limiter(RateLimits{});
  limiter.on_send(1, t0);
  limiter.on_rate_limited(1, t0 + 200, 7);
  EXPECT_EQ(limiter.next_send_time(1, t0 + 200), t0 + 7'200);
  EXPECT_FALSE(limiter.can_send(1, t0 + 7'199));
  EXPECT_TRUE(limiter.can_send(1, t0 + 7'200));
  EXPECT_TRUE(limiter.can_send(2, t0 + 200));
}

TEST(RateLimit, ALaterShorterRetryAfterDoesNotShortenAHold) {
  ChatRateLimiter limiter(RateLimits{});
  limiter.on_rate_limited(1, t0, 30);
  limiter.on_rate_limited(1, t0 + 1'000, 2);
  EXPECT_EQ(limiter.next_send_time(1, t0 + 1'000), t0 + 30'000);
}

}  // namespace
}  // namespace teleglas
