// Telegram send pacing: a rolling per-minute cap over all sends, one message per second per
// chat, and the `retry_after` hold a 429 asks for. Pure: every call takes `now` (a monotonic
// clock in milliseconds, never decreasing); nothing here reads a clock or sleeps.
#pragma once

#include <cstdint>
#include <deque>
#include <unordered_map>

#include "teleglas/core/types.hpp"

namespace teleglas {

using ChatId = std::int64_t;

// A token bucket after Envoy's TokenBucketImpl: `capacity` tokens, one more every
// `refill_interval_ms`. Integer milliseconds rather than a fractional fill rate, so that
// `next_available()` and `try_take()` always agree: a sender that wakes at the promised time
// finds its token, instead of spinning on a 0.9999999 left by rounding.
class TokenBucket {
 public:
  // Starts full at `now`.
  TokenBucket(int capacity, TimeMs refill_interval_ms, TimeMs now);

  bool try_take(TimeMs now);

  // The earliest time >= now at which try_take() would succeed.
  TimeMs next_available(TimeMs now) const;

  int tokens(TimeMs now) const;

 private:
  void refill(TimeMs now);

  int capacity_;
  TimeMs refill_interval_ms_;
  int tokens_;
  TimeMs last_refill_;  // tokens_ is exact as of this time
};

struct RateLimits {
  // A token bucket refilling max/60 per second would still allow max + a few in the first
  // minute after an idle spell (a full burst, then the refill). Telegram counts per minute, so
  // this is a sliding-window log: never more than `max_per_window` sends in ANY window of
  // `window_ms`, over all chats together (the conservative reading of telegram.max_per_minute:
  // it also honours the per-group 20/min of every chat).
  int max_per_window = 20;
  TimeMs window_ms = 60'000;
  TimeMs per_chat_interval_ms = 1'000;  // Telegram: about one message per second per chat
};

class ChatRateLimiter {
 public:
  explicit ChatRateLimiter(RateLimits limits);

  // The earliest time >= now at which a message to `chat` may be sent.
  TimeMs next_send_time(ChatId chat, TimeMs now) const;
  bool can_send(ChatId chat, TimeMs now) const { return next_send_time(chat, now) <= now; }

  // A request to `chat` went out at `now` (whatever its outcome: Telegram counts attempts).
  void on_send(ChatId chat, TimeMs now);

  // Telegram answered 429 with parameters.retry_after: no send to `chat` before exactly
  // now + retry_after_s. Other chats are not held.
  void on_rate_limited(ChatId chat, TimeMs now, std::int64_t retry_after_s);

  const RateLimits& limits() const { return limits_; }

 private:
  struct ChatState {
    TokenBucket spacing;
    TimeMs hold_until = 0;  // from a 429
  };

  TimeMs next_window_slot(TimeMs now) const;
  ChatState& state_of(ChatId chat, TimeMs now);

  RateLimits limits_;
  std::deque<TimeMs> recent_sends_;  // ascending; entries older than one window are pruned
  std::unordered_map<ChatId, ChatState> chats_;
};

}  // namespace teleglas
