#include "history_rows.hpp"

namespace teleglas::storage {

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
