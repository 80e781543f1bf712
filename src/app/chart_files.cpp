#include "teleglas/app/chart_files.hpp"

#include <fmt/format.h>

#include <fstream>
#include <system_error>

#include "teleglas/core/text.hpp"

namespace teleglas {

namespace {

std::string file_safe(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const bool safe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.';
    if (!safe) c = '_';
  }
  return out;
}

}  // namespace

std::string chart_file_name(const Signal& signal) {
  return fmt::format("{}_{}_{}_{}.png", format_utc_compact(signal.time), to_string(signal.type),
                     file_safe(signal.symbol), to_string(signal.direction));
}

ChartFile write_chart_file(const std::filesystem::path& dir, const Signal& signal,
                           const charts::ChartOptions& options) {
  ChartFile file;
  if (!signal.chart) {
    file.error = "no chart data (a neutral signal, or charts were not captured)";
    return file;
  }
  const charts::RenderedChart chart = charts::render_chart(*signal.chart, options);
  if (!chart.ok()) {
    file.error = "rendering failed: " + chart.error;
    return file;
  }
  return save_chart_png(dir, signal, chart.png);
}

ChartFile save_chart_png(const std::filesystem::path& dir, const Signal& signal,
                         std::string_view png) {
  ChartFile file;
  const std::string name = chart_file_name(signal);
  const std::string stem = name.substr(0, name.size() - 4);
  std::filesystem::path path = dir / name;
  std::error_code ec;
  for (int n = 2; std::filesystem::exists(path, ec); ++n) {
    path = dir / fmt::format("{}-{}.png", stem, n);
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(png.data(), static_cast<std::streamsize>(png.size()));
  out.close();
  if (!out) {
    file.error = path.string() + ": cannot write";
    return file;
  }
  file.path = path;
  return file;
}

}  // namespace teleglas
