// The Bybit v5 public linear stand-in, driven by a real WSS client on loopback.
#include <gtest/gtest.h>

#include <deque>

#include "teleglas/sim/venue_frames.hpp"
#include "teleglas/simserver/venue_servers.hpp"
#include "venue_test_support.hpp"

namespace teleglas {
namespace {

using namespace sim_test;

const std::string path = "/v5/public/linear";
const std::string subscribe_btc =
    R"({"op":"subscribe","args":["allLiquidation.BTCUSDT","publicTrade.BTCUSDT"],"req_id":"1"})";

VenueEvent liq(std::string symbol, TimeMs time) {
  return {EventKind::liquidation, std::move(symbol), Side::sell, 50'000, 10'000, time};
}
VenueEvent trade(std::string symbol, TimeMs time) {
  return {EventKind::trade, std::move(symbol), Side::buy, 50'000, 20'000, time};
}

// One frame per event, as Bybit pushes each topic.
std::vector<std::string> frames(const std::vector<VenueEvent>& events) {
  VenueFrameBuilder builder;
  std::vector<std::string> out;
  for (const VenueEvent& e : events) out.push_back(builder.bybit(std::span(&e, 1)));
  return out;
}

class BybitServerTest : public VenueServerTest {
 protected:
  void start(SimVenueOptions o) { VenueServerTest::start(Venue::bybit, std::move(o)); }
  WsTestClient client(std::vector<std::string> to_send,
                      std::function<bool(const WsTestClient&)> enough) {
    return VenueServerTest::client(path, std::move(to_send), std::move(enough));
  }
};

TEST_F(BybitServerTest, AcknowledgesASubscribeAsBybitDoesAndStreamsOnlyItsTopics) {
  SimVenueOptions o = options();
  o.frames = frames({liq("BTCUSDT", 1), trade("ETHUSDT", 2), trade("BTCUSDT", 3), liq("ETHUSDT", 4),
                     liq("BTCUSDT", 5)});
  start(o);
  WsTestClient c = client({subscribe_btc}, [](const WsTestClient& c) { return has_texts(c, 4); });
  run(c);
  const auto texts = c.texts();
  ASSERT_EQ(texts.size(), 4u);
  const boost::json::object ack = json(texts[0]).as_object();
  std::vector<std::string> keys;
  for (const auto& m : ack) keys.emplace_back(m.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"success", "ret_msg", "conn_id", "req_id", "op"}));
  EXPECT_EQ(ack.at("success"), true);
  EXPECT_EQ(ack.at("ret_msg"), "");
  EXPECT_FALSE(ack.at("conn_id").as_string().empty());
  EXPECT_EQ(ack.at("req_id"), "1");
  EXPECT_EQ(ack.at("op"), "subscribe");
  EXPECT_EQ(texts[1], o.frames[0]);
  EXPECT_EQ(texts[2], o.frames[2]);
  EXPECT_EQ(texts[3], o.frames[4]);
  const SimVenueRecord record = server_->record();
  EXPECT_EQ(record.frames_sent, 3u);
  EXPECT_EQ(record.subscribe_requests, 1);
  EXPECT_EQ(record.subscribe_errors, 0);
  EXPECT_EQ(record.ws_messages, std::vector<std::string>{subscribe_btc});
  EXPECT_EQ(record.ws_targets, std::vector<std::string>{path});
}

TEST_F(BybitServerTest, StreamsNothingBeforeASubscribe) {
  SimVenueOptions o = options();
  o.frames = frames({liq("BTCUSDT", 1)});
  start(o);
  WsTestClient c =
      client({R"({"op":"ping"})"}, [](const WsTestClient& c) { return has_texts(c, 1); });
  run(c);
  EXPECT_EQ(json(c.texts().at(0)).at("op"), "ping");
  EXPECT_EQ(server_->record().frames_sent, 0u);
}

TEST_F(BybitServerTest, AnUnknownTopicRefusesTheWholeRequest) {
  SimVenueOptions o = options();
  o.frames = frames({liq("BTCUSDT", 1)});
  start(o);
  const std::string bad =
      R"({"op":"subscribe","args":["allLiquidation.BTCUSDT","liquidations.BTCUSDT"],"req_id":"x"})";
  WsTestClient c =
      client({bad, R"({"op":"ping"})"}, [](const WsTestClient& c) { return has_texts(c, 2); });
  run(c);
  const auto refused = json(c.texts().at(0));
  EXPECT_EQ(refused.at("success"), false);
  EXPECT_EQ(refused.at("ret_msg"), "error:handler not found,topic:liquidations.BTCUSDT");
  EXPECT_EQ(refused.at("req_id"), "x");
  EXPECT_EQ(refused.at("op"), "subscribe");
  EXPECT_EQ(json(c.texts().at(1)).at("ret_msg"), "pong") << "nothing streamed in between";
  EXPECT_EQ(server_->record().frames_sent, 0u);
  EXPECT_EQ(server_->record().subscribe_errors, 1);
}

TEST_F(BybitServerTest, ASymbolItDoesNotListIsAnInvalidSymbol) {
  start(options());
  WsTestClient c = client({R"({"op":"subscribe","args":["publicTrade.DOGEUSDT"]})",
                           R"({"op":"subscribe","args":["publicTrade.btcusdt"]})"},
                          [](const WsTestClient& c) { return has_texts(c, 2); });
  run(c);
  EXPECT_EQ(json(c.texts().at(0)).at("ret_msg"), "Invalid symbol :[publicTrade.DOGEUSDT]");
  EXPECT_EQ(json(c.texts().at(0)).at("req_id"), "") << "no req_id sent, an empty one echoed";
  EXPECT_EQ(json(c.texts().at(1)).at("ret_msg"), "Invalid symbol :[publicTrade.btcusdt]")
      << "topics are case-sensitive";
  EXPECT_EQ(server_->record().subscribe_errors, 2);
}

TEST_F(BybitServerTest, ArgsBeyond21000CharactersOnAConnectionAreRefused) {
  start(options());
  std::string many = R"({"op":"subscribe","args":[)";
  std::size_t characters = 0;
  for (int i = 0; characters <= 21'000; ++i) {
    const std::string topic = "kline." + std::to_string(i) + ".BTCUSDT";
    characters += topic.size();
    many += (i > 0 ? ",\"" : "\"") + topic + "\"";
  }
  many += "]}";
  WsTestClient c = client({R"({"op":"subscribe","args":["tickers.BTCUSDT"]})", many},
                          [](const WsTestClient& c) { return has_texts(c, 2); });
  run(c);
  EXPECT_EQ(json(c.texts().at(0)).at("success"), true);
  const auto refused = json(c.texts().at(1));
  EXPECT_EQ(refused.at("success"), false);
  EXPECT_EQ(refused.at("ret_msg"), "error:args length exceeds 21000 characters");
}

TEST_F(BybitServerTest, AnswersPingWithBybitsPongEchoingTheReqId) {
  start(options());
  WsTestClient c = client({R"({"op":"ping","req_id":"100001"})", R"({"op":"ping"})"},
                          [](const WsTestClient& c) { return has_texts(c, 2); });
  run(c);
  const auto pong = json(c.texts().at(0));
  EXPECT_EQ(pong.at("success"), true);
  EXPECT_EQ(pong.at("ret_msg"), "pong");
  EXPECT_EQ(pong.at("req_id"), "100001");
  EXPECT_EQ(pong.at("op"), "ping");
  EXPECT_EQ(json(c.texts().at(1)).at("req_id"), "");
  EXPECT_EQ(server_->record().pings, 2);
  EXPECT_EQ(server_->record().pongs_sent, 2);
}

TEST_F(BybitServerTest, LeavesPingsUnansweredWhenTold) {
  SimVenueOptions o = options();
  o.faults.no_pong = true;
  start(o);
  // The answer to the subscribe after the ping proves the ping was read and ignored.
  WsTestClient c = client({R"({"op":"ping"})", subscribe_btc},
                          [](const WsTestClient& c) { return has_texts(c, 1); });
  run(c);
  EXPECT_EQ(json(c.texts().at(0)).at("op"), "subscribe");
  EXPECT_EQ(server_->record().pings, 1);
  EXPECT_EQ(server_->record().pongs_sent, 0);
}

TEST_F(BybitServerTest, RefusesEverySubscribeWhenTold) {
  SimVenueOptions o = options();
  o.frames = frames({liq("BTCUSDT", 1)});
  o.faults.reject_subscriptions = true;
  start(o);
  WsTestClient c = client({subscribe_btc, R"({"op":"ping"})"},
                          [](const WsTestClient& c) { return has_texts(c, 2); });
  run(c);
  EXPECT_EQ(json(c.texts().at(0)).at("success"), false);
  EXPECT_EQ(json(c.texts().at(0)).at("ret_msg"), "Params Error");
  EXPECT_EQ(server_->record().frames_sent, 0u);
}

TEST_F(BybitServerTest, UnsubscribedTopicsStopStreaming) {
  SimVenueOptions o = options();
  o.frames = frames({liq("BTCUSDT", 0), liq("BTCUSDT", 300), trade("BTCUSDT", 600)});
  o.pace = 1;
  start(o);
  WsTestClient c = client({subscribe_btc}, [](const WsTestClient& c) { return has_texts(c, 4); });
  c.respond = [&](const std::string& text) -> std::vector<std::string> {
    if (text != o.frames[0]) return {};
    return {R"({"op":"unsubscribe","args":["allLiquidation.BTCUSDT"],"req_id":"u"})"};
  };
  run(c);
  const auto texts = c.texts();
  ASSERT_EQ(texts.size(), 4u);
  EXPECT_EQ(texts[1], o.frames[0]);
  EXPECT_EQ(json(texts[2]).at("op"), "unsubscribe");
  EXPECT_EQ(texts[3], o.frames[2]) << "the second liquidation was no longer wanted";
}

TEST_F(BybitServerTest, ResumedConnectionsGoOnWhereTheDroppedOneStopped) {
  SimVenueOptions o = options();
  for (int i = 0; i < 6; ++i) o.frames.push_back(frames({liq("BTCUSDT", i)})[0]);
  o.faults.drop_after_frames = 2;
  o.resume = true;
  start(o);
  std::deque<WsTestClient> clients;
  std::vector<std::string> seen;
  for (int connection = 0; connection < 3; ++connection) {
    WsTestClient& c =
        clients.emplace_back(client({subscribe_btc}, [](const WsTestClient&) { return false; }));
    run(c);
    EXPECT_TRUE(c.read_error);
    EXPECT_NE(c.read_error, websocket::error::closed) << "dropped, no close frame";
    for (const std::string& text : c.texts()) {
      if (text.starts_with(R"({"topic")")) seen.push_back(text);
    }
  }
  EXPECT_EQ(seen, o.frames);
}

TEST_F(BybitServerTest, InjectsGarbageAndBinaryFramesBetweenData) {
  SimVenueOptions o = options();
  o.frames = frames({liq("BTCUSDT", 1), liq("BTCUSDT", 2)});
  o.faults.garbage_every = 2;
  o.faults.binary_every = 1;
  start(o);
  WsTestClient c =
      client({subscribe_btc}, [](const WsTestClient& c) { return c.received.size() >= 6; });
  run(c);
  ASSERT_EQ(c.received.size(), 6u);
  EXPECT_FALSE(c.received[1].text);
  EXPECT_EQ(c.received[2].data, o.frames[0]);
  EXPECT_FALSE(c.received[3].data.starts_with("{"));
  EXPECT_FALSE(c.received[4].text);
  EXPECT_EQ(c.received[5].data, o.frames[1]);
}

TEST_F(BybitServerTest, RefusesTheUpgradeWithTheConfiguredStatusAndUnknownPathsWith404) {
  SimVenueOptions o = options();
  o.faults.upgrade_status = 403;
  start(o);
  WsTestClient refused = client({}, [](const WsTestClient&) { return false; });
  run(refused);
  EXPECT_EQ(refused.upgrade_error, websocket::error::upgrade_declined);
  EXPECT_EQ(refused.upgrade_status, 403u);
  WsTestClient spot =
      VenueServerTest::client("/v5/public/spot", {}, [](const WsTestClient&) { return false; });
  run(spot);
  EXPECT_EQ(spot.upgrade_status, 404u);
  EXPECT_EQ(server_->record().ws_connections, 0);
}

TEST_F(BybitServerTest, DropsAConnectionQuietForTheIdleTimeout) {
  SimVenueOptions o = options();
  o.idle_timeout_ms = 200;
  start(o);
  WsTestClient c = client({subscribe_btc}, [](const WsTestClient&) { return false; });
  run(c);
  EXPECT_EQ(c.texts().size(), 1u) << "the ack, then silence";
  EXPECT_TRUE(c.read_error);
  EXPECT_GE(c.ended_at - c.upgraded_at, 180ms);
  EXPECT_TRUE(settle([&] { return server_->record().idle_cuts == 1; }));
}

TEST_F(BybitServerTest, DropConnectionsEndsOpenSessions) {
  start(options());
  WsTestClient c = client({R"({"op":"ping"})"}, [&](const WsTestClient& c) {
    if (has_texts(c, 1)) server_->drop_connections();
    return false;
  });
  run(c);
  EXPECT_EQ(c.texts().size(), 1u);
  EXPECT_TRUE(c.read_error);
}

}  // namespace
}  // namespace teleglas
