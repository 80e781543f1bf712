#include "teleglas/ingest/parser.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "frame_builders.hpp"
#include "teleglas/ingest/venue_symbols.hpp"

namespace teleglas {
namespace {

using namespace frames;

// ---------------------------------------------------------------- liquidations and trades

TEST(Parser, ParsesLiquidationFrame) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(liquidations({good_element}));
  ASSERT_EQ(f.kind, FrameKind::market);
  EXPECT_EQ(f.channel, "liquidationOrders");
  ASSERT_EQ(f.events.size(), 1u);
  const MarketEvent& e = f.events[0];
  EXPECT_EQ(e.kind, EventKind::liquidation);
  EXPECT_EQ(e.side, Side::buy);
  EXPECT_DOUBLE_EQ(e.price, 56738.0);
  EXPECT_DOUBLE_EQ(e.volume_usd, 3858.184);
  EXPECT_EQ(e.exchange_time, t0);
  EXPECT_EQ(e.symbol, "BTCUSDT");
  EXPECT_EQ(e.exchange, "Binance");
  EXPECT_EQ(e.base_asset, "BTC");
  EXPECT_EQ(f.rejected_events, 0u);
}

TEST(Parser, AcceptsSnakeCaseLiquidationChannel) {
  FrameParser parser;
  const std::string element =
      R"({"base_asset":"ETH","exchange":"OKX","price":2500.5,"side":1,"symbol":"ETH-USDT-SWAP",)"
      R"("time":1725416318379,"volume_usd":12000})";
  const ParsedFrame& f = parser.parse(frame_of("liquidation_orders", {element}));
  ASSERT_EQ(f.kind, FrameKind::market);
  ASSERT_EQ(f.events.size(), 1u);
  EXPECT_EQ(f.events[0].kind, EventKind::liquidation);
  EXPECT_EQ(f.events[0].exchange, "OKX");
  EXPECT_EQ(f.events[0].base_asset, "ETH");
  EXPECT_DOUBLE_EQ(f.events[0].volume_usd, 12000);
}

TEST(Parser, CoinGlassNamingAnOkxInstrumentGivesItsCommonName) {
  FrameParser parser;
  const auto element = [](std::string_view symbol, std::string_view base) {
    return fmt::format(R"({{{}"exName":"OKX","price":95000,"side":1,"symbol":"{}",)"
                       R"("time":1725416318379,"volUsd":50000}})",
                       base.empty() ? "" : fmt::format(R"("baseAsset":"{}",)", base), symbol);
  };
  const ParsedFrame& f = parser.parse(
      frame_of("liquidationOrders", {element("BTC-USDT-SWAP", "BTC"), element("ETH-USD-SWAP", ""),
                                     element("BTC-USDT-250328", "BTC"),
                                     element("BTC-PERPETUAL", "BTC"), element("BTCUSDT", "BTC")}));
  ASSERT_EQ(f.events.size(), 5u);
  EXPECT_EQ(f.events[0].symbol, "BTCUSDT") << "as OKX's own stream and Binance name it";
  EXPECT_EQ(f.events[1].symbol, "ETHUSD");
  EXPECT_EQ(f.events[1].base_asset, "ETH") << "taken from the ID when the element has none";
  EXPECT_EQ(f.events[2].symbol, "BTCUSDT_250328") << "a delivery future stays apart";
  EXPECT_EQ(f.events[3].symbol, "BTC-PERPETUAL") << "no BASE-QUOTE form: kept as given";
  EXPECT_EQ(f.events[4].symbol, "BTCUSDT");
  // The names outlive the frame: the next parse does not move them.
  const std::string_view first = f.events[0].symbol;
  parser.parse(frame_of("liquidationOrders", {element("SOL-USDT-SWAP", "SOL")}));
  EXPECT_EQ(first, "BTCUSDT");
}

TEST(CommonNames, RemembersEachIdOnceAndStopsAtItsCap) {
  CommonNames names;
  const CommonName* btc = names.find("BTC-USDT-SWAP");
  ASSERT_NE(btc, nullptr);
  EXPECT_EQ(names.find("BTC-USDT-SWAP"), btc) << "the same entry, not a new one";
  EXPECT_EQ(names.find("not-a-symbol-at-all"), nullptr);
  for (std::size_t i = 0; i < CommonNames::max_names; ++i) {
    names.find("C" + std::to_string(i) + "-USDT-SWAP");
  }
  EXPECT_EQ(names.find("NEW-USDT-SWAP"), nullptr) << "past the cap nothing new is looked up";
  EXPECT_EQ(names.find("BTC-USDT-SWAP"), btc) << "what it knows it still answers";
}

TEST(Parser, AcceptsEitherFieldSpellingUnderEitherChannel) {
  FrameParser parser;
  const std::string snake =
      R"({"base_asset":"BTC","exchange":"Bybit","price":1,"side":1,"symbol":"BTCUSDT",)"
      R"("time":1725416318379,"volume_usd":5})";
  EXPECT_EQ(parser.parse(liquidations({snake})).events.size(), 1u);
  EXPECT_EQ(parser.parse(frame_of("liquidation_orders", {good_element})).events.size(), 1u);
  EXPECT_EQ(parser.stats().liquidations, 2u);
}

TEST(Parser, ParsesTradesFromTradeChannel) {
  FrameParser parser;
  const ParsedFrame& f =
      parser.parse(frame_of("futures_trades@Binance_BTCUSDT@10000", {good_element, good_element}));
  ASSERT_EQ(f.kind, FrameKind::market);
  ASSERT_EQ(f.events.size(), 2u);
  EXPECT_EQ(f.events[0].kind, EventKind::trade);
  EXPECT_EQ(parser.stats().trades, 2u);
  EXPECT_EQ(parser.stats().liquidations, 0u);
}

TEST(Parser, TakesTradeExchangeFromChannelWhenElementHasNone) {
  FrameParser parser;
  const ParsedFrame& f =
      parser.parse(frame_of("futures_trades@OKX_BTCUSDT@10000", {object_of(with("exName", ""))}));
  ASSERT_EQ(f.events.size(), 1u);
  EXPECT_EQ(f.events[0].exchange, "OKX");
  EXPECT_EQ(f.events[0].symbol, "BTCUSDT");
}

TEST(Parser, LeavesLiquidationExchangeAndBaseAssetEmptyWhenAbsent) {
  FrameParser parser;
  Fields fields = with("exName", "");
  fields.erase(fields.begin());  // baseAsset
  const ParsedFrame& f = parser.parse(liquidations({object_of(fields)}));
  ASSERT_EQ(f.events.size(), 1u);
  EXPECT_TRUE(f.events[0].exchange.empty());
  EXPECT_TRUE(f.events[0].base_asset.empty());
}

TEST(Parser, MapsSideOneToSellAndTwoToBuy) {
  FrameParser parser;
  const ParsedFrame& f =
      parser.parse(liquidations({object_of(with("side", "1")), object_of(with("side", "2"))}));
  ASSERT_EQ(f.events.size(), 2u);
  EXPECT_EQ(f.events[0].side, Side::sell);
  EXPECT_EQ(f.events[1].side, Side::buy);
}

TEST(Parser, RejectsSideOtherThanOneOrTwo) {
  for (const char* side : {"0", "3", "-1", "1.5", "1e300", "99999999999999999999"}) {
    EXPECT_EQ(element_verdict("side", side), RejectReason::bad_side) << side;
  }
}

TEST(Parser, RejectsNonNumericSideAsWrongType) {
  for (const char* side : {R"("1")", "true", "[1]", "{}"}) {
    EXPECT_EQ(element_verdict("side", side), RejectReason::wrong_type) << side;
  }
}

TEST(Parser, AcceptsIntegralFloatTimeAndSide) {
  FrameParser parser;
  Fields fields = with("time", "1725416318379.0");
  const ParsedFrame& f = parser.parse(liquidations({object_of(fields)}));
  ASSERT_EQ(f.events.size(), 1u);
  EXPECT_EQ(f.events[0].exchange_time, t0);
  EXPECT_EQ(element_verdict("side", "2.0"), std::nullopt);
}

TEST(Parser, RejectsFractionalTime) {
  EXPECT_EQ(element_verdict("time", "1725416318379.5"), RejectReason::bad_time);
}

TEST(Parser, RejectsTimeOutsideSaneRange) {
  EXPECT_EQ(element_verdict("time", "1262303999999"), RejectReason::bad_time);  // 2009
  EXPECT_EQ(element_verdict("time", "1262304000000"), std::nullopt);            // 2010-01-01
  EXPECT_EQ(element_verdict("time", "4102444800000"), RejectReason::bad_time);  // 2100-01-01
  EXPECT_EQ(element_verdict("time", "1725416318"), RejectReason::bad_time);     // seconds
  EXPECT_EQ(element_verdict("time", "-1"), RejectReason::bad_time);
  EXPECT_EQ(element_verdict("time", "1e30"), RejectReason::bad_time);
  EXPECT_EQ(element_verdict("time", R"("1725416318379")"), RejectReason::wrong_type);
}

TEST(Parser, RejectsTimeTooFarFromReceiveTime) {
  FrameParser parser(ParserOptions{.max_frame_bytes = 1 << 20, .max_clock_skew_ms = hour_ms});
  EXPECT_EQ(parser.parse(liquidations({good_element}), t0 + hour_ms).events.size(), 1u);
  EXPECT_EQ(parser.parse(liquidations({good_element}), t0 - hour_ms).events.size(), 1u);
  const ParsedFrame& late = parser.parse(liquidations({good_element}), t0 + hour_ms + 1);
  EXPECT_TRUE(late.events.empty());
  EXPECT_EQ(late.rejected_events, 1u);
  EXPECT_EQ(rejected_for(parser, RejectReason::bad_time), 1);
}

TEST(Parser, SkewCheckSurvivesExtremeReceiveTimes) {
  FrameParser parser;
  EXPECT_TRUE(parser.parse(liquidations({good_element}), INT64_MIN).events.empty());
  EXPECT_TRUE(parser.parse(liquidations({good_element}), INT64_MAX).events.empty());
  EXPECT_EQ(rejected_for(parser, RejectReason::bad_time), 2);
}

TEST(Parser, ReceiveTimeIsTheGivenOne) {
  FrameParser parser;
  EXPECT_EQ(parser.parse(liquidations({good_element}), t0 + 250).events.at(0).receive_time,
            t0 + 250);
}

// 0 means "unknown": the pipeline judges event time itself, so nothing may stand in for it.
TEST(Parser, ReceiveTimeZeroStaysZero) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(liquidations({good_element, good_element}), 0);
  ASSERT_EQ(f.events.size(), 2u);
  for (const MarketEvent& e : f.events) {
    EXPECT_EQ(e.receive_time, 0);
    EXPECT_EQ(e.exchange_time, t0);
  }
  EXPECT_EQ(parser.parse(frame_of("futures_trades@Binance_BTCUSDT@10000", {good_element}))
                .events.at(0)
                .receive_time,
            0);
}

TEST(Parser, RejectsNonPositiveOrNonFinitePrice) {
  for (const char* price : {"0", "-1", "-0.0", "1e400"}) {
    EXPECT_EQ(element_verdict("price", price), RejectReason::bad_price) << price;
  }
  EXPECT_EQ(element_verdict("price", "56738"), std::nullopt);  // integers are numbers too
}

TEST(Parser, RejectsNonPositiveOrNonFiniteVolume) {
  for (const char* volume : {"0", "-3858.1", "1e400"}) {
    EXPECT_EQ(element_verdict("volUsd", volume), RejectReason::bad_volume) << volume;
  }
}

TEST(Parser, RejectsNumbersSentAsStrings) {
  EXPECT_EQ(element_verdict("price", R"("56738.0")"), RejectReason::wrong_type);
  EXPECT_EQ(element_verdict("volUsd", "true"), RejectReason::wrong_type);
  EXPECT_EQ(element_verdict("symbol", "42"), RejectReason::wrong_type);
}

TEST(Parser, RejectsElementMissingARequiredField) {
  for (const char* key : {"symbol", "price", "side", "time", "volUsd"}) {
    EXPECT_EQ(element_verdict(key, ""), RejectReason::missing_field) << key;
  }
}

TEST(Parser, TreatsNullAsAbsent) {
  EXPECT_EQ(element_verdict("exName", "null"), std::nullopt);
  EXPECT_EQ(element_verdict("baseAsset", "null"), std::nullopt);
  EXPECT_EQ(element_verdict("price", "null"), RejectReason::missing_field);
}

TEST(Parser, RejectsEmptyNames) {
  EXPECT_EQ(element_verdict("symbol", R"("")"), RejectReason::bad_symbol);
  EXPECT_EQ(element_verdict("exName", R"("")"), RejectReason::bad_symbol);
  EXPECT_EQ(element_verdict("baseAsset", R"("")"), RejectReason::bad_symbol);
}

TEST(Parser, IgnoresUnknownFields) {
  EXPECT_EQ(element_verdict("extra", R"({"nested":[1,2,{"x":null}]})"), std::nullopt);
}

TEST(Parser, AcceptsFieldsInAnyOrder) {
  Fields fields = good_fields();
  std::reverse(fields.begin(), fields.end());
  FrameParser parser;
  EXPECT_EQ(parser.parse(liquidations({object_of(fields)})).events.size(), 1u);
}

TEST(Parser, FirstOfDuplicateFieldsWins) {
  Fields fields = good_fields();
  fields.emplace_back("price", "-1");
  FrameParser parser;
  const ParsedFrame& f = parser.parse(liquidations({object_of(fields)}));
  ASSERT_EQ(f.events.size(), 1u);
  EXPECT_DOUBLE_EQ(f.events[0].price, 56738.0);
}

TEST(Parser, UnescapesStrings) {
  FrameParser parser;
  const ParsedFrame& f =
      parser.parse(liquidations({object_of(with("symbol", R"("BTC\u0055SDT")"))}));
  ASSERT_EQ(f.events.size(), 1u);
  EXPECT_EQ(f.events[0].symbol, "BTCUSDT");
}

TEST(Parser, KeepsGoodElementsOfABatchWithOneBadElement) {
  expect_batch_keeps_good_elements({object_of(with("price", "-5"))}, RejectReason::bad_price);
}

TEST(Parser, RejectsElementThatIsNotAnObject) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(liquidations({"42", good_element, "[1]", "null"}));
  EXPECT_EQ(f.events.size(), 1u);
  EXPECT_EQ(f.rejected_events, 3u);
  EXPECT_EQ(rejected_for(parser, RejectReason::bad_event), 3);
}

TEST(Parser, AcceptsEmptyDataArray) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(liquidations({}));
  EXPECT_EQ(f.kind, FrameKind::market);
  EXPECT_TRUE(f.events.empty());
  EXPECT_EQ(parser.stats().rejected(), 0u);
}

TEST(Parser, DataBeforeChannel) {
  FrameParser parser;
  const std::string text =
      R"({"data":[)" + good_element + R"(],"channel":"futures_trades@Bybit_BTCUSDT@0"})";
  const ParsedFrame& f = parser.parse(text);
  ASSERT_EQ(f.kind, FrameKind::market);
  EXPECT_EQ(f.channel, "futures_trades@Bybit_BTCUSDT@0");
  ASSERT_EQ(f.events.size(), 1u);
  EXPECT_EQ(f.events[0].kind, EventKind::trade);
  EXPECT_EQ(f.events[0].symbol, "BTCUSDT");
}

// ------------------------------------------------------------------------ whole-frame rejects

TEST(Parser, RejectsTrailingGarbage) {
  EXPECT_EQ(frame_reject(liquidations({good_element}) + " x"), RejectReason::invalid_json);
  EXPECT_EQ(frame_reject(liquidations({good_element}) + "}"), RejectReason::invalid_json);
  EXPECT_EQ(frame_reject(liquidations({good_element}) + "{}"), RejectReason::invalid_json);
}

TEST(Parser, DropsEventsOfAFrameFoundBrokenAfterItsData) {
  FrameParser parser;
  std::string text = liquidations({good_element, object_of(with("price", "0"))});
  text.insert(text.size() - 1, R"(,"extra" 1)");  // a missing colon after the data
  const ParsedFrame& f = parser.parse(text);
  EXPECT_EQ(f.kind, FrameKind::rejected);
  EXPECT_TRUE(f.events.empty());
  EXPECT_EQ(f.rejected_events, 0u);
  EXPECT_EQ(parser.stats().events, 0u);
  EXPECT_EQ(rejected_for(parser, RejectReason::bad_price), 0);
  EXPECT_EQ(rejected_for(parser, RejectReason::invalid_json), 1);
}

TEST(Parser, RejectsMalformedJson) {
  const std::string frame = liquidations({good_element});
  EXPECT_EQ(frame_reject(frame.substr(0, frame.size() - 2)), RejectReason::invalid_json);
  EXPECT_EQ(frame_reject(R"({"channel":"liquidationOrders","data":[{"price":1,,}]})"),
            RejectReason::invalid_json);
  EXPECT_EQ(frame_reject(R"({"channel":"liquidationOrders" "data":[]})"),
            RejectReason::invalid_json);
  EXPECT_EQ(frame_reject(R"({"channel":"liquidationOrders","data":[{"symbol":"BTC)"),
            RejectReason::invalid_json);
  EXPECT_EQ(frame_reject("{"), RejectReason::invalid_json);
  EXPECT_EQ(frame_reject("[1,2"), RejectReason::invalid_json);
}

TEST(Parser, RejectsTopLevelArray) {
  EXPECT_EQ(frame_reject("[" + liquidations({good_element}) + "]"), RejectReason::not_an_object);
  EXPECT_EQ(frame_reject("[]"), RejectReason::not_an_object);
}

TEST(Parser, RejectsFrameWithoutChannelString) {
  EXPECT_EQ(frame_reject(R"({"data":[]})"), RejectReason::missing_channel);
  EXPECT_EQ(frame_reject(R"({"channel":7,"data":[]})"), RejectReason::missing_channel);
  EXPECT_EQ(frame_reject("{}"), RejectReason::missing_channel);
}

TEST(Parser, RejectsUnknownChannel) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(frame_of("spot_trades@Binance_BTCUSDT", {good_element}));
  EXPECT_EQ(f.kind, FrameKind::rejected);
  EXPECT_EQ(f.reject_reason, RejectReason::unknown_channel);
  EXPECT_EQ(f.channel, "spot_trades@Binance_BTCUSDT");  // so the log can say which
}

TEST(Parser, RejectsFrameWithoutData) {
  EXPECT_EQ(frame_reject(R"({"channel":"liquidationOrders"})"), RejectReason::missing_data);
}

TEST(Parser, RejectsDataThatIsNotAnArray) {
  EXPECT_EQ(frame_reject(R"({"channel":"liquidationOrders","data":)" + good_element + "}"),
            RejectReason::bad_data);
  EXPECT_EQ(frame_reject(R"({"channel":"liquidationOrders","data":null})"), RejectReason::bad_data);
}

TEST(Parser, RejectsOversizeFrameWithoutParsing) {
  FrameParser parser(ParserOptions{.max_frame_bytes = 64});
  const ParsedFrame& f = parser.parse(std::string(65, '{'));  // not even JSON: never looked at
  EXPECT_EQ(f.kind, FrameKind::rejected);
  EXPECT_EQ(f.reject_reason, RejectReason::too_large);
  EXPECT_EQ(parser.parse(std::string(64, ' ')).kind, FrameKind::empty);
}

// ----------------------------------------------------------------------------- text frames

TEST(Parser, RecognizesPong) {
  FrameParser parser;
  for (const char* text : {"pong", "pong\r", " pong \n", "\tpong\r\n"}) {
    EXPECT_EQ(parser.parse(text).kind, FrameKind::pong) << text;
  }
  EXPECT_EQ(parser.parse("pongs").kind, FrameKind::notice);
}

TEST(Parser, TreatsOtherTextAsNotice) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse("liquidationOrders need upgrade plan\r\n");
  EXPECT_EQ(f.kind, FrameKind::notice);
  EXPECT_EQ(f.notice, "liquidationOrders need upgrade plan");
}

TEST(Parser, BlankLineIsEmpty) {
  FrameParser parser;
  EXPECT_EQ(parser.parse("").kind, FrameKind::empty);
  EXPECT_EQ(parser.parse(" \r\n").kind, FrameKind::empty);
  EXPECT_EQ(parser.stats().frames, 2u);
  EXPECT_EQ(parser.stats().rejected(), 0u);
}

TEST(Parser, CountsPongAndNotices) {
  FrameParser parser;
  parser.parse("pong");
  parser.parse("pong");
  parser.parse("liquidationOrders need upgrade plan");
  EXPECT_EQ(parser.stats().pongs, 2u);
  EXPECT_EQ(parser.stats().notices, 1u);
  EXPECT_EQ(parser.stats().frames, 3u);
  EXPECT_EQ(parser.stats().events, 0u);
}

// -------------------------------------------------------------------------- stats and buffers

TEST(Parser, StatsAccumulateAcrossFrames) {
  FrameParser parser;
  parser.parse(liquidations({good_element, good_element}));
  parser.parse(frame_of("futures_trades@Binance_BTCUSDT@10000", {good_element}));
  parser.parse(liquidations({object_of(with("side", "7"))}));
  parser.parse("not json");
  parser.parse("{");
  const ParseStats& s = parser.stats();
  EXPECT_EQ(s.frames, 5u);
  EXPECT_EQ(s.events, 3u);
  EXPECT_EQ(s.liquidations, 2u);
  EXPECT_EQ(s.trades, 1u);
  EXPECT_EQ(s.notices, 1u);
  EXPECT_EQ(rejected_for(parser, RejectReason::bad_side), 1);
  EXPECT_EQ(rejected_for(parser, RejectReason::invalid_json), 1);
  EXPECT_EQ(s.rejected(), 2u);
}

// Everything a frame says, as text, so that two parses can be compared.
std::string describe(const ParsedFrame& f) {
  std::string out = std::to_string(static_cast<int>(f.kind)) + "|" + std::string(f.channel) + "|" +
                    std::to_string(static_cast<int>(f.reject_reason)) + "|" +
                    std::to_string(f.rejected_events);
  for (const MarketEvent& e : f.events) {
    out += "|" + std::string(e.symbol) + "," + std::string(e.exchange) + "," +
           std::string(e.base_asset) + "," + std::to_string(e.price) + "," +
           std::to_string(e.volume_usd) + "," + std::to_string(e.exchange_time) + "," +
           std::to_string(static_cast<int>(e.side));
  }
  return out;
}

TEST(Parser, InPlaceAndCopyPathsGiveEqualResults) {
  const std::vector<std::string> frames = {
      liquidations({good_element, object_of(with("side", "0")), good_element}),
      R"({"data":[)" + good_element + R"(],"channel":"liquidation_orders"})",
      liquidations({good_element}) + "x",
      "[]",
      // Unbalanced in a part On-Demand skips; simdjson notices only if the next byte is '}'.
      R"({"channel":"liquidationOrders","data":[)" + good_element + R"(,"k":[1]}]})",
  };
  FrameParser copying;
  FrameParser in_place;
  for (const std::string& text : frames) {
    const std::string expected = describe(copying.parse(text));
    // The bytes after the frame are the caller's: fill them with something hostile.
    for (const char after : {'"', '}', ']'}) {
      std::string buffer = text + std::string(64, after);
      const ParsedFrame& f =
          in_place.parse(std::string_view(buffer).substr(0, text.size()), 0, buffer.size());
      EXPECT_EQ(describe(f), expected) << text << " followed by " << after;
    }
  }
}

TEST(Parser, ParsesInPlaceWithoutCopying) {
  FrameParser parser;
  std::string buffer = liquidations({good_element});
  const std::size_t size = buffer.size();
  buffer.resize(size + 64, ' ');
  const ParsedFrame& f = parser.parse(std::string_view(buffer).substr(0, size), 0, buffer.size());
  ASSERT_EQ(f.events.size(), 1u);
  EXPECT_EQ(f.channel, "liquidationOrders");
}

TEST(Parser, CopiesFrameWhenTheCallersBufferLacksPadding) {
  FrameParser parser;
  const std::string text = liquidations({good_element});
  const std::string buffer = text + std::string(10, ' ');  // capacity too small to parse in place
  const ParsedFrame& f =
      parser.parse(std::string_view(buffer).substr(0, text.size()), 0, buffer.size());
  EXPECT_EQ(f.kind, FrameKind::market);
  EXPECT_EQ(f.events.size(), 1u);
}

TEST(Parser, ViewsOutliveTheCallersCopiedFrame) {
  FrameParser parser;
  const ParsedFrame* f = nullptr;
  {
    std::string transient = liquidations({good_element});
    f = &parser.parse(transient);
    transient.assign(transient.size(), 'x');
  }
  ASSERT_EQ(f->events.size(), 1u);
  EXPECT_EQ(f->events[0].symbol, "BTCUSDT");
  EXPECT_EQ(f->channel, "liquidationOrders");
}

TEST(Parser, HandlesFramesLargerThanItsInitialBuffers) {
  FrameParser parser;
  const std::vector<std::string> many(5000, good_element);  // ~700 KB
  const ParsedFrame& f = parser.parse(liquidations(many));
  EXPECT_EQ(f.events.size(), 5000u);
  EXPECT_EQ(parser.parse(liquidations({good_element})).events.size(), 1u);
}

TEST(Parser, NamesEveryRejectReason) {
  std::vector<std::string_view> names;
  for (int r = 0; r < reject_reason_count; ++r) {
    const std::string_view name = to_string(static_cast<RejectReason>(r));
    EXPECT_FALSE(name.empty());
    EXPECT_NE(name, "unknown");
    for (std::string_view other : names) EXPECT_NE(name, other);
    names.push_back(name);
  }
  EXPECT_EQ(to_string(RejectReason::bad_side), "bad_side");
  EXPECT_EQ(to_string(RejectReason::price_too_high), "price_too_high");
  EXPECT_EQ(to_string(RejectReason::volume_too_high), "volume_too_high");
  EXPECT_EQ(to_string(RejectReason::unknown_contract), "unknown_contract");
}

// Counters are indexed by reason: reasons are only ever appended, so an index keeps its meaning.
TEST(Parser, KeepsTheNumbersOfEarlierRejectReasons) {
  EXPECT_EQ(static_cast<int>(RejectReason::too_large), 14);
  EXPECT_EQ(static_cast<int>(RejectReason::price_too_high), 15);
  EXPECT_EQ(static_cast<int>(RejectReason::volume_too_high), 16);
  EXPECT_EQ(static_cast<int>(RejectReason::unknown_contract), 17);
  EXPECT_EQ(reject_reason_count, 18);
}

}  // namespace
}  // namespace teleglas
