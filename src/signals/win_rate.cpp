#include "teleglas/signals/win_rate.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace teleglas {

namespace {

std::string_view plural(SignalType type) {
  switch (type) {
    case SignalType::stop_hunt:
      return "Stop hunts";
    case SignalType::accumulation:
      return "Accumulation calls";
    case SignalType::distribution:
      return "Distribution calls";
    case SignalType::liquidation_cascade:
      return "Cascade reversals";
    case SignalType::whale_accumulation:
      return "Whale accumulation calls";
    case SignalType::funding_extreme:
      return "Funding extremes";
    case SignalType::oi_divergence:
      return "OI divergences";
  }
  return "Signals";
}

}  // namespace

std::string track_record_line(SignalType type, const TrackRecord& record) {
  const std::string span = record.lookback_days == 1
                               ? std::string("last day")
                               : fmt::format("last {:g} days", record.lookback_days);
  if (record.resolved() == 0) return fmt::format("{}, {}: none resolved yet", plural(type), span);
  return fmt::format("{}, {}: {} of {} won", plural(type), span, record.wins, record.resolved());
}

std::optional<double> WinRateSource::win_rate(SignalType type) const {
  const TrackRecord r = record(type);
  if (r.resolved() < std::max(1, min_sample())) return std::nullopt;
  return static_cast<double>(r.wins) / r.resolved();
}

WinRateBook::WinRateBook(TimeMs lookback_ms, int min_sample)
    : lookback_ms_(lookback_ms), min_sample_(min_sample) {
  for (TrackRecord& r : records_) r.lookback_days = lookback_ms / 86'400'000.0;
}

namespace {
int& tally(TrackRecord& r, OutcomeState state) {
  return state == OutcomeState::win ? r.wins : state == OutcomeState::loss ? r.losses : r.expired;
}
}  // namespace

void WinRateBook::add(const Outcome& outcome) {
  if (outcome.state != OutcomeState::win && outcome.state != OutcomeState::loss &&
      outcome.state != OutcomeState::expired) {
    return;
  }
  if (outcome.resolved_time < now_ - lookback_ms_) return;  // already out of the lookback
  const int type = static_cast<int>(outcome.type);
  auto& entries = entries_[type];
  // Outcomes arrive nearly in resolved order (restored history, then live): keep it sorted.
  const auto at = std::upper_bound(
      entries.begin(), entries.end(), outcome.resolved_time,
      [](TimeMs t, const Entry& e) { return t < e.resolved_time; });
  entries.insert(at, Entry{outcome.resolved_time, outcome.state});
  ++tally(records_[type], outcome.state);
}

void WinRateBook::advance(TimeMs now) {
  if (now <= now_) return;
  now_ = now;
  for (int type = 0; type < signal_type_count; ++type) {
    auto& entries = entries_[type];
    while (!entries.empty() && entries.front().resolved_time < now - lookback_ms_) {
      --tally(records_[type], entries.front().state);
      entries.pop_front();
    }
  }
}

TrackRecord WinRateBook::record(SignalType type) const {
  return records_[static_cast<int>(type)];
}

}  // namespace teleglas
