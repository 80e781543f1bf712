// Which stretches of event time the pipeline actually watched. A window decides only when the
// feed was watched over its whole span: not before the first event, not across a silence of
// the whole feed longer than the window (a recording's gap between captures, a feed that died
// without saying so), not across a reported outage longer than a share of the window. Shorter
// outages leave the window usable but degraded.
#pragma once

#include <deque>

#include "teleglas/core/types.hpp"

namespace teleglas {

class FeedObservation {
 public:
  // `blind_gap_share`: an outage longer than this share of a window blinds it (0..1).
  // `shortest_window_ms` / `keep_ms`: the shortest and longest window; silences no longer
  // than the shortest cannot matter, and older silences and outages are forgotten.
  FeedObservation(double blind_gap_share, TimeMs shortest_window_ms, TimeMs keep_ms)
      : blind_gap_share_(blind_gap_share),
        shortest_window_ms_(shortest_window_ms),
        keep_ms_(keep_ms) {}

  // Every accepted market event, in the order the pipeline takes them.
  void on_event(TimeMs time);
  // A reported outage of the feed.
  void on_gap(TimeMs from, TimeMs to);

  // Whether [from, to] was watched throughout (see above).
  bool watched(TimeMs from, TimeMs to) const;
  // The longest reported outage overlapping [from, to], 0 when none.
  TimeMs longest_gap(TimeMs from, TimeMs to) const;

  TimeMs first_event() const { return first_; }

 private:
  struct Span {
    TimeMs from;
    TimeMs to;
  };
  void forget_before(TimeMs time);

  double blind_gap_share_;
  TimeMs shortest_window_ms_;
  TimeMs keep_ms_;
  TimeMs first_ = 0;  // 0: nothing seen yet
  TimeMs last_ = 0;
  std::deque<Span> silences_;  // between consecutive events, longer than the shortest window
  std::deque<Span> gaps_;
};

}  // namespace teleglas
