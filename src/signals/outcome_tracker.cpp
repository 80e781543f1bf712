#include "teleglas/signals/outcome_tracker.hpp"

#include <algorithm>

#include "teleglas/core/names.hpp"

namespace teleglas {

double directional_move(Direction direction, double entry, double price) {
  if (entry <= 0) return 0;
  const double move = (price - entry) / entry;
  return direction == Direction::bearish ? -move : move;
}

OutcomeTracker::OutcomeTracker(TimeMs horizon_ms) : horizon_ms_(horizon_ms) {}

bool OutcomeTracker::follow(const Signal& signal) {
  Entry e;
  e.outcome = initial_outcome(signal);
  if (e.outcome.state != OutcomeState::open) return false;
  e.reported_at = signal.time;
  entries_.push_back(std::move(e));
  return true;
}

void OutcomeTracker::restore(const Outcome& outcome) {
  if (outcome.entry <= 0) return;
  Entry e;
  e.outcome = outcome;
  e.restored_unseen = true;
  e.reported_at = outcome.observed_until;
  entries_.push_back(std::move(e));
}

bool OutcomeTracker::follows(std::string_view symbol) const {
  return std::ranges::any_of(entries_,
                             [&](const Entry& e) { return same_name(e.outcome.symbol, symbol); });
}

// The last print at or before a checkpoint is the move at it: a checkpoint is settled by the
// first print (or tick) after it.
void OutcomeTracker::pass_checkpoints(Entry& e, TimeMs now) {
  Outcome& o = e.outcome;
  for (int i = 0; i < checkpoint_count; ++i) {
    if (!o.moves[i] && now > o.signal_time + checkpoint_ms[i]) {
      o.moves[i] = directional_move(o.direction, o.entry, o.last_price);
      mark(e);
    }
  }
}

void OutcomeTracker::expire_if_due(Entry& e, TimeMs now) {
  Outcome& o = e.outcome;
  if (o.resolved() || now <= o.signal_time + horizon_ms_) return;
  o.state = OutcomeState::expired;
  o.resolved_time = o.signal_time + horizon_ms_;
  mark(e);
  resolved_.push_back(o);
}

void OutcomeTracker::observe(Entry& e, TimeMs time, double price) {
  Outcome& o = e.outcome;
  if (time < o.observed_until) return;  // the market clock never goes back; be safe anyway
  if (e.restored_unseen) {
    e.restored_unseen = false;
    if (time - o.observed_until > restart_gap_ms && !o.resolved()) o.crossed_gap = true;
  }
  pass_checkpoints(e, time);
  expire_if_due(e, time);
  o.observed_until = time;
  o.last_price = price;
  if (o.resolved()) return;
  const double move = directional_move(o.direction, o.entry, price);
  if (move > o.max_favourable || -move > o.max_adverse) {
    o.max_favourable = std::max(o.max_favourable, move);
    o.max_adverse = std::max(o.max_adverse, -move);
    // New extremes are reported at most once a minute: enough for a restart to go on from.
    if (time - e.reported_at >= progress_report_ms) mark(e);
  }
  const bool is_long = o.direction == Direction::bullish;
  const bool hit_target = is_long ? price >= o.target : price <= o.target;
  const bool hit_stop = is_long ? price <= o.stop : price >= o.stop;
  if (hit_target || hit_stop) {
    o.state = hit_target ? OutcomeState::win : OutcomeState::loss;
    o.resolved_time = time;
    mark(e);
    resolved_.push_back(o);
  }
}

bool OutcomeTracker::on_price(std::string_view symbol, std::string_view exchange, TimeMs time,
                              double price) {
  bool any = false;
  bool touched = false;
  for (Entry& e : entries_) {
    if (!same_name(e.outcome.symbol, symbol)) continue;
    any = true;
    if (!same_venue(e.outcome.exchange, exchange)) continue;
    observe(e, time, price);
    touched = true;
  }
  if (touched) retire_done();
  return any;
}

void OutcomeTracker::advance(TimeMs now) {
  if (entries_.empty()) return;
  for (Entry& e : entries_) {
    if (e.restored_unseen) {
      // Settled by its first print, which says how long we were away, or by the clock.
      if (now - e.outcome.observed_until <= restart_gap_ms) continue;
      e.restored_unseen = false;
      if (!e.outcome.resolved()) e.outcome.crossed_gap = true;
      mark(e);
    }
    pass_checkpoints(e, now);
    expire_if_due(e, now);
  }
  retire_done();
}

void OutcomeTracker::on_gap(TimeMs from, TimeMs to) {
  for (Entry& e : entries_) {
    Outcome& o = e.outcome;
    const bool cut = o.signal_time < to && (!o.resolved() || o.resolved_time > from);
    if (cut && !o.crossed_gap) {
      o.crossed_gap = true;
      mark(e);
    }
  }
}

bool OutcomeTracker::done(const Entry& e) const {
  if (!e.outcome.resolved()) return false;
  return std::ranges::all_of(e.outcome.moves, [](const auto& m) { return m.has_value(); });
}

void OutcomeTracker::retire_done() {
  std::erase_if(entries_, [&](Entry& e) {
    if (!done(e)) return false;
    if (e.changed) changed_.push_back(std::move(e.outcome));
    return true;
  });
}

void OutcomeTracker::mark(Entry& e) {
  e.changed = true;
  dirty_ = true;
}

void OutcomeTracker::take_changes(std::vector<Outcome>& out) {
  if (!dirty_) return;
  dirty_ = false;
  for (Outcome& o : changed_) out.push_back(std::move(o));
  changed_.clear();
  for (Entry& e : entries_) {
    if (!e.changed) continue;
    e.changed = false;
    e.reported_at = e.outcome.observed_until;
    out.push_back(e.outcome);
  }
}

void OutcomeTracker::take_resolved(std::vector<Outcome>& out) {
  for (Outcome& o : resolved_) out.push_back(std::move(o));
  resolved_.clear();
}

}  // namespace teleglas
