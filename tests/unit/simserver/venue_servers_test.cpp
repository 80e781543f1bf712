// One market through three venues: CoinGlass lines turned into each venue's frames, served by
// the three stand-ins, and read back by clients that subscribe as the venues require.
#include <gtest/gtest.h>

#include <deque>

#include "teleglas/sim/venue_frames.hpp"
#include "teleglas/simserver/venue_servers.hpp"
#include "venue_test_support.hpp"

namespace teleglas {
namespace {

using namespace sim_test;

const std::vector<std::string> coinglass_lines = {
    R"({"channel":"liquidationOrders","data":[)"
    R"({"baseAsset":"BTC","exName":"Binance","price":60000,"side":1,"symbol":"BTCUSDT","time":1000,"volUsd":120000},)"
    R"({"baseAsset":"BTC","exName":"Bybit","price":60010,"side":1,"symbol":"BTCUSDT","time":1001,"volUsd":60010},)"
    R"({"baseAsset":"BTC","exName":"OKX","price":59990,"side":2,"symbol":"BTCUSDT","time":1002,"volUsd":29995}]})",
    R"({"channel":"futures_trades@Binance_BTCUSDT@10000","data":[{"exName":"Binance","price":60020,"side":2,"symbol":"BTCUSDT","time":1003,"volUsd":30010}]})",
    R"({"channel":"futures_trades@OKX_BTCUSDT@10000","data":[{"exName":"OKX","price":60030,"side":1,"symbol":"BTCUSDT","time":1004,"volUsd":12006}]})",
};

class ThreeVenuesTest : public VenueServerTest {};

TEST_F(ThreeVenuesTest, EachVenueServesItsOwnShareOfACoinglassMarket) {
  struct Case {
    Venue venue;
    std::string target;
    std::string subscribe;
  };
  const std::vector<Case> cases = {
      {Venue::bybit, "/v5/public/linear",
       R"({"op":"subscribe","args":["allLiquidation.BTCUSDT","publicTrade.BTCUSDT"]})"},
      {Venue::binance, "/market/stream?streams=!forceOrder@arr/btcusdt@aggTrade", ""},
      {Venue::okx, "/ws/v5/public",
       R"({"op":"subscribe","args":[{"channel":"liquidation-orders","instType":"SWAP"},{"channel":"trades","instId":"BTC-USDT-SWAP"}]})"}};

  std::deque<SimVenueServer> servers;
  std::deque<WsTestClient> clients;
  for (const Case& c : cases) {
    VenueFrameBuilder builder;
    SimVenueOptions o = options();
    for (const std::string& line : coinglass_lines) {
      for (std::string& frame : venue_frames_from_coinglass(builder, line, c.venue)) {
        o.frames.push_back(std::move(frame));
      }
    }
    const std::size_t expected = o.frames.size();
    ASSERT_GT(expected, 0u) << to_string(c.venue);
    const std::vector<std::string> frames = o.frames;
    servers.emplace_back(io_, c.venue, std::move(o));
    WsTestClient& client = clients.emplace_back();
    client.port = servers.back().port();
    client.target = c.target;
    client.tls = &*tls_;
    if (!c.subscribe.empty()) client.to_send = {c.subscribe};
    client.enough = [expected](const WsTestClient& w) {
      std::size_t data = 0;
      for (const std::string& t : w.texts()) {
        if (!t.starts_with(R"({"success")") && !t.starts_with(R"({"event")")) ++data;
      }
      return data >= expected;
    };
    run(client);
    std::vector<std::string> data;
    for (const std::string& t : client.texts()) {
      if (!t.starts_with(R"({"success")") && !t.starts_with(R"({"event")")) data.push_back(t);
    }
    EXPECT_EQ(data, frames) << to_string(c.venue);
  }
  // Bybit: one liquidation; Binance: a liquidation and a trade; OKX: both kinds.
  EXPECT_EQ(servers[0].record().frames_sent, 1u);
  EXPECT_EQ(servers[1].record().frames_sent, 2u);
  EXPECT_EQ(servers[2].record().frames_sent, 2u);
}

TEST_F(ThreeVenuesTest, AClientThatDistrustsTheCertificateIsCounted) {
  start(Venue::okx, options());
  net::ssl::context untrusting(net::ssl::context::tls_client);
  untrusting.set_verify_mode(net::ssl::verify_peer);
  WsTestClient c = client("/ws/v5/public", {}, [](const WsTestClient&) { return false; });
  c.tls = &untrusting;
  run(c);
  EXPECT_TRUE(c.tls_error);
  EXPECT_TRUE(settle([&] { return server_->record().tls_handshakes_failed == 1; }));
  EXPECT_EQ(server_->record().ws_connections, 0);
}

}  // namespace
}  // namespace teleglas
