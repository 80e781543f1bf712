#include "teleglas/simserver/coinglass_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "sim_test_support.hpp"
#include "teleglas/core/types.hpp"
#include "teleglas/net/https_client.hpp"
#include "teleglas/net/tls_context.hpp"
#include "venue_test_support.hpp"

namespace teleglas {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using namespace std::chrono_literals;
using sim_test::run_until;
using sim_test::TempFile;

const std::string subscribe = R"({"method":"subscribe","channels":["liquidationOrders"]})";

std::string liquidation_frame(TimeMs time, double vol_usd) {
  return R"({"channel":"liquidationOrders","data":[{"baseAsset":"BTC","exName":"Binance",)"
         R"("price":56738.0,"side":2,"symbol":"BTCUSDT","time":)" +
         std::to_string(time) + R"(,"volUsd":)" + std::to_string(vol_usd) + "}]}";
}

// The stand-ins' test client, on CoinGlass's stream path with a key.
using WsClient = sim_test::WsTestClient;
using sim_test::has_texts;

class SimCoinglassServerTest : public ::testing::Test {
 protected:
  SimCoinglassServerTest() : ca_file_(identity_.ca_cert_pem), tls_(make_tls(ca_file_.path())) {}

  static net::ssl::context make_tls(const std::string& ca_file) {
    std::error_code ec;
    net::ssl::context ctx = make_client_tls_context(ca_file, ec);
    EXPECT_FALSE(ec) << ec.message();
    return ctx;
  }

  SimCoinglassOptions options() const {
    SimCoinglassOptions o;
    o.identity = identity_;
    return o;
  }

  void start(SimCoinglassOptions o) { server_.emplace(io_, std::move(o)); }

  WsClient client(std::vector<std::string> to_send, std::function<bool(const WsClient&)> enough) {
    WsClient c;
    c.port = server_->port();
    c.target = "/ws-api?cg-api-key=KEY";
    c.tls = &tls_;
    c.to_send = std::move(to_send);
    c.enough = std::move(enough);
    return c;
  }

  void run(WsClient& c, std::chrono::milliseconds limit = 5s) {
    net::co_spawn(io_, c.run(), [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    });
    ASSERT_TRUE(run_until(
        io_, [&] { return c.done; }, limit));
  }

  HttpsResponse rest_get(HttpsClient& client, std::string target) {
    HttpsResponse out;
    bool finished = false;
    net::co_spawn(io_, client.get(std::move(target)), [&](std::exception_ptr e, HttpsResponse r) {
      if (e) std::rethrow_exception(e);
      out = std::move(r);
      finished = true;
    });
    EXPECT_TRUE(run_until(io_, [&] { return finished; }));
    return out;
  }

  HttpsClientOptions client_options() const {
    HttpsClientOptions o;
    o.ca_file = ca_file_.path();
    o.timeout = 5s;
    return o;
  }

  static inline const TlsIdentity identity_ = make_loopback_identity();
  net::io_context io_;
  TempFile ca_file_;
  net::ssl::context tls_;
  std::optional<SimCoinglassServer> server_;
};

TEST_F(SimCoinglassServerTest, StreamsFramesInOrderAfterSubscribeAndRecordsTheSession) {
  SimCoinglassOptions o = options();
  o.frames = {liquidation_frame(1000, 1), liquidation_frame(1001, 2), liquidation_frame(1002, 3)};
  start(o);
  WsClient c = client({subscribe}, [](const WsClient& c) { return has_texts(c, 3); });
  run(c);
  EXPECT_EQ(c.texts(), o.frames);
  const SimCoinglassRecord record = server_->record();
  EXPECT_EQ(record.ws_targets, std::vector<std::string>{"/ws-api?cg-api-key=KEY"});
  EXPECT_EQ(record.ws_messages, std::vector<std::string>{subscribe});
  EXPECT_EQ(record.ws_connections, 1);
  EXPECT_EQ(record.frames_sent, 3u);
}

TEST_F(SimCoinglassServerTest, StreamsNothingBeforeASubscribe) {
  SimCoinglassOptions o = options();
  o.frames = {liquidation_frame(1000, 1)};
  start(o);
  WsClient c = client({"ping"}, [](const WsClient& c) { return has_texts(c, 1); });
  run(c);
  EXPECT_EQ(c.texts(), std::vector<std::string>{"pong"});
  EXPECT_EQ(server_->record().frames_sent, 0u);
}

TEST_F(SimCoinglassServerTest, AnswersPingWithPong) {
  start(options());
  WsClient c = client({"ping", "ping"}, [](const WsClient& c) { return has_texts(c, 2); });
  run(c);
  EXPECT_EQ(c.texts(), (std::vector<std::string>{"pong", "pong"}));
  EXPECT_EQ(server_->record().pings, 2);
  EXPECT_EQ(server_->record().pongs_sent, 2);
}

TEST_F(SimCoinglassServerTest, IgnoresPingsWhenTold) {
  SimCoinglassOptions o = options();
  o.frames = {liquidation_frame(1000, 1)};
  o.faults.ignore_pings = true;
  start(o);
  // The frame after the ping proves the ping was read and went unanswered.
  WsClient c = client({"ping", subscribe}, [](const WsClient& c) { return has_texts(c, 1); });
  run(c);
  EXPECT_EQ(c.texts(), o.frames);
  EXPECT_EQ(server_->record().pings, 1);
  EXPECT_EQ(server_->record().pongs_sent, 0);
}

TEST_F(SimCoinglassServerTest, DropsTheConnectionAbruptlyAfterNFrames) {
  SimCoinglassOptions o = options();
  for (int i = 0; i < 5; ++i) o.frames.push_back(liquidation_frame(1000 + i, i));
  o.faults.drop_after_frames = 2;
  start(o);
  WsClient c = client({subscribe}, [](const WsClient&) { return false; });
  run(c);
  EXPECT_EQ(c.texts(), (std::vector<std::string>{o.frames[0], o.frames[1]}));
  EXPECT_TRUE(c.read_error);
  EXPECT_NE(c.read_error, websocket::error::closed) << "no close frame, a dead connection";
}

TEST_F(SimCoinglassServerTest, ResumedStreamGoesOnWhereTheDroppedConnectionStopped) {
  SimCoinglassOptions o = options();
  for (int i = 0; i < 6; ++i) o.frames.push_back(liquidation_frame(1000 + i, i));
  o.faults.drop_after_frames = 2;
  o.resume = true;
  start(o);
  std::vector<std::string> seen;
  for (int connection = 0; connection < 3; ++connection) {
    WsClient c = client({subscribe}, [](const WsClient&) { return false; });
    run(c);
    EXPECT_TRUE(c.read_error) << "dropped";
    for (const std::string& text : c.texts()) seen.push_back(text);
  }
  EXPECT_EQ(seen, o.frames) << "each frame once, in order, across the three connections";
}

TEST_F(SimCoinglassServerTest, RefusesTheUpgradeWithTheConfiguredStatus) {
  SimCoinglassOptions o = options();
  o.faults.upgrade_status = 401;
  start(o);
  WsClient c = client({}, [](const WsClient&) { return false; });
  run(c);
  EXPECT_EQ(c.upgrade_error, websocket::error::upgrade_declined);
  EXPECT_EQ(c.upgrade_status, 401u);
  EXPECT_EQ(server_->record().ws_connections, 0);
  EXPECT_EQ(server_->record().ws_targets.size(), 1u);
}

TEST_F(SimCoinglassServerTest, AnswersEverySubscribeWithThePlanNotice) {
  SimCoinglassOptions o = options();
  o.faults.plan_notice = "liquidationOrders need upgrade plan";
  start(o);
  WsClient c = client({subscribe, subscribe}, [](const WsClient& c) { return has_texts(c, 2); });
  run(c);
  EXPECT_EQ(c.texts(), std::vector<std::string>(2, o.faults.plan_notice));
}

TEST_F(SimCoinglassServerTest, PacesFramesByTheirEventTimes) {
  SimCoinglassOptions o = options();
  o.frames = {liquidation_frame(10'000, 1), liquidation_frame(10'300, 2)};
  o.pace = 2;  // 300 ms of market time in 150 ms
  start(o);
  std::vector<std::chrono::steady_clock::time_point> arrivals;
  WsClient c = client({subscribe}, [&](const WsClient& c) {
    if (c.received.size() > arrivals.size()) arrivals.push_back(std::chrono::steady_clock::now());
    return has_texts(c, 2);
  });
  run(c);
  ASSERT_EQ(arrivals.size(), 2u);
  EXPECT_GE(arrivals[1] - arrivals[0], 130ms);
  EXPECT_LT(arrivals[1] - arrivals[0], 1s);
}

TEST_F(SimCoinglassServerTest, InjectsOversizeGarbageAndBinaryFrames) {
  SimCoinglassOptions o = options();
  o.frames = {liquidation_frame(1000, 1), liquidation_frame(1001, 2), liquidation_frame(1002, 3)};
  o.faults.oversize_frame_bytes = 100'000;
  o.faults.garbage_every = 2;
  o.faults.binary_every = 3;
  start(o);
  WsClient c = client({subscribe}, [](const WsClient& c) { return c.received.size() >= 6; });
  run(c);
  ASSERT_EQ(c.received.size(), 6u);
  EXPECT_EQ(c.received[0].data.size(), 100'000u);
  EXPECT_EQ(c.received[1].data, o.frames[0]);
  EXPECT_FALSE(c.received[2].data.starts_with("{")) << "garbage before the 2nd frame";
  EXPECT_EQ(c.received[3].data, o.frames[1]);
  EXPECT_FALSE(c.received[4].text) << "binary before the 3rd frame";
  EXPECT_EQ(c.received[5].data, o.frames[2]);
  EXPECT_EQ(server_->record().frames_sent, 3u);
}

TEST_F(SimCoinglassServerTest, DropConnectionsClosesOpenSessions) {
  start(options());
  WsClient c = client({"ping"}, [&](const WsClient& c) {
    if (has_texts(c, 1)) server_->drop_connections();
    return false;
  });
  run(c);
  EXPECT_EQ(c.texts(), std::vector<std::string>{"pong"});
  EXPECT_TRUE(c.read_error);
}

TEST_F(SimCoinglassServerTest, ClientWithAnEmptyTrustStoreFailsTheHandshakeAndIsCounted) {
  start(options());
  net::ssl::context untrusting(net::ssl::context::tls_client);
  untrusting.set_verify_mode(net::ssl::verify_peer);
  WsClient c = client({}, [](const WsClient&) { return false; });
  c.tls = &untrusting;
  run(c);
  EXPECT_TRUE(c.tls_error);
  ASSERT_TRUE(run_until(io_, [&] { return server_->record().tls_handshakes_failed == 1; }));
  EXPECT_EQ(server_->record().ws_connections, 0);
}

TEST_F(SimCoinglassServerTest, ItsCertificateFailsForAnotherHostName) {
  start(options());
  WsClient c = client({}, [](const WsClient&) { return false; });
  c.peer_name = "open-ws.coinglass.com";
  run(c);
  EXPECT_TRUE(c.tls_error);
  ASSERT_TRUE(run_until(io_, [&] { return server_->record().tls_handshakes_failed == 1; }));
}

TEST_F(SimCoinglassServerTest, ServesFundingRatesInTheEnvelope) {
  SimCoinglassOptions o = options();
  o.funding_data =
      R"([{"symbol":"BTC","stablecoin_margin_list":[{"exchange":"Binance","funding_rate":0.007343}]}])";
  start(o);
  HttpsClient client(io_.get_executor(), server_->rest_url(), client_options());
  const HttpsResponse r = rest_get(client, "/api/futures/funding-rate/exchange-list");
  ASSERT_FALSE(r.error) << r.error.message();
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, R"({"code":"0","msg":"success","data":)" + o.funding_data + "}");
}

TEST_F(SimCoinglassServerTest, ServesOpenInterestPerSymbolAndRecordsTheRequest) {
  SimCoinglassOptions o = options();
  o.open_interest_data = [](const std::string& base) {
    return R"([{"exchange":"All","symbol":")" + base + R"("}])";
  };
  start(o);
  HttpsClient client(io_.get_executor(), server_->rest_url(), client_options());
  const std::string target = "/api/futures/open-interest/exchange-list?symbol=ETH";
  const HttpsResponse r = rest_get(client, target);
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, R"({"code":"0","msg":"success","data":[{"exchange":"All","symbol":"ETH"}]})");
  EXPECT_EQ(server_->record().rest_targets, std::vector<std::string>{target});
}

TEST_F(SimCoinglassServerTest, AnswersAnUnknownPathWith404) {
  start(options());
  HttpsClient client(io_.get_executor(), server_->rest_url(), client_options());
  const HttpsResponse r = rest_get(client, "/api/nothing");
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(r.body, R"({"code":"404","msg":"not found"})");
}

TEST_F(SimCoinglassServerTest, RestFaultsSetTheStatusBodyAndRetryAfter) {
  start(options());
  HttpsClient client(io_.get_executor(), server_->rest_url(), client_options());
  const std::string target = "/api/futures/funding-rate/exchange-list";

  SimCoinglassFaults faults;
  faults.rest_status = 429;
  faults.rest_retry_after_s = 7;
  server_->set_faults(faults);
  HttpsResponse r = rest_get(client, target);
  EXPECT_EQ(r.status, 429u);
  EXPECT_EQ(r.retry_after, std::chrono::seconds(7));

  faults.rest_status = 401;
  server_->set_faults(faults);
  r = rest_get(client, target);
  EXPECT_EQ(r.status, 401u);
  EXPECT_EQ(r.body, R"({"code":"401","msg":"API key missing"})");

  faults.rest_status = 500;
  server_->set_faults(faults);
  EXPECT_EQ(rest_get(client, target).status, 500u);
}

TEST_F(SimCoinglassServerTest, KeepsRestConnectionsAlive) {
  start(options());
  HttpsClient client(io_.get_executor(), server_->rest_url(), client_options());
  EXPECT_EQ(rest_get(client, "/api/futures/funding-rate/exchange-list").status, 200u);
  EXPECT_EQ(rest_get(client, "/api/futures/funding-rate/exchange-list").status, 200u);
  EXPECT_EQ(server_->record().rest_connections, 1);
  EXPECT_EQ(server_->record().rest_targets.size(), 2u);
}

}  // namespace
}  // namespace teleglas
