#include "teleglas/signals/gate.hpp"

namespace teleglas {

Priority priority_for(int confidence, const PriorityConfig& config) {
  if (confidence >= config.urgent) return Priority::urgent;
  if (confidence >= config.watch) return Priority::watch;
  if (confidence >= config.info) return Priority::info;
  return Priority::none;
}

GateVerdict SignalGate::admit(Signal& signal) {
  if (signal.confidence < config_.min_confidence) return GateVerdict::low_confidence;
  const Key key{signal.type, signal.symbol, signal.direction};
  const TimeMs cooldown = seconds_ms(config_.cooldown_s);
  if (auto it = last_sent_.find(key);
      it != last_sent_.end() && signal.time < it->second + cooldown) {
    return GateVerdict::cooldown;
  }
  constexpr TimeMs hour = 3'600'000;
  while (!sent_last_hour_.empty() && sent_last_hour_.front() <= signal.time - hour) {
    sent_last_hour_.pop_front();
  }
  if (static_cast<int>(sent_last_hour_.size()) >= config_.max_per_hour) {
    return GateVerdict::hourly_cap;
  }
  last_sent_[key] = signal.time;
  sent_last_hour_.push_back(signal.time);
  signal.priority = priority_for(signal.confidence, config_.priority);
  return GateVerdict::pass;
}

const Signal* ConfirmationTracker::find(const Signal& signal, TimeMs window_ms) const {
  for (auto it = recent_.rbegin(); it != recent_.rend(); ++it) {
    if (it->time < signal.time - window_ms) break;
    if (it->type != signal.type && it->symbol == signal.symbol &&
        it->direction == signal.direction && signal.direction != Direction::neutral) {
      return &*it;
    }
  }
  return nullptr;
}

void ConfirmationTracker::remember(const Signal& signal, TimeMs window_ms) {
  while (!recent_.empty() && recent_.front().time < signal.time - window_ms) recent_.pop_front();
  Signal kept;  // only what find() compares
  kept.type = signal.type;
  kept.symbol = signal.symbol;
  kept.direction = signal.direction;
  kept.time = signal.time;
  recent_.push_back(std::move(kept));
}

}  // namespace teleglas
