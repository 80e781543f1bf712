#include "teleglas/signals/history_stats.hpp"

#include <algorithm>

namespace teleglas {

namespace {
std::optional<double> mean(double sum, std::int64_t n) {
  if (n <= 0) return std::nullopt;
  return sum / static_cast<double>(n);
}
}  // namespace

std::optional<double> OutcomeTally::win_rate() const {
  return resolved() > 0 ? std::optional<double>(static_cast<double>(wins) /
                                                static_cast<double>(resolved()))
                        : std::nullopt;
}
std::optional<double> OutcomeTally::mean_favourable() const {
  return mean(favourable_sum, resolved());
}
std::optional<double> OutcomeTally::mean_adverse() const {
  return mean(adverse_sum, resolved());
}
std::optional<double> OutcomeTally::mean_resolution_s() const {
  return mean(resolution_ms_sum / 1000.0, wins + losses);
}

void OutcomeTally::add(const Outcome& row) {
  ++signals;
  switch (row.state) {
    case OutcomeState::untracked:
      ++untracked;
      return;
    case OutcomeState::open:
      ++open;
      break;
    case OutcomeState::win:
      ++wins;
      break;
    case OutcomeState::loss:
      ++losses;
      break;
    case OutcomeState::expired:
      ++expired;
      break;
  }
  if (row.crossed_gap) ++crossed_gap;
  if (row.resolved()) {
    favourable_sum += row.max_favourable;
    adverse_sum += row.max_adverse;
    if (row.state != OutcomeState::expired) {
      resolution_ms_sum += static_cast<double>(row.resolved_time - row.signal_time);
    }
  }
}

std::string CalibrationBucket::label() const {
  return std::to_string(low) + "-" + std::to_string(high);
}

HistoryStats compute_history_stats(std::span<const Outcome> rows) {
  HistoryStats stats;
  std::array<OutcomeTally, 10> buckets{};
  for (const Outcome& row : rows) {
    stats.by_type[static_cast<int>(row.type)].add(row);
    stats.total.add(row);
    if (row.state == OutcomeState::untracked) continue;
    buckets[std::clamp(row.confidence / 10, 0, 9)].add(row);
  }
  for (int i = 0; i < 10; ++i) {
    if (buckets[i].signals == 0) continue;
    stats.calibration.push_back({i * 10, i == 9 ? 100 : i * 10 + 9, buckets[i]});
  }
  return stats;
}

}  // namespace teleglas
