// `teleglas run` on the exchanges' own keyless streams: the stand-ins of Bybit, Binance and
// OKX on 127.0.0.1 speak each venue's protocol over TLS, and one stop hunt seen through the
// three venues is one signal with the venue breakdown.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <span>
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

  // `venue_keys`: more lines for every venue's section; `exchange`: the symbol's venue.
  std::string write_config(const std::string& sources, const std::string& venue_keys = "",
                           std::string_view exchange = "Binance") {
    std::string text = "sources: [" + sources + "]\n";
    const std::string ca = (dir / "ca.pem").string();
    for (auto& s : servers) {
      text += fmt::format("{}:\n  ws_url: {}\n  ca_file: {}\n",
                          to_string(s->venue()) == "OKX"     ? "okx"
                          : to_string(s->venue()) == "Bybit" ? "bybit"
                                                             : "binance",
                          s->ws_url(), ca);
      if (s->venue() == Venue::okx) text += "  rest_url: " + s->rest_url() + "\n";
      text += venue_keys;
    }
    text += fmt::format(R"(symbols:
  - symbol: BTCUSDT
    exchanges: [{}]
storage:
  path: {}
http:
  listen: 127.0.0.1:0
)",
                        exchange, (dir / "teleglas.db").string());
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
      {"run", "--config", write_config("bybit, binance, okx"), "--signals-json", signals}, {}, dir);
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
  write_file(config, read_file(config) + "coinglass:\n  record_path: " + recording + "\n");
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

// ---- each source alone, under its faults, against the same market replayed --------------

// `events` of `venue` as CoinGlass relays them: one line each, the venue as exName.
std::string as_coinglass_lines(Venue venue, const std::vector<VenueEvent>& events) {
  std::string out;
  for (const VenueEvent& e : events) {
    // Liquidation side 1 = a long liquidated (a forced sell); trade side 1 = sell, 2 = buy.
    const int side = e.side == Side::sell ? 1 : 2;
    const std::string exchange(to_string(venue));
    out += (e.kind == EventKind::liquidation
                ? liquidation_line(e.time, side, e.volume_usd, e.price, e.symbol, exchange)
                : trade_line(e.time, side, e.volume_usd, e.price, e.symbol, exchange)) +
           "\n";
  }
  return out;
}

std::vector<boost::json::object> json_lines(const std::string& text) {
  std::vector<boost::json::object> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.rfind("{\"summary\"", 0) == 0) continue;
    out.push_back(boost::json::parse(line).as_object());
  }
  return out;
}

struct FaultyVenue {
  const char* name;
  Venue venue;
  const char* source;
  SimVenueFaults faults;
};

std::ostream& operator<<(std::ostream& os, const FaultyVenue& v) {
  return os << v.name;
}

class EachSourceCli : public SourcesCli, public ::testing::WithParamInterface<FaultyVenue> {};

// A stop hunt and a cascade's worth of flushing on one venue, its stream hostile in one way
// (garbage and binary frames between the data, or the connection dropped every few frames and
// picked up where it was): the live daemon decides what `teleglas replay` decides from the same
// market as CoinGlass lines — the same signals at the same times, the same volumes by venue, the
// same confidence unless the live one was marked for an outage inside its window.
TEST_P(EachSourceCli, AloneAndUnderFaultsItDecidesWhatTheSameMarketReplayedDecides) {
  const FaultyVenue& v = GetParam();
  const long long t = now_ms();
  auto market = quiet(t - 40'000, t, 95'950);
  for (int i = 0; i < 5; ++i) market.push_back(liquidation(t + i * 400, 520'000, 95'900 - i * 15));
  for (int i = 0; i < 4; ++i) {
    market.push_back(
        {EventKind::trade, "BTCUSDT", Side::buy, 95'820 + i * 5.0, 160'000, t + 3'000 + i * 700});
  }
  for (long long u = t + 6'000; u < t + 12'000; u += 1'000) {
    market.push_back({EventKind::trade, "BTCUSDT", Side::sell, 95'850, 2'000, u});
  }
  std::size_t frames = 0;
  {
    VenueFrameBuilder builder;
    SimVenueOptions options;
    options.identity = identity;
    // In time order, a frame per event: what the venue pushes as it happens (one frame of the
    // whole tape would carry times far ahead of the clock).
    std::stable_sort(market.begin(), market.end(),
                     [](const VenueEvent& a, const VenueEvent& b) { return a.time < b.time; });
    for (const VenueEvent& e : market) {
      for (std::string& frame : builder.frames(v.venue, std::span(&e, 1))) {
        options.frames.push_back(std::move(frame));
      }
    }
    frames = options.frames.size();
    options.pace = 4;
    options.resume =
        v.faults.drop_after_frames > 0;  // a new connection picks up where the dropped one was
    options.faults = v.faults;
    write_file(dir / "ca.pem", identity.ca_cert_pem);
    servers.push_back(std::make_unique<SimVenueServer>(io, v.venue, std::move(options)));
    io_thread = std::thread([this] { io.run_for(60s); });
  }
  // Back within a fraction of a second after a drop.
  const std::string config = write_config(
      v.source, "  reconnect_initial_s: 0.05\n  reconnect_max_s: 0.2\n", to_string(v.venue));

  const std::string signals = (dir / "signals.jsonl").string();
  BackgroundTeleglas daemon({"run", "--config", config, "--signals-json", signals}, {}, dir);
  EXPECT_TRUE(daemon.wait_for_output("Stop hunt", 40s)) << daemon.err();
  // The rest of the tape (the sells after the hunt) still streams: wait for all of it.
  EXPECT_TRUE(wait_until([&] { return server(v.venue).record().frames_sent >= frames; }, 30s))
      << server(v.venue).record().frames_sent << " of " << frames << "\n"
      << daemon.err();
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(daemon.stop(SIGTERM, 5s), 0) << daemon.err();
  if (v.faults.drop_after_frames > 0) {
    EXPECT_GE(server(v.venue).record().ws_connections, 3) << "dropped and back, more than once";
  }

  const std::string recording = (dir / "market.jsonl").string();
  write_file(recording, as_coinglass_lines(v.venue, market));
  const auto replayed = run_teleglas("replay --json --config " + config + " " + recording, dir);
  ASSERT_EQ(replayed.exit_code, 0) << replayed.err;
  const auto live = json_lines(read_file(signals));
  // The replay, at the end of its input, also closes the windows still open (a 5-minute order
  // flow window); the live daemon closes them only when their time comes.
  auto expected = json_lines(replayed.out);
  std::erase_if(expected, [&](const boost::json::object& o) {
    return o.at("time").to_number<long long>() > market.back().time;
  });
  ASSERT_FALSE(expected.empty());
  ASSERT_EQ(live.size(), expected.size()) << read_file(signals) << "\n---\n" << replayed.out;
  for (std::size_t i = 0; i < live.size(); ++i) {
    SCOPED_TRACE(boost::json::serialize(live[i]));
    for (const char* key : {"type", "symbol", "exchange", "direction", "time", "window_start"}) {
      EXPECT_EQ(live[i].at(key), expected[i].at(key)) << key;
    }
    EXPECT_NEAR(live[i].at("volume_usd").to_number<double>(),
                expected[i].at("volume_usd").to_number<double>(),
                1e-3 * expected[i].at("volume_usd").to_number<double>())
        << "OKX contracts round to its lot";
    const auto& live_venues = live[i].at("venues").as_object();
    ASSERT_EQ(live_venues.size(), expected[i].at("venues").as_object().size());
    if (!live[i].contains("degraded_gap_ms")) {  // written only for a window with a gap
      EXPECT_EQ(live[i].at("confidence"), expected[i].at("confidence"));
    } else {
      EXPECT_GT(v.faults.drop_after_frames, 0) << "an outage only where the stream dropped";
      EXPECT_LT(live[i].at("confidence").to_number<double>(),
                expected[i].at("confidence").to_number<double>());
    }
  }
}

SimVenueFaults garbage_and_binary() {
  SimVenueFaults f;
  f.garbage_every = 5;
  f.binary_every = 7;
  return f;
}

SimVenueFaults drops_every(int frames) {
  SimVenueFaults f;
  f.drop_after_frames = frames;
  return f;
}

INSTANTIATE_TEST_SUITE_P(
    Venues, EachSourceCli,
    ::testing::Values(FaultyVenue{"BybitGarbage", Venue::bybit, "bybit", garbage_and_binary()},
                      FaultyVenue{"BinanceGarbage", Venue::binance, "binance",
                                  garbage_and_binary()},
                      FaultyVenue{"OkxGarbage", Venue::okx, "okx", garbage_and_binary()},
                      FaultyVenue{"BybitDrops", Venue::bybit, "bybit", drops_every(9)},
                      FaultyVenue{"BinanceDrops", Venue::binance, "binance", drops_every(9)},
                      FaultyVenue{"OkxDrops", Venue::okx, "okx", drops_every(9)}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace teleglas
