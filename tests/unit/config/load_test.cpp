// What a configuration file means: defaults, values, per-symbol overrides, files on disk.
#include "teleglas/config/load.hpp"
#include "teleglas/config/reference.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <unistd.h>

#include "config_test_support.hpp"

namespace teleglas {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace teleglas::testing;

const std::string shipped_example = TELEGLAS_SOURCE_DIR "/config/teleglas.yaml";

TEST(ConfigLoad, EmptyDocumentYieldsDefaults) {
  const ConfigLoadResult result = load("");
  EXPECT_THAT(reports(result), IsEmpty());
  EXPECT_EQ(result.config, Config{});
}

TEST(ConfigLoad, CommentOnlyDocumentYieldsDefaults) {
  const ConfigLoadResult result = load("# nothing configured yet\n\n   # still nothing\n");
  EXPECT_THAT(reports(result), IsEmpty());
  EXPECT_EQ(result.config, Config{});
}

TEST(ConfigLoad, EmptySectionKeepsItsDefaults) {
  const ConfigLoadResult result = load("analysis:\n  # stop_hunt:\n  #   window_s: 10\nstorage:\n");
  EXPECT_THAT(reports(result), IsEmpty());
  EXPECT_EQ(result.config, Config{});
}

TEST(ConfigLoad, ShippedExampleIsValid) {
  const ConfigLoadResult result = load_config_file(shipped_example);
  EXPECT_THAT(reports(result), IsEmpty());
}

// The shipped file writes every default out, so loading it changes nothing; a difference is
// named by key.
TEST(ConfigLoad, ShippedExampleEqualsTheStructDefaults) {
  const Config shipped = load_config_file(shipped_example).config;
  std::map<std::string, std::string> defaults;
  for (const ConfigKey& key : describe_config()) defaults[key.path] = key.value;
  for (const ConfigKey& key : describe_config(shipped)) {
    if (key.is_map()) continue;  // its keys are compared one by one
    EXPECT_EQ(key.value, defaults[key.path])
        << key.path << ": the shipped example gives " << key.value << ", the default is "
        << defaults[key.path];
  }
  EXPECT_TRUE(shipped == Config{}) << "the shipped example differs from the defaults";
}

// Each key the loader reads is written in the shipped example, and no other (list elements as
// "[]"; a symbol's `analysis` takes the keys of the global one).
TEST(ConfigLoad, ShippedExampleSetsEveryKeyTheLoaderReads) {
  std::map<std::string, ConfigKey> known;
  for (ConfigKey& key : describe_config()) known.emplace(key.path, std::move(key));
  std::set<std::string> written;
  for (const DocumentedKey& key : documented_keys(read_file(shipped_example))) {
    std::string path = key.path;
    for (const auto& [override_path, override_key] : known) {
      if (!override_key.same_keys_as.empty() && path.starts_with(override_path + ".")) {
        path = override_key.same_keys_as + path.substr(override_path.size());
      }
    }
    EXPECT_TRUE(known.contains(path)) << shipped_example << ":" << key.line << ": " << key.path
                                      << " is not a key the loader reads";
    written.insert(path);
  }
  for (const auto& [path, key] : known) {
    EXPECT_TRUE(written.contains(path)) << path << " is not in the shipped example";
  }
}

// The example of DESIGN.md §6, which outside checks write.
TEST(ConfigLoad, DesignExampleLoadsWithoutProblems) {
  const ConfigLoadResult result = load(R"(coinglass:
  ws_url: wss://open-ws.coinglass.com/ws-api
  rest_url: https://open-api-v4.coinglass.com
  ca_file: ""            # extra PEM CA to trust (tests); empty = system store only
  ping_interval_s: 20
  pong_timeout_s: 10
  reconnect_initial_s: 1
  reconnect_max_s: 60
  funding_poll_s: 60
  oi_poll_s: 60
  record_path: ""        # when set, every received frame is appended here, verbatim + "\n"
symbols:
  - symbol: BTCUSDT
    exchanges: [Binance]
    min_trade_usd: 10000
telegram:
  api_url: https://api.telegram.org
  ca_file: ""
  chat_ids: [123456789]
  max_per_minute: 20
storage:
  backend: sqlite        # or postgres
  path: data/teleglas.db
  postgres_url: ""
  retention_days: 7
http:
  listen: 127.0.0.1:8080
)");
  EXPECT_THAT(reports(result), IsEmpty());
  EXPECT_THAT(result.config.telegram.chat_ids, ElementsAre(123456789));
  Config expected;
  expected.telegram.chat_ids = {123456789};
  EXPECT_EQ(result.config, expected);
}

TEST(ConfigLoad, ReadsEveryKindOfValue) {
  const ConfigLoadResult result = load(R"(coinglass:
  ws_url: wss://127.0.0.1:9000/ws
  liquidation_channels: [liquidation_orders, liquidationOrders]
  max_frame_bytes: 65536
analysis:
  stop_hunt:
    liquidation_usd: 2.5e6
  scoring:
    volume_tiers:
      - {above: 1000000, points: 5}
      - above: 4000000
        points: 30
signals:
  priority: {urgent: 90}
telegram:
  chat_ids: [-1001234567890, 42]
logging:
  level: debug
  max_size_mb: 50
  max_files: 3
)");
  ASSERT_THAT(reports(result), IsEmpty());
  const Config& c = result.config;
  EXPECT_EQ(c.coinglass.ws_url, "wss://127.0.0.1:9000/ws");
  EXPECT_THAT(c.coinglass.liquidation_channels,
              ElementsAre("liquidation_orders", "liquidationOrders"));
  EXPECT_EQ(c.coinglass.max_frame_bytes, 65536);
  EXPECT_EQ(c.analysis.stop_hunt.liquidation_usd, 2'500'000);
  EXPECT_THAT(c.analysis.scoring.volume_tiers,
              ElementsAre(BonusTier{1'000'000, 5}, BonusTier{4'000'000, 30}));
  EXPECT_EQ(c.signals.priority.urgent, 90);
  EXPECT_EQ(c.signals.priority.watch, 70);
  EXPECT_THAT(c.telegram.chat_ids, ElementsAre(-1001234567890, 42));
  EXPECT_EQ(c.logging.level, "debug");
  EXPECT_EQ(c.logging.max_size_mb, 50);
  EXPECT_EQ(c.logging.max_files, 3);
}

TEST(ConfigLoad, KeyWithoutValueIsAnEmptyStringOrList) {
  const ConfigLoadResult result = load("coinglass:\n  record_path:\ntelegram:\n  chat_ids:\n");
  EXPECT_THAT(reports(result), IsEmpty());
  EXPECT_EQ(result.config.coinglass.record_path, "");
  EXPECT_THAT(result.config.telegram.chat_ids, IsEmpty());
}

TEST(ConfigLoad, InvalidValueLeavesTheDefaultInPlace) {
  const ConfigLoadResult result = load("analysis:\n  stop_hunt:\n    window_s: -1\n");
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.config.analysis.stop_hunt.window_s, 30);
}

TEST(ConfigLoad, SymbolOverrideAppliesOnTopOfGlobalAnalysis) {
  const ConfigLoadResult result = load(R"(analysis:
  stop_hunt:
    liquidation_usd: 3000000
    absorption_usd: 200000
symbols:
  - symbol: ETHUSDT
    analysis:
      stop_hunt:
        liquidation_usd: 1000000
  - symbol: BTCUSDT
)");
  ASSERT_THAT(reports(result), IsEmpty());
  const Config& c = result.config;
  EXPECT_EQ(c.analysis.stop_hunt.liquidation_usd, 3'000'000);
  const AnalysisConfig& eth = c.analysis_for("ETHUSDT");
  EXPECT_EQ(eth.stop_hunt.liquidation_usd, 1'000'000);
  EXPECT_EQ(eth.stop_hunt.absorption_usd, 200'000);
  EXPECT_EQ(eth.stop_hunt.window_s, 30);
  EXPECT_EQ(c.analysis_for("BTCUSDT"), c.analysis);
  EXPECT_EQ(c.analysis_for("SOLUSDT"), c.analysis);
}

TEST(ConfigLoad, SymbolOverrideSeesGlobalAnalysisWrittenAfterIt) {
  const ConfigLoadResult result = load(R"(symbols:
  - symbol: ETHUSDT
    analysis:
      order_flow: {buy_ratio_long: 0.7}
analysis:
  order_flow: {buy_ratio_short: 0.2, window_s: 600}
)");
  ASSERT_THAT(reports(result), IsEmpty());
  const OrderFlowConfig& eth = result.config.analysis_for("ETHUSDT").order_flow;
  EXPECT_EQ(eth.buy_ratio_long, 0.7);
  EXPECT_EQ(eth.buy_ratio_short, 0.2);
  EXPECT_EQ(eth.window_s, 600);
}

TEST(ConfigLoad, DefaultSymbolFollowsGlobalAnalysis) {
  const ConfigLoadResult result = load("analysis:\n  whale:\n    min_trades: 5\n");
  ASSERT_THAT(reports(result), IsEmpty());
  ASSERT_EQ(result.config.symbols.size(), 1u);
  EXPECT_EQ(result.config.symbols[0].symbol, "BTCUSDT");
  EXPECT_EQ(result.config.analysis_for("BTCUSDT").whale.min_trades, 5);
}

TEST(ConfigLoad, SymbolEntryDefaultsToBinanceAndTenThousandDollars) {
  const ConfigLoadResult result = load("symbols:\n  - symbol: SOLUSDT\n");
  ASSERT_THAT(reports(result), IsEmpty());
  ASSERT_EQ(result.config.symbols.size(), 1u);
  EXPECT_THAT(result.config.symbols[0].exchanges, ElementsAre("Binance"));
  EXPECT_EQ(result.config.symbols[0].min_trade_usd, 10'000);
}

TEST(ConfigLoad, EmptySymbolListMeansNoTradeSubscriptions) {
  const ConfigLoadResult result = load("symbols: []\n");
  EXPECT_THAT(reports(result), IsEmpty());
  EXPECT_THAT(result.config.symbols, IsEmpty());
}

TEST(ConfigLoad, SymbolOverrideProblemsCarryTheEntryPath) {
  EXPECT_THAT(reports(R"(symbols:
  - symbol: BTCUSDT
  - symbol: ETHUSDT
    analysis:
      order_flow:
        buy_ratio_long: 0.3
        min_confidence: 101
)"),
              ElementsAre("test.yaml:6: symbols[1].analysis.order_flow.buy_ratio_long: must be "
                          "greater than buy_ratio_short (0.35), got 0.3",
                          "test.yaml:7: symbols[1].analysis.order_flow.min_confidence: must be "
                          ">= 0 and <= 100, got 101"));
}

TEST(ConfigLoad, ProblemToStringIsFileLineKeyPathMessage) {
  const ConfigProblem problem{"etc/teleglas.yaml", 12, "signals.priority.urgent", "must be ..."};
  EXPECT_EQ(problem.to_string(), "etc/teleglas.yaml:12: signals.priority.urgent: must be ...");
}

TEST(ConfigLoad, SyntaxErrorIsOneProblemWithItsLine) {
  EXPECT_THAT(reports("coinglass:\n  ping_interval_s: 20\n  channels: [a, b\n"),
              ElementsAre("test.yaml:4: (syntax): end of sequence flow not found"));
}

TEST(ConfigLoad, DocumentThatIsNotAMapIsAProblem) {
  EXPECT_THAT(reports("- coinglass\n- symbols\n"),
              ElementsAre("test.yaml:1: (root): expected a map of sections (coinglass, symbols, "
                          "analysis, ...)"));
}

TEST(ConfigLoad, MissingFileIsAProblemAtLineZero) {
  EXPECT_THAT(reports(load_config_file("/nonexistent/teleglas.yaml")),
              ElementsAre("/nonexistent/teleglas.yaml:0: (file): cannot read: No such file or "
                          "directory"));
}

TEST(ConfigLoad, DirectoryIsNotAReadableFile) {
  EXPECT_THAT(reports(load_config_file(TELEGLAS_SOURCE_DIR)),
              ElementsAre(std::string(TELEGLAS_SOURCE_DIR) + ":0: (file): cannot read: is a "
                                                             "directory"));
}

TEST(ConfigLoad, FileProblemsNameTheFile) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("teleglas_config_test_" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(path) << "http:\n  listen: 8080\n";
  const ConfigLoadResult result = load_config_file(path.string());
  std::filesystem::remove(path);
  EXPECT_THAT(
      reports(result),
      ElementsAre(path.string() + ":2: http.listen: must be HOST:PORT with PORT 0..65535 (e.g. "
                                  "127.0.0.1:8080), got '8080'"));
}

}  // namespace
}  // namespace teleglas
