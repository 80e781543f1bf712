// The live feed against the simulated CoinGlass: real TLS WebSockets on 127.0.0.1, the client
// trusting the test CA through ca_file, every scenario bounded by a deadline on io.run_for.

#include "teleglas/net/ws_feed.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "feed_test_support.hpp"
#include "teleglas/net/subscriptions.hpp"
#include "teleglas/net/tls_identity.hpp"
#include "teleglas/simserver/coinglass_server.hpp"

namespace teleglas {
namespace {

using namespace std::chrono_literals;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

// Distinctive, so that finding it anywhere it should not be is unambiguous.
constexpr std::string_view fake_key = "FAKEKEY-9b1e4c7a-must-never-be-logged";
constexpr std::string_view plan_notice = "liquidationOrders need upgrade plan";

std::string liquidation_frame(int i) {
  return R"({"channel":"liquidationOrders","data":[{"baseAsset":"BTC","exName":"Binance",)"
         R"("price":56738.0,"side":2,"symbol":"BTCUSDT","time":)" +
         std::to_string(1725416318379 + i) + R"(,"volUsd":)" + std::to_string(1000 + i) + "}]}";
}

std::vector<std::string> liquidation_frames(int count) {
  std::vector<std::string> frames;
  for (int i = 0; i < count; ++i) frames.push_back(liquidation_frame(i));
  return frames;
}

class WsFeedTest : public testing::FeedTestBase {
 protected:
  void TearDown() override {
    // Whatever the scenario, the key is in no log line, alarm or frame we produced.
    for (const auto& line : log_lines_) EXPECT_THAT(line, Not(HasSubstr(fake_key)));
    for (const auto& alarm : listener_.alarms) EXPECT_THAT(alarm, Not(HasSubstr(fake_key)));
    FeedTestBase::TearDown();
  }

  SimCoinglassOptions server_options(std::vector<std::string> frames = {}) const {
    SimCoinglassOptions options;
    options.identity = *identity_;
    options.frames = std::move(frames);
    return options;
  }

  CoinglassConfig config_for(const SimCoinglassServer& server) const {
    CoinglassConfig config;
    config.ws_url = server.ws_url();
    config.ca_file = ca_path_.string();
    config.ping_interval_s = 0.05;
    config.pong_timeout_s = 0.1;
    config.reconnect_initial_s = 0.05;
    config.reconnect_max_s = 0.2;
    config.liquidation_channels = {"liquidationOrders"};
    return config;
  }
};

TEST(ConnectionState, NamesForLogsAndHealth) {
  EXPECT_EQ(to_string(ConnectionState::connecting), "connecting");
  EXPECT_EQ(to_string(ConnectionState::subscribing), "subscribing");
  EXPECT_EQ(to_string(ConnectionState::live), "live");
  EXPECT_EQ(to_string(ConnectionState::backing_off), "backing_off");
  EXPECT_EQ(to_string(ConnectionState::stopped), "stopped");
}

TEST_F(WsFeedTest, BadUrlFailsAtStartupWithoutQuotingTheKey) {
  CoinglassConfig config;
  config.ws_url = "https://example.com/ws?cg-api-key=" + std::string(fake_key);
  try {
    WsFeed feed(io_, config, {}, std::string(fake_key), listener_, feed_options());
    FAIL() << "accepted a non-WebSocket URL";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("coinglass.ws_url"));
    EXPECT_THAT(e.what(), Not(HasSubstr(fake_key)));
  }
}

TEST_F(WsFeedTest, PlainWsIsRefusedBecauseTheKeyWouldTravelInClearText) {
  CoinglassConfig config;
  config.ws_url = "ws://127.0.0.1:1/ws-api";
  EXPECT_THROW(WsFeed(io_, config, {}, std::string(fake_key), listener_, feed_options()),
               std::invalid_argument);
}

TEST_F(WsFeedTest, UnreadableCaFileFailsAtStartup) {
  CoinglassConfig config;
  config.ca_file = "/nonexistent/teleglas-ca.pem";
  EXPECT_THROW(WsFeed(io_, config, {}, std::string(fake_key), listener_, feed_options()),
               std::runtime_error);
}

TEST_F(WsFeedTest, SubscribesItsChannelsAndSendsTheKeyOnlyInTheUpgradeTarget) {
  SimCoinglassServer server(io_, server_options());
  CoinglassConfig config = config_for(server);
  SymbolConfig btc;
  btc.symbol = "BTCUSDT";
  btc.exchanges = {"Binance", "OKX"};
  btc.min_trade_usd = 10'000;
  WsFeed feed(io_, config, {btc}, std::string(fake_key), listener_, feed_options());
  feed.start();
  ASSERT_TRUE(
      run_until([&] { return feed.stats().connections[0].state == ConnectionState::live; }));
  ASSERT_TRUE(run_until([&] { return !server.record().ws_messages.empty(); }));

  const SimCoinglassRecord record = server.record();
  ASSERT_EQ(record.ws_targets.size(), 1u);
  EXPECT_EQ(record.ws_targets[0], "/ws-api?cg-api-key=" + std::string(fake_key));
  EXPECT_EQ(record.ws_messages[0],
            R"({"method":"subscribe","channels":["liquidationOrders",)"
            R"("futures_trades@Binance_BTCUSDT@10000","futures_trades@OKX_BTCUSDT@10000"]})");
  EXPECT_THAT(feed.redacted_url(), HasSubstr("cg-api-key=***"));
  EXPECT_THAT(feed.redacted_url(), Not(HasSubstr(fake_key)));
  using S = ConnectionState;
  const std::vector<std::pair<std::size_t, S>> expected = {
      {0, S::connecting}, {0, S::subscribing}, {0, S::live}};
  EXPECT_EQ(listener_.states, expected);
}

TEST_F(WsFeedTest, SplitsChannelsOverConnectionsOfAtMostChannelsPerConnection) {
  SimCoinglassServer server(io_, server_options());
  CoinglassConfig config = config_for(server);
  config.liquidation_channels = {"liquidationOrders", "liquidation_orders", "third"};
  config.channels_per_connection = 2;
  WsFeed feed(io_, config, {}, std::string(fake_key), listener_, feed_options());
  ASSERT_EQ(feed.connection_count(), 2u);
  feed.start();
  ASSERT_TRUE(run_until([&] { return server.record().ws_connections == 2; }));
  ASSERT_TRUE(run_until([&] {
    const auto messages = server.record().ws_messages;
    return std::count_if(messages.begin(), messages.end(),
                         [](const auto& m) { return m != "ping"; }) == 2;
  }));
  const auto messages = server.record().ws_messages;
  EXPECT_THAT(messages, Contains(subscribe_message({"liquidationOrders", "liquidation_orders"})));
  EXPECT_THAT(messages, Contains(subscribe_message({"third"})));
}

TEST_F(WsFeedTest, ForwardsEveryFrameInOrderWithItsReceiveTime) {
  const auto frames = liquidation_frames(200);
  SimCoinglassServer server(io_, server_options(frames));
  WsFeed feed(io_, config_for(server), {}, std::string(fake_key), listener_, feed_options());
  feed.start();
  ASSERT_TRUE(run_until([&] { return listener_.frames.size() >= frames.size(); }));

  ASSERT_EQ(listener_.frames.size(), frames.size());
  std::uint64_t bytes = 0;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(listener_.frames[i].text, frames[i]);
    if (i > 0) {
      EXPECT_GT(listener_.frames[i].time, listener_.frames[i - 1].time);
    }
    bytes += frames[i].size();
  }
  const FeedConnectionStats stats = feed.stats().total();
  EXPECT_EQ(stats.frames, frames.size());
  EXPECT_EQ(stats.bytes, bytes);
  EXPECT_EQ(stats.last_frame_time, listener_.frames.back().time);
  EXPECT_TRUE(listener_.gaps.empty());
}

TEST_F(WsFeedTest, PongsAreConsumedAndKeepAQuietConnectionAlive) {
  SimCoinglassServer server(io_, server_options());  // no data at all: a quiet market
  WsFeed feed(io_, config_for(server), {}, std::string(fake_key), listener_, feed_options());
  feed.start();
  run_for(600ms);

  const FeedConnectionStats stats = feed.stats().total();
  EXPECT_GE(stats.pings, 5u);
  EXPECT_GE(stats.pongs, 5u);
  EXPECT_EQ(stats.heartbeat_timeouts, 0u);
  EXPECT_EQ(server.record().ws_connections, 1);
  EXPECT_TRUE(listener_.frames.empty());  // "pong" is not a frame for the daemon
}

TEST_F(WsFeedTest, ReconnectsAndResubscribesAfterADropAndReportsTheGap) {
  SimCoinglassOptions options = server_options(liquidation_frames(10));
  options.faults.drop_after_frames = 4;
  SimCoinglassServer server(io_, options);
  WsFeed feed(io_, config_for(server), {}, std::string(fake_key), listener_, feed_options());
  feed.start();
  ASSERT_TRUE(run_until([&] { return !listener_.gaps.empty(); }));

  const auto record = server.record();
  EXPECT_GE(record.ws_connections, 2);
  const auto subscribes = std::count(record.ws_messages.begin(), record.ws_messages.end(),
                                     subscribe_message({"liquidationOrders"}));
  EXPECT_GE(subscribes, 2);
  // The gap runs from the last frame before the drop to the first one after resubscribing.
  ASSERT_GE(listener_.frames.size(), 5u);
  const FeedGap& gap = listener_.gaps[0];
  EXPECT_EQ(gap.connection, 0u);
  EXPECT_EQ(gap.from, listener_.frames[3].time);
  EXPECT_EQ(gap.to, listener_.frames[4].time);
  EXPECT_EQ(listener_.frames[4].text, liquidation_frame(0));  // the server starts over
  EXPECT_TRUE(listener_.saw(ConnectionState::backing_off));
  EXPECT_GE(feed.stats().total().reconnects, 1u);
}

TEST_F(WsFeedTest, ReconnectWaitsNoLongerThanTheBackoffBound) {
  SimCoinglassOptions options = server_options(liquidation_frames(3));
  SimCoinglassServer server(io_, options);
  CoinglassConfig config = config_for(server);
  config.reconnect_max_s = 0.1;
  WsFeed feed(io_, config, {}, std::string(fake_key), listener_, feed_options());
  feed.start();
  ASSERT_TRUE(run_until([&] { return listener_.frames.size() == 3; }));

  const auto dropped_at = std::chrono::steady_clock::now();
  server.drop_connections();
  ASSERT_TRUE(run_until([&] { return server.record().ws_connections == 2; }));
  const auto waited = std::chrono::steady_clock::now() - dropped_at;
  // 0.05 s initial delay (jittered down), plus loopback handshakes: well under a second.
  EXPECT_LT(waited, 1s);
  ASSERT_TRUE(run_until([&] { return listener_.frames.size() == 6; }));
  EXPECT_EQ(listener_.gaps.size(), 1u);
}

TEST_F(WsFeedTest, MissingPongMeansADeadConnectionAndAReconnect) {
  SimCoinglassOptions options = server_options();
  options.faults.ignore_pings = true;
  SimCoinglassServer server(io_, options);
  WsFeed feed(io_, config_for(server), {}, std::string(fake_key), listener_, feed_options());
  feed.start();
  ASSERT_TRUE(run_until([&] { return server.record().ws_connections >= 2; }));

  EXPECT_GE(feed.stats().total().heartbeat_timeouts, 1u);
  EXPECT_EQ(feed.stats().total().pongs, 0u);
}

TEST_F(WsFeedTest, GarbageAndBinaryFramesAreCountedWithoutReconnecting) {
  SimCoinglassOptions options = server_options(liquidation_frames(30));
  options.faults.garbage_every = 5;
  options.faults.binary_every = 3;
  SimCoinglassServer server(io_, options);
  WsFeed feed(io_, config_for(server), {}, std::string(fake_key), listener_, feed_options());
  feed.start();
  ASSERT_TRUE(run_until([&] { return feed.stats().total().frames >= 36; }));
  run_for(200ms);

  const FeedConnectionStats stats = feed.stats().total();
  EXPECT_EQ(stats.dropped_binary, 10u);
  EXPECT_EQ(stats.notices, 6u);  // garbage is non-JSON text: forwarded and counted as a notice
  EXPECT_EQ(stats.frames, 36u);
  EXPECT_EQ(stats.reconnects, 0u);
  EXPECT_EQ(server.record().ws_connections, 1);
}

TEST_F(WsFeedTest, OversizeFrameIsDroppedWithoutReconnecting) {
  SimCoinglassOptions options = server_options(liquidation_frames(5));
  options.faults.oversize_frame_bytes = 300'000;  // several read chunks
  SimCoinglassServer server(io_, options);
  CoinglassConfig config = config_for(server);
  config.max_frame_bytes = 4096;
  WsFeed feed(io_, config, {}, std::string(fake_key), listener_, feed_options());
  feed.start();
  ASSERT_TRUE(run_until([&] { return listener_.frames.size() >= 5; }));
  run_for(100ms);

  const FeedConnectionStats stats = feed.stats().total();
  EXPECT_EQ(stats.dropped_oversize, 1u);
  EXPECT_EQ(listener_.frames.size(), 5u);
  EXPECT_EQ(stats.reconnects, 0u);
  EXPECT_EQ(server.record().ws_connections, 1);
}

TEST_F(WsFeedTest, FrameBeyondBeastsDefaultLimitIsDrainedWithoutReconnecting) {
  SimCoinglassOptions options = server_options(liquidation_frames(2));
  options.faults.oversize_frame_bytes = 17 << 20;  // Beast alone would fail the read at 16 MiB
  SimCoinglassServer server(io_, options);
  CoinglassConfig config = config_for(server);
  config.pong_timeout_s = 2;  // the pong waits behind the big frame
  WsFeed feed(io_, config, {}, std::string(fake_key), listener_, feed_options());
  feed.start();
  ASSERT_TRUE(run_until([&] { return listener_.frames.size() >= 2; }, 5s));

  EXPECT_EQ(feed.stats().total().dropped_oversize, 1u);
  EXPECT_EQ(feed.stats().total().reconnects, 0u);
  EXPECT_EQ(server.record().ws_connections, 1);
}

TEST_F(WsFeedTest, PlanNoticeIsForwardedRaisesOneAlarmAndMakesTheNextReconnectWaitTheMax) {
  SimCoinglassOptions options = server_options();
  options.faults.plan_notice = std::string(plan_notice);
  SimCoinglassServer server(io_, options);
  CoinglassConfig config = config_for(server);
  config.reconnect_max_s = 0.5;
  WsFeed feed(io_, config, {}, std::string(fake_key), listener_, feed_options());
  feed.start();
  ASSERT_TRUE(run_until([&] { return !listener_.frames.empty(); }));
  EXPECT_EQ(listener_.frames[0].text, plan_notice);
  ASSERT_EQ(listener_.alarms.size(), 1u);
  EXPECT_THAT(listener_.alarms[0], HasSubstr(plan_notice));

  const auto dropped_at = std::chrono::steady_clock::now();
  server.drop_connections();
  ASSERT_TRUE(run_until([&] { return listener_.frames.size() >= 2; }));
  EXPECT_GE(std::chrono::steady_clock::now() - dropped_at, 450ms);  // not the 0.05 s initial
  EXPECT_EQ(listener_.alarms.size(), 1u);  // the same notice again: no second alarm
  EXPECT_EQ(feed.stats().total().notices, 2u);
  EXPECT_TRUE(listener_.gaps.empty());  // notices are not data: no gap to bound
}

TEST_F(WsFeedTest, UpgradeRefusedWith401RaisesOneAlarmAndBacksOffAtTheMax) {
  SimCoinglassOptions options = server_options();
  options.faults.upgrade_status = 401;
  SimCoinglassServer server(io_, options);
  CoinglassConfig config = config_for(server);
  config.reconnect_max_s = 0.3;
  WsFeed feed(io_, config, {}, std::string(fake_key), listener_, feed_options());
  feed.start();
  run_for(800ms);

  ASSERT_EQ(listener_.alarms.size(), 1u);
  EXPECT_THAT(listener_.alarms[0], HasSubstr("401"));
  EXPECT_TRUE(listener_.saw(ConnectionState::backing_off));
  EXPECT_FALSE(listener_.saw(ConnectionState::live));
  // Attempts at 0, ~0.3 and ~0.6 s: the max delay each time, not 0.05 s doubling.
  const auto refusals = feed.stats().total().upgrade_refusals;
  EXPECT_GE(refusals, 2u);
  EXPECT_LE(refusals, 4u);
}

TEST_F(WsFeedTest, UntrustedCertificateIsRefusedAndRetriedWithoutCrashing) {
  SimCoinglassServer server(io_, server_options(liquidation_frames(3)));
  CoinglassConfig config = config_for(server);
  config.ca_file.clear();  // the system store does not know the test CA
  WsFeed feed(io_, config, {}, std::string(fake_key), listener_, feed_options());
  feed.start();
  ASSERT_TRUE(run_until([&] { return server.record().tls_handshakes_failed >= 2; }));

  EXPECT_EQ(server.record().ws_connections, 0);
  EXPECT_FALSE(listener_.saw(ConnectionState::live));
  EXPECT_TRUE(listener_.frames.empty());
  EXPECT_THAT(log_lines_, Contains(HasSubstr("TLS handshake")));
}

TEST_F(WsFeedTest, StopClosesALiveConnectionWithinASecond) {
  SimCoinglassServer server(io_, server_options(liquidation_frames(3)));
  WsFeed feed(io_, config_for(server), {}, std::string(fake_key), listener_, feed_options());
  feed.start();
  ASSERT_TRUE(run_until([&] { return listener_.frames.size() == 3; }));

  const auto stop_at = std::chrono::steady_clock::now();
  feed.stop();
  ASSERT_TRUE(run_until([&] { return all_stopped(feed); }, 2s));
  const auto took = std::chrono::steady_clock::now() - stop_at;
  EXPECT_LT(took, 1s);
  run_for(200ms);
  EXPECT_EQ(server.record().ws_connections, 1);  // and no reconnect afterwards
  EXPECT_EQ(listener_.states.back().second, ConnectionState::stopped);
}

TEST_F(WsFeedTest, StopLeavesNoWorkBehindSoTheIoContextCanReturn) {
  SimCoinglassServer server(io_, server_options(liquidation_frames(3)));
  WsFeed feed(io_, config_for(server), {}, std::string(fake_key), listener_, feed_options());
  feed.start();
  ASSERT_TRUE(run_until([&] { return listener_.frames.size() == 3; }));

  feed.stop();
  server.stop();
  const auto stop_at = std::chrono::steady_clock::now();
  io_.restart();
  io_.run_for(3s);  // returns early only once nothing is pending
  EXPECT_LT(std::chrono::steady_clock::now() - stop_at, 1s);
  EXPECT_TRUE(all_stopped(feed));
}

TEST_F(WsFeedTest, StopCancelsALongBackoffAtOnce) {
  SimCoinglassOptions options = server_options();
  options.faults.upgrade_status = 403;
  SimCoinglassServer server(io_, options);
  CoinglassConfig config = config_for(server);
  config.reconnect_max_s = 30;
  WsFeed feed(io_, config, {}, std::string(fake_key), listener_, feed_options());
  feed.start();
  ASSERT_TRUE(run_until([&] { return listener_.saw(ConnectionState::backing_off); }));

  const auto stop_at = std::chrono::steady_clock::now();
  feed.stop();
  ASSERT_TRUE(run_until([&] { return all_stopped(feed); }, 2s));
  EXPECT_LT(std::chrono::steady_clock::now() - stop_at, 200ms);
}

TEST_F(WsFeedTest, DestroyingARunningFeedIsSafeAndSilent) {
  SimCoinglassServer server(io_, server_options(liquidation_frames(3)));
  {
    WsFeed feed(io_, config_for(server), {}, std::string(fake_key), listener_, feed_options());
    feed.start();
    ASSERT_TRUE(run_until([&] { return listener_.frames.size() == 3; }));
  }
  const auto states_before = listener_.states.size();
  run_for(200ms);
  EXPECT_EQ(listener_.states.size(), states_before);  // no callbacks after destruction
}

}  // namespace
}  // namespace teleglas
