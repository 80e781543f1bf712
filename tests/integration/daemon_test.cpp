// `teleglas run` as a black box against the simulated CoinGlass on loopback.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "cli_harness.hpp"
#include "support/png_image.hpp"
#include "loopback_http.hpp"
#include "teleglas/simserver/telegram_server.hpp"
#include "stand_ins.hpp"
#include "teleglas/app/recorder.hpp"
#include "teleglas/core/clock.hpp"
#include "teleglas/ingest/control_lines.hpp"
#include "teleglas/sim/market_generator.hpp"
#include "teleglas/simserver/coinglass_server.hpp"

namespace teleglas {
namespace {

using testing::PngImage;

using namespace teleglas::testing;
using namespace std::chrono_literals;

class DaemonCli : public ::testing::Test {
 protected:
  void start_server(SimCoinglassOptions options) {
    identity = options.identity;
    server = std::make_unique<SimCoinglassServer>(io, std::move(options));
    write_file(dir / "ca.pem", identity.ca_cert_pem);
    io_thread = std::thread([this] { io.run_for(60s); });
  }
  void TearDown() override {
    boost::asio::post(io, [this] {
      if (server) server->stop();
      if (telegram) telegram->stop();
    });
    if (io_thread.joinable()) io_thread.join();
  }
  std::string write_config(const std::string& extra = "") {
    const std::string path = (dir / "teleglas.yaml").string();
    write_file(path, fmt::format(R"(sources: [coinglass]  # never the real exchanges
coinglass:
  ws_url: {}
  rest_url: {}
  ca_file: {}
  ping_interval_s: 1
  reconnect_initial_s: 0.1
  funding_poll_s: 1
  oi_poll_s: 1
{}symbols:
  - symbol: BTCUSDT
    exchanges: [Binance]
    min_trade_usd: 10000
storage:
  path: {}
http:
  listen: 127.0.0.1:0
)",
                                 server->ws_url(), server->rest_url(), (dir / "ca.pem").string(),
                                 extra, (dir / "teleglas.db").string()));
    return path;
  }

  // The stand-in CoinGlass serving one stop hunt and the stand-in Telegram with `bot_token`;
  // returns the configuration that sends to chat 4242 there.
  std::string start_with_telegram(const char* bot_token) {
    SimCoinglassOptions options;
    options.identity = make_loopback_identity();
    options.frames = stop_hunt_frames();
    telegram =
        std::make_unique<SimTelegramServer>(io, SimTelegramOptions{options.identity, bot_token});
    start_server(std::move(options));
    const auto config = write_config();
    write_file(config, read_file(config) + "telegram:\n  api_url: " + telegram->api_url() +
                           "\n  ca_file: " + (dir / "ca.pem").string() + "\n  chat_ids: [4242]\n");
    return config;
  }

  // Runs the daemon with `bot_token` until the stand-in Telegram has a message (15 s at most),
  // stops it, and returns what was delivered. Its output stays in dir/bg-std{out,err}.txt.
  std::vector<SimTelegramMessage> run_until_delivered(const std::string& config,
                                                      const char* bot_token) {
    BackgroundTeleglas daemon(
        {"run", "--config", config},
        {{"COINGLASS_API_KEY", secret_key}, {"TELEGRAM_BOT_TOKEN", bot_token}}, dir);
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (telegram->delivered().empty() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(50ms);
    }
    EXPECT_EQ(daemon.stop(SIGTERM, 5s), 0);
    EXPECT_FALSE(telegram->delivered().empty()) << daemon.err();
    return telegram->delivered();
  }

  TempDir dir;
  TlsIdentity identity;
  boost::asio::io_context io;
  std::unique_ptr<SimCoinglassServer> server;
  std::unique_ptr<SimTelegramServer> telegram;  // created before the io thread starts
  std::thread io_thread;
};

TEST_F(DaemonCli, StreamsSubscribesAlertsAndStopsOnSigtermWithinFiveSeconds) {
  SimCoinglassOptions options;
  options.identity = make_loopback_identity();
  options.frames = stop_hunt_frames();
  start_server(std::move(options));
  const auto record = (dir / "recorded.jsonl").string();
  const auto config = write_config("  record_path: " + record + "\n");

  BackgroundTeleglas daemon({"run", "--config", config}, {{"COINGLASS_API_KEY", secret_key}}, dir);
  ASSERT_TRUE(daemon.wait_for_output("Stop hunt", 15s)) << daemon.err();
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(daemon.stop(SIGTERM, 5s), 0) << daemon.err();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);

  const SimCoinglassRecord seen = server->record();
  ASSERT_FALSE(seen.ws_targets.empty());
  EXPECT_NE(seen.ws_targets[0].find(std::string("cg-api-key=") + secret_key), std::string::npos);
  ASSERT_FALSE(seen.ws_messages.empty());
  EXPECT_NE(seen.ws_messages[0].find("liquidationOrders"), std::string::npos);
  EXPECT_NE(seen.ws_messages[0].find("futures_trades@Binance_BTCUSDT@10000"), std::string::npos);

  // The key is in the URL it connects to, never in anything it prints.
  EXPECT_EQ(daemon.out().find(secret_key), std::string::npos);
  EXPECT_EQ(daemon.err().find(secret_key), std::string::npos);
  EXPECT_NE(daemon.err().find("cg-api-key=***"), std::string::npos) << daemon.err();

  // What it received is a recording replay accepts, and it decides the same way.
  const auto replayed = run_teleglas("replay " + record, dir);
  EXPECT_EQ(replayed.exit_code, 0);
  EXPECT_NE(replayed.out.find("Stop hunt"), std::string::npos) << replayed.out;
  EXPECT_NE(read_file(record).find("funding_rates"), std::string::npos)
      << "REST snapshots recorded too";
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(std::move(line));
  return lines;
}

// The control lines of a recording, in order.
std::vector<ControlLine> control_lines_of(const std::string& recording) {
  std::vector<ControlLine> found;
  for (const std::string& line : lines_of(recording)) {
    if (auto control = parse_control_line(line)) found.push_back(*control);
  }
  return found;
}

TEST_F(DaemonCli, ReplayOfItsRecordingGivesExactlyTheSignalsTheLiveRunEmitted) {
  // Ten minutes of generated market (a stop hunt, accumulation) that ended in the last minute,
  // on a minute boundary: the order-flow window closing with it is left to the daemon's ticks.
  // Streamed as fast as the daemon takes it over connections the server drops every 500
  // frames; each new connection goes on where the last one stopped.
  const TimeMs this_minute = std::stoll(now_ms_plus(0)) / 60'000 * 60'000;
  const MarketGeneratorOptions market{
      .seed = 7, .start_time = this_minute - 600'000, .duration_s = 600};
  std::ostringstream generated;
  generate_market(market, generated);
  SimCoinglassOptions options;
  options.identity = make_loopback_identity();
  options.frames = lines_of(generated.str());
  options.resume = true;
  options.faults.drop_after_frames = 500;
  start_server(std::move(options));
  const std::string record = dir.file("recorded.jsonl");
  const std::string signals = dir.file("signals.jsonl");
  const std::string config = write_config("  record_path: " + record + "\n");

  BackgroundTeleglas daemon({"run", "--config", config, "--signals-json", signals},
                            {{"COINGLASS_API_KEY", secret_key}}, dir);
  // Run until the daemon's clock has passed the close of the market's last order-flow window.
  const TimeMs market_end = market.start_time + seconds_ms(market.duration_s);
  const auto ticked_past_the_end = [&] {
    return std::ranges::any_of(control_lines_of(read_file(record)), [&](const ControlLine& c) {
      return c.kind == ControlKind::tick && c.time > market_end + 1'000;
    });
  };
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!ticked_past_the_end() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(ticked_past_the_end()) << daemon.err();
  ASSERT_EQ(daemon.stop(SIGTERM, 5s), 0) << daemon.err();

  const std::vector<std::string> live = lines_of(read_file(signals));
  ASSERT_FALSE(live.empty()) << daemon.err();
  const std::vector<ControlLine> control = control_lines_of(read_file(record));
  EXPECT_GE(std::ranges::count(control, ControlKind::gap, &ControlLine::kind), 1)
      << "the dropped connections are recorded as gaps";
  EXPECT_GE(server->record().ws_connections, 2);

  const CommandResult replayed =
      run_teleglas("replay --json --config " + config + " " + record, dir);
  ASSERT_EQ(replayed.exit_code, 0) << replayed.err;
  std::vector<std::string> replayed_signals = lines_of(replayed.out);
  ASSERT_FALSE(replayed_signals.empty());
  const std::string summary = replayed_signals.back();
  replayed_signals.pop_back();
  EXPECT_EQ(replayed_signals, live) << "replay gives exactly what the live run emitted";
  EXPECT_NE(summary.find(R"("control_lines_malformed":0)"), std::string::npos) << summary;
}

TEST_F(DaemonCli, FramesOnAnotherClockAreDecidedOnTheirOwnEventTime) {
  // A stand-in replaying 2024 trades: $2.2M of buys in the seconds before a minute boundary.
  // Nothing arrives after them, so only the daemon's ticks can close the order-flow window.
  constexpr long long boundary = 1'725'416'400'000;
  SimCoinglassOptions options;
  options.identity = make_loopback_identity();
  options.frames = background_frames(boundary - 310'000, boundary - 4'000);
  for (int i = 0; i < 11; ++i) {
    options.frames.push_back(frame("futures_trades@Binance_BTCUSDT@10000",
                                   std::to_string(boundary - 4'000 + i * 300), 2, 200'000, 95'000));
  }
  start_server(std::move(options));
  BackgroundTeleglas daemon({"run", "--config", write_config()},
                            {{"COINGLASS_API_KEY", secret_key}}, dir);
  EXPECT_TRUE(daemon.wait_for_output("Accumulation", 15s)) << daemon.err();
  EXPECT_EQ(daemon.stop(SIGTERM, 5s), 0);
  EXPECT_NE(daemon.out().find("2024-09-04 02:20:00 UTC"), std::string::npos)
      << "decided at the boundary of the frames' own clock\n"
      << daemon.out();
}

TEST_F(DaemonCli, AlertsReachTelegramWithoutTheTokenEverBeingPrinted) {
  constexpr const char* bot_token = "777000:SECRET-bot-token-xyz";
  const auto config = start_with_telegram(bot_token);

  const auto delivered = run_until_delivered(config, bot_token);
  ASSERT_FALSE(delivered.empty());
  EXPECT_EQ(delivered[0].chat_id, 4242);
  EXPECT_EQ(delivered[0].parse_mode, "HTML");
  EXPECT_NE(displayed_text(delivered[0]).find("Stop hunt"), std::string::npos)
      << displayed_text(delivered[0]);
  // The alert is its chart, the text its caption.
  EXPECT_EQ(delivered[0].method, "sendPhoto");
  const PngImage chart(delivered[0].photo);
  ASSERT_TRUE(chart.ok());
  EXPECT_EQ(chart.width(), 800);
  EXPECT_EQ(chart.height(), 450);
  EXPECT_EQ(read_file(dir / "bg-stdout.txt").find(bot_token), std::string::npos);
  EXPECT_EQ(read_file(dir / "bg-stderr.txt").find(bot_token), std::string::npos);
  EXPECT_EQ(read_file(dir / "bg-stderr.txt").find("SECRET-bot-token"), std::string::npos);
}

TEST_F(DaemonCli, WithChartsOffAlertsReachTelegramAsText) {
  constexpr const char* bot_token = "777000:text-only-bot-token";
  const auto config = start_with_telegram(bot_token);
  write_file(config, read_file(config) + "  charts: false\n");
  const auto delivered = run_until_delivered(config, bot_token);
  ASSERT_FALSE(delivered.empty());
  EXPECT_EQ(delivered[0].method, "sendMessage");
  EXPECT_NE(delivered[0].text.find("Stop hunt"), std::string::npos) << delivered[0].text;
}

TEST_F(DaemonCli, RefusesToStartWithoutAnApiKey) {
  SimCoinglassOptions options;
  options.identity = make_loopback_identity();
  start_server(std::move(options));
  const auto r = run_teleglas("run --config " + write_config(), dir);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("COINGLASS_API_KEY"), std::string::npos) << r.err;
}

TEST_F(DaemonCli, SecretsFileOpenToOthersIsLoggedAsAnErrorAndTheDaemonRunsOn) {
  SimCoinglassOptions options;
  options.identity = make_loopback_identity();
  options.frames = stop_hunt_frames();
  start_server(std::move(options));
  const auto secrets = dir / "teleglas.env";
  write_file(secrets, "TELEGRAM_BOT_TOKEN=fake-token-never-printed\n");
  std::filesystem::permissions(secrets, std::filesystem::perms(0644));
  const auto config = write_config();
  write_file(config, read_file(config) + "secrets_file: " + secrets.string() + "\n");

  BackgroundTeleglas daemon({"run", "--config", config}, {{"COINGLASS_API_KEY", secret_key}}, dir);
  ASSERT_TRUE(daemon.wait_for_output("Stop hunt", 15s)) << daemon.err();
  EXPECT_EQ(daemon.stop(SIGTERM, 5s), 0) << daemon.err();
  EXPECT_NE(daemon.err().find("[error] secrets_file: " + secrets.string() +
                              " is readable by group or others (mode 0644); chmod 600 it"),
            std::string::npos)
      << daemon.err();
  EXPECT_EQ(daemon.err().find("fake-token"), std::string::npos);
}

TEST_F(DaemonCli, UntrustedCertificateIsRefusedAndRetriedNotFatal) {
  SimCoinglassOptions options;
  options.identity = make_loopback_identity();
  start_server(std::move(options));
  const auto config = write_config();
  // Trust a different CA than the one the server's certificate chains to.
  write_file(dir / "ca.pem", make_loopback_identity().ca_cert_pem);
  BackgroundTeleglas daemon({"run", "--config", config}, {{"COINGLASS_API_KEY", secret_key}}, dir);
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(daemon.stop(SIGINT, 5s), 0) << daemon.err();
  EXPECT_GE(server->record().tls_handshakes_failed, 2) << "refused, then retried";
  EXPECT_EQ(server->record().ws_connections, 0);
  EXPECT_EQ(daemon.err().find(secret_key), std::string::npos);
}

TEST_F(DaemonCli, HealthEndpointServesTheStreamStateAndMetricsOnLoopback) {
  SimCoinglassOptions options;
  options.identity = make_loopback_identity();
  options.frames = stop_hunt_frames();
  start_server(std::move(options));
  BackgroundTeleglas daemon({"run", "--config", write_config()},
                            {{"COINGLASS_API_KEY", secret_key}}, dir);
  const std::string announced = "health endpoint: http://127.0.0.1:";
  ASSERT_TRUE(daemon.wait_for_log(announced, 10s)) << daemon.err();
  ASSERT_TRUE(daemon.wait_for_output("Stop hunt", 15s)) << daemon.err();
  const std::string err = daemon.err();
  const auto port =
      static_cast<std::uint16_t>(std::stoi(err.substr(err.find(announced) + announced.size())));

  std::string health;
  for (int i = 0; i < 100 && health.find(R"("status":"ok")") == std::string::npos; ++i) {
    health = http_get(port, "/health");
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_NE(health.find(R"("status":"ok")"), std::string::npos) << health;
  EXPECT_NE(health.find(R"("total":1)"), std::string::npos) << "one signal: " << health;
  EXPECT_EQ(health.find(secret_key), std::string::npos);
  const std::string metrics = http_get(port, "/metrics");
  EXPECT_NE(metrics.find("teleglas_signals_total 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("teleglas_feed_connections_live 1\n"), std::string::npos) << metrics;
  EXPECT_EQ(daemon.stop(SIGTERM, 5s), 0) << daemon.err();
}

// The value of the first sample line starting with `prefix` ("" when there is none).
std::string sample_value(const std::string& metrics, const std::string& prefix) {
  std::istringstream lines(metrics);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(prefix)) return line.substr(line.rfind(' ') + 1);
  }
  return {};
}

TEST_F(DaemonCli, MetricsTimeAStopHuntFromItsEventToTelegramsOk) {
  constexpr const char* bot_token = "777000:metrics-bot-token";
  const auto config = start_with_telegram(bot_token);
  BackgroundTeleglas daemon({"run", "--config", config},
                            {{"COINGLASS_API_KEY", secret_key}, {"TELEGRAM_BOT_TOKEN", bot_token}},
                            dir);
  const std::string announced = "health endpoint: http://127.0.0.1:";
  ASSERT_TRUE(daemon.wait_for_log(announced, 10s)) << daemon.err();
  const std::string err = daemon.err();
  const auto port =
      static_cast<std::uint16_t>(std::stoi(err.substr(err.find(announced) + announced.size())));

  // Telegram's ok reaches the daemon just after the fake records the message: poll the count.
  const std::string urgent_count = R"(teleglas_event_to_alert_seconds_count{priority="URGENT"} )";
  std::string metrics;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (sample_value(metrics, urgent_count) != "1" &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);
    metrics = http_get(port, "/metrics");
  }
  ASSERT_FALSE(telegram->delivered().empty()) << daemon.err();
  EXPECT_NE(displayed_text(telegram->delivered()[0]).find("Stop hunt"), std::string::npos);
  EXPECT_EQ(sample_value(metrics, urgent_count), "1") << metrics;
  EXPECT_EQ(sample_value(metrics,
                         R"(teleglas_event_to_alert_seconds_bucket{priority="URGENT",le="+Inf"} )"),
            "1")
      << metrics;
  EXPECT_EQ(sample_value(metrics, R"(teleglas_event_to_alert_seconds_count{priority="WATCH"} )"),
            "0");
  EXPECT_GT(std::stod(sample_value(metrics, "teleglas_exchange_lag_seconds_count ")), 0) << metrics;
  EXPECT_EQ(sample_value(metrics, "teleglas_exchange_lag_seconds_count "),
            sample_value(metrics, R"(teleglas_exchange_lag_seconds_bucket{le="+Inf"} )"));
  EXPECT_NE(metrics.find(R"(teleglas_signals_emitted_total{type="STOP_HUNT"} 1)"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("teleglas_build_info{version=\""), std::string::npos);

  const std::string health = http_get(port, "/health");
  const boost::json::value v = boost::json::parse(health);
  EXPECT_EQ(v.at("connections").at(0).at("state").as_string(), "connected") << health;
  EXPECT_EQ(v.at("open_gap_ms").to_number<int>(), 0) << health;
  EXPECT_GE(v.at("last_frame_age_ms").to_number<int>(), 0) << health;
  EXPECT_EQ(v.at("alerts_last_hour").to_number<int>(), 1) << health;
  EXPECT_EQ(v.at("queue_depth").to_number<int>(), 0) << health;
  EXPECT_EQ(health.find(bot_token), std::string::npos);
  EXPECT_EQ(metrics.find(bot_token), std::string::npos);
  EXPECT_EQ(daemon.stop(SIGTERM, 5s), 0) << daemon.err();
  // stderr is a file here, not a terminal: plain text for journald, no colour codes.
  EXPECT_EQ(daemon.err().find('\x1b'), std::string::npos) << daemon.err();
}

TEST_F(DaemonCli, RecordsIntoDailyFilesOfADirectoryAndDeletesOnlyItsOwnOldOnes) {
  SimCoinglassOptions options;
  options.identity = make_loopback_identity();
  options.frames = stop_hunt_frames();
  start_server(std::move(options));
  const std::filesystem::path recording = dir / "recordings";
  std::filesystem::create_directory(recording);
  write_file(recording / "2000-01-01.jsonl", "a daily file far past storage.retention_days\n");
  write_file(recording / "notes.txt", "not the recorder's\n");
  const TimeMs started = system_now_ms();
  const std::string config = write_config("  record_path: " + recording.string() + "/\n");

  BackgroundTeleglas daemon({"run", "--config", config}, {{"COINGLASS_API_KEY", secret_key}}, dir);
  ASSERT_TRUE(daemon.wait_for_output("Stop hunt", 15s)) << daemon.err();
  ASSERT_EQ(daemon.stop(SIGTERM, 5s), 0) << daemon.err();

  // Today's file (and tomorrow's, should the test have run across midnight), nothing else.
  std::set<std::string> expected{"notes.txt"};
  for (TimeMs day = started / 86'400'000; day <= system_now_ms() / 86'400'000; ++day) {
    expected.insert(Recorder::daily_file(recording, day).filename().string());
  }
  std::set<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator(recording)) {
    found.insert(entry.path().filename().string());
  }
  EXPECT_EQ(found, expected) << daemon.err();
  EXPECT_EQ(read_file(recording / "notes.txt"), "not the recorder's\n");
  EXPECT_NE(daemon.err().find("2000-01-01.jsonl (older than 7 days)"), std::string::npos)
      << daemon.err();

  const CommandResult replayed = run_teleglas("replay " + recording.string(), dir);
  EXPECT_EQ(replayed.exit_code, 0) << replayed.err;
  EXPECT_NE(replayed.out.find("Stop hunt"), std::string::npos) << replayed.out;
}

}  // namespace
}  // namespace teleglas

namespace teleglas {
namespace {

// The daemon keeps every signal and follows it to its outcome; one still open when it stops
// is followed on by the next start, and resolved there.
TEST_F(DaemonCli, AnOpenOutcomeSurvivesARestartAndResolvesAfterIt) {
  SimCoinglassOptions options;
  options.identity = make_loopback_identity();
  options.frames = stop_hunt_frames();
  start_server(options);
  const std::string config = write_config();
  const std::string signals = (dir / "signals.jsonl").string();
  {
    BackgroundTeleglas daemon({"run", "--config", config, "--signals-json", signals},
                              {{"COINGLASS_API_KEY", secret_key}}, dir, "first");
    ASSERT_TRUE(daemon.wait_for_output("Stop hunt", 15s)) << daemon.err();
    EXPECT_EQ(daemon.stop(SIGTERM, 5s), 0) << daemon.err();
  }
  const auto hunts = lines_of(read_file(signals));
  ASSERT_EQ(hunts.size(), 1u);
  const boost::json::object hunt = boost::json::parse(hunts[0]).as_object();
  const double target = hunt.at("target").to_number<double>();

  const auto before = run_teleglas("stats --json --config " + config, dir);
  ASSERT_EQ(before.exit_code, 0) << before.err;
  const boost::json::value stored = boost::json::parse(before.out);
  EXPECT_EQ(stored.at("by_type").at("STOP_HUNT").at("signals").to_number<int>(), 1);
  EXPECT_EQ(stored.at("by_type").at("STOP_HUNT").at("open").to_number<int>(), 1);

  // Back up: the market trades through the target a moment later.
  boost::asio::post(io, [this] { server->stop(); });
  io_thread.join();
  io.restart();
  options.identity = identity;
  options.frames = background_frames(std::stoll(now_ms_plus(-40'000)), std::stoll(now_ms_plus(0)));
  options.frames.push_back(frame("futures_trades@Binance_BTCUSDT@10000", now_ms_plus(500), 2,
                                 20'000, target + 1));
  start_server(options);
  const std::string config_again = write_config();
  BackgroundTeleglas daemon({"run", "--config", config_again}, {{"COINGLASS_API_KEY", secret_key}},
                            dir, "second");
  ASSERT_TRUE(daemon.wait_for_log("outcomes: 1 open", 15s)) << daemon.err();
  int wins = 0;
  for (int i = 0; i < 100 && wins == 0; ++i) {
    std::this_thread::sleep_for(150ms);
    const auto now = run_teleglas("stats --json --config " + config_again, dir);
    if (now.exit_code != 0) continue;
    wins = boost::json::parse(now.out).at("by_type").at("STOP_HUNT").at("wins").to_number<int>();
  }
  EXPECT_EQ(wins, 1) << daemon.err();
  EXPECT_EQ(daemon.stop(SIGTERM, 5s), 0) << daemon.err();
  const auto after = run_teleglas("stats --json --config " + config_again, dir);
  const boost::json::value resolved = boost::json::parse(after.out);
  EXPECT_EQ(resolved.at("by_type").at("STOP_HUNT").at("signals").to_number<int>(), 1)
      << "the same signal, not a second one";
  EXPECT_EQ(resolved.at("by_type").at("STOP_HUNT").at("open").to_number<int>(), 0);
  EXPECT_EQ(resolved.at("total").at("crossed_gap").to_number<int>(), 0)
      << "back within a minute: the path was seen";
}

}  // namespace
}  // namespace teleglas

namespace teleglas {
namespace {

// Restarts of a recording daemon: what it recorded before the stop warms its windows and its
// gate again, silently, before it connects.
class RestartCli : public DaemonCli {
 protected:
  // Serves `frames` to the next daemon: the stand-in of the last run is stopped first.
  void serve(std::vector<std::string> frames) {
    if (server) {
      boost::asio::post(io, [this] { server->stop(); });
      io_thread.join();
      io.restart();
    }
    SimCoinglassOptions options;
    options.identity = identity.ca_cert_pem.empty() ? make_loopback_identity() : identity;
    options.frames = std::move(frames);
    start_server(std::move(options));
  }
  std::string recording() const { return (dir / "recorded.jsonl").string(); }
  std::string config() { return write_config("  record_path: " + recording() + "\n"); }
};

// Longs flushed at `at`, no buyer yet.
std::vector<std::string> flush_frames(long long at) {
  std::vector<std::string> frames;
  for (int i = 0; i < 3; ++i) {
    frames.push_back(frame("liquidationOrders", std::to_string(at + i * 100), 1, 900'000,
                           95'900 - i * 100, "BTCUSDT"));
  }
  return frames;
}

std::string absorbing_buy(long long at) {
  return frame("futures_trades@Binance_BTCUSDT@10000", std::to_string(at), 2, 150'000, 95'750);
}

long long now_ms() {
  return std::stoll(now_ms_plus(0));
}

TEST_F(RestartCli, ARestartMidWindowKeepsTheWindow) {
  const long long t = now_ms();
  std::vector<std::string> first = background_frames(t - 40'000, t);
  for (auto& f : flush_frames(t)) first.push_back(f);
  serve(first);
  {
    BackgroundTeleglas daemon({"run", "--config", config()}, {{"COINGLASS_API_KEY", secret_key}},
                              dir, "first");
    ASSERT_TRUE(daemon.wait_for_log("live", 10s)) << daemon.err();
    std::this_thread::sleep_for(1500ms);  // the frames are in and recorded
    EXPECT_EQ(daemon.stop(SIGTERM, 5s), 0) << daemon.err();
    EXPECT_EQ(daemon.out().find("Stop hunt"), std::string::npos) << "no buyer yet";
  }
  // Back within a second or two; the buyer arrives: the flush before the restart counts.
  const long long back = now_ms();
  std::vector<std::string> second = background_frames(t + 5'000, back);
  second.push_back(absorbing_buy(back + 200));
  serve(second);
  BackgroundTeleglas daemon({"run", "--config", config()}, {{"COINGLASS_API_KEY", secret_key}},
                            dir, "second");
  EXPECT_TRUE(daemon.wait_for_output("Stop hunt", 15s)) << daemon.err();
  EXPECT_EQ(daemon.stop(SIGTERM, 5s), 0) << daemon.err();
  EXPECT_NE(daemon.err().find("restart: replayed the last"), std::string::npos) << daemon.err();
  // The recording replays to the same: the first run, the downtime as a gap, the second.
  const auto replayed = run_teleglas("replay --json " + recording(), dir);
  ASSERT_EQ(replayed.exit_code, 0) << replayed.err;
  EXPECT_NE(replayed.out.find("\"type\":\"STOP_HUNT\""), std::string::npos) << replayed.out;
}

TEST_F(RestartCli, ARestartDoesNotSendWhatWasSentAgain) {
  serve(stop_hunt_frames());
  {
    BackgroundTeleglas daemon({"run", "--config", config()}, {{"COINGLASS_API_KEY", secret_key}},
                              dir, "first");
    ASSERT_TRUE(daemon.wait_for_output("Stop hunt", 15s)) << daemon.err();
    std::this_thread::sleep_for(1200ms);  // recorded
    EXPECT_EQ(daemon.stop(SIGTERM, 5s), 0) << daemon.err();
  }
  // Another flush of the same longs a moment later: within the gate's cooldown of the first
  // hunt, exactly as if the daemon had never stopped.
  const long long back = now_ms();
  std::vector<std::string> second = background_frames(back - 4'000, back);
  for (auto& f : flush_frames(back)) second.push_back(f);
  second.push_back(absorbing_buy(back + 400));
  serve(second);
  BackgroundTeleglas daemon({"run", "--config", config()}, {{"COINGLASS_API_KEY", secret_key}},
                            dir, "second");
  ASSERT_TRUE(daemon.wait_for_log("restart: replayed the last", 10s)) << daemon.err();
  ASSERT_TRUE(daemon.wait_for_log("live", 10s)) << daemon.err();
  std::this_thread::sleep_for(2500ms);
  EXPECT_EQ(daemon.stop(SIGTERM, 5s), 0) << daemon.err();
  EXPECT_EQ(daemon.out().find("Stop hunt"), std::string::npos) << daemon.out();
  EXPECT_NE(daemon.err().find("signal(s) decided again were not sent again"), std::string::npos);
}

}  // namespace
}  // namespace teleglas
