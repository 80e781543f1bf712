// The OKX v5 public stand-in and its instruments endpoint, driven by real clients on loopback.
#include <gtest/gtest.h>

#include "teleglas/net/https_client.hpp"
#include "teleglas/sim/venue_frames.hpp"
#include "teleglas/simserver/venue_servers.hpp"
#include "venue_test_support.hpp"

namespace teleglas {
namespace {

using namespace sim_test;

const std::string path = "/ws/v5/public";
const std::string subscribe =
    R"({"op":"subscribe","args":[{"channel":"liquidation-orders","instType":"SWAP"},)"
    R"({"channel":"trades","instId":"BTC-USDT-SWAP"}]})";

VenueEvent liq(std::string symbol, TimeMs time) {
  return {EventKind::liquidation, std::move(symbol), Side::sell, 50'000, 10'000, time};
}
VenueEvent trade(std::string symbol, TimeMs time) {
  return {EventKind::trade, std::move(symbol), Side::buy, 50'000, 20'000, time};
}

std::vector<std::string> market_frames() {
  VenueFrameBuilder b;
  const std::vector<VenueEvent> first = {liq("BTCUSDT", 1), liq("ETHUSDT", 1)};
  const std::vector<VenueEvent> btc = {trade("BTCUSDT", 2)};
  const std::vector<VenueEvent> eth = {trade("ETHUSDT", 3)};
  const std::vector<VenueEvent> second = {liq("SOLUSDT", 4)};
  return {*b.okx(first), *b.okx(btc), *b.okx(eth), *b.okx(second)};
}

class OkxServerTest : public VenueServerTest {
 protected:
  void start(SimVenueOptions o) { VenueServerTest::start(Venue::okx, std::move(o)); }
  WsTestClient client(std::vector<std::string> to_send,
                      std::function<bool(const WsTestClient&)> enough) {
    return VenueServerTest::client(path, std::move(to_send), std::move(enough));
  }

  HttpsResponse get(const std::string& target) {
    HttpsClientOptions o;
    o.ca_file = ca_file_.path();
    o.timeout = 5s;
    HttpsClient http(io_.get_executor(), server_->rest_url(), o);
    HttpsResponse out;
    bool finished = false;
    net::co_spawn(io_, http.get(target), [&](std::exception_ptr e, HttpsResponse r) {
      if (e) std::rethrow_exception(e);
      out = std::move(r);
      finished = true;
    });
    EXPECT_TRUE(run_until(io_, [&] { return finished; }));
    return out;
  }
};

TEST_F(OkxServerTest, AcknowledgesEachArgAndStreamsOnlyMatchingFrames) {
  SimVenueOptions o = options();
  o.frames = market_frames();
  start(o);
  EXPECT_EQ(server_->ws_url(), "wss://127.0.0.1:" + std::to_string(server_->port()) + path);
  WsTestClient c = client({subscribe}, [](const WsTestClient& c) { return has_texts(c, 5); });
  run(c);
  const auto texts = c.texts();
  ASSERT_EQ(texts.size(), 5u);
  const auto first = json(texts[0]);
  EXPECT_EQ(first.at("event"), "subscribe");
  EXPECT_EQ(first.at("arg"), json(R"({"channel":"liquidation-orders","instType":"SWAP"})"));
  EXPECT_FALSE(first.at("connId").as_string().empty());
  EXPECT_EQ(json(texts[1]).at("arg"), json(R"({"channel":"trades","instId":"BTC-USDT-SWAP"})"));
  EXPECT_EQ(texts[2], o.frames[0]);
  EXPECT_EQ(texts[3], o.frames[1]);
  EXPECT_EQ(texts[4], o.frames[3]) << "ETH's trades were not asked for";
  EXPECT_EQ(server_->record().frames_sent, 3u);
  EXPECT_EQ(server_->record().subscribe_requests, 1);
}

TEST_F(OkxServerTest, TheLiquidationChannelIsInstTypeWideAndItsAckDropsTheInstId) {
  start(options());
  WsTestClient c = client(
      {R"({"op":"subscribe","args":[{"channel":"liquidation-orders","instType":"SWAP","instId":"BTC-USDT-SWAP"}]})"},
      [](const WsTestClient& c) { return has_texts(c, 1); });
  run(c);
  EXPECT_EQ(json(c.texts().at(0)).at("arg"),
            json(R"({"channel":"liquidation-orders","instType":"SWAP"})"));
}

TEST_F(OkxServerTest, UnknownChannelsAndInstrumentsAre60018) {
  SimVenueOptions o = options();
  o.frames = market_frames();
  start(o);
  WsTestClient c =
      client({R"({"op":"subscribe","args":[{"channel":"trades","instId":"DOGE-USDT-SWAP"},)"
              R"({"channel":"candles","instId":"BTC-USDT-SWAP"},)"
              R"({"channel":"liquidation-orders","instId":"BTC-USDT-SWAP"},)"
              R"({"channel":"trades","instId":"BTC-USDT-SWAP"}]})"},
             [](const WsTestClient& c) { return has_texts(c, 5); });
  run(c);
  const auto texts = c.texts();
  ASSERT_EQ(texts.size(), 5u);
  const auto error = json(texts[0]).as_object();
  std::vector<std::string> keys;
  for (const auto& m : error) keys.emplace_back(m.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"event", "code", "msg", "connId"}));
  EXPECT_EQ(error.at("event"), "error");
  EXPECT_EQ(error.at("code"), "60018");
  EXPECT_EQ(error.at("msg"),
            "Wrong URL or channel:trades,instId:DOGE-USDT-SWAP doesn't exist. Please use the "
            "correct URL, channel and parameters referring to API document.");
  EXPECT_EQ(json(texts[1]).at("code"), "60018");
  EXPECT_EQ(json(texts[2]).at("msg"),
            "Wrong URL or channel:liquidation-orders,instId:BTC-USDT-SWAP doesn't exist. Please "
            "use the correct URL, channel and parameters referring to API document.")
      << "liquidation-orders needs an instType";
  EXPECT_EQ(json(texts[3]).at("event"), "subscribe") << "the good arg still subscribes";
  EXPECT_EQ(texts[4], o.frames[1]);
  EXPECT_EQ(server_->record().subscribe_errors, 3);
}

TEST_F(OkxServerTest, RequestsItCannotReadAre60012) {
  start(options());
  WsTestClient c =
      client({"{oops", R"({"op":"login","args":[{}]})", R"({"op":"subscribe","args":[]})"},
             [](const WsTestClient& c) { return has_texts(c, 3); });
  run(c);
  for (const std::string& text : c.texts()) {
    EXPECT_EQ(json(text).at("event"), "error") << text;
    EXPECT_EQ(json(text).at("code"), "60012") << text;
  }
  EXPECT_EQ(json(c.texts().at(0)).at("msg"), "Invalid request: {oops");
}

TEST_F(OkxServerTest, AnswersTextPingWithPongUnlessTold) {
  start(options());
  WsTestClient c = client({"ping"}, [](const WsTestClient& c) { return has_texts(c, 1); });
  run(c);
  EXPECT_EQ(c.texts(), std::vector<std::string>{"pong"});

  SimVenueFaults faults;
  faults.no_pong = true;
  server_->set_faults(faults);
  WsTestClient ignored =
      client({"ping", subscribe}, [](const WsTestClient& c) { return has_texts(c, 1); });
  run(ignored);
  EXPECT_EQ(json(ignored.texts().at(0)).at("event"), "subscribe");
  EXPECT_EQ(server_->record().pings, 2);
  EXPECT_EQ(server_->record().pongs_sent, 1);
}

TEST_F(OkxServerTest, RefusesEverySubscribeWhenTold) {
  SimVenueOptions o = options();
  o.faults.reject_subscriptions = true;
  start(o);
  WsTestClient c = client({subscribe}, [](const WsTestClient& c) { return has_texts(c, 2); });
  run(c);
  EXPECT_EQ(json(c.texts().at(0)).at("code"), "60018");
  EXPECT_EQ(json(c.texts().at(1)).at("code"), "60018");
  EXPECT_EQ(server_->record().subscribe_errors, 2);
}

TEST_F(OkxServerTest, ClosesASessionWithoutASubscriptionWith4004EvenIfItPings) {
  SimVenueOptions o = options();
  o.idle_timeout_ms = 250;
  start(o);
  WsTestClient c = client({}, [](const WsTestClient&) { return false; });
  c.heartbeat = "ping";
  c.heartbeat_every = 50ms;
  run(c);
  EXPECT_EQ(c.read_error, websocket::error::closed);
  EXPECT_EQ(c.close.code, 4004);
  EXPECT_EQ(c.close.reason, "No data received in 30s");
  EXPECT_GE(c.ended_at - c.upgraded_at, 230ms);
  EXPECT_FALSE(c.texts().empty()) << "its pings were answered, and did not keep it";
  EXPECT_EQ(server_->record().idle_cuts, 1);
}

TEST_F(OkxServerTest, ClosesASubscribedSessionNothingWasPushedToFor30s) {
  SimVenueOptions o = options();
  o.idle_timeout_ms = 250;
  start(o);
  WsTestClient c = client({subscribe}, [](const WsTestClient&) { return false; });
  run(c);
  EXPECT_EQ(c.close.code, 4004);
  EXPECT_GE(c.ended_at - c.upgraded_at, 230ms);
}

TEST_F(OkxServerTest, PongsKeepASubscribedSessionAlive) {
  SimVenueOptions o = options();
  o.idle_timeout_ms = 250;
  start(o);
  WsTestClient c = client({subscribe}, [](const WsTestClient&) { return false; });
  c.heartbeat = "ping";
  c.heartbeat_every = 80ms;
  c.read_limit = 800ms;
  run(c);
  EXPECT_EQ(c.read_error, beast::error::timeout) << "the client gave up first";
  EXPECT_EQ(server_->record().idle_cuts, 0);
}

TEST_F(OkxServerTest, ServesTheSwapInstrumentsWithTheirContractValues) {
  SimVenueOptions o = options();
  o.instruments = {{"BTC", "USDT", 0.01}, {"PEPE", "USDT", 10'000'000}};
  start(o);
  const HttpsResponse r = get("/api/v5/public/instruments?instType=SWAP");
  ASSERT_FALSE(r.error) << r.error.message();
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, okx_instruments_body(o.instruments));
  EXPECT_EQ(json(r.body).at("data").at(1).at("ctVal"), "10000000");
  EXPECT_EQ(server_->record().rest_targets,
            std::vector<std::string>{"/api/v5/public/instruments?instType=SWAP"});
}

TEST_F(OkxServerTest, OtherInstrumentTypesAreEmptyAndAMissingTypeIsAnError) {
  start(options());
  const HttpsResponse futures = get("/api/v5/public/instruments?instType=FUTURES");
  EXPECT_EQ(futures.status, 200u);
  EXPECT_EQ(json(futures.body).at("data").as_array().size(), 0u);
  const HttpsResponse missing = get("/api/v5/public/instruments");
  EXPECT_EQ(missing.status, 400u);
  EXPECT_EQ(json(missing.body).at("code"), "50014");
  EXPECT_EQ(get("/api/v5/market/tickers").status, 404u);
}

TEST_F(OkxServerTest, RestFaultsSetTheStatusTheBodyAndRetryAfter) {
  start(options());
  const std::string target = "/api/v5/public/instruments?instType=SWAP";
  SimVenueFaults faults;
  faults.rest_status = 500;
  server_->set_faults(faults);
  HttpsResponse r = get(target);
  EXPECT_EQ(r.status, 500u);
  EXPECT_EQ(json(r.body).at("code"), "50001");

  faults.rest_status = 429;
  faults.rest_retry_after_s = 3;
  server_->set_faults(faults);
  r = get(target);
  EXPECT_EQ(r.status, 429u);
  EXPECT_EQ(r.retry_after, std::chrono::seconds(3));
  EXPECT_EQ(json(r.body).at("code"), "50011");

  faults = {};
  faults.rest_body = "<html>bad gateway</html>";
  server_->set_faults(faults);
  r = get(target);
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, faults.rest_body);
}

}  // namespace
}  // namespace teleglas
