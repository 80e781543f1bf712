// Configuration as plain structs. Every member has the spec's default, so an empty YAML file
// (or none) yields a working configuration. Loading and validation live in load.hpp.
// Each struct compares member-wise, so tests can check a loaded file against the defaults.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace teleglas {

// One step of a tiered bonus: more than `above` earns `points` (the highest step that applies).
struct BonusTier {
  double above = 0;
  int points = 0;

  bool operator==(const BonusTier&) const = default;
};

struct StopHuntConfig {
  double window_s = 30;                // liquidation window
  double liquidation_usd = 2'000'000;  // one side must reach this within the window
  double absorption_window_s = 30;     // opens when the threshold is crossed
  double absorption_usd = 100'000;     // opposite-side large trades needed
  double large_trade_usd = 10'000;     // a trade counts toward absorption from this size
  int min_confidence = 70;             // the detector emits only from here

  bool operator==(const StopHuntConfig&) const = default;
};

struct OrderFlowConfig {
  double window_s = 300;
  double eval_interval_s = 60;    // evaluated on event-time boundaries of this period
  double buy_ratio_long = 0.65;   // buy ratio above this -> ACCUMULATION
  double buy_ratio_short = 0.35;  // below this -> DISTRIBUTION
  int min_large_trades = 3;       // trades larger than large_trade_usd in the window
  double large_trade_usd = 10'000;
  int min_confidence = 70;

  bool operator==(const OrderFlowConfig&) const = default;
};

struct CascadeConfig {
  double window_s = 60;
  double liquidation_usd = 5'000'000;  // one side within the window
  int min_events = 10;                 // liquidations of that side within the window
  int min_confidence = 60;

  bool operator==(const CascadeConfig&) const = default;
};

struct WhaleConfig {
  double window_s = 300;
  double whale_trade_usd = 250'000;  // a single buy of at least this is a whale trade
  int min_trades = 3;                // whale buys within the window
  double max_price_range_pct = 0.3;  // (high - low) / low of all trades in the window
  int min_confidence = 60;

  bool operator==(const WhaleConfig&) const = default;
};

struct FundingConfig {
  double extreme_rate_pct = 0.1;  // |8h funding rate| above this, in percent
  int min_confidence = 60;

  bool operator==(const FundingConfig&) const = default;
};

struct OiDivergenceConfig {
  std::string horizon = "1h";                 // change field compared: 5m 15m 30m 1h 4h 24h
  double min_spread_pct = 3.0;                // max change - min change across exchanges
  double min_open_interest_usd = 50'000'000;  // exchanges smaller than this are ignored
  int min_confidence = 60;

  bool operator==(const OiDivergenceConfig&) const = default;
};

struct ScoringConfig {
  int base = 50;
  std::vector<BonusTier> volume_tiers = {{2'000'000, 10}, {3'000'000, 15}, {5'000'000, 20}};
  std::vector<BonusTier> one_sided_tiers = {{0.7, 10}, {0.8, 15}};
  int absorption_bonus = 25;
  double win_rate_min = 0.7;    // historical win rate of the type above this ...
  int win_rate_bonus = 10;      // ... earns this
  double win_rate_floor = 0.4;  // below this (once outcomes.min_sample are resolved) ...
  int win_rate_penalty = 10;    // ... costs this
  int confirmation_bonus = 10;  // a signal of another evidence family agrees (symbol, direction)
  double confirmation_window_s = 300;
  int conflict_penalty = 15;  // a signal in the opposite direction passed within the window
  int unconfirmed_reversal_penalty = 15;  // a cascade: reversal not yet confirmed by absorption
  int cap = 99;

  bool operator==(const ScoringConfig&) const = default;
};

struct SetupConfig {
  double reward_risk = 2.0;      // target = entry + reward_risk * (entry - stop)
  double stop_buffer_pct = 0.1;  // stop this far beyond the zone
  double min_risk_pct = 0.2;     // the stop is at least this far from entry
  // ... and at least this many times the reference venue's mean 1-minute high-low range over
  // the lookback (when it printed in at least volatility_min_minutes of those minutes).
  double volatility_multiple = 1.5;
  double volatility_lookback_s = 1800;
  int volatility_min_minutes = 5;
  double max_price_age_s = 30;  // no setup from a reference price older than this

  bool operator==(const SetupConfig&) const = default;
};

// Everything a symbol's analysis depends on; per-symbol overrides replace parts of it.
struct AnalysisConfig {
  StopHuntConfig stop_hunt;
  OrderFlowConfig order_flow;
  CascadeConfig cascade;
  WhaleConfig whale;
  FundingConfig funding;
  OiDivergenceConfig oi_divergence;
  ScoringConfig scoring;
  SetupConfig setup;

  bool operator==(const AnalysisConfig&) const = default;
};

struct SymbolConfig {
  std::string symbol;  // e.g. BTCUSDT
  std::vector<std::string> exchanges = {"Binance"};
  double min_trade_usd = 10'000;  // minVol of the futures_trades subscription
  AnalysisConfig analysis;        // the global analysis with this symbol's overrides

  bool operator==(const SymbolConfig&) const = default;
};

struct PriorityConfig {
  int urgent = 85;
  int watch = 70;
  int info = 60;

  bool operator==(const PriorityConfig&) const = default;
};

struct SignalsConfig {
  double cooldown_s = 300;  // no repeat of (type, symbol, direction) within this
  int max_per_hour = 50;
  int min_confidence = 60;
  int gap_penalty = 10;  // confidence points off when the signal's window spans a feed gap
  // An outage longer than this share of a window blinds it: the window decides again only
  // once it has been watched for its whole span. Shorter outages cost gap_penalty.
  double blind_gap_share = 0.1;
  PriorityConfig priority;

  bool operator==(const SignalsConfig&) const = default;
};

struct BuffersConfig {
  int liquidations = 1000;  // per symbol
  int trades = 500;         // per symbol

  bool operator==(const BuffersConfig&) const = default;
};

// Validation at the edge and bounds on what the pipeline keeps.
struct IngestConfig {
  double max_price = 1e7;         // a price above this is rejected (price_too_high)
  double max_volume_usd = 1e9;    // a USD volume above this is rejected (volume_too_high)
  double max_clock_skew_s = 300;  // within this of its receive time, an event's time is vouched for
  double max_late_s = 30;         // an event this far behind the market clock is stale
  double max_clock_jump_s = 60;   // further ahead than this, the next event must confirm it
  int max_symbols = 5000;         // symbols with state; configured symbols always count
  double symbol_idle_s = 1800;    // a symbol without events this long is forgotten

  bool operator==(const IngestConfig&) const = default;
};

struct CoinglassConfig {
  std::string ws_url = "wss://open-ws.coinglass.com/ws-api";
  std::string rest_url = "https://open-api-v4.coinglass.com";
  std::string ca_file;
  double ping_interval_s = 20;
  double pong_timeout_s = 10;
  double reconnect_initial_s = 1;
  double reconnect_max_s = 60;
  double funding_poll_s = 60;
  double oi_poll_s = 60;
  std::string record_path;
  std::vector<std::string> liquidation_channels = {"liquidationOrders"};
  int channels_per_connection = 50;
  int max_frame_bytes = 1 << 20;

  bool operator==(const CoinglassConfig&) const = default;
};

// What every exchange's own public stream section has (issue 11): where the stream is, what
// to subscribe and how to keep the connection alive. Each venue sets its own ws_url.
struct ExchangeStreamConfig {
  std::string ws_url;
  std::string ca_file;
  // Symbols in the configuration's spelling (BTCUSDT), mapped to the venue's names by the feed;
  // empty = the names of the top-level `symbols` list.
  std::vector<std::string> symbols;
  bool trades = true;  // also subscribe each symbol's trade stream
  double ping_interval_s = 20;
  double pong_timeout_s = 10;
  double reconnect_initial_s = 1;
  double reconnect_max_s = 60;

  bool operator==(const ExchangeStreamConfig&) const = default;
};

struct BybitConfig : ExchangeStreamConfig {
  BybitConfig() { ws_url = "wss://stream.bybit.com/v5/public/linear"; }

  bool operator==(const BybitConfig&) const = default;
};

struct BinanceConfig : ExchangeStreamConfig {
  // The /market route of the USD-M split (the legacy unrouted URLs were retired in 2026);
  // streams are appended as ?streams=a/b.
  BinanceConfig() { ws_url = "wss://fstream.binance.com/market/stream"; }
  // Binance cuts every connection at 24 h: a successor opens before that (ws_feed.hpp).
  double max_connection_age_s = 82'800;

  bool operator==(const BinanceConfig&) const = default;
};

struct OkxConfig : ExchangeStreamConfig {
  OkxConfig() { ws_url = "wss://ws.okx.com:8443/ws/v5/public"; }
  std::string rest_url = "https://www.okx.com";  // public instruments (contract values)

  bool operator==(const OkxConfig&) const = default;
};

struct TelegramConfig {
  std::string api_url = "https://api.telegram.org";
  std::string ca_file;
  std::vector<std::int64_t> chat_ids;
  std::vector<std::int64_t> admin_chat_ids;
  int max_per_minute = 20;
  double max_alert_age_s = 900;
  bool commands = true;          // answer /status, /mute... via getUpdates long polling
  int poll_timeout_s = 30;       // getUpdates long-poll timeout
  double outage_notice_s = 300;  // tell the admin chats when CoinGlass is down this long
  bool charts = true;            // directional alerts go as a photo of their chart

  bool operator==(const TelegramConfig&) const = default;
};

struct StorageConfig {
  std::string backend = "sqlite";  // sqlite | postgres
  std::string path = "data/teleglas.db";
  std::string postgres_url;
  int retention_days = 7;  // market events, gaps and sent alerts; signals are kept
  // Names this daemon's outbox and settings in a database several daemons share; empty = the
  // host name.
  std::string instance;
  // Market events waiting for the storage writer; beyond this they are dropped and counted
  // (signals, outcomes and alerts never are).
  int max_queued_events = 100'000;

  bool operator==(const StorageConfig&) const = default;
};

// How signals are followed to their outcome and how outcomes feed the score back.
struct OutcomesConfig {
  double horizon_s = 4 * 3600;  // neither target nor stop by then: EXPIRED
  double lookback_days = 7;     // the win rate counts outcomes resolved this recently
  int min_sample = 20;          // resolved outcomes of a type before its win rate counts

  bool operator==(const OutcomesConfig&) const = default;
};

struct HttpConfig {
  std::string listen = "127.0.0.1:8080";

  bool operator==(const HttpConfig&) const = default;
};

struct LoggingConfig {
  std::string level = "info";  // trace debug info warn error critical off
  std::string file;            // optional rotating log file
  int max_size_mb = 10;        // rotate the file at this size
  int max_files = 5;           // rotated files kept besides the current one

  bool operator==(const LoggingConfig&) const = default;
};

struct Config {
  // The env file systemd loads the secrets from (EnvironmentFile=). teleglas never reads it;
  // it only checks that the file exists and is private. Empty = not checked.
  std::string secrets_file;
  // Where market data comes from: any of coinglass, bybit, binance, okx. Empty = automatic,
  // see resolve_sources() in sources.hpp.
  std::vector<std::string> sources;
  CoinglassConfig coinglass;
  BybitConfig bybit;
  BinanceConfig binance;
  OkxConfig okx;
  std::vector<SymbolConfig> symbols = {SymbolConfig{"BTCUSDT", {"Binance"}, 10'000, {}}};
  AnalysisConfig analysis;  // applies to every symbol without an override
  SignalsConfig signals;
  BuffersConfig buffers;
  IngestConfig ingest;
  TelegramConfig telegram;
  StorageConfig storage;
  OutcomesConfig outcomes;
  HttpConfig http;
  LoggingConfig logging;

  // The analysis settings for `symbol`: its override if configured, else the global ones.
  const AnalysisConfig& analysis_for(std::string_view symbol) const {
    for (const auto& s : symbols) {
      if (s.symbol == symbol) return s.analysis;
    }
    return analysis;
  }

  bool operator==(const Config&) const = default;
};

}  // namespace teleglas
