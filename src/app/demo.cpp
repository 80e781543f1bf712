#include "teleglas/app/demo.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "teleglas/app/daemon.hpp"
#include "teleglas/app/terminal_alerts.hpp"
#include "teleglas/core/clock.hpp"
#include "teleglas/core/text.hpp"
#include "teleglas/sim/market_generator.hpp"
#include "teleglas/simserver/coinglass_server.hpp"

namespace teleglas {

namespace {

// The WebSocket part of a recording: snapshot lines are served over REST instead.
std::vector<std::string> stream_frames(const std::string& recording) {
  std::vector<std::string> frames;
  std::istringstream in(recording);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(R"({"channel":"funding_rates")", 0) == 0 ||
        line.rfind(R"({"channel":"open_interest")", 0) == 0) {
      continue;
    }
    frames.push_back(std::move(line));
  }
  return frames;
}

// Funding as CoinGlass reports it: SOL's longs pay 0.25% per 8 h on two exchanges.
constexpr const char* demo_funding = R"([
{"symbol":"BTC","stablecoin_margin_list":[{"exchange":"Binance","funding_rate_interval":8,"funding_rate":0.0081},{"exchange":"Bybit","funding_rate_interval":8,"funding_rate":0.0100}],"token_margin_list":[]},
{"symbol":"ETH","stablecoin_margin_list":[{"exchange":"Binance","funding_rate_interval":8,"funding_rate":0.0100},{"exchange":"OKX","funding_rate_interval":8,"funding_rate":0.0062}],"token_margin_list":[]},
{"symbol":"SOL","stablecoin_margin_list":[{"exchange":"Binance","funding_rate_interval":8,"funding_rate":0.2500},{"exchange":"Bybit","funding_rate_interval":4,"funding_rate":0.0900}],"token_margin_list":[]}])";

// Open interest: ETH builds up on Binance while OKX unwinds.
std::string demo_open_interest(const std::string& base) {
  const bool diverge = base == "ETH";
  std::ostringstream s;
  s << R"([{"exchange":"Binance","symbol":")" << base
    << R"(","open_interest_usd":8500000000,"open_interest_change_percent_1h":)"
    << (diverge ? 4.2 : 0.4) << R"(},{"exchange":"OKX","symbol":")" << base
    << R"(","open_interest_usd":3100000000,"open_interest_change_percent_1h":)"
    << (diverge ? -3.1 : 0.2) << "}]";
  return s.str();
}

}  // namespace

int run_demo(const DemoOptions& options, std::ostream& alerts_out) {
  // A market that starts now, so receive times and event times agree.
  MarketGeneratorOptions market;
  market.seed = options.seed;
  market.duration_s = options.market_s;
  market.start_time = system_now_ms();
  std::ostringstream recording;
  generate_market(market, recording);

  SimCoinglassOptions server_options;
  server_options.identity = make_loopback_identity();
  server_options.frames = stream_frames(recording.str());
  server_options.pace = options.pace;
  server_options.funding_data = demo_funding;
  server_options.open_interest_data = demo_open_interest;

  const auto ca_path = std::filesystem::temp_directory_path() /
                       ("teleglas-demo-ca-" + std::to_string(::getpid()) + ".pem");
  std::ofstream(ca_path) << server_options.identity.ca_cert_pem;

  boost::asio::io_context io;
  SimCoinglassServer server(io, std::move(server_options));

  Config config;
  config.coinglass.ws_url = server.ws_url();
  config.coinglass.rest_url = server.rest_url();
  config.coinglass.ca_file = ca_path.string();
  config.coinglass.funding_poll_s = 10;
  config.coinglass.oi_poll_s = 10;
  config.symbols.clear();
  for (const std::string& symbol : market.symbols) {
    config.symbols.push_back(SymbolConfig{symbol, {"Binance"}, 10'000, config.analysis});
  }

  TerminalAlertSink alerts(alerts_out);
  Daemon daemon(io, config, "demo-key", alerts);
  spdlog::info("demo: simulated CoinGlass on {} streaming {} of market at {}x", server.ws_url(),
               format_duration(seconds_ms(options.market_s)), options.pace);

  const double run_s =
      options.duration_s > 0 ? options.duration_s : options.market_s / options.pace + 5;
  boost::asio::steady_timer deadline(io, std::chrono::milliseconds(seconds_ms(run_s)));
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  auto shutdown = [&] {
    deadline.cancel();
    signals.cancel();
    daemon.stop();
    server.stop();
  };
  deadline.async_wait([&](boost::system::error_code ec) {
    if (!ec) shutdown();
  });
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (!ec) shutdown();
  });
  daemon.start();
  io.run();
  std::filesystem::remove(ca_path);
  spdlog::info("demo: {} alert(s)", alerts.signals());
  return 0;
}

}  // namespace teleglas
