#include "teleglas/core/text.hpp"

#include <fmt/format.h>

#include <array>

namespace teleglas {

std::string format_duration(TimeMs duration_ms) {
  if (duration_ms <= 0) return "0 s";
  if (duration_ms < 1000) return fmt::format("{} ms", duration_ms);
  struct Unit {
    TimeMs seconds;
    std::string_view name;
  };
  static constexpr std::array<Unit, 4> units = {
      {{86'400, "d"}, {3'600, "h"}, {60, "min"}, {1, "s"}}};
  const TimeMs total_s = duration_ms / 1000;
  std::size_t major = 0;
  while (total_s < units[major].seconds) ++major;  // ends at "s": total_s >= 1
  std::string out = fmt::format("{} {}", total_s / units[major].seconds, units[major].name);
  if (major + 1 < units.size()) {
    const Unit& minor = units[major + 1];
    const TimeMs rest = total_s % units[major].seconds / minor.seconds;
    if (rest > 0) out += fmt::format(" {} {}", rest, minor.name);
  }
  return out;
}

}  // namespace teleglas
