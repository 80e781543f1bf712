#include "teleglas/ingest/duplicate_liquidations.hpp"

#include <algorithm>
#include <cmath>

namespace teleglas {

namespace {

std::uint64_t venue_symbol_hash(std::string_view venue, std::string_view symbol) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const char c : venue) {
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    h = (h ^ static_cast<unsigned char>(lower)) * 1099511628211ULL;
  }
  h = (h ^ 0xFFu) * 1099511628211ULL;  // a separator no name contains
  for (const char c : symbol) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return h;
}

bool within(double a, double b, double relative, double absolute) {
  return std::fabs(a - b) <= std::max(absolute, relative * std::max(std::fabs(a), std::fabs(b)));
}

}  // namespace

bool DuplicateLiquidations::echo(const MarketEvent& e) {
  const Seen seen{e.exchange_time, venue_symbol_hash(e.exchange, e.symbol), e.side, e.source,
                  e.price, e.volume_usd};
  newest_ = std::max(newest_, e.exchange_time);
  // Reports arrive out of order by up to a few seconds across sources: keep a margin.
  const TimeMs forget_before = newest_ - 5 * window_ms_ - 5'000;
  while (!recent_.empty() && recent_.front().time < forget_before) recent_.pop_front();
  for (const Seen& r : recent_) {
    if (r.source != seen.source && r.venue_symbol == seen.venue_symbol && r.side == seen.side &&
        std::llabs(r.time - seen.time) <= window_ms_ && within(r.price, seen.price, 0.001, 0) &&
        within(r.usd, seen.usd, 0.01, 1.0)) {
      return true;
    }
  }
  if (recent_.size() >= max_remembered) recent_.pop_front();
  recent_.push_back(seen);
  return false;
}

}  // namespace teleglas
