// History statistics as `teleglas stats` prints them (a table, or --json) and as `/stats`
// answers in Telegram.
#pragma once

#include <optional>
#include <string>

#include "teleglas/signals/history_stats.hpp"

namespace teleglas {

// {"by_type":{"STOP_HUNT":{"signals":N,"wins":W,"losses":L,"expired":E,"open":O,
// "win_rate":R,...},...},"calibration":[{"bucket":"80-89","signals":N,"wins":W,"losses":L,
// "win_rate":R,...},...]} — every type present; win_rate null before anything resolved.
std::string history_stats_json(const HistoryStats& stats);

// A win rate as the tables show it: "67%", or "-" before anything resolved.
std::string win_rate_text(const std::optional<double>& rate);

// A plain-text report for a terminal: per type, then the calibration table. `period` says
// what the rows span, e.g. "last 7 days" or "all history".
std::string history_stats_text(const HistoryStats& stats, const std::string& period);

// The same for Telegram (HTML, monospace tables), within one message.
std::string history_stats_html(const HistoryStats& stats, const std::string& period);

}  // namespace teleglas
