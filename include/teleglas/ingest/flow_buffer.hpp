// A fixed-capacity ring of liquidations or trades of one symbol, with a few time windows
// over it. Each window keeps O(1) aggregates (USD and counts by side, large events), updated
// on push and eviction, so per-event work never rescans the buffer.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "teleglas/core/types.hpp"

namespace teleglas {

struct FlowEntry {
  TimeMs time = 0;
  double price = 0;
  double usd = 0;
  Side side = Side::buy;
};

// USD is summed in fixed point (1/10000 USD): exact, so sums never drift however many
// events enter and leave a window, and replay output is bit-for-bit stable.
using UsdUnits = std::int64_t;
inline constexpr double usd_units_per_dollar = 10'000.0;
UsdUnits to_usd_units(double usd);
inline double to_dollars(UsdUnits u) {
  return static_cast<double>(u) / usd_units_per_dollar;
}

struct WindowSpec {
  TimeMs span_ms = 30'000;      // entries with time > now - span are inside
  double large_usd = 0;         // an entry is "large" from this size ...
  bool large_inclusive = true;  // ... inclusive (>=) or strictly above (>)
};

struct PriceRange {
  double low = 0;
  double high = 0;
};

struct WindowTotals {
  std::array<UsdUnits, 2> usd{};  // by index_of(Side)
  std::array<std::int32_t, 2> count{};
  std::array<UsdUnits, 2> large_usd{};
  std::array<std::int32_t, 2> large_count{};

  double usd_of(Side s) const { return to_dollars(usd[index_of(s)]); }
  double large_usd_of(Side s) const { return to_dollars(large_usd[index_of(s)]); }
  int count_of(Side s) const { return count[index_of(s)]; }
  int large_count_of(Side s) const { return large_count[index_of(s)]; }
  double total_usd() const { return to_dollars(usd[0] + usd[1]); }
  int total_count() const { return count[0] + count[1]; }
  int total_large_count() const { return large_count[0] + large_count[1]; }
};

class FlowBuffer {
 public:
  explicit FlowBuffer(std::size_t capacity);

  // Windows (at most 4) are added before the first push; returns the window's id.
  int add_window(const WindowSpec& spec);

  // Appends an entry; when full, the oldest entry leaves every window still holding it.
  void push(const FlowEntry& entry);

  // Evicts from every window the entries at or before `now - span`.
  void advance(TimeMs now);

  // Forgets `side` in the window's aggregates from here on: entries already inside stop
  // counting (a detector "consumes" them), later pushes count as usual. Extremes are kept.
  void restart_side(int window, Side side);

  const WindowTotals& totals(int window) const { return windows_[window].totals; }

  // Lowest and highest price of every entry in the window (restarted sides included), or
  // nullopt when empty. A scan: for decisions, which are rare, never per event.
  std::optional<PriceRange> price_range(int window) const;

  // Calls f(const FlowEntry&) for each entry the window's aggregates count, oldest first
  // (for rare decision-time work such as the zone of a stop hunt, never per event).
  template <class F>
  void for_each_in_window(int window, F&& f) const {
    const Window& w = windows_[window];
    for (std::uint64_t seq = w.start_seq; seq < next_seq_; ++seq) {
      const FlowEntry& e = at(seq);
      if (seq >= w.floor_seq[index_of(e.side)]) f(e);
    }
  }

  std::size_t size() const { return static_cast<std::size_t>(next_seq_ - oldest_seq()); }
  std::size_t capacity() const { return capacity_; }
  const FlowEntry& newest() const { return at(next_seq_ - 1); }  // size() > 0

 private:
  struct Window {
    WindowSpec spec;
    UsdUnits large_units = 0;
    std::uint64_t start_seq = 0;               // first entry inside the window
    std::array<std::uint64_t, 2> floor_seq{};  // entries below this don't count (by side)
    WindowTotals totals;
  };

  // The ring's storage is the next power of two above the capacity, so a slot is a mask, not
  // a division. Slots are allocated as it fills (most symbols see few events): until it wraps
  // a sequence number is its own index.
  std::size_t slot(std::uint64_t seq) const { return static_cast<std::size_t>(seq & slot_mask_); }
  const FlowEntry& at(std::uint64_t seq) const { return entries_[slot(seq)]; }
  std::uint64_t oldest_seq() const { return next_seq_ > capacity_ ? next_seq_ - capacity_ : 0; }
  bool is_large(const Window& w, UsdUnits units) const;
  void count(Window& w, std::uint64_t seq, int sign);
  void evict_front(Window& w);

  std::size_t capacity_;
  std::uint64_t slot_mask_;
  std::vector<FlowEntry> entries_;
  std::vector<UsdUnits> units_;  // entries_[i].usd in fixed point, computed once on push
  std::uint64_t next_seq_ = 0;
  // Windows live inline: a symbol seen once should cost as few allocations as possible.
  static constexpr int max_windows = 4;
  std::array<Window, max_windows> windows_{};
  int window_count_ = 0;
  std::span<Window> active_windows() {
    return {windows_.data(), static_cast<std::size_t>(window_count_)};
  }
};

}  // namespace teleglas
