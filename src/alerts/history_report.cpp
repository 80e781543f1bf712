#include "teleglas/alerts/history_report.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "teleglas/alerts/formatter.hpp"  // html_escape

namespace teleglas {

namespace {

namespace json = boost::json;

json::value optional_number(const std::optional<double>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::object tally_json(const OutcomeTally& t) {
  json::object o;
  o["signals"] = t.signals;
  o["wins"] = t.wins;
  o["losses"] = t.losses;
  o["expired"] = t.expired;
  o["open"] = t.open;
  o["win_rate"] = optional_number(t.win_rate());
  o["untracked"] = t.untracked;
  o["crossed_gap"] = t.crossed_gap;
  const auto pct = [](const std::optional<double>& f) {
    return f ? std::optional<double>(*f * 100.0) : std::nullopt;
  };
  o["avg_mfe_pct"] = optional_number(pct(t.mean_favourable()));
  o["avg_mae_pct"] = optional_number(pct(t.mean_adverse()));
  o["avg_resolution_s"] = optional_number(t.mean_resolution_s());
  return o;
}

std::string pct_text(const std::optional<double>& fraction) {
  return fraction ? fmt::format("{:.2f}%", *fraction * 100.0) : std::string("-");
}

// The two tables, fixed width, shared by the terminal and Telegram (inside <pre>).
std::string tables(const HistoryStats& stats) {
  std::string out = fmt::format("{:<20} {:>7} {:>5} {:>6} {:>7} {:>5} {:>6} {:>7} {:>7}\n",
                                "type", "signals", "wins", "losses", "expired", "open", "win%",
                                "avg MFE", "avg MAE");
  for (int i = 0; i < signal_type_count; ++i) {
    const OutcomeTally& t = stats.by_type[i];
    if (t.signals == 0) continue;
    out += fmt::format("{:<20} {:>7} {:>5} {:>6} {:>7} {:>5} {:>6} {:>7} {:>7}\n",
                       to_string(static_cast<SignalType>(i)), t.signals, t.wins, t.losses,
                       t.expired, t.open, win_rate_text(t.win_rate()), pct_text(t.mean_favourable()),
                       pct_text(t.mean_adverse()));
  }
  const OutcomeTally& all = stats.total;
  out += fmt::format("{:<20} {:>7} {:>5} {:>6} {:>7} {:>5} {:>6} {:>7} {:>7}\n", "all",
                     all.signals, all.wins, all.losses, all.expired, all.open,
                     win_rate_text(all.win_rate()), pct_text(all.mean_favourable()),
                     pct_text(all.mean_adverse()));
  out += "\nconfidence  signals  wins  losses  expired  open  win%\n";
  for (const CalibrationBucket& b : stats.calibration) {
    out += fmt::format("{:<10} {:>8} {:>5} {:>7} {:>8} {:>5} {:>5}\n", b.label(), b.tally.signals,
                       b.tally.wins, b.tally.losses, b.tally.expired, b.tally.open,
                       win_rate_text(b.tally.win_rate()));
  }
  if (stats.calibration.empty()) out += "(no followed signals)\n";
  return out;
}

std::string notes(const HistoryStats& stats) {
  std::string out =
      "win% = wins / (wins + losses + expired); open outcomes are not counted yet.\n"
      "MFE/MAE: largest move for/against the signal before it resolved, % of entry.\n";
  if (stats.total.untracked > 0) {
    out += fmt::format("{} signal(s) had no setup to follow (counted in signals only).\n",
                       stats.total.untracked);
  }
  if (stats.total.crossed_gap > 0) {
    out += fmt::format("{} outcome(s) crossed a feed gap or a restart: their path was not "
                       "fully seen.\n",
                       stats.total.crossed_gap);
  }
  return out;
}

}  // namespace

std::string win_rate_text(const std::optional<double>& rate) {
  return rate ? fmt::format("{:.0f}%", *rate * 100.0) : std::string("-");
}

std::string history_stats_json(const HistoryStats& stats) {
  json::object by_type;
  for (int i = 0; i < signal_type_count; ++i) {
    by_type[to_string(static_cast<SignalType>(i))] = tally_json(stats.by_type[i]);
  }
  json::array calibration;
  for (const CalibrationBucket& b : stats.calibration) {
    json::object o;
    o["bucket"] = b.label();
    o["signals"] = b.tally.signals;
    o["wins"] = b.tally.wins;
    o["losses"] = b.tally.losses;
    o["expired"] = b.tally.expired;
    o["open"] = b.tally.open;
    o["win_rate"] = optional_number(b.tally.win_rate());
    calibration.push_back(std::move(o));
  }
  json::object root;
  root["by_type"] = std::move(by_type);
  root["calibration"] = std::move(calibration);
  root["total"] = tally_json(stats.total);
  return json::serialize(root);
}

std::string history_stats_text(const HistoryStats& stats, const std::string& period) {
  if (stats.total.signals == 0) return "No signals in " + period + ".\n";
  return "Signals and outcomes, " + period + ":\n\n" + tables(stats) + "\n" + notes(stats);
}

std::string history_stats_html(const HistoryStats& stats, const std::string& period) {
  if (stats.total.signals == 0) return "<b>Stats</b>: no signals in " + html_escape(period) + ".";
  return "<b>Signals and outcomes, " + html_escape(period) + "</b>\n<pre>" +
         html_escape(tables(stats)) + "</pre>\n" + html_escape(notes(stats));
}

}  // namespace teleglas
