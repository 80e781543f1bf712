#include "teleglas/core/types.hpp"

#include <gtest/gtest.h>

namespace teleglas {
namespace {

TEST(Types, SignalTypeNamesRoundTrip) {
  for (int i = 0; i < signal_type_count; ++i) {
    const auto type = static_cast<SignalType>(i);
    const auto parsed = signal_type_from_string(to_string(type));
    ASSERT_TRUE(parsed.has_value()) << to_string(type);
    EXPECT_EQ(*parsed, type);
  }
  EXPECT_FALSE(signal_type_from_string("STOPHUNT").has_value());
}

TEST(Types, DirectionWireNamesAreTheSetupSuggested) {
  EXPECT_EQ(to_string(Direction::bullish), "LONG");
  EXPECT_EQ(to_string(Direction::bearish), "SHORT");
  EXPECT_EQ(to_string(Direction::neutral), "NEUTRAL");
}

TEST(Types, OppositeSide) {
  EXPECT_EQ(opposite(Side::buy), Side::sell);
  EXPECT_EQ(opposite(Side::sell), Side::buy);
}

TEST(Types, SourceNamesRoundTrip) {
  for (int i = 0; i < source_count; ++i) {
    const auto source = static_cast<Source>(i);
    const auto parsed = parse_source(to_string(source));
    ASSERT_TRUE(parsed.has_value()) << to_string(source);
    EXPECT_EQ(*parsed, source);
  }
  EXPECT_EQ(to_string(Source::coinglass), "coinglass");
  EXPECT_EQ(to_string(Source::bybit), "bybit");
  EXPECT_EQ(to_string(Source::binance), "binance");
  EXPECT_EQ(to_string(Source::okx), "okx");
}

TEST(Types, ParseSourceRefusesOtherSpellings) {
  EXPECT_FALSE(parse_source("Bybit").has_value());  // configuration values are lower case
  EXPECT_FALSE(parse_source("").has_value());
  EXPECT_FALSE(parse_source("coinbase").has_value());
  EXPECT_FALSE(parse_source("okx ").has_value());
}

}  // namespace
}  // namespace teleglas

#include "teleglas/core/money.hpp"

namespace teleglas {
namespace {

TEST(Money, RoundPriceIsWhatFormatPriceShows) {
  EXPECT_DOUBLE_EQ(round_price(94211.1002), 94211.1);
  EXPECT_DOUBLE_EQ(round_price(184.9793), 184.98);
  EXPECT_DOUBLE_EQ(round_price(0.128744), 0.12874);
  EXPECT_DOUBLE_EQ(round_price(-2.34567), -2.3457);
  EXPECT_EQ(format_price(round_price(3325.0070400000004)), format_price(3325.0070400000004));
  EXPECT_EQ(round_price(0.0), 0.0);
}

}  // namespace
}  // namespace teleglas
