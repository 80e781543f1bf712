// What the parser lets past the edge: names within their charset and length, values within
// their caps. Live and replay parse alike, so these hold for both.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "frame_builders.hpp"
#include "teleglas/ingest/parser.hpp"

namespace teleglas {
namespace {

using namespace frames;

std::string json_string(std::string_view text) {
  return '"' + std::string(text) + '"';
}

// ------------------------------------------------------------------------------------ symbols

TEST(Parser, AcceptsSymbolsOfEveryVenueSpelling) {
  for (const char* symbol : {"BTCUSDT", "1000PEPEUSDT", "BTC-USDT-SWAP", "BTCUSD_PERP", "BTC/USDT",
                             "BTC-PERP:USDC", "ETHUSDT.P", "btcusdt", "X"}) {
    FrameParser parser;
    const ParsedFrame& f =
        parser.parse(liquidations({object_of(with("symbol", json_string(symbol)))}));
    ASSERT_EQ(f.events.size(), 1u) << symbol;
    // An OKX instrument ID is read as its common name (CoinGlass relays OKX's events so).
    EXPECT_EQ(f.events[0].symbol,
              std::string_view(symbol) == "BTC-USDT-SWAP" ? "BTCUSDT" : std::string_view(symbol));
  }
}

TEST(Parser, AcceptsSymbolOfThirtyTwoCharacters) {
  const std::string longest = "ABCDEFGHIJKLMNOPQRSTUVWXYZ-_/.:9";
  ASSERT_EQ(longest.size(), 32u);
  EXPECT_EQ(element_verdict("symbol", json_string(longest)), std::nullopt);
}

TEST(Parser, RejectsSymbolOfThirtyThreeCharactersAsBadSymbol) {
  EXPECT_EQ(element_verdict("symbol", json_string(std::string(33, 'A'))), RejectReason::bad_symbol);
  EXPECT_EQ(element_verdict("symbol", json_string(std::string(4096, 'A'))),
            RejectReason::bad_symbol);
}

TEST(Parser, RejectsSymbolWithPunctuationOutsideItsCharset) {
  for (const char* symbol :
       {"BTC USDT", "BTC@USDT", "BTC#1",  "BTC+USDT", "BTC,USDT",     "BTC;USDT",    "BTC*", "BTC$",
        "BTC!",     "BTC'",     "BTC(1)", "BTC%20",   "BTC=1",        "BTC~",        "BTC|", "BTC^",
        "BTC`",     "BTC?",     "BTC[1]", "BTC{1}",   R"(BTC\\USDT)", R"(BTC\"USDT)"}) {
    EXPECT_EQ(element_verdict("symbol", json_string(symbol)), RejectReason::bad_symbol) << symbol;
  }
}

TEST(Parser, RejectsControlCharactersInSymbols) {
  for (const char* symbol : {R"(BTC\u0000USDT)", R"(\u001b[31mBTCUSDT)", R"(BTCUSDT\n)",
                             R"(BTC\tUSDT)", R"(BTC\rUSDT)", R"(BTC\u007fUSDT)"}) {
    EXPECT_EQ(element_verdict("symbol", json_string(symbol)), RejectReason::bad_symbol) << symbol;
  }
}

TEST(Parser, AcceptsLettersOfOtherScriptsInSymbols) {
  // A real Binance contract: the shared January 2025 capture has liquidations of it.
  for (const char* symbol :
       {"\xe5\xb8\x81\xe5\xae\x89\xe4\xba\xba\xe7\x94\x9fUSDT",  // 币安人生USDT
        R"(\u00dcSDT)"}) {
    EXPECT_EQ(element_verdict("symbol", json_string(symbol)), std::nullopt) << symbol;
  }
}

TEST(Parser, RejectsInvisibleAndDirectionChangingCharactersInSymbols) {
  for (const char* symbol :
       {R"(BTC\u200bUSDT)", R"(BTC\u202eUSDT)", R"(BTC\u2066USDT)", R"(\ufeffBTCUSDT)",
        R"(BTC\u0085USDT)", R"(BTC\u00a0USDT)", R"(BTC\u3000USDT)", R"(BTC\ufffdUSDT)"}) {
    EXPECT_EQ(element_verdict("symbol", json_string(symbol)), RejectReason::bad_symbol) << symbol;
  }
}

TEST(Parser, CountsBytesNotCharactersAgainstTheSymbolLimit) {
  std::string eleven_letters;  // 33 bytes
  for (int i = 0; i < 11; ++i) eleven_letters += "\xe5\xb8\x81";
  EXPECT_EQ(element_verdict("symbol", json_string(eleven_letters)), RejectReason::bad_symbol);
  EXPECT_EQ(element_verdict("symbol", json_string(eleven_letters.substr(3))), std::nullopt);
}

TEST(Parser, RejectsFrameThatIsNotUtf8AsInvalidJson) {
  const std::string overlong_slash = "BTC\xc0\xafUSDT";
  EXPECT_EQ(frame_reject(liquidations({object_of(with("symbol", json_string(overlong_slash)))})),
            RejectReason::invalid_json);
}

TEST(Parser, RejectsHtmlInSymbols) {
  for (const char* symbol : {"<b>BTC</b>", "<script>alert(1)</script>", "BTC&amp;USDT",
                             R"(<a href=\"x\">BTC</a>)", "BTC&lt;"}) {
    EXPECT_EQ(element_verdict("symbol", json_string(symbol)), RejectReason::bad_symbol) << symbol;
  }
}

TEST(Parser, KeepsTheOtherEventsOfAFrameWithBadNamesAndCountsEachAsBadSymbol) {
  expect_batch_keeps_good_elements({object_of(with("symbol", json_string("<b>BTC</b>"))),
                                    object_of(with("symbol", json_string(std::string(33, 'A')))),
                                    object_of(with("exName", json_string("Bin/ance")))},
                                   RejectReason::bad_symbol);
}

// Nothing of the frame may carry the rejected text on: not the events, not the notice.
TEST(Parser, KeepsNoTraceOfARejectedName) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(
      liquidations({object_of(with("symbol", json_string("<i>EVIL</i>"))),
                    object_of(with("exName", json_string("<i>EVIL</i>"))),
                    object_of(with("baseAsset", json_string("<i>EVIL</i>"))), good_element}));
  ASSERT_EQ(f.events.size(), 1u);
  for (const MarketEvent& e : f.events) {
    for (std::string_view text : {e.symbol, e.exchange, e.base_asset}) {
      EXPECT_EQ(text.find("EVIL"), std::string_view::npos) << text;
    }
  }
  EXPECT_TRUE(f.notice.empty());
  EXPECT_EQ(f.channel, "liquidationOrders");
}

// ------------------------------------------------------------------- exchanges and base assets

TEST(Parser, AcceptsExchangeAndAssetNamesWithSpaceDotDashAndUnderscore) {
  for (const char* name : {"Binance", "Crypto.com", "Coinbase International", "Gate.io", "dYdX",
                           "OKX-Swap", "Hyper_liquid", "1000PEPE"}) {
    EXPECT_EQ(element_verdict("exName", json_string(name)), std::nullopt) << name;
    EXPECT_EQ(element_verdict("baseAsset", json_string(name)), std::nullopt) << name;
  }
}

TEST(Parser, AcceptsExchangeAndAssetNamesOfTwentyFourCharacters) {
  const std::string longest = "Exchange Name 1234.-_XYZ";
  ASSERT_EQ(longest.size(), 24u);
  EXPECT_EQ(element_verdict("exName", json_string(longest)), std::nullopt);
  EXPECT_EQ(element_verdict("baseAsset", json_string(longest)), std::nullopt);
}

TEST(Parser, RejectsExchangeAndAssetNamesOfTwentyFiveCharactersAsBadSymbol) {
  const std::string too_long(25, 'a');
  EXPECT_EQ(element_verdict("exName", json_string(too_long)), RejectReason::bad_symbol);
  EXPECT_EQ(element_verdict("baseAsset", json_string(too_long)), RejectReason::bad_symbol);
}

TEST(Parser, RejectsExchangeAndAssetNamesOutsideTheirCharset) {
  // '/' and ':' belong to symbols only.
  for (const char* name : {"Bin/ance", "OKX:1", "<b>OKX</b>", "OKX&", R"(OKX\u0000)", R"(OKX\n)",
                           R"(OKX\u200b)", R"(\u202eOKX)"}) {
    EXPECT_EQ(element_verdict("exName", json_string(name)), RejectReason::bad_symbol) << name;
    EXPECT_EQ(element_verdict("baseAsset", json_string(name)), RejectReason::bad_symbol) << name;
  }
}

TEST(Parser, RejectsTradeWithoutExchangeWhenTheChannelNamesABadOne) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(frame_of("futures_trades@<b>OKX</b>_BTCUSDT@10000",
                                               {object_of(with("exName", "")), good_element}));
  ASSERT_EQ(f.kind, FrameKind::market);
  ASSERT_EQ(f.events.size(), 1u);  // the element that names its own exchange
  EXPECT_EQ(f.events[0].exchange, "Binance");
  EXPECT_EQ(rejected_for(parser, RejectReason::bad_symbol), 1);
}

// --------------------------------------------------------------------------------- upper caps

TEST(Parser, RejectsVolumeAboveTheCapAsVolumeTooHigh) {
  for (const char* volume : {"1000000000.01", "1e15", "1e300", "1.7976931348623157e308"}) {
    EXPECT_EQ(element_verdict("volUsd", volume), RejectReason::volume_too_high) << volume;
  }
}

TEST(Parser, AcceptsVolumeAtTheCap) {
  EXPECT_EQ(element_verdict("volUsd", "1e9"), std::nullopt);
  EXPECT_EQ(element_verdict("volUsd", "200000000"), std::nullopt);  // the largest ever, ~$0.2B
}

TEST(Parser, RejectsPriceAboveTheCapAsPriceTooHigh) {
  for (const char* price : {"10000000.5", "1e15", "1e300"}) {
    EXPECT_EQ(element_verdict("price", price), RejectReason::price_too_high) << price;
  }
}

TEST(Parser, AcceptsPriceAtTheCap) {
  EXPECT_EQ(element_verdict("price", "1e7"), std::nullopt);
  EXPECT_EQ(element_verdict("price", "0.00000001"), std::nullopt);  // tiny is fine
}

TEST(Parser, KeepsBadPriceAndBadVolumeForNonPositiveAndUnreadableValues) {
  EXPECT_EQ(element_verdict("price", "-1e300"), RejectReason::bad_price);
  EXPECT_EQ(element_verdict("price", "1e400"), RejectReason::bad_price);
  EXPECT_EQ(element_verdict("volUsd", "-1e15"), RejectReason::bad_volume);
  EXPECT_EQ(element_verdict("volUsd", "1e400"), RejectReason::bad_volume);
}

TEST(Parser, KeepsTheOtherEventsOfAFrameWithATooHighVolumeAndCountsIt) {
  expect_batch_keeps_good_elements(
      {object_of(with("volUsd", "1e15")), object_of(with("volUsd", "1e300"))},
      RejectReason::volume_too_high);
}

TEST(Parser, KeepsTheOtherEventsOfAFrameWithATooHighPriceAndCountsIt) {
  expect_batch_keeps_good_elements({object_of(with("price", "1e15"))},
                                   RejectReason::price_too_high);
}

TEST(Parser, CountsTooHighPricesAndVolumesApartByReason) {
  FrameParser parser;
  parser.parse(liquidations({object_of(with("volUsd", "1e15")), object_of(with("price", "1e15")),
                             object_of(with("volUsd", "1e300")), good_element}));
  EXPECT_EQ(rejected_for(parser, RejectReason::volume_too_high), 2);
  EXPECT_EQ(rejected_for(parser, RejectReason::price_too_high), 1);
  EXPECT_EQ(rejected_for(parser, RejectReason::bad_volume), 0);
  EXPECT_EQ(rejected_for(parser, RejectReason::bad_price), 0);
  EXPECT_EQ(parser.stats().rejected(), 3u);
  EXPECT_EQ(parser.stats().liquidations, 1u);
}

TEST(Parser, TakesItsCapsFromTheOptions) {
  FrameParser parser(ParserOptions{.max_price = 60000, .max_volume_usd = 4000});
  const ParsedFrame& f = parser.parse(liquidations(
      {good_element, object_of(with("price", "60001")), object_of(with("volUsd", "4000.5"))}));
  EXPECT_EQ(f.events.size(), 1u);  // 56738.0 and $3858 are within
  EXPECT_EQ(rejected_for(parser, RejectReason::price_too_high), 1);
  EXPECT_EQ(rejected_for(parser, RejectReason::volume_too_high), 1);
}

TEST(Parser, AppliesTheCapsToTradesToo) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(frame_of("futures_trades@Binance_BTCUSDT@10000",
                                               {object_of(with("volUsd", "1e15")), good_element}));
  ASSERT_EQ(f.events.size(), 1u);
  EXPECT_EQ(rejected_for(parser, RejectReason::volume_too_high), 1);
}

// Open interest is a stock, not one order: BTC's alone is tens of billions.
TEST(Parser, DoesNotCapOpenInterest) {
  FrameParser parser;
  const ParsedFrame& f =
      parser.parse(R"({"channel":"open_interest","time":1745222000000,"data":)"
                   R"([{"exchange":"All","symbol":"BTC","open_interest_usd":5.7e10}]})");
  ASSERT_EQ(f.open_interest.size(), 1u);
  EXPECT_DOUBLE_EQ(f.open_interest[0].open_interest_usd, 5.7e10);
}

// ---------------------------------------------------------------------------------- snapshots

constexpr TimeMs snapshot_time = 1745222000000;

std::string snapshot_line(std::string_view channel, std::string_view data) {
  return R"({"channel":")" + std::string(channel) + R"(","time":)" + std::to_string(snapshot_time) +
         R"(,"data":)" + std::string(data) + "}";
}

TEST(Parser, RejectsFundingRowsAndCoinsWithBadNames) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(snapshot_line(
      "funding_rates",
      R"([{"symbol":"BTC","stablecoin_margin_list":[{"exchange":"Binance","funding_rate":0.01},)"
      R"({"exchange":"<b>X</b>","funding_rate":0.01}]},)"
      R"({"symbol":"ET\u0000H","stablecoin_margin_list":[{"exchange":"OKX","funding_rate":0.01}]}])"));
  ASSERT_EQ(f.kind, FrameKind::funding);
  ASSERT_EQ(f.funding.size(), 1u);
  EXPECT_EQ(f.funding[0].exchange, "Binance");
  EXPECT_EQ(f.funding[0].base_asset, "BTC");
  EXPECT_EQ(rejected_for(parser, RejectReason::bad_symbol), 2);  // one row, one coin
}

TEST(Parser, RejectsOpenInterestRowsWithBadNames) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(snapshot_line(
      "open_interest", R"([{"exchange":"Binance","symbol":"BTC","open_interest_usd":5e9},)"
                       R"({"exchange":"Bin/ance","symbol":"BTC","open_interest_usd":5e9},)"
                       R"({"exchange":"OKX","symbol":"BTC<","open_interest_usd":5e9}])"));
  ASSERT_EQ(f.kind, FrameKind::open_interest);
  ASSERT_EQ(f.open_interest.size(), 1u);
  EXPECT_EQ(f.open_interest[0].exchange, "Binance");
  EXPECT_EQ(rejected_for(parser, RejectReason::bad_symbol), 2);
}

}  // namespace
}  // namespace teleglas
