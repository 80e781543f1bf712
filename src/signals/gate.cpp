#include "teleglas/signals/gate.hpp"

#include <algorithm>

namespace teleglas {

namespace {
constexpr TimeMs hour_ms = 3'600'000;
}

Priority priority_for(int confidence, const PriorityConfig& config) {
  if (confidence >= config.urgent) return Priority::urgent;
  if (confidence >= config.watch) return Priority::watch;
  if (confidence >= config.info) return Priority::info;
  return Priority::none;
}

void SignalGate::forget_before(TimeMs time) {
  while (!sent_last_hour_.empty() && sent_last_hour_.front() <= time - hour_ms) {
    sent_last_hour_.pop_front();
  }
  // Keys whose cooldown is over decide nothing any more: drop them now and then, so a flood of
  // symbols cannot grow the map without bound.
  if (time < next_prune_) return;
  const TimeMs cooldown = seconds_ms(config_.cooldown_s);
  std::erase_if(last_sent_, [&](const auto& entry) { return entry.second + cooldown <= time; });
  next_prune_ = time + std::max<TimeMs>(cooldown, 60'000);
}

GateVerdict SignalGate::admit(Signal& signal) {
  if (signal.confidence < config_.min_confidence) return GateVerdict::low_confidence;
  forget_before(signal.time);
  const Key key{signal.type, signal.symbol, signal.direction};
  const TimeMs cooldown = seconds_ms(config_.cooldown_s);
  if (auto it = last_sent_.find(key);
      it != last_sent_.end() && signal.time < it->second + cooldown) {
    return GateVerdict::cooldown;
  }
  const Priority priority = priority_for(signal.confidence, config_.priority);
  // Over the cap only the lower priorities are shed: an URGENT signal always goes out.
  if (priority != Priority::urgent &&
      static_cast<int>(sent_last_hour_.size()) >= config_.max_per_hour) {
    return GateVerdict::hourly_cap;
  }
  last_sent_[key] = signal.time;
  sent_last_hour_.push_back(signal.time);
  signal.priority = priority;
  return GateVerdict::pass;
}

EvidenceFamily family_of(SignalType type) {
  switch (type) {
    case SignalType::stop_hunt:
    case SignalType::liquidation_cascade:
      return EvidenceFamily::liquidations;
    case SignalType::accumulation:
    case SignalType::distribution:
    case SignalType::whale_accumulation:
      return EvidenceFamily::trade_flow;
    case SignalType::funding_extreme:
    case SignalType::oi_divergence:
      return EvidenceFamily::positioning;
  }
  return EvidenceFamily::positioning;
}

ConfirmationTracker::Match ConfirmationTracker::find(const Signal& signal,
                                                     TimeMs window_ms) const {
  Match match;
  if (signal.direction == Direction::neutral) return match;
  for (auto it = recent_.rbegin(); it != recent_.rend(); ++it) {
    if (it->time < signal.time - window_ms) break;
    if (it->symbol != signal.symbol || it->direction == Direction::neutral) continue;
    if (it->direction == signal.direction) {
      if (!match.confirming && family_of(it->type) != family_of(signal.type)) {
        match.confirming = &*it;
      }
    } else if (!match.conflicting) {
      match.conflicting = &*it;
    }
  }
  return match;
}

void ConfirmationTracker::remember(const Signal& passed, TimeMs window_ms) {
  while (!recent_.empty() && recent_.front().time < passed.time - window_ms) recent_.pop_front();
  Signal kept;  // only what find() compares and names
  kept.type = passed.type;
  kept.symbol = passed.symbol;
  kept.direction = passed.direction;
  kept.time = passed.time;
  recent_.push_back(std::move(kept));
}

}  // namespace teleglas
