#include "teleglas/alerts/rate_limiter.hpp"

#include <algorithm>

namespace teleglas {

TokenBucket::TokenBucket(int capacity, TimeMs refill_interval_ms, TimeMs now)
    : capacity_(std::max(capacity, 1)),
      refill_interval_ms_(std::max<TimeMs>(refill_interval_ms, 1)),
      tokens_(capacity_),
      last_refill_(now) {}

void TokenBucket::refill(TimeMs now) {
  if (tokens_ >= capacity_) {
    // A full bucket accrues nothing: the next token is counted from when one is taken.
    last_refill_ = std::max(last_refill_, now);
    return;
  }
  const TimeMs elapsed = now - last_refill_;
  if (elapsed < refill_interval_ms_) return;  // also ignores a clock that stepped back
  const TimeMs earned = elapsed / refill_interval_ms_;
  if (earned >= capacity_ - tokens_) {
    tokens_ = capacity_;
    last_refill_ = now;
  } else {
    tokens_ += static_cast<int>(earned);
    // Keep the partial interval already elapsed towards the next token.
    last_refill_ += earned * refill_interval_ms_;
  }
}

bool TokenBucket::try_take(TimeMs now) {
  refill(now);
  if (tokens_ == 0) return false;
  --tokens_;
  return true;
}

TimeMs TokenBucket::next_available(TimeMs now) const {
  TokenBucket later = *this;
  later.refill(now);
  if (later.tokens_ > 0) return now;
  return std::max(now, later.last_refill_ + refill_interval_ms_);
}

int TokenBucket::tokens(TimeMs now) const {
  TokenBucket later = *this;
  later.refill(now);
  return later.tokens_;
}

ChatRateLimiter::ChatRateLimiter(RateLimits limits) : limits_(limits) {
  // Keep the arithmetic sane whatever the configuration says; the config validator is what
  // reports such values to the operator.
  limits_.max_per_window = std::max(limits_.max_per_window, 1);
  limits_.window_ms = std::max<TimeMs>(limits_.window_ms, 1);
  limits_.per_chat_interval_ms = std::max<TimeMs>(limits_.per_chat_interval_ms, 1);
}

// A send at t occupies its slot for [t, t + window): the window is half-open, so no window of
// `window_ms` ever holds more than max_per_window sends.
TimeMs ChatRateLimiter::next_window_slot(TimeMs now) const {
  const auto first_active =
      std::upper_bound(recent_sends_.begin(), recent_sends_.end(), now - limits_.window_ms);
  const auto active = recent_sends_.end() - first_active;
  if (active < limits_.max_per_window) return now;
  // The slot that frees first is the one that leaves `max_per_window - 1` sends behind it.
  return *(first_active + (active - limits_.max_per_window)) + limits_.window_ms;
}

TimeMs ChatRateLimiter::next_send_time(ChatId chat, TimeMs now) const {
  TimeMs earliest = next_window_slot(now);
  if (const auto it = chats_.find(chat); it != chats_.end()) {
    earliest = std::max({earliest, it->second.hold_until, it->second.spacing.next_available(now)});
  }
  return earliest;
}

ChatRateLimiter::ChatState& ChatRateLimiter::state_of(ChatId chat, TimeMs now) {
  return chats_.try_emplace(chat, ChatState{TokenBucket(1, limits_.per_chat_interval_ms, now)})
      .first->second;
}

void ChatRateLimiter::on_send(ChatId chat, TimeMs now) {
  while (!recent_sends_.empty() && recent_sends_.front() <= now - limits_.window_ms) {
    recent_sends_.pop_front();
  }
  recent_sends_.push_back(now);
  state_of(chat, now).spacing.try_take(now);
}

void ChatRateLimiter::on_rate_limited(ChatId chat, TimeMs now, std::int64_t retry_after_s) {
  // Exactly what Telegram asked for; an earlier, longer hold still stands.
  ChatState& state = state_of(chat, now);
  state.hold_until =
      std::max(state.hold_until, now + std::max<std::int64_t>(retry_after_s, 0) * 1'000);
}

}  // namespace teleglas
