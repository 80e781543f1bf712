// `teleglas preview`: what a configuration change would do to the alerts before it goes live.
// Both configurations replay the same recordings through the daemon's own Replay; the alerts
// are matched one to one, and each run's signals are followed to their outcomes for the win
// rate it would have had.
#pragma once

#include <array>
#include <cstddef>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "teleglas/app/replay.hpp"
#include "teleglas/config/config.hpp"
#include "teleglas/core/signal.hpp"
#include "teleglas/signals/history_stats.hpp"

namespace teleglas {

// Two alerts are the same signal when type, symbol and direction agree and their decision
// times lie at most this far apart (a changed threshold can move a decision by a few events).
inline constexpr TimeMs preview_match_tolerance_ms = 60'000;

struct PreviewOptions {
  // Only signals decided within this span before the end of the recordings' event time (not
  // the wall clock, so old recordings work). Everything before is still replayed, so the
  // windows, cooldowns and win rates are warm at the cutoff. nullopt: all of it.
  std::optional<TimeMs> since;
  TimeMs match_tolerance_ms = preview_match_tolerance_ms;
};

// The same signal under both configurations, scored differently.
struct SignalChange {
  Signal before;  // under the current configuration
  Signal after;   // under the new one
};

struct PreviewCounts {
  std::size_t added = 0, removed = 0, changed = 0, unchanged = 0;

  bool operator==(const PreviewCounts&) const = default;
};

struct PreviewResult {
  std::string error;  // non-empty: a recording could not be read; nothing else is set

  // Each in decision-time order.
  std::vector<Signal> added;          // only under the new configuration
  std::vector<Signal> removed;        // only under the current one
  std::vector<SignalChange> changed;  // matched, with another confidence or priority
  std::size_t unchanged = 0;          // matched, same confidence and priority

  std::array<PreviewCounts, signal_type_count> by_type{};
  std::map<std::pair<SignalType, std::string>, PreviewCounts> by_type_symbol;

  // Final outcomes of each run's signals (after the cutoff), counted as `teleglas stats` does.
  HistoryStats current_stats;
  HistoryStats new_stats;

  std::size_t current_signals = 0;  // after the cutoff
  std::size_t new_signals = 0;
  TimeMs first_time = 0;  // event time the recordings span (their input, not the run-out)
  TimeMs last_time = 0;
  TimeMs cutoff = 0;      // signals decided before this were left out; 0 = none
  ReplaySummary summary;  // of the current run (the new one read the same input)

  bool ok() const { return error.empty(); }
  bool has_differences() const { return !added.empty() || !removed.empty() || !changed.empty(); }
};

// Replays `recordings` (files, or directories of daily files) once per configuration and
// compares. Reads the recordings and nothing else.
PreviewResult run_preview(const Config& current, const Config& proposed,
                          const std::vector<std::string>& recordings,
                          const PreviewOptions& options = {});

// For a terminal: the table of types × symbols, the changed, added and removed alerts (at most
// `max_listed` of each, then "… N more"), and the win rates side by side.
std::string preview_text(const PreviewResult& result, const std::string& current_label,
                         const std::string& new_label, std::size_t max_listed = 20);

// {"added":[signal...],"removed":[...],"changed":[{"before":{...},"after":{...}}],
//  "unchanged":N,"by_type":{"STOP_HUNT":{"added":a,"removed":r,"changed":c,"unchanged":u},...},
//  "win_rate":{"current":{history_stats_json},"new":{...}}} — one line; signals as
// signal_to_json prints them; every type present in by_type.
std::string preview_json(const PreviewResult& result);

// `teleglas preview` once its two configurations are loaded.
struct PreviewCommandOptions {
  std::string current_label;  // how the output names each configuration (its path)
  std::string new_label;
  std::vector<std::string> recordings;  // empty: the current configuration's record_path
  std::string since;                    // a duration (90m, 24h, 7d); empty: all of it
  bool json = false;
};

// Prints the comparison. Returns 0 when both replays ran (whatever they differ in), 1 when
// there is nothing to replay or an argument is wrong; errors go to `err`.
int run_preview_command(const PreviewCommandOptions& options, const Config& current,
                        const Config& proposed, std::ostream& out, std::ostream& err);

}  // namespace teleglas
