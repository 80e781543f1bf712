#include "teleglas/app/demo.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string_view>

#include "teleglas/alerts/history_report.hpp"
#include "teleglas/app/chart_files.hpp"
#include "teleglas/app/chart_renderer.hpp"
#include "teleglas/app/daemon.hpp"
#include "teleglas/app/health_endpoint.hpp"
#include "teleglas/app/telegram_sink.hpp"
#include "teleglas/app/terminal_alerts.hpp"
#include "teleglas/config/sources.hpp"
#include "teleglas/core/clock.hpp"
#include "teleglas/core/text.hpp"
#include "teleglas/net/okx_instruments.hpp"
#include "teleglas/signals/history_stats.hpp"
#include "teleglas/sim/market_generator.hpp"
#include "teleglas/sim/venue_frames.hpp"
#include "teleglas/simserver/coinglass_server.hpp"
#include "teleglas/simserver/telegram_server.hpp"
#include "teleglas/simserver/venue_servers.hpp"
#include "teleglas/storage/open_store.hpp"
#include "teleglas/storage/writer.hpp"

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

bool lists(const std::vector<std::string>& sources, std::string_view name) {
  return std::ranges::find(sources, name) != sources.end();
}

// Why `sources` cannot run ("" when it can): the names are config/sources.hpp's, each once.
std::string sources_problem(const std::vector<std::string>& sources) {
  if (sources.empty()) return "no source given";
  for (std::size_t i = 0; i < sources.size(); ++i) {
    if (std::ranges::find(source_names, sources[i]) == source_names.end()) {
      return fmt::format("unknown source '{}' (known: {})", sources[i],
                         fmt::join(source_names, ", "));
    }
    if (std::find(sources.begin(), sources.begin() + static_cast<std::ptrdiff_t>(i), sources[i]) !=
        sources.begin() + static_cast<std::ptrdiff_t>(i)) {
      return "'" + sources[i] + "' is listed twice";
    }
  }
  return "";
}

// A mark at the market's start on a stream no client can subscribe to, so it is never sent.
// A stand-in paces a session by the frames' times counted from the first frame it passes, sent
// or not: led by this mark, each venue's clock starts with the market's, so a venue whose first
// event of its own comes a minute in does not push it at once, ahead of the other venues.
std::string pace_mark(Venue venue, TimeMs market_start) {
  switch (venue) {
    case Venue::bybit:
      return fmt::format(R"({{"topic":"teleglas.demo.start","ts":{}}})", market_start);
    case Venue::binance:
      return fmt::format(R"({{"stream":"teleglas.demo.start","data":{{"E":{}}}}})", market_start);
    case Venue::okx:
      return fmt::format(R"({{"arg":{{"channel":"teleglas.demo.start"}},"data":[{{"ts":"{}"}}]}})",
                         market_start);
  }
  return {};
}

// A venue's share of the market: the events of the CoinGlass frames that name that exchange,
// written as the venue pushes them, after the pace mark.
std::vector<std::string> venue_tape(Venue venue, const std::vector<std::string>& coinglass_frames,
                                    TimeMs market_start) {
  VenueFrameBuilder builder;
  std::vector<std::string> tape{pace_mark(venue, market_start)};
  for (const std::string& line : coinglass_frames) {
    for (std::string& frame : venue_frames_from_coinglass(builder, line, venue)) {
      tape.push_back(std::move(frame));
    }
  }
  return tape;
}

// The configuration section of a venue's own stream.
ExchangeStreamConfig& stream_section(Config& config, Venue venue) {
  switch (venue) {
    case Venue::bybit:
      return config.bybit;
    case Venue::binance:
      return config.binance;
    case Venue::okx:
      return config.okx;
  }
  return config.bybit;
}

struct VenueStandIn {
  Venue venue;
  std::size_t frames = 0;  // its share of the market
  std::unique_ptr<SimVenueServer> server;
};

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

// Made up: the stand-in Bot API accepts only this token, and the daemon sends to this chat.
constexpr const char* demo_bot_token = "123456:DEMO-TOKEN";
constexpr std::int64_t demo_chat_id = 424242;

using SteadyClock = std::chrono::steady_clock;

double seconds_between(SteadyClock::time_point from, SteadyClock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// The demo chat as a newcomer would watch it. Each message carries its arrival time and the gap
// to the one before, because that gap is the sender's pacing (one message a second per chat,
// telegram.max_per_minute overall) made visible.
class DemoChat {
 public:
  DemoChat(std::ostream& out, SteadyClock::time_point started) : out_(out), started_(started) {}

  void on_delivered(const SimTelegramMessage& message) {
    std::string when = fmt::format("t+{:.2f} s", seconds_between(started_, message.received_at));
    if (last_) {
      when += fmt::format(", {:.2f} s after the previous",
                          seconds_between(*last_, message.received_at));
    }
    last_ = message.received_at;
    ++delivered_;
    out_ << "── bot → demo chat (" << when << ") ──\n";
    if (message.method == "sendPhoto") {
      out_ << fmt::format("[photo: a {} KB chart]\n", (message.photo.size() + 512) / 1024);
    }
    out_ << displayed_text(message) << "\n\n" << std::flush;
  }

  void on_sent_by_user(std::string_view text) {
    out_ << fmt::format("── demo chat → bot (t+{:.2f} s) ──\n{}\n\n",
                        seconds_between(started_, SteadyClock::now()), text)
         << std::flush;
  }

  std::uint64_t delivered() const { return delivered_; }

 private:
  std::ostream& out_;
  const SteadyClock::time_point started_;
  std::optional<SteadyClock::time_point> last_;
  std::uint64_t delivered_ = 0;
};

// Draws each directional signal's chart into a directory as the signal arrives (on the
// renderer's thread) and prints where it went.
class ChartFiles final : public AlertSink {
 public:
  ChartFiles(boost::asio::io_context& io, std::filesystem::path dir, std::ostream& out)
      : renderer_(io.get_executor()), dir_(std::move(dir)), out_(out) {}

  void on_signal(const Signal& signal) override {
    if (!signal.chart) return;
    renderer_.render(signal.chart, [this, signal](charts::RenderedChart chart) {
      const ChartFile file = chart.ok() ? save_chart_png(dir_, signal, chart.png)
                                        : ChartFile{{}, "rendering failed: " + chart.error};
      if (file.error.empty()) {
        ++written_;
        out_ << "── chart ── " << file.path.string() << "\n\n" << std::flush;
      } else {
        spdlog::warn("demo: chart of {}: {}", chart_file_name(signal), file.error);
      }
    });
  }
  void on_admin_notice(std::string_view) override {}
  std::size_t written() const { return written_; }

 private:
  ChartRenderer renderer_;
  std::filesystem::path dir_;
  std::ostream& out_;
  std::size_t written_ = 0;
};

}  // namespace

int run_demo(const DemoOptions& options, std::ostream& out) {
  if (const std::string problem = sources_problem(options.sources); !problem.empty()) {
    out << "teleglas demo: --sources: " << problem << "\n";
    return 2;
  }
  const auto started = SteadyClock::now();
  // A market that starts now, so receive times and event times agree.
  MarketGeneratorOptions market;
  market.seed = options.seed;
  market.duration_s = options.market_s;
  market.start_time = system_now_ms();
  std::ostringstream recording;
  generate_market(market, recording);
  const std::vector<std::string> frames = stream_frames(recording.str());

  // One throwaway CA for every stand-in: the daemon trusts it through one ca_file.
  const TlsIdentity identity = make_loopback_identity();
  const auto ca_path = std::filesystem::temp_directory_path() /
                       ("teleglas-demo-ca-" + std::to_string(::getpid()) + ".pem");
  std::ofstream(ca_path) << identity.ca_cert_pem;

  boost::asio::io_context io;
  Config config;
  config.sources = options.sources;
  config.symbols.clear();
  for (const std::string& symbol : market.symbols) {
    config.symbols.push_back(SymbolConfig{symbol, {"Binance"}, 10'000, config.analysis});
  }
  config.http.listen = options.http_listen;

  // CoinGlass carries every exchange's events; each venue streams its own share of them, so a
  // liquidation CoinGlass and a venue both report counts once (the daemon's duplicate rule).
  std::unique_ptr<SimCoinglassServer> coinglass;
  if (lists(options.sources, source_coinglass)) {
    SimCoinglassOptions coinglass_options;
    coinglass_options.identity = identity;
    coinglass_options.frames = frames;
    coinglass_options.pace = options.pace;
    coinglass_options.funding_data = demo_funding;
    coinglass_options.open_interest_data = demo_open_interest;
    coinglass = std::make_unique<SimCoinglassServer>(io, std::move(coinglass_options));
    config.coinglass.ws_url = coinglass->ws_url();
    config.coinglass.rest_url = coinglass->rest_url();
    config.coinglass.ca_file = ca_path.string();
    config.coinglass.funding_poll_s = 10;
    config.coinglass.oi_poll_s = 10;
  }
  std::vector<VenueStandIn> venues;
  for (const std::string& source : options.sources) {
    const std::optional<Venue> venue = venue_from_exchange(source);
    if (source == source_coinglass || !venue) continue;
    SimVenueOptions venue_options;
    venue_options.identity = identity;
    venue_options.frames = venue_tape(*venue, frames, market.start_time);
    venue_options.pace = options.pace;
    // A reconnect picks the market up where it is, as a venue's live stream does.
    venue_options.resume = true;
    VenueStandIn stand_in{*venue, venue_options.frames.size() - 1, nullptr};
    stand_in.server = std::make_unique<SimVenueServer>(io, *venue, std::move(venue_options));
    ExchangeStreamConfig& section = stream_section(config, *venue);
    section.ws_url = stand_in.server->ws_url();
    section.ca_file = ca_path.string();
    if (*venue == Venue::okx) config.okx.rest_url = stand_in.server->rest_url();
    venues.push_back(std::move(stand_in));
  }

  DemoChat chat(out, started);
  std::unique_ptr<SimTelegramServer> telegram_server;
  std::unique_ptr<TelegramSink> telegram;
  if (options.telegram) {
    telegram_server = std::make_unique<SimTelegramServer>(
        io, SimTelegramOptions{.identity = identity,
                               .token = demo_bot_token,
                               .on_delivered = [&chat](const SimTelegramMessage& message) {
                                 chat.on_delivered(message);
                               }});
    config.telegram.api_url = telegram_server->api_url();
    config.telegram.ca_file = ca_path.string();
    config.telegram.chat_ids = {demo_chat_id};
    // Memory only: nothing of a demo should outlive it.
    telegram = std::make_unique<TelegramSink>(io, config.telegram, demo_bot_token);
  }

  // History as the service keeps it: every signal followed to its outcome, in SQLite.
  const bool temporary_db = options.db_path.empty();
  StorageConfig storage_config;
  storage_config.path = temporary_db ? (std::filesystem::temp_directory_path() /
                                        ("teleglas-demo-" + std::to_string(::getpid()) + ".db"))
                                           .string()
                                     : options.db_path;
  StorageWriter storage([storage_config] { return open_store(storage_config); });
  if (!storage.stats().available) spdlog::error("demo: storage: {}", storage.describe());

  TerminalAlertSink terminal(out);
  const std::filesystem::path charts_dir =
      options.charts_dir.empty() ? std::filesystem::temp_directory_path() /
                                       ("teleglas-demo-charts-" + std::to_string(::getpid()))
                                 : std::filesystem::path(options.charts_dir);
  std::error_code charts_error;
  std::filesystem::create_directories(charts_dir, charts_error);
  if (charts_error) {
    out << "teleglas demo: --charts " << charts_dir.string() << ": " << charts_error.message()
        << "\n";
    return 1;
  }
  ChartFiles chart_files(io, charts_dir, out);
  TeeAlertSink alerts(
      {telegram ? static_cast<AlertSink*>(telegram.get()) : &terminal, &chart_files});
  DaemonOptions daemon_options;
  daemon_options.storage = &storage;
  daemon_options.charts = true;
  // The minute health line then counts the chat's messages, as a service's does.
  if (telegram) daemon_options.health_extras = [&telegram] { return telegram->health_summary(); };
  Daemon daemon(io, config, coinglass ? "demo-key" : "", alerts, std::move(daemon_options));
  if (telegram) telegram->set_health_source([&daemon] { return daemon.health(); });
  spdlog::info(
      "demo: sources: {}, each against its stand-in on 127.0.0.1 streaming {} of "
      "generated market at {}x",
      fmt::join(options.sources, ", "), format_duration(seconds_ms(options.market_s)),
      options.pace);
  if (coinglass) {
    spdlog::info("demo: simulated CoinGlass on {} (REST: funding, open interest on {})",
                 coinglass->ws_url(), coinglass->rest_url());
  }
  for (const VenueStandIn& v : venues) {
    spdlog::info("demo: stand-in {} on {}, {} frame(s) of its own{}", to_string(v.venue),
                 v.server->ws_url(), v.frames,
                 v.venue == Venue::okx ? fmt::format(", instruments on {}{}", v.server->rest_url(),
                                                     okx_instruments_target)
                                       : std::string());
  }
  if (!coinglass) {
    spdlog::info(
        "demo: no funding or open-interest signals: only CoinGlass's REST API gives "
        "them (--sources coinglass,{} adds it)",
        fmt::join(options.sources, ","));
  }
  if (!coinglass && !lists(options.sources, source_binance)) {
    spdlog::warn(
        "demo: the generated market trades on Binance only: without binance no trades "
        "arrive, so no stop hunt, order flow or whale can be seen");
  }
  if (telegram_server) {
    spdlog::info(
        "demo: stand-in Telegram Bot API on {}, delivering to demo chat {}; the chat "
        "sends the bot /status after {}",
        telegram_server->api_url(), demo_chat_id,
        format_duration(seconds_ms(options.status_after_s)));
  }
  const std::unique_ptr<HealthServer> health_server =
      start_health_endpoint(io, config.http, daemon, telegram.get());

  const double run_s =
      options.duration_s > 0 ? options.duration_s : options.market_s / options.pace + 5;
  boost::asio::steady_timer deadline(io, std::chrono::milliseconds(seconds_ms(run_s)));
  boost::asio::steady_timer status_command(
      io, std::chrono::milliseconds(seconds_ms(options.status_after_s)));
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  auto shutdown = [&] {
    deadline.cancel();
    status_command.cancel();
    signals.cancel();
    if (health_server) health_server->stop();
    daemon.stop();
    if (telegram) telegram->stop();
    if (telegram_server) telegram_server->stop();
    if (coinglass) coinglass->stop();
    for (VenueStandIn& v : venues) v.server->stop();
  };
  deadline.async_wait([&](boost::system::error_code ec) {
    if (!ec) shutdown();
  });
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (!ec) shutdown();
  });
  if (telegram_server) {
    status_command.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      constexpr std::string_view command = "/status";
      chat.on_sent_by_user(command);
      telegram_server->push_update(demo_chat_id, std::string(command), "demo");
    });
  }
  daemon.start();
  if (telegram) telegram->start();
  io.run();
  std::filesystem::remove(ca_path);
  storage.flush(std::chrono::seconds(10));
  const auto rows = storage.call([](Store* store) -> std::optional<std::vector<Outcome>> {
    if (store == nullptr) return std::nullopt;
    return store->signals_since(0);
  });
  storage.stop();
  if (rows) {
    out << "\n"
        << history_stats_text(compute_history_stats(*rows),
                              "this demo (" + storage_config.path + ")");
    out << "(Each signal is followed until its target or stop prints, for at most "
           "outcomes.horizon_s = 4 h of market time: a short demo may leave some open. "
           "`teleglas replay --db FILE` then `teleglas stats --db FILE` is a backtest.)\n";
  }
  if (temporary_db) {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::error_code ignored;
      std::filesystem::remove(storage_config.path + suffix, ignored);
    }
  }
  out << chart_files.written() << " chart(s) drawn in " << charts_dir.string()
      << " (`teleglas replay --charts DIR` draws them for any recording)\n";
  if (telegram) {
    spdlog::info("demo: {} alert(s), {} message(s) delivered to the demo chat, {} still queued",
                 daemon.health().signals, chat.delivered(), telegram->queued_alerts());
  } else {
    spdlog::info("demo: {} alert(s)", terminal.signals());
  }
  return 0;
}

}  // namespace teleglas
