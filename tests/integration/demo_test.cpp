// `teleglas demo` as a black box: the whole service on loopback, without a key or a token.
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
  BackgroundTeleglas demo(
      {"demo", "--duration", "20", "--telegram", "--pace", "30", "--market", "600", "--db",
       (dir / "demo.db").string()},
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

}  // namespace
}  // namespace teleglas
