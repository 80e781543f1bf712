// OKX sizes in contracts: the contract table, the instruments lines that fill it, and the
// common names of the venues' symbols.
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "teleglas/ingest/contracts.hpp"
#include "teleglas/ingest/parser.hpp"
#include "teleglas/ingest/venue_symbols.hpp"
#include "venue_builders.hpp"

namespace teleglas {
namespace {

using namespace venues;

// ------------------------------------------------------------------------------ symbols

TEST(VenueSymbols, BaseAssetIsTheSymbolBeforeItsQuote) {
  EXPECT_EQ(base_of_symbol("BTCUSDT"), "BTC");
  EXPECT_EQ(base_of_symbol("1000PEPEUSDT"), "1000PEPE");
  EXPECT_EQ(base_of_symbol("ETHUSDC"), "ETH");
  EXPECT_EQ(base_of_symbol("BTCUSD"), "BTC");
  EXPECT_EQ(base_of_symbol("BNBBUSD"), "BNB");         // not "BNBB"
  EXPECT_EQ(base_of_symbol("ETHFDUSD"), "ETH");        // not "ETHFD"
  EXPECT_EQ(base_of_symbol("BTCUSDT_250328"), "BTC");  // a delivery future
  EXPECT_EQ(base_of_symbol("BTCPERP"), "BTC");         // Bybit's USDC perpetual
}

TEST(VenueSymbols, NoBaseAssetWithoutAKnownQuote) {
  EXPECT_EQ(base_of_symbol("USDT"), "");
  EXPECT_EQ(base_of_symbol("ETHBTC"), "");
  EXPECT_EQ(base_of_symbol(""), "");
  EXPECT_EQ(base_of_symbol("_USDT"), "");
}

TEST(VenueSymbols, OkxInstrumentsGetTheCommonName) {
  const auto swap = okx_common_name("BTC-USDT-SWAP");
  ASSERT_TRUE(swap.has_value());
  EXPECT_EQ(swap->symbol, "BTCUSDT");
  EXPECT_EQ(swap->base_asset, "BTC");
  EXPECT_EQ(okx_common_name("BTC-USD-SWAP")->symbol, "BTCUSD");
  EXPECT_EQ(okx_common_name("ETH-USDC-SWAP")->symbol, "ETHUSDC");
  EXPECT_EQ(okx_common_name("BTC-USDT-250328")->symbol, "BTCUSDT_250328");
  EXPECT_EQ(okx_common_name("BTC-USDT")->symbol, "BTCUSDT");
  EXPECT_EQ(okx_common_name("1INCH-USDT-SWAP")->base_asset, "1INCH");
}

TEST(VenueSymbols, OkxNamesThatAreNoInstrumentsHaveNoCommonName) {
  for (const char* id : {"BTC", "", "-USDT-SWAP", "BTC--SWAP", "BTC-USDT-",
                         "BTC-USD-250328-90000-C", "BTC<b>-USDT-SWAP", "BTC USDT-SWAP"}) {
    EXPECT_FALSE(okx_common_name(id).has_value()) << id;
  }
}

// ------------------------------------------------------------------------- contract table

TEST(ContractTable, SetsFindsAndUpdates) {
  ContractTable table;
  EXPECT_EQ(table.find("BTC-USDT-SWAP"), nullptr);
  EXPECT_EQ(table.set("BTC-USDT-SWAP", {0.01, false}), ContractTable::Update::added);
  const ContractTable::Contract* btc = table.find("BTC-USDT-SWAP");
  ASSERT_NE(btc, nullptr);
  EXPECT_DOUBLE_EQ(btc->spec.value, 0.01);
  EXPECT_FALSE(btc->spec.inverse);
  EXPECT_EQ(btc->symbol, "BTCUSDT");
  EXPECT_EQ(btc->base_asset, "BTC");
  EXPECT_EQ(table.set("BTC-USDT-SWAP", {0.001, false}), ContractTable::Update::updated);
  EXPECT_DOUBLE_EQ(table.find("BTC-USDT-SWAP")->spec.value, 0.001);
  EXPECT_EQ(table.size(), 1u);
}

TEST(ContractTable, RefusesBadValuesAndNames) {
  ContractTable table;
  EXPECT_EQ(table.set("BTC-USDT-SWAP", {0, false}), ContractTable::Update::bad_value);
  EXPECT_EQ(table.set("BTC-USDT-SWAP", {-1, false}), ContractTable::Update::bad_value);
  EXPECT_EQ(table.set("BTC-USDT-SWAP", {std::numeric_limits<double>::quiet_NaN(), false}),
            ContractTable::Update::bad_value);
  EXPECT_EQ(table.set("BTC-USDT-SWAP", {std::numeric_limits<double>::infinity(), false}),
            ContractTable::Update::bad_value);
  EXPECT_EQ(table.set("BTC-USD-250328-90000-C", {0.01, false}), ContractTable::Update::bad_name);
  EXPECT_EQ(table.size(), 0u);
}

TEST(ContractTable, IsBoundedButKeepsUpdatingWhatItKnows) {
  ContractTable table(2);
  EXPECT_EQ(table.set("BTC-USDT-SWAP", {0.01, false}), ContractTable::Update::added);
  const ContractTable::Contract* first = table.find("BTC-USDT-SWAP");
  EXPECT_EQ(table.set("ETH-USDT-SWAP", {0.1, false}), ContractTable::Update::added);
  EXPECT_EQ(table.set("SOL-USDT-SWAP", {1, false}), ContractTable::Update::full);
  EXPECT_EQ(table.find("SOL-USDT-SWAP"), nullptr);
  EXPECT_EQ(table.set("ETH-USDT-SWAP", {0.01, false}), ContractTable::Update::updated);
  EXPECT_EQ(table.size(), 2u);
  EXPECT_EQ(table.find("BTC-USDT-SWAP"), first);  // entries do not move
}

TEST(ContractTable, EntriesStayPutAsTheTableGrows) {
  ContractTable table;
  table.set("BTC-USDT-SWAP", {0.01, false});
  const ContractTable::Contract* btc = table.find("BTC-USDT-SWAP");
  for (int i = 0; i < 1000; ++i) {
    table.set(std::string("C").append(std::to_string(i)).append("-USDT-SWAP"), {1, false});
  }
  EXPECT_EQ(table.find("BTC-USDT-SWAP"), btc);
  EXPECT_EQ(btc->symbol, "BTCUSDT");
}

TEST(ContractTable, UsdValueOfLinearAndInverseContracts) {
  EXPECT_DOUBLE_EQ(usd_value({0.01, false}, 12, 95000), 12 * 0.01 * 95000);  // 0.01 BTC each
  EXPECT_DOUBLE_EQ(usd_value({100, true}, 12, 95000), 1200);                 // $100 each
}

// ---------------------------------------------------------------------- instruments lines

TEST(InstrumentsLine, FillsTheContractTable) {
  FrameParser parser;
  const ParsedFrame& f =
      parser.parse(instruments_line({okx_instrument("BTC-USDT-SWAP", "0.01", "linear"),
                                     okx_instrument("BTC-USD-SWAP", "100", "inverse"),
                                     okx_instrument("ETH-USDT-250328", "0.1", "linear", "FUTURES"),
                                     okx_instrument("BTC-USDT", "", "", "SPOT")}));
  ASSERT_EQ(f.kind, FrameKind::instruments);
  EXPECT_EQ(f.source, Source::okx);
  EXPECT_EQ(f.channel, "okx.instruments");
  EXPECT_EQ(f.contracts, 3u);
  EXPECT_EQ(f.rejected_events, 0u);  // the spot row is no contract: skipped, not bad
  EXPECT_EQ(parser.stats().contracts, 3u);
  EXPECT_EQ(parser.stats().rejected(), 0u);
  EXPECT_EQ(parser.stats().events, 0u);
  ASSERT_EQ(parser.contracts().size(), 3u);
  EXPECT_TRUE(parser.contracts().find("BTC-USD-SWAP")->spec.inverse);
  EXPECT_EQ(parser.contracts().find("ETH-USDT-250328")->symbol, "ETHUSDT_250328");
}

TEST(InstrumentsLine, LetsLaterOkxFramesBeSized) {
  FrameParser parser;
  const std::string trade = okx_trades({object_of(okx_trade_row())});
  EXPECT_TRUE(parser.parse(trade).events.empty());  // unknown_contract
  parser.parse(instruments_line({okx_instrument("BTC-USDT-SWAP", "0.01", "linear")}));
  const ParsedFrame& f = parser.parse(trade);
  ASSERT_EQ(f.events.size(), 1u);
  EXPECT_DOUBLE_EQ(f.events[0].volume_usd, 12 * 0.01 * 42219.9);
  // A later list with another contract value replaces the earlier one.
  parser.parse(instruments_line({okx_instrument("BTC-USDT-SWAP", "0.001", "linear")}));
  EXPECT_DOUBLE_EQ(parser.parse(trade).events.at(0).volume_usd, 12 * 0.001 * 42219.9);
  EXPECT_EQ(frames::rejected_for(parser, RejectReason::unknown_contract), 1);
}

TEST(InstrumentsLine, RejectsRowsItCannotUse) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(instruments_line(
      {okx_instrument("BTC-USDT-SWAP", "0.01", "linear"),
       okx_instrument("ETH-USDT-SWAP", "", "linear"),  // a swap without a value
       okx_instrument("SOL-USDT-SWAP", "abc", "linear"),
       okx_instrument("XRP-USDT-SWAP", "-1", "linear"),
       okx_instrument("DOGE-USDT-SWAP", "1000", ""),  // linear or inverse? not guessed
       okx_instrument("BTC-USD-250328-90000-C", "1", "linear"),
       R"({"instType":"SWAP","ctVal":"1","ctType":"linear"})", R"("not a row")"}));
  ASSERT_EQ(f.kind, FrameKind::instruments);
  EXPECT_EQ(f.contracts, 1u);
  EXPECT_EQ(f.rejected_events, 7u);
  EXPECT_EQ(frames::rejected_for(parser, RejectReason::missing_field), 2);
  EXPECT_EQ(frames::rejected_for(parser, RejectReason::bad_volume), 2);
  EXPECT_EQ(frames::rejected_for(parser, RejectReason::unknown_contract), 1);
  EXPECT_EQ(frames::rejected_for(parser, RejectReason::bad_symbol), 1);
  EXPECT_EQ(frames::rejected_for(parser, RejectReason::bad_event), 1);
  EXPECT_EQ(parser.contracts().size(), 1u);
}

TEST(InstrumentsLine, AFailedRequestTeachesNothing) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(
      instruments_line({okx_instrument("BTC-USDT-SWAP", "0.01", "linear")}, R"("51001")"));
  EXPECT_EQ(f.kind, FrameKind::rejected);
  EXPECT_EQ(f.reject_reason, RejectReason::bad_data);
  EXPECT_EQ(parser.contracts().size(), 0u);
  EXPECT_EQ(
      parser.parse(instruments_line({okx_instrument("BTC-USDT-SWAP", "0.01", "linear")}, "0")).kind,
      FrameKind::instruments);  // a numeric 0 is success too
  EXPECT_EQ(frames::frame_reject(R"({"channel":"okx.instruments","time":1,"data":[]})"),
            RejectReason::bad_data);
  EXPECT_EQ(frames::frame_reject(R"({"channel":"okx.instruments","time":1,"data":{"code":"0"}})"),
            RejectReason::bad_data);
  EXPECT_EQ(frames::frame_reject(R"({"channel":"okx.instruments","time":1})"),
            RejectReason::missing_data);
}

TEST(InstrumentsLine, TheTableStaysBounded) {
  ParserOptions options;
  options.max_contracts = 2;
  FrameParser parser(options);
  const ParsedFrame& f =
      parser.parse(instruments_line({okx_instrument("BTC-USDT-SWAP", "0.01", "linear"),
                                     okx_instrument("ETH-USDT-SWAP", "0.1", "linear"),
                                     okx_instrument("SOL-USDT-SWAP", "1", "linear")}));
  ASSERT_EQ(f.kind, FrameKind::instruments);
  EXPECT_EQ(f.contracts, 2u);
  EXPECT_EQ(parser.stats().contracts_refused, 1u);
  EXPECT_EQ(parser.contracts().size(), 2u);
  parser.parse(instruments_line({okx_instrument("ETH-USDT-SWAP", "0.01", "linear")}));
  EXPECT_DOUBLE_EQ(parser.contracts().find("ETH-USDT-SWAP")->spec.value, 0.01);
}

}  // namespace
}  // namespace teleglas
