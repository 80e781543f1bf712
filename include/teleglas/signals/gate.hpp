// Decides which scored signals go out: cooldown per (type, symbol, direction), an hourly cap
// on WATCH and INFO signals that never drops an URGENT one (URGENT signals still count toward
// it), and a minimum confidence; assigns the priority. Time is the signal's own event time.
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

  std::size_t tracked_keys() const { return last_sent_.size(); }

 private:
  void forget_before(TimeMs time);

  using Key = std::tuple<SignalType, std::string, Direction>;
  const SignalsConfig& config_;
  std::map<Key, TimeMs> last_sent_;
  std::deque<TimeMs> sent_last_hour_;
  TimeMs next_prune_ = 0;
};

// Where a signal's evidence comes from. Confirmation counts only across families.
enum class EvidenceFamily { liquidations, trade_flow, positioning };
EvidenceFamily family_of(SignalType type);

// Remembers the signals that passed the gate, so a new one can be confirmed by independent
// evidence that agrees, or marked as conflicting with a recent opposite call.
class ConfirmationTracker {
 public:
  struct Match {
    const Signal* confirming = nullptr;   // latest of another family, same direction
    const Signal* conflicting = nullptr;  // latest of any type, opposite direction
  };
  // Among passed signals on the same symbol within the window before `signal`.
  Match find(const Signal& signal, TimeMs window_ms) const;
  void remember(const Signal& passed, TimeMs window_ms);

 private:
  std::deque<Signal> recent_;
};

}  // namespace teleglas
