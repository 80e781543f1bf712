// A CoinGlass recording as the live benchmarks stream it: its WebSocket frames (REST snapshot
// lines and recorded pongs left out), repeated pass after pass with event times shifted so
// that time only moves forward, and the symbols a daemon would be configured for.
#pragma once

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "teleglas/config/config.hpp"
#include "teleglas/core/types.hpp"

namespace teleglas::bench {

inline constexpr std::string_view time_key = R"("time":)";

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The WebSocket data frames of a recording, one per line.
inline std::vector<std::string> stream_lines(const std::string& recording) {
  std::vector<std::string> lines;
  std::istringstream in(recording);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (line.rfind(R"({"channel":"funding_rates")", 0) == 0 ||
        line.rfind(R"({"channel":"open_interest")", 0) == 0) {
      continue;
    }
    // Our own control lines (receive times, ticks, gaps, sources) are not frames.
    if (line.rfind(R"({"channel":"teleglas.)", 0) == 0) continue;
    // A recorded "pong" answered the recorder's own ping; unsolicited here, and the feed
    // swallows pongs, so keeping them would only spoil the sent == received check.
    if (line == "pong") continue;
    lines.push_back(std::move(line));
  }
  return lines;
}

// Calls f(begin, end) for the digits of every "time":NNN value. Matching the quoted key skips
// look-alikes such as "update_time".
template <class F>
void for_each_time(std::string_view line, F&& f) {
  for (std::size_t pos = line.find(time_key); pos != std::string_view::npos;
       pos = line.find(time_key, pos + 1)) {
    const std::size_t begin = pos + time_key.size();
    std::size_t end = begin;
    while (end < line.size() && line[end] >= '0' && line[end] <= '9') ++end;
    if (end > begin) f(begin, end);
  }
}

struct TimeRange {
  TimeMs first = 0;
  TimeMs last = 0;
};

inline TimeRange time_range(const std::vector<std::string>& lines) {
  TimeRange r{INT64_MAX, INT64_MIN};
  for (const std::string& line : lines) {
    for_each_time(line, [&](std::size_t b, std::size_t e) {
      const TimeMs t = std::stoll(line.substr(b, e - b));
      r.first = std::min(r.first, t);
      r.last = std::max(r.last, t);
    });
  }
  if (r.first > r.last) r = {};
  return r;
}

// How far each pass is shifted: it starts a second after the previous one ended.
inline TimeMs pass_length_ms(const std::vector<std::string>& lines) {
  const TimeRange range = time_range(lines);
  return range.last - range.first + 1000;
}

inline std::string shift_times(const std::string& line, TimeMs offset) {
  if (offset == 0) return line;
  std::string out;
  out.reserve(line.size() + 8);
  std::size_t copied = 0;
  for_each_time(line, [&](std::size_t b, std::size_t e) {
    out.append(line, copied, b - copied);
    out += std::to_string(std::stoll(line.substr(b, e - b)) + offset);
    copied = e;
  });
  out.append(line, copied, std::string::npos);
  return out;
}

// The symbols the daemon would be configured for: those with a futures_trades channel.
inline std::vector<SymbolConfig> symbols_of(const std::vector<std::string>& lines,
                                            const AnalysisConfig& analysis) {
  constexpr std::string_view prefix = R"({"channel":"futures_trades@)";
  std::map<std::string, std::set<std::string>> exchanges_by_symbol;
  for (const std::string& line : lines) {
    if (line.rfind(prefix, 0) != 0) continue;
    const std::size_t begin = prefix.size();
    const std::size_t under = line.find('_', begin);
    const std::size_t at = line.find('@', begin);
    if (under == std::string::npos || at == std::string::npos || under > at) continue;
    exchanges_by_symbol[line.substr(under + 1, at - under - 1)].insert(
        line.substr(begin, under - begin));
  }
  std::vector<SymbolConfig> out;
  for (const auto& [symbol, exchanges] : exchanges_by_symbol) {
    out.push_back(SymbolConfig{symbol, {exchanges.begin(), exchanges.end()}, 10'000, analysis});
  }
  return out;
}

}  // namespace teleglas::bench
