// What the SQLite and PostgreSQL stores agree on about rows of history: the outcome a signal
// starts with, the order of the values of a signal row and of an outcome update, the names
// stored for enums, and how a row of outcome_columns becomes an Outcome again.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "teleglas/core/outcome.hpp"
#include "teleglas/core/types.hpp"
#include "teleglas/storage/store.hpp"

namespace teleglas::storage {

std::string_view event_kind_name(EventKind kind);  // "liquidation", "trade"

// SELECT of the signals matching `condition` (SQL, in the backend's placeholders), as rows
// outcome_from_row reads, oldest first then by key: the order HistoryStore promises.
std::string select_outcomes_where(std::string_view condition);

// Calls bind(values...) with a new signal's row: time_ms, type, symbol, direction, exchange,
// confidence, entry, stop, target, the outcome columns as in an update, then priority and json.
// Prices are NULL (an empty optional) on an untracked signal.
template <typename Bind>
auto bind_signal_row(const SignalRecord& record, Bind&& bind) {
  const Outcome o = initial_outcome(record.signal);
  const auto price = [&](double value) {
    return o.state == OutcomeState::untracked ? std::nullopt : std::optional<double>(value);
  };
  return bind(o.signal_time, to_string(o.type), o.symbol, to_string(o.direction), o.exchange,
              o.confidence, price(o.entry), price(o.stop), price(o.target), to_string(o.state),
              o.resolved_time, o.max_favourable, o.max_adverse, o.moves[0], o.moves[1], o.moves[2],
              o.crossed_gap, o.observed_until, o.last_price, to_string(record.signal.priority),
              record.json);
}

// Calls bind(values...) with an outcome update: the signal's key (time, type, symbol,
// direction), then state, resolved_ms, max_favourable, max_adverse, the three moves,
// crossed_gap, observed_until_ms and last_price.
template <typename Bind>
auto bind_outcome_update(const Outcome& o, Bind&& bind) {
  return bind(o.signal_time, to_string(o.type), o.symbol, to_string(o.direction),
              to_string(o.state), o.resolved_time, o.max_favourable, o.max_adverse, o.moves[0],
              o.moves[1], o.moves[2], o.crossed_gap, o.observed_until, o.last_price);
}

// A row of select_outcomes_where as an Outcome; nullopt when a stored name is not one of ours (a
// row something else wrote). Row has int64_at, double_at, optional_double_at, bool_at and text_at.
template <typename Row>
std::optional<Outcome> outcome_from_row(const Row& row) {
  const auto type = signal_type_from_string(row.text_at(1));
  const auto direction = direction_from_string(row.text_at(3));
  const auto state = outcome_state_from_string(row.text_at(9));
  if (!type || !direction || !state) return std::nullopt;
  Outcome o;
  o.signal_time = row.int64_at(0);
  o.type = *type;
  o.symbol = row.text_at(2);
  o.direction = *direction;
  o.exchange = row.text_at(4);
  o.confidence = static_cast<int>(row.int64_at(5));
  o.entry = row.optional_double_at(6).value_or(0);
  o.stop = row.optional_double_at(7).value_or(0);
  o.target = row.optional_double_at(8).value_or(0);
  o.state = *state;
  o.resolved_time = row.int64_at(10);
  o.max_favourable = row.double_at(11);
  o.max_adverse = row.double_at(12);
  for (int i = 0; i < checkpoint_count; ++i) o.moves[i] = row.optional_double_at(13 + i);
  o.crossed_gap = row.bool_at(16);
  o.observed_until = row.int64_at(17);
  o.last_price = row.double_at(18);
  return o;
}

}  // namespace teleglas::storage
