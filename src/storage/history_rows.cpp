#include "history_rows.hpp"

namespace teleglas::storage {

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
  if (signal.setup && signal.direction != Direction::neutral) {
    o.entry = signal.setup->entry;
    o.stop = signal.setup->stop;
    o.target = signal.setup->target;
    o.state = OutcomeState::open;
  } else {
    o.state = OutcomeState::untracked;
  }
  return o;
}

std::string select_outcomes_where(std::string_view condition) {
  return "SELECT time_ms, type, symbol, direction, exchange, confidence, entry, stop, target, "
         "state, resolved_ms, max_favourable, max_adverse, move_5m, move_15m, move_1h, "
         "crossed_gap, observed_until_ms, last_price FROM signals WHERE " +
         std::string(condition) + " ORDER BY time_ms, type, symbol, direction";
}

std::string_view event_kind_name(EventKind kind) {
  return kind == EventKind::liquidation ? "liquidation" : "trade";
}

}  // namespace teleglas::storage
