// teleglas: the command line. Subcommands share one configuration loader; the work itself
// lives in the app library so tests drive the same code.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdlib>

#include "teleglas/alerts/formatter.hpp"
#include "teleglas/alerts/signal_json.hpp"
#include "teleglas/app/daemon.hpp"
#include "teleglas/app/demo.hpp"
#include "teleglas/app/doctor.hpp"
#include "teleglas/app/health_endpoint.hpp"
#include "teleglas/app/health_report.hpp"
#include "teleglas/app/preview.hpp"
#include "teleglas/app/chart_files.hpp"
#include "teleglas/config/sources.hpp"
#include "teleglas/app/replay.hpp"
#include "teleglas/app/telegram_sink.hpp"
#include "teleglas/app/terminal_alerts.hpp"
#include "teleglas/config/load.hpp"
#include "teleglas/config/reference.hpp"
#include "teleglas/core/clock.hpp"
#include "teleglas/net/health_server.hpp"
#include "teleglas/ops/process.hpp"
#include "teleglas/ops/systemd.hpp"
#include "teleglas/sim/market_generator.hpp"
#include "teleglas/app/history_commands.hpp"
#include "teleglas/storage/open_store.hpp"
#include "teleglas/storage/writer.hpp"

#ifndef TELEGLAS_VERSION
#define TELEGLAS_VERSION "dev"
#endif

namespace {

using namespace teleglas;

constexpr const char* default_config_path = "config/teleglas.yaml";

// Loads --config (problems are fatal), or the default path when present, or the defaults.
std::optional<Config> load_config_for_command(const std::string& path, bool explicit_path) {
  if (!explicit_path && !std::filesystem::exists(path)) {
    std::cerr << "teleglas: " << path << " not found, using built-in defaults\n";
    return Config{};
  }
  ConfigLoadResult result = load_config_file(path);
  if (!result.ok()) {
    for (const ConfigProblem& p : result.problems) std::cerr << p.to_string() << "\n";
    std::cerr << "teleglas: " << result.problems.size() << " problem(s) in " << path
              << "; run `teleglas check-config --config " << path << "`\n";
    return std::nullopt;
  }
  return std::move(result.config);
}

int check_config(const std::string& path) {
  const ConfigLoadResult result = load_config_file(path);
  for (const ConfigProblem& p : result.problems) std::cout << p.to_string() << "\n";
  for (const ConfigProblem& p : result.file_problems) std::cout << p.to_string() << "\n";
  if (const std::size_t count = result.problems.size() + result.file_problems.size(); count > 0) {
    std::cout << path << ": " << count << " problem(s)\n";
    return 1;
  }
  std::cout << path << ": OK (" << result.config.symbols.size() << " symbol(s), "
            << result.config.telegram.chat_ids.size() << " chat(s), storage "
            << result.config.storage.backend << ")\n";
  return 0;
}

void print_human_summary(const ReplaySummary& s) {
  std::cout << "── replay summary ──\n"
            << "files " << s.files << ", frames " << s.parse.frames << ", events " << s.parse.events
            << " (" << s.parse.liquidations << " liquidations, " << s.parse.trades
            << " trades), snapshots rows " << s.parse.funding_rates + s.parse.open_interests
            << ", pongs " << s.parse.pongs << ", notices " << s.parse.notices << "\n"
            << "rejected " << s.parse.rejected();
  for (int i = 0; i < reject_reason_count; ++i) {
    if (s.parse.rejected_by_reason[i]) {
      std::cout << " " << to_string(static_cast<RejectReason>(i)) << "="
                << s.parse.rejected_by_reason[i];
    }
  }
  std::cout << "\nsignals " << s.pipeline.emitted;
  for (int i = 0; i < signal_type_count; ++i) {
    if (s.pipeline.emitted_by_type[i]) {
      std::cout << " " << to_string(static_cast<SignalType>(i)) << "="
                << s.pipeline.emitted_by_type[i];
    }
  }
  std::cout << " (suppressed: cooldown " << s.pipeline.suppressed_cooldown << ", hourly cap "
            << s.pipeline.suppressed_hourly_cap << ")\n";
  if (s.control.accepted() + s.control.malformed > 0) {
    std::cout << "recorded by the daemon: " << s.control.receive_times << " receive times, "
              << s.control.ticks << " ticks, " << s.control.gaps << " gaps, " << s.control.malformed
              << " malformed control lines\n";
  }
}

struct ReplayOptions {
  bool json = false;
  std::string db_path;       // --db
  bool config_storage = false;  // --config given: history goes to its storage
  std::string charts_dir;    // --charts: one PNG per directional signal
};

int replay(const std::vector<std::string>& files, const Config& config,
           const ReplayOptions& options) {
  const bool json = options.json;
  // A backtest keeps its signals and their outcomes: `replay --db F` then `stats --db F`.
  std::unique_ptr<StorageWriter> history;
  if (!options.db_path.empty() || options.config_storage) {
    try {
      history = std::make_unique<StorageWriter>(open_history_store(options.db_path, config.storage));
    } catch (const std::exception& e) {
      std::cerr << "teleglas replay: " << e.what() << "\n";
      return 1;
    }
  }
  if (!options.charts_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.charts_dir, ec);
    if (ec) {
      std::cerr << "teleglas replay: --charts " << options.charts_dir << ": " << ec.message()
                << "\n";
      return 1;
    }
  }
  std::uint64_t charts_written = 0;
  std::uint64_t charts_failed = 0;
  Replay::OutcomeHandler on_outcome;
  if (history) on_outcome = [&](const Outcome& o) { history->save_outcome(o); };
  Replay replay(
      config,
      [&](const Signal& s) {
        if (history) history->save_signal({s, signal_to_json(s)});
        if (!options.charts_dir.empty() && s.chart) {
          const ChartFile file = write_chart_file(options.charts_dir, s);
          if (file.error.empty()) {
            ++charts_written;
          } else {
            ++charts_failed;
            std::cerr << "teleglas replay: chart of " << chart_file_name(s) << ": " << file.error
                      << "\n";
          }
        }
        if (json) {
          std::cout << signal_to_json(s) << "\n";
        } else {
          std::cout << format_plain_text(s) << "\n\n";
        }
      },
      std::move(on_outcome));
  replay.capture_charts(!options.charts_dir.empty());
  const auto started = std::chrono::steady_clock::now();
  for (const std::string& file : files) {
    if (std::string error = replay.feed_recording(file); !error.empty()) {
      std::cerr << "teleglas replay: " << error << "\n";
      return 1;
    }
  }
  replay.finish();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const ReplaySummary summary = replay.summary();
  if (json) {
    std::cout << summary_to_json(summary) << "\n";
  } else {
    print_human_summary(summary);
  }
  std::cout.flush();
  if (history) {
    if (!history->flush(std::chrono::minutes(10))) {
      std::cerr << "teleglas replay: history not written to " << history->describe() << ": "
                << history->stats().last_error << "\n";
      return 1;
    }
    const StorageWriterStats w = history->stats();
    if (w.records_lost > 0) {
      std::cerr << "teleglas replay: " << w.records_lost << " record(s) could not be written to "
                << history->describe() << ": " << w.last_error << "\n";
      return 1;
    }
    std::fprintf(stderr, "replay: %llu signal(s) and %llu outcome update(s) written to %s\n",
                 static_cast<unsigned long long>(w.signals_written),
                 static_cast<unsigned long long>(w.outcomes_written), history->describe().c_str());
  }
  if (!options.charts_dir.empty()) {
    std::fprintf(stderr, "replay: %llu chart(s) written to %s%s\n",
                 static_cast<unsigned long long>(charts_written), options.charts_dir.c_str(),
                 charts_failed > 0 ? fmt::format(", {} failed", charts_failed).c_str() : "");
    if (charts_failed > 0) return 1;
  }
  // Timing varies run to run, so it stays off stdout (which is byte-for-byte reproducible).
  std::fprintf(stderr, "replay: %llu events in %.3f s (%.0f events/s)\n",
               static_cast<unsigned long long>(summary.parse.events), seconds,
               seconds > 0 ? summary.parse.events / seconds : 0.0);
  return 0;
}

// Logs go to stderr and, when configured, a rotating file. Under systemd journald keeps
// stderr just as it keeps stdout, and stdout stays free for the alerts `teleglas run` prints
// (TerminalAlertSink), so a pipe of alerts never carries log lines. Colour only on a terminal:
// `automatic` checks isatty and TERM, so journald and pipes get plain text.
void setup_logging(const LoggingConfig& logging) {
  std::vector<spdlog::sink_ptr> sinks{
      std::make_shared<spdlog::sinks::stderr_color_sink_mt>(spdlog::color_mode::automatic)};
  if (!logging.file.empty()) {
    sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
        logging.file, static_cast<std::size_t>(logging.max_size_mb) * 1024 * 1024,
        static_cast<std::size_t>(logging.max_files)));
  }
  auto logger = std::make_shared<spdlog::logger>("teleglas", sinks.begin(), sinks.end());
  logger->set_level(spdlog::level::from_str(logging.level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

// Sent and dropped alerts past storage.retention_days; pending ones are kept.
// Sent and dropped alerts, market events and gaps past storage.retention_days; pending alerts,
// signals and outcomes are kept. Returns the rows deleted.
std::size_t purge_expired(Store& store, const StorageConfig& storage) {
  const TimeMs cutoff =
      system_now_ms() - static_cast<TimeMs>(storage.retention_days) * 86'400'000;
  return store.purge_resolved_before(cutoff) + store.purge_history_before(cutoff);
}

// What the pipeline needs from history at start: the outcomes still open, and those resolved
// within the lookback (for the win rates).
void restore_outcomes(StorageWriter& storage, const Config& config, DaemonOptions& options) {
  const TimeMs since = system_now_ms() - seconds_ms(config.outcomes.lookback_days * 86'400) -
                       seconds_ms(config.outcomes.horizon_s);
  auto loaded = storage.call([since](Store* store) {
    std::pair<std::optional<std::vector<Outcome>>, std::optional<std::vector<Outcome>>> r;
    if (store == nullptr) return r;
    r.first = store->open_outcomes();
    r.second = store->signals_since(since);
    return r;
  });
  if (!loaded.first || !loaded.second) {
    spdlog::warn("outcomes: no history to start from ({}); win rates start from nothing",
                 storage.describe());
    return;
  }
  options.open_outcomes = std::move(*loaded.first);
  for (Outcome& o : *loaded.second) {
    if (o.resolved() && o.state != OutcomeState::untracked) {
      options.resolved_outcomes.push_back(std::move(o));
    }
  }
  spdlog::info("outcomes: {} open, {} resolved in the last {:g} days", options.open_outcomes.size(),
               options.resolved_outcomes.size(), config.outcomes.lookback_days);
}

// Says what the store holds at startup (after purging what is past retention), or that it is
// not open yet: the writer keeps trying while alerts flow from memory.
void log_store_at_start(StorageWriter& storage, const StorageConfig& config) {
  const auto opened = storage.call([&config](Store* store) -> std::optional<std::string> {
    if (store == nullptr) return std::nullopt;
    const std::size_t purged = purge_expired(*store, config);
    return fmt::format(
        "storage: {} ({}), {} alert(s) waiting to be sent{}", store->where(), store->backend(),
        store->counts().pending,
        purged > 0 ? fmt::format(", {} row(s) older than {} days purged", purged,
                                 config.retention_days)
                   : std::string());
  });
  if (opened) {
    spdlog::info("{}", *opened);
  } else {
    spdlog::error("storage: {}; alerts are kept in memory until it opens", storage.describe());
  }
}

struct RunOptions {
  std::string signals_json_path;  // empty = none
};

int run(const Config& config, const RunOptions& options) {
  setup_logging(config.logging);
  // Loud but not fatal: refusing to start would take the alerts away over a chmod.
  if (!config.secrets_file.empty()) {
    if (const std::string problem = secrets_file_problem(config.secrets_file); !problem.empty()) {
      spdlog::error("secrets_file: {}", problem);
    }
  }
  const std::string api_key = env_or_empty("COINGLASS_API_KEY");
  const std::vector<std::string> sources = resolve_sources(config, !api_key.empty());
  const bool wants_coinglass = std::ranges::find(sources, "coinglass") != sources.end();
  if (wants_coinglass && api_key.empty()) {
    spdlog::critical(
        "COINGLASS_API_KEY is not set: sources lists coinglass, whose stream needs an API key. "
        "Put it in the service's environment file (see systemd/teleglas.env.example), or drop "
        "coinglass from sources to use the exchanges' own keyless streams.");
    return 2;
  }
  spdlog::info("sources: {}{}", fmt::join(sources, ", "),
               config.sources.empty() ? (api_key.empty() ? " (no COINGLASS_API_KEY: the "
                                                           "exchanges' own keyless streams)"
                                                         : " (COINGLASS_API_KEY is set)")
                                      : "");
  const std::string bot_token = env_or_empty("TELEGRAM_BOT_TOKEN");
  if (bot_token.empty()) {
    spdlog::warn("TELEGRAM_BOT_TOKEN is not set: alerts go to stdout and the log only");
  } else if (config.telegram.chat_ids.empty()) {
    spdlog::warn("telegram.chat_ids is empty: alerts go to stdout and the log only");
  }
  try {
    boost::asio::io_context io;
    // Declared after the io_context, so it stops before the io_context its jobs post to goes.
    StorageWriterOptions writer_options;
    writer_options.max_queued_events = static_cast<std::size_t>(config.storage.max_queued_events);
    writer_options.on_state = [](const std::string& reason) {
      if (reason.empty()) {
        spdlog::info("storage: available again; waiting history is being written");
      } else {
        spdlog::error("storage: {}; alerts keep flowing, history waits in memory", reason);
      }
    };
    StorageWriter storage([&config] { return open_store(config.storage); },
                          std::move(writer_options));
    log_store_at_start(storage, config.storage);
    TerminalAlertSink terminal(std::cout);
    std::unique_ptr<TelegramSink> telegram;
    std::vector<AlertSink*> sinks{&terminal};
    std::ofstream signals_json_file;
    std::optional<SignalJsonSink> signals_json;
    if (!options.signals_json_path.empty()) {
      signals_json_file.open(options.signals_json_path, std::ios::binary | std::ios::app);
      if (!signals_json_file) {
        throw std::runtime_error("cannot open --signals-json " + options.signals_json_path);
      }
      sinks.push_back(&signals_json.emplace(signals_json_file));
    }
    if (!bot_token.empty() && !config.telegram.chat_ids.empty()) {
      telegram = std::make_unique<TelegramSink>(
          io, config.telegram, bot_token,
          TelegramOptions{.storage = &storage,
                          .stats_lookback_days = config.outcomes.lookback_days});
      sinks.push_back(telegram.get());
      spdlog::info("alerts go to {} Telegram chat(s) via {}{}", config.telegram.chat_ids.size(),
                   config.telegram.api_url,
                   config.telegram.commands ? "; answering bot commands" : "");
    }
    TeeAlertSink alerts(std::move(sinks));
    DaemonOptions daemon_options;
    daemon_options.storage = &storage;
    daemon_options.charts = telegram && config.telegram.charts;
    restore_outcomes(storage, config, daemon_options);
    if (telegram) daemon_options.health_extras = [&telegram] { return telegram->health_summary(); };
    Daemon daemon(io, config, api_key, alerts, std::move(daemon_options));
    if (telegram) telegram->set_health_source([&daemon] { return daemon.health(); });
    // The watchdog is fed from the io_context itself: a stuck loop stops feeding it.
    boost::asio::steady_timer watchdog(io);
    std::function<void()> feed_watchdog = [&] {
      const auto period = systemd_watchdog_period();
      if (!period) return;
      systemd_notify_watchdog();
      watchdog.expires_after(*period);
      watchdog.async_wait([&](boost::system::error_code ec) {
        if (!ec) feed_watchdog();
      });
    };
    const std::unique_ptr<HealthServer> health_server =
        start_health_endpoint(io, config.http, daemon, telegram.get());
    boost::asio::steady_timer purge_timer(io);
    std::function<void()> schedule_purge = [&] {
      purge_timer.expires_after(std::chrono::hours(1));
      purge_timer.async_wait([&](boost::system::error_code ec) {
        if (ec) return;
        storage.submit([storage_config = config.storage](Store* store) {
          if (store == nullptr) return;
          if (const std::size_t purged = purge_expired(*store, storage_config); purged > 0) {
            spdlog::info("storage: purged {} row(s) older than {} days", purged,
                         storage_config.retention_days);
          }
        });
        schedule_purge();
      });
    };
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code ec, int signal) {
      if (ec) return;
      spdlog::info("signal {}: shutting down", signal);
      systemd_notify_stopping();
      watchdog.cancel();
      purge_timer.cancel();
      if (health_server) health_server->stop();
      daemon.stop();
      if (telegram) telegram->stop();
    });
    daemon.start();
    if (telegram) telegram->start();
    systemd_notify_ready();
    feed_watchdog();
    schedule_purge();
    io.run();
    storage.stop();
    if (const StorageWriterStats s = storage.stats(); s.records_lost > 0) {
      spdlog::error("storage: {} signal/outcome record(s) could not be written before the exit: {}",
                    s.records_lost, s.last_error);
    }
    spdlog::info("stopped");
    return 0;
  } catch (const std::exception& e) {
    spdlog::critical("cannot start: {}", e.what());
    return 1;
  }
}

int generate(const MarketGeneratorOptions& options, const std::string& out_path) {
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (!out_path.empty() && out_path != "-") {
    file.open(out_path, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::cerr << "teleglas generate: cannot write " << out_path << "\n";
      return 1;
    }
    out = &file;
  }
  const auto planted = generate_market(options, *out);
  out->flush();
  std::cerr << "generated " << options.duration_s << " s of market (seed " << options.seed
            << ") with " << planted.size() << " planted scenarios:\n";
  for (const PlantedScenario& p : planted) {
    std::cerr << "  " << format_utc(p.start) << "  " << p.symbol << "  " << p.kind << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "TELEGLAS — liquidation and order-flow alerts from CoinGlass to Telegram.\n"
      "Secrets come from the environment: COINGLASS_API_KEY, TELEGRAM_BOT_TOKEN."};
  app.set_version_flag("--version", std::string("teleglas ") + TELEGLAS_VERSION);
  app.require_subcommand(1);

  std::string config_path = default_config_path;

  auto* check = app.add_subcommand(
      "check-config", "Validate a configuration file; print FILE:LINE: key: problem for each");
  check->add_option("--config,-c", config_path, "Configuration file")->capture_default_str();
  bool reference = false;
  bool reference_markdown = false;
  auto* reference_flag = check->add_flag(
      "--reference", reference,
      "Instead of checking, print every key the loader knows: type, default, allowed values "
      "and meaning");
  check->add_flag("--markdown", reference_markdown, "With --reference: as a Markdown table")
      ->needs(reference_flag);

  auto* doctor_cmd = app.add_subcommand(
      "doctor",
      "Check an installation: one ok/warn/fail line per check with the fix; exit 1 when any\n"
      "check fails. Never prints the API key or the bot token");
  doctor_cmd->add_option("--config,-c", config_path, "Configuration file")->capture_default_str();
  {
    std::string footer = "Checks, in order (each bounded to a few seconds):\n";
    for (const DoctorCheckInfo& info : doctor_checks()) {
      footer += "  " + std::string(info.name) + ": " + std::string(info.what) + "\n";
    }
    footer +=
        "Sources are resolved as the daemon resolves them (the sources key; unset: coinglass\n"
        "with COINGLASS_API_KEY, otherwise bybit and binance, which need no key). Secrets are\n"
        "read from the environment (COINGLASS_API_KEY, TELEGRAM_BOT_TOKEN), as the daemon reads\n"
        "them: run it with the service's environment file loaded.";
    doctor_cmd->footer(footer);
  }

  std::vector<std::string> replay_files;
  ReplayOptions replay_options;
  auto* replay_cmd = app.add_subcommand(
      "replay",
      "Run recordings (one CoinGlass frame per line) through the pipeline as fast as possible,\n"
      "with the events' own timestamps as the clock; print the alerts it would send");
  replay_cmd->add_option("files", replay_files, "Recording files, or directories of daily files")
      ->required()
      ->check(CLI::ExistingPath);
  auto* replay_config =
      replay_cmd->add_option("--config,-c", config_path,
                             "Configuration file (default: "
                             "config/teleglas.yaml when present, else built-in defaults)");
  replay_cmd->add_flag("--json", replay_options.json,
                       "One JSON object per signal, then one {\"summary\":...} line");
  replay_cmd
      ->add_option("--db", replay_options.db_path,
                   "Write the signals and their outcomes to this SQLite file (created if\n"
                   "missing); then `teleglas stats --db FILE` is the backtest. Without it,\n"
                   "--config FILE writes them to that configuration's storage")
      ->type_name("FILE");
  replay_cmd
      ->add_option("--charts", replay_options.charts_dir,
                   "Also draw each directional signal's chart into this directory (created if\n"
                   "missing): one PNG per signal, named TIME_TYPE_SYMBOL_DIRECTION.png")
      ->type_name("DIR");
  replay_cmd->footer(
      "Outcomes: every signal with a setup is followed on its reference venue's prices until\n"
      "its target (WIN) or stop (LOSS) prints first, or outcomes.horizon_s passes (EXPIRED).\n"
      "The win rate a replay scores with is built from the replay's own outcomes.");

  StatsOptions stats_options;
  auto* stats_cmd = app.add_subcommand(
      "stats",
      "Signal outcomes from storage: per type signals, wins, losses, expired, open, win rate,\n"
      "average MFE/MAE, and the calibration table (win rate per 10-point confidence bucket)");
  auto* stats_config =
      stats_cmd->add_option("--config,-c", config_path,
                            "Read the storage of this configuration (default: "
                            "config/teleglas.yaml when present)");
  stats_cmd->add_option("--db", stats_options.db_path, "Read this SQLite file instead")
      ->type_name("FILE")
      ->check(CLI::ExistingFile)
      ->excludes(stats_config);
  stats_cmd->add_option("--since", stats_options.since,
                        "Only signals of the last DURATION (90m, 24h, 7d, 2w); default: all");
  stats_cmd->add_flag("--json", stats_options.json,
                      "One JSON object: {\"by_type\":{...},\"calibration\":[...]}");

  PreviewCommandOptions preview_options;
  std::string preview_new_path;
  std::string preview_against_path = default_config_path;
  auto* preview_cmd = app.add_subcommand(
      "preview",
      "What a configuration change would do before it goes live: replays recordings under\n"
      "both configurations and prints the alerts added, removed and changed, and the win rate\n"
      "each would have had");
  preview_cmd->add_option("--config,-c", preview_new_path, "The new configuration (edited YAML)")
      ->required()
      ->type_name("NEW");
  auto* preview_against =
      preview_cmd
          ->add_option("--against", preview_against_path,
                       "The configuration it replaces (default: the daemon's, "
                       "config/teleglas.yaml when present, else built-in defaults)")
          ->type_name("CURRENT");
  preview_cmd
      ->add_option("--since", preview_options.since,
                   "Only alerts decided in the last DURATION (90m, 24h, 7d) of the recordings'\n"
                   "own time; what comes before still warms the windows up")
      ->type_name("DURATION");
  preview_cmd->add_flag("--json", preview_options.json,
                        "One JSON object: {\"added\",\"removed\",\"changed\",\"unchanged\","
                        "\"by_type\",\"win_rate\"}");
  preview_cmd->add_option("recordings", preview_options.recordings,
                          "Recording files, or directories of daily files (default: "
                          "coinglass.record_path of CURRENT)");
  preview_cmd->footer(
      "The tuning loop: edit a copy of the YAML, `teleglas preview --config NEW.yaml`, read\n"
      "what would change, then install it and `systemctl restart teleglas`.\n"
      "Alerts under both are the same signal when type, symbol and direction agree and they\n"
      "were decided at most 60 s apart; a different confidence or priority makes it changed.\n"
      "Both replays run the daemon's own pipeline; exit 0 when both ran, 1 on an error.");

  auto* run_cmd = app.add_subcommand(
      "run", "The daemon: stream liquidations and trades, analyse, alert");
  run_cmd->footer(
      "Sources (the sources key): coinglass, bybit, binance, okx. Unset: coinglass when\n"
      "COINGLASS_API_KEY is set, otherwise the exchanges' own keyless streams [bybit, binance].\n"
      "Environment:\n"
      "  COINGLASS_API_KEY   required when sources include coinglass\n"
      "  TELEGRAM_BOT_TOKEN  optional: with telegram.chat_ids set, alerts go to those chats and\n"
      "                      /status /mute /unmute /stats /help are answered there; without it,\n"
      "                      alerts go to stdout and the log only\n"
      "Storage (storage.backend: SQLite at storage.path, or PostgreSQL at storage.postgres_url\n"
      "with PGPASSWORD in the environment) keeps queued Telegram alerts, bot state, every\n"
      "signal and its outcome (`teleglas stats`), gaps and market events across restarts; when\n"
      "it is unavailable alerts still flow and history waits in memory.\n"
      "With coinglass.record_path set, every frame and REST snapshot is appended there with\n"
      "its receive time, and every pipeline tick and stream gap: `teleglas replay` of that\n"
      "file gives exactly the signals this run emitted; at start the daemon replays its tail\n"
      "silently, so a restart keeps its windows and sends nothing twice.\n"
      "SIGTERM/SIGINT stop it cleanly; under systemd it notifies readiness and feeds the "
      "watchdog.");
  auto* run_config =
      run_cmd->add_option("--config,-c", config_path,
                          "Configuration file (default: "
                          "config/teleglas.yaml when present, else built-in defaults)");
  RunOptions run_options;
  run_cmd
      ->add_option("--signals-json", run_options.signals_json_path,
                   "Also append each emitted signal to FILE as one JSON line, the line\n"
                   "`replay --json` prints for it (compare a run with its recording)")
      ->type_name("FILE");

  DemoOptions demo;
  auto* demo_cmd = app.add_subcommand(
      "demo",
      "The whole service on loopback, no keys needed: the daemon against stand-ins of its\n"
      "sources (TLS WebSocket, on 127.0.0.1), each streaming its share of a generated market:\n"
      "by default the exchanges' own keyless streams (Bybit, Binance, OKX); --sources coinglass\n"
      "for a simulated CoinGlass with its REST snapshots (funding, open interest). Alerts print\n"
      "as Telegram would show them, and its health endpoint runs (/health JSON, /metrics\n"
      "Prometheus; the URL is logged at start). With --telegram, alerts go through a stand-in\n"
      "Telegram Bot API instead");
  demo_cmd
      ->add_option("--sources", demo.sources,
                   "Sources to run, comma-separated: bybit, binance, okx, coinglass (the\n"
                   "funding and open-interest signals come from CoinGlass only)")
      ->delimiter(',')
      ->check(CLI::IsMember(std::vector<std::string>(source_names.begin(), source_names.end())))
      ->capture_default_str()
      ->type_name("LIST");
  demo_cmd->add_option("--seed", demo.seed, "Market seed")->capture_default_str();
  demo_cmd->add_option("--pace", demo.pace, "Market seconds per second")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 1000.0));
  demo_cmd->add_option("--market", demo.market_s, "Seconds of market to generate")
      ->capture_default_str()
      ->check(CLI::Range(60.0, 86400.0));
  demo_cmd->add_option("--duration", demo.duration_s,
                       "Stop after this many seconds (default: when the market has played)");
  demo_cmd
      ->add_option("--listen", demo.http_listen,
                   "Health endpoint, as http.listen (default: a free loopback port)")
      ->type_name("HOST:PORT");
  demo_cmd->add_flag("--telegram", demo.telegram,
                     "Send alerts through a stand-in Telegram Bot API on 127.0.0.1\n"
                     "(TLS, throwaway certificate, made-up token) and print the demo\n"
                     "chat: each message with its arrival time, so the sender's\n"
                     "pacing shows; the chat sends the bot /status after 5 s");
  demo_cmd
      ->add_option("--db", demo.db_path,
                   "Keep the signals and their outcomes in this SQLite file (default: a\n"
                   "temporary one); the end of the demo shows them as `teleglas stats` would")
      ->type_name("FILE");
  demo_cmd
      ->add_option("--charts", demo.charts_dir,
                   "Draw each directional signal's chart into this directory (default: a new\n"
                   "one under the temporary directory); paths are printed as charts appear")
      ->type_name("DIR");

  MarketGeneratorOptions gen;
  std::string gen_out;
  auto* gen_cmd = app.add_subcommand(
      "generate", "Write a deterministic synthetic market recording (for demos, tests, benches)");
  gen_cmd->add_option("--seed", gen.seed, "Random seed")->capture_default_str();
  gen_cmd->add_option("--duration", gen.duration_s, "Seconds of market")
      ->capture_default_str()
      ->check(CLI::Range(60.0, 7.0 * 86400));
  gen_cmd->add_option("--start", gen.start_time, "Start time, epoch ms")->capture_default_str();
  gen_cmd->add_option("--symbols", gen.symbols, "Symbols (e.g. BTCUSDT ETHUSDT)")
      ->delimiter(',')
      ->capture_default_str();
  gen_cmd->add_option("--out,-o", gen_out, "Output file (default stdout)");

  CLI11_PARSE(app, argc, argv);

  if (check->parsed()) {
    if (reference) {
      std::cout << (reference_markdown ? config_reference_markdown() : config_reference_text());
      return 0;
    }
    return check_config(config_path);
  }
  if (doctor_cmd->parsed()) {
    DoctorOptions options;
    options.config_path = config_path;
    options.coinglass_api_key = env_or_empty("COINGLASS_API_KEY");
    options.telegram_bot_token = env_or_empty("TELEGRAM_BOT_TOKEN");
    const DoctorReport report = run_doctor(options);
    print_doctor_report(report, std::cout);
    return report.exit_code();
  }
  if (replay_cmd->parsed()) {
    auto config = load_config_for_command(config_path, replay_config->count() > 0);
    if (!config) return 1;
    replay_options.config_storage = replay_config->count() > 0;
    return replay(replay_files, *config, replay_options);
  }
  if (stats_cmd->parsed()) {
    if (stats_options.db_path.empty()) {
      auto config = load_config_for_command(config_path, stats_config->count() > 0);
      if (!config) return 1;
      return run_stats(stats_options, *config, system_now_ms(), std::cout, std::cerr);
    }
    return run_stats(stats_options, Config{}, system_now_ms(), std::cout, std::cerr);
  }
  if (preview_cmd->parsed()) {
    const bool against_given = preview_against->count() > 0;
    auto current = load_config_for_command(preview_against_path, against_given);
    if (!current) return 1;
    auto proposed = load_config_for_command(preview_new_path, true);
    if (!proposed) return 1;
    preview_options.current_label =
        against_given || std::filesystem::exists(preview_against_path) ? preview_against_path
                                                                         : "built-in defaults";
    preview_options.new_label = preview_new_path;
    return run_preview_command(preview_options, *current, *proposed, std::cout, std::cerr);
  }
  if (gen_cmd->parsed()) return generate(gen, gen_out);
  if (run_cmd->parsed()) {
    auto config = load_config_for_command(config_path, run_config->count() > 0);
    if (!config) return 1;
    return run(*config, run_options);
  }
  if (demo_cmd->parsed()) {
    setup_logging(LoggingConfig{});
    return run_demo(demo, std::cout);
  }
  return 0;
}
