// The last N liquidations or trades of one symbol (buffers.liquidations / buffers.trades),
// kept for display: charts and zones drawn after the fact. No decision reads it; windows are
// summed from the per-second series, so the capacity never changes what is decided.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "teleglas/core/types.hpp"

namespace teleglas {

struct RecentEvent {
  TimeMs time = 0;
  double price = 0;
  double usd = 0;
  Side side = Side::buy;
  std::uint8_t venue = 0;  // the symbol's venue slot
};

class RecentEvents {
 public:
  explicit RecentEvents(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  void push(const RecentEvent& event) {
    // Grown as it fills: most symbols see a handful of events.
    if (events_.size() < capacity_) {
      events_.push_back(event);
    } else {
      events_[next_] = event;
      if (++next_ == capacity_) next_ = 0;  // no division on the hot path
    }
  }

  // Calls f(const RecentEvent&) oldest first.
  template <class F>
  void for_each(F&& f) const {
    for (std::size_t i = 0; i < events_.size(); ++i) f(events_[(next_ + i) % events_.size()]);
  }

  std::size_t size() const { return events_.size(); }
  std::size_t capacity() const { return capacity_; }

 private:
  std::size_t capacity_;
  std::vector<RecentEvent> events_;
  std::size_t next_ = 0;  // the oldest, once full
};

}  // namespace teleglas
