#include "teleglas/core/text.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace teleglas {
namespace {

constexpr TimeMs second_ms = 1'000;
constexpr TimeMs minute_ms = 60 * second_ms;
constexpr TimeMs hour_ms = 60 * minute_ms;
constexpr TimeMs day_ms = 24 * hour_ms;

TEST(Trim, RemovesSpacesTabsAndLineEndsAtBothEnds) {
  EXPECT_EQ(trim("  pong\r\n"), "pong");
  EXPECT_EQ(trim("\t/mute 30 \t"), "/mute 30");
}

TEST(Trim, KeepsWhitespaceInside) {
  EXPECT_EQ(trim(" a \t b "), "a \t b");
}

TEST(Trim, OfNothingButWhitespaceIsEmpty) {
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim(" \t\r\n"), "");
}

TEST(Trim, LeavesOtherControlCharactersAlone) {
  EXPECT_EQ(trim("\fpong\v"), "\fpong\v");
}

TEST(Trim, ReturnsAViewIntoTheText) {
  const std::string_view text = "  abc  ";
  EXPECT_EQ(trim(text).data(), text.data() + 2);
}

TEST(FormatDuration, ZeroReadsZeroSeconds) {
  EXPECT_EQ(format_duration(0), "0 s");
}

TEST(FormatDuration, NegativeReadsZeroSeconds) {
  EXPECT_EQ(format_duration(-1), "0 s");
  EXPECT_EQ(format_duration(-5 * second_ms), "0 s");
}

TEST(FormatDuration, UnderASecondInMilliseconds) {
  EXPECT_EQ(format_duration(1), "1 ms");
  EXPECT_EQ(format_duration(250), "250 ms");
  EXPECT_EQ(format_duration(999), "999 ms");
}

TEST(FormatDuration, SecondsRoundDown) {
  EXPECT_EQ(format_duration(second_ms), "1 s");
  EXPECT_EQ(format_duration(45'999), "45 s");
  EXPECT_EQ(format_duration(59'900), "59 s");
}

TEST(FormatDuration, AMinuteAndOverInMinutesAndSeconds) {
  EXPECT_EQ(format_duration(minute_ms), "1 min");
  EXPECT_EQ(format_duration(5 * minute_ms + 12 * second_ms), "5 min 12 s");
  EXPECT_EQ(format_duration(3'599 * second_ms), "59 min 59 s");
}

TEST(FormatDuration, HoursWithMinutesAndNoSeconds) {
  EXPECT_EQ(format_duration(hour_ms), "1 h");
  EXPECT_EQ(format_duration(hour_ms + 59 * second_ms), "1 h");
  EXPECT_EQ(format_duration(2 * hour_ms + 5 * minute_ms + 30 * second_ms), "2 h 5 min");
  EXPECT_EQ(format_duration(day_ms - 1), "23 h 59 min");
}

TEST(FormatDuration, DaysWithHours) {
  EXPECT_EQ(format_duration(day_ms), "1 d");
  EXPECT_EQ(format_duration(3 * day_ms + 4 * hour_ms + 59 * minute_ms), "3 d 4 h");
  EXPECT_EQ(format_duration(7 * day_ms + 30 * minute_ms), "7 d");
  EXPECT_EQ(format_duration(400 * day_ms + hour_ms), "400 d 1 h");
}

// ---- format_utc ----

TEST(FormatUtc, ShowsTheInstantInUtc) {
  EXPECT_EQ(format_utc(1725416318379), "2024-09-04 02:18:38 UTC");
}

TEST(FormatUtc, DropsMillisecondsRatherThanRounding) {
  EXPECT_EQ(format_utc(1725416318999), "2024-09-04 02:18:38 UTC");
}

TEST(FormatUtc, HandlesLeapDaysAndTimesBeforeTheEpoch) {
  EXPECT_EQ(format_utc(1709164800000), "2024-02-29 00:00:00 UTC");
  EXPECT_EQ(format_utc(-1), "1969-12-31 23:59:59 UTC");
}

TEST(FormatUtc, TimeBeyondTheCalendarIsShownAsRawMilliseconds) {
  EXPECT_EQ(format_utc(std::numeric_limits<TimeMs>::max()), "9223372036854775807 ms since epoch");
}

}  // namespace
}  // namespace teleglas
