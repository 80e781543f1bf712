#include "teleglas/app/chart_files.hpp"

#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <system_error>

namespace teleglas {

namespace {

std::string compact_utc(TimeMs time) {
  using namespace std::chrono;
  const sys_time<milliseconds> point{milliseconds{time}};
  const sys_days day = floor<days>(point);
  const year_month_day date{day};
  const hh_mm_ss clock{floor<seconds>(point - day)};
  return fmt::format("{:04}{:02}{:02}-{:02}{:02}{:02}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     clock.hours().count(), clock.minutes().count(), clock.seconds().count());
}

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
  return fmt::format("{}_{}_{}_{}.png", compact_utc(signal.time), to_string(signal.type),
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
