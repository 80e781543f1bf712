#include "teleglas/core/text.hpp"

#include <optional>

#include <fmt/format.h>

#include <array>
#include <chrono>

namespace teleglas {

namespace {

struct UtcFields {
  int year = 0;
  unsigned month = 0, day = 0;
  long hours = 0, minutes = 0, seconds = 0;
};

// Years 0001..9999; beyond that the calendar arithmetic would overflow.
std::optional<UtcFields> utc_fields(TimeMs time) {
  using namespace std::chrono;
  constexpr TimeMs earliest = -62135596800000;
  constexpr TimeMs latest = 253402300799999;
  if (time < earliest || time > latest) return std::nullopt;
  const sys_time<milliseconds> point{milliseconds{time}};
  const sys_days day = floor<days>(point);
  const year_month_day date{day};
  const hh_mm_ss clock{floor<seconds>(point - day)};
  return UtcFields{static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                   static_cast<unsigned>(date.day()), clock.hours().count(),
                   clock.minutes().count(), clock.seconds().count()};
}

}  // namespace

std::string format_utc(TimeMs time) {
  const auto f = utc_fields(time);
  if (!f) return fmt::format("{} ms since epoch", time);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC", f->year, f->month, f->day,
                     f->hours, f->minutes, f->seconds);
}

std::string format_utc_compact(TimeMs time) {
  const auto f = utc_fields(time);
  if (!f) return std::to_string(time);
  return fmt::format("{:04}{:02}{:02}-{:02}{:02}{:02}", f->year, f->month, f->day, f->hours,
                     f->minutes, f->seconds);
}

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
