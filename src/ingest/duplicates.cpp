#include "teleglas/ingest/duplicates.hpp"

#include <algorithm>
#include <cmath>

namespace teleglas {

namespace {

constexpr std::uint64_t fnv_offset = 1469598103934665603ULL;
constexpr std::uint64_t fnv_prime = 1099511628211ULL;

std::uint64_t mix(std::uint64_t h, char c) {
  return (h ^ static_cast<unsigned char>(c)) * fnv_prime;
}

bool within(double a, double b, double relative, double absolute) {
  return std::fabs(a - b) <= std::max(absolute, relative * std::max(std::fabs(a), std::fabs(b)));
}

}  // namespace

std::uint64_t venue_symbol_key(std::string_view venue, std::string_view symbol) {
  std::uint64_t h = fnv_offset;
  for (const char c : venue) {
    h = mix(h, (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
  }
  h = mix(h, '\xFF');  // a separator no name contains
  for (const char c : symbol) h = mix(h, c);
  return h;
}

bool EchoMemory::echoes(const MarketEvent& e, std::uint64_t key) {
  newest_ = std::max(newest_, e.exchange_time);
  // Reports arrive out of order by up to a few seconds across sources: keep a margin.
  const TimeMs forget_before = newest_ - 5 * window_ms_ - 5'000;
  while (!recent_.empty() && recent_.front().time < forget_before) recent_.pop_front();
  if (recent_.empty()) return false;
  for (const Seen& r : recent_) {
    if (r.source != e.source && r.key == key && r.side == e.side &&
        std::llabs(r.time - e.exchange_time) <= window_ms_ && within(r.price, e.price, 0.001, 0) &&
        within(r.usd, e.volume_usd, 0.01, 1.0)) {
      return true;
    }
  }
  return false;
}

void EchoMemory::remember(const MarketEvent& e, std::uint64_t key) {
  if (recent_.size() >= max_remembered) recent_.pop_front();
  recent_.push_back({e.exchange_time, key, e.side, e.source, e.price, e.volume_usd});
}

bool DuplicateLiquidations::echo(const MarketEvent& e) {
  const std::uint64_t key = venue_symbol_key(e.exchange, e.symbol);
  if (memory_.echoes(e, key)) return true;
  memory_.remember(e, key);
  return false;
}

bool DuplicateTrades::duplicate(const MarketEvent& e) {
  const std::uint64_t key = venue_symbol_key(e.exchange, e.symbol);
  if (e.source != Source::coinglass) {
    // The usual case of a daemon on the exchanges' streams: one hash and one map entry.
    TimeMs& last = own_last_[key];
    last = std::max(last, e.exchange_time);
    if (own_last_.size() > max_streams) {
      // More instruments than any configuration subscribes: forget the silent ones, or all.
      const TimeMs silent_before = last - live_ms_;
      std::erase_if(own_last_, [&](const auto& kv) { return kv.second < silent_before; });
      if (own_last_.size() > max_streams / 2) own_last_.clear();
    }
    return !memory_.empty() && memory_.echoes(e, key);
  }
  if (!own_last_.empty()) {
    const auto own = own_last_.find(key);
    if (own != own_last_.end() && e.exchange_time - own->second <= live_ms_ &&
        own->second - e.exchange_time <= live_ms_) {
      return true;
    }
  }
  memory_.remember(e, key);
  return false;
}

}  // namespace teleglas
