#include "teleglas/app/preview.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <ostream>
#include <tuple>

#include "teleglas/alerts/formatter.hpp"  // format_utc
#include "teleglas/alerts/history_report.hpp"
#include "teleglas/alerts/signal_json.hpp"
#include "teleglas/app/history_commands.hpp"  // parse_duration_ms, duration_expected
#include "teleglas/core/outcome.hpp"
#include "teleglas/core/text.hpp"

namespace teleglas {

namespace {

// Names one signal in history, as storage does: (signal_time, type, symbol, direction).
using OutcomeKey = std::tuple<TimeMs, SignalType, std::string, Direction>;

OutcomeKey key_of(const Outcome& o) {
  return {o.signal_time, o.type, o.symbol, o.direction};
}

struct Run {
  std::string error;
  std::vector<Signal> signals;
  // The last change of each signal's outcome is its final state.
  std::map<OutcomeKey, Outcome> outcomes;
  ReplaySummary summary;
  TimeMs data_end = 0;  // event time of the last input, before finish() lets time run on
};

Run replay_with(const Config& config, const std::vector<std::string>& recordings) {
  Run run;
  Replay replay(
      config,
      [&run](const Signal& s) {
        run.signals.push_back(s);
        // Untracked signals get no outcome changes; every signal still counts in the stats.
        Outcome initial = initial_outcome(s);
        run.outcomes.insert_or_assign(key_of(initial), std::move(initial));
      },
      [&run](const Outcome& o) { run.outcomes.insert_or_assign(key_of(o), o); });
  for (const std::string& path : recordings) {
    if (std::string error = replay.feed_recording(path); !error.empty()) {
      run.error = std::move(error);
      return run;
    }
  }
  run.data_end = replay.summary().last_time;
  replay.finish();
  run.summary = replay.summary();
  return run;
}

std::vector<Signal> in_time_order(std::vector<Signal> signals) {
  std::stable_sort(signals.begin(), signals.end(),
                   [](const Signal& a, const Signal& b) { return a.time < b.time; });
  return signals;
}

std::size_t decided_from(const std::vector<Signal>& signals, TimeMs cutoff) {
  return static_cast<std::size_t>(std::count_if(
      signals.begin(), signals.end(), [cutoff](const Signal& s) { return s.time >= cutoff; }));
}

HistoryStats stats_from(const Run& run, TimeMs cutoff) {
  std::vector<Outcome> rows;
  for (const auto& [key, outcome] : run.outcomes) {
    if (outcome.signal_time >= cutoff) rows.push_back(outcome);
  }
  return compute_history_stats(rows);
}

bool same_kind(const Signal& a, const Signal& b) {
  return a.type == b.type && a.direction == b.direction && a.symbol == b.symbol;
}

void count(PreviewResult& r, const Signal& s, std::size_t PreviewCounts::*column) {
  ++(r.by_type_symbol[{s.type, s.symbol}].*column);
  ++(r.by_type[static_cast<int>(s.type)].*column);
}

// Matches each new signal, in time order, to the nearest unmatched current signal of the same
// type, symbol and direction within the tolerance (the earlier one on a tie). Greedy is enough:
// cooldowns keep signals of one kind minutes apart, far more than the tolerance. Matching runs
// over everything before the cutoff is applied, so that a signal the new configuration decides
// just after the cutoff is still the same one the current decided just before it.
void compare(const std::vector<Signal>& current, const std::vector<Signal>& proposed,
             TimeMs tolerance, TimeMs cutoff, PreviewResult& r) {
  std::vector<bool> matched(current.size(), false);
  for (const Signal& after : proposed) {
    const auto first = std::lower_bound(current.begin(), current.end(), after.time - tolerance,
                                        [](const Signal& s, TimeMs t) { return s.time < t; });
    std::size_t best = current.size();
    TimeMs best_distance = 0;
    for (auto it = first; it != current.end() && it->time <= after.time + tolerance; ++it) {
      const auto i = static_cast<std::size_t>(it - current.begin());
      if (matched[i] || !same_kind(*it, after)) continue;
      const TimeMs distance = std::llabs(it->time - after.time);
      if (best == current.size() || distance < best_distance) {
        best = i;
        best_distance = distance;
      }
    }
    if (best == current.size()) {
      if (after.time < cutoff) continue;
      r.added.push_back(after);
      count(r, after, &PreviewCounts::added);
      continue;
    }
    matched[best] = true;
    const Signal& before = current[best];
    if (std::max(before.time, after.time) < cutoff) continue;
    if (before.confidence != after.confidence || before.priority != after.priority) {
      r.changed.push_back({before, after});
      count(r, after, &PreviewCounts::changed);
    } else {
      ++r.unchanged;
      count(r, after, &PreviewCounts::unchanged);
    }
  }
  for (std::size_t i = 0; i < current.size(); ++i) {
    if (matched[i] || current[i].time < cutoff) continue;
    r.removed.push_back(current[i]);
    count(r, current[i], &PreviewCounts::removed);
  }
}

std::string kind_text(const Signal& s) {
  return fmt::format("{:<19} {:<12} {:<7}", to_string(s.type), s.symbol, to_string(s.direction));
}

std::string signal_line(const Signal& s) {
  return fmt::format("  {}  {} confidence {:>3}  {}\n", format_utc(s.time), kind_text(s),
                     s.confidence, to_string(s.priority));
}

std::string change_line(const SignalChange& c) {
  std::string line = fmt::format("  {}  {} confidence {:>3} → {:<3} ", format_utc(c.after.time),
                                 kind_text(c.after), c.before.confidence, c.after.confidence);
  if (c.before.priority == c.after.priority) {
    line += to_string(c.after.priority);
  } else {
    line += fmt::format("{} → {}", to_string(c.before.priority), to_string(c.after.priority));
  }
  if (const TimeMs shift = c.after.time - c.before.time; shift != 0) {
    line += fmt::format("  (decided {} {})", format_duration(std::llabs(shift)),
                        shift > 0 ? "later" : "earlier");
  }
  return line + "\n";
}

template <typename Item, typename Line>
std::string listing(const char* title, const std::vector<Item>& items, std::size_t max_listed,
                    Line line) {
  if (items.empty()) return {};
  std::string out = fmt::format("\n{} ({}):\n", title, items.size());
  const std::size_t shown = std::min(items.size(), max_listed);
  for (std::size_t i = 0; i < shown; ++i) out += line(items[i]);
  if (items.size() > shown) out += fmt::format("  … {} more\n", items.size() - shown);
  return out;
}

std::string tally_columns(const OutcomeTally& t) {
  return fmt::format("{:>7} {:>5} {:>4} {:>6} {:>7} {:>4}", t.signals,
                     win_rate_text(t.win_rate()), t.wins, t.losses, t.expired, t.open);
}

std::string win_rate_table(const HistoryStats& current, const HistoryStats& proposed) {
  std::string out =
      "\nwin rate each configuration would have had (wins / (wins + losses + expired); open\n"
      "outcomes are not counted yet):\n";
  out += fmt::format("{:<20} {:<38}   {}\n", "", "current", "new");
  const std::string head = fmt::format("{:>7} {:>5} {:>4} {:>6} {:>7} {:>4}", "signals", "win%",
                                       "wins", "losses", "expired", "open");
  out += fmt::format("{:<20} {}   {}\n", "type", head, head);
  for (int i = 0; i < signal_type_count; ++i) {
    if (current.by_type[i].signals == 0 && proposed.by_type[i].signals == 0) continue;
    out += fmt::format("{:<20} {}   {}\n", to_string(static_cast<SignalType>(i)),
                       tally_columns(current.by_type[i]), tally_columns(proposed.by_type[i]));
  }
  out += fmt::format("{:<20} {}   {}\n", "all", tally_columns(current.total),
                     tally_columns(proposed.total));
  return out;
}

std::string counts_json(const PreviewCounts& c) {
  return fmt::format(R"({{"added":{},"removed":{},"changed":{},"unchanged":{}}})", c.added,
                     c.removed, c.changed, c.unchanged);
}

std::string signals_json(const std::vector<Signal>& signals) {
  std::string out = "[";
  for (const Signal& s : signals) {
    if (out.size() > 1) out += ',';
    out += signal_to_json(s);
  }
  return out + "]";
}

}  // namespace

PreviewResult run_preview(const Config& current, const Config& proposed,
                          const std::vector<std::string>& recordings,
                          const PreviewOptions& options) {
  PreviewResult r;
  Run before = replay_with(current, recordings);
  if (!before.error.empty()) {
    r.error = std::move(before.error);
    return r;
  }
  Run after = replay_with(proposed, recordings);
  if (!after.error.empty()) {
    r.error = std::move(after.error);
    return r;
  }
  r.summary = before.summary;
  r.first_time = before.summary.first_time;
  r.last_time = before.data_end;
  if (options.since && r.last_time > 0) r.cutoff = r.last_time - *options.since;

  const std::vector<Signal> current_signals = in_time_order(std::move(before.signals));
  const std::vector<Signal> new_signals = in_time_order(std::move(after.signals));
  r.current_signals = decided_from(current_signals, r.cutoff);
  r.new_signals = decided_from(new_signals, r.cutoff);
  compare(current_signals, new_signals, options.match_tolerance_ms, r.cutoff, r);
  r.current_stats = stats_from(before, r.cutoff);
  r.new_stats = stats_from(after, r.cutoff);
  return r;
}

std::string preview_text(const PreviewResult& r, const std::string& current_label,
                         const std::string& new_label, std::size_t max_listed) {
  std::string out =
      fmt::format("preview: {} (new) against {} (current)\n", new_label, current_label);
  if (r.last_time > 0) {
    out += fmt::format("recordings: {} to {}", format_utc(r.first_time), format_utc(r.last_time));
    if (r.cutoff > 0) out += fmt::format("; signals decided from {}", format_utc(r.cutoff));
    out += "\n";
  } else {
    out += "recordings: no market events\n";
  }
  out +=
      fmt::format("signals: {} current, {} new; {} added, {} removed, {} changed, {} unchanged\n",
                  r.current_signals, r.new_signals, r.added.size(), r.removed.size(),
                  r.changed.size(), r.unchanged);
  if (!r.by_type_symbol.empty()) {
    out += fmt::format("\n{:<19} {:<12} {:>5} {:>7} {:>7} {:>9}\n", "type", "symbol", "added",
                       "removed", "changed", "unchanged");
    for (const auto& [kind, c] : r.by_type_symbol) {
      out += fmt::format("{:<19} {:<12} {:>5} {:>7} {:>7} {:>9}\n", to_string(kind.first),
                         kind.second, c.added, c.removed, c.changed, c.unchanged);
    }
  }
  if (!r.has_differences()) out += "\nno difference in alerts\n";
  out += listing("changed, current → new", r.changed, max_listed, change_line);
  out += listing("added, only under the new configuration", r.added, max_listed, signal_line);
  out +=
      listing("removed, only under the current configuration", r.removed, max_listed, signal_line);
  out += win_rate_table(r.current_stats, r.new_stats);
  return out;
}

std::string preview_json(const PreviewResult& r) {
  std::string changed = "[";
  for (const SignalChange& c : r.changed) {
    if (changed.size() > 1) changed += ',';
    changed += fmt::format(R"({{"before":{},"after":{}}})", signal_to_json(c.before),
                           signal_to_json(c.after));
  }
  changed += "]";
  std::string by_type = "{";
  for (int i = 0; i < signal_type_count; ++i) {
    if (i > 0) by_type += ',';
    by_type +=
        fmt::format(R"("{}":{})", to_string(static_cast<SignalType>(i)), counts_json(r.by_type[i]));
  }
  by_type += "}";
  return fmt::format(R"({{"added":{},"removed":{},"changed":{},"unchanged":{},"by_type":{},)"
                     R"("win_rate":{{"current":{},"new":{}}}}})",
                     signals_json(r.added), signals_json(r.removed), changed, r.unchanged, by_type,
                     history_stats_json(r.current_stats), history_stats_json(r.new_stats));
}

int run_preview_command(const PreviewCommandOptions& options, const Config& current,
                        const Config& proposed, std::ostream& out, std::ostream& err) {
  PreviewOptions preview;
  if (!options.since.empty()) {
    preview.since = parse_duration_ms(options.since);
    if (!preview.since) {
      err << "teleglas preview: --since " << options.since << ": " << duration_expected << "\n";
      return 1;
    }
  }
  std::vector<std::string> recordings = options.recordings;
  if (recordings.empty()) {
    // What the daemon itself recorded is the natural test set for its next configuration.
    if (current.coinglass.record_path.empty()) {
      err << "teleglas preview: no recordings to replay: pass RECORDING... (files, or "
             "directories of daily files), or set coinglass.record_path in "
          << options.current_label << "\n";
      return 1;
    }
    recordings.push_back(current.coinglass.record_path);
  }
  const PreviewResult result = run_preview(current, proposed, recordings, preview);
  if (!result.ok()) {
    err << "teleglas preview: " << result.error << "\n";
    return 1;
  }
  if (options.json) {
    out << preview_json(result) << "\n";
  } else {
    out << preview_text(result, options.current_label, options.new_label);
  }
  return 0;
}

}  // namespace teleglas
