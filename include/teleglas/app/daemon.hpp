// The live daemon (`teleglas run`): the CoinGlass WebSocket feed and REST pollers feed the
// very Pipeline replay drives, on one io_context. Signals go to an AlertSink (Telegram, or
// the terminal when there is no token). With coinglass.record_path set, everything the
// pipeline is fed (frames with their receive times, ticks, gaps) is recorded for replay.
#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "teleglas/config/config.hpp"
#include "teleglas/core/outcome.hpp"
#include "teleglas/core/signal.hpp"
#include "teleglas/net/feed.hpp"
#include "teleglas/ops/histogram.hpp"
#include "teleglas/storage/writer.hpp"

namespace teleglas {

class AlertSink {
 public:
  virtual ~AlertSink() = default;
  virtual void on_signal(const Signal& signal) = 0;
  // Operator notices: CoinGlass auth failures, plan notices, long outages.
  virtual void on_admin_notice(std::string_view text) = 0;
};

// One feed connection as health reports it.
struct ConnectionHealth {
  ConnectionState state = ConnectionState::connecting;
  TimeMs last_frame_ms = 0;  // wall clock of its last frame; 0 = none yet
  TimeMs down_since_ms = 0;  // wall clock when it stopped being live; 0 = live
  std::string source;        // "coinglass", "bybit", ...
};

struct DaemonHealth {
  std::string feed_url;  // redacted
  std::vector<ConnectionState> connections;
  std::vector<ConnectionHealth> connection_details;  // the same connections, in order
  TimeMs started_ms = 0;         // wall clock
  TimeMs stream_down_since = 0;  // wall clock when no connection was live any more; 0 = live
  std::uint64_t frames_last_minute = 0;
  std::uint64_t signals_today = 0;  // since 00:00 UTC
  std::uint64_t signals_last_hour = 0;
  // Frame received -> its signals decided (parse + pipeline), for frames that gave signals.
  std::int64_t last_signal_latency_us = 0;
  std::int64_t max_signal_latency_us = 0;
  std::uint64_t frames = 0;
  std::uint64_t events = 0;
  std::uint64_t rejected = 0;
  std::uint64_t notices = 0;
  std::uint64_t signals = 0;
  // What the parser refused and then what the pipeline refused, every reason listed.
  std::vector<std::pair<std::string_view, std::uint64_t>> rejected_by_reason;
  std::array<std::uint64_t, signal_type_count> signals_by_type{};  // indexed by SignalType
  std::uint64_t reconnects = 0;
  std::uint64_t pings = 0;  // heartbeats sent and answered, over every connection
  std::uint64_t pongs = 0;
  std::uint64_t gaps = 0;
  TimeMs longest_gap_ms = 0;
  std::uint64_t rest_successes = 0;
  std::uint64_t rest_failures = 0;
  std::uint64_t recorded_frames = 0;           // handed to the recorder (coinglass.record_path)
  std::uint64_t recording_frames_written = 0;  // ... and on disk
  std::uint64_t recording_bytes_written = 0;
  std::uint64_t recording_write_errors = 0;    // failed attempts, each retried a second later
  std::uint64_t recording_frames_dropped = 0;  // the writer fell too far behind
  std::string recording_error;                 // while writes fail: "PATH: reason"
  // Receive wall time minus exchange time of each market event received, seconds.
  Histogram exchange_lag = exchange_lag_histogram();

  std::size_t live_connections() const;
};

struct DaemonOptions {
  std::function<TimeMs()> wall_clock;          // default: system clock
  double tick_s = 1.0;                         // pipeline tick and recorder flush period
  double health_log_s = 60.0;                  // summary line in the log
  std::function<std::string()> health_extras;  // appended to that line (e.g. the Telegram sender)
  // History: every signal, outcome change, gap and market event is handed to it (never
  // waited for). Null: nothing is kept.
  StorageWriter* storage = nullptr;
  // At start, replay the tail of coinglass.record_path (what the windows and the gate's
  // memory span) silently through the pipeline, and mark the downtime since as a gap.
  bool warm_up = true;
  // From storage at start: outcomes still open at the last stop (followed on), and resolved
  // ones for the win rate (older than outcomes.lookback_days are ignored).
  std::vector<Outcome> open_outcomes;
  std::vector<Outcome> resolved_outcomes;
  // The pipeline captures what a chart draws, and each directional signal carries it to the
  // sinks (Signal::chart): on when alerts go to Telegram with telegram.charts.
  bool charts = false;
};

class Daemon {
 public:
  // Throws std::runtime_error with a clear message on bad startup conditions (unreadable
  // CA file, unwritable record path); messages never contain the key.
  Daemon(boost::asio::io_context& io, const Config& config, std::string coinglass_api_key,
         AlertSink& alerts, DaemonOptions options = {});
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  void start();
  // Closes the feed gracefully, stops pollers and timers, flushes the recording. The
  // io_context then runs out of work.
  void stop();

  DaemonHealth health() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace teleglas
