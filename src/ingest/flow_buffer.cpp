#include "teleglas/ingest/flow_buffer.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace teleglas {

// Volumes are positive (the parser guarantees it); round half up without llround's cost.
UsdUnits to_usd_units(double usd) {
  return usd >= 0 ? static_cast<UsdUnits>(usd * usd_units_per_dollar + 0.5)
                  : -static_cast<UsdUnits>(-usd * usd_units_per_dollar + 0.5);
}

namespace {
std::size_t power_of_two_at_least(std::size_t n) {
  std::size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}
}  // namespace

FlowBuffer::FlowBuffer(std::size_t capacity)
    : capacity_(capacity == 0 ? 1 : capacity), slot_mask_(power_of_two_at_least(capacity_) - 1) {}

int FlowBuffer::add_window(const WindowSpec& spec) {
  assert(next_seq_ == 0 && "windows are added before the first push");
  assert(window_count_ < max_windows);
  Window& w = windows_[window_count_];
  w.spec = spec;
  w.large_units = to_usd_units(spec.large_usd);
  return window_count_++;
}

bool FlowBuffer::is_large(const Window& w, UsdUnits units) const {
  return w.spec.large_inclusive ? units >= w.large_units : units > w.large_units;
}

inline void FlowBuffer::count(Window& w, std::uint64_t seq, int sign) {
  const FlowEntry& e = at(seq);
  const int s = index_of(e.side);
  if (seq < w.floor_seq[s]) return;
  const UsdUnits units = units_[slot(seq)];
  w.totals.usd[s] += sign * units;
  w.totals.count[s] += sign;
  if (is_large(w, units)) {
    w.totals.large_usd[s] += sign * units;
    w.totals.large_count[s] += sign;
  }
}

void FlowBuffer::evict_front(Window& w) {
  count(w, w.start_seq, -1);
  ++w.start_seq;
}

void FlowBuffer::push(const FlowEntry& entry) {
  if (next_seq_ >= capacity_) {
    // The oldest entry drops out of capacity: it leaves every window still holding it.
    const std::uint64_t leaving = next_seq_ - capacity_;
    for (Window& w : active_windows()) {
      if (w.start_seq == leaving) evict_front(w);
    }
  }
  if (next_seq_ > slot_mask_) {
    entries_[slot(next_seq_)] = entry;
    units_[slot(next_seq_)] = to_usd_units(entry.usd);
  } else {
    if (entries_.empty()) {
      entries_.reserve(std::min<std::size_t>(32, slot_mask_ + 1));
      units_.reserve(entries_.capacity());
    }
    entries_.push_back(entry);
    units_.push_back(to_usd_units(entry.usd));
  }
  const std::uint64_t seq = next_seq_++;
  for (Window& w : active_windows()) count(w, seq, +1);
}

void FlowBuffer::advance(TimeMs now) {
  for (Window& w : active_windows()) {
    const TimeMs cutoff = now - w.spec.span_ms;
    while (w.start_seq < next_seq_ && at(w.start_seq).time <= cutoff) evict_front(w);
  }
}

void FlowBuffer::restart_side(int window, Side side) {
  Window& w = windows_[window];
  const int s = index_of(side);
  w.floor_seq[s] = next_seq_;
  w.totals.usd[s] = 0;
  w.totals.count[s] = 0;
  w.totals.large_usd[s] = 0;
  w.totals.large_count[s] = 0;
}

std::optional<PriceRange> FlowBuffer::price_range(int window) const {
  const Window& w = windows_[window];
  if (w.start_seq == next_seq_) return std::nullopt;
  PriceRange range{at(w.start_seq).price, at(w.start_seq).price};
  for (std::uint64_t seq = w.start_seq + 1; seq < next_seq_; ++seq) {
    range.low = std::min(range.low, at(seq).price);
    range.high = std::max(range.high, at(seq).price);
  }
  return range;
}

}  // namespace teleglas
