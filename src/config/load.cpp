#include "teleglas/config/load.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <system_error>

#include "map_reader.hpp"
#include "teleglas/config/sources.hpp"

namespace teleglas {

namespace {

using config_detail::above;
using config_detail::between;
using config_detail::loopback_host_and_port;
using config_detail::MapReader;
using config_detail::non_empty;
using config_detail::non_zero_within;
using config_detail::NumberRule;
using config_detail::one_of;
using config_detail::ProblemSink;
using config_detail::symbol_name;
using config_detail::url_with_scheme;

// Ranges shared by many keys. The upper bounds are far beyond any sensible setting: they
// exist to catch a value typed in the wrong unit or with extra zeros.
constexpr double day_s = 86'400;
const NumberRule duration_s = above(0, day_s);
const NumberRule usd = above(0, 1e12);
const NumberRule usd_or_zero = between(0, 1e12);
const NumberRule confidence = between(0, 100);
const NumberRule points = between(0, 100);
const NumberRule ratio = between(0, 1);
const NumberRule percent = above(0, 100);
const NumberRule percent_or_zero = between(0, 100);
const NumberRule count = between(1, 1'000'000);
const NumberRule count_or_zero = between(0, 1'000'000);
// Telegram chat ids have at most 52 significant bits; groups are negative.
const NumberRule chat_id = non_zero_within(1e16);

void parse_stop_hunt(MapReader& r, StopHuntConfig& c) {
  r.read("window_s", c.window_s, duration_s);
  r.read("liquidation_usd", c.liquidation_usd, usd);
  r.read("absorption_window_s", c.absorption_window_s, duration_s);
  r.read("absorption_usd", c.absorption_usd, usd);
  r.read("large_trade_usd", c.large_trade_usd, usd);
  r.read("min_confidence", c.min_confidence, confidence);
}

void parse_order_flow(MapReader& r, OrderFlowConfig& c) {
  r.read("window_s", c.window_s, duration_s);
  r.read("eval_interval_s", c.eval_interval_s, duration_s);
  r.read("buy_ratio_long", c.buy_ratio_long, ratio);
  r.read("buy_ratio_short", c.buy_ratio_short, ratio);
  r.read("min_large_trades", c.min_large_trades, count_or_zero);
  r.read("large_trade_usd", c.large_trade_usd, usd);
  r.read("min_confidence", c.min_confidence, confidence);
  r.check_order("buy_ratio_short", c.buy_ratio_short, "buy_ratio_long", c.buy_ratio_long);
}

void parse_cascade(MapReader& r, CascadeConfig& c) {
  r.read("window_s", c.window_s, duration_s);
  r.read("liquidation_usd", c.liquidation_usd, usd);
  r.read("min_events", c.min_events, count);
  r.read("min_confidence", c.min_confidence, confidence);
}

void parse_whale(MapReader& r, WhaleConfig& c) {
  r.read("window_s", c.window_s, duration_s);
  r.read("whale_trade_usd", c.whale_trade_usd, usd);
  r.read("min_trades", c.min_trades, count);
  r.read("max_price_range_pct", c.max_price_range_pct, percent);
  r.read("min_confidence", c.min_confidence, confidence);
}

void parse_funding(MapReader& r, FundingConfig& c) {
  r.read("extreme_rate_pct", c.extreme_rate_pct, percent);
  r.read("min_confidence", c.min_confidence, confidence);
}

void parse_oi_divergence(MapReader& r, OiDivergenceConfig& c) {
  // The change-percent fields CoinGlass reports per exchange.
  r.read("horizon", c.horizon, one_of({"5m", "15m", "30m", "1h", "4h", "24h"}));
  r.read("min_spread_pct", c.min_spread_pct, above(0, 1000));
  r.read("min_open_interest_usd", c.min_open_interest_usd, usd_or_zero);
  r.read("min_confidence", c.min_confidence, confidence);
}

// Tiers are listed from the lowest step up, so a mistyped threshold cannot hide a step.
auto tier_parser(NumberRule above_rule) {
  return [above_rule = std::move(above_rule), previous = std::optional<double>()](
             MapReader& r, BonusTier& t) mutable {
    r.read("above", t.above, above_rule);
    r.read("points", t.points, points);
    r.require("above");
    r.require("points");
    if (!r.has("above")) return;
    if (previous) {
      r.check(t.above > *previous, "above",
              "must be greater than the previous tier's (" +
                  config_detail::format_number(*previous) + "), got " +
                  config_detail::format_number(t.above));
    }
    previous = t.above;
  };
}

void parse_scoring(MapReader& r, ScoringConfig& c) {
  r.read("base", c.base, points);
  r.read_list_of_sections("volume_tiers", c.volume_tiers, BonusTier{}, tier_parser(usd_or_zero));
  r.read_list_of_sections("one_sided_tiers", c.one_sided_tiers, BonusTier{}, tier_parser(ratio));
  r.read("absorption_bonus", c.absorption_bonus, points);
  r.read("win_rate_min", c.win_rate_min, ratio);
  r.read("win_rate_bonus", c.win_rate_bonus, points);
  r.read("win_rate_floor", c.win_rate_floor, ratio);
  r.read("win_rate_penalty", c.win_rate_penalty, points);
  r.check_order("win_rate_floor", c.win_rate_floor, "win_rate_min", c.win_rate_min,
                /*allow_equal=*/true);
  r.read("confirmation_bonus", c.confirmation_bonus, points);
  r.read("confirmation_window_s", c.confirmation_window_s, duration_s);
  r.read("conflict_penalty", c.conflict_penalty, points);
  r.read("unconfirmed_reversal_penalty", c.unconfirmed_reversal_penalty, points);
  r.read("cap", c.cap, between(1, 100));
  r.check_order("base", c.base, "cap", c.cap, /*allow_equal=*/true);
}

void parse_setup(MapReader& r, SetupConfig& c) {
  r.read("reward_risk", c.reward_risk, above(0, 100));
  r.read("stop_buffer_pct", c.stop_buffer_pct, percent_or_zero);
  r.read("min_risk_pct", c.min_risk_pct, percent_or_zero);
  r.read("volatility_multiple", c.volatility_multiple, between(0, 100));
  r.read("volatility_lookback_s", c.volatility_lookback_s, between(60, day_s));
  r.read("volatility_min_minutes", c.volatility_min_minutes, between(1, 1440));
  r.read("max_price_age_s", c.max_price_age_s, duration_s);
}

// Used for the global `analysis:` and, on a copy of its result, for each symbol's override.
void parse_analysis(MapReader& r, AnalysisConfig& c) {
  r.read_section("stop_hunt", c.stop_hunt, parse_stop_hunt);
  r.read_section("order_flow", c.order_flow, parse_order_flow);
  r.read_section("cascade", c.cascade, parse_cascade);
  r.read_section("whale", c.whale, parse_whale);
  r.read_section("funding", c.funding, parse_funding);
  r.read_section("oi_divergence", c.oi_divergence, parse_oi_divergence);
  r.read_section("scoring", c.scoring, parse_scoring);
  r.read_section("setup", c.setup, parse_setup);
}

void parse_symbols(MapReader& r, std::vector<SymbolConfig>& symbols, const AnalysisConfig& global) {
  // Symbols left at their default follow the global analysis too.
  for (SymbolConfig& s : symbols) s.analysis = global;
  SymbolConfig prototype;
  prototype.analysis = global;
  std::map<std::string, std::string> first_path_of_symbol;
  r.read_list_of_sections("symbols", symbols, prototype, [&](MapReader& entry, SymbolConfig& s) {
    entry.read("symbol", s.symbol, symbol_name());
    entry.read_list("exchanges", s.exchanges, config_detail::venue_name(), 1);
    entry.read("min_trade_usd", s.min_trade_usd, usd_or_zero);
    entry.read_override("analysis", s.analysis, parse_analysis, "analysis");
    entry.require("symbol");
    if (s.symbol.empty()) return;
    const auto [first, inserted] = first_path_of_symbol.emplace(s.symbol, entry.path());
    entry.check(inserted, "symbol",
                "duplicate symbol '" + s.symbol + "' (first in " + first->second + ")");
  });
}

void parse_coinglass(MapReader& r, CoinglassConfig& c) {
  r.read("ws_url", c.ws_url, url_with_scheme({"wss"}));
  r.read("rest_url", c.rest_url, url_with_scheme({"https"}));
  r.read("ca_file", c.ca_file);
  r.read("ping_interval_s", c.ping_interval_s, above(0, 3600));
  r.read("pong_timeout_s", c.pong_timeout_s, above(0, 3600));
  r.read("reconnect_initial_s", c.reconnect_initial_s, above(0, 3600));
  r.read("reconnect_max_s", c.reconnect_max_s, duration_s);
  // Polls faster than a second would exhaust any CoinGlass plan's request budget.
  r.read("funding_poll_s", c.funding_poll_s, between(1, day_s));
  r.read("oi_poll_s", c.oi_poll_s, between(1, day_s));
  r.read("record_path", c.record_path);
  r.read_list("liquidation_channels", c.liquidation_channels, non_empty(), 1);
  r.read("channels_per_connection", c.channels_per_connection, between(1, 1000));
  r.read("max_frame_bytes", c.max_frame_bytes, between(1024, 64 << 20));
  r.check_order("reconnect_initial_s", c.reconnect_initial_s, "reconnect_max_s", c.reconnect_max_s,
                /*allow_equal=*/true);
}

// The keys every exchange stream section shares; a venue's own keys follow in its parser.
void parse_exchange_stream(MapReader& r, ExchangeStreamConfig& c) {
  r.read("ws_url", c.ws_url, url_with_scheme({"wss"}));
  r.read("ca_file", c.ca_file);
  r.read_list("symbols", c.symbols, symbol_name());
  r.check_unique("symbols", c.symbols);
  r.read("trades", c.trades);
  r.read("ping_interval_s", c.ping_interval_s, above(0, 3600));
  r.read("pong_timeout_s", c.pong_timeout_s, above(0, 3600));
  r.read("reconnect_initial_s", c.reconnect_initial_s, above(0, 3600));
  r.read("reconnect_max_s", c.reconnect_max_s, duration_s);
  r.check_order("reconnect_initial_s", c.reconnect_initial_s, "reconnect_max_s", c.reconnect_max_s,
                /*allow_equal=*/true);
}

void parse_bybit(MapReader& r, BybitConfig& c) {
  parse_exchange_stream(r, c);
}

void parse_binance(MapReader& r, BinanceConfig& c) {
  parse_exchange_stream(r, c);
  // Binance ends every connection at 24 h; the successor must be open before that, and a
  // rotation more often than every minute would only churn connections.
  r.read("max_connection_age_s", c.max_connection_age_s, between(60, day_s - 60));
}

void parse_okx(MapReader& r, OkxConfig& c) {
  parse_exchange_stream(r, c);
  r.read("rest_url", c.rest_url, url_with_scheme({"https"}));
  // OKX closes a connection that received nothing for 30 s: the idle ping must come sooner.
  r.check(c.ping_interval_s < 30, "ping_interval_s",
          "must be less than 30: OKX drops a connection that received nothing for 30 s");
}

void parse_priority(MapReader& r, PriorityConfig& c) {
  r.read("urgent", c.urgent, confidence);
  r.read("watch", c.watch, confidence);
  r.read("info", c.info, confidence);
  r.check_order("watch", c.watch, "urgent", c.urgent);
  r.check_order("info", c.info, "watch", c.watch);
}

void parse_signals(MapReader& r, SignalsConfig& c) {
  r.read("cooldown_s", c.cooldown_s, between(0, day_s));
  r.read("max_per_hour", c.max_per_hour, between(1, 100'000));
  r.read("min_confidence", c.min_confidence, confidence);
  r.read("gap_penalty", c.gap_penalty, confidence);
  r.read("blind_gap_share", c.blind_gap_share, ratio);
  r.read_section("priority", c.priority, parse_priority);
}

void parse_buffers(MapReader& r, BuffersConfig& c) {
  r.read("liquidations", c.liquidations, count);
  r.read("trades", c.trades, count);
}

void parse_ingest(MapReader& r, IngestConfig& c) {
  r.read("max_price", c.max_price, above(0, 1e15));
  r.read("max_volume_usd", c.max_volume_usd, above(0, 1e13));
  r.read("max_clock_skew_s", c.max_clock_skew_s, duration_s);
  r.read("max_late_s", c.max_late_s, between(0, 3600));
  r.read("max_clock_jump_s", c.max_clock_jump_s, duration_s);
  r.read("max_symbols", c.max_symbols, between(1, 1'000'000));
  r.read("symbol_idle_s", c.symbol_idle_s, duration_s);
}

void parse_telegram(MapReader& r, TelegramConfig& c) {
  r.read("api_url", c.api_url, url_with_scheme({"https"}));
  r.read("ca_file", c.ca_file);
  r.read_list("chat_ids", c.chat_ids, chat_id);
  r.read_list("admin_chat_ids", c.admin_chat_ids, chat_id);
  r.read("max_per_minute", c.max_per_minute, between(1, 1000));
  r.read("max_alert_age_s", c.max_alert_age_s, duration_s);
  r.read("commands", c.commands);
  r.read("poll_timeout_s", c.poll_timeout_s, between(1, 50));
  r.read("outage_notice_s", c.outage_notice_s, duration_s);
  r.read("charts", c.charts);
}

void parse_storage(MapReader& r, StorageConfig& c) {
  r.read("backend", c.backend, one_of({"sqlite", "postgres"}));
  r.read("path", c.path);
  r.read("postgres_url", c.postgres_url);
  r.read("retention_days", c.retention_days, between(1, 36'500));
  r.read("instance", c.instance);
  r.check(c.instance.size() <= 64, "instance", "must be at most 64 characters");
  r.read("max_queued_events", c.max_queued_events, between(100, 10'000'000));
  r.check(c.backend != "postgres" || !c.postgres_url.empty(), "postgres_url",
          "is required when backend is postgres");
  r.check(c.backend != "sqlite" || !c.path.empty(), "path", "is required when backend is sqlite");
}

void parse_outcomes(MapReader& r, OutcomesConfig& c) {
  r.read("horizon_s", c.horizon_s, between(60, 7 * 86'400));
  r.read("lookback_days", c.lookback_days, between(1, 365));
  r.read("min_sample", c.min_sample, between(1, 20));
}

void parse_http(MapReader& r, HttpConfig& c) {
  r.read("listen", c.listen, loopback_host_and_port());
}

void parse_logging(MapReader& r, LoggingConfig& c) {
  r.read("level", c.level, one_of({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  r.read("file", c.file);
  r.read("max_size_mb", c.max_size_mb, between(1, 10'000));
  r.read("max_files", c.max_files, between(1, 100));
}

void parse_config(MapReader& r, Config& c) {
  r.read("secrets_file", c.secrets_file);
  r.read_list("sources", c.sources,
              one_of({std::string(source_coinglass), std::string(source_bybit),
                      std::string(source_binance), std::string(source_okx)}));
  r.check_unique("sources", c.sources);
  r.read_section("coinglass", c.coinglass, parse_coinglass);
  r.read_section("bybit", c.bybit, parse_bybit);
  r.read_section("binance", c.binance, parse_binance);
  r.read_section("okx", c.okx, parse_okx);
  // The global analysis first: symbol overrides apply on top of it wherever it is written.
  r.read_section("analysis", c.analysis, parse_analysis);
  parse_symbols(r, c.symbols, c.analysis);
  r.read_section("signals", c.signals, parse_signals);
  r.read_section("buffers", c.buffers, parse_buffers);
  r.read_section("ingest", c.ingest, parse_ingest);
  r.read_section("telegram", c.telegram, parse_telegram);
  r.read_section("storage", c.storage, parse_storage);
  r.read_section("outcomes", c.outcomes, parse_outcomes);
  r.read_section("http", c.http, parse_http);
  r.read_section("logging", c.logging, parse_logging);
}

ConfigLoadResult single_problem(std::string_view file, int line, std::string key_path,
                                std::string message) {
  // Through the sink, which keeps yaml-cpp's messages (they may quote any byte) on one line.
  ProblemSink sink{std::string(file), {}};
  sink.add(line, std::move(key_path), std::move(message));
  ConfigLoadResult result;
  result.problems = std::move(sink.problems);
  return result;
}

}  // namespace

std::vector<ConfigKey> describe_config(const Config& config) {
  std::vector<ConfigKey> keys;
  MapReader root(keys, "");
  Config described = config;  // describe mode changes nothing; parse functions take non-const
  parse_config(root, described);
  return keys;
}

std::string ConfigProblem::to_string() const {
  return file + ":" + std::to_string(line) + ": " + key_path + ": " + message;
}

std::string secrets_file_problem(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (status.type() == fs::file_type::not_found) return path + " does not exist";
  if (ec) return path + " cannot be checked: " + ec.message();
  if (status.type() != fs::file_type::regular) return path + " is not a regular file";
  const auto mode = static_cast<unsigned>(status.permissions()) & 0777U;
  if ((mode & 077U) == 0) return "";
  char octal[8];
  std::snprintf(octal, sizeof octal, "%04o", mode);
  const char* what = (mode & 044U) != 0 ? "readable" : "accessible";
  return path + " is " + what + " by group or others (mode " + octal + "); chmod 600 it";
}

ConfigLoadResult load_config_from_string(std::string_view yaml, std::string_view file_name) {
  try {
    YAML::Node document;
    try {
      document = YAML::Load(std::string(yaml));
    } catch (const YAML::Exception& e) {
      const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
      return single_problem(file_name, line, "(syntax)", e.msg);
    }
    ConfigLoadResult result;
    ProblemSink sink{std::string(file_name), {}};
    if (!document.IsMap() && !document.IsNull()) {
      sink.add(config_detail::line_of(document), "(root)",
               "expected a map of sections (coinglass, symbols, analysis, ...)");
    } else {
      MapReader root(sink, document, "", 1);
      parse_config(root, result.config);
      root.report_unknown_keys();
    }
    if (!result.config.secrets_file.empty()) {
      if (std::string problem = secrets_file_problem(result.config.secrets_file);
          !problem.empty()) {
        ProblemSink file_sink{std::string(file_name), {}};
        file_sink.add(config_detail::line_of(document["secrets_file"]), "secrets_file",
                      std::move(problem));
        result.file_problems = std::move(file_sink.problems);
      }
    }
    // Top to bottom, as the reader of the file sees it.
    std::stable_sort(
        sink.problems.begin(), sink.problems.end(),
        [](const ConfigProblem& a, const ConfigProblem& b) { return a.line < b.line; });
    result.problems = std::move(sink.problems);
    return result;
  } catch (const std::exception& e) {
    return single_problem(file_name, 0, "(internal)", std::string("cannot load: ") + e.what());
  } catch (...) {
    return single_problem(file_name, 0, "(internal)", "cannot load: unknown error");
  }
}

ConfigLoadResult load_config_file(const std::string& path) {
  try {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      return single_problem(path, 0, "(file)", "cannot read: is a directory");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      return single_problem(path, 0, "(file)",
                            "cannot read: " + std::generic_category().message(errno));
    }
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad()) return single_problem(path, 0, "(file)", "cannot read: read error");
    return load_config_from_string(text, path);
  } catch (const std::exception& e) {
    return single_problem(path, 0, "(file)", std::string("cannot read: ") + e.what());
  } catch (...) {
    return single_problem(path, 0, "(file)", "cannot read: unknown error");
  }
}

}  // namespace teleglas
