// The Binance USD-M `/market` stand-in, driven by a real WSS client on loopback.
#include <gtest/gtest.h>

#include <deque>

#include "teleglas/sim/venue_frames.hpp"
#include "teleglas/simserver/venue_servers.hpp"
#include "venue_test_support.hpp"

namespace teleglas {
namespace {

using namespace sim_test;

const std::string streams_url = "/market/stream?streams=!forceOrder@arr/btcusdt@aggTrade";

std::vector<std::string> market_frames() {
  VenueFrameBuilder b;
  return {b.binance({EventKind::liquidation, "BTCUSDT", Side::sell, 50'000, 10'000, 1}),
          b.binance({EventKind::trade, "BTCUSDT", Side::buy, 50'000, 20'000, 2}),
          b.binance({EventKind::trade, "ETHUSDT", Side::sell, 2'000, 20'000, 3}),
          b.binance({EventKind::liquidation, "ETHUSDT", Side::buy, 2'000, 4'000, 4})};
}

class BinanceServerTest : public VenueServerTest {
 protected:
  void start(SimVenueOptions o) { VenueServerTest::start(Venue::binance, std::move(o)); }
};

TEST_F(BinanceServerTest, StreamsTheUrlsStreamsWithoutASubscribe) {
  SimVenueOptions o = options();
  o.frames = market_frames();
  start(o);
  EXPECT_EQ(server_->ws_url(),
            "wss://127.0.0.1:" + std::to_string(server_->port()) + "/market/stream");
  WsTestClient c = client(streams_url, {}, [](const WsTestClient& c) { return has_texts(c, 3); });
  run(c);
  EXPECT_EQ(c.texts(), (std::vector<std::string>{o.frames[0], o.frames[1], o.frames[3]}));
  const SimVenueRecord record = server_->record();
  EXPECT_EQ(record.frames_sent, 3u);
  EXPECT_EQ(record.subscribe_requests, 0);
  EXPECT_EQ(record.ws_targets, std::vector<std::string>{streams_url});
}

TEST_F(BinanceServerTest, StreamNamesMatchWhateverTheirCase) {
  SimVenueOptions o = options();
  o.frames = market_frames();
  start(o);
  WsTestClient c = client("/market/stream?streams=BTCUSDT@AGGTRADE/!FORCEORDER@ARR", {},
                          [](const WsTestClient& c) { return has_texts(c, 3); });
  run(c);
  EXPECT_EQ(c.texts(), (std::vector<std::string>{o.frames[0], o.frames[1], o.frames[3]}));
}

TEST_F(BinanceServerTest, SubscribeAddsStreamsAndListsThem) {
  SimVenueOptions o = options();
  o.frames = market_frames();
  start(o);
  WsTestClient c = client("/market/stream",
                          {R"({"method":"SUBSCRIBE","params":["ethusdt@aggTrade"],"id":1})",
                           R"({"method":"LIST_SUBSCRIPTIONS","id":"list2"})"},
                          [](const WsTestClient& c) { return has_texts(c, 3); });
  run(c);
  const auto texts = c.texts();
  ASSERT_EQ(texts.size(), 3u);
  EXPECT_EQ(texts[0], R"({"result":null,"id":1})");
  // The stream frame and the list answer may come in either order.
  EXPECT_NE(std::find(texts.begin(), texts.end(), o.frames[2]), texts.end());
  EXPECT_NE(
      std::find(texts.begin(), texts.end(), R"({"result":["ethusdt@aggTrade"],"id":"list2"})"),
      texts.end());
  EXPECT_EQ(server_->record().frames_sent, 1u);
  EXPECT_EQ(server_->record().subscribe_requests, 1);
}

TEST_F(BinanceServerTest, UnsubscribeForgetsAStream) {
  start(options());
  WsTestClient c = client(streams_url,
                          {R"({"method":"UNSUBSCRIBE","params":["BTCUSDT@aggTrade"],"id":7})",
                           R"({"method":"LIST_SUBSCRIPTIONS","id":8})"},
                          [](const WsTestClient& c) { return has_texts(c, 2); });
  run(c);
  EXPECT_EQ(c.texts(), (std::vector<std::string>{R"({"result":null,"id":7})",
                                                 R"({"result":["!forceOrder@arr"],"id":8})"}));
}

TEST_F(BinanceServerTest, AnswersMalformedRequestsWithBinancesErrors) {
  start(options());
  WsTestClient c =
      client("/market/stream",
             {"{nope", R"({"method":"SUBSCRIBE","params":["btcusdt@aggTrade"]})",
              R"({"params":["btcusdt@aggTrade"],"id":3})", R"({"method":"SUB","params":[],"id":4})",
              R"({"method":"SUBSCRIBE","params":["btcusdt"],"id":5})",
              R"({"method":"SUBSCRIBE","params":["btcusdt@aggTrade"],"id":"not valid!"})"},
             [](const WsTestClient& c) { return has_texts(c, 6); });
  run(c);
  const auto texts = c.texts();
  ASSERT_EQ(texts.size(), 6u);
  EXPECT_EQ(json(texts[0]).at("error").at("code"), 3);
  EXPECT_EQ(json(texts[0]).at("id"), nullptr);
  EXPECT_EQ(
      texts[1],
      R"({"error":{"code":2,"msg":"Invalid request: request ID must be an unsigned integer"},"id":null})");
  EXPECT_EQ(texts[2],
            R"({"error":{"code":2,"msg":"Invalid request: missing field `method`"},"id":3})");
  EXPECT_TRUE(json(texts[3]).at("error").at("msg").as_string().starts_with(
      "Invalid request: unknown variant `SUB`"));
  EXPECT_EQ(texts[4], R"({"error":{"code":2,"msg":"Invalid request: invalid stream"},"id":5})");
  EXPECT_EQ(json(texts[5]).at("error").at("code"), 2);
  EXPECT_EQ(server_->record().subscribe_errors, 1) << "one SUBSCRIBE got as far as its streams";
}

TEST_F(BinanceServerTest, RefusesEverySubscribeWhenTold) {
  SimVenueOptions o = options();
  o.faults.reject_subscriptions = true;
  start(o);
  WsTestClient c =
      client("/market/stream", {R"({"method":"SUBSCRIBE","params":["btcusdt@aggTrade"],"id":1})"},
             [](const WsTestClient& c) { return has_texts(c, 1); });
  run(c);
  EXPECT_EQ(c.texts().at(0),
            R"({"error":{"code":2,"msg":"Invalid request: invalid stream"},"id":1})");
  EXPECT_EQ(server_->record().subscribe_errors, 1);
}

TEST_F(BinanceServerTest, ThePublicAndRetiredRoutesPushNoMarketStream) {
  SimVenueOptions o = options();
  o.frames = market_frames();
  start(o);
  for (const std::string target :
       {"/public/stream?streams=btcusdt@aggTrade", "/stream?streams=!forceOrder@arr"}) {
    WsTestClient c = client(target, {}, [](const WsTestClient&) { return false; });
    c.read_limit = 300ms;
    run(c);
    EXPECT_FALSE(c.upgrade_error) << target << ": the upgrade works";
    EXPECT_TRUE(c.received.empty()) << target;
  }
  EXPECT_EQ(server_->record().frames_sent, 0u);
  EXPECT_EQ(server_->record().ws_connections, 2);
}

TEST_F(BinanceServerTest, SendsPingFramesThatTheClientAnswers) {
  SimVenueOptions o = options();
  o.ping_interval_ms = 50;
  start(o);
  WsTestClient c = client(streams_url, {}, [](const WsTestClient&) { return false; });
  c.read_limit = 400ms;
  run(c);
  EXPECT_EQ(c.read_error, beast::error::timeout) << "still connected when the client gave up";
  EXPECT_GE(c.server_pings, 3);
  const SimVenueRecord record = server_->record();
  EXPECT_GE(record.ping_frames_sent, 3);
  EXPECT_GE(record.pong_frames_received, 3) << "Beast answers pings while it reads";
  EXPECT_EQ(record.pong_timeout_cuts, 0);
}

TEST_F(BinanceServerTest, DropsAClientThatLeavesItsPingsUnanswered) {
  SimVenueOptions o = options();
  o.ping_interval_ms = 50;
  o.pong_timeout_ms = 200;
  start(o);
  WsTestClient c = client(streams_url, {}, [](const WsTestClient&) { return false; });
  c.pause_before_reading = 600ms;  // no read, so no pong
  run(c);
  EXPECT_TRUE(c.read_error);
  EXPECT_NE(c.read_error, websocket::error::closed) << "dropped without a close frame";
  EXPECT_EQ(server_->record().pong_timeout_cuts, 1);
  EXPECT_EQ(server_->record().pong_frames_received, 0);
}

TEST_F(BinanceServerTest, ClosesEachConnectionAtItsMaximumAgeWithGoingAway) {
  SimVenueOptions o = options();
  o.max_connection_age_ms = 250;
  start(o);
  std::deque<WsTestClient> clients;
  for (int i = 0; i < 2; ++i) {
    WsTestClient& c =
        clients.emplace_back(client(streams_url, {}, [](const WsTestClient&) { return false; }));
    run(c);
    EXPECT_EQ(c.read_error, websocket::error::closed);
    EXPECT_EQ(c.close.code, 1001);
    EXPECT_EQ(c.close.reason, "");
    EXPECT_GE(c.ended_at - c.upgraded_at, 230ms);
    EXPECT_LT(c.ended_at - c.upgraded_at, 2s);
  }
  EXPECT_EQ(server_->record().max_age_cuts, 2);
}

TEST_F(BinanceServerTest, StalledReadsLeaveTheClientsPingsUnanswered) {
  SimVenueOptions o = options();
  o.frames = market_frames();
  o.loop = true;
  o.pace = 20;  // a few frames a second, for as long as the client listens
  start(o);
  WsTestClient answered = client(streams_url, {}, [](const WsTestClient&) { return false; });
  answered.ping_frames = 1;
  answered.read_limit = 300ms;
  run(answered);
  EXPECT_EQ(answered.pongs, 1);

  SimVenueFaults faults;
  faults.stall_reads = true;
  server_->set_faults(faults);
  WsTestClient ignored = client(streams_url, {}, [](const WsTestClient&) { return false; });
  ignored.ping_frames = 1;
  ignored.read_limit = 300ms;
  run(ignored);
  EXPECT_EQ(ignored.pongs, 0);
  EXPECT_FALSE(ignored.texts().empty()) << "frames still flow";
  EXPECT_EQ(server_->record().ping_frames_received, 1) << "only the first client's ping was read";
}

TEST_F(BinanceServerTest, ResumedConnectionsGoOnWhereTheDroppedOneStopped) {
  SimVenueOptions o = options();
  o.frames = market_frames();
  o.faults.drop_after_frames = 1;
  o.resume = true;
  start(o);
  std::deque<WsTestClient> clients;
  std::vector<std::string> seen;
  for (int connection = 0; connection < 3; ++connection) {
    WsTestClient& c =
        clients.emplace_back(client(streams_url, {}, [](const WsTestClient&) { return false; }));
    run(c);
    for (const std::string& text : c.texts()) seen.push_back(text);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{o.frames[0], o.frames[1], o.frames[3]}))
      << "ETH's trade went by unwanted; nothing was sent twice";
}

}  // namespace
}  // namespace teleglas
