// The one feed machinery serving the exchanges' own streams, against a scriptable TLS
// WebSocket server on 127.0.0.1: per venue the URL and subscriptions sent, the heartbeat style,
// dead-peer detection, refused subscriptions, and Binance's 24 h rotation without a gap or a
// duplicate. Every scenario is bounded by a deadline.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "feed_test_support.hpp"
#include "teleglas/net/venues.hpp"
#include "teleglas/net/ws_feed.hpp"
#include "ws_test_server.hpp"

namespace teleglas {
namespace {

using namespace std::chrono_literals;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
using testing::WsTestServer;

std::string bybit_liquidation(int i) {
  return R"({"topic":"allLiquidation.BTCUSDT","type":"snapshot","ts":1739502303204,"data":[)"
         R"({"T":)" +
         std::to_string(1739502302929 + i) + R"(,"s":"BTCUSDT","S":"Buy","v":"0.5","p":"95000"}]})";
}

std::string binance_liquidation(int i) {
  return R"({"stream":"!forceOrder@arr","data":{"e":"forceOrder","E":)" +
         std::to_string(1568014460893 + i) +
         R"(,"o":{"s":"BTCUSDT","S":"SELL","q":"0.014","ap":"9910","X":"FILLED","T":1568014460893}}})";
}

std::string okx_trade(int i) {
  return R"({"arg":{"channel":"trades","instId":"BTC-USDT-SWAP"},"data":[{"instId":"BTC-USDT-SWAP",)"
         R"("tradeId":")" +
         std::to_string(130639474 + i) +
         R"(","px":"42219.9","sz":"0.12","side":"buy","ts":"1630048897897"}]})";
}

// Bybit's linear stream as its docs show it: an ack per subscribe, a JSON pong per ping.
WsTestServer::Script bybit_script(bool answer_pings = true, std::string refuse_topic = "") {
  return [=](std::size_t, const std::string& message) -> std::vector<std::string> {
    if (message.find(R"("op":"ping")") != std::string::npos) {
      if (!answer_pings) return {};
      return {R"({"success":true,"ret_msg":"pong","conn_id":"c1","req_id":"","op":"ping"})"};
    }
    if (!refuse_topic.empty() && message.find(refuse_topic) != std::string::npos) {
      return {R"({"success":false,"ret_msg":"error:handler not found,topic:)" + refuse_topic +
              R"(","conn_id":"c1","req_id":"","op":"subscribe"})"};
    }
    return {R"({"success":true,"ret_msg":"","conn_id":"c1","req_id":"","op":"subscribe"})"};
  };
}

WsTestServer::Script okx_script(bool answer_pings = true, bool refuse = false) {
  return [=](std::size_t, const std::string& message) -> std::vector<std::string> {
    if (message == "ping")
      return answer_pings ? std::vector<std::string>{"pong"} : std::vector<std::string>{};
    if (refuse) {
      return {R"({"event":"error","code":"60018","msg":"Wrong URL or channel:trades,)"
              R"(instId:NOPE-USDT-SWAP doesn't exist.","connId":"a4d3ae55"})"};
    }
    return {R"({"event":"subscribe","arg":{"channel":"liquidation-orders","instType":"SWAP"},)"
            R"("connId":"a4d3ae55"})"};
  };
}

class VenueFeedTest : public testing::FeedTestBase {
 protected:
  void SetUp() override {
    FeedTestBase::SetUp();
    server_ = std::make_unique<WsTestServer>(io_, *identity_);
  }
  void TearDown() override {
    server_.reset();
    FeedTestBase::TearDown();
  }

  std::vector<SymbolConfig> btc() const {
    SymbolConfig s;
    s.symbol = "BTCUSDT";
    return {s};
  }

  template <class C>
  void fast(C& config, std::string_view path) const {
    config.ws_url = server_->url(path);
    config.ca_file = ca_path_.string();
    config.ping_interval_s = 0.05;
    config.pong_timeout_s = 0.1;
    config.reconnect_initial_s = 0.05;
    config.reconnect_max_s = 0.2;
  }

  FeedProtocol bybit(bool trades = true) {
    BybitConfig config;
    fast(config, "/v5/public/linear");
    config.trades = trades;
    return bybit_protocol(config, btc());
  }
  FeedProtocol binance() {
    BinanceConfig config;
    fast(config, "/market/stream");
    return binance_protocol(config, btc());
  }
  FeedProtocol okx() {
    OkxConfig config;
    fast(config, "/ws/v5/public");
    return okx_protocol(config, btc());
  }

  // Binance's feed with its connections cut at `max_age_s`, and feed options whose rotation
  // keeps old and new side by side for `overlap_s`.
  FeedProtocol binance_aging(double max_age_s) {
    FeedProtocol protocol = binance();
    protocol.max_connection_age_s = max_age_s;
    return protocol;
  }
  WsFeedOptions overlapping(double overlap_s) {
    WsFeedOptions options = feed_options();
    options.rotation_overlap_s = overlap_s;
    return options;
  }

  bool live(const WsFeed& feed) const {
    return feed.stats().connections[0].state == ConnectionState::live;
  }
  std::size_t count(const std::vector<std::string>& messages, const std::string& text) const {
    return static_cast<std::size_t>(std::count(messages.begin(), messages.end(), text));
  }

  std::unique_ptr<WsTestServer> server_;
};

// ---- Bybit ------------------------------------------------------------------------------

TEST_F(VenueFeedTest, BybitSubscribesItsTopicsAndKeepsAJsonHeartbeat) {
  server_->set_script(bybit_script());
  WsFeed feed(io_, bybit(), listener_, feed_options());
  feed.start();
  ASSERT_TRUE(run_until([&] { return live(feed); }));
  ASSERT_TRUE(run_until([&] { return feed.stats().total().pongs >= 3; }));

  const auto& session = server_->sessions().at(0);
  EXPECT_EQ(session.target, "/v5/public/linear");
  ASSERT_GE(session.messages.size(), 2u);
  EXPECT_EQ(session.messages[0],
            R"({"op":"subscribe","args":["allLiquidation.BTCUSDT","publicTrade.BTCUSDT"]})");
  EXPECT_EQ(session.messages[1], R"({"op":"ping"})");
  EXPECT_EQ(count(session.messages, R"({"op":"ping"})"), session.messages.size() - 1);
  EXPECT_EQ(session.control_pings, 0);

  server_->send(0, bybit_liquidation(1));
  ASSERT_TRUE(run_until([&] { return !listener_.frames.empty(); }));
  // The ack and the pongs are the feed's business; only the data reaches the listener.
  EXPECT_THAT(listener_.texts(), ElementsAre(bybit_liquidation(1)));
  const FeedConnectionStats stats = feed.stats().total();
  EXPECT_EQ(stats.source, "bybit");
  EXPECT_EQ(stats.control_frames, 1u);
  EXPECT_EQ(stats.channels, 2u);
  EXPECT_EQ(stats.heartbeat_timeouts, 0u);
  EXPECT_EQ(feed.source(), "bybit");
  EXPECT_THAT(log_lines_, Contains(HasSubstr("feed[bybit 0]: live")));
}

TEST_F(VenueFeedTest, BybitRefusedSubscriptionRaisesOneAlarmAndKeepsTheConnection) {
  server_->set_script(bybit_script(true, "publicTrade.BTCUSDT"));
  WsFeed feed(io_, bybit(), listener_, feed_options());
  feed.start();
  ASSERT_TRUE(run_until([&] { return !listener_.alarms.empty(); }));
  server_->send(0, bybit_liquidation(2));
  ASSERT_TRUE(run_until([&] { return listener_.frames.size() >= 2; }));

  ASSERT_EQ(listener_.alarms.size(), 1u);
  EXPECT_EQ(listener_.alarms[0],
            "Bybit refused the subscription: error:handler not found,topic:publicTrade.BTCUSDT");
  EXPECT_THAT(listener_.frames[0].text, HasSubstr(R"("success":false)"));  // kept, as notices are
  EXPECT_EQ(listener_.frames[1].text, bybit_liquidation(2));
  EXPECT_EQ(feed.stats().total().refusals, 1u);
  EXPECT_EQ(server_->sessions().size(), 1u);  // the other topics stand: no reconnect
  EXPECT_TRUE(listener_.gaps.empty());        // a refusal is not data

  // The same refusal after a reconnect is not alarmed again.
  server_->drop_all();
  ASSERT_TRUE(run_until([&] { return feed.stats().total().refusals >= 2; }));
  EXPECT_EQ(listener_.alarms.size(), 1u);
}

TEST_F(VenueFeedTest, BybitDropIsAGapNamedForItsSourceAndBoundedByTheFramesAround) {
  server_->set_script(bybit_script());
  WsFeed feed(io_, bybit(), listener_, feed_options());
  feed.start();
  ASSERT_TRUE(run_until([&] { return live(feed); }));
  server_->send(0, bybit_liquidation(1));
  ASSERT_TRUE(run_until([&] { return listener_.frames.size() == 1; }));
  server_->drop_all();
  ASSERT_TRUE(run_until([&] { return server_->open_sessions() == 1 && live(feed); }));
  EXPECT_TRUE(listener_.gaps.empty());  // bounded only once data flows again
  server_->send(1, bybit_liquidation(2));
  ASSERT_TRUE(run_until([&] { return !listener_.gaps.empty(); }));

  const FeedGap& gap = listener_.gaps[0];
  EXPECT_EQ(gap.source, "bybit");
  EXPECT_EQ(gap.connection, 0u);
  EXPECT_EQ(gap.from, listener_.frames[0].time);
  EXPECT_EQ(gap.to, listener_.frames[1].time);
  EXPECT_EQ(feed.stats().total().reconnects, 1u);
}

TEST_F(VenueFeedTest, RefusedUpgradeRaisesOneAlarmNamingTheVenue) {
  server_->set_upgrade_status(403);
  WsFeed feed(io_, bybit(), listener_, feed_options());
  feed.start();
  ASSERT_TRUE(run_until([&] { return feed.stats().total().upgrade_refusals >= 2; }));

  ASSERT_EQ(listener_.alarms.size(), 1u);
  EXPECT_EQ(listener_.alarms[0], "Bybit refused the feed connection with HTTP 403");
  EXPECT_FALSE(listener_.saw(ConnectionState::live));
}

// ---- OKX --------------------------------------------------------------------------------

TEST_F(VenueFeedTest, OkxSubscribesLiquidationsAndTradesAndPingsOnlyWhenIdle) {
  server_->set_script(okx_script());
  FeedProtocol protocol = okx();
  protocol.heartbeat.interval_s = 0.15;
  WsFeed feed(io_, std::move(protocol), listener_, feed_options());
  feed.start();
  ASSERT_TRUE(run_until([&] { return live(feed); }));
  const auto& session = server_->sessions().at(0);
  EXPECT_EQ(session.target, "/ws/v5/public");

  // A busy stream: a frame every 30 ms, so 150 ms never pass in silence.
  for (int i = 0; i < 15; ++i) {
    server_->send(0, okx_trade(i));
    run_for(30ms);
  }
  ASSERT_FALSE(session.messages.empty());
  EXPECT_EQ(session.messages[0],
            R"({"op":"subscribe","args":[{"channel":"liquidation-orders","instType":"SWAP"},)"
            R"({"channel":"trades","instId":"BTC-USDT-SWAP"}]})");
  EXPECT_EQ(count(session.messages, "ping"), 0u);
  EXPECT_EQ(feed.stats().total().pings, 0u);

  // Quiet: "ping" after 150 ms without a message, "pong" back, and again.
  ASSERT_TRUE(run_until([&] { return feed.stats().total().pongs >= 2; }));
  EXPECT_EQ(count(server_->sessions()[0].messages, "ping"), feed.stats().total().pings);
  EXPECT_EQ(listener_.frames.size(), 15u);  // neither the ack nor the pongs
  EXPECT_EQ(feed.stats().total().control_frames, 1u);
  EXPECT_EQ(feed.stats().total().heartbeat_timeouts, 0u);
  EXPECT_EQ(server_->sessions().size(), 1u);
}

TEST_F(VenueFeedTest, OkxErrorEventRaisesOneAlarmWithItsCodeAndMessage) {
  server_->set_script(okx_script(true, /*refuse=*/true));
  WsFeed feed(io_, okx(), listener_, feed_options());
  feed.start();
  ASSERT_TRUE(run_until([&] { return !listener_.alarms.empty(); }));
  run_for(100ms);

  ASSERT_EQ(listener_.alarms.size(), 1u);
  EXPECT_EQ(
      listener_.alarms[0],
      "OKX refused the subscription: 60018: Wrong URL or channel:trades,instId:NOPE-USDT-SWAP "
      "doesn't exist.");
  EXPECT_EQ(feed.stats().total().refusals, 1u);
}

// ---- Bybit and OKX: text heartbeats ------------------------------------------------------

// A venue whose heartbeat is a text message: how the feed pings it, and a server that never
// answers.
struct TextHeartbeatVenue {
  std::string name;  // "Bybit" or "Okx"
  WsTestServer::Script pongless_script;
  std::string ping;
};

class TextHeartbeatTest : public VenueFeedTest,
                          public ::testing::WithParamInterface<TextHeartbeatVenue> {
 protected:
  FeedProtocol protocol() { return GetParam().name == "Bybit" ? bybit() : okx(); }
};

TEST_P(TextHeartbeatTest, WithoutAPongTheFeedReconnectsAndResubscribes) {
  server_->set_script(GetParam().pongless_script);
  WsFeed feed(io_, protocol(), listener_, feed_options());
  feed.start();
  ASSERT_TRUE(run_until([&] {
    return server_->sessions().size() >= 2 && server_->sessions()[1].messages.size() >= 1;
  }));

  EXPECT_GE(feed.stats().total().heartbeat_timeouts, 1u);
  EXPECT_EQ(feed.stats().total().pongs, 0u);
  EXPECT_THAT(server_->sessions()[0].messages, Contains(GetParam().ping));
  EXPECT_EQ(server_->sessions()[1].messages[0], server_->sessions()[0].messages[0]);
  EXPECT_TRUE(listener_.saw(ConnectionState::backing_off));
}

INSTANTIATE_TEST_SUITE_P(
    Venues, TextHeartbeatTest,
    ::testing::Values(TextHeartbeatVenue{"Bybit", bybit_script(/*answer_pings=*/false),
                                         R"({"op":"ping"})"},
                      TextHeartbeatVenue{"Okx", okx_script(/*answer_pings=*/false), "ping"}),
    [](const ::testing::TestParamInfo<TextHeartbeatVenue>& info) { return info.param.name; });

// ---- Binance ----------------------------------------------------------------------------

TEST_F(VenueFeedTest, BinanceNamesItsStreamsInTheUrlAndKeepsControlFrameHeartbeats) {
  WsFeed feed(io_, binance(), listener_, feed_options());
  feed.start();
  ASSERT_TRUE(run_until([&] { return live(feed); }));
  ASSERT_TRUE(run_until([&] { return feed.stats().total().pongs >= 3; }));

  const auto& session = server_->sessions().at(0);
  EXPECT_EQ(session.target, "/market/stream?streams=!forceOrder@arr/btcusdt@aggTrade");
  EXPECT_THAT(session.messages, IsEmpty());  // no text at all: no subscribe, no text ping
  EXPECT_GE(session.control_pings, 3);

  // Binance's own pings are answered (by Beast, inside the read).
  server_->ping(0);
  ASSERT_TRUE(run_until([&] { return server_->sessions()[0].control_pongs >= 1; }));

  server_->send(0, binance_liquidation(1));
  ASSERT_TRUE(run_until([&] { return !listener_.frames.empty(); }));
  EXPECT_THAT(listener_.texts(), ElementsAre(binance_liquidation(1)));
  EXPECT_EQ(feed.stats().total().heartbeat_timeouts, 0u);
}

TEST_F(VenueFeedTest, BinancePeerThatAnswersNothingIsDeadAndReplaced) {
  server_->set_deaf(true);
  WsFeed feed(io_, binance(), listener_, feed_options());
  feed.start();
  ASSERT_TRUE(run_until([&] { return server_->sessions().size() >= 2; }));
  EXPECT_GE(feed.stats().total().heartbeat_timeouts, 1u);
  EXPECT_EQ(feed.stats().total().pongs, 0u);
}

TEST_F(VenueFeedTest, BinanceRotatesAtMaxAgeDeliveringTheOverlapOnceWithoutAGap) {
  // The successor itself rotates 0.5 s after it opened: 0.25 s after the old one closed.
  WsFeed feed(io_, binance_aging(0.5), listener_, overlapping(0.25));
  feed.start();
  ASSERT_TRUE(run_until([&] { return live(feed); }));
  server_->send(0, binance_liquidation(1));
  ASSERT_TRUE(run_until([&] { return listener_.frames.size() == 1; }));

  // The successor opens beside the old connection.
  ASSERT_TRUE(run_until([&] { return server_->open_sessions() == 2; }));
  EXPECT_EQ(server_->sessions()[1].target, server_->sessions()[0].target);
  // One event fanned out to both, and one that only each of them saw.
  server_->send(0, binance_liquidation(2));
  server_->send(1, binance_liquidation(2));
  server_->send(1, binance_liquidation(3));
  server_->send(0, binance_liquidation(4));
  ASSERT_TRUE(run_until([&] { return feed.stats().total().duplicates_dropped == 1; }));
  // The old one closes once the overlap is over; the successor carries on alone.
  ASSERT_TRUE(run_until([&] { return server_->open_sessions() == 1; }));
  EXPECT_TRUE(server_->sessions()[1].open);
  server_->send(1, binance_liquidation(5));
  ASSERT_TRUE(run_until([&] { return listener_.frames.size() == 5; }));
  run_for(50ms);

  EXPECT_THAT(
      listener_.texts(),
      UnorderedElementsAre(binance_liquidation(1), binance_liquidation(2), binance_liquidation(3),
                           binance_liquidation(4), binance_liquidation(5)));
  EXPECT_EQ(listener_.texts().front(), binance_liquidation(1));
  EXPECT_EQ(listener_.texts().back(), binance_liquidation(5));
  const FeedConnectionStats stats = feed.stats().total();
  EXPECT_GE(stats.rotations, 1u);
  EXPECT_EQ(stats.duplicates_dropped, 1u);
  EXPECT_EQ(stats.reconnects, 0u);
  EXPECT_TRUE(listener_.gaps.empty());
  EXPECT_FALSE(listener_.saw(ConnectionState::backing_off));  // live all along
  EXPECT_TRUE(live(feed));
}

TEST_F(VenueFeedTest, BinanceRotatesAgainAndAgain) {
  WsFeed feed(io_, binance_aging(0.2), listener_, overlapping(0.05));
  feed.start();
  ASSERT_TRUE(run_until([&] { return feed.stats().total().rotations >= 3; }));
  run_for(100ms);
  EXPECT_LE(server_->open_sessions(), 2u);
  EXPECT_EQ(feed.stats().total().reconnects, 0u);
  EXPECT_FALSE(listener_.saw(ConnectionState::backing_off));
}

TEST_F(VenueFeedTest, BinanceKeepsTheOldConnectionWhenItsSuccessorIsRefused) {
  WsFeed feed(io_, binance_aging(0.2), listener_, feed_options());
  feed.start();
  ASSERT_TRUE(run_until([&] { return live(feed); }));
  server_->set_upgrade_status(503);
  ASSERT_TRUE(run_until([&] { return feed.stats().total().upgrade_refusals >= 2; }));

  server_->send(0, binance_liquidation(7));
  ASSERT_TRUE(run_until([&] { return listener_.frames.size() == 1; }));
  EXPECT_TRUE(server_->sessions()[0].open);
  EXPECT_TRUE(live(feed));
  EXPECT_EQ(feed.stats().total().rotations, 0u);
  EXPECT_TRUE(listener_.gaps.empty());
  EXPECT_FALSE(listener_.saw(ConnectionState::backing_off));
}

TEST_F(VenueFeedTest, StopClosesEveryConnectionOfAVenueFeed) {
  server_->set_script(okx_script());
  WsFeed feed(io_, okx(), listener_, feed_options());
  feed.start();
  ASSERT_TRUE(run_until([&] { return live(feed); }));
  feed.stop();
  ASSERT_TRUE(run_until([&] { return all_stopped(feed) && server_->open_sessions() == 0; }, 2s));
  EXPECT_EQ(listener_.states.back().second, ConnectionState::stopped);
}

TEST_F(VenueFeedTest, StopDuringARotationClosesBothConnections) {
  WsFeed feed(io_, binance_aging(0.2), listener_, overlapping(5));
  feed.start();
  ASSERT_TRUE(run_until([&] { return server_->open_sessions() == 2; }));
  const auto stop_at = std::chrono::steady_clock::now();
  feed.stop();
  ASSERT_TRUE(run_until([&] { return all_stopped(feed) && server_->open_sessions() == 0; }, 2s));
  EXPECT_LT(std::chrono::steady_clock::now() - stop_at, 1s);
}

TEST_F(VenueFeedTest, PlainWsIsRefusedForEveryVenue) {
  FeedProtocol protocol = okx();
  protocol.ws_url = "ws://127.0.0.1:1/ws/v5/public";
  try {
    WsFeed feed(io_, protocol, listener_, feed_options());
    FAIL() << "accepted ws://";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("okx.ws_url"));
  }
}

}  // namespace
}  // namespace teleglas
