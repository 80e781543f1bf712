// `teleglas demo` as a black box: the whole service on loopback, without a key or a token —
// against the exchanges' stand-ins by default, or a simulated CoinGlass.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "cli_harness.hpp"
#include "loopback_http.hpp"

namespace teleglas {
namespace {

using namespace teleglas::testing;
using namespace std::chrono_literals;

// The port of the health endpoint the log announces.
std::uint16_t announced_health_port(const std::string& log) {
  const std::string announced = "health endpoint: http://127.0.0.1:";
  return static_cast<std::uint16_t>(std::stoi(log.substr(log.find(announced) + announced.size())));
}

TEST(DemoCli, TelegramDemoServesHealthDeliversToTheChatAnswersStatusAndStopsByItself) {
  TempDir dir;
  const auto started = std::chrono::steady_clock::now();
  // At 30x the first planted stop hunt (two market minutes in) arrives after about 4 s, and
  // the REST snapshots give a funding extreme at once.
  BackgroundTeleglas demo({"demo", "--sources", "coinglass", "--duration", "20", "--telegram",
                           "--pace", "30", "--market", "600", "--db", (dir / "demo.db").string()},
                          {}, dir);
  ASSERT_TRUE(demo.wait_for_log("/health (JSON)", 10s)) << demo.err();
  const std::uint16_t port = announced_health_port(demo.err());

  std::string health;
  for (int i = 0; i < 100 && health.empty(); ++i) {
    health = http_get(port, "/health");
    if (health.empty()) std::this_thread::sleep_for(50ms);
  }
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(health, ec);
  ASSERT_FALSE(ec) << health;
  ASSERT_TRUE(parsed.is_object()) << health;
  EXPECT_TRUE(parsed.as_object().contains("feed")) << health;

  EXPECT_EQ(demo.wait_for_exit(35s), 0) << demo.err();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 30s);
  const std::string out = demo.out();
  EXPECT_NE(out.find("── bot → demo chat (t+"), std::string::npos) << out;
  EXPECT_NE(out.find("Stop hunt"), std::string::npos) << out;
  // The gap to the previous message is the sender's pacing, shown.
  EXPECT_NE(out.find("s after the previous) ──"), std::string::npos) << out;
  const auto command = out.find("── demo chat → bot (t+");
  ASSERT_NE(command, std::string::npos) << out;
  EXPECT_EQ(out.find("/status", command), out.find('\n', command) + 1) << out;
  EXPECT_NE(out.find("TELEGLAS status", command), std::string::npos) << out;
  // Delivered as the chat shows it: no HTML left.
  EXPECT_EQ(out.find("<b>"), std::string::npos) << out;
  // The history the service keeps, shown at the end and kept in the file asked for.
  EXPECT_NE(out.find("Signals and outcomes, this demo"), std::string::npos) << out;
  const auto stats = run_teleglas("stats --json --db " + (dir / "demo.db").string(), dir);
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  const boost::json::value history = boost::json::parse(stats.out);
  EXPECT_GE(history.at("by_type").at("STOP_HUNT").at("signals").to_number<int>(), 1) << stats.out;
}

// Signals of `type` in `teleglas stats --json` output; 0 when the type is not listed.
int signals_of(const boost::json::value& history, const char* type) {
  const boost::json::object& by_type = history.at("by_type").as_object();
  return by_type.contains(type) ? by_type.at(type).at("signals").to_number<int>() : 0;
}

TEST(DemoCli, KeylessDefaultStreamsEachVenuesShareAndTheStopHuntsFireThroughThem) {
  TempDir dir;
  const auto started = std::chrono::steady_clock::now();
  BackgroundTeleglas demo({"demo", "--duration", "20", "--pace", "30", "--market", "600", "--db",
                           (dir / "demo.db").string()},
                          {}, dir);
  EXPECT_EQ(demo.wait_for_exit(35s), 0) << demo.err();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 30s);
  const std::string log = demo.err();
  // Which sources, where each stand-in is, and what only CoinGlass would add.
  EXPECT_NE(log.find("demo: sources: bybit, binance, okx"), std::string::npos) << log;
  for (const char* stand_in :
       {"stand-in Bybit on wss://127.0.0.1:", "stand-in Binance on wss://127.0.0.1:",
        "stand-in OKX on wss://127.0.0.1:", "instruments on https://127.0.0.1:"}) {
    EXPECT_NE(log.find(stand_in), std::string::npos) << stand_in << "\n" << log;
  }
  EXPECT_NE(log.find("no funding or open-interest signals"), std::string::npos) << log;
  for (const char* feed : {"feed[bybit 0]: live", "feed[binance 0]: live", "feed[okx 0]: live"}) {
    EXPECT_NE(log.find(feed), std::string::npos) << feed << "\n" << log;
  }
  EXPECT_EQ(log.find("simulated CoinGlass"), std::string::npos) << log;

  // A planted stop hunt, its liquidations summed over the venues that reported them.
  const std::string out = demo.out();
  const auto hunt = out.find("Stop hunt");
  ASSERT_NE(hunt, std::string::npos) << out;
  const auto venues = out.find("Liquidations by venue: ", hunt);
  ASSERT_NE(venues, std::string::npos) << out;
  const std::string venue_line = out.substr(venues, out.find('\n', venues) - venues);
  EXPECT_NE(venue_line.find("Binance"), std::string::npos) << venue_line;
  EXPECT_TRUE(venue_line.find("Bybit") != std::string::npos ||
              venue_line.find("OKX") != std::string::npos)
      << venue_line;

  const auto stats = run_teleglas("stats --json --db " + (dir / "demo.db").string(), dir);
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  const boost::json::value history = boost::json::parse(stats.out);
  EXPECT_GE(signals_of(history, "STOP_HUNT"), 1) << stats.out;
  EXPECT_EQ(signals_of(history, "FUNDING_EXTREME"), 0) << stats.out;
  EXPECT_EQ(signals_of(history, "OI_DIVERGENCE"), 0) << stats.out;
}

TEST(DemoCli, AnUnknownSourceIsRefused) {
  TempDir dir;
  const auto r = run_teleglas("demo --sources bybit,kraken --duration 1", dir);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE((r.out + r.err).find("kraken"), std::string::npos) << r.out << r.err;
}

}  // namespace
}  // namespace teleglas
