// The venues as data: symbol names, subscriptions within each venue's documented limits, the
// control frames each venue sends, and the protocols built from the configuration.
#include "teleglas/net/venues.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <stdexcept>

#include "teleglas/config/sources.hpp"
#include "teleglas/net/feed.hpp"

namespace teleglas {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

std::vector<SymbolConfig> symbols_named(std::initializer_list<std::string> names) {
  std::vector<SymbolConfig> symbols;
  for (const auto& name : names) {
    SymbolConfig s;
    s.symbol = name;
    symbols.push_back(s);
  }
  return symbols;
}

std::vector<std::string> numbered_symbols(int count) {
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) names.push_back("COIN" + std::to_string(i) + "USDT");
  return names;
}

// ---- symbols ----------------------------------------------------------------------------

TEST(VenueSymbols, BinanceStreamsUseTheLowercaseSymbol) {
  EXPECT_EQ(binance_stream_symbol("BTCUSDT"), "btcusdt");
  EXPECT_EQ(binance_stream_symbol("1000PEPEUSDT"), "1000pepeusdt");
  EXPECT_EQ(binance_stream_symbol("BTC-USDT-SWAP"), "");
  EXPECT_EQ(binance_stream_symbol(""), "");
}

TEST(VenueSymbols, OkxSwapOfAUsdtUsdcOrUsdSymbol) {
  EXPECT_EQ(okx_inst_id("BTCUSDT"), "BTC-USDT-SWAP");
  EXPECT_EQ(okx_inst_id("ETHUSDC"), "ETH-USDC-SWAP");
  EXPECT_EQ(okx_inst_id("BTCUSD"), "BTC-USD-SWAP");
  EXPECT_EQ(okx_inst_id("solusdt"), "SOL-USDT-SWAP");
  EXPECT_EQ(okx_inst_id("1000PEPEUSDT"), "1000PEPE-USDT-SWAP");
}

TEST(VenueSymbols, OkxNamesAreKeptAndUnknownQuotesHaveNoSwap) {
  EXPECT_EQ(okx_inst_id("ETH-USDT-SWAP"), "ETH-USDT-SWAP");
  EXPECT_EQ(okx_inst_id("eth-usdt-swap"), "ETH-USDT-SWAP");
  EXPECT_EQ(okx_inst_id("BTCEUR"), "");
  EXPECT_EQ(okx_inst_id("USDT"), "");  // no base currency
  EXPECT_EQ(okx_inst_id("-BTC-USDT"), "");
  EXPECT_EQ(okx_inst_id("BTC/USDT"), "");
  EXPECT_EQ(okx_inst_id(""), "");
}

TEST(VenueSymbols, BybitTakesPlainSymbolsOnly) {
  EXPECT_EQ(bybit_symbol("btcusdt"), "BTCUSDT");
  EXPECT_EQ(bybit_symbol("BTC-USDT-SWAP"), "");
}

// ---- subscriptions ----------------------------------------------------------------------

TEST(BybitSubscriptions, EveryLiquidationTopicThenTheTrades) {
  EXPECT_THAT(bybit_topics({"BTCUSDT", "ETHUSDT"}, true),
              ElementsAre("allLiquidation.BTCUSDT", "allLiquidation.ETHUSDT", "publicTrade.BTCUSDT",
                          "publicTrade.ETHUSDT"));
  EXPECT_THAT(bybit_topics({"BTCUSDT"}, false), ElementsAre("allLiquidation.BTCUSDT"));
}

TEST(BybitSubscriptions, MessagesCarryAtMostTenArgsEach) {
  std::vector<std::string> topics;
  for (int i = 0; i < 23; ++i) topics.push_back("publicTrade.S" + std::to_string(i));
  const auto messages = bybit_subscribe_messages(topics);
  ASSERT_THAT(messages, SizeIs(3));
  EXPECT_THAT(messages[0], HasSubstr(R"("publicTrade.S9"])"));
  EXPECT_THAT(messages[2], HasSubstr(R"({"op":"subscribe","args":["publicTrade.S20",)"));
  EXPECT_EQ(bybit_subscribe_messages({"allLiquidation.BTCUSDT", "publicTrade.BTCUSDT"}),
            std::vector<std::string>{
                R"({"op":"subscribe","args":["allLiquidation.BTCUSDT","publicTrade.BTCUSDT"]})"});
  EXPECT_THAT(bybit_subscribe_messages({}), IsEmpty());
}

TEST(BinanceSubscriptions, AllLiquidationsThenEachSymbolsAggTradesInTheUrl) {
  const auto streams = binance_streams({"btcusdt", "ethusdt"}, true);
  EXPECT_THAT(streams, ElementsAre("!forceOrder@arr", "btcusdt@aggTrade", "ethusdt@aggTrade"));
  EXPECT_THAT(binance_streams({"btcusdt"}, false), ElementsAre("!forceOrder@arr"));
  EXPECT_EQ(binance_stream_url("wss://fstream.binance.com/market/stream", streams),
            "wss://fstream.binance.com/market/stream?streams=!forceOrder@arr/btcusdt@aggTrade/"
            "ethusdt@aggTrade");
  EXPECT_EQ(binance_stream_url("wss://h/market/stream?x=1", {"!forceOrder@arr"}),
            "wss://h/market/stream?x=1&streams=!forceOrder@arr");
}

TEST(OkxSubscriptions, LiquidationOrdersOfEverySwapThenEachInstrumentsTrades) {
  EXPECT_EQ(okx_subscribe_message(true, {"BTC-USDT-SWAP"}),
            R"({"op":"subscribe","args":[{"channel":"liquidation-orders","instType":"SWAP"},)"
            R"({"channel":"trades","instId":"BTC-USDT-SWAP"}]})");
  EXPECT_EQ(okx_subscribe_message(false, {"ETH-USDC-SWAP"}),
            R"({"op":"subscribe","args":[{"channel":"trades","instId":"ETH-USDC-SWAP"}]})");
}

// ---- protocols --------------------------------------------------------------------------

TEST(VenueProtocols, BybitSendsItsTopicsAndAJsonPingOnTheLinearStream) {
  const FeedProtocol p = bybit_protocol(BybitConfig{}, symbols_named({"BTCUSDT"}));
  EXPECT_EQ(p.source, "bybit");
  EXPECT_EQ(p.venue, "Bybit");
  ASSERT_THAT(p.connections, SizeIs(1));
  EXPECT_EQ(p.connections[0].url, "wss://stream.bybit.com/v5/public/linear");
  EXPECT_THAT(p.connections[0].subscribe,
              ElementsAre(R"({"op":"subscribe","args":["allLiquidation.BTCUSDT",)"
                          R"("publicTrade.BTCUSDT"]})"));
  EXPECT_EQ(p.connections[0].streams, 2u);
  EXPECT_EQ(p.heartbeat.style, PingStyle::text);
  EXPECT_EQ(p.heartbeat.ping_text, R"({"op":"ping"})");
  EXPECT_EQ(p.heartbeat.interval_s, 20);
  EXPECT_FALSE(p.heartbeat.only_when_idle);
  EXPECT_EQ(p.max_connection_age_s, 0);
}

TEST(VenueProtocols, BybitConnectionsStayWithin21000CharactersOfArgs) {
  BybitConfig config;
  config.symbols = numbered_symbols(600);  // 1200 topics of ~20 characters: two connections
  const FeedProtocol p = bybit_protocol(config, {});
  ASSERT_GE(p.connections.size(), 2u);
  std::set<std::string> topics;
  std::size_t streams = 0;
  for (const auto& c : p.connections) {
    std::size_t args_chars = 2;
    for (const auto& message : c.subscribe) {
      const std::size_t open = message.find('[');
      const std::size_t close = message.rfind(']');
      args_chars += close - open - 1;
      EXPECT_LE(std::count(message.begin(), message.end(), ','), 10);  // <= 10 args + "op",
    }
    EXPECT_LE(args_chars + c.subscribe.size(), bybit_max_args_chars_per_connection);
    streams += c.streams;
  }
  EXPECT_EQ(streams, 1200u);
}

TEST(VenueProtocols, BinanceStreamsAreInTheUrlOnTheMarketRouteAndRotateBeforeTheCut) {
  const FeedProtocol p = binance_protocol(BinanceConfig{}, symbols_named({"BTCUSDT", "ETHUSDT"}));
  EXPECT_EQ(p.source, "binance");
  ASSERT_THAT(p.connections, SizeIs(1));
  EXPECT_EQ(p.connections[0].url,
            "wss://fstream.binance.com/market/stream?streams=!forceOrder@arr/btcusdt@aggTrade/"
            "ethusdt@aggTrade");
  EXPECT_THAT(p.connections[0].subscribe, IsEmpty());
  EXPECT_EQ(p.heartbeat.style, PingStyle::control);
  EXPECT_TRUE(p.heartbeat.any_frame_answers);
  EXPECT_EQ(p.max_connection_age_s, 82'800);
}

TEST(VenueProtocols, BinanceCarriesAtMost200StreamsPerConnectionAndLiquidationsOnce) {
  BinanceConfig config;
  config.symbols = numbered_symbols(450);  // 451 streams: 200 + 200 + 51
  const FeedProtocol p = binance_protocol(config, {});
  ASSERT_THAT(p.connections, SizeIs(3));
  EXPECT_EQ(p.connections[0].streams, 200u);
  EXPECT_EQ(p.connections[2].streams, 51u);
  int liquidation_streams = 0;
  for (const auto& c : p.connections) {
    liquidation_streams += c.url.find("!forceOrder@arr") != std::string::npos ? 1 : 0;
  }
  EXPECT_EQ(liquidation_streams, 1);
}

TEST(VenueProtocols, OkxPingsWhenIdleAndMapsSymbolsToSwaps) {
  const FeedProtocol p = okx_protocol(OkxConfig{}, symbols_named({"BTCUSDT", "ETHUSDC"}));
  EXPECT_EQ(p.source, "okx");
  ASSERT_THAT(p.connections, SizeIs(1));
  EXPECT_EQ(p.connections[0].url, "wss://ws.okx.com:8443/ws/v5/public");
  EXPECT_THAT(p.connections[0].subscribe,
              ElementsAre(R"({"op":"subscribe","args":[{"channel":"liquidation-orders",)"
                          R"("instType":"SWAP"},{"channel":"trades","instId":"BTC-USDT-SWAP"},)"
                          R"({"channel":"trades","instId":"ETH-USDC-SWAP"}]})"));
  EXPECT_EQ(p.connections[0].streams, 3u);
  EXPECT_EQ(p.heartbeat.ping_text, "ping");
  EXPECT_TRUE(p.heartbeat.only_when_idle);
  EXPECT_TRUE(p.heartbeat.any_frame_answers);
}

TEST(VenueProtocols, OkxWithoutTradesSubscribesLiquidationsAlone) {
  OkxConfig config;
  config.trades = false;
  const FeedProtocol p = okx_protocol(config, symbols_named({"BTCUSDT"}));
  ASSERT_THAT(p.connections, SizeIs(1));
  EXPECT_THAT(p.connections[0].subscribe,
              ElementsAre(R"({"op":"subscribe","args":[{"channel":"liquidation-orders",)"
                          R"("instType":"SWAP"}]})"));
}

TEST(VenueProtocols, OkxSplitsAt200ChannelsWithLiquidationsOnlyOnTheFirst) {
  OkxConfig config;
  config.symbols = numbered_symbols(399);  // 400 channels: 200 + 200
  const FeedProtocol p = okx_protocol(config, {});
  ASSERT_THAT(p.connections, SizeIs(2));
  EXPECT_EQ(p.connections[0].streams, 200u);
  EXPECT_EQ(p.connections[1].streams, 200u);
  EXPECT_THAT(p.connections[0].subscribe[0], HasSubstr("liquidation-orders"));
  EXPECT_THAT(p.connections[1].subscribe[0], ::testing::Not(HasSubstr("liquidation-orders")));
  EXPECT_THAT(p.connections[1].subscribe[0], HasSubstr("COIN398-USDT-SWAP"));
}

TEST(VenueProtocols, SymbolsAVenueCannotNameAreSkippedWithAWarning) {
  OkxConfig okx;
  okx.symbols = {"BTCEUR", "BTCUSDT"};
  const FeedProtocol p = okx_protocol(okx, {});
  EXPECT_EQ(p.connections[0].streams, 2u);
  ASSERT_THAT(p.warnings, SizeIs(1));
  EXPECT_THAT(p.warnings[0], HasSubstr("BTCEUR"));

  BinanceConfig binance;
  binance.symbols = {"ETH-USDT-SWAP"};
  EXPECT_THAT(binance_protocol(binance, {}).warnings, SizeIs(1));
}

TEST(VenueProtocols, CoinglassKeepsItsSubscriptionAndTextHeartbeat) {
  CoinglassConfig config;
  const FeedProtocol p = coinglass_protocol(config, symbols_named({"BTCUSDT"}), "KEY");
  EXPECT_EQ(p.source, "coinglass");
  EXPECT_EQ(p.api_key, "KEY");
  ASSERT_THAT(p.connections, SizeIs(1));
  EXPECT_THAT(p.connections[0].subscribe,
              ElementsAre(R"({"method":"subscribe","channels":["liquidationOrders",)"
                          R"("futures_trades@Binance_BTCUSDT@10000"]})"));
  EXPECT_EQ(p.heartbeat.ping_text, "ping");
  EXPECT_THAT(p.auth_hint, HasSubstr("COINGLASS_API_KEY"));
}

TEST(VenueProtocols, ChosenBySourceNameFromTheirSections) {
  Config config;
  config.okx.ws_url = "wss://127.0.0.1:1/ws/v5/public";
  EXPECT_EQ(feed_protocol("okx", config, "").ws_url, "wss://127.0.0.1:1/ws/v5/public");
  EXPECT_EQ(feed_protocol("coinglass", config, "K").api_key, "K");
  EXPECT_EQ(feed_protocol("bybit", config, "K").api_key, "");  // the key goes to CoinGlass only
  EXPECT_EQ(feed_protocol("binance", config, "").source, "binance");
  EXPECT_THROW(feed_protocol("kraken", config, ""), std::invalid_argument);
}

// ---- control frames ---------------------------------------------------------------------

TEST(FrameClassifiers, Bybit) {
  EXPECT_EQ(classify_bybit_frame(R"({"topic":"allLiquidation.BTCUSDT","type":"snapshot",)"
                                 R"("ts":1,"data":[]})")
                .kind,
            FeedFrameKind::data);
  EXPECT_EQ(classify_bybit_frame(R"({"success":true,"ret_msg":"pong","conn_id":"c",)"
                                 R"("req_id":"","op":"ping"})")
                .kind,
            FeedFrameKind::pong);
  EXPECT_EQ(classify_bybit_frame(R"({"success":true,"ret_msg":"","conn_id":"c","req_id":"",)"
                                 R"("op":"subscribe"})")
                .kind,
            FeedFrameKind::control);
  const FeedFrameClass refused = classify_bybit_frame(
      R"({"success":false,"ret_msg":"error:handler not found,topic:publicTrade.NOPE",)"
      R"("conn_id":"c","op":"subscribe"})");
  EXPECT_EQ(refused.kind, FeedFrameKind::refusal);
  EXPECT_EQ(refused.message, "error:handler not found,topic:publicTrade.NOPE");
  // Keys in another order are still recognised; garbage is left to the parser.
  EXPECT_EQ(classify_bybit_frame(R"( {"op":"subscribe","success":false})").kind,
            FeedFrameKind::refusal);
  EXPECT_EQ(classify_bybit_frame(R"({"type":"snapshot","topic":"x","data":[]})").kind,
            FeedFrameKind::data);
  EXPECT_EQ(classify_bybit_frame("not json").kind, FeedFrameKind::data);
}

TEST(FrameClassifiers, Binance) {
  EXPECT_EQ(
      classify_binance_frame(R"({"stream":"!forceOrder@arr","data":{"e":"forceOrder"}})").kind,
      FeedFrameKind::data);
  EXPECT_EQ(classify_binance_frame(R"({"result":null,"id":1})").kind, FeedFrameKind::control);
  const FeedFrameClass error = classify_binance_frame(R"({"code":2,"msg":"Invalid request"})");
  EXPECT_EQ(error.kind, FeedFrameKind::refusal);
  EXPECT_EQ(error.message, "2: Invalid request");
  EXPECT_EQ(classify_binance_frame(R"({"error":{"code":3,"msg":"Invalid stream"},"id":1})").message,
            "Invalid stream");
}

TEST(FrameClassifiers, Okx) {
  EXPECT_EQ(classify_okx_frame("pong").kind, FeedFrameKind::pong);
  EXPECT_EQ(classify_okx_frame(R"({"arg":{"channel":"trades","instId":"BTC-USDT-SWAP"},)"
                               R"("data":[]})")
                .kind,
            FeedFrameKind::data);
  EXPECT_EQ(classify_okx_frame(R"({"event":"subscribe","arg":{"channel":"liquidation-orders",)"
                               R"("instType":"SWAP"},"connId":"a"})")
                .kind,
            FeedFrameKind::control);
  const FeedFrameClass error = classify_okx_frame(
      R"({"event":"error","code":"60018","msg":"Wrong URL or channel:trades,instId:X",)"
      R"("connId":"a"})");
  EXPECT_EQ(error.kind, FeedFrameKind::refusal);
  EXPECT_EQ(error.message, "60018: Wrong URL or channel:trades,instId:X");
  const FeedFrameClass notice = classify_okx_frame(
      R"({"event":"notice","code":"64008","msg":"The connection will soon be closed",)"
      R"("connId":"a"})");
  EXPECT_EQ(notice.kind, FeedFrameKind::control);
  EXPECT_EQ(notice.message, "The connection will soon be closed");
}

TEST(FrameClassifiers, Coinglass) {
  EXPECT_EQ(classify_coinglass_frame("pong").kind, FeedFrameKind::pong);
  EXPECT_EQ(classify_coinglass_frame(" pong\n").kind, FeedFrameKind::pong);
  EXPECT_EQ(classify_coinglass_frame(R"({"channel":"liquidationOrders","data":[]})").kind,
            FeedFrameKind::data);
  const FeedFrameClass notice = classify_coinglass_frame("liquidationOrders need upgrade plan");
  EXPECT_EQ(notice.kind, FeedFrameKind::notice);
  EXPECT_EQ(notice.message, "liquidationOrders need upgrade plan");
  EXPECT_EQ(classify_coinglass_frame("").kind, FeedFrameKind::notice);
}

// ---- listeners --------------------------------------------------------------------------

struct Receiver : SourcedFeedListener {
  void on_frame(std::string_view source, std::string_view text, TimeMs) override {
    seen.push_back(std::string(source) + ":" + std::string(text));
  }
  void on_state(std::string_view source, std::size_t connection, ConnectionState state) override {
    seen.push_back(std::string(source) + ":" + std::to_string(connection) + ":" +
                   std::string(to_string(state)));
  }
  void on_alarm(std::string_view source, std::string_view what) override {
    seen.push_back(std::string(source) + ":alarm:" + std::string(what));
  }
  void on_gap(std::string_view source, const FeedGap& gap) override {
    seen.push_back(std::string(source) + ":gap:" + std::to_string(gap.length_ms()));
  }
  std::vector<std::string> seen;
};

TEST(SourceTagger, NamesTheSourceOfEveryCallback) {
  Receiver receiver;
  SourceTagger bybit(source_bybit, receiver);
  SourceTagger okx(source_okx, receiver);
  bybit.on_frame("{}", 1);
  okx.on_state(2, ConnectionState::live);
  okx.on_alarm("refused");
  bybit.on_gap(FeedGap{0, 10, 25, source_bybit});
  EXPECT_THAT(receiver.seen,
              ElementsAre("bybit:{}", "okx:2:live", "okx:alarm:refused", "bybit:gap:15"));
}

struct PaddedReceiver : Receiver {
  void on_padded_frame(std::string_view source, std::string_view text, TimeMs,
                       std::size_t readable) override {
    seen.push_back(std::string(source) + ":" + std::string(text) + ":" + std::to_string(readable));
  }
};

TEST(SourceTagger, PassesAFramesReadableBufferOnOrFallsBackToThePlainFrame) {
  PaddedReceiver padded;
  SourceTagger(source_binance, padded).on_padded_frame("{}", 1, 80);
  EXPECT_THAT(padded.seen, ElementsAre("binance:{}:80"));
  // A receiver that takes frames only plainly gets them that way.
  Receiver plain;
  SourceTagger(source_binance, plain).on_padded_frame("{}", 1, 80);
  EXPECT_THAT(plain.seen, ElementsAre("binance:{}"));
}

}  // namespace
}  // namespace teleglas
