// What the loader rejects, and how it says so: `FILE:LINE: key.path: message`, every problem
// of the file at once.
#include "teleglas/config/load.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "config_test_support.hpp"

namespace teleglas {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using namespace teleglas::testing;

TEST(ConfigLoad, ReportsAllProblemsWithLineNumbers) {
  EXPECT_THAT(
      reports(R"(coinglass:
  ping_interval_s: 0
  rest_url: ftp://example.com
analysis:
  stop_hunt:
    liquidation_usd: -5
  order_flow:
    buy_ratio_long: 1.5
storage:
  backend: mysql
nonsense: true
)"),
      ElementsAre("test.yaml:2: coinglass.ping_interval_s: must be > 0 and <= 3600, got 0",
                  "test.yaml:3: coinglass.rest_url: must be a https:// URL with a host, got "
                  "'ftp://example.com'",
                  "test.yaml:6: analysis.stop_hunt.liquidation_usd: must be > 0 and <= "
                  "1000000000000, got -5",
                  "test.yaml:8: analysis.order_flow.buy_ratio_long: must be >= 0 and <= 1, got 1.5",
                  "test.yaml:10: storage.backend: must be one of sqlite, postgres, got 'mysql'",
                  "test.yaml:11: nonsense: unknown key"));
}

TEST(ConfigLoad, UnknownKeyIsReportedAtItsLineWithASuggestion) {
  EXPECT_THAT(reports("analysis:\n  stop_hunt:\n    window_s: 20\n    liquidaton_usd: 5\n"),
              ElementsAre("test.yaml:4: analysis.stop_hunt.liquidaton_usd: unknown key (did you "
                          "mean 'liquidation_usd'?)"));
}

TEST(ConfigLoad, UnknownKeyFarFromAnyKnownKeyGetsNoSuggestion) {
  EXPECT_THAT(reports("telegram:\n  bot_token: secret\n"),
              ElementsAre("test.yaml:2: telegram.bot_token: unknown key"));
}

TEST(ConfigLoad, UnknownSectionIsReported) {
  EXPECT_THAT(reports("singals:\n  cooldown_s: 60\n"),
              ElementsAre("test.yaml:1: singals: unknown key (did you mean 'signals'?)"));
}

TEST(ConfigLoad, UnknownKeyInsideSymbolEntryIsReported) {
  EXPECT_THAT(reports("symbols:\n  - symbol: BTCUSDT\n  - symbol: ETHUSDT\n    exchange: [OKX]\n"),
              ElementsAre("test.yaml:4: symbols[1].exchange: unknown key (did you mean "
                          "'exchanges'?)"));
}

TEST(ConfigLoad, UnknownKeyInsideSymbolOverrideIsReported) {
  EXPECT_THAT(
      reports("symbols:\n  - symbol: BTCUSDT\n    analysis:\n      whale:\n        min_trade: 2\n"),
      ElementsAre("test.yaml:5: symbols[0].analysis.whale.min_trade: unknown key (did you mean "
                  "'min_trades'?)"));
}

TEST(ConfigLoad, RepeatedKeyIsReportedAndTheFirstWins) {
  const ConfigLoadResult result = load("logging:\n  level: debug\n  level: error\n");
  EXPECT_THAT(reports(result),
              ElementsAre("test.yaml:3: logging.level: duplicate key (the first one is used)"));
  EXPECT_EQ(result.config.logging.level, "debug");
}

TEST(ConfigLoad, StringWhereNumberExpectedIsATypeError) {
  EXPECT_THAT(reports("signals:\n  cooldown_s: five minutes\n"),
              ElementsAre("test.yaml:2: signals.cooldown_s: expected a number, got 'five "
                          "minutes'"));
}

TEST(ConfigLoad, QuotedNumberIsATypeError) {
  EXPECT_THAT(reports("buffers:\n  trades: \"500\"\n"),
              ElementsAre("test.yaml:2: buffers.trades: expected an integer, got the quoted "
                          "string '500'"));
}

TEST(ConfigLoad, FractionForAnIntegerIsATypeError) {
  EXPECT_THAT(reports("signals:\n  max_per_hour: 1.5\n"),
              ElementsAre("test.yaml:2: signals.max_per_hour: expected an integer, got '1.5'"));
}

TEST(ConfigLoad, KeyWithoutValueForANumberIsATypeError) {
  EXPECT_THAT(reports("signals:\n  max_per_hour:\n"),
              ElementsAre("test.yaml:2: signals.max_per_hour: expected an integer, got no "
                          "value"));
}

TEST(ConfigLoad, MapWhereListExpectedIsATypeError) {
  EXPECT_THAT(reports("telegram:\n  chat_ids: {main: 1}\n"),
              ElementsAre("test.yaml:2: telegram.chat_ids: expected a list, got a map"));
}

TEST(ConfigLoad, ListWhereStringExpectedIsATypeError) {
  EXPECT_THAT(reports("storage:\n  path: [a, b]\n"),
              ElementsAre("test.yaml:2: storage.path: expected a string, got a list"));
}

TEST(ConfigLoad, ScalarWhereSectionExpectedIsATypeError) {
  EXPECT_THAT(reports("analysis:\n  funding: 0.1\n"),
              ElementsAre("test.yaml:2: analysis.funding: expected a map, got '0.1'"));
}

TEST(ConfigLoad, EachBadListElementIsReportedByIndex) {
  EXPECT_THAT(reports("telegram:\n  chat_ids:\n    - 1\n    - 0\n    - me\n"),
              ElementsAre("test.yaml:4: telegram.chat_ids[1]: must be non-zero and within "
                          "+-10000000000000000, got 0",
                          "test.yaml:5: telegram.chat_ids[2]: expected an integer, got 'me'"));
}

TEST(ConfigLoad, SwitchesAreTrueOrFalseOnly) {
  EXPECT_FALSE(load("telegram:\n  commands: false\n").config.telegram.commands);
  EXPECT_TRUE(load("telegram:\n  commands: true\n").config.telegram.commands);
  EXPECT_THAT(reports("telegram:\n  commands: yes\n"),
              ElementsAre("test.yaml:2: telegram.commands: expected true or false, got 'yes'"));
  EXPECT_THAT(reports("telegram:\n  commands: [1]\n"),
              ElementsAre("test.yaml:2: telegram.commands: expected true or false, got a list"));
}

// Every numeric key has a range: a negative value and one of absurd size are both refused.
class NumericKeyRange : public ::testing::TestWithParam<const char*> {};

TEST_P(NumericKeyRange, RefusesNegativeAndAbsurdValues) {
  const std::string key = GetParam();
  for (const std::string value : {"-1", "10000000000000"}) {
    const ConfigLoadResult result = load(nested_yaml(key, value));
    ASSERT_THAT(result.problems, SizeIs(1)) << key << ": " << value;
    const ConfigProblem& problem = result.problems[0];
    EXPECT_EQ(problem.line, depth_of(key));
    EXPECT_EQ(problem.key_path, key);
    EXPECT_THAT(problem.message, ::testing::StartsWith("must be "));
    EXPECT_THAT(problem.message, ::testing::EndsWith(", got " + value));
  }
}

INSTANTIATE_TEST_SUITE_P(
    ConfigLoad, NumericKeyRange,
    ::testing::Values(
        "coinglass.ping_interval_s", "coinglass.pong_timeout_s", "coinglass.reconnect_initial_s",
        "coinglass.reconnect_max_s", "coinglass.funding_poll_s", "coinglass.oi_poll_s",
        "coinglass.channels_per_connection", "coinglass.max_frame_bytes",
        "analysis.stop_hunt.window_s", "analysis.stop_hunt.liquidation_usd",
        "analysis.stop_hunt.absorption_window_s", "analysis.stop_hunt.absorption_usd",
        "analysis.stop_hunt.large_trade_usd", "analysis.stop_hunt.min_confidence",
        "analysis.order_flow.window_s", "analysis.order_flow.eval_interval_s",
        "analysis.order_flow.buy_ratio_long", "analysis.order_flow.buy_ratio_short",
        "analysis.order_flow.min_large_trades", "analysis.order_flow.large_trade_usd",
        "analysis.order_flow.min_confidence", "analysis.cascade.window_s",
        "analysis.cascade.liquidation_usd", "analysis.cascade.min_events",
        "analysis.cascade.min_confidence", "analysis.whale.window_s",
        "analysis.whale.whale_trade_usd", "analysis.whale.min_trades",
        "analysis.whale.max_price_range_pct", "analysis.whale.min_confidence",
        "analysis.funding.extreme_rate_pct", "analysis.funding.min_confidence",
        "analysis.oi_divergence.min_spread_pct", "analysis.oi_divergence.min_open_interest_usd",
        "analysis.oi_divergence.min_confidence", "analysis.scoring.base",
        "analysis.scoring.absorption_bonus", "analysis.scoring.win_rate_min",
        "analysis.scoring.win_rate_bonus", "analysis.scoring.confirmation_bonus",
        "analysis.scoring.confirmation_window_s", "analysis.scoring.cap",
        "analysis.setup.reward_risk", "analysis.setup.stop_buffer_pct",
        "analysis.setup.min_risk_pct", "signals.cooldown_s", "signals.max_per_hour",
        "signals.min_confidence", "signals.gap_penalty", "signals.priority.urgent",
        "signals.priority.watch", "signals.priority.info", "buffers.liquidations", "buffers.trades",
        "telegram.max_per_minute", "telegram.max_alert_age_s", "telegram.poll_timeout_s",
        "telegram.outage_notice_s", "storage.retention_days"),
    [](const ::testing::TestParamInfo<const char*>& info) {
      std::string name = info.param;
      std::replace(name.begin(), name.end(), '.', '_');
      return name;
    });

TEST(ConfigLoad, BufferSizesMustBeBetweenOneAndAMillion) {
  EXPECT_THAT(reports("buffers:\n  liquidations: 0\n  trades: 1000001\n"),
              ElementsAre("test.yaml:2: buffers.liquidations: must be >= 1 and <= 1000000, got 0",
                          "test.yaml:3: buffers.trades: must be >= 1 and <= 1000000, got "
                          "1000001"));
  EXPECT_THAT(reports("buffers:\n  liquidations: 1\n  trades: 1000000\n"), IsEmpty());
}

TEST(ConfigLoad, NotANumberIsOutOfRange) {
  EXPECT_THAT(reports("analysis:\n  funding:\n    extreme_rate_pct: nan\n"),
              ElementsAre("test.yaml:3: analysis.funding.extreme_rate_pct: must be > 0 and <= "
                          "100, got nan"));
}

TEST(ConfigLoad, BuyRatioShortMustBeBelowBuyRatioLong) {
  EXPECT_THAT(reports("analysis:\n  order_flow:\n    buy_ratio_long: 0.5\n    buy_ratio_short: "
                      "0.5\n"),
              ElementsAre("test.yaml:4: analysis.order_flow.buy_ratio_short: must be less than "
                          "buy_ratio_long (0.5), got 0.5"));
}

TEST(ConfigLoad, PrioritiesMustBeOrderedInfoWatchUrgent) {
  EXPECT_THAT(reports("signals:\n  priority:\n    urgent: 70\n    info: 75\n"),
              ElementsAre("test.yaml:3: signals.priority.urgent: must be greater than watch "
                          "(70), got 70",
                          "test.yaml:4: signals.priority.info: must be less than watch (70), got "
                          "75"));
}

TEST(ConfigLoad, ScoringBaseMustNotExceedCap) {
  EXPECT_THAT(reports("analysis:\n  scoring:\n    base: 60\n    cap: 59\n"),
              ElementsAre("test.yaml:3: analysis.scoring.base: must be less than or equal to cap "
                          "(59), got 60"));
}

TEST(ConfigLoad, ReconnectInitialMustNotExceedReconnectMax) {
  EXPECT_THAT(reports("coinglass:\n  reconnect_max_s: 30\n  reconnect_initial_s: 45\n"),
              ElementsAre("test.yaml:3: coinglass.reconnect_initial_s: must be less than or equal "
                          "to reconnect_max_s (30), got 45"));
}

TEST(ConfigLoad, PingIntervalAndPongTimeoutMustBePositive) {
  EXPECT_THAT(reports("coinglass:\n  ping_interval_s: 0\n  pong_timeout_s: -1\n"),
              ElementsAre("test.yaml:2: coinglass.ping_interval_s: must be > 0 and <= 3600, got 0",
                          "test.yaml:3: coinglass.pong_timeout_s: must be > 0 and <= 3600, got "
                          "-1"));
}

TEST(ConfigLoad, TelegramMaxPerMinuteMustBeAtLeastOne) {
  EXPECT_THAT(reports("telegram:\n  max_per_minute: 0\n"),
              ElementsAre("test.yaml:2: telegram.max_per_minute: must be >= 1 and <= 1000, got 0"));
}

TEST(ConfigLoad, PostgresBackendNeedsAUrl) {
  EXPECT_THAT(reports("storage:\n  backend: postgres\n"),
              ElementsAre("test.yaml:1: storage.postgres_url: is required when backend is "
                          "postgres"));
  EXPECT_THAT(reports("storage:\n  backend: postgres\n  postgres_url: postgresql://db/teleglas\n"),
              IsEmpty());
}

TEST(ConfigLoad, SqliteBackendNeedsAPath) {
  EXPECT_THAT(reports("storage:\n  path: \"\"\n"),
              ElementsAre("test.yaml:2: storage.path: is required when backend is sqlite"));
}

TEST(ConfigLoad, OiDivergenceHorizonMustBeAReportedChangeField) {
  EXPECT_THAT(reports("analysis:\n  oi_divergence:\n    horizon: 2h\n"),
              ElementsAre("test.yaml:3: analysis.oi_divergence.horizon: must be one of 5m, 15m, "
                          "30m, 1h, 4h, 24h, got '2h'"));
  EXPECT_THAT(reports("analysis:\n  oi_divergence:\n    horizon: 4h\n"), IsEmpty());
}

TEST(ConfigLoad, LoggingLevelMustBeKnown) {
  EXPECT_THAT(reports("logging:\n  level: verbose\n"),
              ElementsAre("test.yaml:2: logging.level: must be one of trace, debug, info, warn, "
                          "error, critical, off, got 'verbose'"));
}

TEST(ConfigLoad, LogFileRotationLimitsAreBounded) {
  EXPECT_THAT(reports("logging:\n  max_size_mb: 0\n  max_files: 101\n"),
              ElementsAre("test.yaml:2: logging.max_size_mb: must be >= 1 and <= 10000, got 0",
                          "test.yaml:3: logging.max_files: must be >= 1 and <= 100, got 101"));
  EXPECT_THAT(reports("logging:\n  max_size_mb: 10000\n  max_files: 1\n"), IsEmpty());
}

TEST(ConfigLoad, HttpListenMustBeHostAndPort) {
  for (const char* bad : {"8080", "localhost", ":8080", "127.0.0.1:", "127.0.0.1:65536",
                          "127.0.0.1:80a", "::1:8080", "[::1]8080"}) {
    EXPECT_THAT(reports(std::string("http:\n  listen: \"") + bad + "\"\n"), SizeIs(1)) << bad;
  }
  for (const char* good : {"127.0.0.1:8080", "localhost:9100", "[::1]:8080", "127.0.0.1:0"}) {
    EXPECT_THAT(reports(std::string("http:\n  listen: \"") + good + "\"\n"), IsEmpty()) << good;
  }
}

TEST(ConfigLoad, HttpListenStaysOnLoopback) {
  EXPECT_THAT(reports("http:\n  listen: 0.0.0.0:8080\n"),
              ElementsAre("test.yaml:2: http.listen: must be on loopback (127.0.0.1, [::1] or "
                          "localhost): the health endpoint is not meant for the network, got "
                          "'0.0.0.0:8080'"));
  EXPECT_THAT(reports("http:\n  listen: \"[::]:8080\"\n"), SizeIs(1));
  EXPECT_THAT(reports("http:\n  listen: 127.0.0.2:8080\n"), IsEmpty());
}

TEST(ConfigLoad, UrlSchemesMatchTheirProtocol) {
  EXPECT_THAT(reports(R"(coinglass:
  ws_url: https://open-ws.coinglass.com/ws-api
  rest_url: wss://open-api-v4.coinglass.com
telegram:
  api_url: api.telegram.org
)"),
              ElementsAre("test.yaml:2: coinglass.ws_url: must be a wss:// URL with a "
                          "host, got 'https://open-ws.coinglass.com/ws-api'",
                          "test.yaml:3: coinglass.rest_url: must be a https:// URL "
                          "with a host, got 'wss://open-api-v4.coinglass.com'",
                          "test.yaml:5: telegram.api_url: must be a https:// URL with "
                          "a host, got 'api.telegram.org'"));
  EXPECT_THAT(reports("coinglass:\n  ws_url: wss://127.0.0.1:9000\n  rest_url: "
                      "https://127.0.0.1:9001\n"),
              IsEmpty());
}

TEST(ConfigLoad, ClearTextUrlsAreRefusedBecauseTheyWouldExposeSecrets) {
  EXPECT_THAT(reports("coinglass:\n  ws_url: ws://127.0.0.1:9000\n  rest_url: "
                      "http://127.0.0.1:9001\ntelegram:\n  api_url: http://127.0.0.1:8081\n"),
              ElementsAre("test.yaml:2: coinglass.ws_url: must be a wss:// URL with a host (plain "
                          "text would expose the API key or bot token), got 'ws://127.0.0.1:9000'",
                          "test.yaml:3: coinglass.rest_url: must be a https:// URL with a host "
                          "(plain text would expose the API key or bot token), got "
                          "'http://127.0.0.1:9001'",
                          "test.yaml:5: telegram.api_url: must be a https:// URL with a host "
                          "(plain text would expose the API key or bot token), got "
                          "'http://127.0.0.1:8081'"));
}

TEST(ConfigLoad, DuplicatedSymbolIsReported) {
  EXPECT_THAT(reports("symbols:\n  - symbol: BTCUSDT\n  - symbol: ETHUSDT\n  - symbol: BTCUSDT\n"),
              ElementsAre("test.yaml:4: symbols[2].symbol: duplicate symbol 'BTCUSDT' (first in "
                          "symbols[0])"));
}

TEST(ConfigLoad, SymbolNameMustBePresentAndNonEmpty) {
  EXPECT_THAT(reports("symbols:\n  - symbol: \"\"\n  - exchanges: [Binance]\n  - symbol: BTC "
                      "USDT\n"),
              ElementsAre("test.yaml:2: symbols[0].symbol: must not be empty, got ''",
                          "test.yaml:3: symbols[1].symbol: is required",
                          "test.yaml:4: symbols[2].symbol: must be a symbol name of at most 32 "
                          "bytes: letters, digits and - _ / . :, got 'BTC USDT'"));
}

TEST(ConfigLoad, SymbolsAndExchangesFollowTheParsersNameRules) {
  // A name the parser refuses could never match an event.
  EXPECT_THAT(reports("symbols:\n  - symbol: BTC@USDT\n  - symbol: ETHUSDT\n    exchanges: "
                      "[\"<b>OKX</b>\"]\n"),
              ElementsAre(HasSubstr("symbols[0].symbol: must be a symbol name"),
                          HasSubstr("symbols[1].exchanges[0]: must be an exchange name")));
  EXPECT_THAT(reports("symbols:\n  - symbol: 1000PEPEUSDT\n  - symbol: BTC-USDT-SWAP\n"
                      "    exchanges: [OKX]\n"),
              ::testing::IsEmpty());
}

TEST(ConfigLoad, SymbolNeedsAtLeastOneExchange) {
  EXPECT_THAT(reports("symbols:\n  - symbol: BTCUSDT\n    exchanges: []\n"),
              ElementsAre("test.yaml:3: symbols[0].exchanges: must list at least 1 value"));
}

TEST(ConfigLoad, LiquidationChannelsMustNotBeEmpty) {
  EXPECT_THAT(reports("coinglass:\n  liquidation_channels: [\"\"]\n"),
              ElementsAre("test.yaml:2: coinglass.liquidation_channels[0]: must not be empty, "
                          "got ''"));
}

TEST(ConfigLoad, BonusTiersMustIncreaseAndNameBothFields) {
  EXPECT_THAT(reports(R"(analysis:
  scoring:
    one_sided_tiers:
      - {above: 0.8, points: 15}
      - {above: 0.7, points: 10}
      - {points: 20}
)"),
              ElementsAre("test.yaml:5: analysis.scoring.one_sided_tiers[1].above: must be "
                          "greater than the previous tier's (0.8), got 0.7",
                          "test.yaml:6: analysis.scoring.one_sided_tiers[2].above: is "
                          "required"));
}

// yaml-cpp quotes the offending byte in some messages; a report is still one line.
TEST(ConfigLoad, ControlCharactersInReportsAreReplaced) {
  EXPECT_THAT(reports("a: \"\\\n\"\nb: \"\\\x0e\"\n"),
              ElementsAre("test.yaml:3: (syntax): unknown escape character: ?"));
  EXPECT_THAT(reports("\"bad\\tkey\": 1\n"), ElementsAre("test.yaml:1: bad?key: unknown key"));
}

}  // namespace
}  // namespace teleglas
