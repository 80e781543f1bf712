// What became of a directional signal: followed on its reference venue's prices until the
// target (WIN) or the stop (LOSS) printed first, or outcomes.horizon_s passed (EXPIRED).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "teleglas/core/signal.hpp"
#include "teleglas/core/types.hpp"

namespace teleglas {

// `untracked`: a signal without a setup (neutral, or no fresh price); history keeps it, no
// outcome is followed.
enum class OutcomeState : std::uint8_t { open, win, loss, expired, untracked };
inline constexpr int outcome_state_count = 5;

std::string_view to_string(OutcomeState s);  // "open", "win", "loss", "expired", "untracked"
std::optional<OutcomeState> outcome_state_from_string(std::string_view s);

// The moves recorded at fixed times after the signal.
inline constexpr int checkpoint_count = 3;
inline constexpr TimeMs checkpoint_ms[checkpoint_count] = {5 * 60'000, 15 * 60'000, 3'600'000};

struct Outcome {
  // The signal's key: (signal_time, type, symbol, direction) names one signal in history.
  TimeMs signal_time = 0;
  SignalType type = SignalType::stop_hunt;
  std::string symbol;
  Direction direction = Direction::neutral;
  std::string exchange;  // the reference venue whose prices decide
  int confidence = 0;
  double entry = 0, stop = 0, target = 0;

  OutcomeState state = OutcomeState::open;
  TimeMs resolved_time = 0;  // event time of the deciding print (or the horizon); 0 while open
  // Largest move for and against the signal's direction before resolution, as fractions of
  // the entry (0.012 = 1.2 %), both >= 0.
  double max_favourable = 0;
  double max_adverse = 0;
  // Move in the signal's direction (fraction of entry, signed) at +5 min, +15 min, +1 h: the
  // last print at or before that time. nullopt until that time has passed with a print.
  std::optional<double> moves[checkpoint_count];
  bool crossed_gap = false;  // the path crossed a feed gap (or a restart): the record is thin
  // Where following stopped (for a restart): the last print seen and its time.
  TimeMs observed_until = 0;
  double last_price = 0;

  bool resolved() const { return state != OutcomeState::open; }
  bool operator==(const Outcome&) const = default;
};

// The outcome of a signal at the moment it is decided: open from its entry (the reference
// venue's last print) when it has a setup and a direction, untracked otherwise.
Outcome initial_outcome(const Signal& signal);

}  // namespace teleglas
