#include "teleglas/net/subscriptions.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace teleglas {
namespace {

using ::testing::ElementsAre;

SymbolConfig symbol(std::string name, std::vector<std::string> exchanges, double min_usd) {
  SymbolConfig s;
  s.symbol = std::move(name);
  s.exchanges = std::move(exchanges);
  s.min_trade_usd = min_usd;
  return s;
}

TEST(Subscriptions, TradeChannelUsesTheMinimumAsWholeDollars) {
  EXPECT_EQ(trade_channel("Binance", "BTCUSDT", 10'000), "futures_trades@Binance_BTCUSDT@10000");
  EXPECT_EQ(trade_channel("OKX", "ETHUSDT", 2'500.4), "futures_trades@OKX_ETHUSDT@2500");
  EXPECT_EQ(trade_channel("OKX", "ETHUSDT", 2'500.6), "futures_trades@OKX_ETHUSDT@2501");
  EXPECT_EQ(trade_channel("OKX", "ETHUSDT", -1), "futures_trades@OKX_ETHUSDT@0");
}

TEST(Subscriptions, LiquidationChannelsFirstThenOneTradeChannelPerSymbolAndExchange) {
  CoinglassConfig config;
  config.liquidation_channels = {"liquidationOrders"};
  const auto channels = feed_channels(
      config, {symbol("BTCUSDT", {"Binance", "OKX"}, 10'000), symbol("ETHUSDT", {"Bybit"}, 5'000)});
  EXPECT_THAT(channels,
              ElementsAre("liquidationOrders", "futures_trades@Binance_BTCUSDT@10000",
                          "futures_trades@OKX_BTCUSDT@10000", "futures_trades@Bybit_ETHUSDT@5000"));
}

TEST(Subscriptions, DuplicateChannelsAreSubscribedOnce) {
  CoinglassConfig config;
  config.liquidation_channels = {"liquidationOrders", "liquidationOrders"};
  const auto channels = feed_channels(config, {symbol("BTCUSDT", {"Binance", "Binance"}, 10'000),
                                               symbol("BTCUSDT", {"Binance"}, 10'000)});
  EXPECT_THAT(channels, ElementsAre("liquidationOrders", "futures_trades@Binance_BTCUSDT@10000"));
}

TEST(Subscriptions, NoSymbolsMeansLiquidationsOnly) {
  CoinglassConfig config;
  config.liquidation_channels = {"liquidation_orders"};
  EXPECT_THAT(feed_channels(config, {}), ElementsAre("liquidation_orders"));
}

TEST(Subscriptions, GroupsHoldAtMostChannelsPerConnectionInOrder) {
  const std::vector<std::string> channels = {"a", "b", "c", "d", "e"};
  const auto groups = group_channels(channels, 2);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_THAT(groups[0], ElementsAre("a", "b"));
  EXPECT_THAT(groups[1], ElementsAre("c", "d"));
  EXPECT_THAT(groups[2], ElementsAre("e"));
}

TEST(Subscriptions, NonPositiveGroupSizePutsEverythingOnOneConnection) {
  const std::vector<std::string> channels = {"a", "b", "c"};
  ASSERT_EQ(group_channels(channels, 0).size(), 1u);
  EXPECT_THAT(group_channels(channels, -4)[0], ElementsAre("a", "b", "c"));
  EXPECT_TRUE(group_channels({}, 50).empty());
}

TEST(Subscriptions, SubscribeMessageIsTheDocumentedJson) {
  EXPECT_EQ(subscribe_message({"liquidationOrders"}),
            R"({"method":"subscribe","channels":["liquidationOrders"]})");
  EXPECT_EQ(unsubscribe_message({"a", "b"}), R"({"method":"unsubscribe","channels":["a","b"]})");
  EXPECT_EQ(subscribe_message({}), R"({"method":"subscribe","channels":[]})");
}

TEST(Subscriptions, SubscribeMessageEscapesChannelNames) {
  const std::string odd = "quote\" back\\slash\nnewline\x01";
  const std::string message = subscribe_message({odd});
  const auto parsed = boost::json::parse(message);
  EXPECT_EQ(parsed.at("channels").at(0).as_string(), odd);
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace teleglas
