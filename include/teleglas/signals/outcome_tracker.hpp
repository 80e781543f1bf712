// Follows every directional signal with a setup on its reference venue's prints, in event
// time, until its target (WIN) or its stop (LOSS) prints first, or the horizon passes
// (EXPIRED); records the largest favourable and adverse moves on the way, and the move in the
// signal's direction at +5 min, +15 min and +1 h (followed past the resolution for those).
// Pure: prints and time in, outcomes out; live and replay follow alike.
#pragma once

#include <string_view>
#include <vector>

#include "teleglas/core/outcome.hpp"
#include "teleglas/core/signal.hpp"

namespace teleglas {

class OutcomeTracker {
 public:
  // A restored outcome whose last print is older than this when prints resume is marked
  // crossed_gap: the daemon did not see the path in between.
  static constexpr TimeMs restart_gap_ms = 60'000;
  // New extremes of an open outcome are reported at most this often (event time).
  static constexpr TimeMs progress_report_ms = 60'000;

  explicit OutcomeTracker(TimeMs horizon_ms);

  // Starts following the signal when it has a setup and a direction; false otherwise.
  bool follow(const Signal& signal);
  // Takes up an outcome that was open at the last stop (from storage).
  void restore(const Outcome& outcome);

  // A print of `exchange` for `symbol` at `time`. Returns whether the symbol is still followed
  // on any venue (the caller may skip it until follow() says otherwise).
  bool on_price(std::string_view symbol, std::string_view exchange, TimeMs time, double price);
  // Event time reached `now`: horizons and checkpoints that passed without a print.
  void advance(TimeMs now);
  // A stream outage: the outcomes it cut into are marked crossed_gap.
  void on_gap(TimeMs from, TimeMs to);

  // Outcomes that changed since the last call, each once with its latest state (a new one
  // is reported when its first change comes, not when it starts).
  void take_changes(std::vector<Outcome>& out);
  // Resolved since the last call (win, loss, expired), for the win-rate book.
  void take_resolved(std::vector<Outcome>& out);

  std::size_t following() const { return entries_.size(); }
  bool follows(std::string_view symbol) const;

 private:
  struct Entry {
    Outcome outcome;
    bool changed = false;
    bool restored_unseen = false;  // restored, no print seen since
    TimeMs reported_at = 0;        // observed_until when last reported
  };

  void mark(Entry& e);
  void observe(Entry& e, TimeMs time, double price);
  void pass_checkpoints(Entry& e, TimeMs now);
  void expire_if_due(Entry& e, TimeMs now);
  bool done(const Entry& e) const;
  void retire_done();

  TimeMs horizon_ms_;
  std::vector<Entry> entries_;
  std::vector<Outcome> changed_;  // retired entries' last change, until taken
  std::vector<Outcome> resolved_;
  bool dirty_ = false;  // some entry changed, or changed_ holds something
};

// Move of `price` from `entry` in the direction of the trade, as a fraction of entry.
double directional_move(Direction direction, double entry, double price);

}  // namespace teleglas
