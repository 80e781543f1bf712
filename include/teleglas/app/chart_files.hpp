// Charts as files: `replay --charts DIR` and `teleglas demo` write one PNG per directional
// signal, named so that a directory of them sorts by time and says what each one is.
#pragma once

#include <filesystem>
#include <string>

#include "teleglas/charts/chart.hpp"
#include "teleglas/core/signal.hpp"

namespace teleglas {

// "20240904-021838_STOP_HUNT_BTCUSDT_LONG.png": the decision's UTC time to the second, the
// type, the symbol (characters a file name should not carry become '_') and the direction.
std::string chart_file_name(const Signal& signal);

struct ChartFile {
  std::filesystem::path path;  // written, when error is empty
  std::string error;           // why nothing was written (no chart data, rendering, disk)
};

// Renders the signal's chart (Signal::chart) into `dir`, which must exist. A name already
// taken gets "-2", "-3", ... before ".png": nothing is overwritten.
ChartFile write_chart_file(const std::filesystem::path& dir, const Signal& signal,
                           const charts::ChartOptions& options = {});

// Saves a chart already drawn, named and deduplicated as write_chart_file does.
ChartFile save_chart_png(const std::filesystem::path& dir, const Signal& signal,
                         std::string_view png);

}  // namespace teleglas
