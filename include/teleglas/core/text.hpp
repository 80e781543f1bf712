// Small text helpers every layer shares: trimming protocol text, and durations as people read
// them in alerts, bot replies and logs.
#pragma once

#include <string>
#include <string_view>

#include "teleglas/core/types.hpp"

namespace teleglas {

// The whitespace of JSON (RFC 8259) and of line-based text: space, tab, CR, LF.
inline constexpr std::string_view text_whitespace = " \t\r\n";

constexpr bool is_text_whitespace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// `text` without leading and trailing text_whitespace; a view into `text`. Inline and without
// a character-set search: the parser trims every frame.
constexpr std::string_view trim(std::string_view text) {
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && is_text_whitespace(text[begin])) ++begin;
  while (end > begin && is_text_whitespace(text[end - 1])) --end;
  return text.substr(begin, end - begin);
}

// A duration for people: the two largest units, a zero second unit left out, whole units
// rounded down (never overstating how long something lasted or is left):
// "45 s", "5 min", "5 min 12 s", "2 h", "2 h 5 min", "3 d 4 h"; under a second "250 ms".
// Zero and negative durations (a wall clock stepped back) read "0 s".
std::string format_duration(TimeMs duration_ms);

// "2024-09-04 02:18:38 UTC": an instant as alerts, charts and logs show it (seconds, rounded down).
std::string format_utc(TimeMs time);
// "20240904-021838": the same instant for file names (sorts by time).
std::string format_utc_compact(TimeMs time);

}  // namespace teleglas
