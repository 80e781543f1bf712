#include "teleglas/core/outcome.hpp"

namespace teleglas {

namespace {
constexpr std::string_view outcome_state_names[outcome_state_count] = {"open", "win", "loss",
                                                                       "expired", "untracked"};
}  // namespace

std::string_view to_string(OutcomeState s) {
  return outcome_state_names[static_cast<int>(s)];
}

std::optional<OutcomeState> outcome_state_from_string(std::string_view s) {
  for (int i = 0; i < outcome_state_count; ++i) {
    if (outcome_state_names[i] == s) return static_cast<OutcomeState>(i);
  }
  return std::nullopt;
}

Outcome initial_outcome(const Signal& signal) {
  Outcome o;
  o.signal_time = signal.time;
  o.type = signal.type;
  o.symbol = signal.symbol;
  o.direction = signal.direction;
  o.exchange = signal.exchange;
  o.confidence = signal.confidence;
  // Without a setup there is no stop or target to wait for, and a neutral signal has no side
  // to be right on.
  if (signal.setup && signal.direction != Direction::neutral && signal.setup->entry > 0) {
    o.entry = signal.setup->entry;
    o.stop = signal.setup->stop;
    o.target = signal.setup->target;
    o.state = OutcomeState::open;
    o.observed_until = signal.time;  // the entry is the venue's print at the decision
    o.last_price = o.entry;
  } else {
    o.state = OutcomeState::untracked;
  }
  return o;
}

}  // namespace teleglas
