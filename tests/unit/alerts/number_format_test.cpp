#include <gtest/gtest.h>

#include <limits>

#include "teleglas/alerts/formatter.hpp"

namespace teleglas {
namespace {

// ---- format_usd: tiers $, K, M, B with 0, 1, 2, 2 decimals, half away from zero ----

TEST(FormatUsd, BelowAThousandIsWholeDollars) {
  EXPECT_EQ(format_usd(950), "$950");
  EXPECT_EQ(format_usd(0), "$0");
  EXPECT_EQ(format_usd(999.4), "$999");
}

TEST(FormatUsd, ThousandsMillionsAndBillionsHaveTheirOwnPrecision) {
  EXPECT_EQ(format_usd(12'500), "$12.5K");
  EXPECT_EQ(format_usd(2'350'000), "$2.35M");
  EXPECT_EQ(format_usd(1'200'000'000), "$1.20B");
}

TEST(FormatUsd, RoundsHalfAwayFromZero) {
  EXPECT_EQ(format_usd(12'250), "$12.3K");
  EXPECT_EQ(format_usd(2'345'000), "$2.35M");
  EXPECT_EQ(format_usd(0.5), "$1");
}

TEST(FormatUsd, ValueThatRoundsToAThousandOfATierMovesUpATier) {
  EXPECT_EQ(format_usd(999.5), "$1.0K");
  EXPECT_EQ(format_usd(999'949), "$999.9K");
  EXPECT_EQ(format_usd(999'950), "$1.00M");
  EXPECT_EQ(format_usd(999'999), "$1.00M");
  EXPECT_EQ(format_usd(999'995'000), "$1.00B");
}

TEST(FormatUsd, BillionsNeverMoveToAnotherUnit) {
  EXPECT_EQ(format_usd(5e12), "$5000.00B");
}

TEST(FormatUsd, NegativeHasTheMinusBeforeTheDollar) {
  EXPECT_EQ(format_usd(-2'350'000), "-$2.35M");
  EXPECT_EQ(format_usd(-950), "-$950");
}

TEST(FormatUsd, NegativeThatRoundsToZeroHasNoSign) {
  EXPECT_EQ(format_usd(-0.4), "$0");
}

TEST(FormatUsd, NotANumberReadsNotAvailable) {
  EXPECT_EQ(format_usd(std::numeric_limits<double>::quiet_NaN()), "n/a");
  EXPECT_EQ(format_usd(std::numeric_limits<double>::infinity()), "n/a");
}

// ---- format_price: five significant digits, at least one decimal ----

TEST(FormatPrice, AboveAThousandHasOneDecimalAndThousandsSeparators) {
  EXPECT_EQ(format_price(95'850.0), "95,850.0");
  EXPECT_EQ(format_price(1'000), "1,000.0");
  EXPECT_EQ(format_price(1'234'567.89), "1,234,567.9");
}

TEST(FormatPrice, BetweenOneAndAThousandShowsTwoToFourDecimals) {
  EXPECT_EQ(format_price(152.3456), "152.35");
  EXPECT_EQ(format_price(23.4567), "23.457");
  EXPECT_EQ(format_price(1.23456), "1.2346");
  EXPECT_EQ(format_price(1), "1.0000");
}

TEST(FormatPrice, BelowOneShowsFiveSignificantDigits) {
  EXPECT_EQ(format_price(0.12874), "0.12874");
  EXPECT_EQ(format_price(0.5), "0.50000");
  EXPECT_EQ(format_price(0.000012345), "0.000012345");
}

TEST(FormatPrice, RoundingIntoTheNextPowerOfTenDropsADecimal) {
  EXPECT_EQ(format_price(0.999996), "1.0000");
  EXPECT_EQ(format_price(999.996), "1,000.0");
  EXPECT_EQ(format_price(9.99996), "10.000");
}

TEST(FormatPrice, NegativeKeepsItsSignAndZeroIsPlain) {
  EXPECT_EQ(format_price(-95'850.0), "-95,850.0");
  EXPECT_EQ(format_price(-123'456'789.0), "-123,456,789.0");
  EXPECT_EQ(format_price(0), "0");
}

TEST(FormatGrouped, SeparatesThousandsAtTheGivenDecimals) {
  EXPECT_EQ(format_grouped(95'050, 0), "95,050");
  EXPECT_EQ(format_grouped(1'234'567.25, 2), "1,234,567.25");
  EXPECT_EQ(format_grouped(0.0000102, 7), "0.0000102");
}

TEST(FormatGrouped, KeepsTheSignOutsideTheGroups) {
  EXPECT_EQ(format_grouped(-950, 0), "-950");
  EXPECT_EQ(format_grouped(-95'050, 0), "-95,050");
  EXPECT_EQ(format_grouped(-0.001, 1), "0.0");
}

TEST(FormatPrice, NotANumberReadsNotAvailable) {
  EXPECT_EQ(format_price(std::numeric_limits<double>::quiet_NaN()), "n/a");
}

// ---- html_escape ----

TEST(HtmlEscape, EscapesOnlyAngleBracketsAndAmpersand) {
  EXPECT_EQ(html_escape(R"(<b>&"' ok)"), R"(&lt;b&gt;&amp;"' ok)");
}

TEST(HtmlEscape, LeavesUtf8Untouched) {
  EXPECT_EQ(html_escape("\u00e9\U0001F680"), "\u00e9\U0001F680");
}

}  // namespace
}  // namespace teleglas
