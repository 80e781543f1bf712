// `teleglas run` on the exchanges' own keyless streams: the stand-ins of Bybit, Binance and
// OKX on 127.0.0.1 speak each venue's protocol over TLS, and one stop hunt seen through the
// three venues is one signal with the venue breakdown.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>
#include <thread>

#include "cli_harness.hpp"
#include "stand_ins.hpp"
#include "teleglas/net/tls_identity.hpp"
#include "teleglas/sim/venue_frames.hpp"
#include "teleglas/simserver/venue_servers.hpp"

namespace teleglas {
namespace {

using namespace teleglas::testing;
using namespace std::chrono_literals;

class SourcesCli : public ::testing::Test {
 protected:
  void TearDown() override {
    boost::asio::post(io, [this] {
      for (auto& s : servers) s->stop();
    });
    if (io_thread.joinable()) io_thread.join();
  }

  // Each venue's stand-in streams `events` as that venue pushes them (its own share only), at
  // four times the pace of their own times: the venues' tapes arrive interleaved in time, as
  // live ones do (unpaced, one stand-in could deliver its whole tape before another starts).
  void start(const std::vector<std::pair<Venue, std::vector<VenueEvent>>>& markets) {
    write_file(dir / "ca.pem", identity.ca_cert_pem);
    for (const auto& [venue, events] : markets) {
      VenueFrameBuilder builder;
      SimVenueOptions options;
      options.identity = identity;
      options.frames = builder.frames(venue, events);
      options.pace = 4;
      servers.push_back(std::make_unique<SimVenueServer>(io, venue, std::move(options)));
    }
    io_thread = std::thread([this] { io.run_for(60s); });
  }

  SimVenueServer& server(Venue venue) {
    for (auto& s : servers) {
      if (s->venue() == venue) return *s;
    }
    throw std::logic_error("no stand-in for that venue");
  }

  std::string write_config(const std::string& sources) {
    std::string text = "sources: [" + sources + "]\n";
    const std::string ca = (dir / "ca.pem").string();
    for (auto& s : servers) {
      text += fmt::format("{}:\n  ws_url: {}\n  ca_file: {}\n", to_string(s->venue()) == "OKX" ? "okx"
                              : to_string(s->venue()) == "Bybit"                   ? "bybit"
                                                                                   : "binance",
                          s->ws_url(), ca);
      if (s->venue() == Venue::okx) text += "  rest_url: " + s->rest_url() + "\n";
    }
    text += fmt::format(R"(symbols:
  - symbol: BTCUSDT
    exchanges: [Binance]
storage:
  path: {}
http:
  listen: 127.0.0.1:0
)",
                        (dir / "teleglas.db").string());
    const std::string path = (dir / "teleglas.yaml").string();
    write_file(path, text);
    return path;
  }

  TempDir dir;
  TlsIdentity identity = make_loopback_identity();
  boost::asio::io_context io;
  std::vector<std::unique_ptr<SimVenueServer>> servers;
  std::thread io_thread;
};

long long now_ms() {
  return std::stoll(now_ms_plus(0));
}

// A quiet BTCUSDT tape on a venue: small trades every 2 s, so the hunt's 30 s window has been
// watched when the flush comes.
std::vector<VenueEvent> quiet(long long from, long long to, double price) {
  std::vector<VenueEvent> events;
  for (long long t = from; t < to; t += 2'000) {
    events.push_back({EventKind::trade, "BTCUSDT", Side::buy, price, 2'000, t});
  }
  return events;
}

VenueEvent liquidation(long long t, double usd, double price) {
  return {EventKind::liquidation, "BTCUSDT", Side::sell, price, usd, t};
}

TEST_F(SourcesCli, OneStopHuntSeenThroughThreeVenuesIsOneSignalWithTheBreakdown) {
  const long long t = now_ms();
  auto binance = quiet(t - 32'000, t, 95'950);
  binance.push_back(liquidation(t, 1'300'000, 95'900));
  binance.push_back({EventKind::trade, "BTCUSDT", Side::buy, 95'800, 150'000, t + 3'000});
  auto okx = quiet(t - 32'000, t, 95'960);
  okx.push_back(liquidation(t + 1'000, 500'000, 95'880));
  auto bybit = quiet(t - 32'000, t, 95'955);
  bybit.push_back(liquidation(t + 2'000, 260'000, 95'860));
  start({{Venue::binance, binance}, {Venue::okx, okx}, {Venue::bybit, bybit}});
  const std::string signals = (dir / "signals.jsonl").string();
  BackgroundTeleglas daemon(
      {"run", "--config", write_config("bybit, binance, okx"), "--signals-json", signals}, {},
      dir);
  EXPECT_TRUE(daemon.wait_for_output("Stop hunt", 30s)) << daemon.err();
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(daemon.stop(SIGTERM, 5s), 0) << daemon.err();

  std::vector<boost::json::object> hunts;
  std::istringstream lines(read_file(signals));
  for (std::string line; std::getline(lines, line);) {
    const auto o = boost::json::parse(line).as_object();
    if (o.at("type").as_string() == "STOP_HUNT") hunts.push_back(o);
  }
  ASSERT_EQ(hunts.size(), 1u) << "one flush, one signal, whichever venue reported what\n"
                              << daemon.err();
  const auto& venues = hunts[0].at("venues").as_object();
  EXPECT_EQ(venues.size(), 3u) << boost::json::serialize(venues);
  EXPECT_NEAR(venues.at("Binance").to_number<double>(), 1'300'000, 1);
  EXPECT_NEAR(venues.at("OKX").to_number<double>(), 500'000, 1) << "OKX contracts sized by ctVal";
  EXPECT_NEAR(venues.at("Bybit").to_number<double>(), 260'000, 1);
  EXPECT_EQ(hunts[0].at("exchange").as_string(), "Binance");
  EXPECT_EQ(hunts[0].at("direction").as_string(), "LONG");
  // Every venue was asked in its own words.
  EXPECT_NE(server(Venue::bybit).record().ws_messages.at(0).find("allLiquidation.BTCUSDT"),
            std::string::npos);
  EXPECT_NE(server(Venue::binance).record().ws_targets.at(0).find("!forceOrder@arr"),
            std::string::npos);
  EXPECT_EQ(server(Venue::okx).record().rest_targets.at(0),
            "/api/v5/public/instruments?instType=SWAP");
  EXPECT_NE(daemon.err().find("sources: bybit, binance, okx"), std::string::npos) << daemon.err();
}

TEST_F(SourcesCli, WithoutAKeyTheDefaultIsTheExchangesOwnStreams) {
  const long long t = now_ms();
  auto binance = quiet(t - 32'000, t, 95'950);
  auto bybit = quiet(t - 32'000, t, 95'955);
  start({{Venue::binance, binance}, {Venue::bybit, bybit}});
  // No sources key, no COINGLASS_API_KEY: bybit and binance, here their stand-ins.
  const std::string config = write_config("");
  write_file(config, read_file(config).substr(read_file(config).find('\n') + 1));
  BackgroundTeleglas daemon({"run", "--config", config}, {}, dir);
  EXPECT_TRUE(daemon.wait_for_log("binance: connecting", 10s)) << daemon.err();
  EXPECT_TRUE(daemon.wait_for_log("feed[binance 0]: live", 10s)) << daemon.err();
  EXPECT_TRUE(daemon.wait_for_log("feed[bybit 0]: live", 10s)) << daemon.err();
  EXPECT_EQ(daemon.stop(SIGTERM, 5s), 0) << daemon.err();
  EXPECT_NE(daemon.err().find("sources: bybit, binance (no COINGLASS_API_KEY"), std::string::npos)
      << daemon.err();
}

TEST_F(SourcesCli, ARecordingOfTheVenuesReplaysToTheSameSignals) {
  const long long t = now_ms();
  auto binance = quiet(t - 32'000, t, 95'950);
  binance.push_back(liquidation(t, 1'300'000, 95'900));
  binance.push_back({EventKind::trade, "BTCUSDT", Side::buy, 95'800, 150'000, t + 3'000});
  auto okx = quiet(t - 32'000, t, 95'960);
  okx.push_back(liquidation(t + 1'000, 900'000, 95'880));
  start({{Venue::binance, binance}, {Venue::okx, okx}});
  const std::string config = write_config("binance, okx");
  const std::string recording = (dir / "rec.jsonl").string();
  write_file(config,
             read_file(config) + "coinglass:\n  record_path: " + recording + "\n");
  const std::string signals = (dir / "signals.jsonl").string();
  BackgroundTeleglas daemon({"run", "--config", config, "--signals-json", signals}, {}, dir);
  EXPECT_TRUE(daemon.wait_for_output("Stop hunt", 30s)) << daemon.err();
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(daemon.stop(SIGTERM, 5s), 0) << daemon.err();
  const std::string recorded = read_file(recording);
  EXPECT_NE(recorded.find(R"({"channel":"teleglas.source","name":"okx"})"), std::string::npos);
  EXPECT_NE(recorded.find(R"({"channel":"teleglas.source","name":"binance"})"), std::string::npos);
  EXPECT_NE(recorded.find(R"({"channel":"okx.instruments")"), std::string::npos)
      << "OKX's contract sizes are recorded for the replay";
  const auto replayed = run_teleglas("replay --json " + recording, dir);
  ASSERT_EQ(replayed.exit_code, 0) << replayed.err;
  std::string live_signals;
  std::istringstream lines(read_file(signals));
  std::string replay_signals;
  std::istringstream out(replayed.out);
  for (std::string line; std::getline(lines, line);) live_signals += line + "\n";
  for (std::string line; std::getline(out, line);) {
    if (line.rfind("{\"summary\"", 0) != 0) replay_signals += line + "\n";
  }
  EXPECT_FALSE(live_signals.empty());
  EXPECT_EQ(replay_signals, live_signals);
}

}  // namespace
}  // namespace teleglas
