// The exchanges' own public streams through the one frame parser: Bybit v5 allLiquidation and
// publicTrade, Binance USD-M forceOrder and aggTrade, OKX v5 liquidation-orders and trades.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "teleglas/ingest/parser.hpp"
#include "venue_builders.hpp"

namespace teleglas {
namespace {

using namespace venues;

// The verdict on the only row of a frame: nullopt when it was accepted.
std::optional<RejectReason> row_verdict(const std::string& frame, TimeMs receive_time = 0) {
  FrameParser parser;
  parser.set_contract("BTC-USDT-SWAP", {0.01, false});
  parser.set_contract("IOST-USDT-SWAP", {1000, false});
  const ParsedFrame& f = parser.parse(frame, receive_time);
  EXPECT_EQ(f.kind, FrameKind::market) << frame;
  if (f.events.size() == 1 && f.rejected_events == 0) return std::nullopt;
  EXPECT_EQ(f.rejected_events, 1u) << frame;
  EXPECT_TRUE(f.events.empty()) << frame;
  const auto reason = only_reject(parser);
  EXPECT_TRUE(reason.has_value()) << frame;
  return reason.value_or(RejectReason::invalid_json);
}

std::optional<RejectReason> bybit_verdict(std::string_view key, std::string value) {
  return row_verdict(bybit_liquidations({object_of(changed(bybit_liquidation_row(), key, value))}));
}

std::optional<RejectReason> binance_order_verdict(std::string_view key, std::string value) {
  return row_verdict(binance_combined("!forceOrder@arr",
                                      binance_force_order(changed(binance_order(), key, value))));
}

std::optional<RejectReason> binance_trade_verdict(std::string_view key, std::string value) {
  return row_verdict(
      binance_combined("btcusdt@aggTrade", object_of(changed(binance_agg_trade(), key, value))));
}

std::optional<RejectReason> okx_trade_verdict(std::string_view key, std::string value) {
  return row_verdict(okx_trades({object_of(changed(okx_trade_row(), key, value))}));
}

std::optional<RejectReason> okx_detail_verdict(std::string_view key, std::string value) {
  return row_verdict(okx_liquidations({okx_entry({object_of(changed(okx_detail(), key, value))})}));
}

// ---------------------------------------------------------------------------------- Bybit

TEST(BybitFrames, ParsesTheDocsAllLiquidationExample) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(bybit_liquidations({object_of(bybit_liquidation_row())}));
  ASSERT_EQ(f.kind, FrameKind::market);
  EXPECT_EQ(f.source, Source::bybit);
  EXPECT_EQ(f.channel, "allLiquidation.ROSEUSDT");
  ASSERT_EQ(f.events.size(), 1u);
  const MarketEvent& e = f.events[0];
  EXPECT_EQ(e.kind, EventKind::liquidation);
  EXPECT_EQ(e.side, Side::buy);  // "Sell": a short position was liquidated, by a forced buy
  EXPECT_DOUBLE_EQ(e.price, 0.04499);
  EXPECT_DOUBLE_EQ(e.volume_usd, 20000 * 0.04499);
  EXPECT_EQ(e.exchange_time, bybit_time);
  EXPECT_EQ(e.symbol, "ROSEUSDT");
  EXPECT_EQ(e.base_asset, "ROSE");
  EXPECT_EQ(e.exchange, "Bybit");
  EXPECT_EQ(e.source, Source::bybit);
  EXPECT_EQ(parser.stats().liquidations, 1u);
  EXPECT_EQ(parser.stats().events_by_source[static_cast<int>(Source::bybit)], 1u);
}

// Bybit's docs: "When you receive a Buy update, this means that a long position has been
// liquidated" - a forced sell, our side 1.
TEST(BybitFrames, BuyLiquidationMeansALongWasLiquidated) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(
      bybit_liquidations({object_of(changed(bybit_liquidation_row(), "S", in_quotes("Buy")))}));
  ASSERT_EQ(f.events.size(), 1u);
  EXPECT_EQ(f.events[0].side, Side::sell);
}

TEST(BybitFrames, TradeSideIsTheTakersSide) {
  FrameParser parser;
  const std::string buy = object_of(bybit_trade_row());
  const std::string sell = object_of(changed(bybit_trade_row(), "S", in_quotes("Sell")));
  const ParsedFrame& f = parser.parse(bybit_frame("publicTrade.BTCUSDT", {buy, sell}));
  ASSERT_EQ(f.kind, FrameKind::market);
  ASSERT_EQ(f.events.size(), 2u);
  EXPECT_EQ(f.events[0].kind, EventKind::trade);
  EXPECT_EQ(f.events[0].side, Side::buy);
  EXPECT_EQ(f.events[1].side, Side::sell);
  EXPECT_DOUBLE_EQ(f.events[0].price, 16578.50);
  EXPECT_DOUBLE_EQ(f.events[0].volume_usd, 0.001 * 16578.50);
  EXPECT_EQ(f.events[0].exchange_time, 1672304486865);
  EXPECT_EQ(f.events[0].base_asset, "BTC");
  EXPECT_EQ(parser.stats().trades, 2u);
  EXPECT_EQ(parser.stats().liquidations, 0u);
}

TEST(BybitFrames, KeepsTheGoodRowsOfABatch) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(bybit_liquidations(
      {object_of(bybit_liquidation_row()),
       object_of(changed(bybit_liquidation_row(), "S", in_quotes("Hold"))),
       object_of(changed(bybit_liquidation_row(), "s", in_quotes("1000PEPEUSDT")))}));
  ASSERT_EQ(f.kind, FrameKind::market);
  ASSERT_EQ(f.events.size(), 2u);
  EXPECT_EQ(f.events[1].symbol, "1000PEPEUSDT");
  EXPECT_EQ(f.events[1].base_asset, "1000PEPE");
  EXPECT_EQ(f.rejected_events, 1u);
  EXPECT_EQ(only_reject(parser), RejectReason::bad_side);
}

TEST(BybitFrames, ReadsQuotedAndPlainNumbers) {
  EXPECT_EQ(bybit_verdict("v", "20000"), std::nullopt);
  EXPECT_EQ(bybit_verdict("p", "0.04499"), std::nullopt);
  EXPECT_EQ(bybit_verdict("T", in_quotes(std::to_string(bybit_time))), std::nullopt);
  EXPECT_EQ(bybit_verdict("p", in_quotes("4.499e-2")), std::nullopt);
}

TEST(BybitFrames, RejectsStringsThatAreNoNumbers) {
  for (const char* text : {"abc", "", " 1", "1 ", "+1", "0x10", "1.2.3", "12abc", "1e400", "nan",
                           "NaN", "inf", "-inf", R"(1\u0030)"}) {
    EXPECT_EQ(bybit_verdict("p", in_quotes(text)), RejectReason::bad_price) << text;
    EXPECT_EQ(bybit_verdict("v", in_quotes(text)), RejectReason::bad_volume) << text;
  }
  EXPECT_EQ(bybit_verdict("T", in_quotes("soon")), RejectReason::bad_time);
  EXPECT_EQ(bybit_verdict("T", in_quotes("1739502302929.5")), RejectReason::bad_time);
}

TEST(BybitFrames, RejectsNonPositiveAndAbsurdValues) {
  EXPECT_EQ(bybit_verdict("p", in_quotes("0")), RejectReason::bad_price);
  EXPECT_EQ(bybit_verdict("p", in_quotes("-0.04")), RejectReason::bad_price);
  EXPECT_EQ(bybit_verdict("v", in_quotes("0")), RejectReason::bad_volume);
  EXPECT_EQ(bybit_verdict("v", in_quotes("-20000")), RejectReason::bad_volume);
  EXPECT_EQ(bybit_verdict("p", in_quotes("20000000")), RejectReason::price_too_high);
  // Each number is fine on its own; their product is not.
  EXPECT_EQ(bybit_verdict("v", in_quotes("1e300")), RejectReason::volume_too_high);
  EXPECT_EQ(bybit_verdict("v", in_quotes("1e308")), RejectReason::volume_too_high);
  EXPECT_EQ(bybit_verdict("T", "0"), RejectReason::bad_time);
  EXPECT_EQ(bybit_verdict("T", "4102444800000"), RejectReason::bad_time);
}

TEST(BybitFrames, RejectsWrongTypesMissingFieldsAndBadNames) {
  EXPECT_EQ(bybit_verdict("S", "1"), RejectReason::wrong_type);
  EXPECT_EQ(bybit_verdict("S", in_quotes("buy")), RejectReason::bad_side);  // Bybit spells Buy
  EXPECT_EQ(bybit_verdict("p", "[1]"), RejectReason::wrong_type);
  EXPECT_EQ(bybit_verdict("s", "7"), RejectReason::wrong_type);
  EXPECT_EQ(bybit_verdict("s", in_quotes("<b>X</b>")), RejectReason::bad_symbol);
  EXPECT_EQ(bybit_verdict("s", ""), RejectReason::missing_field);
  EXPECT_EQ(bybit_verdict("s", "null"), RejectReason::missing_field);
  EXPECT_EQ(bybit_verdict("S", ""), RejectReason::missing_field);
  EXPECT_EQ(bybit_verdict("v", ""), RejectReason::missing_field);
  EXPECT_EQ(bybit_verdict("p", ""), RejectReason::missing_field);
  EXPECT_EQ(bybit_verdict("T", ""), RejectReason::missing_field);
}

TEST(BybitFrames, ChecksTimesAgainstTheReceiveTime) {
  const std::string frame = bybit_liquidations({object_of(bybit_liquidation_row())});
  EXPECT_EQ(row_verdict(frame, bybit_time + 1000), std::nullopt);
  EXPECT_EQ(row_verdict(frame, bybit_time + 25 * frames::hour_ms), RejectReason::bad_time);
}

TEST(BybitFrames, RejectsFramesOfOtherTopicsOrShapes) {
  FrameParser parser;
  const ParsedFrame& orderbook = parser.parse(
      R"({"topic":"orderbook.50.BTCUSDT","type":"snapshot","ts":1,"data":{"s":"BTCUSDT"}})");
  EXPECT_EQ(orderbook.kind, FrameKind::rejected);
  EXPECT_EQ(orderbook.reject_reason, RejectReason::unknown_channel);
  EXPECT_EQ(orderbook.channel, "orderbook.50.BTCUSDT");
  EXPECT_EQ(orderbook.source, Source::bybit);  // for the log line: whose frame it was
  EXPECT_EQ(frames::frame_reject(R"({"topic":"allLiquidation.BTCUSDT","data":{"s":"X"}})"),
            RejectReason::bad_data);
  EXPECT_EQ(frames::frame_reject(R"({"topic":"allLiquidation.BTCUSDT","ts":1})"),
            RejectReason::missing_data);
  EXPECT_EQ(frames::frame_reject(R"({"topic":7,"data":[]})"), RejectReason::missing_channel);
}

TEST(BybitFrames, ReadsDataThatComesBeforeTheTopic) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(R"({"data":[)" + object_of(bybit_liquidation_row()) +
                                      R"(],"topic":"allLiquidation.ROSEUSDT"})");
  ASSERT_EQ(f.kind, FrameKind::market);
  ASSERT_EQ(f.events.size(), 1u);
  EXPECT_EQ(f.events[0].symbol, "ROSEUSDT");
}

TEST(BybitFrames, CountsElementsThatAreNoObjects) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(bybit_liquidations({"1", R"("x")", "[]"}));
  EXPECT_EQ(f.kind, FrameKind::market);
  EXPECT_TRUE(f.events.empty());
  EXPECT_EQ(frames::rejected_for(parser, RejectReason::bad_event), 3);
}

// -------------------------------------------------------------------------------- Binance

TEST(BinanceFrames, ParsesTheDocsForceOrderExample) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(binance_combined("!forceOrder@arr", binance_force_order()));
  ASSERT_EQ(f.kind, FrameKind::market);
  EXPECT_EQ(f.source, Source::binance);
  EXPECT_EQ(f.channel, "!forceOrder@arr");
  ASSERT_EQ(f.events.size(), 1u);
  const MarketEvent& e = f.events[0];
  EXPECT_EQ(e.kind, EventKind::liquidation);
  EXPECT_EQ(e.side, Side::sell);  // a forced SELL: a long was liquidated
  EXPECT_DOUBLE_EQ(e.price, 9910);
  EXPECT_DOUBLE_EQ(e.volume_usd, 0.014 * 9910);
  EXPECT_EQ(e.exchange_time, binance_time);
  EXPECT_EQ(e.symbol, "BTCUSDT");
  EXPECT_EQ(e.base_asset, "BTC");
  EXPECT_EQ(e.exchange, "Binance");
  EXPECT_EQ(e.source, Source::binance);
}

TEST(BinanceFrames, ForcedBuyMeansAShortWasLiquidated) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(binance_combined(
      "btcusdt@forceOrder", binance_force_order(changed(binance_order(), "S", in_quotes("BUY")))));
  ASSERT_EQ(f.events.size(), 1u);
  EXPECT_EQ(f.events[0].side, Side::buy);
}

// What was liquidated is what was filled (z) at the average fill price (ap), not the order's
// quantity (q) at its limit (p).
TEST(BinanceFrames, LiquidationVolumeIsFilledQuantityAtAveragePrice) {
  Fields order = binance_order();
  order = changed(order, "q", in_quotes("2"));
  order = changed(order, "p", in_quotes("95000"));
  order = changed(order, "ap", in_quotes("95210.5"));
  order = changed(order, "X", in_quotes("PARTIALLY_FILLED"));
  order = changed(order, "z", in_quotes("1.5"));
  FrameParser parser;
  const ParsedFrame& f =
      parser.parse(binance_combined("!forceOrder@arr", binance_force_order(order)));
  ASSERT_EQ(f.events.size(), 1u);
  EXPECT_DOUBLE_EQ(f.events[0].price, 95210.5);
  EXPECT_DOUBLE_EQ(f.events[0].volume_usd, 1.5 * 95210.5);
}

TEST(BinanceFrames, AggTradeMakerFlagGivesTheTakersSide) {
  FrameParser parser;
  const std::string taker_sold = object_of(binance_agg_trade());
  const ParsedFrame& sold = parser.parse(binance_combined("btcusdt@aggTrade", taker_sold));
  ASSERT_EQ(sold.events.size(), 1u);
  EXPECT_EQ(sold.events[0].kind, EventKind::trade);
  EXPECT_EQ(sold.events[0].side, Side::sell);  // m: the buyer was the maker
  EXPECT_DOUBLE_EQ(sold.events[0].price, 56738.5);
  EXPECT_DOUBLE_EQ(sold.events[0].volume_usd, 0.25 * 56738.5);
  EXPECT_EQ(sold.events[0].exchange_time, 1725416318379);

  const std::string taker_bought = object_of(changed(binance_agg_trade(), "m", "false"));
  const ParsedFrame& bought = parser.parse(binance_combined("btcusdt@aggTrade", taker_bought));
  ASSERT_EQ(bought.events.size(), 1u);
  EXPECT_EQ(bought.events[0].side, Side::buy);
  EXPECT_EQ(parser.stats().trades, 2u);
}

TEST(BinanceFrames, AcceptsUnwrappedPayloads) {
  FrameParser parser;
  const ParsedFrame& liquidation = parser.parse(binance_force_order());
  ASSERT_EQ(liquidation.kind, FrameKind::market);
  EXPECT_EQ(liquidation.channel, "forceOrder");
  ASSERT_EQ(liquidation.events.size(), 1u);
  EXPECT_EQ(liquidation.events[0].kind, EventKind::liquidation);
  EXPECT_EQ(liquidation.events[0].source, Source::binance);
  EXPECT_DOUBLE_EQ(liquidation.events[0].volume_usd, 0.014 * 9910);

  const ParsedFrame& trade = parser.parse(object_of(binance_agg_trade()));
  ASSERT_EQ(trade.kind, FrameKind::market);
  ASSERT_EQ(trade.events.size(), 1u);
  EXPECT_EQ(trade.events[0].kind, EventKind::trade);
  EXPECT_EQ(trade.events[0].side, Side::sell);
  EXPECT_EQ(parser.stats().events_by_source[static_cast<int>(Source::binance)], 2u);
}

TEST(BinanceFrames, AcceptsDataAsAnArray) {
  FrameParser parser;
  const std::string data =
      std::string("[")
          .append(joined({binance_force_order(),
                          binance_force_order(changed(binance_order(), "S", in_quotes("BUY"))),
                          binance_force_order(changed(binance_order(), "z", in_quotes("0")))}))
          .append("]");
  const ParsedFrame& f = parser.parse(binance_combined("!forceOrder@arr", data));
  ASSERT_EQ(f.kind, FrameKind::market);
  ASSERT_EQ(f.events.size(), 2u);
  EXPECT_EQ(f.events[0].side, Side::sell);
  EXPECT_EQ(f.events[1].side, Side::buy);
  EXPECT_EQ(f.rejected_events, 1u);
  EXPECT_EQ(only_reject(parser), RejectReason::bad_volume);
}

TEST(BinanceFrames, RejectsBadForceOrders) {
  EXPECT_EQ(binance_order_verdict("S", in_quotes("LONG")), RejectReason::bad_side);
  EXPECT_EQ(binance_order_verdict("S", in_quotes("sell")), RejectReason::bad_side);
  EXPECT_EQ(binance_order_verdict("ap", ""), RejectReason::missing_field);
  EXPECT_EQ(binance_order_verdict("ap", in_quotes("abc")), RejectReason::bad_price);
  EXPECT_EQ(binance_order_verdict("ap", in_quotes("-9910")), RejectReason::bad_price);
  EXPECT_EQ(binance_order_verdict("z", ""), RejectReason::missing_field);
  EXPECT_EQ(binance_order_verdict("z", in_quotes("0")), RejectReason::bad_volume);
  EXPECT_EQ(binance_order_verdict("z", in_quotes("NaN")), RejectReason::bad_volume);
  EXPECT_EQ(binance_order_verdict("z", in_quotes("1e10")), RejectReason::volume_too_high);
  EXPECT_EQ(binance_order_verdict("T", in_quotes("x")), RejectReason::bad_time);
  EXPECT_EQ(binance_order_verdict("s", in_quotes("BTC\\tUSDT")), RejectReason::bad_symbol);
  // The order's own limit price and quantity do not stand in for the fills.
  EXPECT_EQ(binance_order_verdict("p", in_quotes("abc")), std::nullopt);
  EXPECT_EQ(row_verdict(binance_combined("!forceOrder@arr", R"({"e":"forceOrder","E":1,"o":7})")),
            RejectReason::wrong_type);
  EXPECT_EQ(row_verdict(binance_combined("!forceOrder@arr", R"({"e":"forceOrder","E":1})")),
            RejectReason::missing_field);
}

TEST(BinanceFrames, RejectsBadAggTrades) {
  EXPECT_EQ(binance_trade_verdict("m", in_quotes("true")), RejectReason::wrong_type);
  EXPECT_EQ(binance_trade_verdict("m", ""), RejectReason::missing_field);
  EXPECT_EQ(binance_trade_verdict("q", in_quotes("-1")), RejectReason::bad_volume);
  EXPECT_EQ(binance_trade_verdict("p", in_quotes("1e8")), RejectReason::price_too_high);
  EXPECT_EQ(binance_trade_verdict("T", "-5"), RejectReason::bad_time);
  EXPECT_EQ(binance_trade_verdict("s", ""), RejectReason::missing_field);
}

TEST(BinanceFrames, RejectsAnEventOfAnotherStream) {
  // An aggTrade stream carrying a forceOrder event: the stream and the event disagree.
  EXPECT_EQ(row_verdict(binance_combined("btcusdt@aggTrade", binance_force_order())),
            RejectReason::bad_event);
  EXPECT_EQ(frames::frame_reject(binance_combined("btcusdt@depth20", R"({"e":"depthUpdate"})")),
            RejectReason::unknown_channel);
  EXPECT_EQ(frames::frame_reject(R"({"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"1"})"),
            RejectReason::unknown_channel);
  EXPECT_EQ(frames::frame_reject(binance_combined("!forceOrder@arr", R"("x")")),
            RejectReason::bad_data);
  EXPECT_EQ(frames::frame_reject(R"({"stream":"!forceOrder@arr"})"), RejectReason::missing_data);
}

TEST(BinanceFrames, CountsABadUnwrappedEventOnceAndWalksTheRest) {
  FrameParser parser;
  const ParsedFrame& f =
      parser.parse(binance_force_order(changed(binance_order(), "ap", in_quotes("0"))));
  EXPECT_EQ(f.kind, FrameKind::market);
  EXPECT_TRUE(f.events.empty());
  EXPECT_EQ(f.rejected_events, 1u);
  EXPECT_EQ(only_reject(parser), RejectReason::bad_price);

  // A bad member early does not hide a broken document later.
  std::string broken = binance_force_order(changed(binance_order(), "ap", in_quotes("0")));
  broken.insert(broken.size() - 1, R"(,"x" 1)");
  EXPECT_EQ(frames::frame_reject(broken), RejectReason::invalid_json);
  EXPECT_EQ(frames::frame_reject(binance_force_order() + "x"), RejectReason::invalid_json);
  EXPECT_EQ(frames::frame_reject(R"({"e":5,"s":"BTCUSDT"})"), RejectReason::missing_channel);
}

// ------------------------------------------------------------------------------------ OKX

TEST(OkxFrames, RejectsATradeWhoseContractValueIsUnknown) {
  FrameParser parser;  // no instruments list yet
  const ParsedFrame& f = parser.parse(okx_trades({object_of(okx_trade_row())}));
  EXPECT_EQ(f.kind, FrameKind::market);
  EXPECT_TRUE(f.events.empty());
  EXPECT_EQ(f.rejected_events, 1u);
  EXPECT_EQ(only_reject(parser), RejectReason::unknown_contract);
}

TEST(OkxFrames, SizesALinearSwapTradeByItsContractValue) {
  FrameParser parser;
  ASSERT_EQ(parser.set_contract("BTC-USDT-SWAP", {0.01, false}), ContractTable::Update::added);
  const ParsedFrame& f = parser.parse(okx_trades({object_of(okx_trade_row())}));
  ASSERT_EQ(f.kind, FrameKind::market);
  EXPECT_EQ(f.source, Source::okx);
  EXPECT_EQ(f.channel, "trades");
  ASSERT_EQ(f.events.size(), 1u);
  const MarketEvent& e = f.events[0];
  EXPECT_EQ(e.kind, EventKind::trade);
  EXPECT_EQ(e.side, Side::buy);
  EXPECT_DOUBLE_EQ(e.price, 42219.9);
  EXPECT_DOUBLE_EQ(e.volume_usd, 12 * 0.01 * 42219.9);  // 12 contracts of 0.01 BTC
  EXPECT_EQ(e.exchange_time, 1630048897897);
  EXPECT_EQ(e.symbol, "BTCUSDT");
  EXPECT_EQ(e.base_asset, "BTC");
  EXPECT_EQ(e.exchange, "OKX");
  EXPECT_EQ(e.source, Source::okx);
}

TEST(OkxFrames, SizesAnInverseSwapTradeInUsd) {
  FrameParser parser;
  parser.set_contract("BTC-USD-SWAP", {100, true});
  const ParsedFrame& f = parser.parse(
      okx_trades({object_of(changed(okx_trade_row("BTC-USD-SWAP"), "side", in_quotes("sell")))},
                 "BTC-USD-SWAP"));
  ASSERT_EQ(f.events.size(), 1u);
  EXPECT_EQ(f.events[0].side, Side::sell);
  EXPECT_DOUBLE_EQ(f.events[0].volume_usd, 12 * 100.0);  // 12 contracts of $100
  EXPECT_EQ(f.events[0].symbol, "BTCUSD");
  EXPECT_EQ(f.events[0].base_asset, "BTC");
}

TEST(OkxFrames, ParsesTheDocsLiquidationExample) {
  FrameParser parser;
  parser.set_contract("IOST-USDT-SWAP", {1000, false});
  const ParsedFrame& f = parser.parse(okx_liquidations({okx_entry({object_of(okx_detail())})}));
  ASSERT_EQ(f.kind, FrameKind::market);
  EXPECT_EQ(f.channel, "liquidation-orders");
  ASSERT_EQ(f.events.size(), 1u);
  const MarketEvent& e = f.events[0];
  EXPECT_EQ(e.kind, EventKind::liquidation);
  EXPECT_EQ(e.side, Side::buy);  // posSide short, side buy: a short was liquidated
  EXPECT_DOUBLE_EQ(e.price, 0.007831);
  EXPECT_DOUBLE_EQ(e.volume_usd, 13 * 1000.0 * 0.007831);
  EXPECT_EQ(e.exchange_time, 1692266434010);
  EXPECT_EQ(e.symbol, "IOSTUSDT");
  EXPECT_EQ(e.base_asset, "IOST");
  EXPECT_EQ(e.exchange, "OKX");
  EXPECT_EQ(e.source, Source::okx);
  EXPECT_EQ(parser.stats().liquidations, 1u);
}

// `side` is the liquidation order's side; `posSide` the position's in long/short mode, "net" in
// net mode.
TEST(OkxFrames, LiquidationSideFollowsTheOrderSide) {
  const auto side_of = [](const Fields& detail) -> std::optional<Side> {
    FrameParser parser;
    parser.set_contract("IOST-USDT-SWAP", {1000, false});
    const ParsedFrame& f = parser.parse(okx_liquidations({okx_entry({object_of(detail)})}));
    if (f.events.size() != 1) return std::nullopt;
    return f.events[0].side;
  };
  const Fields long_sold =
      changed(changed(okx_detail(), "posSide", in_quotes("long")), "side", in_quotes("sell"));
  EXPECT_EQ(side_of(long_sold), Side::sell);
  EXPECT_EQ(side_of(changed(long_sold, "posSide", in_quotes("net"))), Side::sell);
  EXPECT_EQ(side_of(changed(okx_detail(), "posSide", in_quotes("net"))), Side::buy);
  EXPECT_EQ(side_of(changed(long_sold, "side", "")), Side::sell);  // long/short mode alone
  EXPECT_EQ(side_of(changed(okx_detail(), "side", "")), Side::buy);
  EXPECT_EQ(side_of(changed(long_sold, "posSide", "")), Side::sell);  // the order side alone
}

TEST(OkxFrames, RejectsBadLiquidationDetails) {
  EXPECT_EQ(okx_detail_verdict("posSide", in_quotes("long")), RejectReason::bad_side);  // long+buy
  EXPECT_EQ(okx_detail_verdict("side", in_quotes("short")), RejectReason::bad_side);
  EXPECT_EQ(okx_detail_verdict("posSide", in_quotes("both")), RejectReason::bad_side);
  EXPECT_EQ(row_verdict(okx_liquidations({okx_entry({object_of(
                changed(changed(okx_detail(), "posSide", in_quotes("net")), "side", ""))})})),
            RejectReason::missing_field);  // net mode without the order side: unknown
  EXPECT_EQ(okx_detail_verdict("bkPx", in_quotes("")), RejectReason::bad_price);
  EXPECT_EQ(okx_detail_verdict("bkPx", in_quotes("0")), RejectReason::bad_price);
  EXPECT_EQ(okx_detail_verdict("sz", in_quotes("-13")), RejectReason::bad_volume);
  EXPECT_EQ(okx_detail_verdict("sz", in_quotes("thirteen")), RejectReason::bad_volume);
  EXPECT_EQ(okx_detail_verdict("sz", in_quotes("1e300")), RejectReason::volume_too_high);
  EXPECT_EQ(okx_detail_verdict("ts", in_quotes("1692266434010x")), RejectReason::bad_time);
  EXPECT_EQ(okx_detail_verdict("ts", in_quotes("99")), RejectReason::bad_time);
  EXPECT_EQ(okx_detail_verdict("ts", "1692266434010"), std::nullopt);  // a plain number too
  EXPECT_EQ(okx_detail_verdict("sz", ""), RejectReason::missing_field);
  EXPECT_EQ(okx_detail_verdict("side", "1"), RejectReason::wrong_type);
}

TEST(OkxFrames, CountsEachDetailOfAnEntryItCannotSize) {
  FrameParser parser;
  parser.set_contract("IOST-USDT-SWAP", {1000, false});
  const std::string detail = object_of(okx_detail());
  const ParsedFrame& f = parser.parse(okx_liquidations(
      {okx_entry({detail, detail}, "DOGE-USDT-SWAP"), okx_entry({detail, detail, detail})}));
  ASSERT_EQ(f.kind, FrameKind::market);
  EXPECT_EQ(f.events.size(), 3u);
  EXPECT_EQ(f.rejected_events, 2u);
  EXPECT_EQ(frames::rejected_for(parser, RejectReason::unknown_contract), 2);
  for (const MarketEvent& e : f.events) EXPECT_EQ(e.symbol, "IOSTUSDT");
}

TEST(OkxFrames, RejectsAnEntryWithoutItsInstrument) {
  FrameParser parser;
  parser.set_contract("IOST-USDT-SWAP", {1000, false});
  const std::string detail = object_of(okx_detail());
  const std::string no_instrument = R"({"details":[)" + detail + "," + detail + "]}";
  const std::string bad_instrument = R"({"details":[)" + detail + R"(],"instId":"IOST USDT SWAP"})";
  const std::string no_details = R"({"instId":"IOST-USDT-SWAP"})";
  const std::string details_no_array = R"({"instId":"IOST-USDT-SWAP","details":{"sz":"1"}})";
  const ParsedFrame& f = parser.parse(okx_liquidations(
      {no_instrument, bad_instrument, no_details, details_no_array, okx_entry({detail})}));
  ASSERT_EQ(f.kind, FrameKind::market);
  EXPECT_EQ(f.events.size(), 1u);
  EXPECT_EQ(frames::rejected_for(parser, RejectReason::missing_field), 3);  // 2 details + 1 entry
  EXPECT_EQ(frames::rejected_for(parser, RejectReason::bad_symbol), 1);
  EXPECT_EQ(frames::rejected_for(parser, RejectReason::wrong_type), 1);
  EXPECT_EQ(f.rejected_events, 5u);
}

TEST(OkxFrames, ReadsAnEntryWhoseInstrumentComesFirst) {
  FrameParser parser;
  parser.set_contract("BTC-USDT-SWAP", {0.01, false});
  Fields detail = changed(okx_detail(), "bkPx", in_quotes("95000"));
  detail = changed(changed(detail, "posSide", in_quotes("long")), "side", in_quotes("sell"));
  const std::string entry =
      R"({"instId":"BTC-USDT-SWAP","instType":"SWAP","details":[)" + object_of(detail) + "]}";
  const ParsedFrame& f = parser.parse(okx_liquidations({entry}));
  ASSERT_EQ(f.events.size(), 1u);
  EXPECT_EQ(f.events[0].side, Side::sell);  // a long liquidated
  EXPECT_DOUBLE_EQ(f.events[0].volume_usd, 13 * 0.01 * 95000);
  EXPECT_EQ(f.events[0].symbol, "BTCUSDT");
}

TEST(OkxFrames, RejectsBadTrades) {
  EXPECT_EQ(okx_trade_verdict("px", in_quotes("abc")), RejectReason::bad_price);
  EXPECT_EQ(okx_trade_verdict("px", in_quotes("-1")), RejectReason::bad_price);
  EXPECT_EQ(okx_trade_verdict("sz", in_quotes("0")), RejectReason::bad_volume);
  EXPECT_EQ(okx_trade_verdict("side", in_quotes("long")), RejectReason::bad_side);
  EXPECT_EQ(okx_trade_verdict("ts", in_quotes("")), RejectReason::bad_time);
  EXPECT_EQ(okx_trade_verdict("instId", ""), RejectReason::missing_field);
  EXPECT_EQ(okx_trade_verdict("instId", in_quotes("BTC-USDT")), RejectReason::unknown_contract);
  EXPECT_EQ(okx_trade_verdict("instId", "12"), RejectReason::wrong_type);
  EXPECT_EQ(okx_trade_verdict("px", "42219.9"), std::nullopt);
}

TEST(OkxFrames, RejectsOtherChannelsAndShapes) {
  FrameParser parser;
  const ParsedFrame& f =
      parser.parse(R"({"arg":{"channel":"books5","instId":"BTC-USDT"},"data":[]})");
  EXPECT_EQ(f.kind, FrameKind::rejected);
  EXPECT_EQ(f.reject_reason, RejectReason::unknown_channel);
  EXPECT_EQ(f.channel, "books5");
  EXPECT_EQ(frames::frame_reject(R"({"arg":{"channel":"trades"},"data":{"px":"1"}})"),
            RejectReason::bad_data);
  EXPECT_EQ(frames::frame_reject(R"({"arg":{"channel":"trades"}})"), RejectReason::missing_data);
  EXPECT_EQ(frames::frame_reject(R"({"arg":"trades","data":[]})"), RejectReason::missing_channel);
  EXPECT_EQ(frames::frame_reject(R"({"arg":{"instId":"BTC-USDT-SWAP"},"data":[]})"),
            RejectReason::missing_channel);
}

// ------------------------------------------------------------------------- all venues

TEST(VenueFrames, OneParserTakesEveryFeedInTurn) {
  FrameParser parser;
  parser.set_contract("BTC-USDT-SWAP", {0.01, false});
  EXPECT_EQ(parser.parse(frames::liquidations({frames::good_element})).events.at(0).source,
            Source::coinglass);
  EXPECT_EQ(
      parser.parse(bybit_liquidations({object_of(bybit_liquidation_row())})).events.at(0).source,
      Source::bybit);
  EXPECT_EQ(
      parser.parse(binance_combined("!forceOrder@arr", binance_force_order())).events.at(0).source,
      Source::binance);
  EXPECT_EQ(parser.parse(okx_trades({object_of(okx_trade_row())})).events.at(0).source,
            Source::okx);
  const ParseStats& s = parser.stats();
  EXPECT_EQ(s.frames, 4u);
  EXPECT_EQ(s.events, 4u);
  EXPECT_EQ(s.liquidations, 3u);
  EXPECT_EQ(s.trades, 1u);
  for (int i = 0; i < source_count; ++i) EXPECT_EQ(s.events_by_source[i], 1u) << i;
  EXPECT_EQ(s.rejected(), 0u);
}

TEST(VenueFrames, TruncatedOrBrokenVenueFramesAreInvalidJson) {
  const std::vector<std::string> good = {bybit_liquidations({object_of(bybit_liquidation_row())}),
                                         binance_combined("!forceOrder@arr", binance_force_order()),
                                         binance_force_order(),
                                         okx_liquidations({okx_entry({object_of(okx_detail())})}),
                                         okx_trades({object_of(okx_trade_row())})};
  for (const std::string& frame : good) {
    for (std::size_t cut : {std::size_t{1}, std::size_t{2}, frame.size() / 2}) {
      EXPECT_EQ(frames::frame_reject(frame.substr(0, frame.size() - cut)),
                RejectReason::invalid_json)
          << frame.substr(0, frame.size() - cut);
    }
    EXPECT_EQ(frames::frame_reject(frame + "}"), RejectReason::invalid_json) << frame;
  }
}

// Every venue row is read by one table of fields (field_readers.hpp): these pin down how it
// treats repeated, null and unknown keys, whatever the venue.

Fields appended(Fields fields, std::string key, std::string value) {
  fields.emplace_back(std::move(key), std::move(value));
  return fields;
}

TEST(VenueRows, ARepeatedKeyKeepsItsFirstValue) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(
      bybit_liquidations({object_of(appended(bybit_liquidation_row(), "p", in_quotes("1")))}));
  ASSERT_EQ(f.events.size(), 1u);
  EXPECT_DOUBLE_EQ(f.events[0].price, 0.04499);
  // A later bad copy is not read at all.
  EXPECT_EQ(row_verdict(bybit_liquidations(
                {object_of(appended(bybit_liquidation_row(), "p", in_quotes("abc")))})),
            std::nullopt);
  EXPECT_EQ(row_verdict(okx_trades({object_of(appended(okx_trade_row(), "px", "[1]"))})),
            std::nullopt);
  EXPECT_EQ(
      row_verdict(binance_combined(
          "!forceOrder@arr", binance_force_order(appended(binance_order(), "ap", in_quotes("x"))))),
      std::nullopt);
}

TEST(VenueRows, ANullIsAnAbsentFieldThatALaterCopyMayFill) {
  const Fields null_price = changed(okx_trade_row(), "px", "null");
  EXPECT_EQ(row_verdict(okx_trades({object_of(null_price)})), RejectReason::missing_field);
  EXPECT_EQ(row_verdict(okx_trades({object_of(appended(null_price, "px", in_quotes("42219.9")))})),
            std::nullopt);
  const Fields null_time = changed(bybit_liquidation_row(), "T", "null");
  EXPECT_EQ(row_verdict(bybit_liquidations(
                {object_of(appended(null_time, "T", std::to_string(bybit_time)))})),
            std::nullopt);
}

TEST(VenueRows, TheFirstBadFieldIsTheRowsVerdict) {
  // Bybit's row sends v before p; OKX's trade px before sz.
  const Fields bybit = changed(changed(bybit_liquidation_row(), "v", in_quotes("x")), "p", "[]");
  EXPECT_EQ(row_verdict(bybit_liquidations({object_of(bybit)})), RejectReason::bad_volume);
  const Fields okx = changed(changed(okx_trade_row(), "px", "true"), "sz", in_quotes("x"));
  EXPECT_EQ(row_verdict(okx_trades({object_of(okx)})), RejectReason::wrong_type);
}

TEST(VenueRows, KeysThatOnlyBeginLikeAFieldAreSkipped) {
  // One-letter keys are matched by their length too: "pp" is not "p", "a" is not "ap".
  Fields bybit = bybit_liquidation_row();
  for (const char* key : {"pp", "TT", "ss", "S ", "vv"}) bybit = appended(bybit, key, "[]");
  EXPECT_EQ(row_verdict(bybit_liquidations({object_of(bybit)})), std::nullopt);
  Fields order = binance_order();
  for (const char* key : {"a", "apx", "zz", "T2"}) order = appended(order, key, in_quotes("x"));
  EXPECT_EQ(row_verdict(binance_combined("!forceOrder@arr", binance_force_order(order))),
            std::nullopt);
  Fields okx = okx_trade_row();
  for (const char* key : {"pxx", "instIdx", "s", "t"}) okx = appended(okx, key, "{}");
  EXPECT_EQ(row_verdict(okx_trades({object_of(okx)})), std::nullopt);
}

// The caller's buffer may hold anything after the frame; the verdict must not depend on it.
TEST(VenueFrames, ParsesInPlaceAsFromACopy) {
  const std::string frame = okx_liquidations({okx_entry({object_of(okx_detail())})});
  for (const char after : {'}', '"', ']', '\0'}) {
    FrameParser parser;
    parser.set_contract("IOST-USDT-SWAP", {1000, false});
    std::string buffer = frame + std::string(64, after);
    const ParsedFrame& f =
        parser.parse(std::string_view(buffer.data(), frame.size()), 0, buffer.size());
    ASSERT_EQ(f.events.size(), 1u) << after;
    EXPECT_DOUBLE_EQ(f.events[0].volume_usd, 13 * 1000.0 * 0.007831);
  }
}

}  // namespace
}  // namespace teleglas
