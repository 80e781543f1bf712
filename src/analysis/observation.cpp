#include "teleglas/analysis/observation.hpp"

#include <algorithm>

namespace teleglas {

void FeedObservation::on_event(TimeMs time) {
  if (first_ == 0) {
    first_ = last_ = time;
    return;
  }
  if (time <= last_) return;  // a late event ends no silence
  if (time - last_ > shortest_window_ms_) {
    silences_.push_back({last_, time});
    forget_before(time - keep_ms_);
  }
  last_ = time;
}

void FeedObservation::on_gap(TimeMs from, TimeMs to) {
  if (to < from) std::swap(from, to);
  gaps_.push_back({from, to});
  forget_before(std::max(to, last_) - keep_ms_);
}

void FeedObservation::forget_before(TimeMs time) {
  while (!silences_.empty() && silences_.front().to < time) silences_.pop_front();
  while (!gaps_.empty() && gaps_.front().to < time) gaps_.pop_front();
}

bool FeedObservation::watched(TimeMs from, TimeMs to) const {
  if (first_ == 0 || from < first_) return false;
  const TimeMs span = to - from;
  for (const Span& s : silences_) {
    if (s.to - s.from > span && s.from < to && s.to > from) return false;
  }
  const auto blind = static_cast<TimeMs>(static_cast<double>(span) * blind_gap_share_);
  for (const Span& g : gaps_) {
    if (g.to - g.from > blind && g.from <= to && g.to >= from) return false;
  }
  return true;
}

TimeMs FeedObservation::longest_gap(TimeMs from, TimeMs to) const {
  TimeMs longest = 0;
  for (const Span& g : gaps_) {
    if (g.from <= to && g.to >= from) longest = std::max(longest, g.to - g.from);
  }
  return longest;
}

}  // namespace teleglas
