#include "teleglas/sim/venue_frames.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <vector>

namespace teleglas {
namespace {

namespace json = boost::json;

VenueEvent liquidation(std::string symbol, Side side, double price, double volume_usd,
                       TimeMs time = 1'725'416'318'379) {
  return {EventKind::liquidation, std::move(symbol), side, price, volume_usd, time};
}

VenueEvent trade(std::string symbol, Side side, double price, double volume_usd,
                 TimeMs time = 1'725'416'318'379) {
  return {EventKind::trade, std::move(symbol), side, price, volume_usd, time};
}

json::object parse(const std::string& frame) {
  json::value v = json::parse(frame);
  return v.as_object();
}

std::vector<std::string> keys(const json::object& o) {
  std::vector<std::string> out;
  for (const auto& member : o) out.emplace_back(member.key());
  return out;
}

double number_text(const json::value& v) {
  return std::stod(std::string(v.as_string()));
}

using Keys = std::vector<std::string>;

TEST(VenueFrames, BybitWritesALiquidatedLongAsBuyWithTheDocumentedFields) {
  VenueFrameBuilder builder;
  const VenueEvent e = liquidation("BTCUSDT", Side::sell, 50'000, 25'000);
  const json::object frame = parse(builder.bybit(std::span(&e, 1)));
  EXPECT_EQ(keys(frame), (Keys{"topic", "type", "ts", "data"}));
  EXPECT_EQ(frame.at("topic"), "allLiquidation.BTCUSDT");
  EXPECT_EQ(frame.at("type"), "snapshot");
  EXPECT_EQ(frame.at("ts").as_int64(), e.time);
  const json::object& d = frame.at("data").as_array().at(0).as_object();
  EXPECT_EQ(keys(d), (Keys{"T", "s", "S", "v", "p"}));
  EXPECT_EQ(d.at("S"), "Buy") << "Bybit: a Buy update means a long position was liquidated";
  EXPECT_EQ(d.at("s"), "BTCUSDT");
  EXPECT_EQ(d.at("v"), "0.5") << "size in BTC: $25,000 at $50,000";
  EXPECT_EQ(d.at("p"), "50000");
  EXPECT_EQ(d.at("T").as_int64(), e.time);
}

TEST(VenueFrames, BybitWritesALiquidatedShortAsSell) {
  VenueFrameBuilder builder;
  const VenueEvent e = liquidation("ETHUSDT", Side::buy, 2500.5, 5001);
  const json::object frame = parse(builder.bybit(std::span(&e, 1)));
  EXPECT_EQ(frame.at("topic"), "allLiquidation.ETHUSDT");
  EXPECT_EQ(frame.at("data").at(0).at("S"), "Sell");
  EXPECT_EQ(frame.at("data").at(0).at("v"), "2");
}

TEST(VenueFrames, BybitTradesCarryTheTakerSideTickDirectionAndIncreasingIds) {
  VenueFrameBuilder builder;
  const std::vector<VenueEvent> trades = {
      trade("BTCUSDT", Side::buy, 100, 1000, 1), trade("BTCUSDT", Side::sell, 99, 990, 2),
      trade("BTCUSDT", Side::buy, 99, 99, 3), trade("BTCUSDT", Side::buy, 101, 101, 4)};
  const json::object frame = parse(builder.bybit(trades));
  EXPECT_EQ(frame.at("topic"), "publicTrade.BTCUSDT");
  EXPECT_EQ(frame.at("ts").as_int64(), 4) << "the latest event";
  const json::array& data = frame.at("data").as_array();
  ASSERT_EQ(data.size(), 4u);
  EXPECT_EQ(keys(data[0].as_object()),
            (Keys{"T", "s", "S", "v", "p", "L", "i", "BT", "RPI", "seq"}));
  EXPECT_EQ(data[0].at("S"), "Buy");
  EXPECT_EQ(data[1].at("S"), "Sell");
  EXPECT_EQ(data[1].at("v"), "10");
  EXPECT_EQ(data[0].at("L"), "ZeroPlusTick") << "no earlier trade";
  EXPECT_EQ(data[1].at("L"), "MinusTick");
  EXPECT_EQ(data[2].at("L"), "ZeroPlusTick");
  EXPECT_EQ(data[3].at("L"), "PlusTick");
  EXPECT_EQ(data[0].at("BT"), false);
  EXPECT_LT(data[0].at("seq").as_int64(), data[1].at("seq").as_int64());
  EXPECT_NE(data[0].at("i"), data[1].at("i"));
}

TEST(VenueFrames, BinanceForceOrderIsTheForcedSellOfALiquidatedLong) {
  VenueFrameBuilder builder;
  const json::object frame =
      parse(builder.binance(liquidation("BTCUSDT", Side::sell, 9910, 138.74, 1568014460893)));
  EXPECT_EQ(keys(frame), (Keys{"stream", "data"}));
  EXPECT_EQ(frame.at("stream"), "!forceOrder@arr");
  const json::object& data = frame.at("data").as_object();
  EXPECT_EQ(keys(data), (Keys{"e", "E", "o"}));
  EXPECT_EQ(data.at("e"), "forceOrder");
  EXPECT_EQ(data.at("E").as_int64(), 1568014460893);
  const json::object& o = data.at("o").as_object();
  EXPECT_EQ(keys(o), (Keys{"s", "S", "o", "f", "q", "p", "ap", "X", "l", "z", "T"}));
  EXPECT_EQ(o.at("S"), "SELL");
  EXPECT_EQ(o.at("q"), "0.014");
  EXPECT_EQ(o.at("l"), "0.014");
  EXPECT_EQ(o.at("z"), "0.014");
  EXPECT_EQ(o.at("p"), "9910");
  EXPECT_EQ(o.at("ap"), "9910");
  EXPECT_EQ(o.at("X"), "FILLED");
  EXPECT_EQ(o.at("T").as_int64(), 1568014460893);

  const json::object shorts = parse(builder.binance(liquidation("BTCUSDT", Side::buy, 9910, 99.1)));
  EXPECT_EQ(shorts.at("data").at("o").at("S"), "BUY");
}

TEST(VenueFrames, BinanceAggTradeMarksATakerSellAsBuyerMaker) {
  VenueFrameBuilder builder;
  const json::object sell = parse(builder.binance(trade("ETHUSDT", Side::sell, 2000, 4000, 7)));
  EXPECT_EQ(sell.at("stream"), "ethusdt@aggTrade") << "stream names carry the symbol lowercase";
  const json::object& data = sell.at("data").as_object();
  EXPECT_EQ(keys(data), (Keys{"e", "E", "s", "a", "p", "q", "f", "l", "T", "m"}));
  EXPECT_EQ(data.at("e"), "aggTrade");
  EXPECT_EQ(data.at("s"), "ETHUSDT");
  EXPECT_EQ(data.at("q"), "2");
  EXPECT_EQ(data.at("m"), true);
  const json::object buy = parse(builder.binance(trade("ETHUSDT", Side::buy, 2000, 4000, 8)));
  EXPECT_EQ(buy.at("data").at("m"), false);
  EXPECT_GT(buy.at("data").at("a").as_int64(), data.at("a").as_int64());
}

TEST(VenueFrames, OkxLiquidationsAreInContractsGroupedPerInstrument) {
  VenueFrameBuilder builder;  // BTC-USDT-SWAP: 0.01 BTC per contract
  const std::vector<VenueEvent> events = {liquidation("BTCUSDT", Side::sell, 80'000, 68'400, 5),
                                          liquidation("ETHUSDT", Side::buy, 2000, 1000, 6),
                                          liquidation("BTCUSDT", Side::buy, 80'100, 8010, 7)};
  const auto text = builder.okx(events);
  ASSERT_TRUE(text);
  const json::object frame = parse(*text);
  EXPECT_EQ(keys(frame), (Keys{"arg", "data"}));
  EXPECT_EQ(frame.at("arg"), json::parse(R"({"channel":"liquidation-orders","instType":"SWAP"})"));
  const json::array& data = frame.at("data").as_array();
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(keys(data[0].as_object()),
            (Keys{"details", "instFamily", "instId", "instType", "uly"}));
  EXPECT_EQ(data[0].at("instId"), "BTC-USDT-SWAP");
  EXPECT_EQ(data[0].at("instFamily"), "BTC-USDT");
  const json::array& btc = data[0].at("details").as_array();
  ASSERT_EQ(btc.size(), 2u);
  EXPECT_EQ(keys(btc[0].as_object()),
            (Keys{"bkLoss", "bkPx", "ccy", "posSide", "side", "sz", "ts"}));
  EXPECT_EQ(btc[0].at("side"), "sell");
  EXPECT_EQ(btc[0].at("posSide"), "long");
  EXPECT_EQ(btc[0].at("sz"), "85.5") << "0.855 BTC = 85.5 contracts of 0.01";
  EXPECT_EQ(btc[0].at("bkPx"), "80000");
  EXPECT_EQ(btc[0].at("ts"), "5") << "OKX writes times as strings";
  EXPECT_EQ(btc[1].at("side"), "buy");
  EXPECT_EQ(btc[1].at("posSide"), "short");
  EXPECT_EQ(btc[1].at("sz"), "10");
  EXPECT_EQ(data[1].at("instId"), "ETH-USDT-SWAP");
  EXPECT_EQ(data[1].at("details").at(0).at("sz"), "5") << "0.5 ETH = 5 contracts of 0.1";
}

TEST(VenueFrames, OkxTradesAreInContractsWithTheTakerSide) {
  VenueFrameBuilder builder;
  const std::vector<VenueEvent> events = {trade("SOLUSDT", Side::sell, 150, 3000, 9)};
  const json::object frame = parse(*builder.okx(events));
  EXPECT_EQ(frame.at("arg"), json::parse(R"({"channel":"trades","instId":"SOL-USDT-SWAP"})"));
  const json::object& t = frame.at("data").at(0).as_object();
  EXPECT_EQ(keys(t),
            (Keys{"instId", "tradeId", "px", "sz", "side", "ts", "count", "source", "seqId"}));
  EXPECT_EQ(t.at("side"), "sell");
  EXPECT_EQ(t.at("sz"), "20") << "20 SOL = 20 contracts of 1";
  EXPECT_EQ(t.at("px"), "150");
  EXPECT_EQ(t.at("ts"), "9");
}

TEST(VenueFrames, OkxCannotWriteAnInstrumentWhoseContractValueIsUnknown) {
  VenueFrameBuilder builder;
  const std::vector<VenueEvent> events = {trade("DOGEUSDT", Side::buy, 0.1, 100),
                                          trade("BTCUSDT", Side::buy, 100'000, 1000)};
  EXPECT_FALSE(builder.okx(events));
  const std::vector<std::string> frames = builder.frames(Venue::okx, events);
  ASSERT_EQ(frames.size(), 1u) << "the unknown instrument is left out, the known one stays";
  EXPECT_EQ(parse(frames[0]).at("arg").at("instId"), "BTC-USDT-SWAP");
  EXPECT_FALSE(builder.okx(std::span<const VenueEvent>()));
}

TEST(VenueFrames, EachVenueBatchesTheWayItPushes) {
  VenueFrameBuilder builder;
  const std::vector<VenueEvent> events = {
      liquidation("BTCUSDT", Side::sell, 100, 10), liquidation("ETHUSDT", Side::sell, 10, 10),
      liquidation("BTCUSDT", Side::buy, 100, 10), trade("BTCUSDT", Side::buy, 100, 10),
      trade("ETHUSDT", Side::buy, 10, 10)};
  const auto bybit = builder.frames(Venue::bybit, events);
  ASSERT_EQ(bybit.size(), 4u);
  EXPECT_EQ(parse(bybit[0]).at("topic"), "allLiquidation.BTCUSDT");
  EXPECT_EQ(parse(bybit[0]).at("data").as_array().size(), 2u);
  EXPECT_EQ(parse(bybit[1]).at("topic"), "allLiquidation.ETHUSDT");
  EXPECT_EQ(parse(bybit[2]).at("topic"), "publicTrade.BTCUSDT");
  EXPECT_EQ(builder.frames(Venue::binance, events).size(), 5u);
  const auto okx = builder.frames(Venue::okx, events);
  ASSERT_EQ(okx.size(), 3u) << "one liquidation-orders frame, one trades frame per instrument";
  EXPECT_EQ(parse(okx[0]).at("data").as_array().size(), 2u);
}

TEST(VenueFrames, TheSameEventsGiveTheSameBytes) {
  const std::vector<VenueEvent> events = {trade("BTCUSDT", Side::buy, 100.25, 1000),
                                          liquidation("BTCUSDT", Side::sell, 99.5, 5000)};
  for (Venue v : {Venue::bybit, Venue::binance, Venue::okx}) {
    VenueFrameBuilder a;
    VenueFrameBuilder b;
    EXPECT_EQ(a.frames(v, events), b.frames(v, events)) << to_string(v);
  }
}

TEST(VenueFrames, DecimalsAreNeverWrittenWithAnExponent) {
  EXPECT_EQ(venue_decimal(9910), "9910");
  EXPECT_EQ(venue_decimal(0.014), "0.014");
  EXPECT_EQ(venue_decimal(1e-7), "0.0000001");
  EXPECT_EQ(venue_decimal(1e-10), "0");
  EXPECT_EQ(venue_decimal(-1e-10), "0");
  EXPECT_EQ(venue_decimal(123456789012.5), "123456789012.5");
  EXPECT_EQ(venue_decimal(82655.7), "82655.7");
}

TEST(VenueFrames, VenueNamesReadAsCoinglassWritesThem) {
  EXPECT_EQ(venue_from_exchange("OKX"), Venue::okx);
  EXPECT_EQ(venue_from_exchange("okx"), Venue::okx);
  EXPECT_EQ(venue_from_exchange("BYBIT"), Venue::bybit);
  EXPECT_EQ(venue_from_exchange("Binance"), Venue::binance);
  EXPECT_EQ(venue_from_exchange("Bitget"), std::nullopt);
  EXPECT_EQ(to_string(Venue::okx), "OKX");
}

const std::string mixed_line =
    R"({"channel":"liquidationOrders","data":[)"
    R"({"baseAsset":"BTC","exName":"Binance","price":56738.0,"side":2,"symbol":"BTCUSDT","time":1725416318379,"volUsd":3858.184},)"
    R"({"baseAsset":"BTC","exName":"Bybit","price":56700.5,"side":1,"symbol":"BTCUSDT","time":1725416318380,"volUsd":11340.1},)"
    R"({"baseAsset":"ETH","exName":"OKX","price":2500,"side":1,"symbol":"ETH-USDT-SWAP","time":1725416318381,"volUsd":1250}]})";

TEST(CoinglassEvents, ReadsEveryElementOfALiquidationLine) {
  const std::vector<VenueEvent> events = coinglass_events(mixed_line);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].kind, EventKind::liquidation);
  EXPECT_EQ(events[0].side, Side::buy) << "CoinGlass side 2: a short was liquidated";
  EXPECT_EQ(events[0].price, 56738.0);
  EXPECT_EQ(events[0].volume_usd, 3858.184);
  EXPECT_EQ(events[0].time, 1725416318379);
  EXPECT_EQ(events[1].side, Side::sell);
  EXPECT_EQ(events[2].symbol, "ETHUSDT") << "OKX's instrument id read as the symbol";
}

TEST(CoinglassEvents, KeepsOnlyTheAskedVenuesElements) {
  const auto okx = coinglass_events(mixed_line, Venue::okx);
  ASSERT_EQ(okx.size(), 1u);
  EXPECT_EQ(okx[0].symbol, "ETHUSDT");
  EXPECT_EQ(coinglass_events(mixed_line, Venue::bybit).size(), 1u);
}

TEST(CoinglassEvents, ReadsTradesAndTheSnakeCaseSpelling) {
  const auto trades = coinglass_events(
      R"({"channel":"futures_trades@Binance_BTCUSDT@10000","data":[{"exName":"Binance","price":100,"side":1,"symbol":"BTCUSDT","time":5,"volUsd":20000}]})");
  ASSERT_EQ(trades.size(), 1u);
  EXPECT_EQ(trades[0].kind, EventKind::trade);
  EXPECT_EQ(trades[0].side, Side::sell);
  const auto snake = coinglass_events(
      R"({"channel":"liquidation_orders","data":[{"base_asset":"SOL","exchange":"Bybit","price":150,"side":2,"symbol":"SOLUSDT","time":6,"volume_usd":300}]})",
      Venue::bybit);
  ASSERT_EQ(snake.size(), 1u);
  EXPECT_EQ(snake[0].volume_usd, 300);
}

TEST(CoinglassEvents, SkipsWhatIsNotAMarketEvent) {
  EXPECT_TRUE(coinglass_events("pong").empty());
  EXPECT_TRUE(coinglass_events("").empty());
  EXPECT_TRUE(coinglass_events(R"({"channel":"funding_rates","time":1,"data":[]})").empty());
  EXPECT_TRUE(coinglass_events(R"({"channel":"liquidationOrders","data":{}})").empty());
  const auto some = coinglass_events(
      R"({"channel":"liquidationOrders","data":[7,{"symbol":"BTCUSDT","side":3,"price":1,"volUsd":1,"time":1},)"
      R"({"symbol":"BTCUSDT","side":1,"price":"1","volUsd":1,"time":1},)"
      R"({"symbol":"BTCUSDT","side":1,"price":1,"volUsd":1,"time":1}]})");
  EXPECT_EQ(some.size(), 1u) << "a number, a bad side and a quoted price are skipped";
  EXPECT_TRUE(coinglass_events(mixed_line, Venue::okx).size() == 1);
}

TEST(CoinglassEvents, OneMarketThroughThreeVenuesKeepsEachVenuesUsdVolume) {
  VenueFrameBuilder builder;
  const auto binance = venue_frames_from_coinglass(builder, mixed_line, Venue::binance);
  ASSERT_EQ(binance.size(), 1u);
  const json::object binance_frame = parse(binance[0]);
  const json::object& o = binance_frame.at("data").at("o").as_object();
  EXPECT_EQ(o.at("S"), "BUY") << "side 2 (short liquidated) is a forced buy";
  EXPECT_NEAR(number_text(o.at("q")) * number_text(o.at("p")), 3858.184, 1e-4);

  const auto bybit = venue_frames_from_coinglass(builder, mixed_line, Venue::bybit);
  ASSERT_EQ(bybit.size(), 1u);
  const json::object bybit_frame = parse(bybit[0]);
  const json::object& b = bybit_frame.at("data").at(0).as_object();
  EXPECT_EQ(b.at("S"), "Buy") << "side 1 (long liquidated)";
  EXPECT_NEAR(number_text(b.at("v")) * number_text(b.at("p")), 11340.1, 1e-4);

  const auto okx = venue_frames_from_coinglass(builder, mixed_line, Venue::okx);
  ASSERT_EQ(okx.size(), 1u);
  const json::object okx_frame = parse(okx[0]);
  const json::object& d = okx_frame.at("data").at(0).at("details").at(0).as_object();
  EXPECT_EQ(d.at("posSide"), "long");
  EXPECT_NEAR(number_text(d.at("sz")) * 0.1 * number_text(d.at("bkPx")), 1250, 1e-4);
}

TEST(OkxInstrumentsBody, ListsEachInstrumentWithItsContractValue) {
  const auto instruments = default_venue_instruments();
  const json::object body = parse(okx_instruments_body(instruments));
  EXPECT_EQ(body.at("code"), "0");
  EXPECT_EQ(body.at("msg"), "");
  const json::array& data = body.at("data").as_array();
  ASSERT_EQ(data.size(), 3u);
  const json::object& btc = data[0].as_object();
  EXPECT_EQ(btc.at("instType"), "SWAP");
  EXPECT_EQ(btc.at("instId"), "BTC-USDT-SWAP");
  EXPECT_EQ(btc.at("ctVal"), "0.01");
  EXPECT_EQ(btc.at("ctValCcy"), "BTC");
  EXPECT_EQ(btc.at("ctType"), "linear");
  EXPECT_EQ(btc.at("settleCcy"), "USDT");
  EXPECT_EQ(data[1].at("ctVal"), "0.1");
  EXPECT_EQ(data[2].at("ctVal"), "1");
  EXPECT_EQ(parse(okx_instruments_body({})).at("data").as_array().size(), 0u);
}

}  // namespace
}  // namespace teleglas
