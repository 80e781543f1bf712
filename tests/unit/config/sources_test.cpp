// The exchange stream sections (bybit, binance, okx) and the `sources` list: defaults, every
// key read, bad values reported as FILE:LINE, and which sources and symbols a run uses.
#include "teleglas/config/sources.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_test_support.hpp"
#include "teleglas/config/load.hpp"

namespace teleglas {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace teleglas::testing;

TEST(SourcesConfig, DefaultsAreTheIssuesInterface) {
  const Config c;
  EXPECT_TRUE(c.sources.empty());
  EXPECT_EQ(c.bybit.ws_url, "wss://stream.bybit.com/v5/public/linear");
  EXPECT_EQ(c.binance.ws_url, "wss://fstream.binance.com/market/stream");
  EXPECT_EQ(c.okx.ws_url, "wss://ws.okx.com:8443/ws/v5/public");
  EXPECT_EQ(c.okx.rest_url, "https://www.okx.com");
  const std::vector<const ExchangeStreamConfig*> streams = {&c.bybit, &c.binance, &c.okx};
  for (const ExchangeStreamConfig* s : streams) {
    EXPECT_EQ(s->ca_file, "");
    EXPECT_TRUE(s->symbols.empty());
    EXPECT_TRUE(s->trades);
    EXPECT_EQ(s->ping_interval_s, 20);
    EXPECT_EQ(s->pong_timeout_s, 10);
    EXPECT_EQ(s->reconnect_initial_s, 1);
    EXPECT_EQ(s->reconnect_max_s, 60);
  }
  EXPECT_EQ(c.binance.max_connection_age_s, 82'800);
}

// The example of the issue's Interface, which held-out checks write.
TEST(SourcesConfig, InterfaceExampleLoadsEveryKey) {
  const ConfigLoadResult result = load(R"(sources: [bybit, binance, okx]
bybit:
  ws_url: wss://127.0.0.1:9001/v5/public/linear
  ca_file: /tmp/ca.pem
  symbols: [BTCUSDT, ETHUSDT]
  trades: false
  ping_interval_s: 5
  pong_timeout_s: 3
  reconnect_initial_s: 0.5
  reconnect_max_s: 30
binance:
  ws_url: wss://127.0.0.1:9002/market/stream
  ca_file: /tmp/ca2.pem
  symbols: [SOLUSDT]
  trades: false
  ping_interval_s: 15
  pong_timeout_s: 4
  max_connection_age_s: 3600
  reconnect_initial_s: 2
  reconnect_max_s: 20
okx:
  ws_url: wss://127.0.0.1:9003/ws/v5/public
  rest_url: https://127.0.0.1:9004
  ca_file: /tmp/ca3.pem
  symbols: [BTCUSDC, ETH-USDT-SWAP]
  trades: false
  ping_interval_s: 25
  pong_timeout_s: 5
  reconnect_initial_s: 0.25
  reconnect_max_s: 10
)");
  ASSERT_THAT(reports(result), IsEmpty());
  const Config& c = result.config;
  EXPECT_THAT(c.sources, ElementsAre("bybit", "binance", "okx"));

  EXPECT_EQ(c.bybit.ws_url, "wss://127.0.0.1:9001/v5/public/linear");
  EXPECT_EQ(c.bybit.ca_file, "/tmp/ca.pem");
  EXPECT_THAT(c.bybit.symbols, ElementsAre("BTCUSDT", "ETHUSDT"));
  EXPECT_FALSE(c.bybit.trades);
  EXPECT_EQ(c.bybit.ping_interval_s, 5);
  EXPECT_EQ(c.bybit.pong_timeout_s, 3);
  EXPECT_EQ(c.bybit.reconnect_initial_s, 0.5);
  EXPECT_EQ(c.bybit.reconnect_max_s, 30);

  EXPECT_EQ(c.binance.ws_url, "wss://127.0.0.1:9002/market/stream");
  EXPECT_EQ(c.binance.ca_file, "/tmp/ca2.pem");
  EXPECT_THAT(c.binance.symbols, ElementsAre("SOLUSDT"));
  EXPECT_FALSE(c.binance.trades);
  EXPECT_EQ(c.binance.ping_interval_s, 15);
  EXPECT_EQ(c.binance.pong_timeout_s, 4);
  EXPECT_EQ(c.binance.max_connection_age_s, 3600);
  EXPECT_EQ(c.binance.reconnect_initial_s, 2);
  EXPECT_EQ(c.binance.reconnect_max_s, 20);

  EXPECT_EQ(c.okx.ws_url, "wss://127.0.0.1:9003/ws/v5/public");
  EXPECT_EQ(c.okx.rest_url, "https://127.0.0.1:9004");
  EXPECT_EQ(c.okx.ca_file, "/tmp/ca3.pem");
  EXPECT_THAT(c.okx.symbols, ElementsAre("BTCUSDC", "ETH-USDT-SWAP"));
  EXPECT_FALSE(c.okx.trades);
  EXPECT_EQ(c.okx.ping_interval_s, 25);
  EXPECT_EQ(c.okx.pong_timeout_s, 5);
  EXPECT_EQ(c.okx.reconnect_initial_s, 0.25);
  EXPECT_EQ(c.okx.reconnect_max_s, 10);
}

TEST(SourcesConfig, UnknownSourceIsReportedAtItsElement) {
  EXPECT_THAT(reports("sources:\n  - bybit\n  - kraken\n"),
              ElementsAre("test.yaml:3: sources[1]: must be one of coinglass, bybit, binance, okx, "
                          "got 'kraken'"));
}

TEST(SourcesConfig, UnknownSourceLeavesTheAutomaticDefault) {
  EXPECT_TRUE(load("sources: [bybit, ftx]\n").config.sources.empty());
}

TEST(SourcesConfig, RepeatedSourceIsReportedAtTheRepeat) {
  EXPECT_THAT(reports("sources:\n  - okx\n  - bybit\n  - okx\n"),
              ElementsAre("test.yaml:4: sources[2]: repeats 'okx' (first at [0])"));
}

TEST(SourcesConfig, SourcesMustBeAList) {
  EXPECT_THAT(reports("sources: bybit\n"),
              ElementsAre("test.yaml:1: sources: expected a list, got 'bybit'"));
}

TEST(SourcesConfig, EmptyListMeansAutomatic) {
  const ConfigLoadResult result = load("sources: []\n");
  EXPECT_THAT(reports(result), IsEmpty());
  EXPECT_TRUE(result.config.sources.empty());
}

TEST(SourcesConfig, BadValuesAreReportedWithTheirLines) {
  EXPECT_THAT(reports(R"(bybit:
  ws_url: ws://stream.bybit.com/v5/public/linear
  ping_interval_s: 0
  trades: yes
binance:
  max_connection_age_s: 86400
  pong_timeout_s: -1
  symbols: [BTC USDT]
okx:
  rest_url: http://www.okx.com
  ping_interval_s: 30
  reconnect_initial_s: 90
  reconnect_max_s: 60
)"),
              ElementsAre("test.yaml:2: bybit.ws_url: must be a wss:// URL with a host (plain "
                          "text would expose the API key or bot token), got "
                          "'ws://stream.bybit.com/v5/public/linear'",
                          "test.yaml:3: bybit.ping_interval_s: must be > 0 and <= 3600, got 0",
                          "test.yaml:4: bybit.trades: expected true or false, got 'yes'",
                          "test.yaml:6: binance.max_connection_age_s: must be >= 60 and <= "
                          "86340, got 86400",
                          "test.yaml:7: binance.pong_timeout_s: must be > 0 and <= 3600, got -1",
                          "test.yaml:8: binance.symbols[0]: must be a symbol name of at most 32 "
                          "bytes: letters, digits and - _ / . :, got 'BTC USDT'",
                          "test.yaml:10: okx.rest_url: must be a https:// URL with a host (plain "
                          "text would expose the API key or bot token), got 'http://www.okx.com'",
                          "test.yaml:11: okx.ping_interval_s: must be less than 30: OKX drops a "
                          "connection that received nothing for 30 s",
                          "test.yaml:12: okx.reconnect_initial_s: must be less than or equal to "
                          "reconnect_max_s (60), got 90"));
}

TEST(SourcesConfig, RepeatedVenueSymbolIsReported) {
  EXPECT_THAT(reports("okx:\n  symbols: [BTCUSDT, ETHUSDT, BTCUSDT]\n"),
              ElementsAre("test.yaml:2: okx.symbols[2]: repeats 'BTCUSDT' (first at [0])"));
}

TEST(SourcesConfig, UnknownKeyInAVenueSectionGetsASuggestion) {
  EXPECT_THAT(reports("binance:\n  max_connection_age: 3600\n"),
              ElementsAre("test.yaml:2: binance.max_connection_age: unknown key (did you mean "
                          "'max_connection_age_s'?)"));
}

TEST(SourcesConfig, OkxPingBelowItsThirtySecondCutIsAccepted) {
  const ConfigLoadResult result = load("okx:\n  ping_interval_s: 29.5\n");
  EXPECT_THAT(reports(result), IsEmpty());
  EXPECT_EQ(result.config.okx.ping_interval_s, 29.5);
}

TEST(ResolveSources, AutomaticIsCoinglassWithItsKey) {
  EXPECT_THAT(resolve_sources(Config{}, true), ElementsAre("coinglass"));
}

TEST(ResolveSources, AutomaticIsBybitAndBinanceWithoutAKey) {
  EXPECT_THAT(resolve_sources(Config{}, false), ElementsAre("bybit", "binance"));
}

TEST(ResolveSources, AConfiguredListIsUsedAsWrittenWithOrWithoutAKey) {
  Config c;
  c.sources = {"okx", "coinglass"};
  EXPECT_THAT(resolve_sources(c, false), ElementsAre("okx", "coinglass"));
  EXPECT_THAT(resolve_sources(c, true), ElementsAre("okx", "coinglass"));
}

TEST(StreamSymbols, DefaultIsTheTopLevelSymbolsNamesWithoutRepeats) {
  std::vector<SymbolConfig> symbols(3);
  symbols[0].symbol = "BTCUSDT";
  symbols[1].symbol = "ETHUSDT";
  symbols[2].symbol = "BTCUSDT";
  EXPECT_THAT(stream_symbols(BybitConfig{}, symbols), ElementsAre("BTCUSDT", "ETHUSDT"));
  EXPECT_THAT(stream_symbols(BybitConfig{}, {}), IsEmpty());
}

TEST(StreamSymbols, AVenuesOwnListWins) {
  OkxConfig okx;
  okx.symbols = {"SOLUSDT", "BTC-USDT-SWAP"};
  EXPECT_THAT(stream_symbols(okx, Config{}.symbols), ElementsAre("SOLUSDT", "BTC-USDT-SWAP"));
}

}  // namespace
}  // namespace teleglas
