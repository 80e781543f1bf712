// Decides which scored signals go out: cooldown per (type, symbol, direction), an hourly cap
// and a minimum confidence; assigns the priority. Time is the signal's own event time.
#pragma once

#include <deque>
#include <map>
#include <string>
#include <tuple>

#include "teleglas/config/config.hpp"
#include "teleglas/core/signal.hpp"

namespace teleglas {

enum class GateVerdict { pass, low_confidence, cooldown, hourly_cap };

Priority priority_for(int confidence, const PriorityConfig& config);

class SignalGate {
 public:
  explicit SignalGate(const SignalsConfig& config) : config_(config) {}

  // On pass, records the signal (for cooldown and cap) and sets its priority.
  GateVerdict admit(Signal& signal);

 private:
  using Key = std::tuple<SignalType, std::string, Direction>;
  const SignalsConfig& config_;
  std::map<Key, TimeMs> last_sent_;
  std::deque<TimeMs> sent_last_hour_;
};

// Remembers recent candidates so a new one can be confirmed by another analyzer that agrees
// on the symbol and direction.
class ConfirmationTracker {
 public:
  // The most recent other-type candidate for the same symbol and direction within the
  // window, or nullptr.
  const Signal* find(const Signal& signal, TimeMs window_ms) const;
  void remember(const Signal& signal, TimeMs window_ms);

 private:
  std::deque<Signal> recent_;
};

}  // namespace teleglas
